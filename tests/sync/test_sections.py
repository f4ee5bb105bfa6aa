"""The payload read a section at a time (sync/formats/sections.py) and its nesting check
(sync/safejson.Nesting): the same rows as json.loads, wherever the pieces are cut; what
it does not take is NotStreamable, never a wrong row or a recursion."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from sync import safejson
from sync.formats import sections, v1
from sync.formats.sections import NotStreamable

PAYLOAD: dict[str, Any] = {
    "audit": {"columns": ["id", "seq", "after"],
              "rows": [["a1", 1, '{"名字": "张三", "note": "x\\"]}"}'], ["a2", 2, None]]},
    "tables": {
        "helper": {"columns": ["id", "n"], "rows": [["h1", 1]]},
        "household": {"columns": ["id", "note", "money"], "rows": [
            [f"h{i}", f"备注 {i} \\ \" ] [ {{ }} \u00e9\U0001f600 \t", i * 100 - 7]
            for i in range(60)]},
        "member": {"columns": ["id"], "rows": []},
    },
}


def _cut(raw: bytes, sizes: list[int]) -> Iterator[bytes]:
    """`raw` in pieces of the given sizes, round and round."""
    at, i = 0, 0
    while at < len(raw):
        yield raw[at:at + sizes[i % len(sizes)]]
        at += sizes[i % len(sizes)]
        i += 1


def _read(raw: bytes, sizes: list[int], hold: set[str] = frozenset()  # type: ignore[assignment]
          ) -> dict[str, Any]:
    """The payload as the reader gives it, rebuilt as json.loads would give it."""
    out: dict[str, Any] = {"tables": {}}
    held = []
    for section in sections.read(_cut(raw, sizes), v1.PAYLOAD_DEPTH):
        if section.name in hold:
            held.append(section.hold())
            continue
        rows = [r for batch in section.batches() for r in batch]
        place = out if section.audit else out["tables"]
        place[section.name] = {"columns": section.columns, "rows": rows}
    for h in held:
        s = h.section()
        out["tables"][s.name] = {"columns": s.columns,
                                 "rows": [r for batch in s.batches() for r in batch]}
    return out


@pytest.mark.parametrize("sizes", [[1], [2, 3], [7], [64, 1, 5], [10_000]])
def test_rows_are_those_json_loads_gives_wherever_the_pieces_are_cut(
        sizes: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sections, "BATCH_ROWS", 7)
    raw = v1.canonical(PAYLOAD)
    assert _read(raw, sizes) == json.loads(raw)
    assert _read(raw, sizes, hold={"helper", "household"}) == json.loads(raw)


def test_whitespace_and_escapes_are_read_as_json_reads_them() -> None:
    raw = json.dumps(PAYLOAD, indent=2, sort_keys=True).encode()  # \uXXXX escapes, spaces
    assert _read(raw, [3]) == json.loads(raw)


@pytest.mark.parametrize("raw", [
    b'{"tables":{},"tables":{}}',  # a key twice (json.loads would keep the last)
    b'{"audit":{"columns":["id"],"rows":[]},"extra":1}',  # a key the format has not
    b'{"tables":{"x":{"rows":[],"columns":["id"]}}}',  # rows before their columns
    b'{"tables":{"x":{"columns":["id"],"rows":[[1],[2]}}}',  # broken
    b'{"tables":{"x":{"columns":["id"],"rows":[[NaN]]}}}',  # not JSON
    b'{"tables":{"x":{"columns":["id"],"rows":[[1]]}}} 1',  # something after it
    b'{"tables":{"x":{"columns":["id"],"rows":[[1]]}}',  # cut short
    b'{"tables":{"x":{"columns":["id"],"rows":[[[[[[1]]]]]]}}}',  # deeper than the format
    b'{"tables":{"x":{"columns":["id"],"rows":[' + b"[" * 100_000 + b"]" * 100_000
    + b"]}}}",
    b'["tables"]',
])
def test_what_the_reader_does_not_take_is_not_streamable(raw: bytes) -> None:
    with pytest.raises(NotStreamable):
        for sizes in ([1], [5], [1 << 20]):
            _read(raw, sizes)


# Values the quick decoder (msgspec) refuses or could read otherwise than json, a kind to a
# table (one it refuses sends its whole run of rows to the scanner): each must come out
# exactly as json.loads gives it, type and all (== would take 1 for 1.0 or True).
ODD_ROWS = {"big": [18446744073709551616, -9223372036854775809, 10 ** 30],
            "surrogate": ["\ud800", "\udc00x", "\ud83d\ude00"],
            "huge": ["<1e400>", "<-1e400>", 5e-324, -0.0],
            "float": [0.30000000000000004, 1.5, 100.0, 1e-7],
            "flag": [True, False, None, 0, 1],
            "ends": ["]]}", "x]]}]]}", "]]},[", "\\]]}"]}  # (a row holds no arrays: depth)


@pytest.mark.parametrize("sizes", [[1 << 20], [97], [5, 3000]])
def test_the_quick_decoder_reads_what_json_reads(sizes: list[int]) -> None:
    payload = {"tables": {name: {"columns": ["id", "v"],
                                 "rows": [[f"r{i}", *row] for i in range(40)]}
                          for name, row in ODD_ROWS.items()}}
    # canonical() would refuse a lone surrogate, and no writer puts 1e400 (json: inf).
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    raw = raw.replace(b'"<1e400>"', b"1e400").replace(b'"<-1e400>"', b"-1e400")
    assert repr(_read(raw, sizes)) == repr(json.loads(raw))


def test_a_value_longer_than_the_pieces_is_read_whole() -> None:
    payload = {"tables": {"x": {"columns": ["id", "note"],
                                "rows": [["a", "长" * 300_000], ["b", "\\" * 70_001]]}}}
    raw = v1.canonical(payload)
    assert _read(raw, [1 << 16]) == payload


def _texts() -> list[bytes]:
    rng = random.Random(5)
    deep = [b"[" * 8 + b"]" * 8, b'["]",' * 9 + b'"["' + b"]" * 9, b'{"a":' * 7 + b"1" + b"}" * 7,
            b'[["\\\\"],["\\"]"],[["x"]]]', b'[[["\\\\\\"[[[[[[[["]]]', b"]]", b"[[[",
            b'["\\\\\\\\"]' * 3]
    noise = [bytes(rng.choice(b'[]{}"\\ab,') for _ in range(200)) for _ in range(40)]
    return [v1.canonical(PAYLOAD), *deep, *noise]


def _reference(text: bytes, depth: int) -> bool:
    """Byte by byte, as a JSON lexer goes: deeper than `depth`, below zero, or left open."""
    level, in_string, escaped = 0, False, False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == ord("\\"):
                escaped = True
            elif c == ord('"'):
                in_string = False
        elif c == ord('"'):
            in_string = True
        elif c in b"[{":
            level += 1
            if level > depth:
                return True
        elif c in b"]}":
            level -= 1
            if level < 0:
                return True
    return level != 0


@pytest.mark.parametrize("depth", [2, 5])
def test_the_streamed_nesting_check_agrees_with_a_lexer(depth: int) -> None:
    """Cut anywhere, it finds what a lexer finds; that includes all the whole-text check
    finds (which leaves closing brackets too many to json.loads)."""
    rng = random.Random(depth)
    for text in _texts():
        expected = _reference(text, depth)
        assert expected or not safejson.too_deep(text, depth)
        for _ in range(20):
            cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(0, 6))))
            pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
            nesting = safejson.Nesting(depth)
            found = any([nesting.feed(p) for p in pieces]) or nesting.end()
            assert found == expected, (text[:80], cuts)
