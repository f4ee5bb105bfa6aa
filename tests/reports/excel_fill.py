"""Filling the import template the way a clerk does in Excel: open it, type rows under
the headers (by header label), save. Used by the tests/reports/test_excel_*.py modules."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from forms.idnumber import check_digit
from reports.excel.columns import normalize_header
from reports.excel.template import write_template

VILLAGE = "513431102200"  # 尼日村 of the 竹核镇 test station


def idn(first17: str) -> str:
    return first17 + check_digit(first17)


def household(no: int, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "户编号": no, "行政村": "尼日村", "村民小组": 2, "联系电话": "13812345678",
        "识别标准": "国家标准", "贫困户属性": "低保贫困户", "识别阶段": "农户申请",
        "脱贫状态": "未脱贫", "主要致贫原因": "因病", "其他致贫原因": "缺技术,缺资金",
        "工资性收入": 3000, "低保金": 1200, "生产经营性支出": 200, "耕地面积": 2.5,
        "是否危房": "C级", "有无卫生厕所": "否",
    }
    row.update(changes)
    return row


def member(no: int, name: str, id_number: str, relation: str = "户主", **changes: Any
           ) -> dict[str, Any]:
    row: dict[str, Any] = {"户编号": no, "姓名": name, "身份证号码": id_number,
                           "与户主关系": relation, "民族": "彝族", "健康状况": "健康"}
    row.update(changes)
    return row


def family(no: int, seq: int) -> list[dict[str, Any]]:
    """A head and a spouse with valid, distinct ID numbers (seq 0..99)."""
    return [
        member(no, f"吉克{_given(seq)}", idn(f"51343119700101{seq * 2 + 1:03d}")),
        member(no, f"阿苏{_given(seq + 1)}", idn(f"51343119720202{seq * 2:03d}"), "配偶",
               文化程度="小学", 出生日期="1972-2-2"),
    ]


def _given(n: int) -> str:
    return "阿甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"[n % 23] + "呷"


def fill(path: Path, households: Sequence[dict[str, Any]],
         members: Sequence[dict[str, Any]], template: Path | None = None) -> Path:
    """Writes the template, then the rows under its headers, as a user would."""
    template = template or write_template(path.with_name(path.stem + ".template.xlsx"))
    wb = load_workbook(template)
    for sheet, rows in (("农户", households), ("家庭成员", members)):
        ws = wb[sheet]
        columns = {normalize_header(c.value): c.column for c in ws[1]}
        for r, values in enumerate(rows, start=2):
            for label, value in values.items():
                ws.cell(r, columns[normalize_header(label)], value)
    wb.save(path)
    return path
