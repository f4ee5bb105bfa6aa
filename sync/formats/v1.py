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
from collections.abc import Iterator
from typing import Any

from sync import crypto, limits, safejson
from sync.errors import SyncError
from sync.formats import manifest as fields
from sync.formats import sections
from sync.formats.frame import (
    MAGIC,
    VERSION_AT,
    Parsed,
    Source,
    chunks,
    damaged,
    read_exactly,
)

VERSION = 1
SIGNATURE_CONTEXT = b"fupin-bundle-manifest-v1\0"
COMPRESSION = "zlib"
CIPHER = "X25519-HKDF-SHA256-ChaCha20Poly1305"
MAX_MANIFEST = 1 << 20
# The deepest nesting the format uses: {"tables": {name: {"rows": [[value]]}}} and
# {"endorsements": [{...}]}; anything deeper is refused before json sees it.
PAYLOAD_DEPTH = 5
MANIFEST_DEPTH = 3
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
        """Two passes over the file, each decrypting it in chunks and checking the payload
        hash again (the file may have changed since `read`): the first only measures the
        inflated size, so no size a sender claims makes memory grow; the second keeps it."""
        limits.inflate(self._plain(enc_private), self._limit(), keep=False)
        raw = limits.inflate(self._plain(enc_private), self._limit())
        payload = safejson.loads(raw, PAYLOAD_DEPTH, SyncError(
            "数据包内容无法解析(不是本程序写的数据,或嵌套层数过多),已拒绝"))
        if not isinstance(payload, dict):
            raise SyncError("数据包内容格式不对,已拒绝")
        return payload

    def sections(self, enc_private: str) -> Iterator[sections.Section]:
        """One pass, read as it goes: never more than a batch of rows (or one value of at
        most sections.MAX_VALUE) held, so it needs no measuring pass first. Its checks (the
        bound, the nesting, the payload hash at the end) run as it is read."""
        return sections.read(limits.inflated(self._plain(enc_private), self._limit()),
                             PAYLOAD_DEPTH)

    def _limit(self) -> int:
        return limits.inflated_limit(self.manifest["counts"])

    def _plain(self, enc_private: str) -> Iterator[bytes]:
        """The decrypted payload in chunks; the last step checks that the ciphertext read
        is the one the signed manifest names."""
        digest = hashlib.sha256()

        def read(n: int) -> bytes:
            data = f.read(n)
            digest.update(data)
            return data

        with self.source.open() as f:
            f.seek(self.payload_at)
            yield from crypto.decrypt_stream(enc_private, read, self.payload_size)
            if f.read(1) or digest.hexdigest() != self.manifest["payload_hash"]:
                raise altered()


def altered() -> SyncError:
    return SyncError("数据包内容与清单不符(文件被改动或损坏),已拒绝")


def read(source: Source) -> Bundle:
    """Structure, manifest fields and payload hash; refuses truncated or altered files
    before any key is looked at. The signature is checked by the caller with the sender's
    key. The payload is hashed in chunks and left in its source: a file far larger than
    its manifest allows is refused before it is read."""
    with source.open() as f:
        head = f.read(_HEAD)
        if len(head) < _HEAD or head[:VERSION_AT] != MAGIC or head[VERSION_AT] != VERSION:
            raise damaged()
        (mlen,) = struct.unpack(">I", head[VERSION_AT + 1:])
        if mlen > MAX_MANIFEST:
            raise damaged()
        mbytes = read_exactly(f, mlen)
        signature = read_exactly(f, _SIGNATURE)
        manifest = safejson.loads(mbytes, MANIFEST_DEPTH, damaged())
        if not isinstance(manifest, dict) or any(k not in manifest for k in REQUIRED):
            raise damaged()
        # The header byte chose this reader; a manifest naming another format is not a
        # newer bundle but a damaged (or doctored) one.
        if type(manifest["format"]) is not int or manifest["format"] != VERSION:
            raise damaged()
        fields.check(manifest, COMPRESSION, CIPHER)
        at = _HEAD + mlen + _SIGNATURE
        size = manifest["payload_size"]
        if size != source.size() - at:
            raise damaged()
        if size > limits.payload_size_limit(manifest["counts"]):
            raise limits.too_big(limits.inflated_limit(manifest["counts"]))
        digest = hashlib.sha256()
        for piece in chunks(f, size):
            digest.update(piece)
        if digest.hexdigest() != manifest["payload_hash"]:
            raise altered()
    return Bundle(VERSION, manifest, mbytes, signature, source, at, size)


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
