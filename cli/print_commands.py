"""`fupin print …`: 公示 and 公告 posters from their records, 村花名册, 乡登记簿, 扶贫手册 and
the 帮扶责任人名单 as PDF files. A notice (first, second or 退出公示) is printed by its number
(`fupin notice list`), the county's 公告 and 退出公告 by their 文号; a whole village's list is
the 花名册 (`print roster`), never titled as a notice; `print helper-roster` is the village's
帮扶责任人名单 (`print roster` was taken by the 花名册 before)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli import common
from cli.arguments import integer
from registry.errors import UserError
from registry.procedure.record import store_kind
from registry.progress import Cancelled
from reports.fonts import FontMissing, MissingGlyphs
from reports.pdf.county_summary import county_name, print_county_summary
from reports.pdf.exits import print_exit_announcement
from reports.pdf.handbook import print_handbook
from reports.pdf.helper_roster import print_helper_roster
from reports.pdf.layout import PrintResult
from reports.pdf.notice import print_announcement, print_notice_record
from reports.pdf.registers import print_register, print_roster


def _poster_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=Path, help="输出的 PDF 文件")
    p.add_argument("--paper", choices=["A4", "A3"], default="A4")
    p.add_argument("--phone", default="", help="监督(异议)电话")
    p.add_argument("--address", default="", help="异议受理地址")
    common.add_json_argument(p)


def register(sub: Any) -> None:
    printing = sub.add_parser("print", help="打印:公示公告、花名册、登记簿、扶贫手册(PDF)")
    kinds = printing.add_subparsers(dest="print_command", required=True, metavar="文件")

    p = kinds.add_parser("notice", help="公示海报:按编号打印已发起的第一次、第二次或退出公示"
                                        "(编号见 fupin notice list)")
    common.add_store_argument(p)
    p.add_argument("--number", required=True, help="公示编号,如 2026-003")
    _poster_arguments(p)
    p.set_defaults(run=cmd_notice)

    p = kinds.add_parser("announcement", help="县公告:按文号打印已公告的农户(县扶贫办数据库)")
    common.add_store_argument(p)
    p.add_argument("--ref", required=True, help="审定文号,如 昭扶贫〔2026〕12号")
    _poster_arguments(p)
    p.set_defaults(run=cmd_announcement)

    p = kinds.add_parser("exit-announcement",
                         help="退出公告:按文号打印县级审定退出并公告的农户(含退出年度人均纯收入)")
    common.add_store_argument(p)
    p.add_argument("--ref", required=True, help="退出公告文号,如 昭扶贫〔2026〕30号")
    _poster_arguments(p)
    p.set_defaults(run=cmd_exit_announcement)

    p = kinds.add_parser("helper-roster",
                         help="村帮扶责任人名单:每户贫困户及其当前帮扶责任人(内部资料,含电话)")
    common.add_store_argument(p)
    p.add_argument("--village", required=True, help="12位行政村代码")
    p.add_argument("--out", required=True, type=Path)
    common.add_json_argument(p)
    p.set_defaults(run=cmd_helper_roster)

    p = kinds.add_parser("roster", help="村花名册(内部资料,含身份证号)")
    common.add_store_argument(p)
    p.add_argument("--village", required=True, help="12位行政村代码")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--paper", choices=["A4", "A3"], default="A4")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_roster)

    p = kinds.add_parser("register", help="乡登记簿:全乡各村农户及成员、各村汇总(内部资料);"
                                          "县扶贫办按乡镇打印(--township)")
    common.add_store_argument(p)
    p.add_argument("--township", help="9位乡镇代码(县扶贫办数据库必须指定)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--paper", choices=["A4", "A3"], default="A4")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_register)

    p = kinds.add_parser("county-summary", help="县汇总表:各乡镇户数、人数,按识别阶段、脱贫状态、"
                                                "各年脱贫(县扶贫办,内部资料)")
    common.add_store_argument(p)
    p.add_argument("--year", type=integer(2000, 2100), help="年度(写在表头)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--paper", choices=["A4", "A3"], default="A4")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_county_summary)

    p = kinds.add_parser("handbook", help="扶贫手册(户卡):一户,或一个村的全部农户")
    common.add_store_argument(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--household", help="户编号(见 fupin households list --json)")
    which.add_argument("--village", help="12位行政村代码:全村每户一份")
    p.add_argument("--out", required=True, type=Path)
    common.add_json_argument(p)
    p.set_defaults(run=cmd_handbook)

    p = kinds.add_parser("village-register", help="贫困村登记表(PDF 或 Excel):基本情况和"
                                                  "由农户计算的户数、人口、贫困发生率")
    common.add_store_argument(p)
    p.add_argument("--village", required=True, help="12位行政村代码")
    p.add_argument("--year", type=integer(2013, 2035), help="年度(默认:已登记的最近年度)")
    p.add_argument("--out", required=True, type=Path, help="输出文件:.pdf 或 .xlsx")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_village_register)


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
    except (UserError, FontMissing, MissingGlyphs, Cancelled) as e:
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
    return _run(args, lambda s: print_notice_record(
        s, args.number, args.out, paper=args.paper, phone=args.phone, address=args.address,
        progress=_progress))


def cmd_announcement(args: argparse.Namespace) -> int:
    return _run(args, lambda s: print_announcement(
        s, args.ref, args.out, paper=args.paper, phone=args.phone, address=args.address,
        progress=_progress))


def cmd_exit_announcement(args: argparse.Namespace) -> int:
    return _run(args, lambda s: print_exit_announcement(
        s, args.ref, args.out, paper=args.paper, phone=args.phone, address=args.address,
        progress=_progress))


def cmd_helper_roster(args: argparse.Namespace) -> int:
    return _run(args, lambda s: print_helper_roster(s, args.village, args.out,
                                                    progress=_progress))


def cmd_roster(args: argparse.Namespace) -> int:
    return _run(args, lambda s: print_roster(s, args.village, args.out, paper=args.paper,
                                             progress=_progress))


def _township(value: str | None) -> str | None:
    code = (value or "").strip() or None
    if code is not None and (len(code) != 9 or not code.isdigit()):
        raise common.CliError(f"乡镇代码应为9位数字,收到“{code}”")
    return code


def cmd_register(args: argparse.Namespace) -> int:
    township = _township(args.township)

    def make(s: Any) -> PrintResult:
        if township is None and store_kind(s) != "station":
            raise common.CliError("县扶贫办的登记簿按乡镇打印:请用 --township 指定9位乡镇代码;"
                                  "全县的数字见县汇总表(fupin print county-summary)")
        return print_register(s, args.out, paper=args.paper, progress=_progress,
                              township=township)
    return _run(args, make)


def cmd_county_summary(args: argparse.Namespace) -> int:
    def make(s: Any) -> PrintResult:
        if store_kind(s) != "county":
            raise common.CliError("县汇总表只能从县扶贫办数据库打印")
        return print_county_summary(s, args.out, county_name=county_name(s),
                                    year=args.year, paper=args.paper)
    return _run(args, make)


def cmd_handbook(args: argparse.Namespace) -> int:
    return _run(args, lambda s: print_handbook(s, args.out, household_id=args.household,
                                               village_code=args.village, progress=_progress))


def cmd_village_register(args: argparse.Namespace) -> int:
    from registry.poor_villages.sheet import village_sheet  # noqa: PLC0415

    out: Path = args.out
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise common.CliError("输出文件应以 .pdf 或 .xlsx 结尾")
    if not out.parent.is_dir():
        raise common.CliError(f"文件夹不存在:{out.parent}")
    try:
        with common.open_store(args) as store, store.session() as session:
            sheet = village_sheet(session, args.village.strip(), args.year)
        if suffix == ".pdf":
            from reports.pdf.village_register import print_village_register  # noqa: PLC0415

            pages: int | None = print_village_register(sheet, out).pages
        else:
            from reports.excel.village_register import write_village_register  # noqa: PLC0415

            write_village_register(sheet, out)
            pages = None
    except (UserError, FontMissing, MissingGlyphs, OSError) as e:
        raise common.CliError(str(e)) from None
    f = sheet.figures
    if args.json:
        common.emit_json({"path": str(out), "pages": pages, "village": sheet.code,
                          "year": sheet.year, "households": f.poor_households,
                          "people": f.poor_people,
                          "incidence": None if f.incidence is None else str(f.incidence)})
    else:
        print(f"已生成 {out}:{sheet.name} {sheet.year}年贫困村登记表"
              + (f",共 {pages} 页" if pages else ""))
    return 0
