"""What the windows of one logged-in session share: the open store and the DB worker. It is
also the household table's source of ids and rows (registry.household_access does the
work; no SQL and no session here)."""

from __future__ import annotations

from collections.abc import Sequence

from desktop.operations.worker import DbWorker
from registry import household_access
from registry.search import HouseholdFilter, HouseholdRow
from registry.store import Store


class Workspace:
    def __init__(self, store: Store, worker: DbWorker) -> None:
        self.store = store
        self.worker = worker

    # ---- HouseholdSource (called on the UI thread for one visible page: a few ms) --------
    def ids(self, f: HouseholdFilter, sort: str, descending: bool) -> list[str]:
        return household_access.find_households(self.store, f, sort, descending).ids

    def rows(self, ids: Sequence[str]) -> list[HouseholdRow]:
        return household_access.household_rows(self.store, ids)
