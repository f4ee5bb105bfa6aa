"""Subcommands of 精准扶持 and 动态管理: helper assign / end / list, team add / end / list,
plan add / result / list, income set / list, review open / set / list, member leave / join,
line set / list. Each acts as the logged-in user with the role the store records; the
refusals are the app's, in Chinese, and nothing is written then."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cli.arguments import day, integer
from cli.common import (
    CliError,
    acting,
    add_json_argument,
    add_store_argument,
    emit_json,
    open_store,
)
from forms import codelists as cl
from forms.checklists import checklist_for
from registry import audit, roles
from registry.aid import helpers, incomes, members, plans, poverty_line, review, teams
from registry.aid.common import log, may_write
from registry.models import Household, PovertyLine
from registry.procedure.record import store_kind
from registry.roles import Act

YEAR = integer(2013, 2035)
# `income set` options → household_income columns.
MONEY_OPTIONS = {
    "wage": "income_wage", "business": "income_business", "property": "income_property",
    "family-planning": "transfer_family_planning", "dibao": "transfer_dibao",
    "wubao": "transfer_wubao", "pension": "transfer_pension",
    "ecological": "transfer_ecological", "other-transfer": "transfer_other",
    "expense": "business_expense",
}
MONEY_LABELS = {"income_wage": "工资性收入", "income_business": "生产经营性收入",
                "income_property": "财产性收入", "transfer_family_planning": "计划生育金",
                "transfer_dibao": "低保金", "transfer_wubao": "五保金",
                "transfer_pension": "养老保险金", "transfer_ecological": "生态补偿金",
                "transfer_other": "其他转移性收入", "business_expense": "生产经营性支出"}
MAX_MONEY = Decimal("10000000")


def _money(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"应为金额(元),收到“{text}”") from None
    if not value.is_finite() or value < 0 or value > MAX_MONEY:
        raise argparse.ArgumentTypeError(f"金额应在 0 到 {MAX_MONEY} 元之间,收到“{text}”")
    return value.quantize(Decimal("0.01"))


@contextmanager
def _reading(args: argparse.Namespace) -> Iterator[Session]:
    with open_store(args) as store, store.session() as s:
        yield s


def _emit_rows(args: argparse.Namespace, rows: list[dict[str, Any]]) -> int:
    """--json: the rows as they are; else one tab-separated line per row."""
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            print("\t".join("" if v is None else str(v) for v in r.values()))
    return 0


def _household(s: Session, household_id: str) -> Household:
    h = s.get(Household, household_id)
    if h is None or h.deleted:
        raise CliError(f"户 {household_id} 不存在或已删除")
    return h


def register(sub: Any) -> None:
    _register_helpers(sub)
    _register_teams(sub)
    _register_plans(sub)
    _register_incomes(sub)
    _register_reviews(sub)
    _register_members(sub)
    _register_lines(sub)


# ---- helper ------------------------------------------------------------------------------
def _register_helpers(sub: Any) -> None:
    hp = sub.add_parser("helper", help="结对帮扶:指定、结束、列出帮扶责任人").add_subparsers(
        dest="helper_command", required=True)
    p = hp.add_parser("assign", help="为一户或多户指定帮扶责任人(原责任人在前一天结束)")
    add_store_argument(p)
    p.add_argument("--household", nargs="+", required=True, help="户编号(可多个)")
    p.add_argument("--name", required=True, help="姓名")
    p.add_argument("--unit", help="单位名称")
    p.add_argument("--title", help="职务")
    p.add_argument("--phone", help="联系电话")
    p.add_argument("--affiliation", help="单位隶属关系:中央/省/市/县/乡镇/部队/其他")
    p.add_argument("--unit-kind", help="单位性质:党政机关/事业单位/国有企业/民营企业/社会组织/其他")
    p.add_argument("--start", type=day, help="帮扶开始日期(默认今天)")
    add_json_argument(p)
    p.set_defaults(run=cmd_helper_assign)
    p = hp.add_parser("end", help="结束一条帮扶关系")
    add_store_argument(p)
    p.add_argument("--helper", required=True, help="帮扶记录编号(helper list 中的编号)")
    p.add_argument("--date", type=day, help="结束日期(默认今天)")
    p.add_argument("--reason", help="原因")
    p.set_defaults(run=cmd_helper_end)
    p = hp.add_parser("list", help="一户的帮扶责任人历史,或一个村的名册,或没有帮扶责任人的贫困户")
    add_store_argument(p)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--household", help="户编号:该户的全部帮扶责任人")
    which.add_argument("--village", help="12位行政村代码:该村帮扶责任人名册")
    which.add_argument("--uncovered", action="store_true", help="没有在帮责任人的建档立卡户")
    add_json_argument(p)
    p.set_defaults(run=cmd_helper_list)


def cmd_helper_assign(args: argparse.Namespace) -> int:
    values = {"name": args.name, "unit": args.unit, "title": args.title, "phone": args.phone,
              "affiliation": args.affiliation, "unit_kind": args.unit_kind,
              "start_date": args.start or date.today()}
    with acting(args) as (_, s, actor):
        rows = helpers.assign(s, actor, args.household, values)
        out = [{"helper_id": r.id, "household_id": r.household_id} for r in rows]
    if args.json:
        emit_json(out)
    else:
        for r in out:
            print(f"{r['household_id']}\t{args.name}\t帮扶记录 {r['helper_id']}")
    return 0


def cmd_helper_end(args: argparse.Namespace) -> int:
    with acting(args) as (_, s, actor):
        row = helpers.end(s, actor, args.helper, args.date or date.today(), args.reason)
        print(f"{row.name} 的帮扶于 {row.end_date} 结束")
    return 0


def _helper_dict(h: Any) -> dict[str, Any]:
    return {"helper_id": h.id, "household_id": h.household_id, "name": h.name,
            "unit": h.unit, "title": h.title, "phone": h.phone,
            "affiliation": cl.AFFILIATION.label_of(h.affiliation) if h.affiliation else None,
            "unit_kind": cl.UNIT_KIND.label_of(h.unit_kind) if h.unit_kind else None,
            "start_date": h.start_date, "end_date": h.end_date}


def cmd_helper_list(args: argparse.Namespace) -> int:
    with _reading(args) as s:
        if args.household:
            _household(s, args.household)
            rows: list[dict[str, Any]] = [_helper_dict(h)
                                          for h in helpers.history(s, args.household)]
        elif args.village:
            rows = [{"household_id": h.id, "head_name": h.head_name,
                     **({k: v for k, v in _helper_dict(helper).items() if k != "household_id"}
                        if helper else {"name": None})}
                    for h, helper in helpers.roster(s, args.village)]
        else:
            rows = [{"household_id": u.household_id, "head_name": u.head_name,
                     "village_code": u.village_code} for u in helpers.without_helper(s)]
    if args.json:
        emit_json(rows)
        return 0
    for r in rows:
        print("\t".join("" if v is None else str(v) for v in r.values()))
    if args.uncovered:
        print(f"共 {len(rows)} 户没有在帮的帮扶责任人")
    return 0


# ---- team --------------------------------------------------------------------------------
def _register_teams(sub: Any) -> None:
    tm = sub.add_parser("team", help="驻村工作队:增加、结束、列出队员").add_subparsers(
        dest="team_command", required=True)
    p = tm.add_parser("add", help="为一个村增加驻村工作队队员")
    add_store_argument(p)
    p.add_argument("--village", required=True, help="12位行政村代码")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, help="第一书记 / 队长 / 队员")
    p.add_argument("--unit", help="派出单位")
    p.add_argument("--title", help="职务")
    p.add_argument("--phone")
    p.add_argument("--start", type=day, help="驻村开始日期(默认今天)")
    p.set_defaults(run=cmd_team_add)
    p = tm.add_parser("end", help="队员结束驻村")
    add_store_argument(p)
    p.add_argument("--member", required=True, help="队员记录编号(team list 中的编号)")
    p.add_argument("--date", type=day, help="结束日期(默认今天)")
    p.set_defaults(run=cmd_team_end)
    p = tm.add_parser("list", help="一个村的驻村工作队")
    add_store_argument(p)
    p.add_argument("--village", required=True)
    p.add_argument("--all", action="store_true", help="包括已结束驻村的队员")
    add_json_argument(p)
    p.set_defaults(run=cmd_team_list)


def cmd_team_add(args: argparse.Namespace) -> int:
    values = {"name": args.name, "role": args.role, "unit": args.unit, "title": args.title,
              "phone": args.phone, "start_date": args.start or date.today()}
    with acting(args) as (_, s, actor):
        row = teams.add_member(s, actor, args.village, values)
        print(f"队员记录 {row.id}:{row.name}({cl.TEAM_ROLE.label_of(row.role)})")
    return 0


def cmd_team_end(args: argparse.Namespace) -> int:
    with acting(args) as (_, s, actor):
        row = teams.end_member(s, actor, args.member, args.date or date.today())
        print(f"{row.name} 于 {row.end_date} 结束驻村")
    return 0


def cmd_team_list(args: argparse.Namespace) -> int:
    with _reading(args) as s:
        rows = [{"member_id": m.id, "name": m.name, "role": cl.TEAM_ROLE.label_of(m.role),
                 "unit": m.unit, "title": m.title, "phone": m.phone,
                 "start_date": m.start_date, "end_date": m.end_date}
                for m in teams.team(s, args.village, all_time=args.all)]
    return _emit_rows(args, rows)


# ---- plan --------------------------------------------------------------------------------
def _register_plans(sub: Any) -> None:
    pl = sub.add_parser("plan", help="帮扶计划(户)与帮扶规划(村):增加、记录成效、列出"
                        ).add_subparsers(dest="plan_command", required=True)
    p = pl.add_parser("add", help="为一户增加帮扶计划,或(--village --project)为村增加帮扶规划项目")
    add_store_argument(p)
    whose = p.add_mutually_exclusive_group(required=True)
    whose.add_argument("--household", help="户编号")
    whose.add_argument("--village", help="12位行政村代码(村帮扶规划)")
    p.add_argument("--year", type=YEAR, required=True)
    p.add_argument("--measure", help="帮扶措施,如 产业发展、转移就业、危房改造")
    p.add_argument("--project", help="项目名称(村帮扶规划必填)")
    p.add_argument("--content", help="帮扶内容")
    for source in cl.FUND_SOURCE.choices:
        p.add_argument(f"--{source.code}", type=_money, help=f"{source.label}资金(元)")
    p.add_argument("--responsible", help="责任人(户)/ 责任单位(村)")
    p.add_argument("--status", help="实施状态:计划 / 实施中 / 已完成 / 未完成")
    p.set_defaults(run=cmd_plan_add)
    p = pl.add_parser("result", help="记录帮扶计划的实施状态和成效")
    add_store_argument(p)
    p.add_argument("--plan", required=True, help="计划编号(plan list 中的编号)")
    p.add_argument("--status", help="实施状态")
    p.add_argument("--result", help="帮扶成效")
    p.set_defaults(run=cmd_plan_result)
    p = pl.add_parser("list", help="一户的帮扶计划,或一个村的帮扶规划")
    add_store_argument(p)
    whose = p.add_mutually_exclusive_group(required=True)
    whose.add_argument("--household")
    whose.add_argument("--village")
    p.add_argument("--year", type=YEAR)
    add_json_argument(p)
    p.set_defaults(run=cmd_plan_list)


def cmd_plan_add(args: argparse.Namespace) -> int:
    values: dict[str, Any] = {
        "year": args.year, "measure": args.measure, "content": args.content,
        "responsible": args.responsible, "status": args.status,
        **{f"funds_{c.code}": getattr(args, c.code) for c in cl.FUND_SOURCE.choices}}
    with acting(args) as (_, s, actor):
        if args.household:
            row: Any = plans.add_plan(s, actor, args.household, values)
        else:
            row = plans.add_village_plan(s, actor, args.village,
                                         {**values, "project": args.project})
        print(f"计划编号 {row.id}:资金合计 {row.funds if row.funds is not None else 0} 元")
    return 0


def cmd_plan_result(args: argparse.Namespace) -> int:
    changes = {k: v for k, v in (("status", args.status), ("result", args.result))
               if v is not None}
    if not changes:
        raise CliError("请至少给出 --status 或 --result")
    with acting(args) as (_, s, actor):
        row = plans.update_plan(s, actor, args.plan, changes)
        print(f"计划 {row.id}:{cl.PLAN_STATUS.label_of(row.status) if row.status else ''}")
    return 0


def _plan_dict(p: Any) -> dict[str, Any]:
    return {"plan_id": p.id, "year": p.year,
            **({"project": p.project} if hasattr(p, "project") else {}),
            "measure": cl.AID_MEASURE.label_of(p.measure) if p.measure else None,
            "content": p.content,
            **{f"funds_{c.code}": getattr(p, f"funds_{c.code}")
               for c in cl.FUND_SOURCE.choices},
            "funds": p.funds, "responsible": p.responsible,
            "status": cl.PLAN_STATUS.label_of(p.status) if p.status else None,
            "result": p.result}


def cmd_plan_list(args: argparse.Namespace) -> int:
    with _reading(args) as s:
        if args.household:
            _household(s, args.household)
            rows = [_plan_dict(p) for p in plans.plans(s, args.household, args.year)]
        else:
            rows = [_plan_dict(p) for p in plans.village_plans(s, args.village, args.year)]
    return _emit_rows(args, rows)


# ---- income ------------------------------------------------------------------------------
def _register_incomes(sub: Any) -> None:
    ic = sub.add_parser("income", help="分年度收入:登记、列出(与该年度扶贫标准比较)"
                        ).add_subparsers(dest="income_command", required=True)
    p = ic.add_parser("set", help="登记一户某年度的收入(其他年度的保留)")
    add_store_argument(p)
    p.add_argument("--household", required=True)
    p.add_argument("--year", type=YEAR, required=True)
    for option, column in MONEY_OPTIONS.items():
        p.add_argument(f"--{option}", dest=column, type=_money,
                       help=f"{MONEY_LABELS[column]}(元)")
    add_json_argument(p)
    p.set_defaults(run=cmd_income_set)
    p = ic.add_parser("list", help="一户各年度的收入")
    add_store_argument(p)
    p.add_argument("--household", required=True)
    add_json_argument(p)
    p.set_defaults(run=cmd_income_list)


def _income_dict(s: Session, h: Household, row: Any, lines: poverty_line.Lines
                 ) -> dict[str, Any]:
    line = lines.line(row.year, h.identification_standard)
    return {"year": row.year, **{c: getattr(row, c) for c in incomes.MONEY_FIELDS},
            "size": row.size, "net_income": row.net_income,
            "net_income_per_capita": row.net_income_per_capita,
            "poverty_line": line.amount if line else None,
            "above_line": lines.above(row.net_income_per_capita, row.year,
                                      h.identification_standard),
            "compared": poverty_line.describe(row.net_income_per_capita, line)}


def cmd_income_set(args: argparse.Namespace) -> int:
    values = {c: getattr(args, c) for c in MONEY_OPTIONS.values()}
    if all(v is None for v in values.values()):
        raise CliError("请至少给出一项收入,如 --wage 8000")
    with acting(args) as (_, s, actor):
        may_write(s, actor)
        h = _household(s, args.household)
        row = incomes.put_income(s, h, args.year, values)
        if row.net_income_per_capita is not None and row.net_income_per_capita < 0:
            raise CliError(f"{args.year}年人均纯收入为 {row.net_income_per_capita} 元(小于0):"
                           "生产经营性支出不能大于收入,未登记")
        s.flush()
        log(s, actor, "income_set", h.id, {"year": args.year, **values})
        out = _income_dict(s, h, row, poverty_line.Lines(s))
    if args.json:
        emit_json(out)
    else:
        print(f"{args.year}年 人均纯收入 {out['net_income_per_capita']} 元,{out['compared']}")
    return 0


def cmd_income_list(args: argparse.Namespace) -> int:
    with _reading(args) as s:
        h = _household(s, args.household)
        lines = poverty_line.Lines(s)
        rows = [_income_dict(s, h, r, lines) for r in incomes.incomes(s, h.id)]
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            print(f"{r['year']}\t人均 {r['net_income_per_capita']} 元\t{r['compared']}")
    return 0


# ---- review ------------------------------------------------------------------------------
def _register_reviews(sub: Any) -> None:
    rv = sub.add_parser("review", help="年度动态调整:开启年度、逐户核查与调整意见、列表"
                        ).add_subparsers(dest="review_command", required=True)
    p = rv.add_parser("open", help="开启一个年度的动态调整(管理员)")
    add_store_argument(p)
    p.add_argument("--year", type=YEAR, required=True)
    p.set_defaults(run=cmd_review_open)
    p = rv.add_parser("set", help="记录一户的“两不愁三保障”核查和调整意见")
    add_store_argument(p)
    p.add_argument("--household", required=True)
    p.add_argument("--year", type=YEAR, required=True)
    p.add_argument("--met", default="",
                   help="已达标的项目,逗号分隔(food_clothing,education,medical,housing,water"
                        " 或中文名);未列出的为未达标")
    p.add_argument("--proposal", help="调整意见:脱贫 / 继续帮扶 / 返贫")
    p.add_argument("--note", help="说明")
    p.add_argument("--date", type=day, help="核查日期(默认今天)")
    p.set_defaults(run=cmd_review_set)
    p = rv.add_parser("list", help="一个村某年度的动态调整清单")
    add_store_argument(p)
    p.add_argument("--village", required=True)
    p.add_argument("--year", type=YEAR, required=True)
    add_json_argument(p)
    p.set_defaults(run=cmd_review_list)


def cmd_review_open(args: argparse.Namespace) -> int:
    with acting(args) as (_, s, actor):
        review.open_year(s, actor, args.year)
    print(f"已开启 {args.year} 年度动态调整")
    return 0


def cmd_review_set(args: argparse.Namespace) -> int:
    with acting(args) as (_, s, actor):
        h = _household(s, args.household)
        checklist = checklist_for(h.village_code, args.year)
        by_name = {**{i.key: i.key for i in checklist.items},
                   **{i.label: i.key for i in checklist.items}}
        met: set[str] = set()
        for part in args.met.replace(",", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if part not in by_name:
                raise CliError(f"“{part}”不是{checklist.name}的项目,可选:"
                               + "、".join(f"{i.key}({i.label})" for i in checklist.items))
            met.add(by_name[part])
        answers = {key: key in met for key in checklist.keys()}  # noqa: SIM118
        review.set_review(s, actor, h.id, args.year, answers, args.proposal, args.note,
                          args.date)
        unmet = [i.label for i in checklist.items if not answers[i.key]]
    print("已记录" + (f";未达标:{'、'.join(unmet)}" if unmet else f";{checklist.name}全部达标"))
    return 0


def cmd_review_list(args: argparse.Namespace) -> int:
    with _reading(args) as s:
        rows = review.review_list(s, args.village, args.year)
    out = [{"household_id": r.household_id, "head_name": r.head_name, "group_no": r.group_no,
            "size": r.size, "stage": r.stage_label, "poverty_status": r.status_label,
            "net_income_per_capita": r.per_capita, "poverty_line": r.line,
            "above_line": r.above_line, "checklist_met": r.met, "checklist_items": r.items,
            "proposal": r.proposal_label or None} for r in rows]
    return _emit_rows(args, out)


# ---- member ------------------------------------------------------------------------------
def _register_members(sub: Any) -> None:
    mb = sub.add_parser("member", help="成员变更(进出有据):减员、增员").add_subparsers(
        dest="member_command", required=True)
    p = mb.add_parser("change", help="减员:死亡、嫁出、出国定居、判刑收监、其他转出")
    add_store_argument(p)
    p.add_argument("--household", required=True)
    p.add_argument("--member", required=True, help="成员编号(households show --json 中的 id)")
    p.add_argument("--reason", required=True, help="死亡 / 嫁出 / 出国定居 / 判刑收监 / 其他转出")
    p.add_argument("--date", type=day, required=True, help="变更日期")
    p.add_argument("--evidence", help="证明材料,如 死亡证明、迁出证明")
    p.set_defaults(run=cmd_member_change)
    p = mb.add_parser("join", help="增员:嫁入、新生儿、其他转入")
    add_store_argument(p)
    p.add_argument("--household", required=True)
    p.add_argument("--reason", required=True, help="嫁入 / 新生儿 / 其他转入")
    p.add_argument("--date", type=day, required=True, help="变更日期")
    p.add_argument("--evidence", help="证明材料,如 出生医学证明、结婚证")
    p.add_argument("--name", required=True)
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--id-number", help="18位身份证号码")
    who.add_argument("--no-id", action="store_true",
                     help="暂无身份证号(须给出 --sex 和 --birth)")
    p.add_argument("--sex", help="男 / 女(暂无身份证号时)")
    p.add_argument("--birth", type=day, help="出生日期(暂无身份证号时)")
    p.add_argument("--relation", required=True, help="与户主关系,如 之子、配偶")
    p.add_argument("--ethnicity", default="汉族")
    p.add_argument("--health", default="健康")
    p.set_defaults(run=cmd_member_join)


def cmd_member_change(args: argparse.Namespace) -> int:
    with acting(args) as (_, s, actor):
        m = members.member_leaves(s, actor, args.household, args.member, args.reason,
                                  args.date, args.evidence)
        print(f"{m.name}:{cl.MEMBER_CHANGE_REASON.label_of(m.change_reason or '')}"
              f"({m.change_date})已记录;家庭人口 {m.household.size} 人")
    return 0


def cmd_member_join(args: argparse.Namespace) -> int:
    values = {"name": args.name, "id_number": args.id_number, "no_id_number": args.no_id,
              "sex": args.sex, "birth_date": args.birth, "relation": args.relation,
              "ethnicity": args.ethnicity, "health": args.health}
    with acting(args) as (_, s, actor):
        m = members.member_joins(s, actor, args.household, values, args.reason, args.date,
                                 args.evidence)
        size = _household(s, args.household).size
        print(f"成员编号 {m.id}:{m.name} 已增员;家庭人口 {size} 人")
    return 0


# ---- poverty line ------------------------------------------------------------------------
def _register_lines(sub: Any) -> None:
    ln = sub.add_parser("line", help="扶贫标准:按年度和识别标准设定、列出").add_subparsers(
        dest="line_command", required=True)
    p = ln.add_parser("set", help="设定某年度的扶贫标准(元/人/年)")
    add_store_argument(p)
    p.add_argument("--year", type=YEAR, required=True)
    p.add_argument("--amount", type=_money, required=True)
    p.add_argument("--standard", default="国家标准", help="国家标准(默认)/ 省定标准 / 市定标准")
    p.set_defaults(run=cmd_line_set)
    p = ln.add_parser("list", help="列出各年度扶贫标准")
    add_store_argument(p)
    add_json_argument(p)
    p.set_defaults(run=cmd_line_list)


@dataclass(frozen=True)
class _LineRow:
    year: int
    standard: str
    amount: Decimal


def cmd_line_set(args: argparse.Namespace) -> int:
    code = cl.IDENTIFICATION_STANDARD.code_of(args.standard)
    if code is None:
        raise CliError("识别标准只能是:国家标准、省定标准、市定标准")
    with open_store(args) as store, store.transaction() as s:
        if store_kind(s) != "county":
            raise CliError("扶贫标准由县扶贫办设定,随回传数据包下发到乡镇工作站")
        roles.require(store.role, Act.SETTINGS)
        poverty_line.set_line(s, args.year, args.amount, code)
        audit.record(s, store.user, "poverty_line", "poverty_line", None,
                     after={"year": args.year, "standard": code, "amount": args.amount})
    print(f"{args.year}年{cl.IDENTIFICATION_STANDARD.label_of(code)}:{args.amount} 元")
    return 0


def cmd_line_list(args: argparse.Namespace) -> int:
    with _reading(args) as s:
        rows = [_LineRow(y, st, a) for y, st, a in s.execute(
            select(PovertyLine.year, PovertyLine.standard, PovertyLine.amount)
            .where(PovertyLine.deleted.is_(False))
            .order_by(PovertyLine.year, PovertyLine.standard))]
    if args.json:
        emit_json([{"year": r.year, "standard": cl.IDENTIFICATION_STANDARD.label_of(r.standard),
                    "amount": r.amount} for r in rows])
    else:
        for r in rows:
            print(f"{r.year}\t{cl.IDENTIFICATION_STANDARD.label_of(r.standard)}\t{r.amount}")
    return 0

