"""Income by 年度: each year's record is kept (household_income); the household row shows
the latest year's, so lists sort and filter on it in SQL. Written by the household's save
(its 收入年度 field) and by `income set`; both go through `put_income`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.household import INCOME_FIELDS, TRANSFER_FIELDS
from registry import derived
from registry.aid.ids import income_id
from registry.errors import NotFound
from registry.models import Household, HouseholdIncome, Member

MONEY_FIELDS = (*INCOME_FIELDS, *TRANSFER_FIELDS, "business_expense")
DERIVED_FIELDS = ("income_transfer", "net_income", "net_income_per_capita")


def has_income(values: Mapping[str, Any]) -> bool:
    return any(values.get(n) is not None for n in MONEY_FIELDS)


def put_income(s: Session, h: Household, year: int, values: Mapping[str, Any],
               size: int | None = None) -> HouseholdIncome:
    """Writes `year`'s income of `h` (replacing that year's, keeping other years') and, when
    it is the latest year, copies it onto the household row. `values` hold the money
    fields, already validated (Decimal or None)."""
    if size is None:
        size = h.size
    facts = derived.household_facts(values, [{"relation": None}] * size)
    row = s.get(HouseholdIncome, income_id(h.id, year))
    if row is None:
        row = HouseholdIncome(id=income_id(h.id, year), household_id=h.id, year=year)
        s.add(row)
    row.deleted = False
    for name in MONEY_FIELDS:
        setattr(row, name, values.get(name))
    row.size = size
    for name in DERIVED_FIELDS:
        setattr(row, name, facts[name])
    if h.income_year is None or year >= h.income_year:
        h.income_year = year
        for name in MONEY_FIELDS:
            setattr(h, name, values.get(name))
        for name in DERIVED_FIELDS:
            setattr(h, name, facts[name])
    return row


def income_row(h: Mapping[str, Any]) -> dict[str, Any]:
    """The household_income row of a household being inserted in bulk (its values already
    hold the derived sums and `income_year`)."""
    return {"id": income_id(h["id"], h["income_year"]), "household_id": h["id"],
            "year": h["income_year"], "size": h.get("size") or 0,
            **{n: h.get(n) for n in (*MONEY_FIELDS, *DERIVED_FIELDS)}}


def incomes(s: Session, household_id: str) -> list[HouseholdIncome]:
    """Every year's income of a household, oldest first."""
    return list(s.scalars(select(HouseholdIncome).where(
        HouseholdIncome.household_id == household_id, HouseholdIncome.deleted.is_(False))
        .order_by(HouseholdIncome.year)))


def income_of(s: Session, household_id: str, year: int) -> HouseholdIncome | None:
    row = s.get(HouseholdIncome, income_id(household_id, year))
    return row if row is not None and not row.deleted else None


def household(s: Session, household_id: str) -> Household:
    h = s.get(Household, household_id)
    if h is None or h.deleted:
        raise NotFound(f"户 {household_id} 不存在或已删除")
    return h


def current_size(s: Session, household_id: str) -> int:
    return sum(1 for m in s.scalars(select(Member).where(
        Member.household_id == household_id, Member.deleted.is_(False)))
        if m.change_reason is None)


def default_year(today: date | None = None) -> int:
    return (today or date.today()).year


def money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)
