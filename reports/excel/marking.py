"""The copy of a refused workbook handed back to the user: every listed bad cell filled red
with a comment saying what is wrong, and a first sheet “错误说明” listing those problems
(and how many more were found). Marks from an earlier check (the user re-imports the
corrected copy) are cleared first, so only today's problems show.

The copy holds what the import read and nothing that runs: formula cells keep the value
the import saw (the workbook is loaded with data_only), links to other workbooks are
dropped, and so are validations and conditional formats whose formulas do more than name
cells (formulas.py); values that look like formulas stay text.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from reports.excel import marking_large
from reports.excel.columns import HOUSEHOLDS_SHEET, MEMBERS_SHEET
from reports.excel.errors import WorkbookError
from reports.excel.formulas import drop_live_rules, mark_text, needs_text_cell, text_row
from reports.excel.problems import CellProblem
from reports.excel.saving import save_atomic

ERRORS_SHEET = "错误说明"
CHECKER = "导入检查"  # the comments' author: how our own marks are recognised
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
_NO_FILL = PatternFill(fill_type=None)
_SUFFIX = ".errors"
# Loading a workbook whole costs ~50 times its sheets' XML in memory: past this the copy
# is streamed (a sheet of 50,000 blank formatted rows is small in rows, not in bytes).
_LOADED_SHEETS_MAX_BYTES = 8 * 2**20


def default_marked_path(path: Path) -> Path:
    """F.xlsx → F.errors.xlsx (and F.errors.xlsx stays F.errors.xlsx)."""
    stem = path.stem.removesuffix(_SUFFIX)
    return path.with_name(f"{stem}{_SUFFIX}.xlsx")


def not_listed_line(not_listed: int) -> str:
    return (f"另有 {not_listed} 处问题未列出,也没有在表中标出:请先改正以上问题,"
            "重新导入时会再列出")


def write_marked_copy(source: Path, target: Path, problems: Sequence[CellProblem],
                      data_rows: int = 0, not_listed: int = 0) -> None:
    """Marks the bad cells in a copy of `source`; past LARGE_ROWS data rows (or sheets
    too large to load) the copy is streamed (marking_large.py) rather than loaded whole."""
    if data_rows > marking_large.LARGE_ROWS or _sheet_bytes(source) > _LOADED_SHEETS_MAX_BYTES:
        marking_large.write_streamed_copy(source, target, problems, ERRORS_SHEET, CHECKER,
                                          BAD_FILL, not_listed_line(not_listed)
                                          if not_listed else "")
        return
    try:
        wb = load_workbook(source, data_only=True, keep_links=False)
    except Exception as e:  # the file was readable a moment ago; say what happened
        raise WorkbookError(f"无法重新打开“{source.name}”来标出错误:{e}") from None
    for ws in wb.worksheets:
        _clear_old_marks_keep_text(ws)
        drop_live_rules(ws)
    if ERRORS_SHEET in wb.sheetnames:
        del wb[ERRORS_SHEET]

    by_cell: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p in problems:
        messages = by_cell[(p.sheet, f"{p.column}{p.row}")]
        if p.message not in messages:
            messages.append(p.message)
    for (sheet, ref), messages in by_cell.items():
        cell = wb[sheet][ref]
        cell.fill = BAD_FILL
        comment = Comment("\n".join(messages), CHECKER)
        comment.width, comment.height = 260, 40 + 20 * len(messages)
        cell.comment = comment

    ws = wb.create_sheet(ERRORS_SHEET, 0)
    ws.append(["工作表", "行号", "列", "列标题", "填写的内容", "问题"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for p in problems:
        ws.append(text_row(ws, [p.sheet, p.row, p.column, p.header,
                                None if p.value is None else str(p.value), p.message]))
    if not_listed:
        ws.append([not_listed_line(not_listed)])
    for letter, width in zip("ABCDEF", (10, 7, 5, 16, 22, 70), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    try:
        save_atomic(wb, target)
    except OSError as e:
        raise WorkbookError(f"无法写出标记错误的副本“{target}”:{e.strerror or e}"
                            "(文件是否正在Excel中打开?)") from None


def _sheet_bytes(source: Path) -> int:
    with zipfile.ZipFile(source) as archive:
        return sum(i.file_size for i in archive.infolist()
                   if i.filename.startswith("xl/worksheets/"))


def _clear_old_marks_keep_text(ws: Any) -> None:
    """Clears our earlier marks on the data sheets and gives text that looks like a
    formula the quotePrefix it would get if typed with an apostrophe."""
    ours = ws.title in (HOUSEHOLDS_SHEET, MEMBERS_SHEET)
    for row in ws.iter_rows():
        for cell in row:
            if ours and cell.comment is not None and cell.comment.author == CHECKER:
                cell.comment = None
                cell.fill = _NO_FILL
            if cell.data_type == "s" and needs_text_cell(cell.value):
                mark_text(cell)
