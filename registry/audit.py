"""The audit chain: append-only entries, each carrying the hash of the one before, so a
removed or altered entry shows (纪检监察全程介入: every change has a person and a time)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from registry.ids import new_id
from registry.models import AuditEntry, utcnow
from registry.sync_state import Receipt

GENESIS = "0" * 64


def _json_default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def to_json(data: Any) -> str | None:
    if data is None:
        return None
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_json_default)


def _digest(e: AuditEntry) -> str:
    body = "\x1f".join([
        e.prev_hash, e.id, e.at.isoformat(), e.user, e.action, e.entity, e.entity_id or "",
        e.before or "", e.after or "", e.reason or "",
    ])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(session: Session, user: str, action: str, entity: str, entity_id: str | None,
           before: Any = None, after: Any = None, reason: str | None = None) -> AuditEntry:
    last = session.execute(
        select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).scalar()
    entry = AuditEntry(user=user, action=action, entity=entity, entity_id=entity_id,
                       before=to_json(before), after=to_json(after), reason=reason,
                       prev_hash=last or GENESIS, at=utcnow())
    entry.id = new_id()
    entry.hash = _digest(entry)
    session.add(entry)
    session.flush()
    return entry


def record_many(session: Session, user: str, action: str, entity: str,
                entries: Sequence[tuple[str | None, Any, Any]], reason: str | None = None
                ) -> None:
    """Many entries (entity_id, before, after) chained exactly as record() chains them, in
    one INSERT: record() reads the last hash and flushes once per entry, which costs more
    than a whole 5,000-household import. The store is written by one user action at a
    time, so reading the last hash once inside this transaction is as safe."""
    prev = session.execute(
        select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).scalar() or GENESIS
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for entity_id, before, after in entries:
        entry = AuditEntry(id=new_id(), at=now, user=user, action=action, entity=entity,
                           entity_id=entity_id, before=to_json(before), after=to_json(after),
                           reason=reason, prev_hash=prev)
        entry.hash = prev = _digest(entry)
        rows.append({c: getattr(entry, c) for c in _COLUMNS})
    if rows:
        session.execute(insert(AuditEntry), rows)


_COLUMNS = ("id", "at", "user", "action", "entity", "entity_id", "before", "after", "reason",
            "prev_hash", "hash")


def verify_chain(session: Session) -> list[str]:
    problems: list[str] = []
    prev = GENESIS
    for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        if e.prev_hash != prev or _digest(e) != e.hash:
            problems.append(f"审计记录第 {e.seq} 条被改动或其前一条被删除")
        prev = e.hash
    return problems


def head(session: Session) -> tuple[str, int]:
    """The chain's last hash and its number of entries, as a station's manifest states them."""
    last = session.execute(
        select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).scalar()
    length = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return last or GENESIS, length


def verify_acknowledged(session: Session) -> list[str]:
    """At a station: every chain head the county acknowledged in a receipt is still in this
    chain, at the same place. verify_chain cannot see entries cut from the end, or a chain
    rewritten and hashed again; once the county holds them, this does. (Receipts of schema
    1 acknowledged no chain.)"""
    acknowledged = {(n, h) for n, h in session.execute(
        select(Receipt.audit_length, Receipt.audit_head)
        .where(Receipt.audit_head.is_not(None), Receipt.audit_length > 0))
        if n is not None and h is not None}
    if not acknowledged:
        return []
    hashes = list(session.execute(select(AuditEntry.hash).order_by(AuditEntry.seq)).scalars())
    # Each acknowledged head is a prefix of the next: the first that fails says where.
    for length, acked in sorted(acknowledged):
        if length > len(hashes):
            return [f"县扶贫办已确认收到本站 {length} 条审计记录,本库只有 {len(hashes)} 条:"
                    "已同步的审计记录被删除"]
        if hashes[length - 1] != acked:
            return [f"本库第 {length} 条审计记录与县扶贫办确认收到的不同:"
                    "已同步的审计记录被改写或删除"]
    return []
