"""The 帮扶 and 动态管理 work the desktop (and anyone holding an open store) does, each call
one short session of its own, as the logged-in user and role: a household's helpers, plans
and yearly incomes; member changes; a village's 结对帮扶, 驻村工作队 and 帮扶规划; the yearly
review (年度动态调整). Callers hold no session and write no SQL; results are plain
dataclasses with a form's values keyed by its field names (forms/aid.py), so screens lay
them out from the same definitions.

The core refuses what the role may not do; nothing is written then (one transaction each).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from forms import codelists as cl
from forms.aid import AID_PLAN_FORM, HELPER_FORM, TEAM_MEMBER_FORM, VILLAGE_PLAN_FORM
from forms.checklists import checklist_for
from forms.fields import Form
from forms.household import HOUSEHOLD_FORM
from forms.validation import FieldError, Invalid, clean_record
from registry.aid import helpers, incomes, members, plans, review, teams
from registry.aid.common import log, may_write
from registry.aid.poverty_line import Lines, describe
from registry.households import member_values
from registry.models import Household, YearlyReview
from registry.procedure.exits import answers
from registry.procedure.record import Actor
from registry.procedure.steps import stage_name
from registry.store import Store


def actor(store: Store) -> Actor:
    return Actor(store.user, store.role)


def _values(form: Form, row: Any, extra: Sequence[str] = ()) -> dict[str, Any]:
    return {**{f.name: getattr(row, f.name, None) for f in form.fields},
            **{n: getattr(row, n) for n in extra}}


@dataclass(frozen=True)
class Row:
    """A helper, plan, team member or village plan: its id and its form's values."""

    id: str
    values: dict[str, Any]
    current: bool = True  # a helper or team member still serving today


# ---- a household's 帮扶 (the editor's tab) --------------------------------------------------
@dataclass(frozen=True)
class IncomeYear:
    year: int
    size: int
    values: dict[str, Any]  # the money fields as entered (Decimal or None)
    net_income: Decimal | None
    per_capita: Decimal | None
    line: Decimal | None
    above_line: bool | None
    standing: str  # 高于2016年国家标准 3000 元 / 低于或等于… / 未填收入

    @property
    def standing_short(self) -> str:
        return {True: "线上", False: "线下"}.get(self.above_line, "—") \
            if self.above_line is not None else "—"


@dataclass(frozen=True)
class HouseholdAid:
    household_id: str
    head_name: str
    village_code: str
    stage: str
    status: str  # 脱贫状态's label (from the steps, never typed)
    exit_year: int | None
    helpers: list[Row]  # earliest first
    plans: list[Row]  # by year
    incomes: list[IncomeYear]  # oldest first
    members: list[dict[str, Any]] = field(default_factory=list)  # current ones, with ids

    @property
    def current_helper(self) -> Row | None:
        return next((h for h in reversed(self.helpers) if h.current), None)

    @property
    def stage_label(self) -> str:
        return stage_name(self.stage)


def _income_years(s: Any, h: Household) -> list[IncomeYear]:
    lines = Lines(s)
    out = []
    for r in incomes.incomes(s, h.id):
        line = lines.line(r.year, h.identification_standard)
        out.append(IncomeYear(
            r.year, r.size, {n: getattr(r, n) for n in incomes.MONEY_FIELDS}, r.net_income,
            r.net_income_per_capita, line.amount if line else None,
            lines.above(r.net_income_per_capita, r.year, h.identification_standard),
            describe(r.net_income_per_capita, line)))
    return out


def household_aid(store: Store, household_id: str) -> HouseholdAid:
    with store.session() as s:
        h = incomes.household(s, household_id)
        current = helpers.current(s, household_id)
        helper_rows = [Row(x.id, _values(HELPER_FORM, x),
                           current is not None and x.id == current.id)
                       for x in helpers.history(s, household_id)]
        plan_rows = [Row(p.id, _values(AID_PLAN_FORM, p)) for p in plans.plans(s, household_id)]
        people = [{**member_values(m), "id": m.id} for m in h.members
                  if not m.deleted and m.change_reason is None]
        return HouseholdAid(h.id, h.head_name or "", h.village_code, h.stage or "",
                            cl.POVERTY_STATUS.label_of(h.poverty_status)
                            if h.poverty_status else "", h.exit_year, helper_rows,
                            plan_rows, _income_years(s, h), people)


def assign_helper(store: Store, household_ids: Sequence[str], values: Mapping[str, Any]
                  ) -> int:
    """One cadre becomes the current helper of every household (all or nothing)."""
    with store.transaction() as s:
        return len(helpers.assign(s, actor(store), household_ids, values))


def end_helper(store: Store, helper_id: str, on: date, reason: str | None = None) -> None:
    with store.transaction() as s:
        helpers.end(s, actor(store), helper_id, on, reason)


def add_plan(store: Store, household_id: str, values: Mapping[str, Any]) -> str:
    with store.transaction() as s:
        return plans.add_plan(s, actor(store), household_id, values).id


def update_plan(store: Store, plan_id: str, values: Mapping[str, Any]) -> None:
    with store.transaction() as s:
        plans.update_plan(s, actor(store), plan_id, values)


def remove_plan(store: Store, plan_id: str, reason: str) -> None:
    with store.transaction() as s:
        plans.remove_plan(s, actor(store), plan_id, reason)


def set_income(store: Store, household_id: str, year: int | str | None,
               raw: Mapping[str, Any]) -> IncomeYear:
    """Enters (or corrects) one year's income; other years stay. Invalid names the field."""
    values, errors = clean_record(HOUSEHOLD_FORM, {"income_year": year, **raw})
    wanted = {*incomes.MONEY_FIELDS, "income_year"}
    errors = [e for e in errors if e.field in wanted]
    if values.get("income_year") is None and not any(e.field == "income_year" for e in errors):
        errors.append(FieldError("income_year", "请填写收入年度"))
    if errors:
        raise Invalid(errors)
    with store.transaction() as s:
        a = actor(store)
        may_write(s, a)
        h = incomes.household(s, household_id)
        money = {n: values.get(n) for n in incomes.MONEY_FIELDS}
        size = incomes.current_size(s, household_id)
        row = incomes.put_income(s, h, values["income_year"], money, size)
        s.flush()
        log(s, a, "income_set", h.id, {"year": row.year, **money})
        return next(i for i in _income_years(s, h) if i.year == row.year)


# ---- 成员变更 ------------------------------------------------------------------------------
def member_leaves(store: Store, household_id: str, member_id: str, reason: str, on: date,
                  evidence: str | None = None) -> dict[str, Any]:
    """减员; returns the member's values as they now stand (with the change)."""
    with store.transaction() as s:
        m = members.member_leaves(s, actor(store), household_id, member_id, reason, on,
                                  evidence)
        return {**member_values(m), "id": m.id}


def member_joins(store: Store, household_id: str, values: Mapping[str, Any], reason: str,
                 on: date, evidence: str | None = None) -> dict[str, Any]:
    """增员; returns the new member's values with its id."""
    with store.transaction() as s:
        m = members.member_joins(s, actor(store), household_id, values, reason, on, evidence)
        return {**member_values(m), "id": m.id}


# ---- a village: 结对帮扶, 驻村工作队, 帮扶规划 -------------------------------------------------
@dataclass(frozen=True)
class RosterRow:
    household_id: str
    group_no: int | None
    head_name: str
    size: int
    stage: str
    helper: str  # the current helper's name ("" none)
    helper_unit: str
    since: date | None

    @property
    def stage_label(self) -> str:
        return stage_name(self.stage)


def village_roster(store: Store, village_code: str) -> list[RosterRow]:
    """The village's households that need a helper, each with its current one."""
    with store.session() as s:
        return [RosterRow(h.id, h.group_no, h.head_name or "", h.size or 0, h.stage or "",
                          x.name if x else "", (x.unit or "") if x else "",
                          x.start_date if x else None)
                for h, x in helpers.roster(s, village_code)]


def team(store: Store, village_code: str, all_time: bool = True) -> list[Row]:
    today = date.today()
    with store.session() as s:
        return [Row(m.id, _values(TEAM_MEMBER_FORM, m),
                    m.start_date <= today and (m.end_date is None or m.end_date >= today))
                for m in teams.team(s, village_code, all_time=all_time)]


def add_team_member(store: Store, village_code: str, values: Mapping[str, Any]) -> str:
    with store.transaction() as s:
        return teams.add_member(s, actor(store), village_code, values).id


def end_team_member(store: Store, member_id: str, on: date) -> None:
    with store.transaction() as s:
        teams.end_member(s, actor(store), member_id, on)


def village_plans(store: Store, village_code: str) -> list[Row]:
    with store.session() as s:
        return [Row(p.id, _values(VILLAGE_PLAN_FORM, p))
                for p in plans.village_plans(s, village_code)]


def add_village_plan(store: Store, village_code: str, values: Mapping[str, Any]) -> str:
    with store.transaction() as s:
        return plans.add_village_plan(s, actor(store), village_code, values).id


# ---- 年度动态调整 --------------------------------------------------------------------------
def open_years(store: Store) -> list[int]:
    """The years the 年度动态调整 screen offers: a station's opened years, an office's
    reviewed years (it opens none)."""
    with store.session() as s:
        return review.reviewed_years(s) if store.info.office else review.open_years(s)


def open_year(store: Store, year: int) -> int:
    with store.transaction() as s:
        return review.open_year(s, actor(store), year).year


def review_list(store: Store, village_code: str, year: int) -> list[review.ReviewRow]:
    with store.session() as s:
        return review.review_list(s, village_code, year)


@dataclass(frozen=True)
class ReviewDetail:
    """One household's review of a year, for its form: the checklist items with the
    answers so far, the proposal, the income of the year."""

    household_id: str
    head_name: str
    year: int
    items: list[tuple[str, str, str]]  # key, label, hint
    answers: dict[str, bool]
    proposal: str | None
    note: str
    income: IncomeYear | None
    checklist_name: str


def review_detail(store: Store, household_id: str, year: int) -> ReviewDetail:
    with store.session() as s:
        h = incomes.household(s, household_id)
        checklist = checklist_for(h.village_code, year)
        row = s.scalar(select(YearlyReview).where(
            YearlyReview.household_id == household_id, YearlyReview.year == year,
            YearlyReview.deleted.is_(False)))
        income = next((i for i in _income_years(s, h) if i.year == year), None)
        return ReviewDetail(h.id, h.head_name or "", year,
                            [(i.key, i.label, i.hint) for i in checklist.items],
                            answers(row.checklist) if row else {},
                            row.proposal if row else None, (row.note or "") if row else "",
                            income, checklist.name)


def set_review(store: Store, household_id: str, year: int,
               checklist: Mapping[str, bool | None], proposal: str | None = None,
               note: str | None = None) -> None:
    with store.transaction() as s:
        review.set_review(s, actor(store), household_id, year, checklist, proposal, note)
