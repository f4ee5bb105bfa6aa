"""Tables of the sync (sync/): keys, enrolled peers, bundle chains, receipts, the county's
duplicate flags and decisions. Rows that travel in return bundles are `Tracked`, so the
county exports "what changed since" with the same rev query as a station.

Private keys sit here, inside the encrypted store (sealed with the server key on a
PostgreSQL server), and never leave it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from registry.base import AuditFields, Base, Tracked, utcnow
from registry.columns import ServerSealed


class OwnKey(Base):
    """This store's Ed25519 signing and X25519 encryption key pair (hex)."""

    __tablename__ = "sync_own_key"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    # Private halves: sealed with the server key on PostgreSQL (registry/columns.py).
    sign_private: Mapped[str] = mapped_column(ServerSealed("sync_own_key.sign_private"))
    sign_public: Mapped[str] = mapped_column(String(64))
    enc_private: Mapped[str] = mapped_column(ServerSealed("sync_own_key.enc_private"))
    enc_public: Mapped[str] = mapped_column(String(64))
    # active: signs new bundles; retired: still decrypts old ones; revoked by the county.
    status: Mapped[str] = mapped_column(String(10), default="active")
    # The endorsement of this key by the one before it (JSON), carried in manifests.
    endorsement: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Peer(Base):
    """The other side: at a county each enrolled station, at a station its county."""

    __tablename__ = "sync_peer"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    # station (below), county (a station's county) or upper (an office's office above)
    role: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(60))
    store_id: Mapped[str] = mapped_column(String(36))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PeerKey(Base):
    """A public key of a peer; revoked keys stay listed so their bundles are refused."""

    __tablename__ = "sync_peer_key"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    peer_code: Mapped[str] = mapped_column(String(12), index=True)
    sign_public: Mapped[str] = mapped_column(String(64))
    enc_public: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="active")  # active retired revoked
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(Text)


class Outbox(Base):
    """The sending chain towards one peer: last sequence, its hash, and how far we got."""

    __tablename__ = "sync_outbox"
    peer_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    peer_store_id: Mapped[str] = mapped_column(String(36))
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    last_rev: Mapped[int] = mapped_column(Integer, default=0)
    last_audit_seq: Mapped[int] = mapped_column(Integer, default=0)


class SentBundle(Base):
    __tablename__ = "sync_sent"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    peer_code: Mapped[str] = mapped_column(String(12), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(120))
    full: Mapped[bool] = mapped_column(default=False)
    counts: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Inbox(Base):
    """The receiving chain from one peer: what was applied last, and its hash."""

    __tablename__ = "sync_inbox"
    peer_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    audit_hash: Mapped[str] = mapped_column(String(64))  # last station audit entry seen
    # How many of the station's entries the county holds up to audit_hash: with the head,
    # what a receipt acknowledges and what the next bundle's manifest must match.
    audit_length: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ReceivedBundle(Base):
    """Every bundle seen: applied, waiting for a gap to fill (bytes kept), or a fork."""

    __tablename__ = "sync_received"
    __table_args__ = (UniqueConstraint("peer_code", "seq", "hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    peer_code: Mapped[str] = mapped_column(String(12), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))  # applied waiting fork old
    file_name: Mapped[str] = mapped_column(String(120))
    manifest: Mapped[str] = mapped_column(Text)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)


class Receipt(Tracked, Base):
    """回执: what the county did with one station bundle; travels back to the station."""

    __tablename__ = "sync_receipt"
    station_code: Mapped[str] = mapped_column(String(12), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    bundle_hash: Mapped[str] = mapped_column(String(64))
    counts: Mapped[str] = mapped_column(Text)  # JSON: {table: {bucket: n}}
    message: Mapped[str] = mapped_column(Text, default="")
    received_by: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The station's audit chain as the county holds it after this bundle (head, number of
    # entries); the station's `verify` checks its own chain still holds it. None: a receipt
    # of schema 1, which acknowledged no chain. Placed after Tracked's columns, where the
    # migration's ALTER TABLE puts them.
    audit_head: Mapped[str | None] = mapped_column(String(64), sort_order=1)
    audit_length: Mapped[int | None] = mapped_column(Integer, sort_order=1)


class DuplicateFlag(Tracked, Base):
    """A person possibly registered twice: kind id_number (same 身份证号) or likely
    (same name and birth date). The county rules same / different; the ruling travels
    back to both stations."""

    __tablename__ = "sync_duplicate"
    __table_args__ = (UniqueConstraint("kind", "member_a", "member_b"),)
    kind: Mapped[str] = mapped_column(String(10))
    member_a: Mapped[str] = mapped_column(String(36))
    member_b: Mapped[str] = mapped_column(String(36))
    station_a: Mapped[str] = mapped_column(String(12), index=True)
    station_b: Mapped[str] = mapped_column(String(12), index=True)
    household_a: Mapped[str] = mapped_column(String(36))
    household_b: Mapped[str] = mapped_column(String(36))
    village_a: Mapped[str] = mapped_column(String(12))
    village_b: Mapped[str] = mapped_column(String(12))
    name_a: Mapped[str] = mapped_column(String(40))
    name_b: Mapped[str] = mapped_column(String(40))
    id_number_a: Mapped[str] = mapped_column(String(18))
    id_number_b: Mapped[str] = mapped_column(String(18))
    birth_date: Mapped[date | None] = mapped_column(Date)
    ruling: Mapped[str | None] = mapped_column(String(10))  # same | different
    ruled_by: Mapped[str | None] = mapped_column(String(40))
    ruled_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)


class CountyDecision(Tracked, Base):
    """A county decision on a station's household (复审/审定/更正要求), sent back."""

    __tablename__ = "sync_decision"
    household_id: Mapped[str] = mapped_column(String(36), index=True)
    station_code: Mapped[str] = mapped_column(String(12), index=True)
    # sample (抽查: result pending → pass|fail), approve (审定, notice_no the 文号),
    # correction (退回 with note), announce (公告 of an approved household, notice_no),
    # review (schema 1's 复审, kept as history).
    kind: Mapped[str] = mapped_column(String(12))
    result: Mapped[str | None] = mapped_column(String(20))
    notice_no: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Schema 3, after Tracked's columns where the migration's ALTER TABLE puts them.
    role: Mapped[str | None] = mapped_column(String(20), sort_order=1)
    # How many steps the household had when decided: a decision is about that state, and
    # a household the station sends again after a 退回 is a new case for the queue.
    basis_seq: Mapped[int | None] = mapped_column(Integer, sort_order=1)
    override: Mapped[str | None] = mapped_column(Text, sort_order=1)  # over quota: why


class Quota(Tracked, Base):
    """规模控制: the number of poor households and people the county allots a township.
    Set by the county, travels to the station in its return bundle."""

    __tablename__ = "sync_quota"
    township_code: Mapped[str] = mapped_column(String(12), unique=True)
    households: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)


class KeyEvent(Tracked, Base):
    """A key change the other side must learn: a station key revoked or its rotation
    acknowledged, or the county's own rotation. Travels in return bundles."""

    __tablename__ = "sync_key_event"
    subject_code: Mapped[str] = mapped_column(String(12), index=True)
    key_id: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(10))  # revoke rotate
    sign_public: Mapped[str | None] = mapped_column(String(64))
    enc_public: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Quarantined(Base):
    """Incoming rows not applied (conflict or quarantined), kept whole for review."""

    __tablename__ = "sync_quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_code: Mapped[str] = mapped_column(String(12), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    table_name: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(36))
    bucket: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text)  # JSON
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StationAudit(AuditFields, Base):
    """A station's audit chain as received by the county (kept apart from the county's
    own chain so both stay verifiable)."""

    __tablename__ = "sync_station_audit"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station_code: Mapped[str] = mapped_column(String(12), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(32))


# County-owned rows that travel back to stations in return bundles.
RETURN_MODELS: tuple[type[Tracked], ...] = (Receipt, DuplicateFlag, CountyDecision, KeyEvent,
                                             Quota)
