"""Enrollment: the station writes a request with its public keys; the county registers
the station and answers with its own public keys. Both files are plain JSON, signed by
their sender's key (proof that it holds the private key), and hold no personal data.
Both screens show the same fingerprint, which staff compare by phone before trusting."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update

from registry.files import write_atomic
from registry.models import utcnow
from registry.store import Store
from registry.sync_state import Inbox, Peer, PeerKey, ReceivedBundle
from sync import county_key, crypto, key_replacement
from sync.errors import SyncError
from sync.keys import active_key, ensure_keys, rotate_keys

REQUEST = "fupin-enroll-request"
ANSWER = "fupin-enroll-answer"
CONTEXT = b"fupin-enroll-v1\0"


@dataclass(frozen=True)
class Enrolled:
    code: str
    name: str
    fingerprint: str
    note: str = ""
    replaced: tuple[str, ...] = ()  # key ids a confirmed replacement revoked


def _signed(body: dict[str, Any], sign_private: str) -> bytes:
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    sig = crypto.sign(sign_private, CONTEXT + raw).hex()
    return json.dumps({**body, "signature": sig}, sort_keys=True, ensure_ascii=False,
                      indent=1).encode()


def _read_signed(path: Path, kind: str) -> dict[str, Any]:
    label = "注册申请" if kind == REQUEST else "注册答复"
    try:
        data = json.loads(Path(path).read_bytes())
    except (OSError, ValueError):
        raise SyncError(f"无法读取{label}文件:{path}") from None
    if not isinstance(data, dict) or data.get("type") != kind:
        raise SyncError(f"{path} 不是{label}文件")
    sig = data.pop("signature", "")
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    try:
        ok = crypto.key_id(data["sign_public"], data["enc_public"]) == data["key_id"] and \
            crypto.verify(data["sign_public"], bytes.fromhex(sig), CONTEXT + raw)
    except (KeyError, ValueError, TypeError):
        ok = False
    if not ok:
        raise SyncError(f"{label}文件的签名无效(文件被改动或损坏)")
    return data


def write_request(store: Store, out: Path, new_key: bool = False) -> Enrolled:
    """The station's enrollment request; `new_key` rotates first (after a revocation)."""
    if store.info.kind != "station":
        raise SyncError("只有乡镇工作站需要申请注册")
    key = rotate_keys(store) if new_key else ensure_keys(store)
    info = store.info
    body = {"type": REQUEST, "station": info.region_code, "station_name": info.region_name,
            "station_store": info.store_id, "county": info.county_code,
            "key_id": key.key_id, "sign_public": key.sign_public,
            "enc_public": key.enc_public, "created_at": utcnow().isoformat()}
    write_atomic(Path(out), _signed(body, key.sign_private))
    return Enrolled(info.region_code, info.region_name,
                    crypto.fingerprint(key.sign_public, key.enc_public))


def read_request(path: Path) -> Enrolled:
    """What the county sees before enrolling (to compare the fingerprint)."""
    r = _read_signed(path, REQUEST)
    return Enrolled(r["station"], r["station_name"],
                    crypto.fingerprint(r["sign_public"], r["enc_public"]))


def enroll(store: Store, request: Path, answer: Path, replace_key: str | None = None,
           reason: str | None = None) -> Enrolled:
    """Registers a station at the county and writes the answer file. Enrolling it again
    with the key it has is harmless (the answer is written again). A station enrolled with
    another key is refused (KeyReplacementNeeded) unless `replace_key` confirms the
    request's fingerprint, compared by phone, with a `reason` (sync/key_replacement.py)."""
    if store.info.kind != "county":
        raise SyncError("只有县扶贫办数据库可以登记乡镇")
    r = _read_signed(request, REQUEST)
    county = store.info.county_code
    if r["county"] != county or not str(r["station"]).startswith(county):
        raise SyncError(f"此申请来自其他县的乡镇({r['station_name']},{r['station']}),"
                        f"本库是 {store.info.region_name}")
    own = ensure_keys(store)
    note = ""
    with store.transaction() as s:
        peer = s.get(Peer, r["station"])
        old = key_replacement.keys_to_replace(s, peer, r, replace_key, reason)
        replaced = tuple(k.key_id for k in old or ())
        if old is not None:
            key_replacement.record(s, store.user, r["station"], old, r, str(reason))
        if peer is not None and peer.store_id != r["station_store"]:
            restart_chain(s, peer.code)
            note = "该乡镇使用了新的数据库,数据包编号从 1 重新开始"
        if peer is None:
            peer = Peer(code=r["station"], role="station", name=r["station_name"],
                        store_id=r["station_store"], enrolled_at=utcnow())
            s.add(peer)
        peer.store_id = r["station_store"]
        peer.name = r["station_name"]
        _add_peer_key(s, peer.code, r)
        body = {"type": ANSWER, "county": county, "county_name": store.info.region_name,
                "county_store": store.info.store_id, "station": r["station"],
                "station_key_id": r["key_id"], "key_id": own.key_id,
                "sign_public": own.sign_public, "enc_public": own.enc_public,
                "created_at": utcnow().isoformat()}
        write_atomic(Path(answer), _signed(body, own.sign_private))
    return Enrolled(r["station"], r["station_name"],
                    crypto.fingerprint(r["sign_public"], r["enc_public"]), note, replaced)


def restart_chain(s: Any, code: str) -> None:
    """The peer has a new store (reinstalled): its bundles count from 1 again, and what
    was received from the old store no longer counts for replay or fork checks."""
    s.execute(delete(Inbox).where(Inbox.peer_code == code))
    s.execute(delete(ReceivedBundle).where(ReceivedBundle.peer_code == code,
                                           ReceivedBundle.status == "waiting"))
    s.execute(update(ReceivedBundle).where(ReceivedBundle.peer_code == code)
              .values(status="old"))


def _add_peer_key(s: Any, code: str, r: dict[str, Any]) -> None:
    existing = s.get(PeerKey, r["key_id"])
    if existing is not None and existing.status == "revoked":
        raise SyncError("此密钥已被吊销,不能再次注册;请乡镇用 --new-key 生成新密钥后重新申请")
    for k in s.execute(select(PeerKey).where(PeerKey.peer_code == code,
                                             PeerKey.status == "active")).scalars():
        if k.key_id != r["key_id"]:
            k.status = "retired"
    if existing is None:
        s.add(PeerKey(key_id=r["key_id"], peer_code=code, sign_public=r["sign_public"],
                      enc_public=r["enc_public"], status="active", added_at=utcnow()))
    else:
        existing.status = "active"


def accept(store: Store, answer: Path, replace_county_key: str | None = None,
           reason: str | None = None) -> Enrolled:
    """The station takes the county's answer: the county's public keys. The same answer
    again is harmless. An answer with another county key than the one the station trusts
    is refused (CountyKeyReplacementNeeded) unless `replace_county_key` confirms its
    fingerprint, compared by phone (sync/county_key.py); `reason` is recorded."""
    if store.info.kind != "station":
        raise SyncError("只有乡镇工作站可以接受注册答复")
    a = _read_signed(answer, ANSWER)
    info = store.info
    if a["station"] != info.region_code:
        raise SyncError(f"此答复是给乡镇 {a['station']} 的,不是本站({info.region_code})")
    if a["county"] != info.county_code:
        raise SyncError(f"此答复来自其他县({a['county_name']},{a['county']}),"
                        f"本站属于县 {info.county_code}")
    with store.transaction() as s:
        key = active_key(s)
        assert key is not None
        if a["station_key_id"] != key.key_id:
            raise SyncError("此答复对应的是本站以前的密钥,请重新申请注册")
        peer = s.get(Peer, a["county"])
        old = county_key.keys_to_replace(s, peer, a, replace_county_key)
        replaced = tuple(k.key_id for k in old or ())
        if old is not None:
            county_key.record(s, store.user, a["county"], old, a, reason)
        if peer is not None and peer.store_id != a["county_store"]:
            restart_chain(s, peer.code)
        if peer is None:
            peer = Peer(code=a["county"], role="county", name=a["county_name"],
                        store_id=a["county_store"], enrolled_at=utcnow())
            s.add(peer)
        peer.store_id = a["county_store"]
        _add_peer_key(s, a["county"], a)
    return Enrolled(a["county"], a["county_name"],
                    crypto.fingerprint(a["sign_public"], a["enc_public"]), replaced=replaced)


def own_fingerprint(store: Store) -> str:
    key = ensure_keys(store)
    return crypto.fingerprint(key.sign_public, key.enc_public)
