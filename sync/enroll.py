"""Enrollment: the station writes a request with its public keys; the county registers
the station and answers with its own public keys. The offices roll up the same way: a
county enrolls at its city (or straight at the province) as a station does at its county,
a city at the province; the files' "station" is then the lower office and "county" the
upper one (an upper peer of an office has the role "upper"). Both files are plain JSON, signed by
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


def write_request(store: Store, out: Path, new_key: bool = False, to: str | None = None
                  ) -> Enrolled:
    """The station's enrollment request; `new_key` rotates first (after a revocation).
    An office's request goes to `to`, an office above it (by default the next one up)."""
    info = store.info
    upper = upper_office(store, to)
    key = rotate_keys(store) if new_key else ensure_keys(store)
    body = {"type": REQUEST, "station": info.region_code, "station_name": info.region_name,
            "station_store": info.store_id, "county": upper,
            "key_id": key.key_id, "sign_public": key.sign_public,
            "enc_public": key.enc_public, "created_at": utcnow().isoformat()}
    write_atomic(Path(out), _signed(body, key.sign_private))
    return Enrolled(info.region_code, info.region_name,
                    crypto.fingerprint(key.sign_public, key.enc_public))


def upper_office(store: Store, to: str | None) -> str:
    """The code of the office `store` reports to: a station's county always; an office's
    `to` (a code above its own) or the next office up."""
    info = store.info
    if not info.office:
        if to not in (None, info.county_code):
            raise SyncError(f"乡镇工作站只能在本县({info.county_code})注册")
        return info.county_code
    if info.upper_code is None:
        raise SyncError("省级数据库没有上级单位,不需要申请注册")
    upper = info.upper_code if to is None else to.strip()
    if not (len(upper) in (2, 4) and len(upper) < len(info.region_code)
            and info.region_code.startswith(upper)):
        raise SyncError(f"{upper} 不是本单位({info.region_name},{info.region_code})"
                        "的上级市(州)或省的代码")
    return upper


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
    if not store.info.office:
        raise SyncError("只有县扶贫办(或市、省)的数据库可以登记下级单位")
    r = _read_signed(request, REQUEST)
    county = store.info.region_code  # the office enrolling: a county, a city, the province
    below = str(r["station"])
    if r["county"] != county or not below.startswith(county) or len(below) <= len(county) \
            or (len(county) == 6) != (len(below) == 9):  # a county enrolls townships only
        where = "其他县的乡镇" if store.info.kind == "county" else "其他地方的单位"
        raise SyncError(f"此申请来自{where}({r['station_name']},{below}),"
                        f"或是发给另一个单位的;本库是 {store.info.region_name}")
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
        if peer is not None and peer.role != "station":
            raise SyncError(f"{peer.name}({peer.code})是本单位的上级单位,不能登记为下级")
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
    a = _read_signed(answer, ANSWER)
    info = store.info
    if info.kind == "province":
        raise SyncError("省级数据库没有上级单位,不接受注册答复")
    if a["station"] != info.region_code:
        raise SyncError(f"此答复是给 {a['station']} 的,不是本单位({info.region_code})")
    upper = str(a["county"])
    if (upper != info.county_code) if not info.office else \
            not (len(upper) < len(info.region_code) and info.region_code.startswith(upper)):
        if not info.office:
            raise SyncError(f"此答复来自其他县({a['county_name']},{upper}),"
                            f"本站属于县 {info.county_code}")
        raise SyncError(f"此答复来自其他地方({a['county_name']},{upper}),"
                        f"不是本单位({info.region_name})的上级")
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
        if peer is not None and peer.role == "station":
            raise SyncError(f"{peer.name}({peer.code})是本单位登记的下级单位,不能作为上级")
        if peer is None:  # a station's county keeps its schema-1 role name
            peer = Peer(code=a["county"], role="upper" if info.office else "county",
                        name=a["county_name"],
                        store_id=a["county_store"], enrolled_at=utcnow())
            s.add(peer)
        peer.store_id = a["county_store"]
        _add_peer_key(s, a["county"], a)
    return Enrolled(a["county"], a["county_name"],
                    crypto.fingerprint(a["sign_public"], a["enc_public"]), replaced=replaced)


def own_fingerprint(store: Store) -> str:
    key = ensure_keys(store)
    return crypto.fingerprint(key.sign_public, key.enc_public)
