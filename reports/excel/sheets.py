"""Writing a sheet in openpyxl's write-only mode: header cells (bold, hints as comments),
column widths, the ID-number column as text, the frozen header, and drop-downs for coded
columns that point at a hidden sheet of labels (an inline list is limited to 255
characters, which 民族 alone exceeds).

Write-only mode needs things in this order: widths and column styles before the first
row, data validations may be added after the rows (they are written at the sheet's end).
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from forms.fields import FieldType
from reports.excel.columns import Column
from reports.excel.fastrows import FastSheet
from reports.excel.formulas import mark_text, needs_text_cell, text_row

CODES_SHEET = "代码表"
AUTHOR = "扶贫系统"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="C00000")
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


class CodeSheet:
    """The hidden sheet holding one column of labels per distinct choice list."""

    def __init__(self, wb: Workbook) -> None:
        self.ws: WriteOnlyWorksheet = wb.create_sheet(CODES_SHEET)
        self.ws.sheet_state = "hidden"
        self._lists: dict[tuple[str, ...], str] = {}

    def range_for(self, choices: tuple[str, ...]) -> str:
        if choices not in self._lists:
            col = get_column_letter(len(self._lists) + 1)
            self._lists[choices] = f"{quote_sheetname(CODES_SHEET)}!${col}$1:${col}${len(choices)}"
        return self._lists[choices]

    def write(self) -> None:
        lists = list(self._lists)
        longest = max((len(c) for c in lists), default=0)
        for i in range(longest):
            self.ws.append(text_row(self.ws, [c[i] if i < len(c) else None for c in lists]))


def start_sheet(wb: Workbook, title: str, columns: Sequence[Column],
                comments: bool = True, rows: int | None = None) -> FastSheet:
    """Creates the sheet with widths, text format for IDs, frozen header, header row;
    data rows then go in with `append_plain`. `rows` (data rows to come), when known,
    is written as the sheet's dimension."""
    ws = FastSheet.create(wb, title)
    if rows is not None:
        ws.expect(rows + 1, len(columns))
    for i, column in enumerate(columns, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = column.width
        if column.is_text:
            # “@” keeps Excel from turning a typed 18-digit number into 5.13431E+17.
            dim.number_format = "@"
    ws.freeze_panes = "B2"
    ws.append([_header_cell(ws, c, comments) for c in columns])
    return ws


def header_style(cell: WriteOnlyCell) -> WriteOnlyCell:
    """Bold on light blue; red for a required column (“*”). A header copied from a
    user's file stays text (see formulas.py)."""
    if needs_text_cell(cell.value):
        mark_text(cell)
    required = isinstance(cell.value, str) and cell.value.startswith("*")
    cell.font = _REQUIRED_FONT if required else _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = _WRAP
    return cell


def _header_cell(ws: WriteOnlyWorksheet, column: Column, with_comment: bool) -> WriteOnlyCell:
    cell = header_style(WriteOnlyCell(ws, column.header))
    if with_comment:
        text = header_hint(column)
        if text:
            comment = Comment(text, AUTHOR)
            comment.width, comment.height = 220, 90
            cell.comment = comment
    return cell


def header_hint(column: Column) -> str:
    """What the header's comment says: required, unit, hint, how to fill choices."""
    f = column.field
    parts: list[str] = []
    if column.required:
        parts.append("必填。")
    if f is None:
        if column.key == "household_no":
            parts.append("同一户在“农户”表和“家庭成员”表中填写相同的户编号(如 1、2、3)。")
        return "".join(parts)
    if f.hint:
        parts.append(f.hint + "。")
    if f.unit:
        parts.append(f"单位:{f.unit}。")
    if f.type is FieldType.CODES:
        assert f.codelist is not None
        parts.append("可填多项,用逗号分隔。可选:"
                     + "、".join(c.label for c in f.codelist.choices) + "。")
    elif column.choices:
        parts.append("请从下拉列表中选择。")
    if f.type is FieldType.ID_NUMBER:
        parts.append("本列为文本格式,请勿改成数字格式,否则Excel会把末几位变成0。")
    return "".join(parts)


def add_dropdowns(ws: WriteOnlyWorksheet, columns: Sequence[Column], codes: CodeSheet,
                  last_row: int, first_row: int = 2) -> None:
    """A list validation on every coded column, rows first_row..last_row."""
    if last_row < first_row:
        return
    for i, column in enumerate(columns, start=1):
        if not column.choices:
            continue
        label = column.field.label if column.field else column.header
        dv = DataValidation(type="list", formula1=codes.range_for(column.choices),
                            allow_blank=True, showErrorMessage=True, errorStyle="stop",
                            errorTitle="输入有误", error=f"请从下拉列表中选择{label}")
        letter = get_column_letter(i)
        dv.sqref = f"{letter}{first_row}:{letter}{last_row}"
        ws.data_validations.append(dv)


def discard(wb: Workbook) -> None:
    """Ends an abandoned write-only workbook (a cancelled export): closes each sheet's
    stream and removes its temporary file, which only a save would otherwise do."""
    for ws in wb.worksheets:
        if isinstance(ws, WriteOnlyWorksheet) and not ws.closed:
            ws.close()
        writer = getattr(ws, "_writer", None)
        if writer is not None:
            writer.cleanup()
