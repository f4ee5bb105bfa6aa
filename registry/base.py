"""The declarative base and the column groups the model modules share.

models.py (the station's tables) and sync_state.py (the sync tables) both build on this
module and not on each other; registry/schema.py imports every model module, so
create_all and the migrations see one complete metadata.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from registry.columns import Fixed
from registry.ids import new_id


def utcnow() -> datetime:
    return datetime.now().astimezone().replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {str: String, Decimal: Fixed(2)}


class Tracked:
    """A synced row: global id, change counter, timestamps, tombstone (registry/tracking.py)."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rev: Mapped[int] = mapped_column(Integer, default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditFields:
    """What an audit entry says; shared by the store's own chain (models.AuditEntry) and the
    stations' chains the county keeps (sync_state.StationAudit)."""

    user: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(30))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str | None] = mapped_column(String(36))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
