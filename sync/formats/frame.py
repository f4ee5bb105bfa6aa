"""What every bundle format shares, and must share forever: the file opens with the magic
"FUPINBDL" and one byte, the format version, which picks the reader (sync/formats/). All
that follows the version byte is the format's own. Parsed is a file split into its parts by
its format's reader; nothing in it is trusted until `verify` has passed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sync.errors import SyncError

MAGIC = b"FUPINBDL"
VERSION_AT = len(MAGIC)  # offset of the format version byte


def damaged() -> SyncError:
    return SyncError("不是有效的数据包文件(文件被截断或已损坏),已拒绝")


@dataclass(frozen=True)
class Parsed:
    """A bundle file as its format's reader found it; each format's reader returns its
    own subclass, which knows how that format signs and encrypts."""

    format: int
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    payload: bytes

    @property
    def hash(self) -> str:
        """The bundle hash (chain, receipts, replay and fork detection)."""
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    def verify(self, sign_public: str) -> None:
        """Refuses (SyncError) unless the manifest is signed by `sign_public`."""
        raise NotImplementedError

    def open(self, enc_private: str) -> dict[str, Any]:
        """The payload, decrypted and parsed (after verify)."""
        raise NotImplementedError
