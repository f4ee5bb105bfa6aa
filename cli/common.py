"""What every subcommand shares: opening a store with a password from the environment or
a prompt, Chinese errors with a non-zero exit, and --json output."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from registry import server
from registry.errors import StoreError, UserError
from registry.keyslots import KeySlots, parse_recovery_key
from registry.procedure.record import Actor
from registry.store import Store

PASSWORD_ENV = "FUPIN_PASSWORD"
USER_ENV = "FUPIN_USER"
RECOVERY_ENV = "FUPIN_RECOVERY_KEY"
NEW_PASSWORD_ENV = "FUPIN_NEW_PASSWORD"


class CliError(UserError):
    """A refusal to report in Chinese; exit code 1 unless told otherwise."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def store_target(text: str) -> Path | str:
    """--store: a SQLCipher file, or a postgresql:// URL of a store on a server."""
    return text if server.is_server(text) else Path(text)


def shown_store(target: Path | str) -> str:
    """A store as it may be printed: a server's URL without its password."""
    return server.shown(target) if isinstance(target, str) else str(target)


def add_store_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", required=True, type=store_target,
                   help="数据库文件路径,或服务器数据库地址 postgresql://…")
    p.add_argument("--user", help=f"登录用户名(也可用环境变量 {USER_ENV})")


def add_json_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="输出机器可读的 JSON")


def ask_password(prompt: str = "密码:", env: str = PASSWORD_ENV, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise CliError(f"需要密码:请在终端中运行,或设置环境变量 {env}")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("再输入一次:") != first:
        raise CliError("两次输入的密码不一致")
    return first


def open_store(args: argparse.Namespace) -> Store:
    """Opens with the recovery key when FUPIN_RECOVERY_KEY is set, else user + password."""
    path: Path | str = args.store
    try:
        recovery = os.environ.get(RECOVERY_ENV)
        if recovery and isinstance(path, Path):
            return Store.open_with_recovery_key(path, parse_recovery_key(recovery))
        user = args.user or os.environ.get(USER_ENV)
        if not user:
            if isinstance(path, str):
                raise CliError("服务器数据库请用 --user(或环境变量 FUPIN_USER)指定登录用户")
            users = KeySlots.load(path).users()
            if len(users) != 1:
                raise CliError("此数据库有多个用户,请用 --user 指定登录用户")
            user = users[0][0]
        return Store.open(path, user, ask_password())
    except StoreError as e:
        raise CliError(str(e)) from None


@contextmanager
def acting(args: argparse.Namespace) -> Iterator[tuple[Store, Session, Actor]]:
    """The store, one transaction, and who acts (the user and the role the store records):
    all or nothing."""
    with open_store(args) as store, store.transaction() as s:
        yield store, s, Actor(store.user, store.role)


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1, default=_plain)
    sys.stdout.write("\n")
