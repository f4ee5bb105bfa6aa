"""The store on a real PostgreSQL server (tests/postgres.py): created and opened by URL,
users and roles in the database with hashed passwords, private keys sealed with the
server key, search through pg_trgm, and one Alembic history on both engines."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from registry import demo, migrations, schema, server
from registry.errors import NotAStore, StoreError, WrongPassword
from registry.search import HouseholdFilter, find_households
from registry.store import Store
from sync import keys
from tests import postgres
from tests.conftest import PASSWORD, TOWNSHIP


@pytest.fixture
def url() -> Iterator[str]:
    with postgres.database() as found:
        yield found


@pytest.fixture
def county(url: str) -> Iterator[Store]:
    store, recovery = Store.create(url, kind="county", region_code="513431", user="admin",
                                   password=PASSWORD)
    assert recovery == ""  # no data key on a server: its operator backs it up
    with store:
        yield store


def _raw(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        return list(conn.execute(sql).fetchall())


def test_a_county_on_the_server_opens_again_with_its_users(county: Store, url: str) -> None:
    county.add_user("reviewer", "review-pass-1", "county_review")
    county.close()
    with Store.open(url, "reviewer", "review-pass-1") as again:
        assert again.info.kind == "county" and again.server
        assert again.role == "county_review"
        assert dict(again.users()) == {"admin": "county_admin", "reviewer": "county_review"}
    # the password is a scrypt hash in the table, never the password
    stored = dict(_raw(url, "SELECT name, password_hash FROM app_user"))
    assert all(str(h).startswith("scrypt$") for h in stored.values())
    assert not any("review-pass-1" in str(h) for h in stored.values())


def test_a_wrong_password_or_an_unknown_user_opens_nothing(county: Store, url: str) -> None:
    with pytest.raises(WrongPassword):
        Store.open(url, "admin", "not-the-password")
    with pytest.raises(WrongPassword):
        Store.open(url, "nobody", PASSWORD)


def test_passwords_are_changed_and_reset_in_the_database(county: Store, url: str) -> None:
    county.add_user("clerk", "clerk-pass-1", "county_review")
    county.reset_password("clerk", "clerk-pass-2")
    county.change_password(PASSWORD, "admin-pass-2")
    with pytest.raises(WrongPassword):
        Store.open(url, "clerk", "clerk-pass-1")
    Store.open(url, "clerk", "clerk-pass-2").close()
    Store.open(url, "admin", "admin-pass-2").close()
    county.remove_user("clerk")
    with pytest.raises(WrongPassword):
        Store.open(url, "clerk", "clerk-pass-2")


def test_a_server_database_that_is_not_empty_is_not_overwritten(county: Store, url: str
                                                                 ) -> None:
    with pytest.raises(StoreError, match="已有数据"):
        Store.create(url, kind="county", region_code="513431", user="x", password=PASSWORD)


def test_a_database_of_another_program_is_refused(url: str) -> None:
    with pytest.raises(NotAStore):
        Store.open(url, "admin", PASSWORD)


def test_an_unreachable_server_is_said_in_chinese() -> None:
    bad = "postgresql://nobody@/nowhere?host=/nonexistent-socket-dir&port=1"
    with pytest.raises(StoreError, match="无法连接数据库服务器") as caught:
        Store.create(bad, kind="county", region_code="513431", user="admin",
                     password=PASSWORD)
    assert "Traceback" not in str(caught.value)


def test_a_build_without_the_driver_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """The township installer leaves psycopg out (build_installer.spec)."""
    real = server.importlib.util.find_spec
    monkeypatch.setattr(server.importlib.util, "find_spec",
                        lambda name, *a: None if name == "psycopg" else real(name, *a))
    with pytest.raises(StoreError, match="不含连接 PostgreSQL 服务器所需的组件"):
        Store.open("postgresql://admin@/x?host=/tmp", "admin", PASSWORD)


def test_what_needs_a_file_says_so(county: Store) -> None:
    with pytest.raises(StoreError, match="pg_dump"):
        _ = county.path
    with pytest.raises(StoreError, match="没有数据密钥"):
        county.recovery_key()


def test_private_keys_are_sealed_with_the_server_key(county: Store, url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    own = keys.ensure_keys(county)
    (sign, enc), = _raw(url, "SELECT sign_private, enc_private FROM sync_own_key")
    for column, plain in ((sign, own.sign_private), (enc, own.enc_private)):
        assert str(column).startswith(server.SEALED_PREFIX)
        assert plain not in str(column)
    # read back through the store: the same keys
    with county.session() as s:
        assert keys.active_key(s).sign_private == own.sign_private  # type: ignore[union-attr]
    # another server key opens nothing
    monkeypatch.setenv(server.KEY_ENV, "17" * 32)
    with pytest.raises(StoreError), county.session() as s:
        keys.active_key(s)
    # and none at all is refused before anything is written
    monkeypatch.delenv(server.KEY_ENV)
    monkeypatch.delenv(server.KEY_FILE_ENV, raising=False)
    with pytest.raises(StoreError, match="服务器密钥"):
        Store.open(url, "admin", PASSWORD)


def test_the_server_key_may_come_from_a_file(tmp_path: object, url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = os.path.join(str(tmp_path), "server.key")
    with open(key_file, "w", encoding="ascii") as f:
        f.write(os.environ[server.KEY_ENV] + "\n")
    monkeypatch.delenv(server.KEY_ENV)
    monkeypatch.setenv(server.KEY_FILE_ENV, key_file)
    store, _ = Store.create(url, kind="county", region_code="513431", user="admin",
                            password=PASSWORD)
    with store:
        keys.ensure_keys(store)


@pytest.mark.parametrize("locale", [None, "zh_CN.UTF-8"])
def test_search_finds_by_name_pinyin_and_id_through_the_trigram_index(
        locale: str | None) -> None:
    """Also on a server made in Chinese: there a surname's range (张 to 张 + U+10FFFF) held
    no longer name until the columns compared bytes (schema 10)."""
    with postgres.database(locale) as url:
        _search_finds_by_name_pinyin_and_id(url)


def _search_finds_by_name_pinyin_and_id(url: str) -> None:
    store, _ = Store.create(url, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    with store:
        demo.generate(store, 40, seed=11)
        with store.session() as s:
            name, pinyin, id_number, hid = s.execute(text(
                "SELECT name, name_pinyin, id_number, household_id FROM member "
                "WHERE deleted = false AND id_number IS NOT NULL LIMIT 1")).one()
            for query in (name, pinyin[:4], id_number[6:14], id_number[-6:].upper()):
                if len(query) >= 3:
                    assert hid in find_households(s, HouseholdFilter(text=query)).ids, query
            # A surname: the first households found, distinct, stopped at the cap.
            surname = s.execute(text(
                "SELECT substr(name, 1, 1) FROM member WHERE deleted = false GROUP BY 1 "
                "ORDER BY count(DISTINCT household_id) DESC LIMIT 1")).scalar_one()
            matching = set(s.execute(text(  # (and a village's households by its name)
                "SELECT household_id FROM member WHERE deleted = false AND name LIKE :p "
                "UNION SELECT h.id FROM household h JOIN region r ON r.code = h.village_code "
                "WHERE r.level = 'village' AND r.name LIKE :c"),
                {"p": surname + "%", "c": f"%{surname}%"}).scalars())
            capped = find_households(s, HouseholdFilter(text=surname), cap=2)
            assert len(set(capped.ids)) == len(capped.ids) == 2 and capped.capped
            assert set(capped.ids) <= matching
            whole = find_households(s, HouseholdFilter(text=surname), cap=10_000)
            assert set(whole.ids) == matching and not whole.capped
            plan = "\n".join(r[0] for r in s.execute(text(
                "EXPLAIN SELECT household_id FROM member WHERE deleted = false "
                "AND search_text ILIKE '%zhang%'")))
    indexes = [r[0] for r in _raw(url, "SELECT indexname FROM pg_indexes "
                                       "WHERE tablename = 'member'")]
    assert "ix_member_search_trgm" in indexes
    assert "ix_member_search_trgm" in plan or "Seq Scan" in plan  # tiny tables may scan


def _text_not_binary(url: str) -> list[tuple[object, ...]]:
    """The store's text columns a server compares by its locale rather than byte by byte."""
    return _raw(url, "SELECT table_name, column_name, collation_name "
                     "FROM information_schema.columns WHERE table_schema = current_schema() "
                     "AND data_type IN ('text', 'character varying') "
                     "AND table_name <> 'alembic_version' "
                     "AND collation_name IS DISTINCT FROM 'C'")


def test_a_new_store_compares_text_byte_by_byte_whatever_the_servers_locale(
        county: Store, url: str) -> None:
    """Every text column COLLATE "C" (schema 10): a server made in zh_CN.UTF-8 would sort
    names unlike the file store and compare every id through strcoll."""
    assert len(_raw(url, "SELECT 1 FROM information_schema.columns WHERE table_schema = "
                         "current_schema() AND collation_name = 'C'")) > 200
    assert _text_not_binary(url) == []


def test_a_server_store_of_schema_9_keeps_its_rows_and_compares_bytes_once_upgraded(
        url: str) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            command.upgrade(migrations.config(conn), "0009")
            conn.execute(text("INSERT INTO meta (key, value) VALUES ('kind', 'county'), "
                              "('note', '竹核镇 尼日村')"))
        assert ("meta", "key", None) in _text_not_binary(url)
        with engine.begin() as conn:
            command.upgrade(migrations.config(conn), migrations.head())
        assert _text_not_binary(url) == []
        assert _raw(url, "SELECT value FROM meta WHERE key = 'note'") == [("竹核镇 尼日村",)]
    finally:
        engine.dispose()


def test_the_migrations_make_on_the_server_what_the_models_say(url: str) -> None:
    """Every revision from empty to head on PostgreSQL (as on SQLite in test_migrations):
    the same tables and columns as create_all, and text compared as create_all's is."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            command.upgrade(migrations.config(conn), migrations.head())
        assert _text_not_binary(url) == []
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_name": migrations.include_name})
            diff = compare_metadata(context, schema.metadata)
        assert diff == [], diff
        with engine.connect() as conn:
            assert conn.execute(text(
                "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_member_search_trgm'")).first()
    finally:
        engine.dispose()


@pytest.mark.parametrize(("libpq", "said"), [
    ('connection to server at "10.0.0.9", port 5432 failed: Connection refused',
     "数据库服务未启动"),
    ('connection to server on socket "/x/.s.PGSQL.1" failed: No such file or directory',
     "本机上找不到数据库服务"),
    ('FATAL:  password authentication failed for user "fupin"', "用户名或密码不正确"),
    ('FATAL:  database "fupin" does not exist', "没有这个数据库"),
    ("could not translate host name \"db.example\" to address: Name or service not known",
     "找不到服务器地址"),
    ("SSL error: certificate verify failed", "服务器证书校验失败"),
    ("timeout expired", "连接超时"),
    ("something nobody has seen", "请联系服务器管理员"),
])
def test_connection_failures_are_said_in_chinese_without_the_servers_words(
        libpq: str, said: str) -> None:
    text = server.reason(libpq)
    assert said in text
    assert not any(c.isascii() and c.isalpha() for c in text.replace("sslmode", "")
                   .replace("verify-full", "").replace("TLS", "").replace("pg_hba.conf", ""))
