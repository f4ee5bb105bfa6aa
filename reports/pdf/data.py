"""What the printed documents read from the store: households with their current members,
keyed by forms/ field names, and the names of the places they belong to.

Plain column selects (no ORM objects): a township register reads 20,000 households and
60,000 members, and building objects for them would cost more than the reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from forms.aid import AID_PLAN_FORM, HELPER_FORM
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from registry import derived
from registry.errors import UserError
from registry.models import (
    AidPlan,
    Helper,
    Household,
    HouseholdIncome,
    Member,
    Region,
    VillageGroup,
    YearlyReview,
)

# forms/ field name → Household attribute, where the two differ.
HOUSEHOLD_ATTRS = {"household_size": "size"}


class ReportError(UserError):
    """Nothing to print, or an unknown village: a Chinese message for the user."""


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    township: str
    county: str
    city: str
    province: str
    groups: dict[int, str] = field(default_factory=dict)

    def group_name(self, number: int | None) -> str:
        if number is None:
            return ""
        return self.groups.get(number) or f"{number}组"

    @property
    def township_code(self) -> str:
        return self.code[:9]


@dataclass
class HouseholdRecord:
    id: str
    village_code: str
    values: dict[str, Any]  # household fields by forms/ name, computed ones included
    members: list[dict[str, Any]]  # current members, member fields by forms/ name
    helpers: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    # with_aid (the 扶贫手册): every year's income, yearly reviews and member changes.
    incomes: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def group_no(self) -> int | None:
        value = self.values.get("group_no")
        return int(value) if value is not None else None

    @property
    def head_name(self) -> str:
        return str(self.values.get("head_name") or "")

    @property
    def size(self) -> int:
        return int(self.values.get("household_size") or 0)


def villages(session: Session, codes: Sequence[str] | None = None) -> list[Village]:
    """The station's villages (or these), with the names of township, county, city."""
    names = dict(session.execute(select(Region.code, Region.name)).all())
    q = select(Region.code, Region.name).where(Region.level == "village",
                                               Region.deleted.is_(False))
    if codes is not None:
        q = q.where(Region.code.in_(list(codes)))
    groups: dict[str, dict[int, str]] = {}
    for v, n, name in session.execute(
            select(VillageGroup.village_code, VillageGroup.number, VillageGroup.name)
            .where(VillageGroup.deleted.is_(False))).all():
        groups.setdefault(v, {})[n] = name or f"{n}组"
    return [Village(code, name, names.get(code[:9], ""), names.get(code[:6], ""),
                    names.get(code[:4], ""), names.get(code[:2], ""), groups.get(code, {}))
            for code, name in session.execute(q.order_by(Region.code)).all()]


def village(session: Session, code: str) -> Village:
    found = villages(session, [code])
    if not found:
        raise ReportError(f"本站没有行政村 {code},请检查12位行政村代码")
    return found[0]


def _household_values(row: Any) -> dict[str, Any]:
    values = {}
    for f in HOUSEHOLD_FORM.fields:
        values[f.name] = row[HOUSEHOLD_ATTRS.get(f.name, f.name)]
    return values


def _member_values(row: Any, today: date) -> dict[str, Any]:
    values = {f.name: row[f.name] for f in MEMBER_FORM.fields if f.name != "age"}
    values["age"] = derived.age(row["birth_date"], today) if row["birth_date"] else None
    return values


def _sort_key(record: HouseholdRecord, pinyin: str) -> tuple[Any, ...]:
    group = record.group_no
    return (record.village_code, group is None, group or 0, pinyin, record.id)


def load_households(session: Session, village_codes: Sequence[str] | None = None,
                    stages: Sequence[str] | None = None, household_ids: Sequence[str] | None
                    = None, with_aid: bool = False, today: date | None = None
                    ) -> list[HouseholdRecord]:
    """Live households with their current members, sorted by village, group and the
    head's name in pinyin order (the order a clerk looks names up in)."""
    today = today or date.today()
    hh = Household.__table__
    where: list[ColumnElement[bool]] = [hh.c.deleted.is_(False)]
    if village_codes is not None:
        where.append(hh.c.village_code.in_(list(village_codes)))
    if stages is not None:
        where.append(hh.c.stage.in_(list(stages)))
    if household_ids is not None:
        where.append(hh.c.id.in_(list(household_ids)))
    q: Select[Any] = select(hh).where(*where)
    records: dict[str, HouseholdRecord] = {}
    for row in session.execute(q).mappings():
        records[row["id"]] = HouseholdRecord(row["id"], row["village_code"],
                                             _household_values(row), [])
    if not records:
        return []
    mt = Member.__table__
    mq = (select(mt).join(hh, hh.c.id == mt.c.household_id)
          .where(mt.c.deleted.is_(False), mt.c.change_reason.is_(None))
          .where(*where)  # the households' own filter
          .order_by(mt.c.household_id, mt.c.position))
    pinyin: dict[str, str] = {}
    for row in session.execute(mq).mappings():
        record = records.get(row["household_id"])
        if record is None:
            continue
        record.members.append(_member_values(row, today))
        if row["relation"] == "01" and row["household_id"] not in pinyin:
            pinyin[row["household_id"]] = row["name_pinyin"] or row["name"]
    if with_aid:
        _attach_aid(session, records)
    return sorted(records.values(), key=lambda r: _sort_key(r, pinyin.get(r.id, "")))


_INCOME_COLUMNS = ("year", "size", "net_income", "net_income_per_capita")
_REVIEW_COLUMNS = ("year", "checklist", "proposal", "reviewed_on", "reviewed_by", "note")


def _attach_aid(session: Session, records: dict[str, HouseholdRecord]) -> None:
    """Helpers (with their history), plans, yearly incomes, reviews and member changes of
    every record: one query per kind and 500 households."""
    ids = list(records)
    helper_names = [f.name for f in HELPER_FORM.fields]
    it, rt, mt = HouseholdIncome.__table__, YearlyReview.__table__, Member.__table__
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for row in session.execute(
                select(it.c.household_id, *(it.c[c] for c in _INCOME_COLUMNS))
                .where(it.c.household_id.in_(part), it.c.deleted.is_(False))
                .order_by(it.c.household_id, it.c.year)).mappings():
            records[row["household_id"]].incomes.append(
                {c: row[c] for c in _INCOME_COLUMNS})
        for row in session.execute(
                select(rt.c.household_id, *(rt.c[c] for c in _REVIEW_COLUMNS))
                .where(rt.c.household_id.in_(part), rt.c.deleted.is_(False))
                .order_by(rt.c.household_id, rt.c.year)).mappings():
            records[row["household_id"]].reviews.append(
                {c: row[c] for c in _REVIEW_COLUMNS})
        for row in session.execute(
                select(mt.c.household_id, mt.c.name, mt.c.change_reason, mt.c.change_date,
                       mt.c.joined_reason, mt.c.joined_date, mt.c.change_evidence)
                .where(mt.c.household_id.in_(part), mt.c.deleted.is_(False),
                       (mt.c.change_reason.is_not(None)) | (mt.c.joined_reason.is_not(None)))
                ).mappings():
            record = records[row["household_id"]]
            if row["joined_reason"]:
                record.changes.append({"name": row["name"], "kind": "增员",
                                       "reason": row["joined_reason"],
                                       "on": row["joined_date"],
                                       "evidence": row["change_evidence"]})
            if row["change_reason"]:
                record.changes.append({"name": row["name"], "kind": "减员",
                                       "reason": row["change_reason"],
                                       "on": row["change_date"],
                                       "evidence": row["change_evidence"]})
        for h in session.execute(
                select(Helper).where(Helper.household_id.in_(part), Helper.deleted.is_(False))
                .order_by(Helper.start_date, Helper.created_at)).scalars():
            records[h.household_id].helpers.append(
                {n: getattr(h, n) for n in helper_names})
        for p in session.execute(
                select(AidPlan).where(AidPlan.household_id.in_(part),
                                      AidPlan.deleted.is_(False))
                .order_by(AidPlan.year, AidPlan.created_at)).scalars():
            records[p.household_id].plans.append(
                {f.name: getattr(p, f.name) for f in AID_PLAN_FORM.fields})
    for record in records.values():
        record.changes.sort(key=lambda c: c["on"] or date.min)
