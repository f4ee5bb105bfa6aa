"""Bundles a station's key can sign but its program would never write: what a stolen or
broken station PC can send. They are made with the station's own keys (from its store,
through sync/keys.py) and the real format-1 writer, with manifests and payloads changed at
will, so every one passes the signature check and reaches the county's importer."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import select

from registry.audit import GENESIS
from registry.store import Store
from registry.sync_state import OwnKey
from sync import bundle, export, wire
from sync.formats import v1
from sync.keys import active_key, peer_active_key
from sync.names import AUDIT, STATION_TABLES


class Forger:
    """A sender's signing key and its recipient's encryption key, read once: a station and
    its county (station bundles), or a county and one of its stations (return bundles)."""

    def __init__(self, sender: Store, recipient: Store) -> None:
        self.sender, self.recipient = sender, recipient
        with sender.session() as s:
            key = active_key(s)
            assert key is not None
            self.sign_private = key.sign_private
            self.enc_public = peer_active_key(s, recipient.info.region_code).enc_public
        with recipient.session() as s:
            self.recipient_private = s.execute(
                select(OwnKey).where(OwnKey.status == "active")).scalar_one().enc_private
        self.last_hash = GENESIS  # the bundle hash of the last file sealed

    def real(self, out_dir: Path, full: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
        """The sender's genuine next bundle, opened: (manifest, payload) to change."""
        upward = len(self.recipient.info.region_code) < len(self.sender.info.region_code)
        if upward:  # a station's, or an office's for the office above (the roll-up)
            sent = export.export_station(self.sender, out_dir, full=full)
        else:
            sent = export.export_return(self.sender, self.recipient.info.region_code, out_dir,
                                        full=full)
        parsed = bundle.parse(sent.path.read_bytes())
        payload = parsed.open(self.recipient_private)
        sent.path.unlink()
        return dict(parsed.manifest), payload

    def seal(self, manifest: dict[str, Any], payload: Any, path: Path) -> Path:
        data, self.last_hash = v1.write(manifest, payload, self.sign_private,
                                        self.enc_public)
        path.write_bytes(data)
        return path

    def seal_raw(self, manifest: dict[str, Any], raw: bytes, path: Path) -> Path:
        """Any bytes as the payload's JSON: deep nesting, broken JSON, bombs."""
        return self.seal_compressed(manifest, zlib.compress(raw, 6), path)

    def seal_compressed(self, manifest: dict[str, Any], compressed: bytes, path: Path
                        ) -> Path:
        data, self.last_hash = v1.write_compressed(manifest, compressed, self.sign_private,
                                                   self.enc_public)
        path.write_bytes(data)
        return path


def empty_payload() -> dict[str, Any]:
    """Every station table with its columns and no rows: the smallest valid payload."""
    tables = {name: wire.pack(name, []) for name in STATION_TABLES}
    return {"tables": tables, "audit": wire.pack(AUDIT, [])}


def counts_of(payload: dict[str, Any]) -> dict[str, int]:
    counts = {name: len(t["rows"]) for name, t in payload["tables"].items()}
    counts[AUDIT] = len(payload["audit"]["rows"])
    return counts


def first_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """`manifest` as the first bundle of the chain (seq 1, nothing before it)."""
    return {**manifest, "seq": 1, "prev_hash": GENESIS, "full": True}


def bomb(payload: dict[str, Any], table: str, column: str, size: int, piece: int = 1 << 20
         ) -> bytes:
    """zlib of `payload` whose first `table` row holds `size` bytes of "A" in `column`:
    small on disk, `size` bytes once inflated (compressed piece by piece, never whole)."""
    section = payload["tables"][table]
    section["rows"][0][section["columns"].index(column)] = _MARK
    head, tail = v1.canonical(payload).split(_MARK.encode())
    z = zlib.compressobj(9)
    parts = [z.compress(head)]
    block = b"A" * piece
    for _ in range(size // piece):
        parts.append(z.compress(block))
    parts += [z.compress(tail), z.flush()]
    return b"".join(parts)


_MARK = "<<bomb>>"
