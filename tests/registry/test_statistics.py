"""Every statistics table equals a recount done here from the rows themselves, one
household and one member at a time (no GROUP BY), over the demo station — in a SQLCipher
file and on a PostgreSQL server (the same 300 households)."""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from forms import codelists as cl
from registry import statistics
from registry.models import (
    AidPlan,
    Helper,
    Household,
    Member,
    ProcedureEvent,
    Region,
    VillageFacts,
)
from registry.store import Store
from tests import postgres
from tests.conftest import PASSWORD

HOUSEHOLD_DIMS = {"stage": ("stage", cl.STAGE), "attribute": ("attribute",
                  cl.HOUSEHOLD_ATTRIBUTE), "cause": ("main_cause", cl.POVERTY_CAUSE),
                  "status": ("poverty_status", cl.POVERTY_STATUS),
                  "standard": ("identification_standard", cl.IDENTIFICATION_STANDARD)}
MEMBER_DIMS = {"skill": ("labor_skill", cl.LABOR_SKILL), "health": ("health", cl.HEALTH),
               "education": ("education", cl.EDUCATION)}


def _label(codes: cl.CodeList, code: str | None) -> str:
    return codes.label_of(code) if code else statistics.UNKNOWN


def recount(store: Store, by: str, width: int) -> dict[tuple[str, str], tuple[int, int]]:
    households: dict[tuple[str, str], int] = Counter()
    people: dict[tuple[str, str], int] = Counter()
    with store.session() as s:
        rows = list(s.scalars(select(Household).where(Household.deleted.is_(False))))
        members = defaultdict(list)
        for m in s.scalars(select(Member)):
            if not m.deleted and m.change_reason is None:
                members[m.household_id].append(m)
        helpers = defaultdict(list)
        for h in s.scalars(select(Helper).where(Helper.deleted.is_(False))):
            helpers[h.household_id].append(h)
        events = list(s.scalars(select(ProcedureEvent).where(
            ProcedureEvent.deleted.is_(False), ProcedureEvent.result == "pass",
            ProcedureEvent.step.in_(("exit_close", "relapse")))))
    today = date.today()
    for h in rows:
        unit = h.village_code[:width]
        size = len(members[h.id])
        registered = h.stage in statistics.REGISTER
        if by == "stage" or (by in HOUSEHOLD_DIMS and registered):
            column, codes = HOUSEHOLD_DIMS[by]
            key = (unit, _label(codes, getattr(h, column)))
            households[key] += 1
            people[key] += size
        elif by in MEMBER_DIMS and registered:
            column, codes = MEMBER_DIMS[by]
            seen = set()
            for m in members[h.id]:
                key = (unit, _label(codes, getattr(m, column)))
                people[key] += 1
                if key not in seen:
                    households[key] += 1
                    seen.add(key)
        elif by == "helper" and h.stage in statistics.NOT_EXITED:
            has = any((x.start_date is None or x.start_date <= today)
                      and (x.end_date is None or x.end_date >= today) for x in helpers[h.id])
            key = (unit, "有帮扶责任人" if has else "无帮扶责任人")
            households[key] += 1
            people[key] += size
    if by == "year":
        by_household = {h.id: h for h in rows}
        seen_pairs = set()
        for e in events:
            h = by_household.get(e.household_id)
            if h is None:
                continue
            year = json.loads(e.facts or "{}").get("year") or e.event_date.year
            key = (h.village_code[:width],
                   f"{year}年{'脱贫' if e.step == 'exit_close' else '返贫'}")
            if (key, h.id) in seen_pairs:
                continue
            seen_pairs.add((key, h.id))
            households[key] += 1
            people[key] += len(members[h.id])
    return {k: (households[k], people[k]) for k in households}


@pytest.mark.parametrize("level", ["county", "township", "village"])
@pytest.mark.parametrize("by", [b for b in statistics.BY
                                if b not in ("incidence", "measure", "source")])
def test_each_table_equals_a_recount(demo_store: Store, by: str, level: str) -> None:
    with demo_store.session() as s:
        rows = statistics.stats(s, by, level)
        names = dict(s.execute(select(Region.code, Region.name)).all())
    got = {(r.code, r.key): (r.households, r.people) for r in rows}
    assert got == recount(demo_store, by, statistics.LEVELS[level])
    assert all(r.name == names.get(r.code, r.code) for r in rows)
    if by in ("stage", "attribute", "status"):
        assert rows, "the demo has households of every kind"


@pytest.fixture(params=postgres.ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def demo_store(engine: str, request: pytest.FixtureRequest, demo_store_path: Path
               ) -> Iterator[Store]:
    """The demo station, in its file or on the PostgreSQL server."""
    target = demo_store_path if engine == "sqlcipher" else \
        request.getfixturevalue("demo_store_pg_url")
    with Store.open(target, "admin", PASSWORD) as store:
        yield store


def _copy(engine: str, request: pytest.FixtureRequest, demo_store_path: Path,
          tmp_path: Path) -> Iterator[Path | str]:
    if engine == "postgresql":
        url = postgres.create_database(template=request.getfixturevalue("demo_store_pg_url"))
        try:
            yield url
        finally:
            postgres.drop_database(url)
        return
    for suffix in ("", ".keys", "-wal", "-shm"):
        if Path(f"{demo_store_path}{suffix}").exists():
            shutil.copy(f"{demo_store_path}{suffix}", tmp_path / f"s.db{suffix}")
    yield tmp_path / "s.db"


# ---- 贫困发生率 and the plan tables ---------------------------------------------------------
@pytest.fixture
def store_with_facts(engine: str, request: pytest.FixtureRequest, demo_store_path: Path,
                     tmp_path: Path) -> Iterator[Store]:
    """The demo station copied, with 农业户籍人口 for every village but the last (two years
    for the first, the later one counts) and a schema-3 plan with a total but no source."""
    for target in _copy(engine, request, demo_store_path, tmp_path):
        yield from _with_facts(target)


def _with_facts(target: Path | str) -> Iterator[Store]:
    with Store.open(target, "admin", PASSWORD) as store:
        with store.transaction() as s:
            villages = sorted(s.scalars(select(Region.code).where(Region.level == "village")))
            for n, village in enumerate(villages[:-1]):
                s.add(VillageFacts(village_code=village, year=2015, people_agricultural=1))
                s.add(VillageFacts(village_code=village, year=2016,
                                   people_agricultural=900 + 37 * n))
            household = s.scalars(select(Household.id).where(
                Household.deleted.is_(False))).first()
            s.add(AidPlan(household_id=household, year=2016, measure="4",
                          funds=Decimal("1234.56")))
        yield store


def recount_plans(store: Store, by: str, width: int
                  ) -> dict[tuple[str, str], tuple[int, int, int, Decimal]]:
    with store.session() as s:
        households = {h.id: h for h in s.scalars(select(Household).where(
            Household.deleted.is_(False)))}
        plans = [p for p in s.scalars(select(AidPlan)) if not p.deleted
                 and p.household_id in households]
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    count: Counter[tuple[str, str]] = Counter()
    money: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for p in plans:
        unit = households[p.household_id].village_code[:width]
        if by == "measure":
            pairs = [(_label(cl.AID_MEASURE, p.measure), p.funds or Decimal(0))]
        else:
            pairs = [(label, getattr(p, f"funds_{c}")) for c, label in statistics.SOURCES
                     if (getattr(p, f"funds_{c}") or 0) > 0]
            if all(getattr(p, f"funds_{c}") is None for c, _ in statistics.SOURCES) \
                    and p.funds is not None:
                pairs.append((statistics.NO_SOURCE, p.funds))
        for key, amount in pairs:
            seen[(unit, key)].add(p.household_id)
            count[(unit, key)] += 1
            money[(unit, key)] += amount
    return {k: (len(v), sum(households[h].size for h in v), count[k], money[k])
            for k, v in seen.items()}


@pytest.mark.parametrize("level", ["county", "township", "village"])
@pytest.mark.parametrize("by", ["measure", "source"])
def test_plan_tables_equal_a_recount(store_with_facts: Store, by: str, level: str) -> None:
    with store_with_facts.session() as s:
        rows = statistics.stats(s, by, level)
    got = {(r.code, r.key): (r.households, r.people, r.plans, r.amount) for r in rows}
    assert got == recount_plans(store_with_facts, by, statistics.LEVELS[level])
    assert rows and all(set(r.as_dict()) == {"code", "name", "by", "key", "households",
                                             "people", "plans", "amount"} for r in rows)
    if by == "source":
        assert any(r.key == statistics.NO_SOURCE for r in rows)


@pytest.mark.parametrize("level", ["county", "township", "village"])
def test_incidence_equals_a_recount(store_with_facts: Store, level: str) -> None:
    width = statistics.LEVELS[level]
    with store_with_facts.session() as s:
        rows = statistics.stats(s, "incidence", level)
        facts = list(s.scalars(select(VillageFacts)))
        households = list(s.scalars(select(Household).where(Household.deleted.is_(False))))
    latest: dict[str, VillageFacts] = {}
    for f in facts:
        if f.village_code not in latest or f.year > latest[f.village_code].year:
            latest[f.village_code] = f
    poor: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for h in households:
        if h.stage in statistics.NOT_EXITED:
            poor[h.village_code[:width]][0] += 1
            poor[h.village_code[:width]][1] += h.size
    base: Counter[str] = Counter()
    for village, f in latest.items():
        base[village[:width]] += f.people_agricultural or 0
    lacking = {h.village_code[:width] for h in households
               if h.stage in statistics.NOT_EXITED and h.village_code not in latest}
    got = {r.code: r for r in rows}
    assert set(got) == set(poor) | set(base)
    for unit, r in got.items():
        assert (r.households, r.people) == tuple(poor[unit])
        if unit in lacking or not base[unit]:
            assert (r.key, r.rate) == (statistics.NO_BASE, None)
        else:
            assert r.key == statistics.RATE and r.base == base[unit]
            assert r.rate == (Decimal(poor[unit][1] * 100) / base[unit]).quantize(
                Decimal("0.01"))
    keys = {r.key for r in rows}
    if level == "village":
        assert keys == {statistics.RATE, statistics.NO_BASE}, "the last village has no facts"
    else:
        assert keys == {statistics.NO_BASE}, "a unit missing one village shows no rate"


def test_household_rows_keep_their_six_keys(demo_store: Store) -> None:
    with demo_store.session() as s:
        rows = statistics.stats(s, "cause", "village")
    assert rows and all(list(r.as_dict()) == ["code", "name", "by", "key", "households",
                                              "people"] for r in rows)


@pytest.mark.parametrize(("by", "odd"), [("skill", "9"), ("education", "77"), ("cause", "88"),
                                         ("measure", "42")])
def test_a_value_outside_the_code_list_is_counted_under_its_code(
        store_with_facts: Store, by: str, odd: str) -> None:
    """A store written under an older code list: the value is counted like any other (the
    member tables count by value, one column each, so it is looked up and counted too) and
    shown by its code, and every figure still equals the recount."""
    with store_with_facts.transaction() as s:
        registered = select(Household.id).where(Household.deleted.is_(False),
                                                Household.stage.in_(statistics.REGISTER))
        if by in MEMBER_DIMS:
            member = s.scalars(select(Member).where(
                Member.household_id.in_(registered), Member.deleted.is_(False),
                Member.change_reason.is_(None))).first()
            assert member is not None
            setattr(member, MEMBER_DIMS[by][0], odd)
        elif by == "cause":
            household = s.get(Household, s.scalars(registered).first())
            assert household is not None
            household.main_cause = odd
        else:
            plan = s.scalars(select(AidPlan).where(AidPlan.deleted.is_(False))).first()
            assert plan is not None
            plan.measure = odd
    width = statistics.LEVELS["village"]
    with store_with_facts.session() as s:
        rows = statistics.stats(s, by, "village")
    assert any(r.key == odd for r in rows)
    if by == "measure":
        assert {(r.code, r.key): (r.households, r.people, r.plans, r.amount) for r in rows} \
            == recount_plans(store_with_facts, by, width)
    else:
        assert {(r.code, r.key): (r.households, r.people) for r in rows} \
            == recount(store_with_facts, by, width)


def test_tables_at_once_equal_each_alone(store_with_facts: Store) -> None:
    """The report counts its tables together (shared passes): the same rows as one by one."""
    with store_with_facts.session() as s:
        together = statistics.tables(s, list(statistics.BY), "township")
        for by in statistics.BY:
            assert together[by] == statistics.stats(s, by, "township"), by
