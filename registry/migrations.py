"""Explicit schema versions. A new store is created at SCHEMA_VERSION by create_all; an
older one is copied aside (still encrypted) and then brought forward one version at a time,
each step in its own transaction. A store newer than this program is refused.

To change the schema: bump SCHEMA_VERSION, add `MIGRATIONS[n] = step` bringing version
n-1 to n, and add a fixture store of the released version n-1 to tests/registry/fixtures.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, MetaData, text

from registry.errors import NewerSchema

SCHEMA_VERSION = 1

Migration = Callable[[Connection], None]
MIGRATIONS: dict[int, Migration] = {}


def read_version(conn: Connection) -> int:
    row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).first()
    return int(row[0]) if row else 0


def _write_version(conn: Connection, version: int) -> None:
    conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"),
                 {"v": str(version)})


def missing_columns(conn: Connection, metadata: MetaData) -> list[str]:
    """Columns the models expect but the file lacks: a store whose version number matches
    but whose tables do not (made by a pre-release build) is refused, not half-read."""
    missing: list[str] = []
    for table in metadata.sorted_tables:
        found = {row[1] for row in conn.exec_driver_sql(f'PRAGMA table_info("{table.name}")')}
        missing += [f"{table.name}.{c.name}" for c in table.columns if c.name not in found]
    return missing


def backup_path(store_path: Path, version: int) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return store_path.with_name(f"{store_path.name}.v{version}-{stamp}.bak")


def upgrade(engine: Engine, store_path: Path, target: int = SCHEMA_VERSION) -> Path | None:
    """Brings the store to `target`; returns the backup's path when it migrated."""
    with engine.connect() as conn:
        found = read_version(conn)
    if found > target:
        raise NewerSchema(f"此数据库由较新版本的程序创建(数据结构版本 {found},"
                          f"本程序支持到 {target}),请先升级本程序。数据库未作任何改动。")
    if found == target:
        return None
    with engine.connect() as conn:  # fold the WAL in, so the copy is the whole store
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    backup = backup_path(store_path, found)
    shutil.copy2(store_path, backup)
    for version in range(found + 1, target + 1):
        with engine.begin() as conn:
            MIGRATIONS[version](conn)
            _write_version(conn, version)
    return backup
