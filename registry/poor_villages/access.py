"""The 贫困村 functions on an open store, for the desktop (which holds no session): read a
village's 登记表 (facts and counted figures), save a year's facts as the logged-in user."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.validation import FieldError, Invalid, coerce
from forms.village import FACT_FIELDS, VILLAGE_FACTS_FORM
from registry.poor_villages.facts import set_facts
from registry.poor_villages.sheet import VillageSheet, village_sheet
from registry.procedure.record import Actor
from registry.store import Store


def load_sheet(store: Store, village_code: str, year: int | None = None) -> VillageSheet:
    with store.session() as s:
        return village_sheet(s, village_code, year)


def save_facts(store: Store, village_code: str, raw: Mapping[str, Any]) -> int:
    """Saves every fact of the form for the year `raw` names (an entry screen gives them
    all); returns the year. Invalid (beside each field) when a value is wrong."""
    try:
        year = coerce(VILLAGE_FACTS_FORM["year"], raw.get("year"))
    except ValueError as e:
        raise Invalid([FieldError("year", str(e))]) from None
    if year is None:
        raise Invalid([FieldError("year", "请填写年度")])
    with store.transaction() as s:
        set_facts(s, Actor(store.user, store.role), village_code, int(year),
                  {n: raw.get(n) for n in FACT_FIELDS})
    return int(year)
