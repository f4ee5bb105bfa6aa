"""The household work the desktop does on an open store, each call one short session of its
own: search as you type, a page of table rows, counts per village and group, one household
in full, save, delete. Callers hold no session and write no SQL (the desktop runs these in
its DB worker; the household table fetches a page on the UI thread, a few ms)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from registry import households as hh
from registry import search, statistics, villages
from registry.errors import NotOwner
from registry.models import Region
from registry.roles import Act
from registry.search import HouseholdFilter, HouseholdRow
from registry.store import Store

FACTS = ("head_name", "head_id_number", "size", "income_transfer", "net_income",
         "net_income_per_capita", "deleted", "stage", "poverty_status", "exit_year")


@dataclass
class HouseholdDetail:
    id: str
    values: dict[str, Any]
    facts: dict[str, Any]  # head_name, size, net income, stage (derived from the steps)…
    members: list[dict[str, Any]]  # current members
    village_name: str
    # Members who left (迁出, 死亡…): not edited in the editor, but sent back on save so
    # their history is kept (save_household tombstones rows it is not sent).
    departed: list[dict[str, Any]]


@dataclass(frozen=True)
class HouseholdHead:
    """Who a household is, in a word: for dialogs that name the selected household."""

    id: str
    head_name: str
    village_code: str


def find_households(store: Store, f: HouseholdFilter, sort: str = "village",
                    descending: bool = False) -> search.Hits:
    """Bounded for broad text ("li", "5134"): see registry.search.find_households."""
    with store.session() as s:
        return search.find_households(s, f, sort=sort, descending=descending)


def first_households(store: Store, f: HouseholdFilter, sort: str = "village",
                     descending: bool = False, n: int = 200) -> list[str]:
    """The first `n` ids of the list, which the window shows while it reads the rest."""
    with store.session() as s:
        return search.household_ids(s, f, sort=sort, descending=descending, limit=n)


def household_rows(store: Store, ids: Sequence[str]) -> list[HouseholdRow]:
    with store.session() as s:
        return search.household_rows(s, ids)


def village_counts(store: Store) -> dict[tuple[str, int | None], int]:
    with store.session() as s:
        return search.village_counts(s)


@dataclass(frozen=True)
class PlaceTree:
    """What the window's tree shows: the villages with their groups, the households per
    (village, group) from one grouped query, and at an office the places between it and its
    villages (`townships`: at a county its townships, the tree county → township → village
    → group; at a city its counties and their townships); a station's tree starts at its
    township. At a city or the province (`totals` given, `counts` empty) the households
    per village come from the tally, and a village's groups are counted when it is opened
    (`group_counts`): counting two million households by group took 1.3 s of the login."""

    villages: list[villages.Village]
    counts: dict[tuple[str, int | None], int]
    townships: list[tuple[str, str]]
    totals: dict[str, int] | None = None


def place_tree(store: Store) -> PlaceTree:
    with store.session() as s:
        townships = (villages.list_divisions(s, store.info.region_code) if store.info.office
                     else [])
        if store.info.kind in statistics.TALLY_KINDS:
            return PlaceTree(villages.list_villages(s), {}, townships,
                             statistics.tally_households(s))
        return PlaceTree(villages.list_villages(s), search.village_counts(s), townships)


def group_counts(store: Store, village_code: str) -> dict[int | None, int]:
    with store.session() as s:
        return search.group_counts(s, village_code)


def household_detail(store: Store, household_id: str) -> HouseholdDetail:
    with store.session() as s:
        row = hh.get_household(s, household_id)
        # Its village's name only (a province's list of villages is 230,000 groups long).
        village_name = s.scalar(select(Region.name).where(
            Region.code == row.village_code, Region.level == "village"))
        members = [hh.member_values(m) for m in hh.current_members(row)]
        facts = {k: getattr(row, k) for k in FACTS}
        departed = [hh.member_values(m) for m in row.members
                    if not m.deleted and not m.is_current]
        return HouseholdDetail(row.id, hh.household_values(row), facts, members,
                               village_name or row.village_code, departed)


def household_head(store: Store, household_id: str) -> HouseholdHead:
    with store.session() as s:
        row = hh.get_household(s, household_id)
        return HouseholdHead(row.id, row.head_name or "", row.village_code)


def save_household(store: Store, household: dict[str, Any], members: list[dict[str, Any]],
                   household_id: str | None = None) -> str:
    """Saves as the logged-in user in one transaction; returns the household's id."""
    require_may_edit(store)
    with store.transaction() as s:
        return hh.save_household(s, store.user, household, members,
                                 household_id=household_id, role=store.role).id


def delete_household(store: Store, household_id: str, reason: str) -> None:
    require_may_edit(store)
    with store.transaction() as s:
        hh.delete_household(s, store.user, household_id, reason)


def may_edit(store: Store) -> bool:
    """Whether the logged-in user may add, change or delete households here (the app greys
    out 新增/修改/删除 otherwise)."""
    return not store.info.office and store.can(Act.EDIT_HOUSEHOLDS)


def require_may_edit(store: Store) -> None:
    """Refuses, in Chinese, a county (NotOwner) or a role that may not edit households."""
    if store.info.office:  # before the role: the county's answer is 退回
        raise NotOwner(hh.not_owner(store.info.kind))
    store.require(Act.EDIT_HOUSEHOLDS)
