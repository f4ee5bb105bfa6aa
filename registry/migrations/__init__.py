"""Schema versions: one Alembic history (versions/, revisions "0001", "0002", …) for every
engine, run on the store's own keyed connection, with no alembic.ini.

Opening a store: a store newer than this program is refused untouched; an older one is
copied aside (still encrypted) and brought forward one revision per transaction. A store of
schema 1 from before Alembic has no alembic_version table; its meta.schema_version "1" makes
it revision "0001", and it is stamped so.

meta.schema_version follows the revision ("0002" → "2"; env.py writes it), for the sync
bundles and for anyone reading the store without Alembic.

To change the schema: change the models, add `versions/NNNN_what.py` (revision "NNNN",
down_revision the one before; plain SQLAlchemy types, batch_alter_table for SQLite), bump
SCHEMA_VERSION, and when releasing add a fixture store of the previous schema
(tests/fixtures/released/). tests/registry/test_migrations.py fails until models and
migrations agree. On SQLite a batch rebuild of `member` drops its FTS triggers and may
renumber its rowids: call search_index.create() and search_index.rebuild() after it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3
from sqlalchemy import Connection, Engine, create_engine, text

from registry import schema, search_index
from registry.errors import NewerSchema, NotAStore, StoreError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType
    from alembic.script import ScriptDirectory

# Alembic is imported where it is used, not here: the desktop imports the store (and so
# this module) before its login window shows, and Alembic is a fifth of that start-up.

SCHEMA_VERSION = 10  # int() of the head revision; the tests check they agree

HERE = Path(__file__).resolve().parent
# Where the revisions are; tests add a folder of throwaway ones.
VERSION_LOCATIONS: tuple[Path, ...] = (HERE / "versions",)


def include_name(name: str | None, type_: NameFilterType,
                 parent_names: NameFilterParentNames) -> bool:
    """Autogenerate's filter (env.py and the drift tests): the search index (FTS5 tables
    on SQLite, a pg_trgm index on PostgreSQL) is made by registry/search_index.py and has
    no model."""
    return not (type_ in ("table", "index") and name is not None and search_index.owns(name))


def config(conn: Connection) -> Config:
    """Alembic's configuration, built here rather than read from an alembic.ini: the
    connection (already keyed) travels in `attributes`; env.py takes it from there."""
    from alembic.config import Config

    cfg = Config(attributes={"connection": conn})
    cfg.set_main_option("script_location", _option(HERE))
    cfg.set_main_option("path_separator", "os")  # folders may hold spaces (Windows)
    cfg.set_main_option("version_locations",
                        os.pathsep.join(_option(p) for p in VERSION_LOCATIONS))
    return cfg


def _option(path: Path) -> str:
    return str(path).replace("%", "%%")  # Config's values go through ConfigParser


@lru_cache(maxsize=4)
def _scripts(locations: tuple[Path, ...]) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(HERE, version_locations=list(locations))


def scripts() -> ScriptDirectory:
    """The revisions this program knows (read once per set of folders)."""
    return _scripts(VERSION_LOCATIONS)


def head() -> str:
    found = scripts().get_current_head()
    assert found is not None, "registry/migrations/versions holds no revision"
    return found


def version_number(revision: str) -> int:
    return int(revision)


def stored_revision(conn: Connection) -> tuple[str, bool]:
    """The store's revision and whether Alembic's table says so (False: a schema-1 store
    from before Alembic, its revision read from meta.schema_version)."""
    from alembic.migration import MigrationContext

    current = MigrationContext.configure(conn).get_current_revision()
    if current is not None:
        return current, True
    row = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).first()
    if row is None or not str(row[0]).isdigit():
        raise NotAStore("数据库缺少数据结构版本信息,不是本系统建立的数据库")
    return f"{int(row[0]):04d}", False


def stamp(conn: Connection, revision: str) -> None:
    """Records `revision` in alembic_version inside the caller's transaction. Straight
    through Alembic's MigrationContext with the cached revisions: command.stamp would run
    env.py and read every revision file again (13 ms against 3 ms, on every new store)."""
    from alembic.migration import MigrationContext

    MigrationContext.configure(conn).stamp(scripts(), revision)


def create_schema(conn: Connection) -> None:
    """The head schema in an empty store, inside the caller's transaction: create_all from
    the models, then stamped head. Running every revision from empty makes the same schema
    (tests/registry/test_migrations.py compares the two) but takes more than twice as long
    (median 85–92 ms against 36–39 ms on a keyed file), and grows with every revision; the
    test suite creates hundreds of stores."""
    schema.metadata.create_all(conn)
    if conn.dialect.name == "postgresql":
        from registry import server

        server.binary_collation(conn)
    search_index.create(conn)
    stamp(conn, head())


def backup_path(store_path: Path, version: int) -> Path:
    stamp_ = datetime.now().strftime("%Y%m%d-%H%M%S")
    return store_path.with_name(f"{store_path.name}.v{version}-{stamp_}.bak")


def upgrade(engine: Engine, store_path: Path | None) -> Path | None:
    """Brings the store to the head revision; returns the backup's path when it migrated.
    A store on a server (no `store_path`) is not copied: its operator's backups cover it,
    and each revision runs in its own transaction there too (PostgreSQL's DDL is
    transactional)."""
    script = scripts()
    target = head()
    with engine.connect() as conn:
        current, stamped = stored_revision(conn)
    known = {s.revision for s in script.walk_revisions()}
    if current not in known:
        shown = int(current) if current.isdigit() else current
        raise NewerSchema(f"此数据库由较新版本的程序创建(数据结构版本 {shown},"
                          f"本程序支持到 {version_number(target)}),请先升级本程序。"
                          "数据库未作任何改动。")
    if not stamped:
        with engine.connect() as conn:
            _check_tables(conn, current)
    if current == target:
        if not stamped:
            with engine.begin() as conn:
                stamp(conn, current)
        return None

    backup: Path | None = None
    if store_path is not None:
        with engine.connect() as conn:  # fold the WAL in, so the copy is the whole store
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        backup = backup_path(store_path, version_number(current))
        shutil.copy2(store_path, backup)
    pending = reversed(list(script.iterate_revisions(target, current)))
    for revision in (s.revision for s in pending):
        with _migrating(engine) as conn:
            try:
                with conn.begin():
                    if not stamped:  # in the first step's transaction: all or nothing
                        stamp(conn, current)
                    _upgrade(conn, revision)
                    _check_foreign_keys(conn)
            except Exception as e:
                kept = f"升级前的备份:{backup.name}。" if backup else ""
                raise StoreError(
                    f"数据库升级到数据结构版本 {version_number(revision)} 时失败,这一步已撤销,"
                    f"数据库仍是版本 {version_number(current)}。{kept}"
                    "请把数据库和备份交给技术人员。") from e
        current, stamped = revision, True
    return backup


def _upgrade(conn: Connection, revision: str) -> None:
    from alembic import command

    command.upgrade(config(conn), revision)


def _columns(conn: Connection) -> dict[str, list[str]]:
    names = [r[0] for r in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if not search_index.owns(r[0]) and r[0] != "alembic_version"]
    return {n: sorted(r[1] for r in conn.exec_driver_sql(f'PRAGMA table_info("{n}")'))
            for n in names}


def _check_tables(conn: Connection, revision: str) -> None:
    """A store from before Alembic says its schema only in meta.schema_version; before it
    is stamped so, its tables are held against what that revision makes in an empty
    in-memory database (once in a store's life). A pre-release build's store with the
    same number but other tables is refused untouched, not half-read later."""
    if conn.dialect.name != "sqlite":
        return
    scratch = create_engine("sqlite+pysqlite://", module=sqlcipher3)
    try:
        with scratch.begin() as empty:
            _upgrade(empty, revision)
            expected = _columns(empty)
    finally:
        scratch.dispose()
    found = _columns(conn)
    missing = [f"{t}.{c}" for t, cols in expected.items()
               for c in cols if c not in found.get(t, [])]
    if missing:
        raise StoreError(
            f"数据库的数据结构与其版本号不一致(缺少 {'、'.join(missing[:3])}"
            f"{' 等' if len(missing) > 3 else ''}),可能由测试版程序建立。"
            "数据库未作任何改动;请用建立它的程序导出数据后重建。")


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection for one migration step. On SQLite, batch mode rebuilds a table by
    copy, drop and rename, which foreign keys would refuse midway; they are switched off
    for the step (SQLite ignores the pragma inside a transaction, hence before BEGIN) and
    checked by _check_foreign_keys before it commits."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw: Any = conn.connection.driver_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            yield conn
        finally:
            if sqlite:  # the connection goes back to the pool
                raw.execute("PRAGMA foreign_keys = ON")


def _check_foreign_keys(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise StoreError(f"迁移后有 {len(broken)} 行外键不一致({broken[0][0]} 表)")
