"""`fupin backup` and `fupin restore`: a verified, still encrypted copy of the store (with its
key file) in a folder, and putting one back (registry/backup.py)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from cli.common import (
    RECOVERY_ENV,
    USER_ENV,
    CliError,
    add_json_argument,
    add_store_argument,
    ask_password,
    emit_json,
    open_store,
)
from registry import backup
from registry.keyslots import parse_recovery_key


def _folder(text: str) -> Path:
    """An argument type: a folder named (an empty --out would be the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("请给出保存备份的文件夹")
    return Path(text)


def register(sub: Any) -> None:
    p = sub.add_parser("backup", help="备份数据库(仍加密,连同密钥文件)到一个文件夹或U盘;"
                                      "程序打开时也可备份")
    add_store_argument(p)
    p.add_argument("--out", required=True, type=_folder, help="保存备份的文件夹(如U盘)")
    add_json_argument(p)
    p.set_defaults(run=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复数据库;被替换的数据库另存一份,不删除")
    p.add_argument("--from", dest="file", required=True, type=Path,
                   help="备份文件(备份-….db,其密钥文件 .keys 应在旁边)")
    p.add_argument("--store", required=True, type=Path, help="要恢复到的数据库文件路径")
    p.add_argument("--user", help="备份当时的用户名(也可用环境变量 "
                                  f"{USER_ENV});或用环境变量 {RECOVERY_ENV} 给恢复密钥")
    p.add_argument("--force", action="store_true",
                   help="备份比当前数据库旧,或不是同一个数据库时,仍然恢复")
    add_json_argument(p)
    p.set_defaults(run=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    out: Path = args.out
    if not out.is_dir():
        raise CliError(f"文件夹不存在:{out}。请插入U盘,或给出一个已有的文件夹")
    with open_store(args) as store:
        result = backup.make_backup(store, out)
    if args.json:
        emit_json({"backup": str(result.path),
                   "keys": str(result.keys_path) if result.keys_path else None,
                   "households": result.info.households, "revision": result.info.revision,
                   "size": result.info.size, "made_at": result.made_at})
        return 0
    print(f"已备份并核对:{result.path}")
    print(f"  {result.info.describe()},{result.info.size / 1024 ** 2:.1f} MB")
    if result.keys_path is not None:
        print(f"  密钥文件:{result.keys_path.name}(恢复时必须与备份放在一起)")
    else:
        print("  注意:数据库是用恢复密钥打开的,没有密钥文件;恢复此备份需要恢复密钥")
    print("备份仍是加密的;用备份当时的密码或恢复密钥才能打开。")
    return 0


def _backup_key(args: argparse.Namespace) -> bytes:
    recovery = os.environ.get(RECOVERY_ENV)
    if recovery:
        return parse_recovery_key(recovery)
    path: Path = args.file
    if not path.is_file():
        raise CliError(f"找不到备份文件:{path}")
    user = args.user or os.environ.get(USER_ENV)
    if not user:
        users = backup.backup_users(path)
        if len(users) != 1:
            raise CliError("此备份有多个用户,请用 --user 指定备份当时的用户名")
        user = users[0][0]
    password = ask_password(f"“{user}”在备份当时的密码:")
    return backup.unlock_backup(path, user, password)


def cmd_restore(args: argparse.Namespace) -> int:
    store_path: Path = args.store
    if store_path.is_dir():
        raise CliError(f"--store 应为数据库文件,而不是文件夹:{store_path}")
    if not store_path.parent.is_dir():
        raise CliError(f"文件夹不存在:{store_path.parent}")
    key = _backup_key(args)
    result = backup.restore(args.file, store_path, key, force=args.force)
    if args.json:
        emit_json({"restored": str(store_path), "from": str(args.file),
                   "households": result.info.households, "revision": result.info.revision,
                   "replaced": str(result.replaced) if result.replaced else None,
                   "keys_restored": result.keys_restored})
        return 0
    print(f"已从备份恢复:{store_path}")
    print(f"  {result.info.describe()}")
    if result.replaced is not None:
        print(f"  原数据库已另存为:{result.replaced}(连同其密钥文件,确认无误后可删除)")
    if result.keys_restored:
        print("  密钥文件已一并恢复:用户和密码恢复为备份当时的")
    else:
        print("  备份旁没有密钥文件:请用恢复密钥重建密钥文件(fupin keys rebuild)")
    return 0
