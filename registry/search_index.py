"""The full-text index behind search: an FTS5 trigram index over each member's search key
(`张三|zhangsan|zs|5134…`), kept current by triggers so every writer — the editor, bulk
imports, the county's sync merge — updates it without knowing it exists.

Its rowids are the member table's rowids. VACUUM may renumber those (the member table has
a text primary key), so anything that VACUUMs must call rebuild() afterwards.
"""

from __future__ import annotations

from sqlalchemy import Connection

TABLE = "member_fts"

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
    for statement in _DDL:
        conn.exec_driver_sql(statement)


def owns(table_name: str) -> bool:
    """The FTS5 table and the shadow tables SQLite keeps for it (member_fts_data, …): made
    here, not by the models, so a comparison of models and database must skip them."""
    return table_name == TABLE or table_name.startswith(f"{TABLE}_")


def rebuild(conn: Connection) -> None:
    conn.exec_driver_sql("DELETE FROM member_fts")
    conn.exec_driver_sql("INSERT INTO member_fts(rowid, search_text) "
                         "SELECT rowid, search_text FROM member WHERE deleted = 0")


def match_phrase(text: str) -> str:
    """An FTS5 phrase: with the trigram tokenizer, a substring match of 3+ characters."""
    return '"' + text.replace('"', '""') + '"'
