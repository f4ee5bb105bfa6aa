"""Backups of a store, and restoring one.

A backup is a consistent copy of the encrypted store made with SQLite's backup API through
the store's own keyed connection, so it stays encrypted with the same data key (the recovery
key opens it too), plus a copy of the key file beside it (`<backup>.keys`: the passwords of
the day of the backup). It can be made while the program has the store open: in WAL mode the
copy is a snapshot read in one step, and writers carry on. Every backup is verified by
opening it before it gets its final name.

    result = make_backup(store, Path("/media/usb"))      # 备份-513431102-竹核镇-20240501-0930.db
    key = unlock_backup(result.path, "张会计", password)   # or parse_recovery_key(...)
    restored = restore(result.path, store_path, key)      # the replaced store kept aside

Restoring refuses a backup of another station (or of another store of the same township,
after a reinstall: that one is moved away by hand first), and a backup older than the store
it would replace unless forced; the store it replaces is moved aside
(`<store>.replaced-YYYYMMDD-HHMMSS`, with its key file), never deleted. The key file goes
back together with the database: users, passwords and (in the store) roles are those of
the day of the backup.

When was the last backup? A small JSON file beside the store (`<store>.backup.json`: the
time and the folder of the last backup). Beside the store rather than in a user's settings
because several staff with their own Windows logins share one store, and the command line
and the program both write it; it holds no personal data and is not replaced by a restore.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlcipher3

from registry import migrations
from registry.errors import NotAStore, StoreError, UserError, WrongPassword
from registry.files import write_atomic
from registry.keyslots import KeySlots
from registry.progress import Progress, no_progress
from registry.store import Store

PREFIX = "备份"
SUFFIX = ".db"
RECORD_SUFFIX = ".backup.json"
REMIND_AFTER = timedelta(days=7)
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


class BackupError(UserError):
    """A backup or a restore refused; nothing was changed."""


class OtherStation(BackupError):
    """The backup belongs to another station (or another store)."""


class OlderBackup(BackupError):
    """The backup is older than the store it would replace."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup (or a store) holds, read after opening it with the data key."""

    path: Path
    store_id: str
    kind: str
    region_code: str
    region_name: str
    revision: int  # the store's change counter: every write raises it
    audit_entries: int
    households: int
    schema_version: int
    size: int

    def describe(self) -> str:
        return (f"{self.region_name}(代码 {self.region_code}),{self.households} 户,"
                f"修改计数 {self.revision}")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    keys_path: Path | None  # None: the store was opened with the recovery key, no key file
    info: BackupInfo
    made_at: datetime


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo  # what was restored
    replaced: Path | None  # where the replaced store was moved (None: there was none)
    replaced_info: BackupInfo | None  # what it held, when it could be read
    keys_restored: bool


# ---- names ------------------------------------------------------------------------------
def backup_name(region_code: str, region_name: str, when: datetime) -> str:
    name = _UNSAFE.sub("", region_name)[:20]
    return f"{PREFIX}-{region_code}-{name}-{when:%Y%m%d-%H%M%S}{SUFFIX}"


def keys_path(db_path: Path) -> Path:
    return KeySlots.path_for(db_path)


# ---- reading a backup (or a store) with a raw data key, without changing it -------------
@contextmanager
def _keyed(path: Path, data_key: bytes, readonly: bool = True) -> Iterator[Any]:
    """A plain sqlcipher3 connection keyed with the raw data key. Read-only ones open the
    file with mode=ro, so reading a backup never writes beside it (no -wal, no -shm)."""
    if readonly:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        conn = sqlcipher3.connect(uri, uri=True, check_same_thread=False)
    else:
        conn = sqlcipher3.connect(str(path), check_same_thread=False)
    try:
        conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
        conn.execute("PRAGMA cipher_log_level = NONE")
        yield conn
    finally:
        conn.close()


def read_info(path: Path, data_key: bytes, check: bool = True, readonly: bool = True
              ) -> BackupInfo:
    """Opens `path` with the data key and says what it holds; `check` also runs SQLite's
    quick_check over every page. Raises WrongPassword when the key does not open it,
    NotAStore when it is no store of this program, BackupError when it is damaged.
    `readonly=False` for a live store that may have a WAL (mode=ro cannot read a WAL
    whose -shm is missing)."""
    path = Path(path)
    if not path.is_file():
        raise NotAStore(f"找不到文件:{path}")
    try:
        with _keyed(path, data_key, readonly) as conn:
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlcipher3.DatabaseError:
                raise WrongPassword(f"{path.name} 无法用此密钥打开:密码或恢复密钥不对,"
                                    "或文件不是本系统的备份") from None
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"meta", "counter", "household", "audit"} <= tables:
                raise NotAStore(f"{path.name} 不是本系统的数据库或备份")
            if check:
                result = [r[0] for r in conn.execute("PRAGMA quick_check")]
                if result != ["ok"]:
                    raise BackupError(f"{path.name} 已损坏(结构检查未通过),不能使用")
            facts = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            revision = conn.execute(
                "SELECT value FROM counter WHERE name = 'rev'").fetchone()
            audit = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
            households = conn.execute(
                "SELECT count(*) FROM household WHERE deleted = 0").fetchone()[0]
    except sqlcipher3.DatabaseError:
        raise BackupError(f"{path.name} 已损坏,无法读取") from None
    try:
        return BackupInfo(
            path=path, store_id=facts["store_id"], kind=facts["kind"],
            region_code=facts["region_code"], region_name=facts.get("region_name", ""),
            revision=int(revision[0]) if revision else 0, audit_entries=int(audit),
            households=int(households), schema_version=int(facts["schema_version"]),
            size=path.stat().st_size)
    except (KeyError, ValueError):
        raise NotAStore(f"{path.name} 缺少数据库信息,不是本系统的数据库或备份") from None


def unlock_backup(path: Path, user: str, password: str) -> bytes:
    """The data key from the backup's own key file (`<backup>.keys`) and a password that
    was valid on the day of the backup."""
    path = Path(path)
    if not path.is_file():
        raise NotAStore(f"找不到备份文件:{path}")
    if not keys_path(path).is_file():
        raise NotAStore(f"备份旁没有密钥文件 {keys_path(path).name}:请用恢复密钥恢复"
                        "(设置环境变量 FUPIN_RECOVERY_KEY,或在程序中用恢复密钥登录后恢复)")
    return KeySlots.load(path).unlock(user, password)


def backup_users(path: Path) -> list[tuple[str, str]]:
    return KeySlots.load(Path(path)).users()


# ---- making a backup ------------------------------------------------------------------
def make_backup(store: Store, out_dir: Path, progress: Progress = no_progress,
                now: datetime | None = None) -> BackupResult:
    """A verified, still encrypted copy of the store (and its key file) in `out_dir`."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise BackupError(f"文件夹不存在:{out_dir}。请插入U盘,或选择一个已有的文件夹")
    made_at = now or datetime.now().replace(microsecond=0)
    info = store.info
    target = out_dir / backup_name(info.region_code, info.region_name, made_at)
    n = 1
    while target.exists() or keys_path(target).exists():
        n += 1
        target = target.with_name(f"{target.stem}-{n}{SUFFIX}")
    if target.resolve() == store.path.resolve():
        raise BackupError("备份不能写在数据库文件本身上")
    tmp = target.with_name(f".{target.name}.tmp")
    key = store._data_key()
    progress(0, 3)
    try:
        _copy_from_store(store, tmp, key)
        progress(1, 3)
        copied = read_info(tmp, key)
        if copied.store_id != info.store_id:  # cannot happen; a copy must be of this store
            raise BackupError("备份校验失败:备份与数据库不一致,请重试")
        progress(2, 3)
        if store.keyslots is not None:
            store.keyslots.save(tmp)  # → .<name>.tmp.keys, renamed below
        _fsync(tmp)
        os.replace(tmp, target)
        if store.keyslots is not None:
            os.replace(keys_path(tmp), keys_path(target))
    except BaseException:
        for leftover in (tmp, keys_path(tmp), Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)
        raise
    progress(3, 3)
    result = BackupResult(path=target,
                          keys_path=keys_path(target) if store.keyslots is not None else None,
                          info=replace(copied, path=target),
                          made_at=made_at)
    record_backup(store.path, result)
    return result


def _copy_from_store(store: Store, target: Path, key: bytes) -> None:
    """SQLite's backup API from one of the store's keyed connections into `target`, keyed
    with the same raw key, in one step (a consistent snapshot); the copy is then switched
    to a rollback journal so it is one self-contained file."""
    with store.engine.connect() as conn, _keyed(target, key, readonly=False) as dst:
        source = conn.connection.driver_connection
        assert source is not None
        source.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE").fetchone()


def _fsync(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


# ---- restoring ----------------------------------------------------------------------------
def restore(backup_path: Path, store_path: Path, data_key: bytes, force: bool = False,
            progress: Progress = no_progress, now: datetime | None = None) -> RestoreResult:
    """Puts the backup in the place of the store at `store_path` (which must not be open).

    Refused, with nothing changed: a backup of another station or of another store (of
    the same township: a reinstall); unless `force`, a backup older than the store (fewer
    changes), or over a store that this backup's key cannot open and whose key file is
    lost (damaged, or another station's). The replaced store and its key file are moved
    aside, never deleted."""
    backup_path, store_path = Path(backup_path), Path(store_path).resolve()
    if not store_path.parent.is_dir():
        raise BackupError(f"文件夹不存在:{store_path.parent}")
    if store_path.is_dir():
        raise BackupError(f"数据库路径是一个文件夹,请给出文件名:{store_path}")
    progress(0, 4)
    info = read_info(backup_path, data_key)
    if info.schema_version > migrations.SCHEMA_VERSION:
        raise BackupError(f"此备份由较新版本的程序建立(数据结构版本 {info.schema_version}),"
                          "请先升级本程序再恢复")
    if backup_path.resolve() == store_path:
        raise BackupError("备份文件就是数据库文件本身,无需恢复")
    progress(1, 4)
    current = _current(store_path, data_key)
    _check_may_replace(info, current, store_path, force)
    progress(2, 4)

    when = now or datetime.now()
    tmp = store_path.with_name(f".{store_path.name}.restoring")
    try:
        with _keyed(backup_path, data_key) as src, _keyed(tmp, data_key, False) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE").fetchone()
        restored = read_info(tmp, data_key)
        if (restored.store_id, restored.households) != (info.store_id, info.households):
            raise BackupError("恢复校验失败:复制出的数据库与备份不一致,数据库未改动")
        _fsync(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    progress(3, 4)

    aside = _move_aside(store_path, when) if current.exists else None
    try:
        os.replace(tmp, store_path)
        backup_keys = keys_path(backup_path)
        keys_restored = backup_keys.is_file()
        if keys_restored:
            write_atomic(keys_path(store_path), backup_keys.read_bytes())
    except BaseException:
        tmp.unlink(missing_ok=True)
        if aside is not None:
            _move_back(aside, store_path)
        raise
    progress(4, 4)
    return RestoreResult(info=info, replaced=aside, replaced_info=current.info,
                         keys_restored=keys_restored)


@dataclass(frozen=True)
class _Current:
    exists: bool
    info: BackupInfo | None  # None: missing, or not readable with the backup's key
    keys_store_id: str | None  # the store id its key file names, readable without a key


def _current(store_path: Path, data_key: bytes) -> _Current:
    exists = any(Path(f"{store_path}{s}").exists() for s in ("", "-wal", ".keys"))
    keys_store_id = None
    with suppress(StoreError):
        keys_store_id = KeySlots.load(store_path).store_id
    info = None
    if store_path.is_file():
        with suppress(UserError):
            info = read_info(store_path, data_key, check=False, readonly=False)
    return _Current(exists, info, keys_store_id)


MOVE_FIRST = ("如确要用此备份替换,请先把当前数据库(连同 .keys 文件)移到别的文件夹,"
              "再恢复到原来的位置。数据库未改动。")


def _check_may_replace(backup: BackupInfo, current: _Current, store_path: Path,
                       force: bool) -> None:
    if not current.exists:
        return
    now = current.info
    if now is not None:
        if (now.kind, now.region_code) != (backup.kind, backup.region_code):
            raise OtherStation(
                f"这是另一个工作站的备份({backup.region_name},代码 {backup.region_code}),"
                f"当前数据库属于{now.region_name}(代码 {now.region_code}),不能恢复到这里。"
                "数据库未改动。")
        if now.store_id != backup.store_id:
            raise OtherStation("备份与当前数据库不是同一个数据库(同一乡镇,可能重新安装后新建过)。"
                               + MOVE_FIRST)
        newer = now.revision > backup.revision or now.audit_entries > backup.audit_entries
        if newer and not force:
            raise OlderBackup(
                f"备份比当前数据库旧:备份的修改计数 {backup.revision},当前数据库 "
                f"{now.revision}(备份之后又有修改),恢复会丢失这些修改。确认要恢复,请加 "
                "--force(程序中会先询问);当前数据库会另存一份。数据库未改动。")
        return
    if current.keys_store_id is not None and current.keys_store_id != backup.store_id:
        raise OtherStation("这不是当前数据库的备份:它属于另一个数据库,可能是另一个工作站的。"
                           + MOVE_FIRST)
    if current.keys_store_id is None and store_path.is_file() and not force:
        raise OtherStation("当前数据库无法用此备份的密钥打开:它可能属于另一个工作站,也可能"
                           "已损坏。确认要用备份替换,请加 --force;当前数据库会另存一份。"
                           "数据库未改动。")
    # Same store per its key file, but unreadable with this key: a damaged store,
    # which is what a backup is for.


_PARTS = ("", "-wal", "-shm", ".keys")


def _move_aside(store_path: Path, when: datetime) -> Path:
    aside = store_path.with_name(f"{store_path.name}.replaced-{when:%Y%m%d-%H%M%S}")
    n = 1
    while any(Path(f"{aside}{s}").exists() for s in _PARTS):
        n += 1
        aside = store_path.with_name(f"{store_path.name}.replaced-{when:%Y%m%d-%H%M%S}-{n}")
    moved: list[tuple[Path, Path]] = []
    try:
        for suffix in _PARTS:
            source = Path(f"{store_path}{suffix}")
            if source.exists():
                os.replace(source, f"{aside}{suffix}")
                moved.append((source, Path(f"{aside}{suffix}")))
    except BaseException:
        for source, target in reversed(moved):
            os.replace(target, source)
        raise
    return aside


def _move_back(aside: Path, store_path: Path) -> None:
    for suffix in _PARTS:
        source = Path(f"{aside}{suffix}")
        if source.exists():
            os.replace(source, f"{store_path}{suffix}")


# ---- when was the last backup -----------------------------------------------------------
def record_path(store_path: Path) -> Path:
    return Path(f"{store_path}{RECORD_SUFFIX}")


def record_backup(store_path: Path, result: BackupResult) -> None:
    """Remembers the backup beside the store; a failure to write it never fails the
    backup (the reminder may then come too early, nothing worse)."""
    data = {"last_backup": result.made_at.isoformat(timespec="seconds"),
            "folder": str(result.path.parent), "file": result.path.name}
    with suppress(OSError, UserError):
        write_atomic(record_path(store_path),
                     json.dumps(data, ensure_ascii=False, indent=1).encode())


def last_backup(store_path: Path) -> datetime | None:
    try:
        data = json.loads(record_path(store_path).read_text("utf-8"))
        return datetime.fromisoformat(str(data["last_backup"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def last_folder(store_path: Path) -> Path | None:
    try:
        data = json.loads(record_path(store_path).read_text("utf-8"))
        return Path(str(data["folder"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def backup_due(store_path: Path, created_at: str, now: datetime | None = None
               ) -> int | None:
    """None when no reminder is due; otherwise the days since the last backup (or since
    the store was made, when it was never backed up) — 7 or more."""
    now = now or datetime.now()
    since = last_backup(store_path)
    if since is None:
        try:
            since = datetime.fromisoformat(created_at)
        except ValueError:
            return None
    age = now - since
    return age.days if age >= REMIND_AFTER else None


# ---- for the program: looking before restoring ---------------------------------------------
@dataclass(frozen=True)
class Preview:
    """What restoring `info` over the store at `store_path` would do, before doing it."""

    info: BackupInfo
    current: BackupInfo | None  # the store it would replace, when readable
    refusal: str | None  # why it cannot be restored (another station's backup, …)
    older: bool  # the store has changes the backup lacks: restoring needs a confirmation


def preview(backup_path: Path, store_path: Path, data_key: bytes) -> Preview:
    info = read_info(backup_path, data_key)
    current = _current(Path(store_path).resolve(), data_key)
    try:
        _check_may_replace(info, current, Path(store_path), force=False)
    except OlderBackup:
        return Preview(info, current.info, None, True)
    except BackupError as e:
        return Preview(info, current.info, str(e), False)
    return Preview(info, current.info, None, False)


def preview_for_store(store: Store, backup_path: Path) -> Preview:
    """The open store's own key opens only its own backups: anything else is refused as
    not this station's."""
    try:
        return preview(backup_path, store.path, store._data_key())
    except WrongPassword:
        raise OtherStation(f"{Path(backup_path).name} 不是本工作站数据库的备份(本站的密钥打不开"
                           "它),不能恢复到这里。数据库未改动。") from None


def restore_over_open_store(store: Store, backup_path: Path, force: bool = False,
                            progress: Progress = no_progress) -> RestoreResult:
    """Restores over the store the program has open: its connections are closed first
    (the files are swapped under it); the caller logs in again afterwards."""
    key = store._data_key()
    preview_for_store(store, backup_path)  # another station's backup: refused, still open
    store.close()
    return restore(backup_path, store.path, key, force=force, progress=progress)
