"""A village's facts of one year (typed, VILLAGE_FACTS_FORM) and the 贫困村登记表's figures
counted from its households, helpers and team at the time asked, never stored:
建档立卡贫困户数 and 贫困人口 (registered, not yet 销号; their current members), 贫困发生率
= 贫困人口 / 农业户籍人口 (percent, 2 decimals; None without 农业户籍人口), households and
people 销号 per year, 帮扶责任人 and 驻村工作队."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import codelists as cl
from forms.fields import FieldType
from forms.validation import Invalid, clean_record
from forms.village import FACT_FIELDS, VILLAGE_FACTS_FORM
from registry import audit, roles
from registry.aid.helpers import NEEDS_HELPER
from registry.aid.teams import team
from registry.errors import NotFound, NotOwner
from registry.models import Helper, Household, Member, ProcedureEvent, Region, VillageFacts
from registry.poor_villages.ids import facts_id
from registry.procedure.record import Actor, store_kind
from registry.roles import Act

ENTITY = "village"  # audit entries of village rows name the village (sync/audit_cover.py)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def village_region(s: Session, village_code: str) -> Region:
    region = s.scalar(select(Region).where(Region.code == village_code,
                                           Region.level == "village",
                                           Region.deleted.is_(False)))
    if region is None:
        raise NotFound(f"没有行政村 {village_code}")
    return region


def facts_of(s: Session, village_code: str, year: int) -> VillageFacts | None:
    row = s.get(VillageFacts, facts_id(village_code, year))
    return row if row is not None and not row.deleted else None


def latest_year(s: Session, village_code: str) -> int | None:
    return s.scalar(select(func.max(VillageFacts.year)).where(
        VillageFacts.village_code == village_code, VillageFacts.deleted.is_(False)))


def set_facts(s: Session, actor: Actor, village_code: str, year: int,
              values: Mapping[str, Any]) -> VillageFacts:
    """Sets the facts named in `values` (others stay as they were); a value None clears
    one. Refused whole (Invalid beside each field) when one is out of range."""
    if store_kind(s) != "station":
        raise NotOwner("贫困村基本情况由乡镇工作站登记,县扶贫办不能修改")
    roles.require(actor.role, Act.VILLAGE_FACTS)
    village_region(s, village_code)
    unknown = set(values) - set(FACT_FIELDS)
    if unknown:
        raise NotFound(f"贫困村登记表没有这些项:{'、'.join(sorted(unknown))}")
    row = facts_of(s, village_code, year)
    current = {n: getattr(row, n) for n in FACT_FIELDS} if row is not None else {}
    raw = {**current, **values, "year": year}
    clean, errors = clean_record(VILLAGE_FACTS_FORM, raw)
    if errors:
        raise Invalid(errors)
    before = {n: current.get(n) for n in values} if row is not None else None
    if row is None:
        row = s.get(VillageFacts, facts_id(village_code, year))
        if row is None:
            row = VillageFacts(id=facts_id(village_code, year), village_code=village_code,
                               year=year)
            s.add(row)
    row.deleted = False
    for name in values:
        setattr(row, name, clean[name])
    s.flush()
    audit.record(s, actor.user, "village_facts", ENTITY, village_code, before=before,
                 after={"year": year, **{n: clean[n] for n in values}})
    return row


# ---- counted figures -------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    poor_households: int
    poor_people: int
    incidence: Decimal | None  # percent, 2 decimals
    exited_households: int  # 销号 in the year asked
    exited_people: int
    exits_by_year: dict[int, tuple[int, int]]  # year → (households, people) 销号
    helpers: int  # distinct 帮扶责任人 of the poor households
    covered: int  # poor households with a current helper
    team: list[tuple[str, str, str]] = field(default_factory=list)  # (name, role, unit)

    def as_json(self) -> dict[str, Any]:
        return {"poor_households": self.poor_households, "poor_people": self.poor_people,
                "incidence": None if self.incidence is None else str(self.incidence),
                "exited_households": self.exited_households,
                "exited_people": self.exited_people,
                "exits_by_year": {str(y): {"households": h, "people": p}
                                  for y, (h, p) in sorted(self.exits_by_year.items())},
                "helpers": self.helpers, "households_with_helper": self.covered,
                "team": [{"name": n, "role": r, "unit": u} for n, r, u in self.team]}


def incidence(poor_people: int, agricultural: int | None) -> Decimal | None:
    """贫困发生率 in percent (2 decimals), None when 农业户籍人口 is missing or 0."""
    if not agricultural:
        return None
    return (Decimal(poor_people) * HUNDRED / Decimal(agricultural)).quantize(
        CENT, rounding=ROUND_HALF_UP)


def _people(s: Session, household_ids: list[str]) -> dict[str, int]:
    """Current members per household (a member who left does not count)."""
    out: dict[str, int] = defaultdict(int)
    for start in range(0, len(household_ids), 500):
        chunk = household_ids[start:start + 500]
        for hid, n in s.execute(select(Member.household_id, func.count())
                                .where(Member.household_id.in_(chunk),
                                       Member.deleted.is_(False),
                                       Member.change_reason.is_(None))
                                .group_by(Member.household_id)):
            out[hid] = int(n)
    return out


def figures(s: Session, village_code: str, year: int, on: date | None = None) -> Figures:
    on = on or date.today()
    poor = list(s.scalars(select(Household.id).where(
        Household.village_code == village_code, Household.deleted.is_(False),
        Household.stage.in_(NEEDS_HELPER))))
    people = _people(s, poor)
    poor_people = sum(people[h] for h in poor)
    facts = facts_of(s, village_code, year)
    # 销号 by the year its step records (else the date's year), the latest 销号 of a
    # household counting once per year.
    exits: dict[int, set[str]] = defaultdict(set)
    for hid, when, facts_json in s.execute(
            select(ProcedureEvent.household_id, ProcedureEvent.event_date,
                   ProcedureEvent.facts)
            .join(Household, Household.id == ProcedureEvent.household_id)
            .where(Household.village_code == village_code, Household.deleted.is_(False),
                   ProcedureEvent.step == "exit_close", ProcedureEvent.result == "pass",
                   ProcedureEvent.deleted.is_(False))):
        exits[_year_of(facts_json, when)].add(hid)
    exited = sorted({h for hs in exits.values() for h in hs})
    exit_people = _people(s, exited)
    by_year = {y: (len(hs), sum(exit_people[h] for h in hs)) for y, hs in exits.items()}
    helpers = s.execute(
        select(Helper.household_id, Helper.name, Helper.unit)
        .where(Helper.household_id.in_(poor), Helper.deleted.is_(False),
               (Helper.start_date.is_(None)) | (Helper.start_date <= on),
               (Helper.end_date.is_(None)) | (Helper.end_date >= on))).all() if poor else []
    members = [(m.name, cl.TEAM_ROLE.label_of(m.role), m.unit or "")
               for m in team(s, village_code, on)]
    return Figures(
        poor_households=len(poor), poor_people=poor_people,
        incidence=incidence(poor_people, facts.people_agricultural if facts else None),
        exited_households=by_year.get(year, (0, 0))[0],
        exited_people=by_year.get(year, (0, 0))[1], exits_by_year=by_year,
        helpers=len({(n, u) for _, n, u in helpers}),
        covered=len({h for h, _, _ in helpers}), team=members)


def _year_of(facts_json: str | None, when: date) -> int:
    try:
        year = json.loads(facts_json or "{}").get("year")
        return int(year) if year else when.year
    except (ValueError, TypeError, AttributeError):
        return when.year


def fact_values(row: VillageFacts | None) -> dict[str, Any]:
    return {n: (getattr(row, n) if row is not None else None) for n in FACT_FIELDS}


def fact_text(name: str, value: Any) -> str:
    """A fact as the 登记表 prints it: 是/否, the number with its unit, or blank."""
    f = VILLAGE_FACTS_FORM[name]
    if value is None or value == "":
        return ""
    if f.type is FieldType.BOOL:
        return "是" if value else "否"
    return f"{value}"
