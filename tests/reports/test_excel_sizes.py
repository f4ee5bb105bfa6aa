"""Workbooks of any size (issue 13, item 7): thousands of bad rows give the first 1,000
problems and the count of the rest; a sheet far wider than the form, a damaged sheet and
more rows than a township has are refused with a message (never a traceback); chunks are
written all or nothing. The million-row case is in benchmarks/bench_excel.py."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.audit import verify_chain
from registry.bulk import register_households
from registry.models import AuditEntry, Household, Member
from registry.store import Store
from reports.excel import importing, limits
from reports.excel.importing import import_workbook
from reports.excel.marking import ERRORS_SHEET
from reports.excel.reading import WorkbookError
from tests.reports.excel_big import incomplete_households, wide_header
from tests.reports.excel_fill import family, fill, household, member

PROBLEMS_PER_ROW = 3  # 贫困户属性 and 主要致贫原因 missing, and no member (脱贫状态 is no
#                       longer asked: schema 4 derives it from the exit steps)


def _counts(store: Store) -> tuple[int, int, int]:
    with store.session() as s:
        return (s.scalar(select(func.count()).select_from(Household)) or 0,
                s.scalar(select(func.count()).select_from(Member)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_twenty_thousand_bad_rows_list_a_thousand_and_count_the_rest(
        station: Store, tmp_path: Path) -> None:
    path = incomplete_households(tmp_path / "两万户.xlsx", 20_000)

    report = import_workbook(station, path)

    assert not report.ok and _counts(station) == (0, 0, 0)
    assert report.rows_checked == 20_000
    assert report.problem_count == 20_000 * PROBLEMS_PER_ROW
    assert len(report.problems) == limits.LISTED_PROBLEMS == 1_000
    assert report.not_listed == 20_000 * PROBLEMS_PER_ROW - 1_000
    assert report.rows_with_problems == 20_000
    # the first ones, in sheet order, PROBLEMS_PER_ROW each
    shown = -(-limits.LISTED_PROBLEMS // PROBLEMS_PER_ROW)  # rows with a problem listed
    assert [p.row for p in report.problems] == [r for r in range(2, 2 + shown)
                                                for _ in range(PROBLEMS_PER_ROW)][:1_000]
    assert {p.sheet for p in report.problems} == {"农户"}
    summary = report.summary()
    total = 20_000 * PROBLEMS_PER_ROW
    assert f"发现 {total} 处错误,涉及 20000 行" in summary
    assert f"另有 {total - 1_000} 处问题未列出" in summary
    assert report.as_json()["problems_not_listed"] == total - 1_000

    assert report.marked_copy is not None  # 20,001 rows: streamed, with the first marks
    listed = list(load_workbook(report.marked_copy, read_only=True)[ERRORS_SHEET]
                  .iter_rows(min_row=2, values_only=True))
    assert len(listed) == 1_001 and f"另有 {total - 1_000} 处问题未列出" in str(listed[-1][0])
    assert {(r[0], r[1]) for r in listed[:-1]} == {("农户", r) for r in range(2, 2 + shown)}


def test_a_sheet_wider_than_the_form_is_refused(station: Store, tmp_path: Path) -> None:
    path = wide_header(tmp_path / "两万列.xlsx", 20_000)
    started = time.perf_counter()
    with pytest.raises(WorkbookError) as caught:
        import_workbook(station, path)
    assert time.perf_counter() - started < 30
    message = str(caught.value)
    assert "工作表“农户”第1行有内容一直到第20000列" in message and "删去右侧多余的列" in message
    assert _counts(station) == (0, 0, 0)
    assert not path.with_name("两万列.errors.xlsx").exists()


def test_content_far_right_of_the_data_is_refused_and_own_columns_ignored(
        station: Store, tmp_path: Path) -> None:
    path = fill(tmp_path / "宽.xlsx", [household(1)], family(1, 0))
    wb = load_workbook(path)
    wb["农户"].cell(1, 60, "自己的列")  # within the spare columns: ignored, listed
    wb["家庭成员"].cell(3, 500, "某个备注")
    wb.save(path)
    with pytest.raises(WorkbookError, match="“家庭成员”第3行有内容一直到第500列"):
        import_workbook(station, path)

    wb["家庭成员"].cell(3, 500).value = None
    wb.save(path)
    report = import_workbook(station, path)
    assert report.ok and report.ignored_columns["农户"] == ["自己的列"]


def test_more_rows_than_allowed_are_refused_as_soon_as_passed(
        station: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_HOUSEHOLD_ROWS", 500)
    path = incomplete_households(tmp_path / "多.xlsx", 3_000)
    with pytest.raises(WorkbookError) as caught:
        import_workbook(station, path)
    message = str(caught.value)
    assert "“农户”的数据超过 500 行(表格范围到第 3,001 行)" in message
    assert "分批导入" in message and _counts(station) == (0, 0, 0)

    monkeypatch.setattr(limits, "MAX_MEMBER_ROWS", 3)
    people = family(1, 0) + family(2, 1)
    with pytest.raises(WorkbookError, match="“家庭成员”的数据超过 3 行"):
        import_workbook(station, fill(tmp_path / "人多.xlsx", [household(1), household(2)],
                                      people))


def test_no_marked_copy_past_its_size(station: Store, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MARKED_COPY_MAX_ROWS", 100)
    path = incomplete_households(tmp_path / "三百户.xlsx", 300)
    report = import_workbook(station, path)
    assert not report.ok and report.marked_copy is None
    assert not path.with_name("三百户.errors.xlsx").exists()
    assert "共有 300 行数据,超过 100 行,没有生成标出错误的副本" in report.summary()
    assert report.problem_count == 300 * PROBLEMS_PER_ROW


def test_households_are_written_a_chunk_at_a_time_all_or_nothing(
        station: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "CHECK_CHUNK", 2)
    written: list[int] = []

    def register(*args: Any, **kwargs: Any) -> Any:
        result = register_households(*args, **kwargs)
        written.append(len(result.household_ids))
        return result

    monkeypatch.setattr(importing, "register_households", register)
    households = [household(n) for n in range(1, 6)]
    people = [p for n in range(1, 6) for p in family(n, n)]
    repeated = people[0]["身份证号码"]  # household 1's head, again in household 5
    bad = fill(tmp_path / "重复.xlsx", households,
               people + [member(5, "吉克重复", repeated, "之子")])

    report = import_workbook(station, bad)

    assert written == [2, 2]  # chunks 1 and 2 were clean and written, then rolled back
    assert not report.ok and (report.households, report.members) == (0, 0)
    assert _counts(station) == (0, 0, 0)
    assert [(p.sheet, p.row, p.header, p.message) for p in report.problems] == [
        ("家庭成员", 12, "身份证号码",
         f"与本次导入的户编号为1的户(成员 {people[0]['姓名']})身份证号码重复")]

    late = fill(tmp_path / "晚.xlsx", [*households, household(None, 行政村="尼日村")], people)
    written.clear()
    report = import_workbook(station, late)  # the last row's problem: after 2 chunks
    assert written == [2, 2] and _counts(station) == (0, 0, 0)
    assert [(p.row, p.header) for p in report.problems] == [(7, "户编号")]

    good = fill(tmp_path / "好.xlsx", households, people)
    report = import_workbook(station, good)
    assert report.ok and (report.households, report.members) == (5, 10)
    with station.session() as s:
        assert _counts(station) == (5, 10, 5) and verify_chain(s) == []


def _replace_sheet(path: Path, edit: tuple[str, str]) -> Path:
    out = path.with_name("坏了.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data.decode().replace(*edit, 1).encode()
            dst.writestr(item, data)
    return out


@pytest.mark.parametrize(("edit", "why"), [
    (('<c r="C2" t="n"><v>2</v></c>', '<c r="C2" t="n"><v>两</v></c>'), "第2行第3列的值“两”"),
    (('<c r="C2" t="n"><v>2</v></c>', '<c r="C2" t="b"><v>x</v></c>'), "第2行第3列"),
    (('<c r="C2" t="n"><v>2</v></c>', '<c r="C2" t="s"><v>99</v></c>'), "第2行第3列"),
    (("<worksheet", '<!DOCTYPE w [<!ENTITY a "aaaa">]><worksheet'), "文档类型定义"),
    (("</sheetData>", "<row></sheetData>"), "XML有误"),
    (("<t>国家标准</t>", f"<t>{'长' * 32_768}</t>"), "超过了Excel单元格的上限(32767字)"),
])
def test_a_damaged_sheet_is_refused_with_a_message(station: Store, tmp_path: Path,
                                                   edit: tuple[str, str], why: str) -> None:
    path = incomplete_households(tmp_path / "好的.xlsx", 3)
    with pytest.raises(WorkbookError) as caught:
        import_workbook(station, _replace_sheet(path, edit))
    assert "已损坏" in str(caught.value) and why in str(caught.value)
