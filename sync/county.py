"""What the county does besides merging: revoke a station key, record a decision on a
household. Both become rows that travel back in the station's next return bundle."""

from __future__ import annotations

from sqlalchemy import select

from registry.models import utcnow
from registry.roles import Act
from registry.store import Store
from registry.sync_state import CountyDecision, KeyEvent, Peer, PeerKey
from sync.errors import SyncError

DECISIONS = {"review": "复审", "approve": "审定", "correction": "更正要求"}


def revoke_station_key(store: Store, station_code: str, reason: str,
                       key_id: str | None = None) -> list[str]:
    """Revokes one key of a station (or all its keys): its bundles are refused from now on,
    and so is any key it endorses. Returns the revoked key ids."""
    if store.info.kind != "county":
        raise SyncError("只有县扶贫办可以吊销乡镇密钥")
    if not reason.strip():
        raise SyncError("吊销密钥必须填写原因")
    with store.transaction() as s:
        if s.get(Peer, station_code) is None:
            raise SyncError(f"乡镇 {station_code} 未在本县登记")
        q = select(PeerKey).where(PeerKey.peer_code == station_code,
                                  PeerKey.status != "revoked")
        if key_id:
            q = q.where(PeerKey.key_id == key_id)
        keys = list(s.execute(q).scalars())
        if not keys:
            raise SyncError("没有可吊销的密钥")
        for k in keys:
            k.status, k.revoked_at, k.reason = "revoked", utcnow(), reason
            s.add(KeyEvent(subject_code=station_code, key_id=k.key_id, action="revoke",
                           reason=reason, at=utcnow()))
        return [k.key_id for k in keys]


def decide(store: Store, household_id: str, station_code: str, kind: str,
           result: str | None = None, note: str | None = None,
           notice_no: str | None = None) -> str:
    """A county request on a station's household outside the review queue (复审 note,
    更正要求); returns its id. 审定 goes through the queue (registry.procedure.county), with
    its sample and quota checks."""
    if store.info.kind != "county":
        raise SyncError("只有县扶贫办可以作出决定")
    store.require(Act.COUNTY_REVIEW)
    if kind == "approve":
        raise SyncError("审定请在县复审队列中进行(county decide),以便核对抽查和规模")
    if kind not in DECISIONS:
        raise SyncError("决定类型只能是 review(复审)或 correction(更正要求)")
    with store.transaction() as s:
        row = CountyDecision(household_id=household_id, station_code=station_code, kind=kind,
                             result=result, note=note, notice_no=notice_no,
                             decided_by=store.user, decided_at=utcnow(), role=store.role)
        s.add(row)
        s.flush()
        return row.id
