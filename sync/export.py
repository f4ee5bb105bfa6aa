"""Writing bundles: a station's changes for its county, or the county's return bundle for
one station. An office's bundle for the office above it (a county's for its city, a city's
for the province) is a station bundle: every synced row it holds, its own audit chain.
Each export takes the next sequence number, chains the previous bundle's hash,
and only then moves the outbox forward (if writing the file fails, nothing moved)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit
from registry.audit import GENESIS
from registry.files import write_atomic
from registry.migrations import SCHEMA_VERSION
from registry.models import utcnow
from registry.progress import Cancelled, Progress, no_progress
from registry.store import Store
from registry.sync_state import Outbox, Peer, SentBundle
from registry.tracking import current_rev
from sync import bundle, wire
from sync.errors import SyncError
from sync.keys import active_key, endorsements, ensure_keys, peer_active_key
from sync.names import (
    AUDIT,
    DECISION,
    DUPLICATE,
    KEY_EVENT,
    POVERTY_LINE,
    QUOTA,
    RECEIPT,
    RETURN_PAYLOAD_TABLES,
    STATION_TABLES,
)

APP_VERSION = "0.1.0"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    seq: int
    full: bool
    counts: dict[str, int]
    hash: str

    @property
    def records(self) -> int:
        return sum(self.counts.values())


def export_station(store: Store, out_dir: Path, full: bool = False,
                   progress: Progress = no_progress, to: str | None = None) -> ExportResult:
    """The station's bundle for its county: every row and tombstone changed since the
    last export (or everything with `full`), and the new audit entries. An office's for
    the office above it (`to`, needed only when it is enrolled at more than one)."""
    ensure_keys(store)
    with store.transaction() as s:
        county = _upper(s, store, to)
        box = _outbox(s, county)
        full = full or box.last_rev == 0
        since = 0 if full else box.last_rev
        rev_to = current_rev(s)
        tables: dict[str, Any] = {}
        steps = len(STATION_TABLES) + 1
        for i, name in enumerate(STATION_TABLES):
            tables[name] = wire.pack(name, wire.select_rows(
                s, name, "rev > :r AND rev <= :t", {"r": since, "t": rev_to}))
            _step(progress, i + 1, steps)
        audit_since = 0 if full else box.last_audit_seq
        audit_rows = wire.select_rows(s, AUDIT, "seq > :a ORDER BY seq", {"a": audit_since})
        payload = {"tables": tables, "audit": wire.pack(AUDIT, audit_rows)}
        seq_col = wire.columns(AUDIT).index("seq")
        last_audit = audit_rows[-1][seq_col] if audit_rows else box.last_audit_seq
        # The whole chain's head and length (schema 2): the county holds every entry sent,
        # so a chain cut or rewritten after sending shows at its next import.
        audit_head, audit_length = audit.head(s)
        result = _write(s, store, box, county, payload, out_dir, full, since + 1, rev_to,
                        station=store.info.region_code, county_code=county.code,
                        chain={"audit_head": audit_head, "audit_length": audit_length})
        box.last_rev = rev_to
        box.last_audit_seq = int(last_audit)
        progress(steps, steps)  # the file is written: too late to cancel
    return result


def export_return(store: Store, station_code: str, out_dir: Path, full: bool = False,
                  progress: Progress = no_progress) -> ExportResult:
    """The county's return bundle for one station: receipts, duplicate flags and rulings,
    decisions, key changes, the station's own quota (规模), and configuration (poverty
    lines)."""
    if store.info.kind != "county":
        raise SyncError("只有县扶贫办数据库可以导出回传数据包")
    ensure_keys(store)
    with store.transaction() as s:
        station = s.get(Peer, station_code)
        if station is None or station.role != "station":
            raise SyncError(f"乡镇 {station_code} 未在本县登记")
        box = _outbox(s, station)
        full = full or box.last_rev == 0
        since = 0 if full else box.last_rev
        rev_to = current_rev(s)
        p = {"r": since, "t": rev_to, "c": station_code, "k": store.info.county_code}
        revs = "rev > :r AND rev <= :t"
        where = {
            RECEIPT: f"{revs} AND station_code = :c",
            DUPLICATE: f"{revs} AND (station_a = :c OR station_b = :c)",
            DECISION: f"{revs} AND station_code = :c",
            KEY_EVENT: f"{revs} AND (subject_code = :c OR subject_code = :k)",
            QUOTA: f"{revs} AND township_code = :c",  # never another township's
            POVERTY_LINE: revs,
        }
        assert tuple(where) == RETURN_PAYLOAD_TABLES  # what the station's reader expects
        tables = {name: wire.pack(name, wire.select_rows(s, name, cond, p))
                  for name, cond in where.items()}
        _step(progress, 1, 2)
        result = _write(s, store, box, station, {"tables": tables}, out_dir, full, since + 1,
                        rev_to, station=station_code, county_code=store.info.county_code)
        box.last_rev = rev_to
        progress(2, 2)
    return result


def _upper(s: Session, store: Store, to: str | None) -> Peer:
    uppers = list(s.execute(select(Peer).where(Peer.role.in_(("county", "upper")))
                            .order_by(Peer.code)).scalars())
    if to is not None:
        uppers = [p for p in uppers if p.code == to]
    if not uppers:
        if not store.info.office:
            raise SyncError("本站尚未在县扶贫办注册:请先 enroll-request,再 accept 县里的答复")
        if to is None and store.info.kind == "county":
            raise SyncError("本县尚未在上级单位注册:请先 enroll-request,再 accept 上级的答复;"
                            "导出给乡镇的回传数据包请用 --station 指定乡镇")
        raise SyncError(f"本单位尚未在上级单位{to or ''}注册:请先 enroll-request,"
                        "再 accept 上级的答复")
    if len(uppers) > 1:
        names = "、".join(f"{p.name}({p.code})" for p in uppers)
        raise SyncError(f"本单位在多个上级单位注册过({names}),请用 --to 指定发给哪一个")
    return uppers[0]


def _step(progress: Progress, done: int, total: int) -> None:
    if not progress(done, total):
        raise Cancelled("已取消")


def _outbox(s: Session, peer: Peer) -> Outbox:
    box = s.get(Outbox, peer.code)
    if box is None or box.peer_store_id != peer.store_id:
        # A new peer store (a new county database): a new chain, starting with everything.
        if box is not None:
            s.delete(box)
            s.flush()
        box = Outbox(peer_code=peer.code, peer_store_id=peer.store_id, last_seq=0,
                     last_hash=GENESIS, last_rev=0, last_audit_seq=0)
        s.add(box)
    return box


def _write(s: Session, store: Store, box: Outbox, peer: Peer, payload: dict[str, Any],
           out_dir: Path, full: bool, rev_from: int, rev_to: int, station: str,
           county_code: str, chain: dict[str, Any] | None = None) -> ExportResult:
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise SyncError(f"文件夹不存在:{out_dir}")
    key = active_key(s)
    assert key is not None
    recipient = peer_active_key(s, peer.code)
    kind = "return" if peer.role == "station" else "station"  # down, or up
    seq = box.last_seq + 1
    counts = {name: len(t["rows"]) for name, t in payload["tables"].items()}
    if "audit" in payload:
        counts[AUDIT] = len(payload["audit"]["rows"])
    station_store = store.info.store_id if kind == "station" else peer.store_id
    county_store = peer.store_id if kind == "station" else store.info.store_id
    manifest = {
        "kind": kind, "county": county_code, "county_store": county_store,
        "station": station, "station_store": station_store,
        "sender": store.info.region_code, "recipient": peer.code,
        "key_id": key.key_id, "recipient_key_id": recipient.key_id,
        "seq": seq, "prev_hash": box.last_hash, "full": full,
        "rev_from": rev_from, "rev_to": rev_to, "counts": counts,
        "created_at": utcnow().isoformat(timespec="seconds"),
        "app_version": APP_VERSION, "schema_version": SCHEMA_VERSION,
        "endorsements": endorsements(s), **(chain or {}),
    }
    data, digest = bundle.seal(manifest, payload, key.sign_private, recipient.enc_public)
    path = out_dir / bundle.file_name(county_code, station, seq, kind)
    write_atomic(path, data)
    box.last_seq = seq
    box.last_hash = digest
    s.add(SentBundle(peer_code=peer.code, seq=seq, hash=digest, file_name=path.name,
                     full=full, counts=bundle.canonical(counts).decode(), created_at=utcnow()))
    return ExportResult(path, seq, full, counts, digest)
