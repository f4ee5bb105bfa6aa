"""`fupin village show|edit`: a village's 贫困村登记表 facts of one year with the figures
counted from its households (建档立卡贫困户数、贫困人口、贫困发生率 …), where its 贫困村
procedure stands, and the exit checklist; `edit` sets facts, one option per fact of the
form (forms/village.py). Village steps go through `fupin procedure record --village`
(record_village below)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from cli.arguments import integer
from cli.common import CliError, add_json_argument, add_store_argument, emit_json, open_store
from forms.fields import FieldType
from forms.validation import Invalid
from forms.village import FACT_FIELDS, VILLAGE_FACTS_FORM
from registry.poor_villages.actions import record_village_step
from registry.poor_villages.facts import fact_text, set_facts
from registry.poor_villages.sheet import VillageSheet, village_sheet
from registry.procedure.record import Actor

# The options `edit` takes, each a fact of the form; the brief's names first.
OPTIONS = {"households_registered": "--households", "people_registered": "--people",
           "people_agricultural": "--agricultural-people",
           "collective_income": "--collective-income",
           "distance_to_township_km": "--distance-km", "road_hardened": "--road",
           "bus_service": "--bus", "water_safe": "--water", "electricity": "--electricity",
           "broadband": "--broadband", "clinic": "--clinic", "culture_room": "--culture-room",
           "note": "--note"}
YEAR = integer(2013, 2035)


def _village(text: str) -> str:
    text = text.strip()
    if len(text) != 12 or not text.isdigit():
        raise argparse.ArgumentTypeError(f"行政村代码应为12位数字,收到“{text}”")
    return text


def register(sub: Any) -> None:
    v = sub.add_parser("village", help="贫困村:登记表基本情况、计算数字、程序和退出核查"
                       ).add_subparsers(dest="village_command", required=True)
    p = v.add_parser("show", help="一个村的贫困村登记表:基本情况、建档立卡户数和人口、"
                                  "贫困发生率、程序步骤、退出核查")
    add_store_argument(p)
    p.add_argument("--village", required=True, type=_village, help="12位行政村代码")
    p.add_argument("--year", type=YEAR, help="年度(默认:已登记的最近年度)")
    add_json_argument(p)
    p.set_defaults(run=cmd_show)
    p = v.add_parser("edit", help="登记或修改一个村某年度的基本情况(只改给出的项)")
    add_store_argument(p)
    p.add_argument("--village", required=True, type=_village, help="12位行政村代码")
    p.add_argument("--year", required=True, type=YEAR, help="年度")
    for name in FACT_FIELDS:
        f = VILLAGE_FACTS_FORM[name]
        unit = f"({f.unit})" if f.unit else ""
        kind = "是/否" if f.type is FieldType.BOOL else "数字" if f.type in (
            FieldType.INTEGER, FieldType.DECIMAL) else "文字"
        p.add_argument(OPTIONS[name], dest=name, metavar=kind,
                       help=f"{f.label}{unit}{';' + f.hint if f.hint else ''}(空值清除)")
    add_json_argument(p)
    p.set_defaults(run=cmd_edit)


def cmd_show(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.session() as s:
        sheet = village_sheet(s, args.village, args.year)
    if args.json:
        emit_json(sheet.as_json())
    else:
        _print_sheet(sheet)
    return 0


def _print_sheet(sheet: VillageSheet) -> None:
    f = sheet.figures
    print(f"{sheet.county}{sheet.township}{sheet.name}({sheet.code}) {sheet.year}年")
    print(f"贫困村状态:{sheet.status_name}  程序:{sheet.stage_name}"
          + (f"  退出年度:{sheet.exit_year}" if sheet.exit_year else ""))
    if not sheet.has_facts:
        print(f"({sheet.year}年基本情况尚未登记:fupin village edit)")
    for name in FACT_FIELDS:
        field = VILLAGE_FACTS_FORM[name]
        value = fact_text(name, sheet.facts.get(name))
        print(f"  {field.label}:{value or '未填'}{field.unit if value and field.unit else ''}")
    rate = f"{f.incidence}%" if f.incidence is not None else "无法计算(农业户籍人口未填)"
    print(f"建档立卡贫困户数:{f.poor_households} 户  贫困人口:{f.poor_people} 人  "
          f"贫困发生率:{rate}")
    print(f"{sheet.year}年脱贫:{f.exited_households} 户 {f.exited_people} 人  "
          f"帮扶责任人:{f.helpers} 人(覆盖 {f.covered} 户)  驻村工作队:{len(f.team)} 人")
    c = sheet.checklist
    print(f"退出核查({c.name}):{'符合' if c.passed else '不符合'}")
    for i in c.items:
        print(f"  {'✓' if i.met else '✗'} {i.label}:{i.value}"
              + (f"({i.why})" if i.why else ""))
    for st in sheet.steps:
        print(f"{st.on.isoformat()}  {st.name}  {st.result}  {st.user}"
              + (f"  {st.reason}" if st.reason else ""))


def cmd_edit(args: argparse.Namespace) -> int:
    values = {n: (None if getattr(args, n).strip() == "" else getattr(args, n))
              for n in FACT_FIELDS if getattr(args, n) is not None}
    if not values:
        raise CliError("请至少给出一项,如 --agricultural-people 1200")
    with open_store(args) as store, store.transaction() as s:
        try:
            set_facts(s, Actor(store.user, store.role), args.village, args.year, values)
        except Invalid as e:
            raise CliError("数据有误,未作修改:\n" + "\n".join(
                f"  {err.message}" for err in e.errors)) from None
    with open_store(args) as store, store.session() as s:
        sheet = village_sheet(s, args.village, args.year)
    if args.json:
        emit_json(sheet.as_json())
    else:
        print(f"已保存 {sheet.name} {args.year}年基本情况")
        _print_sheet(sheet)
    return 0


def record_village(args: argparse.Namespace) -> int:
    """`procedure record --village`: one village step (or, at the county, its decision)."""
    village = _village_or_refuse(args.village)
    facts: dict[str, Any] = {"days": args.days, "year": args.year}
    for text in args.fact:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise CliError(f"--fact 应写成 名称=值,收到“{text}”")
        facts[name.strip()] = value.strip()
    with open_store(args) as store, store.transaction() as s:
        line = record_village_step(s, Actor(store.user, store.role), args.step, village,
                                   args.date, args.result, args.reason, facts, args.ref,
                                   today=date.today())
    if args.json:
        emit_json({"village": village, "message": line})
    else:
        print(line)
    return 0


def _village_or_refuse(text: str) -> str:
    try:
        return _village(text)
    except argparse.ArgumentTypeError as e:
        raise CliError(str(e)) from None


