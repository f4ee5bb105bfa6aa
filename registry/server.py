"""The store on a PostgreSQL server (a county with a server, the city, the province).

What differs from the SQLCipher file, and why:
- Connection: a `postgresql://` URL (psycopg 3). The server's operator gives the program
  one database role; TLS is asked for in the URL (`sslmode=verify-full`, see README).
- Users: the application's users and roles stay rows of `app_user`, as in the file, and
  their passwords are scrypt hashes there. Not a database role per user: our roles are
  acts (录入员 may record 民主评议 but not 乡镇审核) checked in registry/roles.py, which
  PostgreSQL grants on tables cannot say, and the same rules then hold on both engines.
- Secrets: no data key encrypts the database (the operator encrypts the disk); the
  private halves of the sync keys are sealed with the server key, held outside the
  database: FUPIN_SERVER_KEY (64 hex digits) or the file named by FUPIN_SERVER_KEY_FILE.
- Text: every text column is COLLATE "C" (schema 10), compared byte by byte as SQLite
  compares it, whatever locale the server was made with (`binary_collation`).
"""

from __future__ import annotations

import hmac
import importlib.util
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from registry.errors import StoreError

SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")
KEY_ENV, KEY_FILE_ENV = "FUPIN_SERVER_KEY", "FUPIN_SERVER_KEY_FILE"
SEALED_PREFIX = "sealed:v1:"
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1


def is_server(target: object) -> bool:
    """A store given as a postgresql:// URL rather than a file."""
    return isinstance(target, str) and target.startswith(SCHEMES)


# The township installer leaves the PostgreSQL driver out (build_installer.spec): a
# township office has no server, and the driver's libraries would take the bundle past
# its size. An office with a server installs the program with pip.
NO_DRIVER = ("本程序(乡镇安装包)不含连接 PostgreSQL 服务器所需的组件:服务器上的数据库请用完整安装的"
             "程序打开(pip install,见使用说明)")


# What libpq says when a connection fails, in the user's words (its English text, which may
# name hosts and users, goes neither to the screen nor to the log).
_REASONS = (
    ("password authentication failed", "服务器上的数据库用户名或密码不正确(由服务器管理员设置)"),
    ("no pg_hba.conf entry", "服务器不允许从本机连接(请服务器管理员在 pg_hba.conf 中放行)"),
    ("does not exist", "服务器上没有这个数据库或数据库用户(请核对地址中的库名和用户名)"),
    ("connection refused", "服务器拒绝连接:数据库服务未启动,或主机、端口不对"),
    ("no such file or directory", "本机上找不到数据库服务(服务未启动,或套接字目录不对)"),
    ("could not translate host name", "找不到服务器地址:主机名不对,或网络不通"),
    ("name or service not known", "找不到服务器地址:主机名不对,或网络不通"),
    ("timeout expired", "连接超时:网络不通,或服务器没有响应"),
    ("timed out", "连接超时:网络不通,或服务器没有响应"),
    ("certificate", "服务器证书校验失败(sslmode=verify-full:请核对根证书和服务器名称)"),
    ("ssl", "加密连接(TLS)建立失败:请核对地址中的 sslmode 和证书设置"),
    ("too many connections", "服务器连接数已满,请稍后再试或联系服务器管理员"),
    ("the database system is starting up", "数据库服务正在启动,请稍后再试"),
    ("the database system is shutting down", "数据库服务正在关闭,请稍后再试"),
)


def reason(libpq_message: str) -> str:
    """Why a connection failed, in Chinese; one this list does not know, in general words."""
    text = libpq_message.lower()
    for needle, said in _REASONS:
        if needle in text:
            return said
    return "服务器拒绝或中断了连接,请联系服务器管理员"


def engine_for(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError("数据库地址格式不正确(应为 postgresql://用户@主机/库名)") from None
    parsed = parsed.set(drivername="postgresql+psycopg")
    if importlib.util.find_spec("psycopg") is None:
        raise StoreError(NO_DRIVER)
    engine = create_engine(parsed, pool_size=4, max_overflow=4, pool_pre_ping=True)
    from registry import server_copy  # imports the driver, which is there (checked above)

    server_copy.watch(engine)
    return engine


def shown(url: str) -> str:
    """The URL as it may be shown or logged: never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "postgresql://…"


# ---- the users' passwords -----------------------------------------------------------------
def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_matches(stored: str | None, password: str) -> bool:
    try:
        kind, n, r, p, salt, digest = (stored or "").split("$")
        if kind != "scrypt":
            return False
        found = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(found, bytes.fromhex(digest))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


# ---- secrets sealed with the server key -----------------------------------------------------
def server_key() -> bytes:
    """The key sealing the sync keys' private halves, from outside the database."""
    text = os.environ.get(KEY_ENV, "").strip()
    where = f"环境变量 {KEY_ENV}"
    if not text and os.environ.get(KEY_FILE_ENV):
        path = Path(os.environ[KEY_FILE_ENV])
        where = f"密钥文件 {path}"
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            raise StoreError(f"无法读取服务器密钥文件:{path}") from None
    if not text:
        raise StoreError(f"服务器数据库需要服务器密钥:请设置环境变量 {KEY_ENV}(64位十六进制),"
                         f"或用 {KEY_FILE_ENV} 指向保存它的文件(生成:fupin server-key)")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise StoreError(f"服务器密钥格式不正确({where}):应为64位十六进制数字")
    return key


def new_server_key() -> str:
    return os.urandom(32).hex()


def seal(value: str, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(server_key()).encrypt(nonce, value.encode("utf-8"), purpose.encode())
    return f"{SEALED_PREFIX}{nonce.hex()}:{sealed.hex()}"


def unseal(value: str, purpose: str) -> str:
    if not value.startswith(SEALED_PREFIX):
        raise StoreError("同步密钥的私钥未加密保存,已拒绝使用(服务器数据库中私钥必须加密)")
    try:
        nonce, sealed = value[len(SEALED_PREFIX):].split(":")
        plain = AESGCM(server_key()).decrypt(bytes.fromhex(nonce), bytes.fromhex(sealed),
                                             purpose.encode())
    except (ValueError, InvalidTag):
        raise StoreError("服务器密钥与数据库中的同步密钥不匹配(密钥换过或数据被改动)") from None
    return plain.decode("utf-8")


def dialect_of(bind: Any) -> str:
    return str(bind.dialect.name)


# ---- the schema on the server ---------------------------------------------------------------
BINARY = "C"  # PostgreSQL's byte-order collation, the same on every server

_NOT_BINARY = text("""
    SELECT c.table_name, c.column_name, c.data_type, c.character_maximum_length
      FROM information_schema.columns c
      JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
       AND c.table_name <> 'alembic_version'
       AND c.data_type IN ('character varying', 'text')
       AND c.collation_name IS DISTINCT FROM :binary
     ORDER BY c.table_name, c.ordinal_position""")


def binary_collation(conn: Connection) -> int:
    """Makes every text column of the store's tables COLLATE "C", a table per statement
    (its indexes are rebuilt once); returns how many columns it changed.

    Why: a server's default collation is its locale's, and a province's server may well be
    made in zh_CN.UTF-8. There registry/search.py's prefix range (张 up to 张 + U+10FFFF)
    holds no longer name, so a surname, initials or a village code found nothing; lists
    sorted unlike the file store's; and every id and code a B-tree index compares went
    through glibc's strcoll (160,000 events copied into a procedure_event of 2,000,000 rows:
    3.3-3.9 s against 1.4-1.8 s with "C"). Run when a store is made (after create_all) and
    by the revision that brought it (0010); a later revision that adds a text column runs
    it again (tests/registry/test_server_store.py checks every column)."""
    quote = conn.dialect.identifier_preparer.quote
    changes: dict[str, list[str]] = {}
    for table, column, kind, length in conn.execute(_NOT_BINARY, {"binary": BINARY}):
        declared = "text" if kind == "text" else (
            f"varchar({length})" if length is not None else "varchar")
        changes.setdefault(table, []).append(
            f'ALTER COLUMN {quote(column)} TYPE {declared} COLLATE "{BINARY}"')
    for table, alterations in changes.items():
        conn.execute(text(f"ALTER TABLE {quote(table)} " + ", ".join(alterations)))
    return sum(map(len, changes.values()))
