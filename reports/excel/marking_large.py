"""The marked copy of a large refused workbook, streamed instead of loaded whole.

openpyxl's normal mode (marking.py, which keeps every bit of the user's formatting) needs
about 30 s and 600 MB to load and save a 5,000-household file. Past LARGE_ROWS data rows
the copy is streamed instead: values are read in read-only mode and written in write-only
mode, row numbers unchanged, with the template's look (header style, widths, text format
for IDs, drop-downs) put back; the user's own colours and comments are not carried over.
Bad cells get the same red fill and comment, and “错误说明” comes first, as in marking.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter

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
from reports.excel.fastrows import FastSheet
from reports.excel.problems import CellProblem
from reports.excel.reading import WorkbookError, open_workbook
from reports.excel.saving import save_atomic
from reports.excel.sheets import CODES_SHEET, CodeSheet, add_dropdowns, header_style

LARGE_ROWS = 2000  # data rows in both sheets together


def write_streamed_copy(source: Path, target: Path, problems: Sequence[CellProblem],
                        errors_sheet: str, checker: str, bad_fill: Any) -> None:
    marks: dict[tuple[str, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for p in problems:
        messages = marks[(p.sheet, p.row)][p.column]
        if p.message not in messages:
            messages.append(p.message)

    wb_in, handle = open_workbook(source)
    out = Workbook(write_only=True)
    try:
        errors = out.create_sheet(errors_sheet)
        for letter, width in zip("ABCDEF", (10, 7, 5, 16, 22, 70), strict=True):
            errors.column_dimensions[letter].width = width
        errors.freeze_panes = "A2"
        errors.append([_bold(errors, h) for h in ("工作表", "行号", "列", "列标题", "填写的内容",
                                                  "问题")])
        for p in problems:
            errors.append([p.sheet, p.row, p.column, p.header,
                           None if p.value is None else str(p.value), p.message])
        codes = CodeSheet(out)
        for ws_in in wb_in.worksheets:
            if ws_in.title in (errors_sheet, CODES_SHEET):
                continue
            if ws_in.title in (HOUSEHOLDS_SHEET, MEMBERS_SHEET):
                _copy_data_sheet(out, ws_in, marks, codes, checker, bad_fill)
            else:
                ws = out.create_sheet(ws_in.title)
                for row in ws_in.iter_rows(values_only=True):
                    ws.append(list(row))
        codes.write()
        save_atomic(out, target)
    except OSError as e:
        raise WorkbookError(f"无法写出标记错误的副本“{target}”:{e.strerror or e}"
                            "(文件是否正在Excel中打开?)") from None
    finally:
        wb_in.close()
        handle.close()


def _copy_data_sheet(out: Workbook, ws_in: Any, marks: dict[tuple[str, int], Any],
                     codes: CodeSheet, checker: str, bad_fill: Any) -> None:
    sheet = ws_in.title
    known = _known_columns(sheet)
    rows = ws_in.iter_rows(values_only=True)
    buffered: list[tuple[Any, ...]] = []
    header: tuple[Any, ...] = ()
    for values in rows:  # rows up to the header (titles above it are kept)
        buffered.append(values)
        if any(normalize_header(v) == "户编号" for v in values):
            header = values
            break
    columns = [known.get(normalize_header(v)) for v in header]
    ws = FastSheet.create(out, sheet)
    for i, column in enumerate(columns, start=1):
        if column is not None:
            dim = ws.column_dimensions[get_column_letter(i)]
            dim.width = column.width
            if column.is_text:
                dim.number_format = "@"
    ws.freeze_panes = f"B{len(buffered) + 1}"
    for number, values in enumerate(buffered, start=1):
        if values is header:
            ws.append([header_style(WriteOnlyCell(ws, v)) for v in values])
        else:
            _append(ws, sheet, number, values, marks, checker, bad_fill)
    count = len(buffered)
    for count, values in enumerate(rows, start=len(buffered) + 1):
        _append(ws, sheet, count, values, marks, checker, bad_fill)
    present = [c if c is not None else Column(f"_{i}", "") for i, c in enumerate(columns)]
    add_dropdowns(ws, present, codes, max(count, 2), first_row=len(buffered) + 1)


def _append(ws: FastSheet, sheet: str, number: int, values: tuple[Any, ...],
            marks: dict[tuple[str, int], Any], checker: str, bad_fill: Any) -> None:
    row = [_plain(v) for v in values]
    bad = marks.get((sheet, number))
    if not bad:
        ws.append_plain(row)
        return
    cells: list[Any] = list(row)
    width = max(len(cells), *(_index(letter) + 1 for letter in bad))
    cells += [None] * (width - len(cells))
    for letter, messages in bad.items():
        cell = WriteOnlyCell(ws, cells[_index(letter)])
        cell.fill = bad_fill
        comment = Comment("\n".join(messages), checker)
        comment.width, comment.height = 260, 40 + 20 * len(messages)
        cell.comment = comment
        cells[_index(letter)] = cell
    ws.append(cells)


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
