"""Rows on the wire: each table as a column list and rows of the store's own storage
values (Fixed money as scaled integers, dates as ISO text, booleans as 0/1), read and
written with plain driver SQL. No ORM objects and no type conversion, so a 20,000-household
station exports and imports in seconds, and a row arrives exactly as it was stored.

Those are SQLite's storage values. A store on PostgreSQL keeps booleans, dates and times in
types of their own: its rows are turned into the wire's values as they are read and back
as they are written (`_PgValues`), so the merge compares and sends the same values on
both engines."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Table, text
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


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _wire_datetime(value: Any) -> Any:
    # as SQLAlchemy's DateTime stores it on SQLite
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def _wire_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _wire_bool(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _stored_bool(value: Any) -> Any:
    return None if value is None else bool(value)


class _PgValues:
    """Per column of a table: what turns a PostgreSQL value into the wire's, and back
    (dates and times go back as ISO text, which PostgreSQL casts itself)."""

    def __init__(self, name: str, cols: Sequence[str]):
        kinds = [table(name).columns[c].type for c in cols]
        self.read: list[Callable[[Any], Any] | None] = [
            _wire_bool if isinstance(k, Boolean) else _wire_datetime
            if isinstance(k, DateTime) else _wire_date if isinstance(k, Date) else None
            for k in kinds]
        self.write = [_stored_bool if isinstance(k, Boolean) else None for k in kinds]
        self.reads = any(self.read)
        self.writes = any(self.write)

    def row_read(self, row: Sequence[Any]) -> list[Any]:
        if not self.reads:
            return list(row)
        return [f(v) if f else v for f, v in zip(self.read, row, strict=True)]

    def row_written(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(f(v) if f else v for f, v in zip(self.write, row, strict=True))


def select_rows(session: Session, name: str, where: str = "", params: dict[str, Any] | None
                = None, cols: Sequence[str] | None = None) -> list[list[Any]]:
    cols = list(cols or columns(name))
    sql = f"SELECT {', '.join(_q(session, c) for c in cols)} FROM {_q(session, name)}"
    if where:
        sql += f" WHERE {where}"
    if _on_postgresql(session):
        values = _PgValues(name, cols)
        return [values.row_read(r) for r in session.execute(text(sql), params or {})]
    # SQLite: straight from the driver's cursor, in the session's transaction. The rows of
    # a text() query are the driver's values anyway; SQLAlchemy's row objects around them
    # cost a station's full export more than a second.
    driver: Any = session.connection().connection.driver_connection
    return list(map(list, driver.execute(sql, params or {})))


def rows_by_id(session: Session, name: str, ids: Iterable[str], cols: Sequence[str]
               ) -> dict[str, list[Any]]:
    """Stored rows (storage values, in `cols` order) whose id is in `ids`."""
    cols = list(cols)
    at = cols.index("id")
    return {r[at]: r for r in rows_where_in(session, name, "id", ids, cols)}


def rows_where_in(session: Session, name: str, column: str, values: Iterable[Any],
                  cols: Sequence[str]) -> list[list[Any]]:
    """Stored rows (storage values, in `cols` order) whose `column` is one of `values`.
    On PostgreSQL the values travel as one array (`= ANY(%s)`): a statement of hundreds
    of placeholders is parsed by the driver each time (a county bundle's look-ups spent
    more time there than the server took to answer them). SQLite takes them `CHUNK` at a
    time."""
    cols = list(cols)
    values = list(values)
    if not values:
        return []
    conn = session.connection()
    head = f"SELECT {', '.join(_q(session, c) for c in cols)} FROM {_q(session, name)} " \
           f"WHERE {_q(session, column)} "
    if _on_postgresql(session):
        read = _PgValues(name, cols)
        array, typed = _array(values, "%s")
        return [read.row_read(r) for r in conn.exec_driver_sql(head + f"= ANY({typed})",
                                                                (array,))]
    mark = _mark(session)
    found: list[list[Any]] = []
    for start in range(0, len(values), CHUNK):
        part = values[start:start + CHUNK]
        sql = head + "IN (" + ", ".join([mark] * len(part)) + ")"
        found.extend(list(r) for r in conn.exec_driver_sql(sql, tuple(part)))
    return found


def _array(values: Sequence[Any], mark: str) -> tuple[Any, str]:
    """PostgreSQL: the parameter for `= ANY(…)` and its placeholder `mark` as the
    statement takes it (cast to text[] for text). Text values go as one array
    literal the server parses (the driver's dumping of a list of 10,000 ids cost more than
    the look-up); anything else as a list for the driver to dump."""
    if set(map(type, values)) != {str}:
        return list(values), mark
    joined = "".join(values)
    if '"' in joined or "\\" in joined:
        values = [v.replace("\\", "\\\\").replace('"', '\\"') for v in values]
    return '{"' + '","'.join(values) + '"}', f"CAST({mark} AS text[])"


def among(session: Session, column_sql: str, values: Sequence[Any]
          ) -> Iterator[tuple[str, dict[str, Any]]]:
    """`column_sql IN values` for a statement of one's own (text() with named parameters):
    each condition with its parameters. PostgreSQL: one, the values as one array; SQLite:
    `CHUNK` values at a time (see `rows_where_in`)."""
    if not values:
        return
    if _on_postgresql(session):
        array, typed = _array(values, ":among")
        yield f"{column_sql} = ANY({typed})", {"among": array}
        return
    for start in range(0, len(values), CHUNK):
        part = values[start:start + CHUNK]
        yield (f"{column_sql} IN ({', '.join(f':among{i}' for i in range(len(part)))})",
               {f"among{i}": v for i, v in enumerate(part)})


def _stored(session: Session, name: str, cols: Sequence[str], rows: list[tuple[Any, ...]]
            ) -> list[tuple[Any, ...]]:
    """Wire rows as this engine stores them (unchanged on SQLite)."""
    if not _on_postgresql(session):
        return rows
    values = _PgValues(name, cols)
    return [values.row_written(r) for r in rows] if values.writes else rows


def insert_rows(session: Session, name: str, cols: Sequence[str], rows: list[tuple[Any, ...]]
                ) -> None:
    if not rows:
        return
    if _on_postgresql(session):
        _copy_rows(session, name, cols, rows)
        return
    mark = _mark(session)
    sql = (f"INSERT INTO {_q(session, name)} ({', '.join(_q(session, c) for c in cols)}) "
           f"VALUES ({', '.join([mark] * len(cols))})")
    session.connection().exec_driver_sql(sql, _stored(session, name, cols, rows))


def _copy_rows(session: Session, name: str, cols: Sequence[str],
               rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: COPY FROM STDIN in the session's transaction. An INSERT per row, even
    pipelined, is a round trip's worth of server work each: a county bundle went in at a
    few hundred households a second. The batch's COPY text is made a column at a time
    (`_copy_text`); a batch holding a value it does not know goes row by row through the
    driver. Dates travel as their ISO text, which COPY parses. The server goes on with it
    while the merge reads the next batch (registry/server_copy.py)."""
    from registry import server_copy  # the driver is there: this is a server's session

    driver = session.connection().connection.driver_connection
    assert driver is not None
    target = f"{_q(session, name)} ({', '.join(_q(session, c) for c in cols)})"
    data = _copy_text(name, cols, rows)
    server_copy.start(driver, f"COPY {target} FROM STDIN", data,
                      None if data is not None else _stored(session, name, cols, rows))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"
_COPY_BOOL = {0: "f", 1: "t", None: _COPY_NULL}  # True and False are 1 and 0 here


def _copy_text(name: str, cols: Sequence[str], rows: Sequence[Sequence[Any]]) -> str | None:
    """The rows as COPY's text format, or None when a column holds a value other than
    text, an integer, None, or (in a boolean column) 0/1: formatted by the driver then.
    Row by row, the driver's formatting and the storage values' conversion cost as much
    Python as the whole rest of the merge; a column at a time it is a few C-level passes."""
    kinds = table(name).columns
    texts: list[Sequence[str]] = []
    for col, values in zip(cols, zip(*rows, strict=True), strict=True):
        present = set(map(type, values))
        if isinstance(kinds[col].type, Boolean):
            if not present <= {int, bool, type(None)} or not set(values) <= _COPY_BOOL.keys():
                return None
            texts.append(list(map(_COPY_BOOL.__getitem__, values)))
            continue
        nulls = type(None) in present
        present.discard(type(None))
        if present == {int}:
            texts.append([_COPY_NULL if v is None else str(v) for v in values] if nulls
                         else list(map(str, values)))
            continue
        if present and present != {str}:
            return None
        column = [_COPY_NULL if v is None else v for v in values] if nulls else values
        joined = "".join(v for v in values if v is not None) if nulls else "".join(values)
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            column = [v if v is None else v.translate(_COPY_ESCAPES) for v in values]
            column = [_COPY_NULL if v is None else v for v in column]
        texts.append(column)
    if not texts:
        return None
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


def prefer_index_lookups(session: Session) -> None:
    """PostgreSQL, for the rest of this transaction: look rows up by their indexes. Rows a
    merge wrote earlier in the same transaction are in no statistics yet, so the planner
    took `id IN (…)` over a table it believed small for a scan of the whole, growing
    table, batch after batch (a 20,000-household bundle: 18 minutes). Every look-up of
    a merge has its index. Nothing on SQLite."""
    if _on_postgresql(session):
        session.execute(text("SET LOCAL enable_seqscan = off"))


@contextmanager
def reader(session: Session) -> Iterator[Session]:
    """Where a merge looks up what the store held before its transaction. SQLite: the
    session itself (one connection). PostgreSQL: a second session on its own connection,
    read-only and rolled back at the end, which does not see the transaction's own rows
    (its COPY may still be running: registry/server_copy.py), so the next batch's look-ups
    go on meanwhile; the merge knows what it wrote itself (sync/merge.py)."""
    if not _on_postgresql(session):
        yield session
        return
    with Session(bind=session.get_bind()) as other:  # closing it rolls back
        prefer_index_lookups(other)
        yield other


def refresh_statistics(session: Session, columns: Mapping[str, Sequence[str]]) -> None:
    """PostgreSQL: ANALYZE these tables' columns inside the transaction (it counts the rows
    the transaction wrote). Before the county's duplicate search over the members it just
    wrote: without statistics the planner met `a.id IN (500 ids)` by walking a whole index
    of the growing member table per chunk (4,000 households: 10 of 18 seconds). Only the
    columns the search plans on: all of a province's member table's took 3 s a bundle,
    these a tenth of it (autovacuum analyzes the rest). Nothing on SQLite."""
    if _on_postgresql(session) and columns:  # (a bare ANALYZE is the whole database's)
        session.execute(text("ANALYZE " + ", ".join(
            f"{_q(session, n)} ({', '.join(_q(session, c) for c in cols)})"
            for n, cols in columns.items())))


# A table whose statistics counted this many rows or more, grown by less than this share
# of them, is planned as well on them as on fresh ones.
SETTLED_ROWS, SETTLED_GROWTH = 10_000, 0.2


def outgrown(session: Session, inserted: Mapping[str, int]) -> set[str]:
    """The tables (PostgreSQL) whose statistics no longer describe them after `inserted`
    rows: never analyzed, small, or grown by a fifth. The others are left to autovacuum:
    at a province's 6 million members an ANALYZE took a second of each county's bundle,
    and the planner scales the rows it counted to the table's size anyway."""
    if not _on_postgresql(session) or not inserted:
        return set(inserted)
    names = list(inserted)
    counted = {str(n): float(rows or -1) for n, rows in session.execute(text(
        "SELECT n, c.reltuples FROM unnest(CAST(:names AS text[])) AS n "
        "LEFT JOIN pg_class c ON c.oid = to_regclass(quote_ident(n))"), {"names": names})}
    return {n for n in names
            if counted.get(n, -1) < SETTLED_ROWS or inserted[n] >= SETTLED_GROWTH * counted[n]}


def update_rows(session: Session, name: str, cols: Sequence[str], rows: list[tuple[Any, ...]]
                ) -> None:
    """Rows in `cols` order, id among them; updates every other column by id."""
    if not rows:
        return
    mark = _mark(session)
    rows = _stored(session, name, cols, rows)
    at = list(cols).index("id")
    others = [i for i, c in enumerate(cols) if c != "id"]
    sql = (f"UPDATE {_q(session, name)} SET "
           + ", ".join(f"{_q(session, cols[i])} = {mark}" for i in others)
           + f" WHERE {_q(session, 'id')} = {mark}")
    session.connection().exec_driver_sql(
        sql, [tuple(r[i] for i in others) + (r[at],) for r in rows])


def pack(name: str, rows: list[list[Any]]) -> dict[str, Any]:
    return {"columns": columns(name), "rows": rows}
