"""The county's key at a station: an answer with another key is refused unless confirmed.

The mirror of sync/key_replacement.py. An answer proves only that its sender holds the key
in it: anyone with a county store of the same code can enroll the station's request (it
travels on the USB stick) and answer it. A station that took such an answer would encrypt
its households to the impostor and take its return bundles as the county's. So a station
that already trusts a county key keeps it unless the station confirms the answer's
fingerprint, read out by the county on the phone (the county reinstalled its PC, or its key
was believed stolen). The old county keys are then revoked (return bundles signed by them
are refused), and the replacement goes into the station's audit chain (who, when, why)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import audit
from registry.models import utcnow
from registry.sync_state import Peer, PeerKey
from sync import crypto
from sync.errors import CountyKeyReplacementNeeded, SyncError
from sync.key_replacement import active_fingerprints, same_fingerprint

NO_REASON = "未说明"  # a station may confirm without a reason; the county must give one


def keys_to_replace(s: Session, peer: Peer | None, answer: dict[str, Any],
                    confirmed: str | None) -> list[PeerKey] | None:
    """The county keys a confirmed replacement revokes; None when the answer needs none
    (the first answer, or the key the station trusts now). Refuses otherwise."""
    fingerprint = crypto.fingerprint(answer["sign_public"], answer["enc_public"])
    if confirmed is not None and not same_fingerprint(confirmed, fingerprint):
        raise SyncError(f"确认的指纹 {confirmed} 与答复文件中县扶贫办的密钥指纹 {fingerprint} "
                        "不符,未作任何改动。请与县扶贫办重新电话核对。")
    known = [] if peer is None else list(s.execute(
        select(PeerKey).where(PeerKey.peer_code == peer.code)).scalars())
    mine = next((k for k in known if k.key_id == answer["key_id"]), None)
    if mine is not None and mine.status == "revoked":
        raise SyncError("此答复中县扶贫办的密钥已在本站作废(已被更换),不能再次接受;"
                        "请向县扶贫办索取新的答复文件")
    if peer is None or not known or (mine is not None and mine.status == "active"):
        return None
    if confirmed is None:
        raise CountyKeyReplacementNeeded(_refusal(peer, known, fingerprint), peer.code,
                                         fingerprint, active_fingerprints(known))
    return [k for k in known if k.status != "revoked" and k.key_id != answer["key_id"]]


def _refusal(peer: Peer, known: list[PeerKey], fingerprint: str) -> str:
    active = active_fingerprints(known)
    now = f"(指纹 {'、'.join(active)})" if active else ""
    return (f"本站已登记的县扶贫办 {peer.name}({peer.code})使用的是另一把密钥{now};"
            f"此答复的密钥指纹为 {fingerprint}。答复可能不是县扶贫办发出的,未作任何改动。\n"
            "如确需更换(如县扶贫办电脑重装):请先电话与县扶贫办核对新指纹,再加上 "
            f"--replace-key {fingerprint} 重新导入答复,旧密钥随即作废。")


def record(s: Session, user: str, county: str, old: list[PeerKey], answer: dict[str, Any],
           reason: str | None) -> None:
    """Revokes the old county keys and records who replaced them, when and why."""
    now = utcnow()
    why = (reason or "").strip() or NO_REASON
    for k in old:
        k.status, k.revoked_at, k.reason = "revoked", now, f"更换县扶贫办密钥:{why}"
    audit.record(s, user, "replace_county_key", "sync_peer", county,
                 before={"keys": [k.key_id for k in old]},
                 after={"key_id": answer["key_id"], "fingerprint": crypto.fingerprint(
                     answer["sign_public"], answer["enc_public"])},
                 reason=why)
