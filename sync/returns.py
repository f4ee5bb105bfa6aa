"""The station's side of a return bundle: receipts, duplicate flags and rulings, county
decisions and key changes are stored as the county sent them; the township's quota (规模)
is matched by township, poverty lines (county configuration) by year and 识别标准; a
revocation of this station's key retires it and makes a new one, which the county must
enroll again. Then, in
the same transaction, the county's decisions become steps of the households they are about
(registry/procedure/decisions.py; a village's: registry/poor_villages/decisions.py), and the
notes say what changed ("26 户由“县复审”变为“县审定”")."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from registry.poor_villages.decisions import apply_village_decisions
from registry.poor_villages.decisions import summary as village_summary
from registry.procedure.decisions import apply_decisions
from registry.sync_state import OwnKey
from registry.tracking import reserve_revs
from sync import records, wire
from sync.errors import SyncError
from sync.key_replacement import REPLACE
from sync.keys import _new_key, active_key
from sync.merge import Counts
from sync.names import BUCKETS, DECISION, KEY_EVENT, POVERTY_LINE, QUOTA, table_label
from sync.names import RETURN_PAYLOAD_TABLES as RETURN_PAYLOAD_TABLES  # its old home
from sync.payload import check_buckets, check_tables, record_counts, table_rows


def apply_return(s: Session, station_code: str, payload: dict[str, Any]
                 ) -> tuple[Counts, list[str]]:
    """Stages the (schema-upgraded) payload; returns the counts and notes for the user."""
    check_tables(payload, RETURN_PAYLOAD_TABLES)
    counts: Counts = {}
    notes: list[str] = []
    arrived: set[str] = set()  # the decisions in this bundle
    for name in RETURN_PAYLOAD_TABLES:
        rows = table_rows(name, payload["tables"].get(name))
        _, bad = records.check(name, rows)
        if bad:  # a station keeps no quarantine: the county's rows come whole or not at all
            raise SyncError(f"回传数据包中“{table_label(name)}”有无效的记录({bad[0][1]}),"
                            "已拒绝。请县扶贫办检查程序版本后重新导出。")
        counts[name] = dict.fromkeys(BUCKETS, 0)
        if name == POVERTY_LINE:
            _poverty_lines(s, rows, counts[name])
        elif name == QUOTA:
            _quotas(s, station_code, rows, counts[name])
        else:
            _upsert(s, name, rows, counts[name])
        if name == KEY_EVENT:
            notes += _key_events(s, station_code, rows)
        if name == DECISION:
            at = wire.columns(DECISION).index("id")
            arrived = {str(r[at]) for r in rows}
    check_buckets(record_counts(payload), counts)
    notes += apply_decisions(s, station_code, report=arrived).summary()
    villages, refused = apply_village_decisions(s, station_code, report=arrived)
    notes += village_summary(villages) + refused
    return counts, notes


def _upsert(s: Session, name: str, rows: list[list[Any]], c: dict[str, int]) -> None:
    cols = wire.columns(name)
    at_id, at_rev = cols.index("id"), cols.index("rev")
    existing = wire.rows_by_id(s, name, [r[at_id] for r in rows], cols)
    inserts: list[list[Any]] = []
    updates: list[list[Any]] = []
    for r in rows:
        old = existing.get(r[at_id])
        if old is not None and all(a == b for i, (a, b) in enumerate(zip(r, old, strict=True))
                                   if i != at_rev):
            c["unchanged"] += 1
            continue
        (inserts if old is None else updates).append(r)
        c["inserted" if old is None else "updated"] += 1
    _stamp(s, inserts + updates, at_rev)
    wire.insert_rows(s, name, cols, [tuple(r) for r in inserts])
    wire.update_rows(s, name, cols, [tuple(r) for r in updates])


def _stamp(s: Session, rows: list[list[Any]], at_rev: int) -> None:
    if rows:
        first = reserve_revs(s, len(rows))
        for offset, r in enumerate(rows):
            r[at_rev] = first + offset


def _poverty_lines(s: Session, rows: list[list[Any]], c: dict[str, int]) -> None:
    name = POVERTY_LINE
    cols = wire.columns(name)
    at = {col: i for i, col in enumerate(cols)}
    # One line per year and 识别标准 (schema 4): a county store set up again sends the same
    # line under another id.
    mine = {(int(r[at["year"]]), str(r[at["standard"]])): r for r in wire.select_rows(s, name)}
    inserts, updates = [], []
    for r in rows:
        old = mine.get((int(r[at["year"]]), str(r[at["standard"]])))
        if old is not None and old[at["amount"]] == r[at["amount"]] \
                and old[at["deleted"]] == r[at["deleted"]]:
            c["unchanged"] += 1
            continue
        if old is None:
            inserts.append(r)
            c["inserted"] += 1
        else:
            new = list(old)
            new[at["amount"]] = r[at["amount"]]
            new[at["deleted"]] = r[at["deleted"]]
            new[at["updated_at"]] = r[at["updated_at"]]
            updates.append(new)
            c["updated"] += 1
    _stamp(s, inserts + updates, at["rev"])
    wire.insert_rows(s, name, cols, [tuple(r) for r in inserts])
    wire.update_rows(s, name, cols, [tuple(r) for r in updates])


def _quotas(s: Session, station_code: str, rows: list[list[Any]], c: dict[str, int]) -> None:
    """The county's quota for this township: one row, matched by township (a county store
    set up again sends the same quota under another id)."""
    name = QUOTA
    cols = wire.columns(name)
    at = {col: i for i, col in enumerate(cols)}
    for r in rows:
        if r[at["township_code"]] != station_code:
            raise SyncError("回传数据包中有其他乡镇的规模,已拒绝。"
                            "请县扶贫办检查程序版本后重新导出。")
    mine = {str(r[at["township_code"]]): r for r in wire.select_rows(s, name)}
    inserts, updates = [], []
    values = ("households", "people", "set_by", "reason", "deleted", "updated_at")
    for r in rows:
        old = mine.get(str(r[at["township_code"]]))
        if old is not None and all(old[at[v]] == r[at[v]] for v in values[:-1]):
            c["unchanged"] += 1
            continue
        if old is None:
            inserts.append(r)
            c["inserted"] += 1
        else:
            new = list(old)
            for v in values:
                new[at[v]] = r[at[v]]
            updates.append(new)
            c["updated"] += 1
    _stamp(s, inserts + updates, at["rev"])
    wire.insert_rows(s, name, cols, [tuple(r) for r in inserts])
    wire.update_rows(s, name, cols, [tuple(r) for r in updates])


def _key_events(s: Session, station_code: str, rows: list[list[Any]]) -> list[str]:
    cols = wire.columns(KEY_EVENT)
    at = {col: i for i, col in enumerate(cols)}
    notes: list[str] = []
    for r in rows:
        if r[at["subject_code"]] != station_code:
            continue
        key = s.get(OwnKey, r[at["key_id"]])
        if key is None:
            continue
        why = r[at["reason"]] or "未说明"
        if r[at["action"]] == "revoke" and key.status != "revoked":
            was_active = key.status == "active"
            key.status = "revoked"
            s.flush()
            if was_active and active_key(s, required=False) is None:
                _new_key(s, endorsed_by=None)
                notes.append(f"县扶贫办已吊销本站密钥 {key.key_id}(原因:{why})。"
                             "本站已生成新密钥,请重新申请注册(sync enroll-request)。")
            else:  # an old key, e.g. the one a confirmed replacement took over from
                notes.append(f"县扶贫办已吊销本站的旧密钥 {key.key_id}(原因:{why})。")
        elif r[at["action"]] == "rotate":
            notes.append(f"县扶贫办已确认本站的新密钥 {key.key_id}。")
        elif r[at["action"]] == REPLACE:
            notes.append(f"县扶贫办已将本站登记的密钥更换为 {key.key_id}(原因:{why})。")
    return notes
