"""The encrypted store, tested on the real file: reopen, grep the bytes, break things."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import func, select, text

from registry.errors import NewerSchema, NotAStore, StoreError, WrongPassword
from registry.households import save_household
from registry.keyslots import KeySlots, parse_recovery_key
from registry.models import Household, Region
from registry.roles import NotAllowed
from registry.store import Store
from tests.conftest import PASSWORD, TOWNSHIP
from tests.registry.revisions import ADD_COLUMN, AFTER_NEXT, FAILING, HEAD, NEXT, add_revision
from tests.registry.samples import household, members


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.parent.glob(path.name + "*")):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def _close_and_checkpoint(store: Store) -> None:
    with store.engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def test_create_loads_the_township_and_its_villages(station: Store) -> None:
    assert station.info.kind == "station"
    assert station.info.region_name == "竹核镇"
    with station.session() as s:
        villages = s.scalars(select(Region.name).where(Region.level == "village")).all()
        county = s.scalar(select(Region.name).where(Region.code == TOWNSHIP[:6]))
    assert county == "昭觉县"
    assert "尼日村" in villages and len(villages) == 9


def test_the_raw_file_holds_no_plaintext(station: Store) -> None:
    with station.transaction() as s:
        save_household(s, "admin", household(), members())
    path = station.path
    _close_and_checkpoint(station)
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*")
                   if not p.name.endswith(".keys"))
    for plain in ("张三", "尼日村", "11010519491231002X", "household", "SQLite format 3"):
        assert plain.encode() not in raw
    keys = KeySlots.path_for(path).read_text("utf-8")
    assert "张三" not in keys and "尼日" not in keys


def test_reopen_with_password_and_with_recovery_key(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store, recovery = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                                   password=PASSWORD)
    with store.transaction() as s:
        save_household(s, "admin", household(), members())
    _close_and_checkpoint(store)
    with Store.open(path, "admin", PASSWORD) as again, again.session() as s:
        assert s.scalar(select(Household.head_name)) == "张三"
    KeySlots.path_for(path).unlink()  # the key file is lost: the recovery key still opens
    with Store.open_with_recovery_key(path, parse_recovery_key(recovery.lower())) as rec:
        assert rec.verify() == ["缺少密钥文件(只能用恢复密钥打开)"]
        rec.rebuild_keyslots("新管理员", "another-pass")
    with Store.open(path, "新管理员", "another-pass") as again:
        assert again.role == "admin"


def test_the_stock_sqlcipher_opens_it_with_the_recovery_key(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store, recovery = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                                   password=PASSWORD)
    _close_and_checkpoint(store)
    conn = sqlcipher3.connect(str(path))
    conn.execute(f"PRAGMA key = \"x'{recovery.replace('-', '')}'\"")
    assert conn.execute("SELECT value FROM meta WHERE key='kind'").fetchone() == ("station",)
    conn.close()


def test_wrong_password_changes_nothing(station: Store) -> None:
    path = station.path
    _close_and_checkpoint(station)
    before = _digest(path)
    with pytest.raises(WrongPassword, match="用户名或密码不正确"):
        Store.open(path, "admin", "not-the-password")
    with pytest.raises(WrongPassword, match="用户名或密码不正确"):
        Store.open(path, "nobody", PASSWORD)
    assert _digest(path) == before


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    bogus = tmp_path / "photo.db"
    bogus.write_bytes(b"\x89PNG not a database" * 100)
    with pytest.raises(NotAStore, match="找不到密钥文件"):
        Store.open(bogus, "admin", PASSWORD)
    with pytest.raises(WrongPassword, match="恢复密钥不正确"):
        Store.open_with_recovery_key(bogus, bytes(32))
    assert bogus.read_bytes() == b"\x89PNG not a database" * 100
    (tmp_path / "photo.db.keys").write_text("{not json", "utf-8")
    with pytest.raises(NotAStore, match="不是本系统的密钥文件"):
        Store.open(bogus, "admin", PASSWORD)


def test_a_key_file_from_another_store_is_refused(tmp_path: Path) -> None:
    a, _ = Store.create(tmp_path / "a.db", kind="station", region_code=TOWNSHIP, user="admin",
                        password=PASSWORD)
    b, _ = Store.create(tmp_path / "b.db", kind="station", region_code=TOWNSHIP, user="admin",
                        password=PASSWORD)
    a.close()
    b.close()
    shutil.copy(tmp_path / "b.db.keys", tmp_path / "a.db.keys")
    with pytest.raises(NotAStore, match="不匹配"):  # b's key does not decrypt a
        Store.open(tmp_path / "a.db", "admin", PASSWORD)
    data = json.loads((tmp_path / "a.db.keys").read_text("utf-8"))
    data["store_id"] = "forged"
    (tmp_path / "a.db.keys").write_text(json.dumps(data), "utf-8")
    with pytest.raises(WrongPassword):  # a slot is bound to its store id: no unwrap
        Store.open(tmp_path / "a.db", "admin", PASSWORD)


def test_users_have_their_own_passwords_and_removal_revokes(station: Store) -> None:
    path = station.path
    station.add_user("李会计", "clerk-pass-1")
    with pytest.raises(StoreError, match="已存在"):
        station.add_user("李会计", "clerk-pass-2")
    with pytest.raises(StoreError, match="至少8位"):
        station.add_user("王五", "short")
    with Store.open(path, "李会计", "clerk-pass-1") as clerk:
        assert clerk.role == "entry"  # 录入员
        with pytest.raises(NotAllowed, match="无权管理用户.需要:管理员.$"):
            clerk.add_user("王五", "whatever-1")
        clerk.change_password("clerk-pass-1", "clerk-pass-9")
    with pytest.raises(WrongPassword):
        Store.open(path, "李会计", "clerk-pass-1")
    Store.open(path, "李会计", "clerk-pass-9").close()
    station.remove_user("李会计")
    with pytest.raises(WrongPassword):
        Store.open(path, "李会计", "clerk-pass-9")
    with pytest.raises(StoreError, match="当前登录"):
        station.remove_user("admin")


def test_change_password_needs_the_old_one(station: Store) -> None:
    with pytest.raises(WrongPassword, match="原密码不正确"):
        station.change_password("wrong-old-1", "new-pass-12")
    station.change_password(PASSWORD, "new-pass-12")
    Store.open(station.path, "admin", "new-pass-12").close()


@pytest.mark.parametrize("how", ["alembic", "before-alembic"])
def test_a_newer_schema_is_refused_untouched(station: Store, how: str) -> None:
    path = station.path
    with station.engine.begin() as c:
        if how == "alembic":
            c.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        else:  # a store that says schema 99 in meta and has no Alembic table
            c.execute(text("DROP TABLE alembic_version"))
        c.execute(text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    _close_and_checkpoint(station)
    before = _digest(path)
    with pytest.raises(NewerSchema, match="较新版本.*数据结构版本 99"):
        Store.open(path, "admin", PASSWORD)
    assert _digest(path) == before


def _raw_revision(path: Path, data_key: bytes) -> tuple[str, list[str]]:
    """The Alembic revision and household columns of a store file, read with the stock
    driver (no migrations on the way)."""
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        columns = [r[1] for r in conn.execute("PRAGMA table_info(household)")]
    finally:
        conn.close()
    return revision, columns


def test_an_older_schema_is_backed_up_then_migrated(station: Store, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = station.path
    data_key = parse_recovery_key(station.recovery_key())
    _close_and_checkpoint(station)
    original = path.read_bytes()
    add_revision(tmp_path / "versions", monkeypatch, ADD_COLUMN)
    with Store.open(path, "admin", PASSWORD) as store:
        assert store.info.schema_version == HEAD + 1
        with store.engine.connect() as c:
            cols = [r[1] for r in c.exec_driver_sql("PRAGMA table_info(household)")]
            assert c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == NEXT
        assert "test_marker" in cols
        # foreign keys, off while the step ran, are on again in every pooled connection
        with store.engine.connect() as a, store.engine.connect() as b, \
                store.engine.connect() as c:
            assert [x.exec_driver_sql("PRAGMA foreign_keys").scalar() for x in (a, b, c)] \
                == [1, 1, 1]
    backups = list(path.parent.glob(f"station.db.v{HEAD}-*.bak"))
    assert len(backups) == 1
    # the backup is the old store as it was: still encrypted, still this program's head
    assert backups[0].read_bytes() == original
    assert b"SQLite format 3" not in original[:16]
    revision, columns = _raw_revision(backups[0], data_key)
    assert revision == f"{HEAD:04d}" and "test_marker" not in columns
    # a second open finds nothing to do: no new backup, the file unchanged
    before = _digest(path)
    Store.open(path, "admin", PASSWORD).close()
    assert _digest(path) == before
    assert len(list(path.parent.glob("station.db.v*.bak"))) == 1


def test_a_failing_migration_rolls_back(station: Store, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = station.path
    _close_and_checkpoint(station)
    original = path.read_bytes()
    add_revision(tmp_path / "versions", monkeypatch, FAILING)
    with pytest.raises(StoreError,
                       match=f"升级到数据结构版本 {HEAD + 1} 时失败.*仍是版本 {HEAD}") as failed:
        Store.open(path, "admin", PASSWORD)
    assert isinstance(failed.value.__cause__, RuntimeError)
    assert path.read_bytes() == original  # the step rolled back: not a byte changed
    assert not Path(f"{path}-wal").exists()
    (backup,) = path.parent.glob(f"station.db.v{HEAD}-*.bak")
    assert backup.read_bytes() == original
    monkeypatch.undo()  # this program again: its own head
    with Store.open(path, "admin", PASSWORD) as store, store.engine.connect() as c:
        assert store.info.schema_version == HEAD
        assert c.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name='half_done'").scalar() == 0
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_each_revision_commits_on_its_own(station: Store, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = station.path
    _close_and_checkpoint(station)
    add_revision(tmp_path / "versions", monkeypatch, ADD_COLUMN)
    add_revision(tmp_path / "versions", monkeypatch, FAILING, AFTER_NEXT, NEXT)
    with pytest.raises(StoreError, match=f"升级到数据结构版本 {HEAD + 2} 时失败"
                                         f".*仍是版本 {HEAD + 1}"):
        Store.open(path, "admin", PASSWORD)
    monkeypatch.undo()  # a program with AFTER_NEXT fixed
    add_revision(tmp_path / "fixed", monkeypatch, ADD_COLUMN)
    add_revision(tmp_path / "fixed", monkeypatch, "pass", AFTER_NEXT, NEXT)
    with Store.open(path, "admin", PASSWORD) as store:  # NEXT stayed; only AFTER_NEXT runs
        assert store.info.schema_version == HEAD + 2
    assert len(list(path.parent.glob(f"station.db.v{HEAD}-*.bak"))) == 1
    assert len(list(path.parent.glob(f"station.db.v{HEAD + 1}-*.bak"))) == 1


def test_verify_finds_a_tampered_audit_chain(station: Store) -> None:
    with station.transaction() as s:
        save_household(s, "admin", household(), members())
    assert station.verify() == []
    with station.engine.begin() as c:
        c.execute(text("UPDATE audit SET user = '别人'"))
    assert any("审计记录" in p for p in station.verify())


def test_create_refuses_bad_codes_and_existing_files(tmp_path: Path, station: Store) -> None:
    with pytest.raises(StoreError, match="9位"):
        Store.create(tmp_path / "x.db", kind="station", region_code="5134", user="a",
                     password=PASSWORD)
    with pytest.raises(StoreError, match="没有乡镇代码"):
        Store.create(tmp_path / "x.db", kind="station", region_code="513431999", user="a",
                     password=PASSWORD)
    with pytest.raises(StoreError, match="文件已存在"):
        Store.create(station.path, kind="station", region_code=TOWNSHIP, user="a",
                     password=PASSWORD)
    county, _ = Store.create(tmp_path / "county.db", kind="county", region_code="513431",
                             user="县管理员", password=PASSWORD)
    with county, county.session() as s:
        townships = s.scalar(select(func.count()).select_from(Region)
                             .where(Region.level == "township"))
    assert townships == 20  # 昭觉县 in the 2023 table


def test_empty_values_and_flags_are_bound_as_null_and_integers(station: Store) -> None:
    """The store registers quick adapters for None and bool (registry/store.py): they must
    bind exactly what sqlcipher3 bound without them, NULL and 1/0, through the store's
    own connection and a bare one alike."""
    rows = [(None, True), (False, None), ("张三", 7)]
    with station.engine.connect() as c:
        c.exec_driver_sql("CREATE TEMP TABLE bound (a, b)")
        c.exec_driver_sql("INSERT INTO bound VALUES (?, ?)", rows)
        got = c.exec_driver_sql(
            "SELECT a, typeof(a), b, typeof(b) FROM bound ORDER BY rowid").all()
    assert [tuple(r) for r in got] == [(None, "null", 1, "integer"),
                                       (0, "integer", None, "null"),
                                       ("张三", "text", 7, "integer")]
    bare = sqlcipher3.connect(":memory:")
    assert bare.execute("SELECT typeof(?), typeof(?), ?", (None, True, False)).fetchone() \
        == ("null", "integer", 0)
