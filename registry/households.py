"""Registering and correcting households (户建卡): validate with forms/, refuse an ID
number already in the store, compute derived values, write, audit — in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from forms.validation import FieldError, Invalid, validate_household
from registry import audit, derived
from registry.aid import incomes
from registry.errors import NotFound, NotOwner
from registry.models import Household, Member, ProcedureEvent, Region
from registry.procedure.record import applications, store_kind
from registry.tracking import bulk_insert

_HOUSEHOLD_INPUTS = [f.name for f in HOUSEHOLD_FORM.inputs()]
_MEMBER_INPUTS = [f.name for f in MEMBER_FORM.inputs()]
# Carried through an edit: set by the member-change dialog (registry/aid/members.py).
MEMBER_KEEP = ("id", "change_reason", "change_date", "joined_reason", "joined_date",
               "change_evidence")


@dataclass(frozen=True)
class Registered:
    """Where an ID number is already registered, for the duplicate message."""

    household_id: str
    member_name: str
    village_name: str
    head_name: str | None


def find_id_numbers(session: Session, numbers: Sequence[str],
                    exclude_household: str | None = None) -> dict[str, Registered]:
    if not numbers:
        return {}
    q = (select(Member.id_number, Member.household_id, Member.name, Region.name,
                Household.head_name)
         .join(Household, Member.household_id == Household.id)
         .join(Region, Region.code == Household.village_code, isouter=True)
         .where(Member.id_number.in_(list(numbers)), Member.deleted.is_(False),
                Household.deleted.is_(False)))
    if exclude_household:
        q = q.where(Member.household_id != exclude_household)
    return {n: Registered(h, name, village or "", head)
            for n, h, name, village, head in session.execute(q)}


def _village_error(session: Session, code: Any) -> FieldError | None:
    if not code:
        return None
    region = session.execute(select(Region).where(Region.code == code)).scalar()
    if region is None or region.level != "village" or region.deleted:
        return FieldError("village_code", f"本站没有行政村 {code}")
    return None


def save_household(session: Session, user: str, household: Mapping[str, Any],
                   members: Sequence[Mapping[str, Any]], household_id: str | None = None,
                   reason: str | None = None, role: str | None = None,
                   applied_on: date | None = None) -> Household:
    """Creates (no id) or replaces the household's values and member rows.

    Members are matched by their `id` key; rows not sent are tombstoned. Raises Invalid
    with every problem, per field, in Chinese; nothing is written then. A new household
    is an application: its 农户申请 step is recorded with it (on `applied_on`, today by
    default). At a county the households are the stations': refused (NotOwner).
    """
    refuse_at_county(session)
    clean = validate_household(household, members)
    errors: list[FieldError] = []
    village_error = _village_error(session, clean.household.get("village_code"))
    if village_error:
        errors.append(village_error)
    numbers = [m.get("id_number") or "" for m in clean.members]
    for number, where in find_id_numbers(session, [n for n in numbers if n],
                                         household_id).items():
        errors.append(FieldError(
            "id_number",
            f"身份证号码已登记在{where.village_name}{where.head_name or ''}户"
            f"(成员 {where.member_name}),同一人不能重复登记", numbers.index(number)))
    if errors:
        raise Invalid(errors)

    if household_id is None:
        row = Household()
        session.add(row)
        before = None
        existing: dict[str, Member] = {}
    else:
        found = session.execute(
            select(Household).where(Household.id == household_id)
            .options(selectinload(Household.members))
        ).scalar()
        if found is None or found.deleted:
            raise NotFound("该户不存在或已删除")
        row = found
        before = household_snapshot(row)
        existing = {m.id: m for m in row.members if not m.deleted}

    for name in _HOUSEHOLD_INPUTS:
        setattr(row, name, clean.household.get(name))

    kept: list[Member] = []
    for position, (raw, values) in enumerate(zip(members, clean.members, strict=True)):
        member = existing.pop(str(raw.get("id")), None) if raw.get("id") else None
        if member is None:
            member = Member(household=row)
            session.add(member)
        for name in _MEMBER_INPUTS:
            setattr(member, name, values.get(name))
        for name, value in derived.member_facts(values).items():
            setattr(member, name, value)
        member.position = position
        for name in MEMBER_KEEP[1:]:
            setattr(member, name, raw.get(name) or None)
        member.no_id_number = bool(values.get("no_id_number"))
        kept.append(member)
    for gone in existing.values():
        gone.deleted = True

    facts = derived.household_facts(
        clean.household, [{**member_values(m), "deleted": m.deleted} for m in kept])
    for name, value in facts.items():
        setattr(row, name, value)
    if incomes.has_income(clean.household):
        year = clean.household.get("income_year") or incomes.default_year()
        latest_year = before.get("income_year") if before else None
        row.income_year = latest_year
        session.flush()
        latest = (incomes.income_of(session, row.id, latest_year)
                  if latest_year is not None and year < latest_year else None)
        incomes.put_income(session, row, year, clean.household, facts["size"])
        if latest is not None:  # an earlier year corrected: the row shows the latest year's
            incomes.put_income(session, row, latest.year, {
                n: getattr(latest, n) for n in incomes.MONEY_FIELDS}, facts["size"])
    session.flush()
    if before is None:
        bulk_insert(session, ProcedureEvent,
                    applications([row.id], user, role, applied_on or date.today()))
    audit.record(session, user, "create" if before is None else "update", "household", row.id,
                 before=before, after=household_snapshot(row), reason=reason)
    return row


NOT_OWNER = ("县扶贫办不能修改乡镇工作站登记的农户。请退回乡镇修改"
             "(县审定 → 退回,并写明要改什么)。")


def not_owner(kind: str, what: str = "登记的农户", at_county: str = NOT_OWNER) -> str:
    """Why an office may not change a station's records (`what`): the county's answer is
    退回 (`at_county`); a city or the province only adds up what its counties send."""
    if kind == "county":
        return at_county
    return f"市(州)、省的库汇总各县报送的数据,不能修改乡镇工作站{what};请由乡镇修改后逐级报送。"


def refuse_at_county(session: Session) -> None:
    """Households belong to their station; the county's corrections travel as 退回."""
    kind = store_kind(session)
    if kind != "station":
        raise NotOwner(not_owner(kind))


def delete_household(session: Session, user: str, household_id: str, reason: str) -> None:
    """A tombstone, never a DELETE: the sync and the audit keep the history."""
    refuse_at_county(session)
    row = session.get(Household, household_id)
    if row is None or row.deleted:
        raise NotFound("该户不存在或已删除")
    if not reason.strip():
        raise Invalid([FieldError("reason", "删除必须填写原因")])
    before = household_snapshot(row)
    row.deleted = True
    for m in row.members:
        m.deleted = True
    session.flush()
    audit.record(session, user, "delete", "household", row.id, before=before, reason=reason)


def get_household(session: Session, household_id: str) -> Household:
    row = session.execute(
        select(Household).where(Household.id == household_id)
        .options(selectinload(Household.members))
    ).scalar()
    if row is None:
        raise NotFound("该户不存在")
    return row


def household_values(row: Household) -> dict[str, Any]:
    """The household's input values, keyed by forms/ field names (for editors/exports)."""
    return {name: getattr(row, name) for name in _HOUSEHOLD_INPUTS}


def member_values(row: Member) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in _MEMBER_INPUTS}
    values.update({k: getattr(row, k) for k in MEMBER_KEEP})
    values.update(sex=row.sex, birth_date=row.birth_date)
    return values


def current_members(row: Household) -> list[Member]:
    return [m for m in row.members if m.is_current]


def household_snapshot(row: Household) -> dict[str, Any]:
    return {**household_values(row),
            "members": [member_values(m) for m in row.members if not m.deleted]}
