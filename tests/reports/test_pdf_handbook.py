"""扶贫手册 / 户卡: one household, and a whole village, checked against the store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.main import main
from forms.aid import AID_PLAN_FORM, HELPER_FORM
from forms.household import HOUSEHOLD_FORM
from registry.models import AidPlan, Helper, Household
from registry.procedure.history import timeline
from registry.roles import role_name
from registry.store import Store
from reports.pdf.data import ReportError, load_households
from reports.pdf.handbook import print_handbook
from reports.pdf.layout import typeset
from tests.conftest import PASSWORD
from tests.reports.test_pdf_support import (
    assert_fonts_embedded,
    needs_poppler,
    page_texts,
    pdf_text,
    render,
)

pytestmark = needs_poppler


def _household_with_aid(store: Store) -> str:
    with store.session() as s:
        return s.execute(select(Household.id).join(Helper, Helper.household_id == Household.id)
                         .join(AidPlan, AidPlan.household_id == Household.id)
                         .where(Household.size >= 4)).scalars().first() or ""


def test_one_household_has_every_section_member_helper_and_plan(demo_store: Store,
                                                                tmp_path: Path) -> None:
    household_id = _household_with_aid(demo_store)
    out = tmp_path / "one.pdf"
    with demo_store.session() as s:
        result = print_handbook(s, out, household_id=household_id)
        record = load_households(s, household_ids=[household_id], with_aid=True)[0]
    assert result.households == 1 and result.members == len(record.members)
    flat = re.sub(r"\s+", "", pdf_text(out))
    assert "扶贫手册（户卡）" in flat
    for section in HOUSEHOLD_FORM.sections:
        assert section in flat
    for f in HOUSEHOLD_FORM.fields:
        assert f.label.replace(" ", "") in flat, f.label
    for m in record.members:
        assert m["name"] in flat and m["id_number"] in flat
    for form, rows in ((HELPER_FORM, record.helpers), (AID_PLAN_FORM, record.plans)):
        assert form.label in flat and rows
        for row in rows:
            for value in row.values():
                if isinstance(value, str) and len(value) > 1 and not value.isdigit():
                    assert value in flat, value
    assert record.helpers[0]["phone"] in flat  # an internal paper: contact details shown
    assert_fonts_embedded(out)
    assert len(render(out, tmp_path / "png")) == result.pages


def test_village_batch_starts_each_household_on_a_new_page(demo_store: Store,
                                                           tmp_path: Path) -> None:
    with demo_store.session() as s:
        village = s.execute(select(Household.village_code).group_by(Household.village_code)
                            .order_by(func.count())).scalars().first()
        assert village
        records = load_households(s, [village], with_aid=True)
        result = print_handbook(s, tmp_path / "batch.pdf", village_code=village)
    assert result.households == len(records)
    pages = page_texts(tmp_path / "batch.pdf")
    assert len(pages) == result.pages >= len(records)
    starts = [p for p in pages if "扶贫手册（户卡）" in re.sub(r"\s+", "", p)]
    assert len(starts) == len(records)
    for page, r in zip(starts, records, strict=True):
        assert f"户主：{r.head_name}" in re.sub(r"\s+", "", page)


def test_handbook_needs_one_target(demo_store: Store, tmp_path: Path) -> None:
    with demo_store.session() as s:
        with pytest.raises(ReportError, match="二者选一"):
            print_handbook(s, tmp_path / "x.pdf")
        with pytest.raises(ReportError, match="没有这一户"):
            print_handbook(s, tmp_path / "x.pdf", household_id="no-such-id")


def test_cli_handbook(demo_store_path: Path, tmp_path: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    with Store.open(demo_store_path, "admin", PASSWORD) as store:
        household_id = _household_with_aid(store)
    out = tmp_path / "h.pdf"
    assert main(["print", "handbook", "--store", str(demo_store_path), "--household",
                 household_id, "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000


def test_the_handbook_carries_the_households_timeline(demo_store: Store, tmp_path: Path
                                                      ) -> None:
    """Every step of a registered demo household, with its date, who and in which role."""
    household_id = _household_with_aid(demo_store)
    out = tmp_path / "timeline.pdf"
    with demo_store.session() as s:
        items = timeline(s, household_id)
        print_handbook(s, out, household_id=household_id)
    assert [i.title.split(" — ")[0] for i in items if i.kind == "step"] == [
        "农户申请", "民主评议", "入户核实", "第一次公示", "第一次公示期满", "乡镇审核",
        "第二次公示", "第二次公示期满", "县审定", "公告", "建档立卡"]
    flat = re.sub(r"\s+", "", pdf_text(out))
    section = flat[flat.index("档案记录"):]
    assert "日期事项内容记录人" in section
    for i in items:
        assert i.on.isoformat() in section and typeset(i.title).replace(" ", "") in section
        who = f"{i.user}（{role_name(i.role)}）" if i.role else i.user
        assert who in section, who
    assert "县扶贫办审核员（县审核员）" in section and "文号：昭扶贫〔2014〕15号" in section
    # one row each, in order, oldest first
    at = 0
    for i in items:
        at = section.index(i.on.isoformat() + typeset(i.title).replace(" ", ""), at) + 1
    assert_fonts_embedded(out)
