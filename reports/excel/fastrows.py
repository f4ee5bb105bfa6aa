"""Streaming plain rows into a write-only sheet several times faster than `ws.append`.

openpyxl's write-only `append` makes a cell object per value, type-checks it and writes it
through lxml element by element: about 8 µs a cell, 20 s for the 2.3 million cells of a
20,000-household township. `FastSheet.append_plain` builds each row as one XML string
and lets lxml parse it once (about 1 µs a cell), writing the same markup openpyxl writes
(inline strings, numbers, booleans, dates as serial numbers with a date format). Every
str is an inline string, never a formula; one that starts like a formula also gets the
quotePrefix style (see formulas.py). The header row, with its styles and comments, still
goes through `append`.

This hooks into openpyxl's write-only internals (`_write_rows`, `_values_to_row`,
`_writer`), which is why the dependency is pinned to openpyxl 3.1.x; the Excel tests read
every exported workbook back, so a change there shows at once.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from reports.excel.formulas import SUSPECT_FIRST, starts_like_formula


class _Row:
    """A row sent to the writer: plain values (fast) or openpyxl cells, at a row number
    (0: the next one)."""

    __slots__ = ("values", "plain", "number")

    def __init__(self, values: Sequence[Any], plain: bool, number: int) -> None:
        self.values, self.plain, self.number = values, plain, number


class FastSheet(WriteOnlyWorksheet):  # type: ignore[misc]
    def __init__(self, parent: Workbook, title: str) -> None:
        super().__init__(parent, title)
        self._letters: list[str] = []
        probe = WriteOnlyCell(self, date(2000, 1, 1))  # registers the date format
        self._date_style = probe.style_id
        probe = WriteOnlyCell(self, "")
        probe.quotePrefix = True
        self._text_style = f' s="{probe.style_id}"'

    @classmethod
    def create(cls, wb: Workbook, title: str) -> FastSheet:
        ws = cls(wb, title)
        wb._add_sheet(ws)
        return ws

    def expect(self, rows: int, columns: int) -> None:
        """Declares the sheet's size before the first row, so it is written as the
        <dimension> element: readers then know the size without parsing every row (and
        openpyxl's read-only mode otherwise walks the whole sheet just to look for it)."""
        ref = f"A1:{get_column_letter(max(columns, 1))}{max(rows, 1)}"
        self.calculate_dimension = lambda: ref

    def append_plain(self, values: Sequence[Any], row: int = 0) -> None:
        """One row of str, int, float, bool, date or None (None leaves the cell empty), at
        sheet row `row` (rows between stay empty; 0 or a row already passed: the next)."""
        self._send(_Row(values, True, row))

    def append_at(self, row: int, cells: Sequence[Any]) -> None:
        """`append` (styled cells, comments) at sheet row `row`, as append_plain."""
        self._send(_Row(cells, False, row))

    def _send(self, row: _Row) -> None:
        self._get_writer()
        rows: Generator[None, Any, None] | None = self._rows  # type: ignore[has-type]
        if rows is None:
            rows = self._rows = self._write_rows()
            next(rows)
        rows.send(row)

    def _write_rows(self) -> Generator[None, Any, None]:
        """openpyxl's loop over appended rows, with a branch for plain rows."""
        xf = self._writer.xf.send(True)
        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    row = yield
                    if not isinstance(row, _Row):
                        row = _Row(row, False, 0)
                    row_idx = max(row_idx, row.number)  # rows only go down the sheet
                    if row.plain:
                        xf.write(self._row_element(row.values, row_idx))
                    else:
                        cells = self._values_to_row(row.values, row_idx)
                        self._writer.write_row(xf, cells, row_idx)
                    row_idx += 1
            except GeneratorExit:
                pass
        self._writer.xf.send(None)

    def _row_element(self, values: Sequence[Any], r: int) -> Any:
        while len(self._letters) < len(values):
            self._letters.append(get_column_letter(len(self._letters) + 1))
        parts = [f'<row r="{r}">']
        for letter, v in zip(self._letters, values, strict=False):
            if v is None:
                continue
            kind = type(v)
            if kind is str:
                if not v:
                    continue
                if ILLEGAL_CHARACTERS_RE.search(v):
                    v = ILLEGAL_CHARACTERS_RE.sub("", v)
                space = ' xml:space="preserve"' if v != v.strip() else ""
                style = self._text_style if v[:1] in SUSPECT_FIRST and starts_like_formula(v) \
                    else ""
                text = escape(v)
                if "\r" in text:  # a parser turns a bare CR into LF
                    text = text.replace("\r", "&#13;")
                parts.append(f'<c r="{letter}{r}"{style} t="inlineStr"><is><t{space}>'
                             f'{text}</t></is></c>')
            elif kind is bool:
                parts.append(f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>')
            elif kind is int:
                parts.append(f'<c r="{letter}{r}" t="n"><v>{v}</v></c>')
            elif kind is float:
                parts.append(f'<c r="{letter}{r}" t="n"><v>{v!r}</v></c>')
            elif isinstance(v, date | datetime):
                parts.append(f'<c r="{letter}{r}" s="{self._date_style}" t="n">'
                             f'<v>{to_excel(v)}</v></c>')
            else:
                raise TypeError(f"append_plain: unsupported value {v!r}")
        parts.append("</row>")
        return etree.fromstring("".join(parts))
