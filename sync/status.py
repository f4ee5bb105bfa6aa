"""Where each chain stands: per station at the county (last sequence, gaps, waiting
bundles, forks, key state), or for a station its county link and latest receipts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.store import Store
from registry.sync_state import (
    DuplicateFlag,
    Inbox,
    Outbox,
    Peer,
    PeerKey,
    Quarantined,
    Receipt,
    ReceivedBundle,
)
from registry.villages import in_region
from sync.chain_check import CHAIN_FINDING
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
    held: int = 0  # records not applied, kept for review (conflict or quarantined)
    chain_findings: int = 0  # imports where the station's audit chain did not match
    last_finding: str = ""  # the latest of those, in words

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
            held, findings, finding = 0, 0, ""
            if store.info.office:
                # (At a city or the province the peer is an office: its townships' flags.)
                dup = s.scalar(select(func.count()).select_from(DuplicateFlag).where(
                    DuplicateFlag.ruling.is_(None), DuplicateFlag.deleted.is_(False),
                    in_region(DuplicateFlag.station_a, peer.code)
                    | in_region(DuplicateFlag.station_b, peer.code))) or 0
                held, findings, finding = _held(s, peer.code)
            out.append(PeerStatus(
                code=peer.code, name=peer.name, role=peer.role, key_status=key_status,
                last_seq=last, last_applied_at=max(applied) if applied else None,
                waiting=waiting,
                missing=_missing(last + 1, max(waiting), set(waiting)) if waiting else "",
                forks=sorted(r.seq for r in received if r.status == "fork"),
                sent_seq=box.last_seq if box else 0, open_duplicates=dup,
                held=held, chain_findings=findings, last_finding=finding))
    return out


def _held(s: Session, station: str) -> tuple[int, int, str]:
    """sync_quarantine for one station: records held, chain findings, the latest finding."""
    per_table: dict[str, int] = {table: n for table, n in s.execute(
        select(Quarantined.table_name, func.count()).where(Quarantined.station_code == station)
        .group_by(Quarantined.table_name))}
    findings = per_table.pop(CHAIN_FINDING, 0)
    latest = s.execute(select(Quarantined.reason).where(
        Quarantined.station_code == station, Quarantined.table_name == CHAIN_FINDING)
        .order_by(Quarantined.id.desc()).limit(1)).scalar()
    return sum(per_table.values()), findings, latest or ""


def held_total(store: Store) -> int:
    """Everything ever kept in sync_quarantine: records held and chain findings (the CLI
    compares it before and after an import)."""
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(Quarantined)) or 0


def receipts(store: Store, limit: int = 20) -> list[Receipt]:
    """Latest receipts (at a station: what the county accepted of our bundles)."""
    with store.session() as s:
        rows = list(s.execute(select(Receipt).order_by(Receipt.seq.desc()).limit(limit))
                    .scalars())
        for r in rows:
            s.expunge(r)
    return rows


def receipt_held(receipt: Receipt) -> int:
    """Records of the receipt's bundle the county did not apply (conflict, quarantined)."""
    try:
        counts = json.loads(receipt.counts)
        return sum(int(c.get("conflict", 0)) + int(c.get("quarantined", 0))
                   for c in counts.values())
    except (ValueError, TypeError, AttributeError):
        return 0
