"""The migrations and the models describe the same schema: revision 0001 makes what schema 1
made in the field, a new store is the same whether built from the models or the revisions,
and a model changed without a revision fails here (Alembic's compare_metadata)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Connection, Index, MetaData, String

from registry import migrations, schema
from registry.keyslots import parse_recovery_key
from registry.store import Store, _engine
from tests.conftest import PASSWORD, TOWNSHIP

SCHEMA1 = Path(__file__).resolve().parents[1] / "fixtures" / "released" / "schema1"
EXPECTED = json.loads((SCHEMA1 / "expected.json").read_text("utf-8"))


def shape(path: Path, data_key: bytes) -> dict[str, Any]:
    """Everything SQLite knows of a store's schema: each object's SQL, every table's
    columns (PRAGMA table_info), indexes with their columns, foreign keys. Alembic's own
    table is left out. Read with the stock driver, so nothing is migrated on the way."""
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                            "WHERE tbl_name != 'alembic_version'").fetchall()
        tables = sorted(name for type_, name, _, _ in rows if type_ == "table")

        def pragma(name: str, arg: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(f'PRAGMA {name}("{arg}")')]

        def sql_of(name: str, sql: str | None) -> str:
            # A table rebuilt by a batch migration is renamed into place, and SQLite then
            # quotes its name in the stored SQL: the same table.
            text = " ".join((sql or "").split())
            return text.replace(f'CREATE TABLE "{name}"', f"CREATE TABLE {name}", 1)

        return {
            "objects": {name: (type_, table, sql_of(name, sql))
                        for type_, name, table, sql in rows},
            "columns": {t: pragma("table_info", t) for t in tables},
            "indexes": {t: sorted((name, unique, origin,
                                   tuple(c[2] for c in pragma("index_info", name)))
                                  for _, name, unique, origin, _ in pragma("index_list", t))
                        for t in tables},
            "foreign_keys": {t: pragma("foreign_key_list", t) for t in tables},
        }
    finally:
        conn.close()


def _revision_of(path: Path, data_key: bytes) -> str:
    conn = sqlcipher3.connect(str(path))
    conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
    (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    conn.close()
    return str(revision)


def _migrated_file(path: Path, revision: str) -> bytes:
    """A bare store file brought from empty to `revision` by the migrations alone."""
    data_key = os.urandom(32)
    engine = _engine(path, data_key)
    with engine.begin() as conn:
        command.upgrade(migrations.config(conn), revision)
    engine.dispose()
    return data_key


def _create(path: Path) -> bytes:
    store, recovery = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                                   password=PASSWORD)
    store.close()
    return parse_recovery_key(recovery)


def drift(conn: Connection, metadata: MetaData) -> list[Any]:
    """What autogenerate would put in a new revision: models against the database."""
    context = MigrationContext.configure(conn, opts={
        "include_name": migrations.include_name, "compare_type": True,
        "compare_server_default": True})
    return list(compare_metadata(context, metadata))


def test_revisions_are_numbered_in_one_line() -> None:
    revisions = list(reversed(list(migrations.scripts().walk_revisions())))
    previous = None
    for number, script in enumerate(revisions, start=1):
        assert script.revision == f"{number:04d}"
        assert Path(script.path).name.startswith(f"{script.revision}_")
        assert script.down_revision == previous
        previous = script.revision
    assert migrations.head() == previous
    assert migrations.version_number(migrations.head()) == migrations.SCHEMA_VERSION


def test_revision_0001_makes_schema_1_as_released(tmp_path: Path) -> None:
    released = tmp_path / "released.db"
    shutil.copy2(SCHEMA1 / "station.db", released)
    released_key = parse_recovery_key(EXPECTED["recovery_keys"]["station"])
    migrated = tmp_path / "migrated.db"
    migrated_key = _migrated_file(migrated, "0001")
    want, got = shape(released, released_key), shape(migrated, migrated_key)
    assert "member_fts" in got["objects"] and "member_fts_update" in got["objects"]
    for part in want:
        assert got[part] == want[part], part
    assert _revision_of(migrated, migrated_key) == "0001"


def test_a_new_store_is_the_same_from_the_models_and_from_the_migrations(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    models_key = _create(tmp_path / "models.db")
    monkeypatch.setattr(migrations, "create_schema",
                        lambda conn: command.upgrade(migrations.config(conn), "head"))
    migrations_key = _create(tmp_path / "migrations.db")
    assert (shape(tmp_path / "models.db", models_key)
            == shape(tmp_path / "migrations.db", migrations_key))
    assert (_revision_of(tmp_path / "models.db", models_key)
            == _revision_of(tmp_path / "migrations.db", migrations_key) == migrations.head())
    with Store.open(tmp_path / "migrations.db", "admin", PASSWORD) as store:
        assert store.info.schema_version == migrations.SCHEMA_VERSION
        assert store.verify() == []


def test_the_models_match_a_new_store(station: Store) -> None:
    with station.engine.connect() as conn:
        assert drift(conn, schema.metadata) == []


@pytest.mark.parametrize("name", ["station", "county"])
def test_the_models_match_the_released_stores_once_upgraded(name: str, tmp_path: Path) -> None:
    for suffix in ("", ".keys"):
        shutil.copy2(SCHEMA1 / f"{name}.db{suffix}", tmp_path / f"{name}.db{suffix}")
    with Store.open(tmp_path / f"{name}.db", "admin", EXPECTED["password"]) as store, \
            store.engine.connect() as conn:
        assert drift(conn, schema.metadata) == []


def _copy(metadata: MetaData) -> MetaData:
    copy = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(copy)
    return copy


def test_the_drift_check_sees_a_column_without_a_revision(station: Store) -> None:
    models = _copy(schema.metadata)
    models.tables["household"].append_column(Column("throwaway", String(10)))
    with station.engine.connect() as conn:
        found = drift(conn, models)
    assert [(d[0], d[2], d[3].name) for d in found] == [("add_column", "household", "throwaway")]


def test_the_drift_check_sees_an_index_without_a_revision(station: Store) -> None:
    models = _copy(schema.metadata)
    Index("ix_member_sex", models.tables["member"].c.sex)
    with station.engine.connect() as conn:
        found = drift(conn, models)
    assert [(d[0], d[1].name) for d in found] == [("add_index", "ix_member_sex")]

