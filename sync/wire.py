"""Rows on the wire: each table as a column list and rows of the store's own storage
values (Fixed money as scaled integers, dates as ISO text, booleans as 0/1), read and
written with plain driver SQL. No ORM objects and no type conversion, so a 20,000-household
station exports and imports in seconds, and a row arrives exactly as it was stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from registry.schema import metadata  # every model module imported: all tables known

# The synced tables are named in sync/names.py; these old names stay importable.
from sync.names import AUDIT as AUDIT
from sync.names import POVERTY_LINE as POVERTY_LINE
from sync.names import RETURN_TABLES as RETURN_TABLES
from sync.names import STATION_TABLES as STATION_TABLES

CHUNK = 900  # under SQLite's old limit of 999 bound parameters


def table(name: str) -> Table:
    return metadata.tables[name]


def columns(name: str) -> list[str]:
    return [c.name for c in table(name).columns]


def _q(session: Session, name: str) -> str:
    return session.get_bind().dialect.identifier_preparer.quote(name)


def _mark(session: Session) -> str:
    style = session.get_bind().dialect.paramstyle
    return "?" if style == "qmark" else "%s"


def select_rows(session: Session, name: str, where: str = "", params: dict[str, Any] | None
                = None, cols: Sequence[str] | None = None) -> list[list[Any]]:
    cols = list(cols or columns(name))
    sql = f"SELECT {', '.join(_q(session, c) for c in cols)} FROM {_q(session, name)}"
    if where:
        sql += f" WHERE {where}"
    return [list(r) for r in session.execute(text(sql), params or {})]


def rows_by_id(session: Session, name: str, ids: Iterable[str], cols: Sequence[str]
               ) -> dict[str, list[Any]]:
    """Stored rows (storage values, in `cols` order) whose id is in `ids`."""
    cols = list(cols)
    at = cols.index("id")
    found: dict[str, list[Any]] = {}
    ids = list(ids)
    conn = session.connection()
    head = f"SELECT {', '.join(_q(session, c) for c in cols)} FROM {_q(session, name)} " \
           f"WHERE {_q(session, 'id')} IN "
    mark = _mark(session)
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        sql = head + "(" + ", ".join([mark] * len(part)) + ")"
        for r in conn.exec_driver_sql(sql, tuple(part)):
            found[r[at]] = list(r)
    return found


def insert_rows(session: Session, name: str, cols: Sequence[str], rows: list[tuple[Any, ...]]
                ) -> None:
    if not rows:
        return
    mark = _mark(session)
    sql = (f"INSERT INTO {_q(session, name)} ({', '.join(_q(session, c) for c in cols)}) "
           f"VALUES ({', '.join([mark] * len(cols))})")
    session.connection().exec_driver_sql(sql, rows)


def update_rows(session: Session, name: str, cols: Sequence[str], rows: list[tuple[Any, ...]]
                ) -> None:
    """Rows in `cols` order, id among them; updates every other column by id."""
    if not rows:
        return
    mark = _mark(session)
    at = list(cols).index("id")
    others = [i for i, c in enumerate(cols) if c != "id"]
    sql = (f"UPDATE {_q(session, name)} SET "
           + ", ".join(f"{_q(session, cols[i])} = {mark}" for i in others)
           + f" WHERE {_q(session, 'id')} = {mark}")
    session.connection().exec_driver_sql(
        sql, [tuple(r[i] for i in others) + (r[at],) for r in rows])


def pack(name: str, rows: list[list[Any]]) -> dict[str, Any]:
    return {"columns": columns(name), "rows": rows}
