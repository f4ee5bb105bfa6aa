"""Filling the import template the way a clerk does in Excel: open it, type rows under
the headers (by header label), save. Used by the tests/reports/test_excel_*.py modules."""

from __future__ import annotations

import html
import re
import zipfile
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
        "识别标准": "国家标准", "贫困户属性": "低保贫困户",
        "主要致贫原因": "因病", "其他致贫原因": "缺技术,缺资金",
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


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_INLINE = re.compile(
    r'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"([^>]*)><is><t[^>]*>(.*?)</t></is></c>', re.S)


def as_excel_saves_it(path: Path) -> Path:
    """Rewrites an openpyxl file the way Excel and WPS store text: every string in the
    shared-strings table (openpyxl only ever writes inline strings)."""
    strings: dict[str, int] = {}

    def shared(match: re.Match[str]) -> str:
        ref, before, after, text = match.groups()
        index = strings.setdefault(html.unescape(text), len(strings))
        return f'<c r="{ref}"{before} t="s"{after}><v>{index}</v></c>'

    out = path.with_name(path.stem + ".shared.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = _INLINE.sub(shared, data.decode("utf-8")).encode("utf-8")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocument'
                                    b'.spreadsheetml.sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSST" '
                                    b'Type="http://schemas.openxmlformats.org/officeDocument/'
                                    b'2006/relationships/sharedStrings" Target="sharedStrings.xml"'
                                    b'/></Relationships>')
            dst.writestr(item, data)
        items = "".join(f"<si><t xml:space=\"preserve\">{html.escape(s, quote=False)}</t></si>"
                        for s in strings)
        dst.writestr("xl/sharedStrings.xml",
                     f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_NS}" '
                     f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')
    assert strings, "no inline strings found to share"
    return out
