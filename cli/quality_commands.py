"""`fupin quality check`: 数据质量核查 over a village, a township or the whole store, on the
screen (counts per rule, then each problem), as JSON (a list of problems: rule,
household_id, head_id_number, village_code, message) or as a report (--out .xlsx / .pdf)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cli import common
from forms import quality as q
from registry import quality
from registry.errors import UserError
from registry.models import Region
from reports.excel.quality import write_quality_book
from reports.fonts import FontMissing, MissingGlyphs
from reports.pdf.quality import print_quality

SUFFIXES = (".xlsx", ".pdf")


def register(sub: Any) -> None:
    group = sub.add_parser("quality", help="数据质量核查:按规则检查全县、乡镇或村的数据")
    cmds = group.add_subparsers(dest="quality_command", required=True, metavar="操作")
    p = cmds.add_parser("check", help="核查并列出问题(可输出 Excel 或 PDF 报告)")
    common.add_store_argument(p)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--village", help="12位行政村代码:只查这个村")
    where.add_argument("--region", help="乡镇(9位)或县(6位)代码:查其下所有村;不填查全部")
    p.add_argument("--out", type=Path, help="报告文件:.xlsx(汇总+明细)或 .pdf")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_check)


def _scope(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """(code, level it must be) from --village / --region."""
    if args.village is not None:
        return args.village.strip(), "village"
    if args.region is not None:
        return args.region.strip(), None
    return None, None


def cmd_check(args: argparse.Namespace) -> int:
    code, level = _scope(args)
    if code is not None and (not code.isdigit() or len(code) not in (6, 9, 12)):
        raise common.CliError(f"区划代码“{code}”不对:村为12位、乡镇9位、县6位数字")
    if level == "village" and code is not None and len(code) != 12:
        raise common.CliError(f"行政村代码“{code}”应为12位数字")
    out: Path | None = args.out
    if out is not None:
        if out.suffix.lower() not in SUFFIXES:
            raise common.CliError("报告文件只能是 .xlsx 或 .pdf")
        if not out.parent.is_dir():
            raise common.CliError(f"文件夹不存在:{out.parent}")
    try:
        with common.open_store(args) as store, store.session() as s:
            if code is not None and s.scalar(select(Region.code).where(
                    Region.code == code, Region.deleted.is_(False))) is None:
                raise common.CliError(f"本站没有区划 {code}")
            report = quality.check(s, code)
        if out is not None:
            if out.suffix.lower() == ".pdf":
                print_quality(report, out)
            else:
                write_quality_book(report, out)
    except common.CliError:
        raise
    except (UserError, FontMissing, MissingGlyphs, OSError) as e:
        raise common.CliError(str(e)) from None
    if args.json:
        common.emit_json([p.as_dict() for p in report.problems])
        return 0
    print(f"{report.scope_name}:核查 {report.households} 户,发现问题 {len(report.problems)} 条"
          f"(错误 {report.hard()} 条)")
    for rule in q.RULES:
        n = report.by_rule()[rule.key]
        if n:
            print(f"  {rule.title}({rule.severity_name}):{n} 条")
    for p in report.problems:
        village = report.village_names.get(p.village_code, p.village_code)
        print(f"{village}\t{p.head_name or '(无户主)'}\t{p.head_id_number}\t"
              f"{q.RULE[p.rule].title}\t{p.message}")
    if out is not None:
        print(f"已生成 {out}")
    return 0
