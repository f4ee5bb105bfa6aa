"""县归档: a folder of the year's papers — registers, workbooks, the stations' bundles as the
county received them, and whatever else is handed in as a part — with `manifest.json`
listing every file's SHA-256 and size, signed with the county's sync key (Ed25519 over
the canonical JSON of the manifest behind a context string, as bundles are signed).

What goes in is given as parts, `(relative path, write(path))`: this module knows nothing
of PDFs or workbooks (the CLI passes reports' writers; the 统计报告 is one more part). Only
the stations' records are its own: the county keeps no bundle file once it is applied
(sync/receive.py stores the bytes of waiting bundles only), so each station's folder holds
what the county holds of them — every bundle's manifest as received (sequence, hash,
counts, chain head) and the receipts — next to the workbook of the station's households
as the county holds them.

`verify_archive(folder)` checks the signature and names every file changed (hash or size
differs), missing or added."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select

from registry.files import write_atomic
from registry.models import utcnow
from registry.progress import Progress, no_progress
from registry.store import Store
from registry.sync_state import OwnKey, Peer, Receipt, ReceivedBundle
from sync import crypto
from sync.errors import SyncError
from sync.export import APP_VERSION
from sync.formats import canonical
from sync.keys import ensure_keys

MANIFEST = "manifest.json"
FORMAT = "fupin-archive-1"
SIGNATURE_CONTEXT = b"fupin-archive-v1\n"
STATIONS_DIR = "乡镇数据包"

Part = tuple[str, Callable[[Path], None]]  # (path inside the archive, write the file there)


class ArchiveError(SyncError):
    """The archive cannot be built or read: a Chinese message."""


@dataclass(frozen=True)
class ArchivedFile:
    path: str  # relative, with "/"
    sha256: str
    size: int


@dataclass
class ArchiveResult:
    folder: Path
    files: list[ArchivedFile]
    fingerprint: str

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass
class Verification:
    signature_ok: bool = False
    signed_by_store: bool | None = None  # None: no county store given to compare with
    fingerprint: str = ""
    county: str = ""
    year: int | None = None
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # bad paths, unreadable files

    @property
    def ok(self) -> bool:
        return (self.signature_ok and self.signed_by_store is not False and not self.changed
                and not self.missing and not self.added and not self.problems)

    def lines(self) -> list[str]:
        """What is wrong, in Chinese, one line each."""
        out = list(self.problems)
        if not self.signature_ok:
            out.append("清单签名无效:manifest.json 被改动过,或不是由县扶贫办的密钥签发")
        if self.signed_by_store is False:
            out.append(f"清单不是由本县扶贫办数据库的密钥签发(签名密钥指纹 {self.fingerprint})")
        out += [f"已改动:{p}" for p in self.changed]
        out += [f"缺少:{p}" for p in self.missing]
        out += [f"多出:{p}" for p in self.added]
        return out


def safe_part_path(rel: str) -> PurePosixPath:
    """A relative path inside the archive; refuses absolute paths and "..": the manifest
    is read from a stick and must not point outside the folder."""
    p = PurePosixPath(rel.replace("\\", "/"))
    if not rel or p.is_absolute() or any(x in ("..", "") for x in p.parts) \
            or p.parts[0] == MANIFEST or ":" in rel:
        raise ArchiveError(f"归档中的文件路径不合法:{rel}")
    return p


def file_digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def file_name_part(text: str) -> str:
    """A place name as a file name part (no separators or characters Windows refuses)."""
    return "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in text).strip()


def station_parts(store: Store, year: int) -> list[Part]:
    """One JSON file per enrolled station: the bundles the county received from it in
    `year` (their manifests as received) and the receipts it wrote for them."""
    with store.session() as s:
        peers = list(s.execute(select(Peer.code, Peer.name).where(Peer.role == "station")
                               .order_by(Peer.code)).all())
    parts: list[Part] = []
    for code, name in peers:
        rel = f"{STATIONS_DIR}/{code}-{file_name_part(name)}-{year}年接收记录.json"
        parts.append((rel, partial(_write_station, store, code, name, year)))
    return parts


def _in_year(when: datetime | None, year: int) -> bool:
    return when is not None and when.year == year


def _write_station(store: Store, code: str, name: str, year: int, path: Path) -> None:
    with store.session() as s:
        bundles = [b for b in s.execute(
            select(ReceivedBundle).where(ReceivedBundle.peer_code == code)
            .order_by(ReceivedBundle.seq, ReceivedBundle.id)).scalars()
            if _in_year(b.received_at, year)]
        receipts = [r for r in s.execute(
            select(Receipt).where(Receipt.station_code == code, Receipt.deleted.is_(False))
            .order_by(Receipt.seq)).scalars() if _in_year(r.received_at, year)]
        body = {
            "station": code, "station_name": name, "year": year,
            "note": "县扶贫办导入数据包后不保留文件本身;此处为各数据包的清单(编号、哈希、"
                    "记录数、审计链头)与回执,农户数据见同名乡镇的Excel文件",
            "bundles": [{"seq": b.seq, "hash": b.hash, "status": b.status,
                         "file_name": b.file_name,
                         "received_at": b.received_at.isoformat(),
                         "applied_at": b.applied_at.isoformat() if b.applied_at else None,
                         "manifest": _json_or_text(b.manifest)} for b in bundles],
            "receipts": [{"seq": r.seq, "bundle_hash": r.bundle_hash,
                          "counts": _json_or_text(r.counts), "message": r.message,
                          "received_by": r.received_by,
                          "received_at": r.received_at.isoformat(),
                          "audit_head": r.audit_head, "audit_length": r.audit_length}
                         for r in receipts],
        }
    write_atomic(path, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def build_archive(store: Store, year: int, out: Path, parts: Sequence[Part],
                  extra: Sequence[Part] = (), progress: Progress = no_progress
                  ) -> ArchiveResult:
    """Writes every part into `out` (a new or empty folder), then the signed manifest.
    `extra` are parts added by other modules (e.g. the 统计报告), written after `parts`."""
    if store.info.kind != "county":
        raise ArchiveError("县归档只能在县扶贫办数据库上建立")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ArchiveError(f"归档文件夹 {out} 已存在且不是空的,为防止混入旧文件,请换一个新文件夹")
    if not out.parent.is_dir():
        raise ArchiveError(f"文件夹不存在:{out.parent}")
    everything = [*parts, *extra]
    seen: set[PurePosixPath] = set()
    for rel, _ in everything:
        p = safe_part_path(rel)
        if p in seen:
            raise ArchiveError(f"归档中有两个同名文件:{rel}")
        seen.add(p)
    key = ensure_keys(store)
    out.mkdir(exist_ok=True)
    files: list[ArchivedFile] = []
    for i, (rel, write) in enumerate(everything):
        target = out.joinpath(*safe_part_path(rel).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        write(target)
        if not target.is_file():
            raise ArchiveError(f"未能生成归档文件:{rel}")
        digest, size = file_digest(target)
        files.append(ArchivedFile(str(safe_part_path(rel)), digest, size))
        if not progress(i + 1, len(everything) + 1):
            raise ArchiveError("已取消归档(已生成的文件留在文件夹中,但没有清单)")
    info = store.info
    body = {
        "format": FORMAT, "county": info.region_code, "county_name": info.region_name,
        "year": year, "created_at": utcnow().isoformat(), "created_by": store.user,
        "app_version": APP_VERSION, "key_id": key.key_id, "sign_public": key.sign_public,
        "enc_public": key.enc_public,
        "files": [{"path": f.path, "sha256": f.sha256, "size": f.size}
                  for f in sorted(files, key=lambda f: f.path)],
    }
    signature = crypto.sign(key.sign_private, SIGNATURE_CONTEXT + canonical(body))
    document = {"manifest": body, "signature": signature.hex()}
    write_atomic(out / MANIFEST, json.dumps(document, ensure_ascii=False, indent=1)
                 .encode("utf-8"))
    progress(len(everything) + 1, len(everything) + 1)
    return ArchiveResult(out, files, crypto.fingerprint(key.sign_public, key.enc_public))


def _listed(folder: Path) -> set[str]:
    found: set[str] = set()
    for root, _dirs, names in os.walk(folder):
        for n in names:
            rel = (Path(root) / n).relative_to(folder).as_posix()
            if rel != MANIFEST:
                found.add(rel)
    return found


def read_manifest(folder: Path) -> tuple[dict[str, Any], bytes]:
    path = Path(folder) / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ArchiveError(f"{folder} 中没有 {MANIFEST}:不是归档文件夹,或清单已被删除") from None
    except OSError as e:
        raise ArchiveError(f"无法读取 {path}:{e.strerror or e}") from None
    try:
        document = json.loads(raw.decode("utf-8"))
        body = document["manifest"]
        signature = bytes.fromhex(document["signature"])
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise ValueError
        for f in body["files"]:
            if not (isinstance(f["path"], str) and isinstance(f["sha256"], str)
                    and isinstance(f["size"], int)):
                raise ValueError
        str(body["sign_public"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ArchiveError(f"{MANIFEST} 已损坏或格式不对,无法核对") from None
    return body, signature


def verify_archive(folder: Path, store: Store | None = None) -> Verification:
    """Checks the signature (and, given the county store, that its key signed it) and
    every file against the manifest."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ArchiveError(f"文件夹不存在:{folder}")
    body, signature = read_manifest(folder)
    v = Verification(county=str(body.get("county_name") or body.get("county") or ""),
                     year=body.get("year") if isinstance(body.get("year"), int) else None)
    sign_public = str(body["sign_public"])
    try:
        v.fingerprint = crypto.fingerprint(sign_public, str(body.get("enc_public", "")))
    except ValueError:
        v.fingerprint = "?"
    v.signature_ok = crypto.verify(sign_public, signature, SIGNATURE_CONTEXT + canonical(body))
    if store is not None:
        with store.session() as s:
            known = set(s.scalars(select(OwnKey.sign_public)))
        v.signed_by_store = sign_public in known
    listed: dict[str, dict[str, Any]] = {}
    for f in body["files"]:
        try:
            rel = str(safe_part_path(f["path"]))
        except ArchiveError as e:
            v.problems.append(str(e))
            continue
        listed[rel] = f
    present = _listed(folder)
    for rel, f in sorted(listed.items()):
        path = folder.joinpath(*PurePosixPath(rel).parts)
        if rel not in present:
            v.missing.append(rel)
            continue
        try:
            digest, size = file_digest(path)
        except OSError:
            v.problems.append(f"无法读取:{rel}")
            continue
        if digest != f["sha256"] or size != f["size"]:
            v.changed.append(rel)
    v.added = sorted(present - set(listed))
    return v
