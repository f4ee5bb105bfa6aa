"""Entry point of `fupin`. Each package contributes its subcommands via register()."""

from __future__ import annotations

import argparse
import sys

from cli import (
    aid_commands,
    archive_commands,
    backup_commands,
    excel_commands,
    keys_commands,
    print_commands,
    quality_commands,
    station,
    stats_commands,
    sync_commands,
    village_commands,
)
from cli.arguments import ChineseArgumentParser, install_translations
from cli.common import CliError
from registry import applog, failures


def build_parser() -> argparse.ArgumentParser:
    install_translations()
    parser = ChineseArgumentParser(
        prog="fupin", description="扶贫开发建档立卡 命令行工具(乡镇工作站、县扶贫办)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令",
                                parser_class=ChineseArgumentParser)
    parser.add_argument("--verbose", action="store_true",
                        help="出错时在屏幕上显示详细信息(不含个人信息;日志文件中总有)")
    station.register(sub)
    print_commands.register(sub)
    excel_commands.register(sub)
    sync_commands.register(sub)
    backup_commands.register(sub)
    keys_commands.register(sub)
    aid_commands.register(sub)
    stats_commands.register(sub)
    quality_commands.register(sub)
    archive_commands.register(sub)
    village_commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log_file = applog.setup(verbose=args.verbose)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("已中止", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the one error path: a message, never a traceback
        message = failures.report(e, f"fupin {args.command}")
        if not failures.is_refusal(e) and log_file is not None:
            message += f"\n日志:{log_file}"
        print(f"错误:{message}", file=sys.stderr)
        return e.code if isinstance(e, CliError) else 1


if __name__ == "__main__":
    sys.exit(main())
