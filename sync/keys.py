"""This store's own key pairs and the public keys of its peers.

A store signs with one active key. Rotating makes a new pair endorsed (signed) by the
old one; bundles carry the endorsements, so the other side learns the new key from a
key it already trusts. A revoked key is refused for good, and so is anything it endorsed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import utcnow
from registry.store import Store
from registry.sync_state import OwnKey, PeerKey
from sync import crypto
from sync.errors import SyncError


def ensure_keys(store: Store) -> OwnKey:
    """Makes the store's first key pair if it has none; returns the active one."""
    with store.transaction() as s:
        key = active_key(s, required=False)
        if key is None:
            key = _new_key(s, endorsed_by=None)
        s.expunge(key)
    return key


def _new_key(session: Session, endorsed_by: OwnKey | None) -> OwnKey:
    sign_priv, sign_pub = crypto.new_sign_key()
    enc_priv, enc_pub = crypto.new_enc_key()
    key = OwnKey(key_id=crypto.key_id(sign_pub, enc_pub), sign_private=sign_priv,
                 sign_public=sign_pub, enc_private=enc_priv, enc_public=enc_pub,
                 status="active", created_at=utcnow())
    if endorsed_by is not None:
        key.endorsement = json.dumps(endorse(endorsed_by, key), sort_keys=True)
    session.add(key)
    session.flush()
    return key


def active_key(session: Session, required: bool = True) -> OwnKey | None:
    key = session.execute(select(OwnKey).where(OwnKey.status == "active")
                          .order_by(OwnKey.created_at.desc()).limit(1)).scalar()
    if key is None and required:
        raise SyncError("本数据库还没有同步密钥")
    return key


def own_key(session: Session, key_id: str) -> OwnKey | None:
    return session.get(OwnKey, key_id)


def rotate_keys(store: Store) -> OwnKey:
    """A new active pair endorsed by the current one; the old pair stays to decrypt."""
    ensure_keys(store)
    with store.transaction() as s:
        old = active_key(s)
        assert old is not None
        old.status = "retired"
        s.flush()
        key = _new_key(s, endorsed_by=old)
        s.expunge(key)
    return key


def _endorsement_body(by: str, key_id: str, sign_public: str, enc_public: str) -> bytes:
    return json.dumps({"by": by, "key_id": key_id, "sign_public": sign_public,
                       "enc_public": enc_public}, sort_keys=True).encode()


def endorse(old: OwnKey, new: OwnKey) -> dict[str, str]:
    body = _endorsement_body(old.key_id, new.key_id, new.sign_public, new.enc_public)
    return {"by": old.key_id, "key_id": new.key_id, "sign_public": new.sign_public,
            "enc_public": new.enc_public, "sig": crypto.sign(old.sign_private, body).hex()}


def endorsements(session: Session) -> list[dict[str, str]]:
    """The chain of endorsements of this store's keys, oldest first (for manifests)."""
    rows = session.execute(select(OwnKey.endorsement).where(OwnKey.endorsement.is_not(None))
                           .order_by(OwnKey.created_at)).scalars()
    return [json.loads(r) for r in rows if r]


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    sign_public: str
    enc_public: str
    new: bool  # learned from an endorsement in this bundle, not yet stored


def resolve_signer(session: Session, peer_code: str, key_id: str,
                   chain: list[dict[str, Any]]) -> TrustedKey:
    """The peer's key `key_id`, known already or endorsed by a known, unrevoked key."""
    known = {k.key_id: k for k in session.execute(
        select(PeerKey).where(PeerKey.peer_code == peer_code)).scalars()}
    by_new = {str(e.get("key_id")): e for e in chain if isinstance(e, dict)}
    seen: set[str] = set()

    def trusted(kid: str) -> TrustedKey:
        if kid in seen:
            raise SyncError("数据包的密钥背书链有循环,已拒绝")
        seen.add(kid)
        k = known.get(kid)
        if k is not None:
            if k.status == "revoked":
                again = ("请向县扶贫办索取新的注册答复文件" if len(peer_code) == 6  # a county
                         else "请该乡镇重新申请注册")
                raise SyncError(f"数据包由已吊销的密钥({kid})签名,已拒绝。{again}。")
            return TrustedKey(k.key_id, k.sign_public, k.enc_public, False)
        e = by_new.get(kid)
        if e is None:
            raise SyncError(f"数据包的签名密钥({kid})未注册,已拒绝")
        parent = trusted(str(e["by"]))
        try:
            body = _endorsement_body(parent.key_id, kid, str(e["sign_public"]),
                                     str(e["enc_public"]))
            ok = (crypto.key_id(str(e["sign_public"]), str(e["enc_public"])) == kid
                  and crypto.verify(parent.sign_public, bytes.fromhex(str(e["sig"])), body))
        except (ValueError, KeyError):
            ok = False
        if not ok:
            raise SyncError(f"数据包中新密钥({kid})的背书无效,已拒绝")
        return TrustedKey(kid, str(e["sign_public"]), str(e["enc_public"]), True)

    return trusted(key_id)


def learn_key(session: Session, peer_code: str, key: TrustedKey) -> None:
    """Stores a key learned by endorsement; earlier active keys of the peer retire."""
    if not key.new or session.get(PeerKey, key.key_id) is not None:
        return
    for k in session.execute(select(PeerKey).where(PeerKey.peer_code == peer_code,
                                                   PeerKey.status == "active")).scalars():
        k.status = "retired"
    session.add(PeerKey(key_id=key.key_id, peer_code=peer_code, sign_public=key.sign_public,
                        enc_public=key.enc_public, status="active", added_at=utcnow()))


def peer_active_key(session: Session, peer_code: str) -> PeerKey:
    key = session.execute(select(PeerKey).where(PeerKey.peer_code == peer_code,
                                                PeerKey.status == "active")
                          .order_by(PeerKey.added_at.desc()).limit(1)).scalar()
    if key is None:
        raise SyncError(f"{peer_code} 没有有效的公钥,请先完成注册")
    return key
