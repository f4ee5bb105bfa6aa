"""Alembic's environment: alembic.command runs this file for every command.

There is no URL and no alembic.ini: registry.migrations.config() hands over the store's own
connection in `config.attributes["connection"]` — for SQLCipher it was opened with the
data key (PRAGMA key before anything reads the file), which only the store holds. When that
connection is already in a transaction, Alembic works inside it (the store upgrades one
revision per transaction); otherwise each revision gets its own.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from alembic import context
from alembic.migration import MigrationContext, MigrationInfo
from sqlalchemy import Connection, text

from registry import migrations, schema


def _record_version(ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any],
                    run_args: Mapping[str, Any]) -> None:
    # meta.schema_version follows the revision: "0002" → "2" (sync manifests, old readers).
    (revision,) = heads
    assert ctx.connection is not None
    ctx.connection.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"),
                           {"v": str(int(revision))})


def run() -> None:
    connection = context.config.attributes.get("connection")
    if context.is_offline_mode() or not isinstance(connection, Connection):
        raise RuntimeError("registry/migrations runs only on a store's connection, passed in "
                           "config.attributes['connection'] (see registry.migrations.config)")
    context.configure(
        connection=connection,
        target_metadata=schema.metadata,
        render_as_batch=True,  # SQLite alters little in place: batch copies the table
        transaction_per_migration=True,
        include_name=migrations.include_name,  # for autogenerate: skip the FTS5 tables
        on_version_apply=_record_version,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
