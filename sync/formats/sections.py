"""A format-1 payload read a section at a time as it is decrypted and inflated, never held
whole: the county's import of a 20,000-household bundle (140 MB of JSON, half a gigabyte
once parsed whole) keeps a batch of rows in memory, not the payload.

The payload is one JSON document, `{"audit": SECTION, "tables": {name: SECTION, ...}}`
with SECTION = `{"columns": [...], "rows": [[...], ...]}`, as the canonical writer lays it
out (sorted keys: the audit entries first, then the tables by name). The reader walks that
outer structure itself and parses the rows many at a time (msgspec's decoder, else the json
module's own scanner), on text that has first passed the nesting check (`safejson.Nesting`),
so no row can make either recurse. Anything else — another layout, a key twice, broken
JSON, nesting deeper than the format's — raises NotStreamable, and the caller reads the
payload whole instead (`Parsed.open`), which refuses or takes it exactly as it always has.

A section the caller cannot merge yet (its rows refer to a table that comes later) is
held: its text kept zlib-compressed, read again from there when its turn comes."""

from __future__ import annotations

import codecs
import json
import json.scanner
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import msgspec

from sync import safejson

BATCH_ROWS = 10_000  # rows handed over at once
BATCH_CHARS = 4 << 20  # or fewer, when they are long
_SLICE = 1 << 20  # text read on at least this much at a time
# No row comes near this (a text column holds at most 65,536 characters): a value this long
# is read whole instead, where the payload's inflated size is measured before it is held.
MAX_VALUE = 2 << 20
_WS = " \t\n\r"
# A value cut off by the end of the text read so far fails near that end (or as an
# unterminated string); the longest token that can fail short of it is "-Infinity".
_NEAR_END = 16
# The json module's scanner (its C one): (value, end) of the JSON value at a position.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    json.JSONDecoder(parse_constant=safejson.no_constant))  # type: ignore[arg-type]
# The quick way through a run of whole rows: msgspec's decoder takes them in half the
# scanner's time, and what it takes it reads exactly as json does (an integer past 64 bits
# stays an integer, unlike orjson's float). What it refuses (NaN, a lone surrogate escape,
# 1e400, text running past the rows' end) goes to the scanner, which decides as before.
_QUICK = msgspec.json.Decoder()


class NotStreamable(Exception):
    """The payload is not what this reader takes: read it whole instead."""


class _Reader:
    """JSON text given in pieces, read from a position on; the text before it is let go."""

    def __init__(self, pieces: Iterator[str]) -> None:
        self._pieces = pieces
        self.buf = ""
        self.pos = 0
        self._ended = False
        self._record: Any = None  # a zlib compressor taking the text read (a held section)
        self._record_from = 0
        self._recorded: list[bytes] = []

    def _fill(self, wanted: int) -> bool:
        """Reads on until `wanted` characters are unread or the text ends; False when
        nothing more came."""
        if self._record is not None:
            self._recorded.append(
                self._record.compress(self.buf[self._record_from:self.pos].encode()))
            self._record_from = 0
        parts = [self.buf[self.pos:]]
        have = len(parts[0])
        grew = False
        while have < wanted and not self._ended:
            piece = next(self._pieces, None)
            if piece is None:
                self._ended = True
                break
            parts.append(piece)
            have += len(piece)
            grew = True
        self.buf = "".join(parts)
        self.pos = 0
        return grew

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end of the text)."""
        while True:
            buf, pos = self.buf, self.pos
            while pos < len(buf) and buf[pos] in _WS:
                pos += 1
            self.pos = pos
            if pos < len(buf):
                return buf[pos]
            if not self._fill(1):
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise NotStreamable
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value, reading on while it is cut off by the end of the text read
        so far (a long one: the text read at least doubles each time)."""
        self.peek()
        while True:
            try:
                value, self.pos = _SCAN(self.buf, self.pos)
                return value
            except StopIteration as e:
                at, message = e.value, ""
            except json.JSONDecodeError as e:
                at, message = e.pos, e.msg
            except (ValueError, RecursionError):  # NaN or Infinity (RecursionError: never)
                raise NotStreamable from None
            cut = message.startswith("Unterminated string") or at >= len(self.buf) - _NEAR_END
            unread = len(self.buf) - self.pos
            if not cut or unread > MAX_VALUE or not self._fill(max(2 * unread, _SLICE)):
                raise NotStreamable

    def key(self) -> str:
        key = self.value()
        if type(key) is not str:
            raise NotStreamable
        self.expect(":")
        return key

    def rows(self) -> Iterator[list[Any]]:
        """The rows of a rows array whose "[" was read, in batches; the "]" is read too."""
        if self.peek() == "]":
            self.pos += 1
            return
        batch: list[Any] = []
        size = 0
        failed: tuple[str, int] = ("", -1)  # where the quick way last failed
        no_end: tuple[str, int] = ("", -1)  # a "]]}" that was not the rows' end
        while True:
            buf, pos = self.buf, self.pos
            # Quick: the rows up to the last row boundary in the text read so far, parsed
            # in one call. Past the end of the rows (the next section's rows hold "],["
            # too) the rows array closes first: its last rows, and it is read. Where "],["
            # is inside a string, they do not parse as whole rows: one at a time then,
            # until past it.
            cut = buf.rfind("],[", pos, pos + BATCH_CHARS - size)
            if cut > pos and buf.startswith("[", pos) \
                    and not (buf is failed[0] and cut <= failed[1]):
                # The canonical writer ends a section's rows with "]]}": found before the
                # cut, the rows are parsed up to it, not on into the next section's (which
                # the quick way would read and then read again).
                end = buf.find("]]}", pos, cut)
                if end > pos and not (buf is no_end[0] and end <= no_end[1]):
                    last = _rows_before(buf, pos, end + 1)
                    if last is not None:
                        self.pos = end + 2 if last[1] is None else last[1]
                        yield batch + last[0]
                        return
                    no_end = (buf, end)  # inside a string
                many = _rows_before(buf, pos, cut + 1)
                if many is None:
                    failed = (buf, cut)
                elif many[1] is not None:
                    self.pos = many[1]
                    yield batch + many[0]
                    return
                else:
                    batch += many[0]
                    size += cut - pos
                    self.pos = cut + 2
                    if len(batch) >= BATCH_ROWS or size >= BATCH_CHARS:
                        yield batch
                        batch, size = [], 0
                    continue
            try:
                row, end = _SCAN(buf, pos)
            except (StopIteration, ValueError):
                row = self.value()  # cut off, or not a row at all: the careful way
                buf, end = self.buf, self.pos
            batch.append(row)
            size += end - pos
            if end < len(buf) and buf[end] == ",":
                self.pos = end + 1
            else:
                self.pos = end
                char = self.peek()
                if char == "]":
                    self.pos += 1
                    yield batch
                    return
                if char != ",":
                    raise NotStreamable
                self.pos += 1
            if len(batch) >= BATCH_ROWS or size >= BATCH_CHARS:
                yield batch
                batch, size = [], 0

    def held_rows(self) -> bytes:
        """A rows array (from its "[") read to its end and kept compressed."""
        self._record, self._record_from, self._recorded = zlib.compressobj(1), self.pos, []
        self.expect("[")
        for _ in self.rows():
            pass
        self._recorded += [self._record.compress(self.buf[self._record_from:self.pos].encode()),
                           self._record.flush()]
        self._record = None
        return b"".join(self._recorded)

    def end(self) -> None:
        """Nothing but whitespace may follow; reading to the end runs the checks of every
        stage the text came through (the payload hash among them)."""
        if self.peek() != "":
            raise NotStreamable


def _rows_before(buf: str, start: int, end: int) -> tuple[list[Any], int | None] | None:
    """(rows, None) when buf[start:end] holds exactly a sequence of whole JSON values, the
    rows; (rows, after) when the rows array's "]" closes them inside it, the rows before it
    and where that "]" ends in buf; else None."""
    text = "[" + buf[start:end] + "]"  # text[i] is buf[start + i - 1]
    try:
        return _QUICK.decode(text), None  # all of it one array: the rows end where it does
    except msgspec.DecodeError:
        pass
    try:
        rows, stop = _SCAN(text, 0)
    except (StopIteration, ValueError):
        return None
    return rows, (None if stop == len(text) else start + stop - 1)


class Section:
    """One section of the payload: a table's rows, or the audit entries (`audit`). Its
    rows are read once, by `batches` or `hold`, before the reader moves on."""

    def __init__(self, name: str, audit: bool, columns: Any, reader: _Reader) -> None:
        self.name = name
        self.audit = audit  # the payload's audit section (not a table named "audit")
        self.columns = columns  # as sent: checked by the caller (sync.payload.table_rows)
        self._reader = reader
        self.read = False

    def batches(self) -> Iterator[list[Any]]:
        self.read = True
        yield from self._reader.rows()

    def hold(self) -> Held:
        """The rows kept compressed, to be read later (the reader moves on)."""
        self.read = True
        return Held(self.name, self.audit, self.columns, self._reader.held_rows())


class Held:
    def __init__(self, name: str, audit: bool, columns: Any, rows: bytes) -> None:
        self.name, self.audit, self.columns, self._rows = name, audit, columns, rows

    def section(self) -> Section:
        reader = _Reader(_unzipped(self._rows))
        reader.expect("[")
        return Section(self.name, self.audit, self.columns, reader)


def _unzipped(data: bytes) -> Iterator[str]:
    z = zlib.decompressobj()
    decoder = codecs.getincrementaldecoder("utf-8")()
    while data:
        piece = z.decompress(data, _SLICE)
        data = z.unconsumed_tail
        yield decoder.decode(piece)
    yield decoder.decode(z.flush(), final=True)


def _text(pieces: Iterable[bytes], max_depth: int) -> Iterator[str]:
    """The inflated payload as text, each piece passed by the nesting check first."""
    nesting = safejson.Nesting(max_depth)
    decoder = codecs.getincrementaldecoder("utf-8")()  # strict: not UTF-8 is refused
    for piece in pieces:
        if nesting.feed(piece):
            raise NotStreamable
        text = decoder.decode(piece)
        if text:
            yield text
    if nesting.end():
        raise NotStreamable
    yield decoder.decode(b"", final=True)


def read(pieces: Iterable[bytes], max_depth: int) -> Iterator[Section]:
    """The sections of the payload inflated into `pieces`, in the order it holds them.
    Raises NotStreamable (or the errors of the stages the pieces come through: SyncError,
    UnicodeDecodeError) where the payload is not read this way."""
    reader = _Reader(_text(pieces, max_depth))
    reader.expect("{")
    keys: set[str] = set()
    while reader.peek() != "}":
        if keys:
            reader.expect(",")
        key = reader.key()
        if key in keys:
            raise NotStreamable
        keys.add(key)
        if key == "audit":
            yield from _one(_section(reader, key, audit=True))
        elif key == "tables":
            yield from _tables(reader)
        else:
            raise NotStreamable
    reader.pos += 1
    reader.end()


def _tables(reader: _Reader) -> Iterator[Section]:
    reader.expect("{")
    names: set[str] = set()
    while reader.peek() != "}":
        if names:
            reader.expect(",")
        name = reader.key()
        if name in names:
            raise NotStreamable
        names.add(name)
        yield from _one(_section(reader, name, audit=False))
    reader.pos += 1


def _one(section: Section) -> Iterator[Section]:
    yield section
    if not section.read:  # the reader is still at its rows
        raise RuntimeError(f"section {section.name} was neither read nor held")


def _section(reader: _Reader, name: str, audit: bool) -> Section:
    """A section's columns, its reader left at its rows; after they are read, its "}"."""
    reader.expect("{")
    if reader.key() != "columns":
        raise NotStreamable
    columns = reader.value()
    reader.expect(",")
    if reader.key() != "rows":
        raise NotStreamable
    return _Open(name, audit, columns, reader)


class _Open(Section):
    """A section inside the payload: once its rows are read, its closing brace is too."""

    def batches(self) -> Iterator[list[Any]]:
        self._reader.expect("[")
        yield from super().batches()
        self._reader.expect("}")

    def hold(self) -> Held:
        held = super().hold()
        self._reader.expect("}")
        return held
