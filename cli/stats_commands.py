"""`fupin stats`: the county office's figures (registry/statistics.py) for the county, each
township or each village, as text or JSON rows {"code", "name", "by", "key", "households",
"people"} (the plan tables add "plans" and "amount", 贫困发生率 "base" and "rate"), or written
with --out to a workbook (.xlsx) or the 统计报告 PDF (.pdf): one table with --by, else every
table."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli.common import CliError, add_json_argument, add_store_argument, emit_json, open_store
from registry import statistics


def register(sub: Any) -> None:
    p = sub.add_parser("stats", help="统计:按识别阶段、属性、致贫原因、劳动技能等,县/乡镇/村")
    add_store_argument(p)
    p.add_argument("--level", choices=list(statistics.LEVELS), default="county",
                   help="province 省 / city 市州 / county 县 / township 乡镇 / village 行政村"
                   "(默认县)")
    p.add_argument("--code", help="只统计此区划(省2位、市州4位、县6位、乡镇9位、村12位代码)")
    p.add_argument("--by", choices=list(statistics.BY),
                   help="、".join(f"{k} {v}" for k, v in statistics.BY.items())
                   + "(默认 stage;与 --out 同用时不给则输出全部统计表)")
    p.add_argument("--out", type=Path, help="写出统计:.xlsx 工作簿或 .pdf 统计报告")
    add_json_argument(p)
    p.set_defaults(run=cmd_stats)


def cmd_stats(args: argparse.Namespace) -> int:
    code = (args.code or "").strip() or None
    if code is not None and (not code.isdigit() or len(code) not in statistics.LEVELS.values()):
        raise CliError(f"区划代码应为2、4、6、9或12位数字,收到“{code}”")
    if args.out is not None:
        return _write(args, code)
    with open_store(args) as store, store.session() as s:
        rows = statistics.stats(s, args.by or "stage", args.level, code)
    if args.json:
        emit_json([r.as_dict() for r in rows])
        return 0
    if not rows:
        print("没有符合条件的农户")
    for r in rows:
        print(f"{r.code}\t{r.name}\t{r.key}\t{r.households} 户\t{r.people} 人")
    return 0


def _write(args: argparse.Namespace, code: str | None) -> int:
    from reports.statistics.report import write_report  # noqa: PLC0415 (ReportLab is slow to import)
    from reports.statistics.tables import REPORT_ORDER  # noqa: PLC0415
    from reports.statistics.workbook import write_workbook  # noqa: PLC0415

    out: Path = args.out
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise CliError(f"--out 只能是 .xlsx 或 .pdf 文件,收到“{out.name}”")
    bys = [args.by] if args.by else list(REPORT_ORDER)
    with open_store(args) as store:
        if suffix == ".pdf":
            result = write_report(store, out, args.level, code, bys)
            print(f"已写出统计报告 {out}:{result.tables} 张表,{result.pages} 页")
        else:
            sheets = write_workbook(store, out, args.level, code, bys)
            print(f"已写出统计工作簿 {out}:{sheets} 张表")
    return 0
