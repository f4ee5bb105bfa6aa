"""Bundle formats, old and new side by side: a reader for every released format, keyed by
the version byte every bundle file opens with, and the writer of the current format.

Stations upgrade one at a time, months apart, so a county must read what older programs
wrote (READERS keeps every released format), and an older program handed a newer bundle
must refuse it untouched with a message that says to upgrade. The format is about the
file (layout, signature, encryption); what the rows inside mean follows the store's schema
version, brought forward by sync/formats/upgrade.py.

A new format N: add vN.py with `read` and `write`, add it to READERS, point `write` and
CURRENT at it, and drop `write` from the previous module (its reader stays for good)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from registry import migrations
from sync.errors import NewerProgram, SyncError
from sync.formats import v1
from sync.formats.frame import MAGIC, VERSION_AT, Parsed, Source, damaged

CURRENT = v1.VERSION
READERS: dict[int, Callable[[Source], Parsed]] = {v1.VERSION: v1.read}
# The current format: its writer, its canonical JSON and its manifest's fields.
write = v1.write  # write(manifest, payload, sign_private, recipient_enc_public) -> (file, hash)
canonical: Callable[[Any], bytes] = v1.canonical
REQUIRED = v1.REQUIRED


def newer_program(what: str, found: int, supported: int) -> NewerProgram:
    return NewerProgram(f"此数据包由较新版本的程序生成({what} {found}),本程序只支持到"
                        f"{what} {supported}:请先升级本程序。数据库未作任何改动。")


def read(data: bytes) -> Parsed:
    """The file (in memory) split into its parts by the reader of its format. A format
    newer than this program's is refused with NewerProgram, whatever follows the version
    byte."""
    return read_source(Source(data=data))


def read_file(path: Path) -> Parsed:
    """`read` for a file on disk, read in chunks and never whole (OSError if unreadable)."""
    return read_source(Source(path=Path(path)))


def read_source(source: Source) -> Parsed:
    with source.open() as f:
        head = f.read(VERSION_AT + 1)
    if len(head) <= VERSION_AT or head[:VERSION_AT] != MAGIC:
        raise damaged()
    version = head[VERSION_AT]
    reader = READERS.get(version)
    if reader is None:
        if version > CURRENT:
            raise newer_program("格式", version, CURRENT)
        raise damaged()  # 0, or a format never released
    return reader(source)


def schema_version(manifest: dict[str, Any]) -> int:
    """The schema the bundle's rows were written under; refuses one newer than this
    program's (NewerProgram), or a value that is not a schema version."""
    found = manifest["schema_version"]
    if type(found) is not int or found < 1:
        raise SyncError("数据包清单中的数据结构版本无效,已拒绝")
    if found > migrations.SCHEMA_VERSION:
        raise newer_program("数据结构版本", found, migrations.SCHEMA_VERSION)
    return found
