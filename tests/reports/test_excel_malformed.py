"""Malformed files get a clear Chinese message and import nothing."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.styles import PatternFill
from sqlalchemy import func, select

from registry.models import Household, Member
from registry.store import Store
from reports.excel.importing import import_workbook
from reports.excel.reading import WorkbookError
from reports.excel.template import write_template
from tests.reports.excel_fill import family, fill, household, idn, member


def _households(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(Household)) or 0


def _refused(store: Store, path: Path, *fragments: str) -> str:
    with pytest.raises(WorkbookError) as caught:
        import_workbook(store, path)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    assert _households(store) == 0
    assert not path.with_name(path.stem + ".errors.xlsx").exists()
    return message


def _good(tmp_path: Path, name: str = "f.xlsx") -> Path:
    return fill(tmp_path / name, [household(1)], family(1, 0))


def test_not_a_workbook(station: Store, tmp_path: Path) -> None:
    text = tmp_path / "名单.xlsx"
    text.write_text("姓名,身份证号码\n张三,11010519491231002X\n", encoding="utf-8")
    _refused(station, text, "不是Excel工作簿", "改了扩展名")

    old = tmp_path / "名单.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    _refused(station, old, "旧版Excel(.xls)", "另存为")

    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    _refused(station, empty, "是空的")

    other_zip = tmp_path / "压缩包.xlsx"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("readme.txt", "不是表格")
    _refused(station, other_zip, "不是有效的Excel工作簿")

    _refused(station, tmp_path / "没有这个文件.xlsx", "找不到文件")


def test_blank_template_has_nothing_to_import(station: Store, tmp_path: Path) -> None:
    path = write_template(tmp_path / "空模板.xlsx")
    _refused(station, path, "没有可导入的数据")


def test_wrong_or_missing_sheet(station: Store, tmp_path: Path) -> None:
    path = _good(tmp_path)
    wb = load_workbook(path)
    wb["农户"].title = "Sheet1"
    wb.save(path)
    _refused(station, path, "没有名为“农户”的工作表", "Sheet1")


def test_missing_doubled_and_absent_header(station: Store, tmp_path: Path) -> None:
    path = _good(tmp_path)
    wb = load_workbook(path)
    ws = wb["家庭成员"]
    letter = next(c.column for c in ws[1] if c.value == "*民族")
    ws.delete_cols(letter)
    wb.save(path)
    _refused(station, path, "“家庭成员”缺少必填列:民族")

    path = _good(tmp_path, "g.xlsx")
    wb = load_workbook(path)
    wb["农户"].cell(1, 60, "贫困户属性")
    wb.save(path)
    _refused(station, path, "“贫困户属性”列出现了两次")

    path = _good(tmp_path, "h.xlsx")
    wb = load_workbook(path)
    wb["农户"].delete_rows(1)
    wb.save(path)
    _refused(station, path, "找不到标题行")


def test_title_rows_above_the_header_are_tolerated(station: Store, tmp_path: Path) -> None:
    path = _good(tmp_path)
    wb = load_workbook(path)
    for sheet in ("农户", "家庭成员"):
        wb[sheet].insert_rows(1, 2)
        wb[sheet]["A1"] = "竹核镇贫困户信息采集表"
    wb.save(path)
    report = import_workbook(station, path)
    assert report.ok and report.households == 1


def test_merged_cells(station: Store, tmp_path: Path) -> None:
    path = fill(tmp_path / "m.xlsx", [household(1)],
                family(1, 0) + [member(1, "吉克小", idn("51343120100601003"), "之子")])
    wb = load_workbook(path)
    wb["家庭成员"].merge_cells("A2:A4")
    wb.save(path)
    _refused(station, path, "“家庭成员”中有合并单元格(A2:A4)", "取消合并")


def test_id_numbers_stored_as_numbers_are_marked(station: Store, tmp_path: Path) -> None:
    people = family(1, 0)
    people[0]["身份证号码"] = float(people[0]["身份证号码"])  # what Excel keeps: 15 digits
    path = fill(tmp_path / "n.xlsx", [household(1, 银行账号=6228480402564890018)], people)
    report = import_workbook(station, path)
    assert not report.ok and _households(station) == 0
    got = {(p.sheet, p.row, p.header): p.message for p in report.problems}
    assert "存成了数字" in got[("家庭成员", 2, "身份证号码")]
    assert "银行账号被Excel存成了数字" in got[("农户", 2, "银行账号")]
    assert len(got) == 2


def test_dates_as_text(station: Store, tmp_path: Path) -> None:
    people = family(1, 0)  # the spouse's 出生日期 is the text "1972-2-2"
    people[0]["出生日期"] = "1970年1月1日"
    people += [member(1, "吉克二", idn("51343120100601003"), "之子", 出生日期="2010/6/1"),
               member(1, "吉克三", idn("51343120120301005"), "之子",
                      出生日期=datetime(2012, 3, 1)),
               member(1, "吉克四", idn("51343120140701007"), "之子", 出生日期="20140701")]
    path = fill(tmp_path / "d.xlsx", [household(1)], people)
    report = import_workbook(station, path)
    assert report.ok, report.problems
    assert report.members == 5

    people = family(2, 3)
    people[1]["出生日期"] = "2/2/1972"  # month/day/year or day/month/year: not guessed
    path = fill(tmp_path / "e.xlsx", [household(2)], people)
    report = import_workbook(station, path)
    assert [(p.row, p.header) for p in report.problems] == [(3, "出生日期")]
    assert "应为日期" in report.problems[0].message
    assert _households(station) == 1


def test_fifty_thousand_empty_rows_are_not_data(station: Store, tmp_path: Path) -> None:
    path = _good(tmp_path)
    wb = load_workbook(path)
    fill_ = PatternFill("solid", fgColor="FFFFCC")
    for sheet in ("农户", "家庭成员"):
        ws = wb[sheet]
        for r in range(4, 50_004):
            ws.cell(r, 1).fill = fill_
        ws.cell(50_004, 2, "   ")  # spaces only: still empty
        for r in range(4, 40):
            ws.cell(r, 1, r)  # 户编号 numbered in advance, nothing else: not data
    wb.save(path)
    report = import_workbook(station, path)
    assert report.ok and report.rows_checked == 1 and report.members == 2
    with station.session() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 2
