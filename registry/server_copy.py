"""PostgreSQL: a COPY FROM STDIN that the server carries out while this process goes on.

A county bundle's merge alternates: Python reads and checks a batch of rows, then the
server inserts it (its indexes, its foreign keys) while Python waits — on two cores, one
of them idle either way. Here `start` hands the batch's text to a writer thread and
returns; the COPY is finished (its outcome awaited, its errors raised) by `settle`, which
runs before the next statement on that connection, before its commit, or instead aborts
it before a rollback (`watch` puts these on the engine). So Python reads and checks the
next batch while the server inserts this one, and every statement still sees the rows
written before it, as with a COPY finished on the spot.

A COPY the server refuses (a unique key, a value out of range) is raised by `settle` as
SQLAlchemy's IntegrityError or DataError, as an INSERT's would be, from whichever
statement or commit comes next in the same transaction: the transaction then rolls back
whole, as it would have."""

from __future__ import annotations

import weakref
from contextlib import AbstractContextManager, suppress
from typing import Any

import psycopg
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Engine, event
from sqlalchemy.exc import DataError, IntegrityError


class _Open:
    """A COPY started and not finished: its cursor and its `cursor.copy()` block."""

    def __init__(self, statement: str, cursor: psycopg.Cursor[Any],
                 block: AbstractContextManager[psycopg.Copy]):
        self.statement = statement
        self.cursor = cursor
        self.block = block


# By driver connection: at most one COPY open on each (the protocol allows no other).
_open: weakref.WeakKeyDictionary[psycopg.Connection[Any], _Open] = \
    weakref.WeakKeyDictionary()


def start(driver: psycopg.Connection[Any], statement: str, text: str | None = None,
          rows: list[tuple[Any, ...]] | None = None) -> None:
    """Starts `statement` (COPY … FROM STDIN) with `text` (COPY's text format) or else
    `rows` (formatted by the driver) and returns while the server works on it. A COPY
    still open on the connection is settled first."""
    settle(driver)
    cursor = driver.cursor()
    pending = _Open(statement, cursor, cursor.copy(statement, writer=QueuedLibpqWriter(cursor)))
    try:
        copy = pending.block.__enter__()
    except BaseException:
        cursor.close()
        raise
    try:
        if text is not None:
            copy.write(text)
        else:
            for row in rows or []:
                copy.write_row(row)
    except BaseException as e:
        _finish(pending, e)
        raise
    _open[driver] = pending


def settle(driver: Any) -> None:
    """Finishes the connection's open COPY, if any: waits for the server's outcome and
    raises it as SQLAlchemy's IntegrityError / DataError when refused."""
    pending = _open.pop(driver, None)
    if pending is not None:
        _finish(pending, None)


def abort(driver: Any) -> None:
    """Ends the connection's open COPY, if any, with an error (before a rollback)."""
    pending = _open.pop(driver, None)
    if pending is not None:
        with suppress(psycopg.Error):  # the transaction is being rolled back anyway
            _finish(pending, RuntimeError("rollback"))


def _finish(pending: _Open, error: BaseException | None) -> None:
    try:
        if error is None:
            pending.block.__exit__(None, None, None)
        else:
            pending.block.__exit__(type(error), error, error.__traceback__)
    except psycopg.IntegrityError as e:
        raise IntegrityError(pending.statement, None, e) from None
    except psycopg.DataError as e:
        raise DataError(pending.statement, None, e) from None
    finally:
        pending.cursor.close()


def watch(engine: Engine) -> None:
    """Settles a connection's open COPY before its next statement and its commit; aborts
    it before a rollback or when the connection goes back to the pool."""
    def before_statement_or_commit(conn: Any, *_: Any) -> None:
        settle(conn.connection.driver_connection)

    def before_rollback(conn: Any) -> None:
        abort(conn.connection.driver_connection)

    def on_reset(dbapi_conn: Any, *_: Any) -> None:
        abort(getattr(dbapi_conn, "driver_connection", dbapi_conn))

    event.listen(engine, "before_cursor_execute", before_statement_or_commit)
    event.listen(engine, "commit", before_statement_or_commit)
    event.listen(engine, "rollback", before_rollback)
    event.listen(engine.pool, "reset", on_reset)
