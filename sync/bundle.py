"""The bundle file (see sync/FORMAT.md): magic, a plaintext manifest that holds no
personal data, its Ed25519 signature, then the encrypted payload whose SHA-256 the
manifest carries. Sign-then-encrypt in effect: the signature covers the payload hash."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from sync import crypto
from sync.errors import SyncError

MAGIC = b"FUPINBDL"
FORMAT_VERSION = 1
SIGNATURE_CONTEXT = b"fupin-bundle-manifest-v1\0"
SUFFIX = ".fpb"
COMPRESSION = "zlib"
CIPHER = "X25519-HKDF-SHA256-ChaCha20Poly1305"
MAX_MANIFEST = 1 << 20

REQUIRED = ("format", "kind", "county", "county_store", "station", "station_store", "sender",
            "recipient", "key_id", "recipient_key_id", "seq", "prev_hash", "full", "rev_from",
            "rev_to", "counts", "payload_hash", "payload_size", "created_at", "app_version",
            "schema_version", "endorsements", "compression", "cipher")


def file_name(county: str, station: str, seq: int, kind: str) -> str:
    mark = "R" if kind == "return" else ""
    return f"{county}-{station}-{mark}{seq:06d}{SUFFIX}"


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")
                      ).encode("utf-8")


def seal(manifest: dict[str, Any], payload: dict[str, Any], sign_private: str,
         recipient_enc_public: str) -> tuple[bytes, str]:
    """The whole file and its bundle hash (SHA-256 of the manifest bytes)."""
    plain = zlib.compress(canonical(payload), 6)
    blob = crypto.encrypt(recipient_enc_public, plain)
    manifest = {**manifest, "payload_hash": hashlib.sha256(blob).hexdigest(),
                "payload_size": len(blob), "compression": COMPRESSION, "cipher": CIPHER,
                "format": FORMAT_VERSION}
    missing = [k for k in REQUIRED if k not in manifest]
    assert not missing, missing
    mbytes = canonical(manifest)
    signature = crypto.sign(sign_private, SIGNATURE_CONTEXT + mbytes)
    data = MAGIC + bytes([FORMAT_VERSION]) + struct.pack(">I", len(mbytes)) + mbytes \
        + signature + blob
    return data, hashlib.sha256(mbytes).hexdigest()


@dataclass(frozen=True)
class Parsed:
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    payload: bytes

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    def verify(self, sign_public: str) -> None:
        if not crypto.verify(sign_public, self.signature, SIGNATURE_CONTEXT
                             + self.manifest_bytes):
            raise SyncError("数据包签名无效:文件被改动过,或不是由登记的密钥签发,已拒绝")

    def open(self, enc_private: str) -> dict[str, Any]:
        """Decrypts, decompresses and parses the payload (after verify)."""
        plain = crypto.decrypt(enc_private, self.payload)
        try:
            payload = json.loads(zlib.decompress(plain))
        except (zlib.error, ValueError):
            raise SyncError("数据包内容无法解压或解析,已拒绝") from None
        if not isinstance(payload, dict):
            raise SyncError("数据包内容格式不对,已拒绝")
        return payload


def parse(data: bytes) -> Parsed:
    """Structure and payload hash; refuses truncated or altered files before any key
    is looked at. The signature is checked by the caller with the sender's key."""
    broken = SyncError("不是有效的数据包文件(文件被截断或已损坏),已拒绝")
    head = len(MAGIC) + 1 + 4
    if len(data) < head or data[:len(MAGIC)] != MAGIC:
        raise broken
    if data[len(MAGIC)] != FORMAT_VERSION:
        raise SyncError(f"数据包格式版本 {data[len(MAGIC)]} 本程序不支持,请升级程序")
    (mlen,) = struct.unpack(">I", data[len(MAGIC) + 1:head])
    if mlen > MAX_MANIFEST or len(data) < head + mlen + 64:
        raise broken
    mbytes = data[head:head + mlen]
    signature = data[head + mlen:head + mlen + 64]
    payload = data[head + mlen + 64:]
    try:
        manifest = json.loads(mbytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise broken from None
    if not isinstance(manifest, dict) or any(k not in manifest for k in REQUIRED):
        raise broken
    if manifest["payload_size"] != len(payload):
        raise broken
    if hashlib.sha256(payload).hexdigest() != manifest["payload_hash"]:
        raise SyncError("数据包内容与清单不符(文件被改动或损坏),已拒绝")
    return Parsed(manifest, mbytes, signature, payload)
