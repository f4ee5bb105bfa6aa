"""The bundle file (see sync/FORMAT.md): magic, a format version byte, a plaintext manifest
that holds no personal data, its Ed25519 signature, then the encrypted payload whose SHA-256
the manifest carries. Sign-then-encrypt in effect: the signature covers the payload hash.

The formats themselves live in sync/formats/ (a reader for every released one, the writer
of the current one); this module names the files and is what the rest of the sync calls."""

from __future__ import annotations

from sync import formats
from sync.formats.frame import MAGIC as MAGIC
from sync.formats.frame import Parsed as Parsed

FORMAT_VERSION = formats.CURRENT
SUFFIX = ".fpb"
REQUIRED = formats.REQUIRED  # the manifest fields every bundle written today carries

canonical = formats.canonical
seal = formats.write  # (manifest, payload, sign_private, recipient_enc_public) -> (file, hash)
parse = formats.read  # refuses damaged files, and newer formats with NewerProgram
parse_file = formats.read_file  # the same for a file, read in chunks (OSError if unreadable)


def file_name(county: str, station: str, seq: int, kind: str) -> str:
    mark = "R" if kind == "return" else ""
    return f"{county}-{station}-{mark}{seq:06d}{SUFFIX}"
