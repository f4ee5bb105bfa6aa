"""The full-text index behind search, one interface over two engines. Each member's search
key (`张三|zhangsan|zs|5134…`) is indexed by trigrams: in SQLCipher an FTS5 trigram index
kept current by triggers, on PostgreSQL a pg_trgm GIN index on member.search_text (kept
current by the server). Every writer — the editor, bulk imports, the county's sync merge —
updates it without knowing it exists. `members_containing` is the one query. A writer of
many members in one SQLCipher transaction (the county's sync merge) may set the triggers
aside and write the index rows a chunk at a time instead (`deferred`).

Its rowids are the member table's rowids. VACUUM may renumber those (the member table has
a text primary key), so anything that VACUUMs must call rebuild() afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, false, literal_column, select, table
from sqlalchemy.orm import Session

from registry.models import Member

TABLE = "member_fts"

# PostgreSQL: trigram GIN over living members' keys; LIKE '%…%' of 3+ characters uses it.
PG_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE INDEX IF NOT EXISTS ix_member_search_trgm ON member
       USING gin (search_text gin_trgm_ops) WHERE deleted = false""",
)

_DDL = (
    # contentless: the text lives in member.search_text; the index holds only trigrams.
    """CREATE VIRTUAL TABLE IF NOT EXISTS member_fts USING fts5(
           search_text, content='', contentless_delete=1, tokenize='trigram')""",
    """CREATE TRIGGER IF NOT EXISTS member_fts_insert AFTER INSERT ON member
       WHEN new.deleted = 0 BEGIN
           INSERT INTO member_fts(rowid, search_text) VALUES (new.rowid, new.search_text);
       END""",
    """CREATE TRIGGER IF NOT EXISTS member_fts_update
       AFTER UPDATE OF search_text, deleted ON member BEGIN
           DELETE FROM member_fts WHERE rowid = old.rowid;
           INSERT INTO member_fts(rowid, search_text)
               SELECT new.rowid, new.search_text WHERE new.deleted = 0;
       END""",
    """CREATE TRIGGER IF NOT EXISTS member_fts_delete AFTER DELETE ON member BEGIN
           DELETE FROM member_fts WHERE rowid = old.rowid;
       END""",
)


def create(conn: Connection) -> None:
    for statement in PG_DDL if conn.dialect.name == "postgresql" else _DDL:
        conn.exec_driver_sql(statement)


def owns(name: str) -> bool:
    """The FTS5 table and the shadow tables SQLite keeps for it (member_fts_data, …), and
    the trigram index on PostgreSQL: made here, not by the models, so a comparison of
    models and database must skip them."""
    return name in (TABLE, "ix_member_search_trgm") or name.startswith(f"{TABLE}_")


def members_containing(dialect: str, text: str) -> Any:
    """A select of the household ids of living members whose key contains `text` (3 or
    more characters: shorter ones have no trigram)."""
    if dialect == "postgresql":
        # The trigram index first, behind a fence (OFFSET 0): with the caller's DISTINCT
        # … LIMIT the planner otherwise walked the members in household order and tested
        # each key (470 ms at 100,000 households; 4 ms through the index). `= false`, the
        # index's own predicate, not `IS false`.
        found = (select(Member.household_id)
                 .where(Member.search_text.icontains(text, autoescape=True),
                        Member.deleted == false())
                 .offset(0).subquery("found"))
        return select(found.c.household_id)
    # The index drives, joined to its members by rowid: a capped search stops after the
    # first households ("5134" matches every member of a county; `rowid IN (…)` collected
    # them all first).
    return (select(Member.household_id).select_from(table(TABLE))
            .join(Member, literal_column("member.rowid") == literal_column(f"{TABLE}.rowid"))
            .where(literal_column(TABLE).op("MATCH")(match_phrase(text))))


def first_households(session: Session, source: Any, n: int) -> list[str]:
    """The first `n` distinct household ids `source` (a select of them) yields. SQLite's
    DISTINCT … LIMIT stops at the limit. PostgreSQL's sorted or hashed every match first
    ("耿", 1,500 members of 440,000 households: 29 ms against 2 ms read as a stream; a
    common surname of a province hundreds of thousands, p95 347 ms at 2,000,000
    households), so there the rows are read as a stream and left at the n-th household."""
    if session.get_bind().dialect.name != "postgresql":
        return list(session.execute(source.distinct().limit(n)).scalars())
    found: dict[str, None] = {}
    result = session.execute(source.execution_options(yield_per=256))
    try:
        for household_id in result.scalars():
            found[household_id] = None
            if len(found) >= n:
                break
    finally:
        result.close()
    return list(found)


def rebuild(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        return  # the server keeps its index current
    conn.exec_driver_sql("DELETE FROM member_fts")
    conn.exec_driver_sql("INSERT INTO member_fts(rowid, search_text) "
                         "SELECT rowid, search_text FROM member WHERE deleted = 0")


def match_phrase(text: str) -> str:
    """An FTS5 phrase: with the trigram tokenizer, a substring match of 3+ characters."""
    return '"' + text.replace('"', '""') + '"'


_TRIGGERS = ("member_fts_insert", "member_fts_update", "member_fts_delete")
_CHUNK = 500  # ids bound in one statement


class Deferred:
    """The index rows of members written while the triggers are away (see `deferred`)."""

    def __init__(self, conn: Connection, active: bool):
        self._conn = conn
        self._active = active
        self._last = self._last_rowid() if active else 0

    def _last_rowid(self) -> int:
        return int(self._conn.exec_driver_sql(
            "SELECT coalesce(max(rowid), 0) FROM member").scalar_one())

    def forget(self, updated: Sequence[str]) -> None:
        """Before these stored members are updated: their index rows go (as the update
        trigger's first statement does)."""
        if not self._active:
            return
        for part in _chunks(updated):
            marks = ", ".join("?" * len(part))
            rowids = [(r,) for (r,) in self._conn.exec_driver_sql(
                f"SELECT rowid FROM member WHERE id IN ({marks})", tuple(part))]
            if rowids:
                self._conn.exec_driver_sql("DELETE FROM member_fts WHERE rowid = ?", rowids)

    def written(self, inserted: Sequence[str], updated: Sequence[str]) -> None:
        """After these members were inserted and updated: the index rows of those not
        deleted, as the triggers write them. FTS5 takes rows fastest in rowid order: the
        new rows (rowids after the last one) in one statement."""
        if not self._active:
            return
        new = self._conn.exec_driver_sql(
            "SELECT count(*) FROM member WHERE rowid > ?", (self._last,)).scalar_one()
        if new == len(inserted):
            self._conn.exec_driver_sql(
                "INSERT INTO member_fts(rowid, search_text) SELECT rowid, search_text "
                "FROM member WHERE rowid > ? AND deleted = 0", (self._last,))
        else:  # rowids not handed out in order (never seen): by id
            updated = [*inserted, *updated]
        for part in _chunks(updated):
            marks = ", ".join("?" * len(part))
            self._conn.exec_driver_sql(
                "INSERT INTO member_fts(rowid, search_text) SELECT rowid, search_text "
                f"FROM member WHERE deleted = 0 AND id IN ({marks}) ORDER BY rowid",
                tuple(part))
        self._last = self._last_rowid()


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


@contextmanager
def deferred(conn: Connection) -> Iterator[Deferred]:
    """For many member rows written in one transaction (the county's merge of a bundle):
    the triggers are dropped, the caller names the members it writes (`forget` before an
    update, `written` after the rows are) and their index rows are written together, then
    the triggers are made again. Row by row through the triggers, the index
    cost a 20,000-household import as much as all its other inserts together.

    Only inside a transaction: SQLite's DDL is transactional, so when the work fails and
    the transaction rolls back, the triggers come back with it. On an engine without these
    triggers (the index is kept by the database itself) nothing changes."""
    active = conn.dialect.name == "sqlite"
    if active:
        for name in _TRIGGERS:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    yield Deferred(conn, active)
    if active:
        create(conn)
