"""The store's change counter: every insert or update of a Tracked row takes the next
value into `rev`, so "what changed since N" is one indexed query for the sync export."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session, UOWTransaction

from registry.ids import new_id
from registry.models import Tracked, utcnow

COUNTER = "rev"


def reserve_revs(session: Session, count: int) -> int:
    """Reserves `count` consecutive revs and returns the first one."""
    last = session.execute(
        text("UPDATE counter SET value = value + :n WHERE name = :c RETURNING value"),
        {"n": count, "c": COUNTER},
    ).scalar_one()
    return int(last) - count + 1


def current_rev(session: Session) -> int:
    return int(
        session.execute(text("SELECT value FROM counter WHERE name = :c"), {"c": COUNTER})
        .scalar_one()
    )


def stamp_changes(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    """before_flush hook: gives every new or modified Tracked row a fresh rev."""
    changed: list[Tracked] = [o for o in session.new if isinstance(o, Tracked)]
    changed += [
        o for o in session.dirty if isinstance(o, Tracked) and session.is_modified(o)
    ]
    if not changed:
        return
    first = reserve_revs(session, len(changed))
    now = utcnow()
    for offset, row in enumerate(changed):
        row.rev = first + offset
        row.updated_at = now


def bulk_insert(session: Session, model: type[Tracked], rows: list[dict[str, Any]],
                chunk: int = 5000) -> None:
    """Inserts many new rows at once (demo data, imports), stamping ids, revs and times
    exactly as the flush hook would, without building ORM objects."""
    if not rows:
        return
    first = reserve_revs(session, len(rows))
    now = utcnow()
    for offset, row in enumerate(rows):
        row.setdefault("id", new_id())
        row["rev"] = first + offset
        row.setdefault("created_at", now)
        row["updated_at"] = now
        row.setdefault("deleted", False)
    for start in range(0, len(rows), chunk):
        session.execute(insert(model), rows[start:start + chunk])
