"""The encrypted station (or county) store: one SQLCipher 4 file plus its key slots.

Login unwraps the data key from the user's slot (registry/keyslots.py), then every
connection opens with the raw 256-bit key, which skips SQLCipher's per-connection PBKDF2.
There is no plaintext fallback: if sqlcipher3 is missing, nothing opens.

The same models also live on a PostgreSQL server (`postgresql://…` wherever a store is
asked for): registry/server.py says what differs there and why.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.exc import DatabaseError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from registry import migrations, regions, roles, server
from registry.errors import NotAStore, StoreError, WrongPassword
from registry.ids import new_id
from registry.keyslots import KeySlots, Slot, format_recovery_key, new_data_key
from registry.models import AppUser, Counter, Meta, PovertyLine, Region
from registry.roles import Act
from registry.tracking import COUNTER, stamp_changes

# Seconds to wait after a failed unlock; tests lower it.
FAILED_LOGIN_DELAY = 1.0

# A township's station, and the offices that add up what the level below sends: the county
# (its stations), the city (州/市: its counties) and the province (its cities or counties).
KINDS = ("station", "county", "city", "province")
OFFICES = KINDS[1:]

# 扶贫标准 (元/人/年, current prices) as published; the county may add years.
POVERTY_LINES = {2014: "2736", 2015: "2800", 2016: "2855", 2017: "3026", 2018: "3535",
                 2019: "3747", 2020: "4000"}

RECOVERY_USER = "恢复密钥"

# sqlcipher3 binds a value that is not exactly an int, float, str or bytes (None, a bool)
# by first asking it for `__conform__` the slow way, raising and dropping an AttributeError
# each time: 4× the cost of the insert itself for rows with many empty columns (a county's
# import spent a fifth of its time there). An adapter registered for those two types is
# found at once and binds the same NULL and 0/1. The registry is the module's, so this
# covers every sqlcipher3 connection in the process (registry/backup.py's too). `{}.get`
# returns None for any value without a Python frame: a lambda cost a tenth of the inserts.
sqlcipher3.register_adapter(type(None), {}.get)
sqlcipher3.register_adapter(bool, int)


def _engine(path: Path, data_key: bytes) -> Engine:
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        module=sqlcipher3,
        connect_args={"check_same_thread": False},
        pool_size=2,
        max_overflow=4,
    )
    key_pragma = f"PRAGMA key = \"x'{data_key.hex()}'\""

    @event.listens_for(engine, "connect", insert=True)
    def _unlock(dbapi_conn: Any, _record: Any) -> None:
        # Must run before anything reads the file, SQLAlchemy's own pragmas included.
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _begin)
        cur = dbapi_conn.cursor()
        cur.execute(key_pragma)
        cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA cache_size = -65536")  # 64 MiB of decrypted pages
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # pysqlite's implicit transactions skip DDL; an explicit BEGIN makes migrations
        # and imports truly all-or-nothing.
        conn.exec_driver_sql("BEGIN")

    return engine


@dataclass(frozen=True)
class StoreInfo:
    store_id: str
    kind: str  # station | county | city | province
    region_code: str  # the township (9 digits), county (6), city (4) or province (2)
    region_name: str
    created_at: str
    schema_version: int

    @property
    def county_code(self) -> str:
        return self.region_code[:6]

    @property
    def office(self) -> bool:
        """An office above the townships: it receives bundles from the level below."""
        return self.kind != "station"

    @property
    def upper_code(self) -> str | None:
        """The office this store sends its bundles to by default: a township's county, a
        county's city, a city's province; the province sends to none."""
        return {9: self.region_code[:6], 6: self.region_code[:4],
                4: self.region_code[:2]}.get(len(self.region_code))


class Store:
    def __init__(self, path: Path | None, engine: Engine, keyslots: KeySlots | None,
                 user: str, role: str, data_key: bytes | None, url: str | None = None):
        self._path = path
        self.url = url  # a store on a PostgreSQL server; path is then None
        self.server = url is not None
        self.location = server.shown(url) if url else str(path)
        self._key = data_key  # in memory while logged in; needed to seal new key slots
        self.engine = engine
        self.keyslots = keyslots
        self.user = user
        self.role = role
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        event.listen(self.sessions, "before_flush", stamp_changes)
        self.info = self._read_info()

    # ---- creating and opening -------------------------------------------------------
    @classmethod
    def create(cls, path: Path | str, *, kind: str, region_code: str, user: str,
               password: str) -> tuple[Store, str]:
        """Makes a new store; returns it and the recovery key to show once (empty for a
        store on a server, which has no data key: its operator backs it up)."""
        if kind not in KINDS:
            raise StoreError(f"未知的数据库类型:{kind}")
        try:
            region = regions.check_region(kind, region_code)
        except ValueError as e:
            raise StoreError(str(e)) from None
        _check_new_user(user, password)
        if server.is_server(path):
            return cls._create_on_server(str(path), kind, region_code, region.name, user,
                                         password), ""
        path = Path(path).resolve()
        if path.exists() or KeySlots.path_for(path).exists():
            raise StoreError(f"文件已存在:{path},为防止覆盖数据,请换一个文件名")
        if not path.parent.is_dir():
            raise StoreError(f"文件夹不存在:{path.parent}")

        data_key = new_data_key()
        store_id = new_id()
        engine = _engine(path, data_key)
        try:
            _fill_new(engine, store_id, kind, region_code, region.name, user, None)
            store = cls(path, engine, None, user, roles.admin_role(kind), data_key)
            slots = KeySlots(store_id, [Slot.seal(user, store.role, password, data_key,
                                                  store_id)])
            slots.save(path)
            store.keyslots = slots
        except BaseException:
            engine.dispose()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            raise
        return store, format_recovery_key(data_key)

    @classmethod
    def _create_on_server(cls, url: str, kind: str, region_code: str, region_name: str,
                          user: str, password: str) -> Store:
        server.server_key()  # asked first: without it no sync key could be kept
        engine = server.engine_for(url)
        try:
            with _reaching(url):
                if inspect(engine).has_table("meta"):
                    raise StoreError(f"服务器数据库中已有数据:{server.shown(url)},"
                                     "为防止覆盖数据,请换一个空数据库")
                _fill_new(engine, new_id(), kind, region_code, region_name, user,
                          server.hash_password(password))
        except BaseException:
            engine.dispose()
            raise
        return cls(None, engine, None, user, roles.admin_role(kind), None, url=url)

    @classmethod
    def _open_on_server(cls, url: str, user: str, password: str) -> Store:
        server.server_key()
        engine = server.engine_for(url)
        try:
            with _reaching(url):
                if not inspect(engine).has_table("meta"):
                    raise NotAStore(f"{server.shown(url)} 不是本系统的数据库")
                migrations.upgrade(engine, None)
                with Session(engine) as s:
                    row = s.get(AppUser, user)
                    stored = row.password_hash if row is not None else None
            if not server.password_matches(stored, password):
                time.sleep(FAILED_LOGIN_DELAY)
                raise WrongPassword("用户名或密码不正确")
            store = cls(None, engine, None, user, "", None, url=url)
            store.role = store._role_of(user)
        except BaseException:
            engine.dispose()
            raise
        return store

    @classmethod
    def open(cls, path: Path | str, user: str, password: str) -> Store:
        if server.is_server(path):
            return cls._open_on_server(str(path), user, password)
        path = Path(path).resolve()
        slots = KeySlots.load(path)
        try:
            data_key = slots.unlock(user, password)
        except WrongPassword:
            time.sleep(FAILED_LOGIN_DELAY)
            raise
        return cls._open_with_key(path, data_key, slots, user)

    @classmethod
    def open_with_recovery_key(cls, path: Path | str, data_key: bytes) -> Store:
        path = Path(path).resolve()
        if not path.exists():
            raise NotAStore(f"找不到数据库文件:{path}")
        try:
            slots: KeySlots | None = KeySlots.load(path)
        except StoreError:
            slots = None  # the recovery key is the way in when the key file is lost
        try:
            return cls._open_with_key(path, data_key, slots, RECOVERY_USER)
        except NotAStore:
            time.sleep(FAILED_LOGIN_DELAY)
            raise WrongPassword("恢复密钥不正确,或文件不是本系统的数据库") from None

    @classmethod
    def _open_with_key(cls, path: Path, data_key: bytes, slots: KeySlots | None, user: str
                       ) -> Store:
        engine = _engine(path, data_key)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
                if not conn.execute(text(
                        "SELECT 1 FROM sqlite_master WHERE name = 'meta'")).first():
                    raise NotAStore(f"{path.name} 不是本系统的数据库")
            migrations.upgrade(engine, path)
        except DatabaseError:
            engine.dispose()
            raise NotAStore(f"{path.name} 无法解密:文件已损坏,或与密钥文件不匹配") from None
        except BaseException:
            engine.dispose()
            raise
        store = cls(path, engine, slots, user, "", data_key)
        if slots is not None and slots.store_id != store.info.store_id:
            store.close()
            raise NotAStore("密钥文件与数据库不匹配(属于另一个数据库)")
        try:
            store.role = store._role_of(user)
        except BaseException:
            store.close()
            raise
        return store

    def _role_of(self, user: str) -> str:
        """The user's role as this (encrypted) store records it; the key file's text is
        never asked. A store upgraded from schema 2 has no users yet: they are taken once
        from its key file, the only record of roles those versions kept."""
        kind = self.info.kind
        if user == RECOVERY_USER:
            return roles.admin_role(kind)
        with self.transaction() as s:
            if s.scalar(select(func.count()).select_from(AppUser)) == 0 \
                    and self.keyslots is not None:
                for name, legacy in self.keyslots.users():
                    s.add(AppUser(name=name, role=_legacy_role(legacy, kind),
                                  added_by="升级"))
                s.flush()
            role = s.scalar(select(AppUser.role).where(AppUser.name == user))
        if role is None:
            raise WrongPassword(f"用户“{user}”不在本库的用户名单中,请找管理员添加")
        return role

    @property
    def path(self) -> Path:
        """The store's file. A store on a server has none: what needs a file (backup,
        restore, key files) says so in Chinese."""
        if self._path is None:
            raise StoreError("服务器上的数据库(PostgreSQL)没有本地文件:备份和恢复由服务器管理员用 "
                             "pg_dump 或基础备份完成,用户和密码在程序中管理(见使用说明)")
        return self._path

    @property
    def target(self) -> Path | str:
        """What opens this store again: its file, or its server's URL."""
        return self.url if self.url is not None else self.path

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- sessions ---------------------------------------------------------------------
    def session(self) -> Session:
        """A session per user action; `with store.session() as s, s.begin(): ...`."""
        return self.sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions() as s, s.begin():
            yield s

    def _read_info(self) -> StoreInfo:
        with self.session() as s:
            facts = {k: v for k, v in s.execute(select(Meta.key, Meta.value))}
        return StoreInfo(
            store_id=facts["store_id"], kind=facts["kind"], region_code=facts["region_code"],
            region_name=facts.get("region_name", ""), created_at=facts.get("created_at", ""),
            schema_version=int(facts["schema_version"]),
        )

    # ---- users and roles ------------------------------------------------------------
    @property
    def role_name(self) -> str:
        """The logged-in user's role, by this store's name for it (县/市(州)/省管理员)."""
        return roles.role_name(self.role, self.info.kind)

    def can(self, act: Act) -> bool:
        return roles.can(self.role, act)

    def require(self, act: Act) -> None:
        """Refuses (roles.NotAllowed, in Chinese) what the logged-in user's role may not do."""
        roles.require(self.role, act, self.info.kind)

    def _slots(self) -> KeySlots:
        if self.keyslots is None:
            raise StoreError("密钥文件不存在,无法管理用户。请先用恢复密钥重建密钥文件。")
        return self.keyslots

    def _require_admin(self) -> None:
        self.require(Act.MANAGE_USERS)

    def _data_key(self) -> bytes:
        if self._key is None:
            raise StoreError("服务器上的数据库没有数据密钥,也没有恢复密钥:由服务器管理员备份和恢复")
        return self._key

    def _user_changed(self, s: Session, action: str, name: str, before: Any, after: Any
                      ) -> None:
        from registry import audit
        audit.record(s, self.user, action, "user", None, before, after)

    def add_user(self, name: str, password: str, role: str = roles.ENTRY) -> None:
        self._require_admin()
        role = roles.parse_role(role, self.info.kind)
        _check_new_user(name, password)
        if self.server:
            with self.transaction() as s:
                if s.get(AppUser, name) is not None:
                    raise StoreError(f"用户“{name}”已存在")
                s.add(AppUser(name=name, role=role, added_by=self.user,
                              password_hash=server.hash_password(password)))
                self._user_changed(s, "add_user", name, None, {"user": name, "role": role})
            return
        slots = self._slots()
        with self.transaction() as s:
            if slots.find(name) or s.get(AppUser, name) is not None:
                raise StoreError(f"用户“{name}”已存在")
            s.add(AppUser(name=name, role=role, added_by=self.user))
            self._user_changed(s, "add_user", name, None, {"user": name, "role": role})
            slots.slots.append(Slot.seal(name, role, password, self._data_key(),
                                         slots.store_id))
            slots.save(self.path)  # last: a failure before it leaves neither written

    def remove_user(self, name: str) -> None:
        self._require_admin()
        slots = None if self.server else self._slots()
        if name == self.user:
            raise StoreError("不能删除当前登录的用户")
        with self.transaction() as s:
            row = s.get(AppUser, name)
            if row is None and not (slots and slots.find(name)):
                raise StoreError(f"没有用户“{name}”")
            self._keep_an_admin(s, name)
            if row is not None:
                self._user_changed(s, "remove_user", name, {"user": name, "role": row.role},
                                   None)
                s.delete(row)
            if slots is not None:
                slots.slots = [x for x in slots.slots if x.user != name]
                slots.save(self.path)

    def set_role(self, name: str, role: str) -> None:
        self._require_admin()
        role = roles.parse_role(role, self.info.kind)
        with self.transaction() as s:
            row = s.get(AppUser, name)
            if row is None:
                raise StoreError(f"没有用户“{name}”")
            if role != roles.admin_role(self.info.kind):
                self._keep_an_admin(s, name)
            self._user_changed(s, "set_role", name, {"user": name, "role": row.role},
                               {"user": name, "role": role})
            row.role = role
        if name == self.user:
            self.role = role

    def _keep_an_admin(self, s: Session, leaving: str) -> None:
        admin = roles.admin_role(self.info.kind)
        others = s.scalar(select(func.count()).select_from(AppUser).where(
            AppUser.role == admin, AppUser.name != leaving))
        if not others:
            raise StoreError("至少要保留一名管理员")

    def reset_password(self, name: str, new: str) -> None:
        """The 管理员 sets a new password for a user who forgot theirs."""
        self._require_admin()
        _check_new_user(name, new)
        if self.server:
            with self.transaction() as s:
                row = s.get(AppUser, name)
                if row is None:
                    raise StoreError(f"没有用户“{name}”")
                row.password_hash = server.hash_password(new)
                self._user_changed(s, "reset_password", name, None, {"user": name})
            return
        slots = self._slots()
        with self.transaction() as s:
            row = s.get(AppUser, name)
            if row is None:
                raise StoreError(f"没有用户“{name}”")
            # A user without a slot (the key file was rebuilt from the recovery key) gets
            # one: that is how the others log in again after a lost key file.
            fresh = Slot.seal(name, row.role, new, self._data_key(), slots.store_id)
            self._user_changed(s, "reset_password", name, None, {"user": name})
            slots.slots = [x for x in slots.slots if x.user != name] + [fresh]
            slots.save(self.path)

    def change_password(self, old: str, new: str) -> None:
        if self.server:
            self._change_password_on_server(old, new)
            return
        slots = self._slots()
        slot = slots.find(self.user)
        if slot is None:
            raise StoreError("当前用户没有密钥槽")
        try:
            slot.open(old, slots.store_id)
        except WrongPassword:
            time.sleep(FAILED_LOGIN_DELAY)
            raise WrongPassword("原密码不正确") from None
        _check_new_user(self.user, new)
        fresh = Slot.seal(self.user, slot.role, new, self._data_key(), slots.store_id)
        slots.slots = [fresh if s.user == self.user else s for s in slots.slots]
        slots.save(self.path)

    def _change_password_on_server(self, old: str, new: str) -> None:
        with self.transaction() as s:
            row = s.get(AppUser, self.user)
            if row is None or not server.password_matches(row.password_hash, old):
                time.sleep(FAILED_LOGIN_DELAY)
                raise WrongPassword("原密码不正确")
            _check_new_user(self.user, new)
            row.password_hash = server.hash_password(new)

    def users(self) -> list[tuple[str, str]]:
        """(name, role) of every user, roles as this store records them."""
        if not self.server:
            self._slots()
        with self.session() as s:
            return [(n, r) for n, r in s.execute(
                select(AppUser.name, AppUser.role).order_by(AppUser.added_at, AppUser.name))]

    def recovery_key(self) -> str:
        self._require_admin()
        return format_recovery_key(self._data_key())

    def rebuild_keyslots(self, user: str, password: str) -> None:
        """After a lost key file: a new one with a first admin (opened by recovery key).
        The other users must be given new passwords (reset_password) to log in again."""
        if self.server:
            raise StoreError("服务器上的数据库没有密钥文件:忘记密码时请管理员重设密码")
        _check_new_user(user, password)
        admin = roles.admin_role(self.info.kind)
        with self.transaction() as s:
            row = s.get(AppUser, user)
            if row is None:
                s.add(AppUser(name=user, role=admin, added_by=self.user))
            else:
                row.role = admin
            self._user_changed(s, "rebuild_keys", user, None, {"user": user, "role": admin})
            self.keyslots = KeySlots(self.info.store_id,
                                     [Slot.seal(user, admin, password, self._data_key(),
                                                self.info.store_id)])
            self.keyslots.save(self.path)

    # ---- checks -----------------------------------------------------------------------
    def verify(self) -> list[str]:
        """Integrity of every page (HMAC and B-tree), the key file, the audit chain (every
        entry's hash recomputed from its content, every link) and, at a station, the chain
        heads the county acknowledged. Returns the problems found, in Chinese; empty means
        all is well."""
        from registry.audit import verify_acknowledged, verify_chain

        problems: list[str] = []
        if self.server:  # the server checks its own pages; the chain is checked below
            with self.session() as s:
                return verify_chain(s) + (verify_acknowledged(s)
                                          if self.info.kind == "station" else [])
        with self.engine.connect() as conn:
            for (line,) in conn.exec_driver_sql("PRAGMA cipher_integrity_check"):
                problems.append(f"加密页校验失败:{line}")
            result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems += [f"数据库结构错误:{r}" for r in result[:20]]
            fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if fk:
                problems.append(f"外键不一致:{len(fk)} 处")
        if self.keyslots is None:
            problems.append("缺少密钥文件(只能用恢复密钥打开)")
        elif self.keyslots.store_id != self.info.store_id:
            problems.append("密钥文件属于另一个数据库")
        with self.session() as s:
            problems += verify_chain(s)
            if self.info.kind == "station":  # a county's receipts are about its stations
                problems += verify_acknowledged(s)
        return problems


def _legacy_role(role: str, kind: str) -> str:
    """A key file's role of schema 1 or 2 (admin, clerk) as this kind of store's role."""
    if role in roles.roles_for(kind):
        return role
    if kind != "station":
        return roles.COUNTY_ADMIN if role == "admin" else roles.COUNTY_REVIEW
    return roles.LEGACY.get(role, roles.ENTRY)


def _check_new_user(user: str, password: str) -> None:
    if not user or not user.strip():
        raise StoreError("用户名不能为空")
    if len(user) > 20:
        raise StoreError("用户名不能超过20个字")
    if len(password) < 8:
        raise StoreError("密码至少8位")


def _fill_new(engine: Engine, store_id: str, kind: str, region_code: str, region_name: str,
              user: str, password_hash: str | None) -> None:
    """A new store's schema and first rows: its facts, first user (管理员), regions and
    poverty lines, in one transaction."""
    with engine.begin() as conn:
        migrations.create_schema(conn)
    with Session(engine) as s, s.begin():
        facts = {
            "schema_version": str(migrations.SCHEMA_VERSION), "store_id": store_id,
            "kind": kind, "region_code": region_code, "region_name": region_name,
            "regions_edition": regions.EDITION,
            "created_at": datetime.now().isoformat(timespec="seconds"),
        }
        s.add_all(Meta(key=k, value=v) for k, v in facts.items())
        s.add(Counter(name=COUNTER, value=0))
    with Session(engine) as s, s.begin():
        event.listen(s, "before_flush", stamp_changes)  # revs for what travels in bundles
        s.add(AppUser(name=user, role=roles.admin_role(kind), added_by=user,
                      password_hash=password_hash))
        for d in regions.scope_for_store(kind, region_code):
            s.add(Region(code=d.code, level=d.level, name=d.name, parent_code=d.parent_code))
        for year, amount in POVERTY_LINES.items():
            s.add(PovertyLine(year=year, amount=Decimal(amount)))


@contextmanager
def _reaching(url: str) -> Iterator[None]:
    """A server that cannot be reached, or refuses the login, said in Chinese."""
    try:
        yield
    except DBAPIError as e:
        said = server.reason(str(e.orig) if e.orig else "")
        raise StoreError(f"无法连接数据库服务器 {server.shown(url)}:{said}") from None
