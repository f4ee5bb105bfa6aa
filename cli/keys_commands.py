"""`fupin keys rebuild`: a new key file from the recovery key, when the key file is lost or
every administrator's password is forgotten. The new file holds one slot, a 管理员 with a
new password; every old password stops opening the store (their slots are gone), and the
other users (still listed in the store with their roles) log in again once the 管理员 has
reset their passwords."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli.common import NEW_PASSWORD_ENV, RECOVERY_ENV, CliError, ask_password
from registry import recovery, server
from registry.keyslots import parse_recovery_key


def register(sub: Any) -> None:
    keys = sub.add_parser("keys", help="密钥文件:用恢复密钥重建").add_subparsers(
        dest="keys_command", required=True, metavar="命令")
    p = keys.add_parser("rebuild", help="用恢复密钥重建密钥文件,并设新的管理员密码;"
                                        "原有的密码全部作废")
    p.add_argument("--store", required=True, type=Path, help="数据库文件路径")
    p.add_argument("--user", default=recovery.DEFAULT_ADMIN,
                   help=f"新管理员的用户名(默认“{recovery.DEFAULT_ADMIN}”)")
    p.set_defaults(run=cmd_rebuild)

    p = sub.add_parser("server-key", help="生成服务器密钥(PostgreSQL 服务器数据库用它加密同步私钥)")
    p.set_defaults(run=cmd_server_key)


def cmd_server_key(args: argparse.Namespace) -> int:
    print(server.new_server_key())
    print(f"请保存到只有本程序能读的文件,用环境变量 {server.KEY_FILE_ENV} 指向它"
          f"(或设为 {server.KEY_ENV});与数据库备份分开保管一份。", file=sys.stderr)
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    store_path: Path = args.store
    if not store_path.is_file():
        raise CliError(f"找不到数据库文件:{store_path}")
    key = parse_recovery_key(ask_password("恢复密钥(16组,每组4位):", env=RECOVERY_ENV))
    recovery.check_recovery_key(store_path, key)  # before a new password is asked for
    password = ask_password(f"为管理员“{args.user}”设置新密码(至少8位):",
                            env=NEW_PASSWORD_ENV, confirm=True)
    result = recovery.rebuild_keys(store_path, key, args.user, password)
    print(f"已重建密钥文件:{result.keys_path}")
    print(f"  管理员“{args.user}”可用新密码登录;原有的密码已全部作废,"
          "其他用户需由管理员重设密码后才能登录。")
    if result.old_keys_existed:
        print("  原密钥文件已被替换。")
    return 0
