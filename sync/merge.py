"""The county's merge of one station bundle, inside the caller's single transaction.

Every incoming record lands in exactly one bucket; rows not applied (conflict,
quarantined) are kept whole in sync_quarantine for review. Ownership decides conflicts:
a station is the only writer of its households and what hangs off them, so a row that
would touch another township's data is a conflict, never an overwrite.

An office above the county merges a lower office's bundle the same way (the roll-up: a
county's at its city, a city's at the province): the sender owns the places under its code
instead of one township, and the rows it forwards are its stations' as it merged them —
their audit cover was checked there, so here the sender's signed chain vouches for them,
and a poor village's status stands on the county's own decision."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import idnumber
from registry import audit, search_index, statistics
from registry.models import AuditEntry, Household, Region, utcnow
from registry.poor_villages.county import STATUS_NEEDS, decided_kinds
from registry.procedure.record import store_kind
from registry.progress import Cancelled, Progress
from registry.sync_state import Quarantined
from registry.tracking import reserve_revs
from registry.villages import in_region, region_range
from sync import duplicates, records, wire
from sync.audit_cover import AuditCover
from sync.errors import SyncError
from sync.formats.sections import Held, NotStreamable, Section

# The buckets are named in sync/names.py; `sync.merge.BUCKETS` and `.BUCKET_NAMES` stay
# importable under their old names ("as" re-exports them).
from sync.names import (
    AUDIT,
    HOUSEHOLD,
    HOUSEHOLD_INCOME,
    MEMBER,
    NOTICE,
    NOTICE_ENTRY,
    OBJECTION,
    POOR_VILLAGE,
    STATION_TABLES,
    TEAM_MEMBER,
    VILLAGE_EVENT,
    VILLAGE_FACTS,
    VILLAGE_GROUP,
    VILLAGE_PLAN,
    YEARLY_REVIEW,
)
from sync.names import BUCKET_NAMES as BUCKET_NAMES
from sync.names import BUCKETS as BUCKETS
from sync.payload import check_buckets, check_tables, record_counts, table_rows

Counts = dict[str, dict[str, int]]
Slot = tuple[str, ...]

# The column that says which township a row belongs to: a village code (or for a notice
# its village or the township itself), else its household.
_REGION_COLUMN = {VILLAGE_GROUP: "village_code", HOUSEHOLD: "village_code",
                  NOTICE: "region_code", TEAM_MEMBER: "village_code",
                  VILLAGE_PLAN: "village_code", VILLAGE_FACTS: "village_code",
                  POOR_VILLAGE: "village_code", VILLAGE_EVENT: "village_code"}
# Unique keys besides the id (a second row on the same key would break the constraint).
_SLOTS = {VILLAGE_GROUP: ("village_code", "number"), NOTICE: ("region_code", "number"),
          NOTICE_ENTRY: ("notice_id", "household_id"),
          HOUSEHOLD_INCOME: ("household_id", "year"), YEARLY_REVIEW: ("household_id", "year"),
          VILLAGE_FACTS: ("village_code", "year"), POOR_VILLAGE: ("village_code",),
          VILLAGE_EVENT: ("village_code", "seq")}
# Slots keyed by a reference (a notice, a household) rather than a region code: the rows
# held are those of the references the incoming rows name.
_BY_REFERENCE = (NOTICE_ENTRY, HOUSEHOLD_INCOME, YEARLY_REVIEW)


# Tables whose rows are checked against rows of another table of the same bundle (and refer
# to them by foreign key): merged after it.
_AFTER = {**{name: {HOUSEHOLD} for name in STATION_TABLES
             if name not in _REGION_COLUMN and "household_id" in wire.columns(name)},
          NOTICE_ENTRY: {HOUSEHOLD, NOTICE}, OBJECTION: {HOUSEHOLD, NOTICE}}
_STEPS = len(STATION_TABLES) + 2  # progress: the audit entries, the tables, the duplicates


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The rows parsed and merged hold no reference cycles (lists of plain values), yet
    every few hundred of them set off the cyclic garbage collector, which then walks them:
    a fifth of the parsing. Paused meanwhile, rows are still freed as soon as their batch
    is merged (by their reference counts); the collector runs again afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass
class _Table:
    """One table's merge, kept from batch to batch."""

    name: str
    cols: list[str]
    at: dict[str, int]  # column -> position
    at_id: int
    at_rev: int
    at_owner: int | None  # the column saying which township a row belongs to
    by_village: bool  # that column is a region code (else a household)
    seen: set[str] = field(default_factory=set)  # ids merged so far: a second is held
    slots: dict[Slot, str] = field(default_factory=dict)  # unique keys taken, by whom
    slots_read: bool = False  # the township's keys read from the store
    refs: set[str] = field(default_factory=set)  # references whose keys were read


class StationMerge:
    def __init__(self, s: Session, station: str, seq: int, progress: Progress,
                 read: Session | None = None):
        """`read`: where the merge looks up what the store held before this bundle
        (wire.reader: on PostgreSQL a second connection, so the look-ups of the next batch
        need not wait for this batch's COPY; what the bundle itself wrote, the merge
        knows without asking: the ids it took, the unique keys, the owners)."""
        self.s = s
        self.read = read if read is not None else s
        wire.prefer_index_lookups(s)
        self.station = station
        self.seq = seq
        self.progress = progress
        self.counts: Counts = {}
        # A township's station, or an office below this one (the roll-up).
        self.office = len(station) < 9
        self._own = len(station)  # a place's code cut to this length names its owner
        self.unit = "单位" if self.office else "乡镇"  # said in what is held for review
        self.villages = set(s.execute(select(Region.code).where(
            Region.level == "village", in_region(Region.code, station))).scalars())
        # Where a notice may be posted besides a village: the township (第二次公示).
        self.townships = {station} if not self.office else set(s.execute(
            select(Region.code).where(Region.level == "township",
                                      in_region(Region.code, station))).scalars())
        self.households: dict[str, str] = {}  # id -> owning township, as far as known
        self.notices: dict[str, str] = {}  # notice id -> owning township, as far as known
        self.written_members: dict[str, str] = {}  # member id -> bucket
        self.changed_members: set[str] = set()  # members updated (their flags rechecked)
        self.quarantine: list[dict[str, Any]] = []
        # What this bundle's accepted audit entries account for (an office vouches itself).
        self.cover = AuditCover(vouched=self.office)
        self.village_decisions: dict[str, set[str]] = {}  # the county's, per village
        self.tables: dict[str, _Table] = {}
        self.audit_hash = ""  # the station's chain head as far as merged
        self.audit_seq: int | None = None  # the last entry number merged
        self.audit_written: set[str] = set()  # entries this bundle added
        self.done = 0  # tables merged (progress)
        # A city or the province counts its tally of the sender's villages after the merge,
        # planned on statistics that must know them: analyzed with the merge when the
        # sender's households are new here (its first bundle), not on every bundle (0.35-
        # 0.7 s at 2,000,000 households, the bulk of a small bundle's time).
        self.tally = store_kind(s) in statistics.TALLY_KINDS
        self.sender_new = self.tally and self.read.execute(
            select(Household.id).where(in_region(Household.village_code, station)).limit(1)
        ).first() is None

    # ---- the whole bundle ---------------------------------------------------------------
    def apply(self, payload: dict[str, Any], audit_hash: str) -> str:
        """Stages the (schema-upgraded) payload; returns the station's new audit head."""
        check_tables(payload, STATION_TABLES)
        tables = payload["tables"]
        self.audit_hash = audit_hash
        # The audit entries first: a row is applied only with its entry (sync/audit_cover.py).
        self._audit(self._checked(AUDIT, table_rows(AUDIT, payload.get("audit"))))
        for i, name in enumerate(STATION_TABLES):
            self._table(name, self._checked(name, table_rows(name, tables.get(name))))
            self._step(i + 1, _STEPS)
        self._finish()
        check_buckets(record_counts(payload), self.counts)
        return self.audit_hash

    def apply_sections(self, sections: Iterable[Section], sent: dict[str, int],
                       audit_hash: str) -> str:
        """`apply` for a payload read a section at a time (sync/formats/sections.py), the
        rows a batch at a time: the same checks and buckets, the payload never held whole.
        A table whose rows refer to a table not merged yet (a household's helpers come
        before the households: the payload holds its tables by name) is held compressed
        until that table is. `sent` is the manifest's counts, checked at the end (the
        caller's transaction rolls back). Raises NotStreamable for what only the whole
        payload can decide (the audit entries after the tables, out of order, a table
        this program does not know): the caller rolls back and reads it whole."""
        with _collector_paused():
            return self._apply_sections(sections, sent, audit_hash)

    def _apply_sections(self, sections: Iterable[Section], sent: dict[str, int],
                        audit_hash: str) -> str:
        self.audit_hash = audit_hash
        received: dict[str, int] = {}
        merged: set[str] = set()
        held: dict[str, Held] = {}
        audit_read = False
        for section in sections:
            if section.audit:
                if audit_read:  # after the tables: their rows would miss its cover
                    raise NotStreamable
                self._section(AUDIT, section, received)
                audit_read = True
                continue
            if not audit_read:
                self._audit([])
                audit_read = True
            if section.name not in STATION_TABLES:
                raise NotStreamable
            if _AFTER.get(section.name, set()) - merged:
                held[section.name] = section.hold()
                continue
            self._section(section.name, section, received)
            merged.add(section.name)
            for name in STATION_TABLES:  # the held tables it was waiting for, in order
                if name in held and not _AFTER.get(name, set()) - merged:
                    self._section(name, held.pop(name).section(), received)
                    merged.add(name)
        if not audit_read:
            self._audit([])
        for name in STATION_TABLES:  # the tables the payload did not hold, as empty
            if name in held:
                self._section(name, held.pop(name).section(), received)
            elif name not in merged:
                self._table(name, [])
                self._table_done()
        if {k: n for k, n in received.items() if n} != {k: n for k, n in sent.items() if n}:
            raise SyncError("数据包中的记录数与清单不符,已拒绝")
        self._finish()
        check_buckets(received, self.counts)
        return self.audit_hash

    def _section(self, name: str, section: Section, received: dict[str, int]) -> None:
        """One section's rows, a batch at a time, as `apply` takes a table's."""
        merge = self._audit if name == AUDIT else partial(self._table, name)
        empty = True
        for batch in section.batches():
            empty = False
            received[name] = received.get(name, 0) + len(batch)
            merge(self._checked(name, table_rows(name, {"columns": section.columns,
                                                        "rows": batch})))
        if empty:  # its columns are checked all the same
            merge(self._checked(name, table_rows(name, {"columns": section.columns,
                                                        "rows": []})))
        if name != AUDIT:
            self._table_done()

    def _finish(self) -> None:
        """After every table: the duplicates among the members written, the rows held for
        review, the counts in the usual order."""
        grown = wire.outgrown(self.s, {name: self.counts.get(name, {}).get("inserted", 0)
                                       for name in duplicates.PLANNED_ON})
        wire.refresh_statistics(self.s, _planned_on(
            {name: cols for name, cols in duplicates.PLANNED_ON.items() if name in grown},
            statistics.TALLY_PLANNED_ON if self.sender_new else {}))
        duplicates.drop_stale(self.s, sorted(self.changed_members))
        if self.office:  # the sender's own search found the pairs inside it
            duplicates.drop_inside(self.s, self.station)
        flagged = duplicates.detect(self.s, list(self.written_members),
                                    across=len(self.station) if self.office else None)
        members = self.counts.get(MEMBER)
        for mid in flagged:
            bucket = self.written_members[mid]
            if members is not None and bucket in ("inserted", "updated"):
                members[bucket] -= 1
                members["possible_duplicate"] += 1
        self._step(_STEPS - 1, _STEPS)
        if self.quarantine:
            self.s.add_all(Quarantined(**q) for q in self.quarantine)
        if self.tally:
            statistics.refresh_tally(self.s, self.station)
        order = (AUDIT, *STATION_TABLES)
        self.counts = {name: self.counts[name] for name in sorted(self.counts, key=order.index)}

    def _table_done(self) -> None:
        self.done += 1
        self._step(self.done, _STEPS)

    def _step(self, done: int, total: int) -> None:
        if not self.progress(done, total):
            raise Cancelled("已取消")

    def _put(self, name: str, bucket: str) -> None:
        counts = self.counts.get(name)
        if counts is None:
            counts = self.counts[name] = dict.fromkeys(BUCKETS, 0)
        counts[bucket] += 1

    def _checked(self, name: str, rows: list[list[Any]]) -> list[list[Any]]:
        """The rows whose values the store can hold and forms/ allows; the others are
        quarantined with their reason (sync/records.py), before anything is staged."""
        good, bad = records.check(name, rows)
        cols = wire.columns(name)
        for row, reason in bad:
            self._hold(name, cols, row, "quarantined", reason)
        return good

    def _hold(self, name: str, cols: list[str], row: list[Any], bucket: str, reason: str
              ) -> None:
        self._put(name, bucket)
        row = records.for_review(row)
        self.quarantine.append({
            "station_code": self.station, "seq": self.seq, "table_name": name,
            "record_id": str(row[cols.index("id")])[:36], "bucket": bucket, "reason": reason,
            "data": json.dumps(dict(zip(cols, row, strict=True)), ensure_ascii=False),
            "at": utcnow()})

    def _owners(self, ids: set[str]) -> None:
        """Learns the township of households not seen yet (from the store)."""
        unknown = list(ids - self.households.keys())
        for hid, row in wire.rows_by_id(self.read, HOUSEHOLD, unknown,
                                        ["id", "village_code"]).items():
            self.households[hid] = str(row[1])[:self._own]

    def _notice_owners(self, ids: set[str]) -> None:
        """Learns the township of notices not seen yet (from the store)."""
        unknown = list(ids - self.notices.keys())
        for nid, row in wire.rows_by_id(self.read, NOTICE, unknown,
                                        ["id", "region_code"]).items():
            self.notices[nid] = str(row[1])[:self._own]

    # ---- one table ------------------------------------------------------------------------
    def _table(self, name: str, rows: list[list[Any]]) -> None:
        """Merges rows of table `name`: all of them, or the next batch (what the rows
        before it left — ids seen, unique keys taken — is kept per table)."""
        counts = self.counts.setdefault(name, dict.fromkeys(BUCKETS, 0))
        if not rows:
            return
        t = self._state(name)
        cols, at_id, at_rev, at_owner = t.cols, t.at_id, t.at_rev, t.at_owner
        by_village = t.by_village
        good = rows if _ids_ok(rows, at_id) else \
            [r for r in rows if isinstance(r[at_id], str) and 0 < len(r[at_id]) <= 36]
        if len(good) < len(rows):
            for r in rows:
                if not (isinstance(r[at_id], str) and 0 < len(r[at_id]) <= 36):
                    self._hold(name, cols, r, "quarantined", "记录编号无效")
        existing = wire.rows_by_id(self.read, name, list(map(itemgetter(at_id), good)), cols)
        if at_owner is not None and not by_village:
            self._owners(set(map(str, map(itemgetter(at_owner), good)))
                         | {str(e[at_owner]) for e in existing.values()})
        if name in (NOTICE_ENTRY, OBJECTION):
            at_notice = cols.index("notice_id")
            self._notice_owners({str(r[at_notice]) for r in good})
        slots = self._slots(t, good, existing)
        inserts: list[list[Any]] = []
        updates: list[list[Any]] = []
        seen = t.seen
        member = name == MEMBER
        if not existing and self._all_new_fit(t, good, slots):
            inserts, good = good, []  # every one inserted, as the loop below would
            counts["inserted"] += len(inserts)
            if name in (HOUSEHOLD, NOTICE):
                (self.households if name == HOUSEHOLD else self.notices).update(
                    dict.fromkeys((r[at_id] for r in inserts), self.station))
            if member:
                self.written_members.update(
                    (r[at_id], "inserted") for r in inserts
                    if not r[t.at["deleted"]] and r[t.at["change_reason"]] is None)
        for r in good:
            rid = r[at_id]
            old = existing.get(rid)
            problem = self._check(t, r, old, slots)
            if rid in seen:
                problem = ("quarantined", "同一数据包中记录重复")
            seen.add(rid)
            if problem:
                self._hold(name, cols, r, *problem)
                continue
            if old is not None and r[:at_rev] == old[:at_rev] \
                    and r[at_rev + 1:] == old[at_rev + 1:]:
                counts["unchanged"] += 1
                if name == NOTICE:
                    self.notices[rid] = self.station
                continue
            unrecorded = self.cover.missing(name, cols, r, inserted=old is None)
            if unrecorded:
                self._hold(name, cols, r, "quarantined", unrecorded)
                continue
            bucket = "inserted" if old is None else "updated"
            (inserts if old is None else updates).append(r)
            counts[bucket] += 1
            if name == HOUSEHOLD:
                self.households[rid] = self.station
            if name == NOTICE:
                self.notices[rid] = self.station
            if member and not r[t.at["deleted"]] and r[t.at["change_reason"]] is None:
                self.written_members[rid] = bucket
        if member:
            self.changed_members.update(r[at_id] for r in updates)
        n = len(inserts) + len(updates)
        if n:
            rev = reserve_revs(self.s, n)
            # The county's own counter, for its return bundles.
            for r, value in zip(chain(inserts, updates), range(rev, rev + n), strict=True):
                r[at_rev] = value
        if not member:
            wire.insert_rows(self.s, name, cols, list(map(tuple, inserts)))
            wire.update_rows(self.s, name, cols, list(map(tuple, updates)))
            return
        # The search index once per batch, not row by row (registry/search_index.py).
        with search_index.deferred(self.s.connection()) as index:
            index.forget([r[at_id] for r in updates])
            wire.insert_rows(self.s, name, cols, list(map(tuple, inserts)))
            wire.update_rows(self.s, name, cols, list(map(tuple, updates)))
            index.written([r[at_id] for r in inserts], [r[at_id] for r in updates])

    def _all_new_fit(self, t: _Table, rows: list[list[Any]], slots: dict[Slot, str]
                     ) -> bool:
        """Rows none of which the store holds: True when every one passes `_check` and
        its audit entry is there, found a column at a time (the usual full bundle at a
        county seeing the station for the first time); their ids and unique keys are
        then taken. False (nothing taken) sends them through the loop, row by row."""
        name, at = t.name, t.at
        if t.at_owner is None or name == POOR_VILLAGE:
            return False
        ids = [r[t.at_id] for r in rows]
        if len(set(ids)) != len(ids) or not t.seen.isdisjoint(ids):
            return False
        owners = set(map(itemgetter(t.at_owner), rows))
        if t.by_village:
            allowed = self.villages | (self.townships if name == NOTICE else set())
            if not owners <= allowed:
                return False
        # (Not text: no household's id; the loop says what becomes of such a row.)
        elif set(map(self.households.get, owners)) != {self.station}:
            return False
        if name in (NOTICE_ENTRY, OBJECTION) and set(map(
                self.notices.get, map(itemgetter(at["notice_id"]), rows))) != {self.station}:
            return False
        key = _SLOTS.get(name)
        taken: list[Slot] = []
        if key is not None:
            taken = list(zip(*(map(str, map(itemgetter(at[c]), rows)) for c in key),
                             strict=True))
            if len(set(taken)) != len(taken) or not slots.keys().isdisjoint(taken):
                return False
        if name == MEMBER and not all(map(_id_number_ok, rows, repeat(at))):
            return False
        if not self.cover.all_inserts(name, t.cols, rows):
            return False
        t.seen.update(ids)
        if taken:
            slots.update(zip(taken, map(str, ids), strict=True))
        return True

    def _state(self, name: str) -> _Table:
        t = self.tables.get(name)
        if t is None:
            cols = wire.columns(name)
            region = _REGION_COLUMN.get(name)
            owner = region or ("household_id" if "household_id" in cols else None)
            t = self.tables[name] = _Table(
                name=name, cols=cols, at={c: i for i, c in enumerate(cols)},
                at_id=cols.index("id"), at_rev=cols.index("rev"),
                at_owner=cols.index(owner) if owner else None, by_village=region is not None)
        return t

    def _slots(self, t: _Table, rows: list[list[Any]], existing: dict[str, list[Any]]
               ) -> dict[Slot, str]:
        """The unique keys (besides the id) the store holds, each with its row's id: a
        village's group numbers, a region's notice numbers, a notice's households. Read
        before the table's first rows are written; by reference, before the first rows
        naming that reference (or held under it) are."""
        key = _SLOTS.get(t.name)
        if key is None:
            return t.slots
        if t.name not in _BY_REFERENCE:
            if not t.slots_read:  # the township's keys, once
                t.slots_read = True
                t.slots.update(self._held_slots(t.name, key, self.station))
            return t.slots
        # e.g. the entries of the notices these rows are on (and were on)
        at = t.at[key[0]]
        refs = sorted({str(r[at]) for r in rows} | {str(e[at]) for e in existing.values()}
                      - t.refs)
        t.refs.update(refs)
        held = wire.rows_where_in(self.read, t.name, key[0], refs, [*key, "id"])
        t.slots.update(_slot_holders(held))
        return t.slots

    def _held_slots(self, name: str, key: Slot, region: str) -> dict[Slot, str]:
        """The keys held inside `region`, whose code leads `key` (read as an index range)."""
        low, high = region_range(region)
        where = f"{key[0]} >= :low" + ("" if high is None else f" AND {key[0]} < :high")
        return _slot_holders(wire.select_rows(self.read, name, where,
                                              {"low": low, "high": high}, [*key, "id"]))

    def _check(self, t: _Table, r: list[Any], old: list[Any] | None, slots: dict[Slot, str]
               ) -> tuple[str, str] | None:
        """(bucket, reason) when the row cannot be applied, else None."""
        name, at, at_owner = t.name, t.at, t.at_owner
        if at_owner is None:
            return ("quarantined", "无法确定此记录属于哪个乡镇")
        owner_value = r[at_owner]
        if t.by_village:
            if old is not None and str(old[at_owner])[:self._own] != self.station:
                return ("conflict", f"编号相同的记录属于其他{self.unit}")
            if name == NOTICE and owner_value in self.townships:
                pass  # the township's own notice (第二次公示)
            elif owner_value not in self.villages:
                what = "公示范围" if name == NOTICE else "村代码"
                return ("quarantined", f"{what} {owner_value} 不属于本{self.unit}")
        else:
            owner = self.households.get(str(owner_value))
            if old is not None and self.households.get(str(old[at_owner])) != self.station:
                return ("conflict", f"编号相同的记录属于其他{self.unit}的农户")
            if owner is None:
                return ("quarantined", "所属农户不存在")
            if owner != self.station:
                return ("conflict", f"所属农户属于其他{self.unit}")
        if name in (NOTICE_ENTRY, OBJECTION):
            notice = self.notices.get(str(r[at["notice_id"]]))
            if notice is None:
                return ("quarantined", "所属公示不存在")
            if notice != self.station:
                return ("conflict", f"所属公示属于其他{self.unit}")
        key = _SLOTS.get(name)
        if key is not None:
            slot = tuple(str(r[at[c]]) for c in key)
            holder = slots.setdefault(slot, str(r[t.at_id]))
            if holder != r[t.at_id]:
                return ("conflict", _TAKEN[name].format(*slot))
        if name == POOR_VILLAGE and not self.office:
            needs = STATUS_NEEDS.get(str(r[at["poverty_status"]]))
            code = str(r[at["village_code"]])
            if needs is not None and needs not in self._village_decisions(code):
                return ("quarantined", "贫困村状态没有县扶贫办的公告(县审定和公告只能在县里作出)")
        if name == MEMBER and not _id_number_ok(r, at):
            return ("quarantined", "身份证号码校验不通过")
        return None

    def _village_decisions(self, code: str) -> set[str]:
        if code not in self.village_decisions:
            self.village_decisions.update(decided_kinds(self.read, [code]))
            self.village_decisions.setdefault(code, set())
        return self.village_decisions[code]

    # ---- the station's audit chain ----------------------------------------------------------
    def _audit(self, rows: list[list[Any]]) -> None:
        """Takes the station's audit entries (all, or the next batch) in the order of their
        numbers, continuing the chain from `audit_hash`. Batches must follow each other in
        that order (the exporter writes them so); otherwise NotStreamable: the whole
        payload is read and sorted instead."""
        name = AUDIT
        self.counts.setdefault(name, dict.fromkeys(BUCKETS, 0))
        if not rows:
            return
        cols = wire.columns(AUDIT)
        at = {c: i for i, c in enumerate(cols)}
        rows = sorted(rows, key=lambda r: int(r[at["seq"]]))
        first, last = int(rows[0][at["seq"]]), int(rows[-1][at["seq"]])
        if self.audit_seq is not None and first < self.audit_seq:
            raise NotStreamable
        self.audit_seq = last
        # What the county held before this bundle (not what its earlier batches wrote).
        known = {i: h for i, h in wire.rows_by_id(
            self.read, "sync_station_audit", [r[at["id"]] for r in rows], ["id", "hash"]).items()
            if i not in self.audit_written}
        last_hash = self.audit_hash
        fresh: list[tuple[Any, ...]] = []
        for r in rows:
            held = known.get(r[at["id"]])
            if held is not None:  # sent before (a full bundle): the county's copy stays
                if held[1] == r[at["hash"]]:
                    self._put(name, "unchanged")
                else:
                    self._hold(name, cols, r, "quarantined", "已同步过的审计记录在乡镇被改写")
                continue
            if r[at["prev_hash"]] != last_hash or _digest(r, at) != r[at["hash"]]:
                self._hold(name, cols, r, "quarantined", "审计记录链断开或内容被改动")
                continue
            self._put(name, "inserted")
            self.cover.add(r[at["action"]], r[at["entity"]], r[at["entity_id"]])
            last_hash = r[at["hash"]]
            fresh.append((r[at["id"]], self.station, r[at["seq"]], r[at["at"]], r[at["user"]],
                          r[at["action"]], r[at["entity"]], r[at["entity_id"]],
                          r[at["before"]], r[at["after"]], r[at["reason"]],
                          r[at["prev_hash"]], r[at["hash"]]))
        self.audit_written.update(f[0] for f in fresh)
        wire.insert_rows(self.s, "sync_station_audit", wire.columns("sync_station_audit"),
                         fresh)
        self.audit_hash = last_hash


_TAKEN = {VILLAGE_GROUP: "村民小组 {}-{} 已有另一条记录",
          NOTICE: "{}的公示编号 {} 已有另一条记录",
          NOTICE_ENTRY: "公示上已列有这一户(另一条记录)",
          HOUSEHOLD_INCOME: "该户 {1} 年的收入已有另一条记录",
          YEARLY_REVIEW: "该户 {1} 年的动态调整已有另一条记录",
          VILLAGE_FACTS: "行政村 {} 的 {} 年基本情况已有另一条记录",
          POOR_VILLAGE: "行政村 {} 的贫困村记录已有另一条",
          VILLAGE_EVENT: "行政村 {} 的第 {} 步已有另一条记录"}


def _planned_on(*wanted: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """The columns of each table to analyze, for every query that follows: one ANALYZE."""
    out: dict[str, tuple[str, ...]] = {}
    for columns in wanted:
        for table, cols in columns.items():
            out[table] = (*out.get(table, ()), *(c for c in cols if c not in out.get(table, ())))
    return out


def _slot_holders(held: list[list[Any]]) -> dict[Slot, str]:
    """Rows of (key columns…, id): each unique key with the id of the row holding it."""
    return {tuple(str(v) for v in h[:-1]): str(h[-1]) for h in held}


def _ids_ok(rows: list[list[Any]], at: int) -> bool:
    """Every row's id is text of 1 to 36 characters (checked a column at a time)."""
    ids = list(map(itemgetter(at), rows))
    return set(map(type, ids)) == {str} and min(map(len, ids)) > 0 \
        and max(map(len, ids)) <= 36


def _id_number_ok(r: list[Any], at: dict[str, int]) -> bool:
    """A member's ID number passes its check digit, or it has none yet (暂无身份证号, a
    newborn: sex and birth date were typed)."""
    number = r[at["id_number"]]
    if number == "" and r[at["no_id_number"]] == 1:
        return True
    return (isinstance(number, str) and len(number) == 18 and number[:17].isdigit()
            and idnumber.check_digit(number[:17]) == number[17])


def _digest(r: list[Any], at: dict[str, int]) -> str:
    try:
        when = datetime.fromisoformat(str(r[at["at"]]))
    except ValueError:
        return ""
    e = AuditEntry(prev_hash=r[at["prev_hash"]], id=r[at["id"]], at=when, user=r[at["user"]],
                   action=r[at["action"]], entity=r[at["entity"]],
                   entity_id=r[at["entity_id"]], before=r[at["before"]],
                   after=r[at["after"]], reason=r[at["reason"]])
    return audit._digest(e)
