"""Replacing an enrolled station's key at the county: refused unless confirmed.

A request signed by a fresh key proves only that its sender holds that key, not that it is
the station: anyone can write the station's code and store id into one. So a station that
is already enrolled keeps its key unless the county confirms the replacement with the new
key's fingerprint, read out by the station on the phone, and a reason (a reinstalled PC,
a revoked key). The old keys are then revoked, the replacement goes into the county's audit
chain (who, when, why), and key events tell the station in its next return bundle. A routine
change needs none of this: `rotate_keys` makes a key endorsed by the old one, which the
county learns from the next bundle."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit
from registry.models import utcnow
from registry.sync_state import KeyEvent, Peer, PeerKey
from sync import crypto
from sync.errors import KeyReplacementNeeded, SyncError

REPLACE = "replace"  # sync_key_event.action of a confirmed replacement


def same_fingerprint(given: str, fingerprint: str) -> bool:
    """As read out on the phone: case, spaces and dashes do not matter."""
    def plain(s: str) -> str:
        return "".join(c for c in s.upper() if c not in " -")
    return plain(given) == plain(fingerprint)


def keys_to_replace(s: Session, peer: Peer | None, request: dict[str, Any],
                    confirmed: str | None, reason: str | None) -> list[PeerKey] | None:
    """The station's keys a confirmed replacement revokes; None when the request needs no
    replacement (a new station, or the key it already has). Refuses otherwise."""
    fingerprint = crypto.fingerprint(request["sign_public"], request["enc_public"])
    if confirmed is not None and not same_fingerprint(confirmed, fingerprint):
        raise SyncError(f"确认的指纹 {confirmed} 与申请文件的密钥指纹 {fingerprint} 不符,"
                        "未作任何改动。请与乡镇重新电话核对。")
    known = [] if peer is None else list(s.execute(
        select(PeerKey).where(PeerKey.peer_code == peer.code)).scalars())
    mine = next((k for k in known if k.key_id == request["key_id"]), None)
    if mine is not None and mine.status == "revoked":
        raise SyncError("此密钥已被吊销,不能再次注册;请乡镇用 --new-key 生成新密钥后重新申请")
    if peer is None or not known or (mine is not None and mine.status == "active"):
        return None
    if confirmed is None:
        raise KeyReplacementNeeded(_refusal(peer, known, fingerprint), peer.code, fingerprint,
                                   active_fingerprints(known))
    if not (reason or "").strip():
        raise SyncError("更换乡镇密钥必须说明原因(--reason),未作任何改动")
    return [k for k in known if k.status != "revoked" and k.key_id != request["key_id"]]


def active_fingerprints(known: list[PeerKey]) -> tuple[str, ...]:
    return tuple(crypto.fingerprint(k.sign_public, k.enc_public) for k in known
                 if k.status == "active")


def _refusal(peer: Peer, known: list[PeerKey], fingerprint: str) -> str:
    active = active_fingerprints(known)
    now = f"使用的是另一把密钥(指纹 {'、'.join(active)})" if active else "原密钥已吊销"
    return (f"乡镇 {peer.name}({peer.code})已在本县登记,{now};此申请的密钥指纹为 "
            f"{fingerprint}。申请可能不是该乡镇发出的,未作任何改动。\n"
            "如确需更换(如乡镇电脑重装、密钥被吊销):请先电话与乡镇核对新指纹,再加上 "
            f"--replace-key {fingerprint} --reason 原因 重新登记,旧密钥随即吊销。\n"
            "日常更换密钥不必重新登记:乡镇用 sync rotate-key,新密钥由旧密钥背书,"
            "随下一个数据包送达。")


def record(s: Session, user: str, station: str, old: list[PeerKey],
           request: dict[str, Any], reason: str) -> None:
    """Revokes the old keys and records who replaced them, when and why."""
    now = utcnow()
    why = f"更换密钥:{reason}"
    for k in old:
        k.status, k.revoked_at, k.reason = "revoked", now, why
        s.add(KeyEvent(subject_code=station, key_id=k.key_id, action="revoke", reason=why,
                       at=now))
    s.add(KeyEvent(subject_code=station, key_id=request["key_id"], action=REPLACE,
                   sign_public=request["sign_public"], enc_public=request["enc_public"],
                   reason=reason, at=now))
    audit.record(s, user, "replace_key", "sync_peer", station,
                 before={"keys": [k.key_id for k in old]},
                 after={"key_id": request["key_id"], "fingerprint": crypto.fingerprint(
                     request["sign_public"], request["enc_public"])},
                 reason=reason)
