"""The marked copy of a large refused workbook, streamed instead of loaded whole.

openpyxl's normal mode (marking.py, which keeps every bit of the user's formatting) needs
about 30 s and 600 MB to load and save a 5,000-household file. Past LARGE_ROWS data rows
the copy is streamed instead: values are read by sheetxml.py and written in write-only
mode at their own row numbers, with the template's look (header style, widths, text format
for IDs, drop-downs) put back; the user's own colours and comments are not carried over,
nor formulas (their values, as the import read them, are), and values that look like
formulas stay text. Bad cells get the same red fill and comment, and “错误说明” comes
first, as in marking.py. Sheets other than the two data sheets are copied up to
OTHER_SHEET_ROWS rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter

from reports.excel.book import open_book
from reports.excel.columns import (
    HOUSEHOLDS_SHEET,
    MEMBERS_SHEET,
    Column,
    export_household_columns,
    export_member_columns,
    normalize_header,
    template_household_columns,
    template_member_columns,
)
from reports.excel.errors import WorkbookError
from reports.excel.fastrows import FastSheet
from reports.excel.formulas import as_text, text_row
from reports.excel.problems import CellProblem
from reports.excel.saving import save_atomic
from reports.excel.sheets import CODES_SHEET, CodeSheet, add_dropdowns, discard, header_style
from reports.excel.sheetxml import SheetSource, iter_rows

LARGE_ROWS = 2000  # data rows in both sheets together
OTHER_SHEET_ROWS = 10_000
_HEADER_SEARCH_ROWS = 10
_EXCEL_COLUMNS = 16_384  # XFD: cells right of it are not copied

Marks = dict[tuple[str, int], dict[str, list[str]]]


def write_streamed_copy(source: Path, target: Path, problems: Sequence[CellProblem],
                        errors_sheet: str, checker: str, bad_fill: Any,
                        footnote: str = "") -> None:
    marks: Marks = defaultdict(lambda: defaultdict(list))
    for p in problems:
        messages = marks[(p.sheet, p.row)][p.column]
        if p.message not in messages:
            messages.append(p.message)

    out = Workbook(write_only=True)
    with open_book(source) as book:
        try:
            errors = out.create_sheet(errors_sheet)
            for letter, width in zip("ABCDEF", (10, 7, 5, 16, 22, 70), strict=True):
                errors.column_dimensions[letter].width = width
            errors.freeze_panes = "A2"
            errors.append([_bold(errors, h) for h in ("工作表", "行号", "列", "列标题",
                                                      "填写的内容", "问题")])
            for p in problems:
                errors.append(text_row(errors, [p.sheet, p.row, p.column, p.header,
                                                None if p.value is None else str(p.value),
                                                p.message]))
            if footnote:
                errors.append([footnote])
            codes = CodeSheet(out)
            for name in book.sheetnames:
                if name in (errors_sheet, CODES_SHEET):
                    continue
                if name in (HOUSEHOLDS_SHEET, MEMBERS_SHEET):
                    _copy_data_sheet(out, book.source(name), marks, codes, checker, bad_fill)
                else:
                    _copy_other_sheet(out, book.source(name))
            codes.write()
            save_atomic(out, target)
        except OSError as e:
            discard(out)
            raise WorkbookError(f"无法写出标记错误的副本“{target}”:{e.strerror or e}"
                                "(文件是否正在Excel中打开?)") from None
        except BaseException:
            discard(out)
            raise


def _copy_data_sheet(out: Workbook, src: SheetSource, marks: Marks, codes: CodeSheet,
                     checker: str, bad_fill: Any) -> None:
    sheet = src.sheet
    known = _known_columns(sheet)
    rows = iter_rows(src, max_column=_EXCEL_COLUMNS)
    buffered: list[tuple[int, dict[int, Any]]] = []
    header: dict[int, Any] = {}
    for number, cells in rows:  # rows up to the header (titles above it are kept)
        buffered.append((number, cells))
        if any(normalize_header(v) == "户编号" for v in cells.values()):
            header = cells
            break
        if number >= _HEADER_SEARCH_ROWS:
            break
    header_row = buffered[-1][0] if header else 0
    columns = [known.get(normalize_header(header.get(i)))
               for i in range(1, max(header, default=0) + 1)]
    ws = FastSheet.create(out, sheet)
    for i, column in enumerate(columns, start=1):
        if column is not None:
            dim = ws.column_dimensions[get_column_letter(i)]
            dim.width = column.width
            if column.is_text:
                dim.number_format = "@"
    ws.freeze_panes = f"B{header_row + 1}"
    last = 0
    for number, cells in _chain(buffered, rows):
        if not cells:  # a blank (perhaps formatted) row: the copy keeps no formatting
            continue
        if number == header_row:
            ws.append_at(number, [header_style(WriteOnlyCell(ws, v)) for v in _row(cells)])
        else:
            _append(ws, sheet, number, cells, marks, checker, bad_fill)
        last = number
    present = [c if c is not None else Column(f"_{i}", "") for i, c in enumerate(columns)]
    add_dropdowns(ws, present, codes, max(last, 2), first_row=header_row + 1)


def _copy_other_sheet(out: Workbook, src: SheetSource) -> None:
    """Another sheet of the user's (e.g. 填写说明), its values only, up to
    OTHER_SHEET_ROWS rows; one that cannot be read is noted rather than failing the copy."""
    ws = FastSheet.create(out, src.sheet)
    copied = 0
    try:
        for number, cells in iter_rows(src, max_column=_EXCEL_COLUMNS):
            if not cells:
                continue
            if copied == OTHER_SHEET_ROWS:
                ws.append_plain(["(本表其余内容未复制到此副本,请查看原文件)"], number)
                return
            ws.append_plain([_plain(v) for v in _row(cells)], number)
            copied += 1
    except WorkbookError:
        ws.append_plain(["(本表内容无法读取,未复制到此副本,请查看原文件)"])


def _chain(buffered: list[tuple[int, dict[int, Any]]],
           rows: Iterator[tuple[int, dict[int, Any]]]) -> Iterator[tuple[int, dict[int, Any]]]:
    yield from buffered
    yield from rows


def _row(cells: dict[int, Any]) -> list[Any]:
    return [cells.get(i) for i in range(1, max(cells, default=0) + 1)]


def _append(ws: FastSheet, sheet: str, number: int, cells: dict[int, Any], marks: Marks,
            checker: str, bad_fill: Any) -> None:
    row = [_plain(v) for v in _row(cells)]
    bad = marks.get((sheet, number))
    if not bad:
        ws.append_plain(row, number)
        return
    values: list[Any] = [as_text(ws, v) for v in row]
    width = max(len(values), *(_index(letter) + 1 for letter in bad))
    values += [None] * (width - len(values))
    for letter, messages in bad.items():
        value = values[_index(letter)]
        cell = value if isinstance(value, Cell) else WriteOnlyCell(ws, value)
        cell.fill = bad_fill
        comment = Comment("\n".join(messages), checker)
        comment.width, comment.height = 260, 40 + 20 * len(messages)
        cell.comment = comment
        values[_index(letter)] = cell
    ws.append_at(number, values)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | date | datetime):
        return value
    return str(value)


def _known_columns(sheet: str) -> dict[str, Column]:
    if sheet == HOUSEHOLDS_SHEET:
        columns = template_household_columns() + export_household_columns()
    else:
        columns = template_member_columns() + export_member_columns()
    known: dict[str, Column] = {}
    for c in columns:
        for alias in c.aliases():
            known.setdefault(alias, c)
    return known


def _index(letter: str) -> int:
    return int(column_index_from_string(letter)) - 1


def _bold(ws: Any, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, text)
    cell.font = Font(bold=True)
    return cell
