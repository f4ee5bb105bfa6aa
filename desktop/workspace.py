"""What the windows of one logged-in session share: the open store and the DB worker, with
the few store calls the desktop makes (each a short session of its own). No SQL here: the
registry functions do the work."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.operations.worker import DbWorker
from registry import households as hh
from registry import search, villages
from registry.search import HouseholdFilter, HouseholdRow
from registry.store import Store


@dataclass
class HouseholdDetail:
    id: str
    values: dict[str, Any]
    facts: dict[str, Any]  # head_name, size, net income…
    members: list[dict[str, Any]]  # current members
    village_name: str
    # Members who left (迁出, 死亡…): not edited here, but sent back on save so their
    # history is kept (save_household tombstones rows it is not sent).
    departed: list[dict[str, Any]]


class Workspace:
    def __init__(self, store: Store, worker: DbWorker) -> None:
        self.store = store
        self.worker = worker

    # ---- HouseholdSource (called on the UI thread for one visible page: a few ms) --------
    def ids(self, f: HouseholdFilter, sort: str, descending: bool) -> list[str]:
        return self.find(f, sort, descending).ids

    def find(self, f: HouseholdFilter, sort: str, descending: bool) -> search.Hits:
        """Bounded for broad text ("li", "5134"): see registry.search.find_households."""
        with self.store.session() as s:
            return search.find_households(s, f, sort=sort, descending=descending)

    def rows(self, ids: Sequence[str]) -> list[HouseholdRow]:
        with self.store.session() as s:
            return search.household_rows(s, ids)

    # ---- work for the DB worker --------------------------------------------------------
    def village_list(self) -> list[villages.Village]:
        with self.store.session() as s:
            return villages.list_villages(s)

    def village_counts(self) -> dict[tuple[str, int | None], int]:
        with self.store.session() as s:
            return search.village_counts(s)

    def detail(self, household_id: str) -> HouseholdDetail:
        with self.store.session() as s:
            row = hh.get_household(s, household_id)
            names = {v.code: v.name for v in villages.list_villages(s)}
            members = [hh.member_values(m) for m in hh.current_members(row)]
            facts = {k: getattr(row, k) for k in ("head_name", "head_id_number", "size",
                                                  "income_transfer", "net_income",
                                                  "net_income_per_capita", "deleted")}
            departed = [hh.member_values(m) for m in row.members
                        if not m.deleted and not m.is_current]
            return HouseholdDetail(row.id, hh.household_values(row), facts, members,
                                   names.get(row.village_code, row.village_code), departed)

    def save(self, household: dict[str, Any], members: list[dict[str, Any]],
             household_id: str | None) -> str:
        with self.store.transaction() as s:
            row = hh.save_household(s, self.store.user, household, members,
                                    household_id=household_id)
            return row.id

    def delete(self, household_id: str, reason: str) -> None:
        with self.store.transaction() as s:
            hh.delete_household(s, self.store.user, household_id, reason)

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_fail: Callable[[BaseException], None] | None = None, label: str = "") -> int:
        """Runs a store call in the worker (no progress reporting)."""
        return self.worker.submit(lambda _progress: fn(), on_done, on_fail, label=label)
