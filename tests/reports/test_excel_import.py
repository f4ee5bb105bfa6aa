"""Importing filled templates: all or nothing, bad cells marked in a copy, duplicates
reported."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.audit import verify_chain
from registry.models import AuditEntry, Household, Member, ProcedureEvent
from registry.progress import Cancelled
from registry.store import Store
from reports.excel import marking_large
from reports.excel.importing import STAGE_IGNORED, import_workbook
from reports.excel.marking import BAD_FILL, CHECKER, ERRORS_SHEET
from reports.excel.template import write_template
from tests.reports.excel_fill import (
    VILLAGE,
    as_excel_saves_it,
    family,
    fill,
    household,
    idn,
    member,
)


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as s:
        return (s.scalar(select(func.count()).select_from(Household)) or 0,
                s.scalar(select(func.count()).select_from(Member)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _marked_cells(path: Path) -> dict[tuple[str, str], str]:
    """(sheet, cell) → comment of every cell our checker marked."""
    wb = load_workbook(path)
    marked = {}
    for sheet in ("农户", "家庭成员"):
        for row in wb[sheet].iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == CHECKER:
                    assert cell.fill.fgColor.rgb == BAD_FILL.fgColor.rgb
                    marked[(sheet, cell.coordinate)] = cell.comment.text
                elif cell.row > 1:
                    assert cell.fill.fill_type is None, cell.coordinate
    return marked


def test_good_rows_import_in_one_go(station: Store, tmp_path: Path) -> None:
    # 脱贫状态 is no longer a template column: only the exit steps change it
    households = [household(1), household(2, 行政村=VILLAGE, 村民小组=5, 贫困户属性="五保贫困户")]
    people = family(1, 0) + family(2, 1) + [
        member(2, "吉克小明", idn("51343120100601003"), "之子", 出生日期="2010年6月1日",
               在校生状况="小学", 性别="男")]
    path = fill(tmp_path / "填好的.xlsx", households, people)

    report = import_workbook(station, path)

    assert report.ok, report.problems
    assert (report.households, report.members, report.rows_checked) == (2, 5, 2)
    assert report.marked_copy is None and not (tmp_path / "填好的.errors.xlsx").exists()
    with station.session() as s:
        rows = {h.group_no: h for h in s.execute(select(Household)).scalars()}
        first, second = rows[2], rows[5]
        assert first.village_code == VILLAGE and first.attribute == "2"
        assert first.other_causes == "07,09" and first.dangerous_housing == "C"
        assert first.head_name == "吉克阿呷" and first.size == 2
        assert first.net_income == Decimal("4000.00")
        assert first.net_income_per_capita == Decimal("2000.00")
        assert first.sanitary_toilet is False and first.phone == "13812345678"
        assert second.poverty_status == "1" and second.exit_year is None and second.size == 3
        child = s.execute(select(Member).where(Member.name == "吉克小明")).scalar_one()
        assert child.relation == "03" and child.school_status == "3" and child.sex == "1"
        assert child.search_text.startswith("吉克小明|jikexiaoming|jkxm|")
        entries = s.execute(select(AuditEntry).where(AuditEntry.action == "create")).scalars()
        assert sorted(e.entity_id for e in entries) == sorted(h.id for h in rows.values())
        assert all(e.reason == "Excel导入:填好的.xlsx" for e in
                   s.execute(select(AuditEntry).where(AuditEntry.action == "create")).scalars())
        assert verify_chain(s) == []
        # each imported household is an application: stage 10, its 农户申请 recorded
        # under the importing user and role
        assert {h.stage for h in rows.values()} == {"10"}
        events = s.execute(select(ProcedureEvent)).scalars().all()
        assert sorted(e.household_id for e in events) == sorted(h.id for h in rows.values())
        assert {(e.step, e.seq, e.actor, e.role, e.stage) for e in events} == {
            ("apply", 1, "admin", "admin", "10")}


def test_an_old_template_with_a_stage_column_imports_and_says_it_was_ignored(
        station: Store, tmp_path: Path) -> None:
    """Templates from before the stage was derived had a *识别阶段 column: the file is
    accepted, the column ignored, and the report says every household starts at 农户申请."""
    template = write_template(tmp_path / "旧模板.xlsx")
    wb = load_workbook(template)
    ws = wb["农户"]
    column = ws.max_column + 1
    ws.cell(1, column, "*识别阶段")
    wb.save(template)
    path = fill(tmp_path / "旧模板填好.xlsx",
                [household(1) | {"识别阶段": "已建档立卡"}, household(2) | {"识别阶段": "公告"}],
                family(1, 0) + family(2, 1), template=template)

    report = import_workbook(station, path)

    assert report.ok and report.households == 2
    assert report.ignored_columns["农户"] == []  # not an "unknown column" of the file
    assert report.notes == [STAGE_IGNORED]
    assert "“识别阶段”列已忽略" in report.summary() and "农户申请" in report.summary()
    assert report.as_json()["notes"] == [STAGE_IGNORED]
    with station.session() as s:
        assert set(s.scalars(select(Household.stage))) == {"10"}
    # a file without the column says nothing about it
    plain = fill(tmp_path / "新模板.xlsx", [household(3)], family(3, 5))
    again = import_workbook(station, plain)
    assert again.ok and again.notes == [] and "识别阶段" not in again.summary()


def test_a_county_store_refuses_household_import(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main
    from registry.errors import NotOwner
    from tests.conftest import COUNTY, PASSWORD

    county, _ = Store.create(tmp_path / "county.db", kind="county", region_code=COUNTY,
                             user="admin", password=PASSWORD)
    path = fill(tmp_path / "填好的.xlsx", [household(1)], family(1, 0))
    with county:
        with pytest.raises(NotOwner, match="请退回乡镇修改"):
            import_workbook(county, path)
        assert _counts(county)[:2] == (0, 0)
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    code = main(["excel", "import", "--store", str(tmp_path / "county.db"), str(path)])
    err = capsys.readouterr().err
    assert code == 1 and "县扶贫办不能修改乡镇工作站登记的农户" in err
    assert "未导入任何数据" in err and "Traceback" not in err


@pytest.fixture(params=["loaded", "streamed"])
def marking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of writing the marked copy: loaded whole (small files) and streamed."""
    if request.param == "streamed":
        monkeypatch.setattr(marking_large, "LARGE_ROWS", 0)
    return str(request.param)


def test_bad_rows_import_nothing_and_are_marked_exactly(station: Store, tmp_path: Path,
                                                        marking: str) -> None:
    households = [household(1), household(2, 贫困户属性="特困户", 耕地面积="两亩"),
                  household(3, 行政村="不存在村")]
    people = (family(1, 0)
              + [member(2, "吉克木呷", idn("51343119700101091")[:17] + "0"),  # bad check digit
                 member(2, "阿苏2", idn("51343119720202090"), "配偶")]  # digit in name
              + family(3, 7)
              + [member(9, "无户", idn("51343119800101051"))])  # no such 户编号
    path = fill(tmp_path / "有错.xlsx", households, people)
    before = _counts(station)

    report = import_workbook(station, path)

    assert not report.ok and report.households == 0
    assert _counts(station) == before
    assert report.marked_copy == tmp_path / "有错.errors.xlsx"
    marked = _marked_cells(report.marked_copy)
    # 农户: J 贫困户属性, AF 耕地面积 of row 3; B 行政村 of row 4.
    h_cols = {c.value.lstrip("*"): c.column_letter for c in load_workbook(path)["农户"][1]}
    m_cols = {c.value.lstrip("*"): c.column_letter for c in load_workbook(path)["家庭成员"][1]}
    expected = {
        ("农户", f"{h_cols['贫困户属性']}3"), ("农户", f"{h_cols['耕地面积(亩)']}3"),
        ("农户", f"{h_cols['行政村']}4"),
        ("家庭成员", f"{m_cols['身份证号码']}4"), ("家庭成员", f"{m_cols['姓名']}5"),
        ("家庭成员", f"{m_cols['户编号']}8"),
    }
    assert set(marked) == expected
    assert "不是贫困户属性的可选项" in marked[("农户", f"{h_cols['贫困户属性']}3")]
    assert "应为数字" in marked[("农户", f"{h_cols['耕地面积(亩)']}3")]
    assert "本站没有行政村" in marked[("农户", f"{h_cols['行政村']}4")]
    assert "校验位" in marked[("家庭成员", f"{m_cols['身份证号码']}4")]
    assert "数字" in marked[("家庭成员", f"{m_cols['姓名']}5")]
    assert "没有户编号为“9”" in marked[("家庭成员", f"{m_cols['户编号']}8")]

    wb = load_workbook(report.marked_copy)
    assert wb.sheetnames[0] == ERRORS_SHEET
    listed = list(wb[ERRORS_SHEET].iter_rows(min_row=2, values_only=True))
    assert len(listed) == len(report.problems) == 6
    assert {(r[0], f"{r[2]}{r[1]}") for r in listed} == expected
    assert wb["农户"]["A2"].value == 1  # the user's data is all still there
    original = load_workbook(path)
    for sheet in ("农户", "家庭成员"):
        assert [[c.value for c in r] for r in wb[sheet].iter_rows()] == \
            [[c.value for c in r] for r in original[sheet].iter_rows()]
    assert wb["家庭成员"].freeze_panes == "B2"
    assert wb["家庭成员"].data_validations.dataValidation
    assert "2 处" not in report.summary() and "6 处错误" in report.summary()


def test_corrected_copy_imports_and_old_marks_are_cleared(station: Store, tmp_path: Path,
                                                          marking: str) -> None:
    path = fill(tmp_path / "f.xlsx", [household(1), household(2, 贫困户属性="特困户")],
                family(1, 0) + family(2, 1))
    first = import_workbook(station, path)
    assert not first.ok and first.marked_copy is not None
    wb = load_workbook(first.marked_copy)
    bad = first.problems[0]
    wb[bad.sheet][f"{bad.column}{bad.row}"] = "五保贫困户"
    wb["农户"]["C3"] = "x"  # a new mistake elsewhere (村民小组)
    wb.save(first.marked_copy)

    second = import_workbook(station, first.marked_copy)
    assert not second.ok and second.marked_copy == first.marked_copy
    assert set(_marked_cells(second.marked_copy)) == {("农户", "C3")}

    wb = load_workbook(second.marked_copy)
    wb["农户"]["C3"] = 4
    wb.save(second.marked_copy)
    third = import_workbook(station, second.marked_copy)
    assert third.ok and third.households == 2


def test_duplicates_against_the_store_and_within_the_file(station: Store, tmp_path: Path
                                                          ) -> None:
    path = fill(tmp_path / "a.xlsx", [household(1)], family(1, 0))
    assert import_workbook(station, path).ok
    before = _counts(station)

    again = fill(tmp_path / "b.xlsx", [household(1), household(2), household(3)],
                 family(1, 0) + family(2, 5) + [
                     member(3, "吉克重复", family(2, 5)[0]["身份证号码"])])
    report = import_workbook(station, again)

    assert not report.ok and _counts(station) == before
    messages = [(p.sheet, p.row, p.header, p.message) for p in report.problems]
    assert ("家庭成员", 2, "身份证号码",
            "身份证号码已登记在尼日村吉克阿呷户(成员 吉克阿呷),同一人不能重复登记") in messages
    assert any(row == 3 and "已登记" in m for _, row, _, m in messages)
    first_of_2 = family(2, 5)[0]["姓名"]
    assert any(row == 6 and f"与本次导入的户编号为2的户(成员 {first_of_2})身份证号码重复" in m
               for _, row, _, m in messages)
    assert len(report.problems) == 3


def test_household_without_members_and_without_head(station: Store, tmp_path: Path) -> None:
    path = fill(tmp_path / "c.xlsx", [household(1), household(2), household(2)],
                [member(2, "阿苏某某", idn("51343119720202010"), "配偶")])
    report = import_workbook(station, path)
    got = {(p.sheet, p.row, p.header): p.message for p in report.problems}
    assert got[("农户", 2, "户编号")] == "至少要登记一名家庭成员(户主)"
    assert "必须有一名户主" in got[("农户", 3, "户编号")]
    assert "与第3行重复" in got[("农户", 4, "户编号")]
    assert _counts(station)[0] == 0


def test_cancel_imports_nothing(station: Store, tmp_path: Path) -> None:
    path = fill(tmp_path / "x.xlsx", [household(1), household(2)], family(1, 0) + family(2, 1))
    seen: list[tuple[int, int]] = []

    def stop_after_reading(done: int, total: int) -> bool:
        seen.append((done, total))
        return total == 0  # let the file be read, then cancel during validation

    with pytest.raises(Cancelled):
        import_workbook(station, path, progress=stop_after_reading)
    assert seen == [(0, 0), (0, 2)]
    assert _counts(station)[:2] == (0, 0)
    assert not (tmp_path / "x.errors.xlsx").exists()


def test_file_saved_by_excel_with_shared_strings(station: Store, tmp_path: Path) -> None:
    """Excel and WPS keep text in a shared-strings table, which openpyxl never writes."""
    path = fill(tmp_path / "f.xlsx", [household(1), household(2, 贫困户属性="特困户")],
                family(1, 0) + family(2, 1))
    shared = as_excel_saves_it(path)
    with zipfile.ZipFile(shared) as z:
        assert 't="s"' in z.read("xl/worksheets/sheet3.xml").decode()
    report = import_workbook(station, shared)
    assert [(p.sheet, p.row, p.header) for p in report.problems] == [("农户", 3, "贫困户属性")]
    assert "特困户" in report.problems[0].message
    wb = load_workbook(shared)
    wb["农户"][f"{report.problems[0].column}3"] = "五保贫困户"
    wb.save(shared)
    assert import_workbook(station, shared).ok
