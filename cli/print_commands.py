"""`fupin print …`: 公示/公告 posters, 村花名册, 乡登记簿 and 扶贫手册 as PDF files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli import common
from cli.arguments import day, integer
from registry.errors import StoreError
from registry.progress import Cancelled
from reports.fonts import FontMissing, MissingGlyphs
from reports.pdf.data import ReportError
from reports.pdf.handbook import print_handbook
from reports.pdf.layout import PrintResult
from reports.pdf.notice import DEFAULT_DAYS, KINDS, print_notice
from reports.pdf.registers import print_register, print_roster
from reports.pdf.tables import PrivateField


def register(sub: Any) -> None:
    printing = sub.add_parser("print", help="打印:公示公告、花名册、登记簿、扶贫手册(PDF)")
    kinds = printing.add_subparsers(dest="print_command", required=True, metavar="文件")

    p = kinds.add_parser("notice", help="公示/公告海报(第一次公示、第二次公示、公告)")
    common.add_store_argument(p)
    p.add_argument("--village", required=True, help="12位行政村代码")
    p.add_argument("--kind", required=True, choices=list(KINDS),
                   help="first 村第一次公示 / second 乡镇第二次公示 / announcement 县公告")
    p.add_argument("--out", required=True, type=Path, help="输出的 PDF 文件")
    p.add_argument("--all", action="store_true", help="列出全村农户(不限识别阶段)")
    p.add_argument("--paper", choices=["A4", "A3"], default="A4")
    p.add_argument("--phone", default="", help="监督(异议)电话")
    p.add_argument("--address", default="", help="异议受理地址")
    p.add_argument("--start", type=day, help="公示开始日期 YYYY-MM-DD(默认今天)")
    p.add_argument("--days", type=integer(1, 90), default=DEFAULT_DAYS, help="公示天数(默认7天)")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_notice)

    p = kinds.add_parser("roster", help="村花名册(内部资料,含身份证号)")
    common.add_store_argument(p)
    p.add_argument("--village", required=True, help="12位行政村代码")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--paper", choices=["A4", "A3"], default="A4")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_roster)

    p = kinds.add_parser("register", help="乡登记簿:全乡各村农户及成员、各村汇总(内部资料)")
    common.add_store_argument(p)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--paper", choices=["A4", "A3"], default="A4")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_register)

    p = kinds.add_parser("handbook", help="扶贫手册(户卡):一户,或一个村的全部农户")
    common.add_store_argument(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--household", help="户编号(见 fupin households list --json)")
    which.add_argument("--village", help="12位行政村代码:全村每户一份")
    p.add_argument("--out", required=True, type=Path)
    common.add_json_argument(p)
    p.set_defaults(run=cmd_handbook)


def _progress(done: int, total: int) -> bool:
    if sys.stderr.isatty():
        print(f"\r正在排版 {done * 100 // max(total, 1)}%", end="", file=sys.stderr, flush=True)
    return True


def _run(args: argparse.Namespace, make: Any) -> int:
    out: Path = args.out
    if not out.parent.is_dir():
        raise common.CliError(f"文件夹不存在:{out.parent}")
    try:
        with common.open_store(args) as store, store.session() as session:
            result: PrintResult = make(session)
    except (ReportError, FontMissing, MissingGlyphs, PrivateField, StoreError, Cancelled) as e:
        raise common.CliError(str(e)) from None
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        common.emit_json({"path": str(result.path), "pages": result.pages,
                   "households": result.households, "members": result.members})
    else:
        print(f"已生成 {result.path}:共 {result.pages} 页,{result.households} 户 "
              f"{result.members} 人")
    return 0


def cmd_notice(args: argparse.Namespace) -> int:
    return _run(args, lambda s: print_notice(
        s, args.village, args.kind, args.out, include_all=args.all, paper=args.paper,
        phone=args.phone, address=args.address, start=args.start, days=args.days,
        progress=_progress))


def cmd_roster(args: argparse.Namespace) -> int:
    return _run(args, lambda s: print_roster(s, args.village, args.out, paper=args.paper,
                                             progress=_progress))


def cmd_register(args: argparse.Namespace) -> int:
    return _run(args, lambda s: print_register(s, args.out, paper=args.paper,
                                               progress=_progress))


def cmd_handbook(args: argparse.Namespace) -> int:
    return _run(args, lambda s: print_handbook(s, args.out, household_id=args.household,
                                               village_code=args.village, progress=_progress))
