"""Where each chain stands: per station at the county (last sequence, gaps, waiting
bundles, forks, key state), or for a station its county link and latest receipts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from registry.store import Store
from registry.sync_state import (
    DuplicateFlag,
    Inbox,
    Outbox,
    Peer,
    PeerKey,
    Receipt,
    ReceivedBundle,
)
from sync.keys import ensure_keys
from sync.receive import _missing


@dataclass
class PeerStatus:
    code: str
    name: str
    role: str
    key_status: str  # 有效 / 已吊销 / 无
    last_seq: int  # last bundle applied from this peer
    last_applied_at: datetime | None
    waiting: list[int] = field(default_factory=list)
    missing: str = ""  # e.g. "41–42"
    forks: list[int] = field(default_factory=list)
    sent_seq: int = 0  # last bundle we sent to this peer
    open_duplicates: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def status(store: Store) -> list[PeerStatus]:
    """One entry per peer: at a county every enrolled station, at a station its county."""
    ensure_keys(store)
    out: list[PeerStatus] = []
    with store.session() as s:
        for peer in s.execute(select(Peer).order_by(Peer.code)).scalars():
            keys = [k.status for k in s.execute(
                select(PeerKey).where(PeerKey.peer_code == peer.code)).scalars()]
            key_status = "有效" if "active" in keys else ("已吊销" if "revoked" in keys else "无")
            inbox = s.get(Inbox, peer.code)
            last = inbox.last_seq if inbox else 0
            received = list(s.execute(select(ReceivedBundle).where(
                ReceivedBundle.peer_code == peer.code)).scalars())
            waiting = sorted(r.seq for r in received if r.status == "waiting")
            applied = [r.applied_at for r in received if r.status == "applied" and r.applied_at]
            box = s.get(Outbox, peer.code)
            dup = 0
            if store.info.kind == "county":
                dup = s.scalar(select(func.count()).select_from(DuplicateFlag).where(
                    DuplicateFlag.ruling.is_(None),
                    (DuplicateFlag.station_a == peer.code)
                    | (DuplicateFlag.station_b == peer.code))) or 0
            out.append(PeerStatus(
                code=peer.code, name=peer.name, role=peer.role, key_status=key_status,
                last_seq=last, last_applied_at=max(applied) if applied else None,
                waiting=waiting,
                missing=_missing(last + 1, max(waiting), set(waiting)) if waiting else "",
                forks=sorted(r.seq for r in received if r.status == "fork"),
                sent_seq=box.last_seq if box else 0, open_duplicates=dup))
    return out


def receipts(store: Store, limit: int = 20) -> list[Receipt]:
    """Latest receipts (at a station: what the county accepted of our bundles)."""
    with store.session() as s:
        rows = list(s.execute(select(Receipt).order_by(Receipt.seq.desc()).limit(limit))
                    .scalars())
        for r in rows:
            s.expunge(r)
    return rows
