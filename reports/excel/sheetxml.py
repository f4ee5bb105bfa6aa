"""Reading a worksheet's cell values straight from its XML with lxml, for the import.

openpyxl's read-only rows build an object per cell in Python (and parse every inline
string through its rich-text classes): about 20 µs a cell, most of a 5,000-household
import. Here lxml's C parser walks the rows and only the values are converted, the way
openpyxl's WorkSheetParser converts them (shared and inline strings, numbers as int or
float, booleans, dates by the cell's number format, cached formula results). openpyxl
still opens the workbook (sheet names, shared strings, date formats). Merged cells, which
read-only mode ignores, are collected in the same pass.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from lxml import etree
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE = f"{_NS}row", f"{_NS}c", f"{_NS}v"
_INLINE, _TEXT, _RUN, _PHONETIC = f"{_NS}is", f"{_NS}t", f"{_NS}r", f"{_NS}rPh"
_MERGE = f"{_NS}mergeCell"


@dataclass
class SheetSource:
    """What the parse needs from the workbook openpyxl opened (read-only)."""

    archive_file: IO[bytes]
    path: str  # the worksheet part inside the zip, e.g. xl/worksheets/sheet2.xml
    shared_strings: list[Any]
    date_styles: set[int]
    epoch: Any
    merged: list[str] = field(default_factory=list)


def _column(ref: str) -> int:
    letters = ref.rstrip("0123456789")
    return int(column_index_from_string(letters))


def _inline(cell: Any) -> str | None:
    node = cell.find(_INLINE)
    if node is None:
        return None
    parts = [t.text or "" for t in node.iter(_TEXT)
             if t.getparent() is node or t.getparent().tag == _RUN]
    return "".join(parts)


def _value(cell: Any, src: SheetSource) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return _inline(cell)
    text = cell.findtext(_VALUE)
    if text is None or text == "":
        return None
    if kind == "n":
        number: int | float = float(text) if ("." in text or "E" in text or "e" in text) \
            else int(text)
        style = cell.get("s")
        if style and int(style) in src.date_styles:
            try:
                return from_excel(number, src.epoch)
            except (OverflowError, ValueError):
                return "#VALUE!"
        return number
    if kind == "s":
        return src.shared_strings[int(text)]
    if kind == "b":
        return bool(int(text))
    if kind == "d":
        return from_ISO8601(text)
    return text  # "str" (a formula's text result) and "e" (an error such as #N/A)


def iter_rows(src: SheetSource) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column number: value}) for every row element in the sheet, empty
    cells left out; merged ranges found on the way are appended to src.merged."""
    src.archive_file.seek(0)
    with zipfile.ZipFile(src.archive_file) as archive, archive.open(src.path) as xml:
        row_number = 0
        for _, element in etree.iterparse(xml, events=("end",), tag=(_ROW, _MERGE),
                                          huge_tree=True):
            if element.tag == _MERGE:
                src.merged.append(element.get("ref", ""))
                continue
            r = element.get("r")
            row_number = int(r) if r else row_number + 1
            values: dict[int, Any] = {}
            column = 0
            for cell in element.iterchildren(_CELL):
                ref = cell.get("r")
                column = _column(ref) if ref else column + 1
                value = _value(cell, src)
                if value is not None:
                    values[column] = value
            yield row_number, values
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
