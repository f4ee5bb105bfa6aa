"""The import template, generated from the forms/ definitions: the same two sheets as an
export (“农户”, “家庭成员”, linked by 户编号), labels as headers (“*” and red for required),
hints as header comments, drop-downs for code lists, the ID-number column formatted as
text, and a “填写说明” sheet in Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from registry.models import Region
from registry.store import Store
from reports.excel.columns import (
    HOUSEHOLDS_SHEET,
    MEMBERS_SHEET,
    template_household_columns,
    template_member_columns,
)
from reports.excel.formulas import text_row
from reports.excel.saving import save_atomic
from reports.excel.sheets import CodeSheet, add_dropdowns, start_sheet

INSTRUCTIONS_SHEET = "填写说明"
# Drop-downs cover this many rows; typing below them still imports, only without a list.
TEMPLATE_HOUSEHOLD_ROWS = 5000
TEMPLATE_MEMBER_ROWS = 20000

INSTRUCTIONS = (
    "贫困户信息导入模板 填写说明",
    "",
    f"1. 本模板有两张表:“{HOUSEHOLDS_SHEET}”每户填一行,“{MEMBERS_SHEET}”每位家庭成员填一行。",
    "2. 两张表用“户编号”对应:同一户在两张表中填写相同的户编号(如 1、2、3),户编号在"
    f"“{HOUSEHOLDS_SHEET}”表中不能重复。",
    "3. 标题前带“*”(红色)的列必须填写;把鼠标移到标题上可看到填写提示。",
    "4. 有下拉箭头的列请从下拉列表中选择;“其他致贫原因”“帮扶需求”可填多项,用逗号分隔。",
    "5. “行政村”填写本乡镇的村名(如 尼日村)或12位统计用区划代码。",
    "6. 身份证号码列已设为文本格式,请直接输入18位号码;不要把该列改为数字格式,"
    "否则Excel会把末几位变成0,导入时会被拒绝。",
    "7. 性别和出生日期可以不填(由身份证号码得出);如填写,必须与身份证号码一致。"
    "日期请写成 1980-05-20、1980/5/20、1980.5.20 或 1980年5月20日。",
    "8. 每户必须有且只有一名“与户主关系”为“户主”的成员。",
    "9. 不要合并单元格,不要改动标题行,不要改工作表名称。",
    "10. 导入时先检查全部行:只要有一行有错,就一户也不导入,并生成一份标出错误单元格的"
    "副本(文件名以 .errors.xlsx 结尾),改正后重新导入即可。",
    "11. 身份证号码已在本站登记的成员不会被重复导入,会作为错误列出。",
    "",
    f"字段依据:{HOUSEHOLD_FORM.label}、{MEMBER_FORM.label}。",
)


def station_villages(store: Store) -> list[str]:
    """The station's village names, for the 行政村 drop-down of its template."""
    with store.session() as s:
        return list(s.execute(
            select(Region.name).where(Region.level == "village", Region.deleted.is_(False))
            .order_by(Region.code)).scalars())


def write_template(path: Path, villages: Sequence[str] = ()) -> Path:
    """The blank template; with `villages` (see station_villages) the 行政村 column offers
    them in a drop-down (a 12-digit code typed instead is still accepted)."""
    wb = Workbook(write_only=True)
    notes = wb.create_sheet(INSTRUCTIONS_SHEET)
    notes.column_dimensions["A"].width = 110
    h_columns, m_columns = template_household_columns(), template_member_columns()
    h_ws = start_sheet(wb, HOUSEHOLDS_SHEET, h_columns)
    m_ws = start_sheet(wb, MEMBERS_SHEET, m_columns)
    codes = CodeSheet(wb)
    add_dropdowns(h_ws, h_columns, codes, TEMPLATE_HOUSEHOLD_ROWS + 1)
    add_dropdowns(m_ws, m_columns, codes, TEMPLATE_MEMBER_ROWS + 1)
    if villages:
        letter = get_column_letter(next(i for i, c in enumerate(h_columns, start=1)
                                        if c.key == "village_code"))
        dv = DataValidation(type="list", formula1=codes.range_for(tuple(villages)),
                            allow_blank=True, showErrorMessage=True, errorStyle="warning",
                            errorTitle="请核对行政村",
                            error="请从下拉列表中选择本乡镇的行政村,或填写12位区划代码")
        dv.sqref = f"{letter}2:{letter}{TEMPLATE_HOUSEHOLD_ROWS + 1}"
        h_ws.data_validations.append(dv)
    codes.write()
    title = WriteOnlyCell(notes, INSTRUCTIONS[0])
    title.font = Font(bold=True, size=14)
    notes.append([title])
    for line in INSTRUCTIONS[1:]:
        notes.append(text_row(notes, [line]))
    save_atomic(wb, path)
    return Path(path)
