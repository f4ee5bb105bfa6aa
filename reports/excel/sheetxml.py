"""Reading a worksheet's cell values straight from its XML, for the import and the marked
copy of a large file.

openpyxl's read-only rows build an object per cell in Python (about 20 µs a cell), and
even lxml's iterparse makes a Python proxy for every element it hands over (the rows of a
five-cell sheet at ~150 µs each on the 2-core machine). Here the C parser of the standard
library (expat) calls back per element and only the values are kept: about a third of
that. Values are converted the way openpyxl's WorkSheetParser converts them (shared and
inline strings, numbers as int or float, booleans, dates by the cell's number format,
cached formula results, never a formula's text). book.py opens the workbook (sheet parts,
shared strings, date formats). Merged cells, which read-only mode ignores, are collected in
the same pass, and so is the <dimension> the writer declared (a hint of the sheet's size,
never trusted for more).

Rows are streamed: the parser is fed 64 KiB at a time and the rows completed by each piece
are handed on, so memory holds a few rows whatever the sheet's size. Cells right of
`max_column` are not converted; the rightmost of them holding text is noted, so a caller
can refuse a sheet far wider than the form. A document type declaration (no spreadsheet
program writes one; it is how entity bombs are built) and malformed XML are refused as a
damaged file.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.parsers import expat

from openpyxl.utils.datetime import from_excel, from_ISO8601

from reports.excel.errors import WorkbookError

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_ROW, _CELL, _VALUE = f"{_NS}row", f"{_NS}c", f"{_NS}v"
_INLINE, _TEXT, _PHONETIC = f"{_NS}is", f"{_NS}t", f"{_NS}rPh"
_STRING_ITEM, _MERGE, _DIMENSION = f"{_NS}si", f"{_NS}mergeCell", f"{_NS}dimension"
_DIGITS = "0123456789"
_FEED = 1 << 16
CELL_TEXT_LIMIT = 32_767  # characters: Excel's own limit for a cell
_column_cache: dict[str, int] = {}


@dataclass
class SheetSource:
    """What the parse needs from the opened workbook (see book.py)."""

    archive_file: IO[bytes]
    path: str  # the worksheet part inside the zip, e.g. xl/worksheets/sheet2.xml
    shared_strings: list[Any]
    date_styles: set[int]
    epoch: Any
    sheet: str = ""  # its name, for messages
    merged: list[str] = field(default_factory=list)
    dimension: str | None = None  # e.g. "A1:AS5001", as the writer declared it
    widest: int = 0  # the rightmost column right of max_column holding text, if any
    widest_row: int = 0


def column_number(letters: str) -> int:
    """“A” → 1, “XFD” → 16384; longer runs (no spreadsheet writes them) give larger
    numbers instead of an error, so a width check can refuse them."""
    number = _column_cache.get(letters)
    if number is None:
        number = 0
        for ch in letters.upper()[:12]:  # past 12 letters it is far too wide anyway
            number = number * 26 + ord(ch) - 64
        if len(_column_cache) < 20_000:
            _column_cache[letters] = number
    return number


def _damaged(where: str, why: str) -> WorkbookError:
    return WorkbookError(f"{where}已损坏({why}),无法导入。请在Excel或WPS中打开该文件,"
                         "确认内容无误后“另存为”新的工作簿再导入")


def _parser() -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: Any) -> None:
        raise _damaged("工作簿", "含有文档类型定义(DTD)")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


class _Rows:
    """expat's callbacks for one worksheet: completed rows pile up in `done`."""

    def __init__(self, src: SheetSource, max_column: int | None) -> None:
        self.src = src
        self.limit = max_column or 1 << 62
        self.done: list[tuple[int, dict[int, Any]]] = []
        self.row_number = 0
        self.values: dict[int, Any] = {}
        self.column = 0
        self.kind: str | None = None
        self.style: str | None = None
        self.text: list[str] = []
        self.size = 0
        self.collecting = False
        self.inline = False  # inside <is>
        self.phonetic = False  # inside <rPh>: a reading aid, not part of the text
        self.has_value = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _CELL:
            ref = attrs.get("r")
            self.column = column_number(ref.rstrip(_DIGITS)) if ref else self.column + 1
            self.kind = attrs.get("t")
            self.style = attrs.get("s")
            self.text = []
            self.size = 0
            self.has_value = False
        elif name == _VALUE:
            self.collecting = not self.inline
            self.has_value = True
        elif name == _TEXT:
            self.collecting = self.inline and not self.phonetic
        elif name == _ROW:
            r = attrs.get("r")
            self.row_number = int(r) if r and r.isdigit() else self.row_number + 1
            self.values = {}
            self.column = 0
        elif name == _INLINE:
            self.inline = self.has_value = True
        elif name == _PHONETIC:
            self.phonetic = True
        elif name == _MERGE:
            self.src.merged.append(attrs.get("ref", ""))
        elif name == _DIMENSION:
            self.src.dimension = attrs.get("ref")

    def end(self, name: str) -> None:
        if name in (_VALUE, _TEXT):
            self.collecting = False
        elif name == _CELL:
            if not self.has_value:
                return
            if self.column <= self.limit:
                value = self._value("".join(self.text))
                if value is not None:
                    self.values[self.column] = value
            elif self.column > self.src.widest and "".join(self.text).strip():
                self.src.widest, self.src.widest_row = self.column, self.row_number
        elif name == _ROW:
            self.done.append((self.row_number, self.values))
        elif name == _INLINE:
            self.inline = False
        elif name == _PHONETIC:
            self.phonetic = False

    def data(self, text: str) -> None:
        if self.collecting:
            self.size += len(text)
            if self.size > CELL_TEXT_LIMIT:
                raise _damaged(f"工作表“{self.src.sheet}”", f"第{self.row_number}行第"
                               f"{self.column}列的内容超过了Excel单元格的上限"
                               f"({CELL_TEXT_LIMIT}字)")
            self.text.append(text)

    def _value(self, text: str) -> Any:
        kind = self.kind
        if kind == "inlineStr":
            return text
        if not text:
            return None
        try:
            if kind is None or kind == "n":
                return self._number(text)
            if kind == "s":
                return self.src.shared_strings[int(text)]
            if kind == "b":
                return bool(int(text))
            if kind == "d":
                return from_ISO8601(text)
        except (ValueError, IndexError, OverflowError):
            raise _damaged(f"工作表“{self.src.sheet}”", f"第{self.row_number}行第"
                           f"{self.column}列的值“{text[:20]}”无法识别") from None
        return text  # "str" (a formula's text result) and "e" (an error such as #N/A)

    def _number(self, text: str) -> Any:
        number: int | float = float(text) if ("." in text or "E" in text or "e" in text) \
            else int(text)
        if self.style and int(self.style) in self.src.date_styles:
            try:
                return from_excel(number, self.src.epoch)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number


def iter_rows(src: SheetSource, max_column: int | None = None
              ) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column number: value}) for every row element in the sheet, empty
    cells and cells right of `max_column` left out. Merged ranges and the dimension found
    on the way are recorded in `src`. Raises WorkbookError for damaged XML."""
    rows = _Rows(src, max_column)
    parser = _parser()
    parser.StartElementHandler = rows.start
    parser.EndElementHandler = rows.end
    parser.CharacterDataHandler = rows.data
    src.archive_file.seek(0)
    with zipfile.ZipFile(src.archive_file) as archive, archive.open(src.path) as xml:
        while True:
            piece = xml.read(_FEED)
            try:
                parser.Parse(piece, not piece)
            except expat.ExpatError as e:
                raise _damaged(f"工作表“{src.sheet}”", f"XML有误:{expat.ErrorString(e.code)},"
                               f"第{e.lineno}行") from None
            if rows.done:
                yield from rows.done
                rows.done = []
            if not piece:
                return


class _Strings:
    def __init__(self) -> None:
        self.strings: list[str] = []
        self.text: list[str] = []
        self.size = 0
        self.collecting = False
        self.phonetic = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _TEXT:
            self.collecting = not self.phonetic
        elif name == _STRING_ITEM:
            self.text = []
            self.size = 0
        elif name == _PHONETIC:
            self.phonetic = True

    def end(self, name: str) -> None:
        if name == _TEXT:
            self.collecting = False
        elif name == _STRING_ITEM:
            self.strings.append("".join(self.text).replace("x005F_", ""))
        elif name == _PHONETIC:
            self.phonetic = False

    def data(self, text: str) -> None:
        if self.collecting:
            self.size += len(text)
            if self.size > CELL_TEXT_LIMIT:
                raise _damaged("工作簿的共享字符串表", f"第{len(self.strings) + 1}项超过了"
                               f"Excel单元格的上限({CELL_TEXT_LIMIT}字)")
            self.text.append(text)


def read_shared_strings(xml: IO[bytes]) -> list[str]:
    """The shared-strings table as openpyxl reads it (runs joined, phonetic runs left out,
    “_x005F_” unescaped). Raises WorkbookError for damaged XML."""
    strings = _Strings()
    parser = _parser()
    parser.StartElementHandler = strings.start
    parser.EndElementHandler = strings.end
    parser.CharacterDataHandler = strings.data
    try:
        parser.ParseFile(xml)
    except expat.ExpatError as e:
        raise _damaged("工作簿的共享字符串表", f"XML有误:{expat.ErrorString(e.code)},"
                       f"第{e.lineno}行") from None
    return strings.strings
