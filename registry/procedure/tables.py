"""The procedure's own tables. Notices, their entries and objections belong to the station
(they travel up in its bundles, like households); the county's decisions and quotas are in
registry/sync_state.py with the other rows that travel back."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.base import Base, Tracked, utcnow


class Notice(Tracked, Base):
    """公示: the first in a village, the second in the township. Lists its households
    (NoticeEntry); its poster is printed from it."""

    __tablename__ = "notice"
    # Numbered per station and year (2026-003): unique within a township, and the county
    # holds the notices of all its townships, so the number is unique with its region.
    __table_args__ = (UniqueConstraint("region_code", "number"),)
    number: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))  # first second
    region_code: Mapped[str] = mapped_column(String(12), index=True)  # village / township
    start_date: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    opened_by: Mapped[str] = mapped_column(String(40))
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(40))


class NoticeEntry(Tracked, Base):
    """A household listed on a notice, and how it left it: passed, returned, cancelled."""

    __tablename__ = "notice_entry"
    __table_args__ = (UniqueConstraint("notice_id", "household_id"),)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notice.id"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(10))


class Objection(Tracked, Base):
    """异议 received during a notice's period: who (may be anonymous), what, how it was
    checked, and the outcome — keep (维持), return (退回重新评议) or cancel (取消)."""

    __tablename__ = "notice_objection"
    notice_id: Mapped[str] = mapped_column(ForeignKey("notice.id"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("household.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    objector: Mapped[str | None] = mapped_column(String(40))  # None: anonymous
    content: Mapped[str] = mapped_column(Text)
    checking: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[str] = mapped_column(String(40))


class VillageQuota(Tracked, Base):
    """The township's split of its quota by village (stays at the station)."""

    __tablename__ = "village_quota"
    village_code: Mapped[str] = mapped_column(String(12), unique=True)
    households: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(40))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
