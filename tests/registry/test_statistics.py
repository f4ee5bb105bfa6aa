"""Every statistics table equals a recount done here from the rows themselves, one
household and one member at a time (no GROUP BY), over the demo station."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date

import pytest
from sqlalchemy import select

from forms import codelists as cl
from registry import statistics
from registry.models import Helper, Household, Member, ProcedureEvent, Region
from registry.store import Store

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
@pytest.mark.parametrize("by", list(statistics.BY))
def test_each_table_equals_a_recount(demo_store: Store, by: str, level: str) -> None:
    with demo_store.session() as s:
        rows = statistics.stats(s, by, level)
        names = dict(s.execute(select(Region.code, Region.name)).all())
    got = {(r.code, r.key): (r.households, r.people) for r in rows}
    assert got == recount(demo_store, by, statistics.LEVELS[level])
    assert all(r.name == names.get(r.code, r.code) for r in rows)
    if by in ("stage", "attribute", "status"):
        assert rows, "the demo has households of every kind"
