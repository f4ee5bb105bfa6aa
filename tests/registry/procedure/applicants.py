"""Households that have just applied (stage 农户申请), registered the way the app does it
(registry.bulk, which records each one's application), for the procedure tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from registry import bulk, demo
from registry.models import Member
from registry.store import Store

_H = [f.name for f in HOUSEHOLD_FORM.inputs()]
_M = [f.name for f in MEMBER_FORM.inputs()]


def first_village(store: Store) -> str:
    from registry import villages
    return villages.load_villages(store)[0].code


def add_applicants(store: Store, village_code: str, households: int, seed: int = 3,
                   applied_days_ago: int = 60) -> list[str]:
    """`households` new households of one village at 农户申请, applied `applied_days_ago`
    days ago; returns their ids."""
    with store.session() as s:
        known = set(s.scalars(select(Member.id_number)))
    rows = demo.build_rows([village_code], store.info.county_code, households, seed,
                           known_ids=known)
    members: dict[str, list[dict[str, Any]]] = {}
    for m in rows.members:
        members.setdefault(m["household_id"], []).append({k: m.get(k) for k in _M})
    items = [({k: h.get(k) for k in _H if k != "stage"} | {
        "poverty_status": "1", "exit_year": None}, members[h["id"]])
        for h in rows.households]
    with store.transaction() as s:
        result = bulk.register_households(
            s, store.user, items, role=store.role,
            applied_on=date.today() - timedelta(days=applied_days_ago))
    return result.household_ids
