from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from forms.validation import validate_household
from registry import demo
from registry.households import get_household, household_values, member_values
from registry.models import Household, Member, ProcedureEvent
from registry.procedure.notices import list_notices, notice_households
from registry.procedure.steps import NEXT_STEP, STEPS
from registry.search import HouseholdFilter, household_ids
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP


def _people(path: Path, n: int, seed: int) -> list[tuple[str, str]]:
    store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    with store:
        demo.generate(store, n, seed=seed)
        with store.session() as s:
            return sorted((n, i) for n, i in s.execute(select(Member.name, Member.id_number)))


def test_the_same_seed_gives_the_same_township(tmp_path: Path) -> None:
    a = _people(tmp_path / "a.db", 40, seed=5)
    assert a == _people(tmp_path / "b.db", 40, seed=5)
    assert a != _people(tmp_path / "c.db", 40, seed=6)


def test_demo_households_pass_the_form_rules(demo_store: Store) -> None:
    with demo_store.session() as s:
        ids = household_ids(s, HouseholdFilter())
        assert len(ids) == 300
        ages = []
        for i in ids:
            h = get_household(s, i)
            validate_household(household_values(h), [member_values(m) for m in h.members])
            assert h.head_id_number and h.head_id_number[:6] == TOWNSHIP[:6] or h.head_name
            ages += [m.birth_date.year for m in h.members]
        total = s.scalar(select(func.sum(Household.size)))
    assert 2.2 <= (total or 0) / 300 <= 4.5  # about three people per household
    assert min(ages) > 1920 and max(ages) <= 2016


def test_demo_station_is_made_once(tmp_path: Path) -> None:
    first = demo.ensure_demo_station(tmp_path, households=20)
    assert first.recovery_key and first.households == 20
    second = demo.ensure_demo_station(tmp_path, households=20)
    assert second.recovery_key is None and second.households == 20
    assert "fupin-station" in first.instructions()


def test_every_demo_household_stands_where_its_steps_left_it(demo_store: Store) -> None:
    """The stage is derived: each household's stage is the stage of its last step, every
    step follows its predecessor (registry.procedure's order), and the spread is a
    station's: most registered, some under way, a few 未通过 with reasons."""
    with demo_store.session() as s:
        stages = dict(s.execute(select(Household.id, Household.stage)).all())
        events: dict[str, list[ProcedureEvent]] = {}
        for e in s.scalars(select(ProcedureEvent).order_by(ProcedureEvent.seq)):
            events.setdefault(e.household_id, []).append(e)
        assert set(events) == set(stages)
        for hid, steps in events.items():
            assert [e.seq for e in steps] == list(range(1, len(steps) + 1))
            assert stages[hid] == steps[-1].stage
            at = ""
            for e in steps:
                step = STEPS[e.step or ""]
                assert at in step.after, (at, e.step)
                assert step.leads_to[e.result or ""] == e.stage
                assert e.actor and e.role
                assert (e.role == "county_review") == step.county
                if e.result != "pass":
                    assert e.reason
                at = e.stage
            dates = [e.event_date for e in steps]
            assert dates == sorted(dates)
        spread = Counter(stages.values())
        # registered in the 2014 round: still 建档立卡, or exited since (销号, 95)
        assert spread["80"] + spread["95"] > 0.6 * len(stages)
        assert spread["95"] >= 1
        assert spread["90"] >= 1 and spread["30"] >= 1 and spread["20"] >= 1
        statuses = dict(s.execute(select(Household.id, Household.poverty_status)).all())
        assert {hid for hid, st in statuses.items() if st == "2"} == {
            hid for hid, st in stages.items() if st == "95"}
        assert all(NEXT_STEP.get(st) or st == "80" for st in spread)

        today = date.today()
        notices = list_notices(s, today=today)
        due = [n for n in notices if n.due(today)]
        assert len(due) == 1 and due[0].kind == "first"
        assert any(n.closed_on is None and not n.due(today) for n in notices)
        for n in notices:  # a notice lists exactly the households it moved
            _, ids = notice_households(s, n.number)
            opened = {e.household_id for steps in events.values() for e in steps
                      if e.notice_id == n.id
                      and e.step in ("first_notice", "second_notice", "exit_notice")}
            assert set(ids) == opened and len(ids) == n.households
            if n.closed_on is None:
                assert all(stages[h] in ("30", "50") for h in ids)
