"""Bundle format 1, released with schema 1 (sync/FORMAT.md has the layout):

    magic "FUPINBDL" | version byte 1 | manifest length (4 bytes, big-endian) |
    manifest (canonical JSON) | Ed25519 signature (64 bytes) | encrypted payload

The payload is zlib-compressed canonical JSON encrypted to the recipient (sync/crypto.py).
Frozen: once format 2 is the writer, this module keeps only its reader, and changes only
to read format-1 files better, never to read or write them differently."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from typing import Any

from sync import crypto
from sync.errors import SyncError
from sync.formats.frame import MAGIC, VERSION_AT, Parsed, damaged

VERSION = 1
SIGNATURE_CONTEXT = b"fupin-bundle-manifest-v1\0"
COMPRESSION = "zlib"
CIPHER = "X25519-HKDF-SHA256-ChaCha20Poly1305"
MAX_MANIFEST = 1 << 20
_HEAD = VERSION_AT + 1 + 4  # magic, version byte, manifest length
_SIGNATURE = 64

REQUIRED = ("format", "kind", "county", "county_store", "station", "station_store", "sender",
            "recipient", "key_id", "recipient_key_id", "seq", "prev_hash", "full", "rev_from",
            "rev_to", "counts", "payload_hash", "payload_size", "created_at", "app_version",
            "schema_version", "endorsements", "compression", "cipher")


def canonical(data: Any) -> bytes:
    """UTF-8 JSON, sorted keys, no spaces: the bytes that are signed and hashed."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")
                      ).encode("utf-8")


class Bundle(Parsed):
    def verify(self, sign_public: str) -> None:
        if not crypto.verify(sign_public, self.signature, SIGNATURE_CONTEXT
                             + self.manifest_bytes):
            raise SyncError("数据包签名无效:文件被改动过,或不是由登记的密钥签发,已拒绝")

    def open(self, enc_private: str) -> dict[str, Any]:
        plain = crypto.decrypt(enc_private, self.payload)
        try:
            payload = json.loads(zlib.decompress(plain))
        except (zlib.error, ValueError):
            raise SyncError("数据包内容无法解压或解析,已拒绝") from None
        if not isinstance(payload, dict):
            raise SyncError("数据包内容格式不对,已拒绝")
        return payload


def read(data: bytes) -> Bundle:
    """Structure and payload hash; refuses truncated or altered files before any key is
    looked at. The signature is checked by the caller with the sender's key."""
    if len(data) < _HEAD or data[:VERSION_AT] != MAGIC or data[VERSION_AT] != VERSION:
        raise damaged()
    (mlen,) = struct.unpack(">I", data[VERSION_AT + 1:_HEAD])
    if mlen > MAX_MANIFEST or len(data) < _HEAD + mlen + _SIGNATURE:
        raise damaged()
    mbytes = data[_HEAD:_HEAD + mlen]
    signature = data[_HEAD + mlen:_HEAD + mlen + _SIGNATURE]
    payload = data[_HEAD + mlen + _SIGNATURE:]
    try:
        manifest = json.loads(mbytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise damaged() from None
    if not isinstance(manifest, dict) or any(k not in manifest for k in REQUIRED):
        raise damaged()
    # The header byte chose this reader; a manifest naming another format is not a newer
    # bundle but a damaged (or doctored) one.
    if type(manifest["format"]) is not int or manifest["format"] != VERSION:
        raise damaged()
    if manifest["payload_size"] != len(payload):
        raise damaged()
    if hashlib.sha256(payload).hexdigest() != manifest["payload_hash"]:
        raise SyncError("数据包内容与清单不符(文件被改动或损坏),已拒绝")
    return Bundle(VERSION, manifest, mbytes, signature, payload)


def write(manifest: dict[str, Any], payload: dict[str, Any], sign_private: str,
          recipient_enc_public: str) -> tuple[bytes, str]:
    """The whole file and its bundle hash (SHA-256 of the manifest bytes)."""
    return write_compressed(manifest, zlib.compress(canonical(payload), 6), sign_private,
                            recipient_enc_public)


def write_compressed(manifest: dict[str, Any], compressed: bytes, sign_private: str,
                     recipient_enc_public: str) -> tuple[bytes, str]:
    """`write` for a payload already zlib-compressed (tests and benchmarks seal payloads
    that no canonical JSON would produce: bombs, deep nesting)."""
    blob = crypto.encrypt(recipient_enc_public, compressed)
    manifest = {**manifest, "payload_hash": hashlib.sha256(blob).hexdigest(),
                "payload_size": len(blob), "compression": COMPRESSION, "cipher": CIPHER,
                "format": VERSION}
    missing = [k for k in REQUIRED if k not in manifest]
    assert not missing, missing
    mbytes = canonical(manifest)
    signature = crypto.sign(sign_private, SIGNATURE_CONTEXT + mbytes)
    data = MAGIC + bytes([VERSION]) + struct.pack(">I", len(mbytes)) + mbytes \
        + signature + blob
    return data, hashlib.sha256(mbytes).hexdigest()
