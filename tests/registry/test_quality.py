"""数据质量核查: the demo obeys every rule; a planted store shows each planted problem, one
per rule; the reports render; hard rules refuse a save, soft ones warn."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from cli.main import main
from forms import quality as q
from forms.validation import Invalid, validate_household
from registry import demo, quality
from registry.aid import helpers
from registry.households import household_values, member_values, save_household
from registry.models import (
    AidPlan,
    Helper,
    Household,
    HouseholdIncome,
    Member,
    ProcedureEvent,
    TeamMember,
    VillagePlan,
    YearlyReview,
)
from registry.procedure.record import Actor
from registry.store import Store
from reports.excel.quality import DETAIL, SUMMARY, write_quality_book
from reports.pdf.quality import print_quality
from tests.conftest import PASSWORD, TOWNSHIP


def test_the_demo_has_no_problems_and_shows_every_feature(demo_store: Store) -> None:
    with demo_store.session() as s:
        report = quality.check(s)
        assert report.households == 300
        assert [p.as_dict() for p in report.problems] == []

        def count(q_: Any) -> int:
            return s.scalar(select(func.count()).select_from(q_.subquery())) or 0

        exited = count(select(Household.id).where(Household.poverty_status == "2"))
        assert exited > 20
        assert count(select(Household.id).where(Household.poverty_status == "3")) >= 1
        assert count(select(ProcedureEvent.id).where(ProcedureEvent.step == "exit_close")) \
            == exited + count(select(Household.id).where(Household.poverty_status == "3"))
        assert count(select(ProcedureEvent.id).where(ProcedureEvent.step == "relapse",
                                                     ProcedureEvent.facts.like("%evidence%")))
        assert count(select(HouseholdIncome.household_id).distinct()) == 300
        assert set(s.scalars(select(HouseholdIncome.year).distinct())) == {2014, 2015, 2016}
        assert count(select(Helper.id).where(Helper.end_date.is_not(None))) > 0
        assert count(select(AidPlan.id).where(AidPlan.funds_fiscal.is_not(None))) > 0
        assert count(select(TeamMember.village_code).distinct()) == count(
            select(Household.village_code).distinct())
        assert count(select(VillagePlan.id)) > 0
        assert count(select(YearlyReview.id).where(YearlyReview.proposal == "exit")) > 0
        assert count(select(Member.id).where(Member.change_reason == "1",
                                             Member.change_evidence.is_not(None))) > 0
        assert count(select(Member.id).where(Member.joined_reason == "6",
                                             Member.id_number != "")) > 0


def _one(s: Session, sql: str, **params: Any) -> str:
    value = s.execute(text(sql), params).scalar()
    assert value is not None, sql
    return str(value)


def _plant(store: Store) -> dict[str, set[str]]:
    """One problem per rule, each in a household of its own; rule → the planted households.
    Through the program where it allows the problem (ending a helper), with SQL where it
    refuses it."""
    planted: dict[str, set[str]] = {}
    used: list[str] = ["-"]

    def pick(s: Session, where: str) -> str:
        hid = _one(s, f"SELECT h.id FROM household h WHERE h.deleted = 0 AND ({where}) "
                      "AND h.id NOT IN (SELECT value FROM json_each(:used)) "
                      "ORDER BY h.id LIMIT 1", used=json.dumps(used))
        used.append(hid)
        return hid

    exited = "h.poverty_status = '2'"
    with store.transaction() as s:
        hid = pick(s, "h.stage = '80'")
        for row in helpers.history(s, hid):
            if row.end_date is None:
                helpers.end(s, Actor(store.user, store.role), row.id,
                            date.today() - timedelta(days=1), reason="调离")
        planted["no_helper"] = {hid}

        hid = pick(s, "h.stage = '80'")
        s.execute(text("UPDATE household_income SET net_income_per_capita = -12345 "
                       "WHERE household_id = :h AND year = 2015"), {"h": hid})
        planted["negative_income"] = {hid}

        hid = pick(s, exited)
        s.execute(text("UPDATE household_income SET net_income_per_capita = 100000 WHERE "
                       "household_id = :h AND year = (SELECT exit_year FROM household "
                       "WHERE id = :h)"), {"h": hid})
        planted["exit_below_line"] = {hid}

        hid = pick(s, exited)
        s.execute(text("UPDATE yearly_review SET checklist = '{\"food_clothing\": true}' "
                       "WHERE household_id = :h"), {"h": hid})
        planted["exit_without_checklist"] = {hid}

        hid = pick(s, exited)
        s.execute(text("UPDATE procedure_event SET deleted = 1 WHERE household_id = :h "
                       "AND step = 'exit_notice'"), {"h": hid})
        s.execute(text("UPDATE notice_entry SET deleted = 1 WHERE household_id = :h AND "
                       "notice_id IN (SELECT id FROM notice WHERE kind = 'exit')"), {"h": hid})
        planted["exit_without_notice"] = {hid}

        hid = pick(s, "1")
        s.execute(text("UPDATE member SET relation = '99' WHERE household_id = :h AND "
                       "relation = '01'"), {"h": hid})
        planted["no_head"] = {hid}

        hid = pick(s, "EXISTS (SELECT 1 FROM member m WHERE m.household_id = h.id AND "
                      "m.relation IN ('03', '04') AND m.change_reason IS NULL "
                      "AND m.school_status = '1')")
        s.execute(text("UPDATE member SET birth_date = '1901-01-01' WHERE id = (SELECT id "
                       "FROM member WHERE household_id = :h AND relation IN ('03', '04') "
                       "AND change_reason IS NULL AND school_status = '1' LIMIT 1)"),
                  {"h": hid})
        planted["child_older_than_head"] = {hid}

        hid = pick(s, "EXISTS (SELECT 1 FROM member m WHERE m.household_id = h.id AND "
                      "m.relation = '01' AND m.change_reason IS NULL "
                      "AND m.birth_date < '1980-01-01')")  # over 25 whatever the year
        s.execute(text("UPDATE member SET school_status = '16' WHERE household_id = :h "
                       "AND relation = '01' AND change_reason IS NULL"), {"h": hid})
        planted["student_over_25"] = {hid}

        one_head = ("(SELECT count(*) FROM member m WHERE m.household_id = h.id "
                    "AND m.relation = '01') = 1")
        first, second = pick(s, one_head), pick(s, one_head)
        number = _one(s, "SELECT id_number FROM member WHERE household_id = :h AND "
                         "relation = '01'", h=first)
        s.execute(text("UPDATE member SET id_number = :n WHERE household_id = :h AND "
                       "relation = '01'"), {"n": number, "h": second})
        planted["member_in_two_households"] = {first, second}

        # A household with someone besides its head (ids are random: the first one may
        # be a head alone, and then nothing would be planted).
        hid = pick(s, "EXISTS (SELECT 1 FROM member m WHERE m.household_id = h.id "
                      "AND m.relation <> '01' AND m.deleted = 0 AND m.change_reason IS NULL)")
        s.execute(text("UPDATE member SET id_number = '', no_id_number = 1 WHERE id = ("
                       "SELECT id FROM member WHERE household_id = :h AND relation <> '01' "
                       "AND deleted = 0 AND change_reason IS NULL LIMIT 1)"), {"h": hid})
        planted["no_id_number"] = {hid}

        hid = pick(s, "EXISTS (SELECT 1 FROM member m WHERE m.household_id = h.id "
                      "AND m.relation <> '01')")
        s.execute(text("UPDATE member SET change_reason = '6' WHERE id = (SELECT id FROM "
                       "member WHERE household_id = :h AND relation <> '01' LIMIT 1)"),
                  {"h": hid})
        planted["joining_code_as_change"] = {hid}
    return planted


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[str]]]:
    path = tmp_path_factory.mktemp("planted") / "planted.db"
    store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    with store:
        demo.generate(store, 120, seed=11)
        with store.session() as s:
            assert quality.check(s).problems == []
        return path, _plant(store)


def test_every_planted_problem_is_found(planted: tuple[Path, dict[str, set[str]]]) -> None:
    path, plants = planted
    assert set(plants) == set(q.RULE) and len(plants) >= 10
    with Store.open(path, "admin", PASSWORD) as store, store.session() as s:
        report = quality.check(s)
    found: dict[str, set[str]] = {}
    for p in report.problems:
        found.setdefault(p.rule, set()).add(p.household_id)
        assert p.message and p.village_code.startswith(TOWNSHIP)
    assert found == plants
    messages = {p.rule: p.message for p in report.problems}
    assert "-123.45" in messages["negative_income"]
    assert "1000.00" in messages["exit_below_line"]
    assert "义务教育有保障" in messages["exit_without_checklist"]


def test_a_village_is_checked_alone(planted: tuple[Path, dict[str, set[str]]]) -> None:
    path, _ = planted
    with Store.open(path, "admin", PASSWORD) as store, store.session() as s:
        everything = quality.check(s)
        village = everything.problems[0].village_code
        mine = quality.check(s, village)
    assert mine.problems == [p for p in everything.problems if p.village_code == village]
    assert 0 < mine.households < everything.households


def test_the_reports_render(planted: tuple[Path, dict[str, set[str]]],
                            tmp_path: Path) -> None:
    path, _ = planted
    with Store.open(path, "admin", PASSWORD) as store, store.session() as s:
        report = quality.check(s)
    result = print_quality(report, tmp_path / "q.pdf")
    assert result.pages >= 1
    words = "".join(subprocess.run(["pdftotext", str(tmp_path / "q.pdf"), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    for rule in q.RULES:
        assert rule.title in words
    assert "第1页共" in words and "内部资料" in words

    write_quality_book(report, tmp_path / "q.xlsx")
    wb = load_workbook(tmp_path / "q.xlsx")
    assert wb.sheetnames == [SUMMARY, DETAIL]
    summary = list(wb[SUMMARY].iter_rows(values_only=True))
    assert [r[0] for r in summary[2:2 + len(q.RULES)]] == [r.title for r in q.RULES]
    assert summary[-1][-1] == len(report.problems)
    detail = list(wb[DETAIL].iter_rows(values_only=True))
    assert len(detail) == len(report.problems) + 1
    assert {r[4] for r in detail[1:]} == {r.title for r in q.RULES}


def test_the_command_line_lists_problems_as_json(
        planted: tuple[Path, dict[str, set[str]]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path, plants = planted
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    assert main(["quality", "check", "--store", str(path), "--json"]) == 0
    problems = json.loads(capsys.readouterr().out)
    assert {p["rule"] for p in problems} == set(plants)
    assert set(problems[0]) == {"rule", "household_id", "head_id_number", "village_code",
                                "message"}
    out = tmp_path / "q.xlsx"
    assert main(["quality", "check", "--store", str(path), "--region", TOWNSHIP,
                 "--out", str(out)]) == 0
    assert out.exists() and "发现问题" in capsys.readouterr().out
    assert main(["quality", "check", "--store", str(path), "--out",
                 str(tmp_path / "q.txt")]) == 1
    assert "只能是" in capsys.readouterr().err


def test_a_negative_income_is_refused_beside_the_field(demo_store: Store) -> None:
    with demo_store.session() as s:
        h = s.scalars(select(Household).where(Household.stage == "80")).first()
        assert h is not None
        values = household_values(h)
        members = [member_values(m) for m in h.members]
    values.update(income_wage="0", income_business="100", income_property="0",
                  business_expense="5000")
    for n in ("transfer_family_planning", "transfer_dibao", "transfer_wubao",
              "transfer_pension", "transfer_ecological", "transfer_other"):
        values[n] = "0"
    with pytest.raises(Invalid) as e:
        validate_household(values, members)
    with demo_store.session() as s, pytest.raises(Invalid) as saved:
        save_household(s, demo_store.user, values, members, household_id=h.id,
                       reason="更正收入", role=demo_store.role)
        s.rollback()
    assert [x.field for x in saved.value.errors] == ["business_expense"]
    errors = [x for x in e.value.errors if x.field == "business_expense"]
    assert errors and "小于零" in errors[0].message


def test_soft_rules_warn_before_saving() -> None:
    head = {"name": "王大", "relation": "01", "birth_date": date(1980, 1, 1),
            "id_number": "x", "school_status": "1"}
    son = {"name": "王小", "relation": "03", "birth_date": date(1970, 1, 1),
           "id_number": "y", "school_status": "16"}
    baby = {"name": "王宝", "relation": "07", "birth_date": date(2016, 1, 1),
            "id_number": "", "no_id_number": True}
    warnings = quality.warnings_for({"income_year": 2016}, [head, son, baby])
    assert [(w.rule, w.row) for w in warnings] == [
        ("child_older_than_head", 1), ("student_over_25", 1), ("no_id_number", 2)]
    assert all(q.RULE[w.rule].severity == q.SOFT for w in warnings)
