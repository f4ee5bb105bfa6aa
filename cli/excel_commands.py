"""`fupin excel export|template|import`: the command line over reports/excel."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cli import common
from cli.arguments import integer
from registry import household_access
from registry.errors import UserError
from registry.files import check_output_path
from registry.progress import Cancelled
from registry.search import HouseholdFilter
from reports.excel.export import export_households
from reports.excel.importing import import_workbook
from reports.excel.reading import WorkbookError
from reports.excel.template import station_villages, write_template

BAD_ROWS_EXIT = 2  # the file was read, some rows are wrong: nothing imported
_PRINTED_PROBLEMS = 20

def register(sub: Any) -> None:
    excel = sub.add_parser(
        "excel", help="Excel:导出登记簿或筛选结果、生成导入模板、导入"
    ).add_subparsers(dest="excel_command", required=True, metavar="操作")

    p = excel.add_parser("export", help="把农户及家庭成员导出为Excel(.xlsx)")
    common.add_store_argument(p)
    p.add_argument("--out", required=True, type=Path, help="输出的 .xlsx 文件")
    p.add_argument("--search", default="", help="姓名、拼音首字母、全拼、身份证号片段或村名")
    p.add_argument("--village", help="12位行政村代码")
    p.add_argument("--group", type=integer(1, 99), help="村民小组号(与 --village 一起用)")
    p.add_argument("--stage", help="识别阶段代码")
    p.add_argument("--status", help="脱贫状态代码")
    p.add_argument("--title", help="“说明”表中的标题")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_export)

    p = excel.add_parser("template", help="生成空白导入模板(.xlsx)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--store", type=common.store_target,
                   help="可选:本站数据库(文件或 postgresql://…),“行政村”列即可下拉选择本乡镇各村")
    p.add_argument("--user", help="登录用户名(与 --store 一起用)")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_template)

    p = excel.add_parser("import", help="导入填好的模板:全部行无误才导入,否则一户也不导入")
    common.add_store_argument(p)
    p.add_argument("file", type=Path, help="填好的 .xlsx 文件")
    p.add_argument("--marked", type=Path,
                   help="有错误时标出错误的副本写到这里(默认:<文件名>.errors.xlsx)")
    p.add_argument("--update", action="store_true",
                   help="户主身份证号已在本站登记的户:按表格更新(列出改动),而不是当作重复拒绝")
    p.add_argument("--dry-run", action="store_true",
                   help="只检查并列出将新增和更新的内容,不保存")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_import)


def _check_out(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise common.CliError(f"输出文件应以 .xlsx 结尾:{path}")
    check_output_path(path)  # before the workbook is begun, not when it is saved


def cmd_export(args: argparse.Namespace) -> int:
    _check_out(args.out)
    if args.village and not (len(args.village) == 12 and args.village.isdigit()):
        raise common.CliError("--village 应为12位行政村区划代码")
    flt = HouseholdFilter(text=args.search, village_code=args.village, group_no=args.group,
                          stage=args.stage, poverty_status=args.status)
    with common.open_store(args) as store:
        try:
            report = export_households(store, args.out, flt, title=args.title)
        except OSError as e:
            raise common.CliError(f"无法写出 {args.out}:{e.strerror or e}") from None
    if args.json:
        common.emit_json({"path": str(report.path), "households": report.households,
                   "members": report.members})
    else:
        print(f"已导出 {report.households} 户、{report.members} 人:{report.path}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    _check_out(args.out)
    villages: list[str] = []
    if args.store:
        with common.open_store(args) as store:
            # An office imports no households (NotOwner): no template of its villages.
            household_access.require_may_edit(store)
            villages = station_villages(store)
    try:
        path = write_template(args.out, villages)
    except OSError as e:
        raise common.CliError(f"无法写出 {args.out}:{e.strerror or e}") from None
    if args.json:
        common.emit_json({"path": str(path)})
    else:
        print(f"已生成导入模板:{path}(请先阅读“填写说明”表)")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with common.open_store(args) as store:
        try:
            report = import_workbook(store, args.file, marked_path=args.marked,
                                     update=args.update, dry_run=args.dry_run)
        except (WorkbookError, UserError) as e:
            raise common.CliError(f"{e} 未导入任何数据。") from None
        except Cancelled:
            raise common.CliError("已取消,未导入任何数据") from None
    if args.json:
        common.emit_json(report.as_json())
    else:
        out = sys.stdout if report.ok else sys.stderr
        print(report.summary(), file=out)
        for p in report.problems[:_PRINTED_PROBLEMS]:
            print(f"  {p.sheet} 第{p.row}行 {p.column}列({p.header}):{p.message}", file=out)
        if report.problem_count > _PRINTED_PROBLEMS:
            where = (f"副本中的“错误说明”表列出前 {len(report.problems)} 处"
                     if report.marked_copy else f"--json 列出前 {len(report.problems)} 处")
            print(f"  …… 共 {report.problem_count} 处,{where}", file=out)
    return 0 if report.ok else BAD_ROWS_EXIT
