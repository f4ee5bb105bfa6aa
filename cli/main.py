"""Entry point of `fupin`. Each package contributes its subcommands via register()."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from sqlalchemy.exc import DatabaseError

from cli import excel_commands, print_commands, station, sync_commands
from cli.common import CliError
from registry.errors import StoreError


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误:{message}\n用 {self.prog} --help 查看用法\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="fupin", description="扶贫开发建档立卡 命令行工具(乡镇工作站、县扶贫办)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令",
                                parser_class=ChineseArgumentParser)
    station.register(sub)
    print_commands.register(sub)
    excel_commands.register(sub)
    sync_commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CliError as e:
        print(f"错误:{e}", file=sys.stderr)
        return e.code
    except StoreError as e:  # wrong password, damaged store, refused bundle...
        print(f"错误:{e}", file=sys.stderr)
        return 1
    except DatabaseError as e:  # a damaged page found mid-work: say so, not a traceback
        print(f"错误:读写数据库时出错({e.orig}),请用 fupin verify 检查数据库", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中止", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
