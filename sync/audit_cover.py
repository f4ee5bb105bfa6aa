"""Which incoming rows the station's audit entries account for, at the county.

The station writes a row and its audit entry in one transaction, and exports both in the
same bundle (rows by rev, entries by seq, read together), so a row that arrives inserted or
changed comes with an entry that names it: its household (household rows by id; members,
helpers, plans, procedure events, a notice's entries and objections by household_id), for
a village group its village, for a notice the notice itself (entity "notice": opened and
closed by registry/procedure/notices.py). Schema 4: a year's income, a yearly review, a
helper and a plan are named by their household too; a village's 驻村工作队 member by its
village (entity "village_team"), a village's 帮扶规划 likewise ("village_plan"), as
registry/aid/teams.py and plans.py log them. Schema 5: a village's 贫困村 facts, its
poor_village row and its steps by the village (entity "village", registry/poor_villages).
Demo data is the exception: thousands of rows under one `demo` entry, and only inserted.
A row without such an entry among the entries the county accepted from this bundle was
changed behind the program's back (SQL with the data key): it is quarantined, not applied.

Only an entry new to the county counts: a full bundle re-sends the old entries, and an old
create entry must not vouch for a later, unrecorded change."""

from __future__ import annotations

from typing import Any

from sync.names import (
    HOUSEHOLD,
    NOTICE,
    POOR_VILLAGE,
    TEAM_MEMBER,
    VILLAGE_EVENT,
    VILLAGE_FACTS,
    VILLAGE_GROUP,
    VILLAGE_PLAN,
)

DEMO = "demo"  # registry.demo's action: one entry for a whole batch of demo rows

UNRECORDED_CHANGE = "此记录的改动没有对应的审计记录(数据可能被绕过本程序直接改动),未采用"
UNRECORDED_INSERT = "此记录没有对应的建档审计记录(数据可能被绕过本程序直接写入),未采用"


class AuditCover:
    def __init__(self, vouched: bool = False) -> None:
        self.named: set[tuple[str, str]] = set()  # (entity, entity_id)
        self.demo = False
        # An office's bundle (the roll-up) forwards rows it checked against its stations'
        # entries; its own chain holds none for them.
        self.vouched = vouched

    def add(self, action: Any, entity: Any, entity_id: Any) -> None:
        """An audit entry the county accepted from this bundle."""
        if action == DEMO:
            self.demo = True
        if isinstance(entity, str) and isinstance(entity_id, str):
            self.named.add((entity, entity_id))

    def missing(self, table: str, cols: list[str], row: list[Any], inserted: bool
                ) -> str | None:
        """Why `row` cannot be applied for want of its audit entry, or None."""
        if self.vouched or (inserted and self.demo):
            return None
        if (_entity(table), str(row[cols.index(_named_by(table))])) in self.named:
            return None
        return UNRECORDED_INSERT if inserted else UNRECORDED_CHANGE

    def all_inserts(self, table: str, cols: list[str], rows: list[list[Any]]) -> bool:
        """True when `missing` finds nothing for any of these rows, all new."""
        if self.demo or self.vouched:
            return True
        entity, at = _entity(table), cols.index(_named_by(table))
        return all((entity, str(r[at])) in self.named for r in rows)


# Tables whose audit entries name something other than a household: (entity, column).
_NAMED = {VILLAGE_GROUP: (VILLAGE_GROUP, "village_code"), NOTICE: (NOTICE, "id"),
          HOUSEHOLD: (HOUSEHOLD, "id"), TEAM_MEMBER: ("village_team", "village_code"),
          VILLAGE_PLAN: (VILLAGE_PLAN, "village_code"),
          **{t: ("village", "village_code") for t in (VILLAGE_FACTS, POOR_VILLAGE,
                                                      VILLAGE_EVENT)}}


def _entity(table: str) -> str:
    return _NAMED.get(table, (HOUSEHOLD, ""))[0]


def _named_by(table: str) -> str:
    return _NAMED.get(table, ("", "household_id"))[1]
