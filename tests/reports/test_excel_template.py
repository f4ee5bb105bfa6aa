"""The import template is generated from forms/: headers, hints, drop-downs, text IDs."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from forms import codelists as cl
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from registry.store import Store
from reports.excel.columns import normalize_header
from reports.excel.template import INSTRUCTIONS_SHEET, station_villages, write_template


def _validations(ws):  # type: ignore[no-untyped-def]
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
            for dv in ws.data_validations.dataValidation}


def test_template_has_every_input_field_with_hints_and_dropdowns(tmp_path: Path) -> None:
    path = write_template(tmp_path / "模板.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == [INSTRUCTIONS_SHEET, "农户", "家庭成员"]
    assert wb["代码表"].sheet_state == "hidden"
    notes = "\n".join(str(r[0]) for r in wb[INSTRUCTIONS_SHEET].iter_rows(values_only=True)
                      if r[0])
    assert "户编号" in notes and "文本格式" in notes and ".errors.xlsx" in notes

    for sheet, form in (("农户", HOUSEHOLD_FORM), ("家庭成员", MEMBER_FORM)):
        ws = wb[sheet]
        assert ws.freeze_panes == "B2"
        headers = {normalize_header(c.value): c for c in ws[1]}
        assert ws["A1"].value == "*户编号"
        for f in form.inputs():
            cell = headers[f.label]
            assert cell.value.startswith("*") == f.required, f.name
            if f.hint:
                assert f.hint in cell.comment.text
            assert ws.column_dimensions[cell.column_letter].width >= 6
        validations = _validations(ws)
        for f in form.inputs():
            letter = headers[f.label].column_letter
            if f.codelist is not None and f.type.value == "select_one":
                dv = validations[letter]
                assert dv.type == "list" and dv.showErrorMessage
                ref = dv.formula1.split("!")[1].replace("$", "")
                first, last = ref.split(":")
                labels = [c.value for c in wb["代码表"][first[0]]][:int(last[1:])]
                assert labels == [c.label for c in f.codelist.choices]
            elif f.type.value == "bool":
                assert validations[letter].type == "list"
            else:
                assert letter not in validations, f.name

    members = wb["家庭成员"]
    id_letter = {normalize_header(c.value): c.column_letter for c in members[1]}["身份证号码"]
    assert members.column_dimensions[id_letter].number_format == "@"
    assert "文本格式" in members[f"{id_letter}1"].comment.text
    sex_letter = {normalize_header(c.value): c.column_letter for c in members[1]}["性别"]
    assert _validations(members)[sex_letter].formula1.endswith(f"${len(cl.SEX.choices)}")


def test_station_template_offers_its_villages(station: Store, tmp_path: Path) -> None:
    names = station_villages(station)
    assert "尼日村" in names
    wb = load_workbook(write_template(tmp_path / "t.xlsx", names))
    ws = wb["农户"]
    letter = {normalize_header(c.value): c.column_letter for c in ws[1]}["行政村"]
    dv = _validations(ws)[letter]
    ref = dv.formula1.split("!")[1].replace("$", "")
    column = ref.split(":")[0].rstrip("0123456789")
    assert [c.value for c in wb["代码表"][column]][:len(names)] == names
    assert dv.errorStyle == "warning"
