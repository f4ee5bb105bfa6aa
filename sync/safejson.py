"""JSON from a sender we do not trust, parsed without any recursion it can reach.

Python's json parser recurses once per nested array or object, so 200,000 nested brackets
end in a RecursionError. Before json.loads sees the bytes, a linear pre-scan finds the
deepest nesting outside strings and refuses anything deeper than the format uses. The scan
works on whole byte strings with C-speed bytes methods (no Python loop per byte):

1. escaped backslashes and escaped quotes are dropped (left to right, as a JSON lexer
   pairs them), so every quote left is a string delimiter;
2. every byte but quotes and brackets is dropped, and `{}` become `[]`;
3. adjacent quotes are dropped (that never changes which side of a string anything is
   on), then what lies between the remaining quote pairs (brackets inside strings);
4. what is left is brackets only; each pass that removes every adjacent "[]" takes away
   exactly one level of nesting, so if an opening bracket survives `max_depth` passes,
   some bracket lies deeper (or never closes): refused.

Where the JSON is broken, json.loads stops at the first error; up to that point the scan
lexes exactly as it does, so the depth it finds there is never less than json's."""

from __future__ import annotations

import json
from typing import Any

from sync.errors import SyncError

_KEEP = b'"[]{}'
_DROP = bytes(b for b in range(256) if b not in _KEEP)
_BRACKETS = bytes.maketrans(b"{}", b"[]")


def too_deep(raw: bytes, max_depth: int) -> bool:
    """True when `raw` nests arrays and objects deeper than `max_depth` (or leaves one
    open), counting only brackets outside strings."""
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = raw.translate(_BRACKETS, _DROP).replace(b'""', b"")
    if b'"' in marks:
        marks = b"".join(marks.split(b'"')[0::2])
    for _ in range(max_depth):
        shorter = marks.replace(b"[]", b"")
        if len(shorter) == len(marks):
            break
        marks = shorter
    return b"[" in marks


class Nesting:
    """`too_deep` for a stream, fed piece by piece: True as soon as the text so far nests
    deeper than `max_depth` (or closes more than it opened), and at `end` when something
    is left open. The same lexing, with what a piece ends inside (a string, a run of
    backslashes, the open brackets) carried into the next; the depth so far is checked
    exactly, on "[" * depth + the piece's brackets, closed and then taken apart pair by
    pair, `max_depth` passes at most. A parser that only ever sees text this has passed
    can recurse no deeper than `max_depth`."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.depth = 0
        self.in_string = False
        self.backslashes = b""  # a run at the end of the last piece: its pairs span pieces

    def feed(self, piece: bytes) -> bool:
        raw = self.backslashes + piece
        body = raw.rstrip(b"\\")
        run = len(raw) - len(body)
        self.backslashes = b"\\" if run % 2 else b""  # pairs cancel: only the odd one matters
        if b"\\" in body:
            body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
        # Adjacent quotes go first, as in too_deep (an even number: no side changes).
        parts = body.translate(_BRACKETS, _DROP).replace(b'""', b"").split(b'"')
        outside = b"".join(parts[1::2] if self.in_string else parts[0::2])
        if len(parts) % 2 == 0:  # an odd number of quotes: the piece ends on the other side
            self.in_string = not self.in_string
        if not outside:
            return False
        marks = b"[" * self.depth + outside
        depth = marks.count(b"[") - marks.count(b"]")
        if depth < 0:
            return True
        marks += b"]" * depth
        for _ in range(self.max_depth):
            shorter = marks.replace(b"[]", b"")
            if len(shorter) == len(marks):
                break
            marks = shorter
        self.depth = depth
        return bool(marks)

    def end(self) -> bool:
        """True when the whole text left a bracket open."""
        return self.depth != 0


def no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON, and no storage value


def loads(raw: bytes, max_depth: int, refused: SyncError) -> Any:
    """`raw` (UTF-8 JSON) parsed; `refused` raised if it nests deeper than `max_depth`,
    is not UTF-8, or is not JSON."""
    if too_deep(raw, max_depth):
        raise refused
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=no_constant)
    except (UnicodeDecodeError, ValueError):
        raise refused from None
