"""An Excel round trip keeps helpers (with their history), plans (funds by source),
incomes by year, yearly reviews and the recorded steps: export → a fresh station → the
same rows; importing the file again adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import (
    AidPlan,
    Helper,
    Household,
    HouseholdIncome,
    ProcedureEvent,
    YearlyReview,
)
from registry.store import Store
from reports.excel.aid_sheets import SHEETS
from reports.excel.export import export_households
from reports.excel.importing import import_workbook
from tests.conftest import PASSWORD, TOWNSHIP
from tests.reports.aid_story import build


def _by_head(s: Session) -> dict[str, Any]:
    """Everything per household, keyed by the head's ID number (ids differ by store)."""
    heads = dict(s.execute(select(Household.id, Household.head_id_number)).all())
    out: dict[str, Any] = {n: {"helpers": [], "plans": [], "incomes": [], "reviews": [],
                               "steps": []} for n in heads.values()}
    for h in s.scalars(select(Helper).order_by(Helper.start_date)):
        out[heads[h.household_id]]["helpers"].append(
            (h.name, h.unit, h.title, h.phone, h.unit_kind, h.start_date, h.end_date))
    for p in s.scalars(select(AidPlan).order_by(AidPlan.year, AidPlan.measure)):
        out[heads[p.household_id]]["plans"].append(
            (p.year, p.measure, p.content, p.funds_fiscal, p.funds_sector, p.funds_social,
             p.funds_credit, p.funds, p.responsible, p.status, p.result))
    for i in s.scalars(select(HouseholdIncome).order_by(HouseholdIncome.year)):
        out[heads[i.household_id]]["incomes"].append(
            (i.year, i.size, i.income_wage, i.net_income, i.net_income_per_capita))
    for r in s.scalars(select(YearlyReview).order_by(YearlyReview.year)):
        out[heads[r.household_id]]["reviews"].append(
            (r.year, r.checklist, r.proposal, r.reviewed_on, r.reviewed_by, r.note))
    for e in s.scalars(select(ProcedureEvent).order_by(ProcedureEvent.seq,
                                                       ProcedureEvent.event_date)):
        out[heads[e.household_id]]["steps"].append(
            (e.seq, e.step, e.stage, e.event_date, e.result, e.reason, e.facts, e.actor,
             e.role))
    for h in s.scalars(select(Household)):
        out[h.head_id_number]["status"] = (h.stage, h.poverty_status, h.exit_year,
                                           h.income_year, h.net_income_per_capita)
    return out


def test_round_trip_keeps_helpers_plans_incomes_reviews_and_steps(station: Store,
                                                                 tmp_path: Path) -> None:
    story = build(station)
    path = tmp_path / "export.xlsx"
    export_households(station, path)
    book = load_workbook(path, read_only=True)
    assert set(SHEETS) <= set(book.sheetnames)
    fresh, _ = Store.create(tmp_path / "fresh.db", kind="station", region_code=TOWNSHIP,
                            user="admin", password=PASSWORD)
    with fresh:
        report = import_workbook(fresh, path)
        assert report.ok, report.problems[:3]
        assert report.aid is not None and report.aid.helpers == 3 and report.aid.plans == 2
        assert report.aid.steps > 20 and "程序记录" in report.summary()
        with station.session() as s, fresh.session() as t:
            before, after = _by_head(s), _by_head(t)
            assert after == before
            exited = s.get(Household, story.exited)
            assert exited is not None
            assert after[exited.head_id_number]["status"][:3] == ("95", "2", 2020)
        with fresh.session() as t:  # every household's steps came with one audit entry
            from registry.models import AuditEntry
            entries = t.scalars(select(AuditEntry.entity_id).where(
                AuditEntry.action == "excel_steps")).all()
            assert len(entries) == len(before)
        # the same file again: the households are refused as already registered, nothing
        # is added (all or nothing)
        again = import_workbook(fresh, path)
        assert not again.ok
        with fresh.session() as t:
            assert _by_head(t) == after


def test_an_update_import_lists_the_change_first(station: Store, tmp_path: Path,
                                                 monkeypatch: Any,
                                                 capsys: Any) -> None:
    from cli.main import main

    story = build(station)
    path = tmp_path / "export.xlsx"
    export_households(station, path)
    with station.session() as s:
        h = s.get(Household, story.staying)
        assert h is not None
        old_phone, head = h.phone, h.head_name
    wb = load_workbook(path)
    ws = wb["农户"]
    headers = {c.value: c.column for c in ws[1]}
    for row in ws.iter_rows(min_row=2):
        if row[headers["户主姓名"] - 1].value == head:
            row[headers["联系电话"] - 1].value = "13700009999"
    wb.save(path)
    # the same file, unchanged households and all: nothing to say about the others
    report = import_workbook(station, path, update=True, dry_run=True)
    assert report.ok and report.dry_run, report.problems[:3]
    assert len(report.changes) == 1 and report.households == 0
    assert report.changes[0].endswith(f"联系电话 {old_phone} → 13700009999"), report.changes
    assert "试导入(未保存)" in report.summary() and "将更新" in report.summary()
    with station.session() as s:
        assert s.get(Household, story.staying).phone == old_phone  # type: ignore[union-attr]
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    store_path = str(station.path)
    station.close()
    assert main(["excel", "import", "--store", store_path, str(path), "--update",
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "将更新" in out and "13700009999" in out
    assert main(["excel", "import", "--store", store_path, str(path), "--update"]) == 0
    out = capsys.readouterr().out
    assert "已更新 1 户" in out and "13700009999" in out
    with Store.open(Path(store_path), "admin", PASSWORD) as again, again.session() as s:
        assert s.get(Household, story.staying).phone == "13700009999"  # type: ignore[union-attr]
        # nothing doubled: the helpers and plans of the file were there already
        assert len(s.scalars(select(Helper)).all()) == 3
        assert len(s.scalars(select(AidPlan)).all()) == 2
