"""What every bundle format shares, and must share forever: the file opens with the magic
"FUPINBDL" and one byte, the format version, which picks the reader (sync/formats/). All
that follows the version byte is the format's own. Parsed is a file split into its parts by
its format's reader; nothing in it is trusted until `verify` has passed.

A bundle is read from a Source: a file on a USB stick, read in chunks when needed (a 2 GiB
file that only starts like a bundle is refused without being read whole), or bytes already
in memory (a waiting bundle kept in the store, a test)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sync.errors import SyncError
from sync.formats.sections import NotStreamable, Section

MAGIC = b"FUPINBDL"
VERSION_AT = len(MAGIC)  # offset of the format version byte
READ_CHUNK = 1 << 20  # files are read (and hashed) this much at a time


def damaged() -> SyncError:
    return SyncError("不是有效的数据包文件(文件被截断或已损坏),已拒绝")


@dataclass(frozen=True)
class Source:
    """Where a bundle's bytes are: `path` (read in chunks) or `data` (in memory)."""

    path: Path | None = None
    data: bytes | None = None

    def open(self) -> BinaryIO:
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return self.path.open("rb")

    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size

    def read_all(self) -> bytes:
        """The whole file: only for a bundle already checked to be of a bounded size."""
        with self.open() as f:
            return f.read()


def read_exactly(f: BinaryIO, n: int) -> bytes:
    """`n` bytes, or the file is damaged (truncated)."""
    data = f.read(n)
    if len(data) != n:
        raise damaged()
    return data


def chunks(f: BinaryIO, size: int) -> Iterator[bytes]:
    """The next `size` bytes of `f`, READ_CHUNK at a time; damaged if fewer."""
    left = size
    while left:
        piece = f.read(min(left, READ_CHUNK))
        if not piece:
            raise damaged()
        left -= len(piece)
        yield piece


@dataclass(frozen=True)
class Parsed:
    """A bundle file as its format's reader found it; each format's reader returns its
    own subclass, which knows how that format signs and encrypts. The payload stays in
    its source until `open` reads it, in chunks."""

    format: int
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signature: bytes
    source: Source
    payload_at: int  # where the payload starts in the source
    payload_size: int

    @property
    def hash(self) -> str:
        """The bundle hash (chain, receipts, replay and fork detection)."""
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    @property
    def payload(self) -> bytes:
        """The encrypted payload, read whole (tests and benchmarks)."""
        with self.source.open() as f:
            f.seek(self.payload_at)
            return b"".join(chunks(f, self.payload_size))

    def file_bytes(self) -> bytes:
        """The whole file, to keep a waiting bundle in the store."""
        return self.source.read_all()

    def verify(self, sign_public: str) -> None:
        """Refuses (SyncError) unless the manifest is signed by `sign_public`."""
        raise NotImplementedError

    def open(self, enc_private: str) -> dict[str, Any]:
        """The payload, decrypted and parsed (after verify)."""
        raise NotImplementedError

    def sections(self, enc_private: str) -> Iterator[Section]:
        """The payload a section at a time (sync/formats/sections.py), after verify; a
        format without such a reader raises NotStreamable: `open` reads it whole."""
        raise NotStreamable
