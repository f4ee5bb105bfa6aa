"""Subcommands of 精准识别 and 脱贫退出: households add / history, procedure record (the exit
steps too: 拟退出, 退出民主评议, 贫困户认可, 乡镇审核退出, 销号, 返贫), notice open (first,
second, exit) / objection / close / list, county review / sample / check / decide / announce
(`--exit`: the exit track), quota set.

Each opens the store as FUPIN_USER (or --user) and acts with that user's role as the store
records it: the same refusals as the app, in Chinese, with nothing written."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from cli.arguments import day, integer
from cli.common import (
    CliError,
    acting,
    add_json_argument,
    add_store_argument,
    emit_json,
    open_store,
)
from forms.validation import Invalid
from registry import bulk, roles
from registry.household_access import require_may_edit
from registry.procedure import county, history, notices, quota, station
from registry.procedure.record import Recorded
from registry.procedure.steps import PASS, REJECT, RETURN, find_step, stage_name
from registry.regions import sichuan
from registry.roles import Act

MAX_JSON_BYTES = 50 * 1024 * 1024
MAX_HOUSEHOLDS = 50_000  # one add, as one Excel import
RESULTS = {"pass": PASS, "通过": PASS, "return": RETURN, "退回": RETURN, "reject": REJECT,
           "未通过": REJECT}
OUTCOMES = {"keep": notices.KEEP, "维持": notices.KEEP, "return": notices.RETURN_TO_VILLAGE,
            "退回": notices.RETURN_TO_VILLAGE, "退回重新评议": notices.RETURN_TO_VILLAGE,
            "cancel": notices.CANCEL, "取消": notices.CANCEL}
COUNTY_RESULTS = {"approve": True, "审定": True, "通过": True, "return": False, "退回": False}


def _choice(table: dict[str, Any], what: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        if text not in table:
            raise argparse.ArgumentTypeError(f"{what}只能是:{'、'.join(table)}")
        return table[text]
    return parse


def _share(text: str) -> float:
    try:
        value = float(text.strip().rstrip("%")) / (100 if text.strip().endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为0到1之间的小数(如 0.1)或百分数(如 10%),"
                                         f"收到“{text}”") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError("抽查比例应大于0且不超过1")
    return value


def _votes(text: str) -> tuple[int, int, int]:
    parts = text.replace("/", " ").replace(",", " ").split()
    try:
        numbers = tuple(int(p) for p in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 3 or min(numbers) < 0 or max(numbers) > 100_000:
        raise argparse.ArgumentTypeError(f"票数应写成 赞成/反对/弃权,如 35/2/1,收到“{text}”")
    return numbers[0], numbers[1], numbers[2]


def register(sub: Any, households: Any) -> None:
    """`households` is the `fupin households` subparsers (cli/station.py)."""
    p = households.add_parser("add", help="登记农户(从 JSON 文件,格式同 households show --json)"
                                          ",登记即记录农户申请;输出新户编号")
    add_store_argument(p)
    p.add_argument("--json", dest="json_file", required=True, type=Path,
                   help="JSON 文件:一户(对象)或多户(列表)")
    p.add_argument("--date", type=day, help="申请日期 YYYY-MM-DD(默认今天)")
    p.add_argument("--recommended", action="store_true", help="村民小组推荐(默认本人申请)")
    p.set_defaults(run=cmd_households_add)
    p = households.add_parser("history", help="一户的档案:程序步骤、公示、异议、县级决定、修改记录")
    add_store_argument(p)
    p.add_argument("household_id")
    add_json_argument(p)
    p.set_defaults(run=cmd_households_history)

    proc = sub.add_parser("procedure", help="精准识别和脱贫退出程序:记录步骤").add_subparsers(
        dest="procedure_command", required=True)
    p = proc.add_parser("record",
                        help="为若干户记录一个步骤(民主评议、入户核实、乡镇审核、建档立卡;"
                             "拟退出、退出民主评议、贫困户认可、乡镇审核退出、销号、返贫)")
    add_store_argument(p)
    p.add_argument("--step", required=True,
                   help="evaluate 民主评议 / verify 入户核实 / township-review 乡镇审核 / "
                        "register 建档立卡 / exit-propose 拟退出 / exit-evaluate 退出民主评议 / "
                        "exit-agree 贫困户认可 / exit-township-review 乡镇审核退出 / "
                        "exit-close 销号 / relapse 返贫(中文名也可)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--household", nargs="+", help="户编号(可多个)")
    who.add_argument("--village", help="12位行政村代码:贫困村的步骤(申请、乡镇审核、乡镇公示、"
                                       "乡镇公示期满、申请退出、退出公示、退出公示期满;"
                                       "县扶贫办:县审定、公告、县审定退出、退出公告)")
    p.add_argument("--date", type=day, required=True, help="日期 YYYY-MM-DD")
    p.add_argument("--ref", help="贫困村县审定、公告:文号")
    p.add_argument("--days", type=integer(1, 60), help="贫困村乡镇公示、退出公示:公示天数(默认7天)")
    p.add_argument("--result", type=_choice(RESULTS, "结果"), default=PASS,
                   help="pass 通过(默认)/ return 退回 / reject 未通过")
    p.add_argument("--reason", help="退回或未通过的原因")
    p.add_argument("--votes", type=_votes, help="民主评议票数 赞成/反对/弃权,如 35/2/1")
    p.add_argument("--participants", type=integer(1, 100_000), help="民主评议参会人数")
    p.add_argument("--checkers", help="入户核实:核实人(村两委、驻村工作队)")
    p.add_argument("--findings", help="入户核实:核实情况")
    p.add_argument("--override", help="乡镇审核超出规模时的理由")
    p.add_argument("--year", type=integer(2013, 2035),
                   help="拟退出、销号、返贫:年度(默认日期所在年)")
    p.add_argument("--evidence", help="返贫:原因的证明材料(必填)")
    p.add_argument("--signed-by", help="贫困户认可:签字人")
    p.add_argument("--reviewer", help="乡镇审核、乡镇审核退出:审核人")
    p.add_argument("--fact", action="append", default=[], metavar="名称=值",
                   help="步骤的其他事实,如 --fact evidence=医疗费用发票(可多次)")
    add_json_argument(p)
    p.set_defaults(run=cmd_procedure_record)

    nt = sub.add_parser("notice", help="公示:发起、登记异议、结束、列表").add_subparsers(
        dest="notice_command", required=True)
    p = nt.add_parser("open", help="发起公示(列出所选农户)并打印公示")
    add_store_argument(p)
    p.add_argument("--kind", required=True, choices=[notices.FIRST, notices.SECOND, notices.EXIT],
                   help="first 村第一次公示 / second 乡镇第二次公示 / exit 村退出公示")
    p.add_argument("--village", help="第一次公示、退出公示:12位行政村代码")
    p.add_argument("--household", nargs="+", required=True, help="户编号(可多个)")
    p.add_argument("--start", type=day, help="公示开始日期(默认今天)")
    p.add_argument("--days", type=integer(1, notices.MAX_DAYS), default=notices.DEFAULT_DAYS,
                   help="公示天数(默认7天)")
    p.add_argument("--out", type=Path, help="公示 PDF 文件")
    p.add_argument("--phone", default="", help="监督(异议)电话")
    add_json_argument(p)
    p.set_defaults(run=cmd_notice_open)
    p = nt.add_parser("objection", help="登记公示期间收到的异议")
    add_store_argument(p)
    p.add_argument("--notice", required=True, help="公示编号,如 2026-001")
    p.add_argument("--household", required=True, help="户编号")
    p.add_argument("--text", required=True, help="异议内容")
    p.add_argument("--outcome", required=True, type=_choice(OUTCOMES, "处理结果"),
                   help="keep 维持 / return 退回重新评议 / cancel 取消")
    p.add_argument("--by", help="异议人(不填为匿名)")
    p.add_argument("--checking", help="核查情况")
    p.add_argument("--date", type=day, help="收到日期(默认今天)")
    p.set_defaults(run=cmd_notice_objection)
    p = nt.add_parser("close", help="公示期满后结束公示,未被退回的农户进入下一步")
    add_store_argument(p)
    p.add_argument("--notice", required=True, help="公示编号")
    p.add_argument("--date", type=day, help="结束日期(默认今天)")
    add_json_argument(p)
    p.set_defaults(run=cmd_notice_close)
    p = nt.add_parser("list", help="列出公示")
    add_store_argument(p)
    p.add_argument("--due", action="store_true", help="只列公示期已满、尚未结束的")
    p.add_argument("--region", help="只列这个县(6位)、乡镇(9位)或村(12位)的公示")
    add_json_argument(p)
    p.set_defaults(run=cmd_notice_list)

    ct = sub.add_parser("county", help="县扶贫办:复审队列、抽查、审定、公告"
                                       "(--exit:脱贫退出)").add_subparsers(
        dest="county_command", required=True)
    p = ct.add_parser("review", help="县复审队列(--exit:县审定退出队列)")
    add_store_argument(p)
    _exit_argument(p)
    p.add_argument("--station", help="9位乡镇代码(默认全部)")
    add_json_argument(p)
    p.set_defaults(run=cmd_county_review)
    p = ct.add_parser("sample", help="随机抽查复审队列中的一部分农户")
    add_store_argument(p)
    _exit_argument(p)
    p.add_argument("--share", required=True, type=_share, help="比例,如 0.1 或 10%%")
    p.add_argument("--station", help="9位乡镇代码(默认全部)")
    p.add_argument("--seed", type=integer(0, 2**31 - 1), help="随机数种子(复核抽样用)")
    add_json_argument(p)
    p.set_defaults(run=cmd_county_sample)
    p = ct.add_parser("check", help="记录一户抽查的核查结果")
    add_store_argument(p)
    _exit_argument(p)
    p.add_argument("--household", required=True)
    p.add_argument("--result", required=True, choices=["pass", "fail"],
                   help="pass 核查通过 / fail 核查未通过")
    p.add_argument("--note", help="核查情况(未通过时必填)")
    p.set_defaults(run=cmd_county_check)
    p = ct.add_parser("decide", help="审定(以文号)或退回乡镇(写明原因)")
    add_store_argument(p)
    _exit_argument(p)
    p.add_argument("--household", nargs="+", required=True)
    p.add_argument("--result", required=True, type=_choice(COUNTY_RESULTS, "结果"),
                   help="approve 审定 / return 退回")
    p.add_argument("--ref", help="文号(审定必填)")
    p.add_argument("--reason", help="退回原因")
    p.add_argument("--override", help="超出规模时的理由")
    p.set_defaults(run=cmd_county_decide)
    p = ct.add_parser("announce", help="公告:以文号审定的农户,并打印县公告"
                                       "(--exit:退出公告)")
    add_store_argument(p)
    _exit_argument(p)
    p.add_argument("--ref", required=True, help="文号")
    p.add_argument("--date", type=day, help="公告日期(默认今天)")
    p.add_argument("--out", type=Path, help="公告 PDF 文件(精准识别的公告必填)")
    add_json_argument(p)
    p.set_defaults(run=cmd_county_announce)

    qt = sub.add_parser("quota", help="规模控制").add_subparsers(dest="quota_command",
                                                             required=True)
    p = qt.add_parser("set", help="县:设定乡镇的贫困户规模;乡镇:分配到村(--village)")
    add_store_argument(p)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--township", help="9位乡镇代码(县扶贫办设定)")
    where.add_argument("--village", help="12位行政村代码(乡镇分配)")
    p.add_argument("--households", required=True, type=integer(0, quota.MAX_QUOTA))
    p.add_argument("--people", required=True, type=integer(0, quota.MAX_QUOTA))
    p.add_argument("--reason", help="说明")
    p.set_defaults(run=cmd_quota_set)


def _exit_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--exit", dest="track", action="store_const", const=county.EXIT,
                   default=county.IDENTIFY, help="脱贫退出(县审定退出、退出公告)")


def _invalid(e: Invalid) -> CliError:
    return CliError("数据有误,未登记任何农户:\n" + "\n".join(
        f"  {m}" for m in dict.fromkeys(str(err.message) for err in e.errors)))


def _moved(done: list[Recorded]) -> None:
    for r in done:
        print(f"{r.household_id}\t{r.head_name}\t{stage_name(r.before)} → {stage_name(r.after)}")


# ---- households ------------------------------------------------------------------------
def _read_households(path: Path) -> list[bulk.RawHousehold]:
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise CliError(f"{path.name} 超过 {MAX_JSON_BYTES // 1024 // 1024} MB")
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise CliError(f"找不到文件:{path}") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        raise CliError(f"{path.name} 不是 UTF-8 编码的 JSON 文件") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise CliError("文件中没有农户")
    if len(items) > MAX_HOUSEHOLDS:
        raise CliError(f"一次最多登记 {MAX_HOUSEHOLDS} 户")
    out: list[bulk.RawHousehold] = []
    for n, item in enumerate(items, start=1):
        members = item.get("members") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(members, list) \
                or not all(isinstance(m, dict) for m in members):
            raise CliError(f"第 {n} 户格式不对:应为对象,并有 members 列表"
                           "(格式同 households show --json)")
        household = {k: v for k, v in item.items() if k != "members"}
        out.append((household, [{k: v for k, v in m.items() if k != "id"} for m in members]))
    return out


def cmd_households_add(args: argparse.Namespace) -> int:
    items = _read_households(args.json_file)
    with acting(args) as (store, s, actor):
        require_may_edit(store)
        try:
            result = bulk.register_households(
                s, actor.user, items, reason="households add", role=actor.role,
                applied_on=args.date or date.today(),
                labels=[f"第{i}户" for i in range(1, len(items) + 1)],
                how="村民小组推荐" if args.recommended else "本人申请")
        except bulk.BulkInvalid as e:
            raise CliError("数据有误,未登记任何农户:\n" + "\n".join(
                f"  第{err.item + 1}户:{err.error.message}" for err in e.item_errors[:50]
            )) from None
        except Invalid as e:
            raise _invalid(e) from None
    for hid in result.household_ids:
        print(hid)
    return 0


def cmd_households_history(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.session() as s:
        items = history.timeline(s, args.household_id)
    if args.json:
        emit_json([i.as_json() for i in items])
        return 0
    for i in items:
        who = i.user + (f"({roles.role_name(i.role)})" if i.role else "")
        print(f"{i.on.isoformat()}  {i.title}  {i.detail}  {who}".rstrip())
    return 0


# ---- procedure ---------------------------------------------------------------------------
def _facts(args: argparse.Namespace) -> dict[str, Any]:
    """The step's facts from the options and `--fact 名称=值` (names the step records)."""
    facts: dict[str, Any] = {"participants": args.participants, "checkers": args.checkers,
                             "findings": args.findings, "year": args.year,
                             "evidence": args.evidence, "signed_by": args.signed_by,
                             "reviewer": args.reviewer}
    step = find_step(args.step)
    allowed = step.facts if step is not None else ()
    for text in args.fact:
        name, sep, value = text.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise CliError(f"--fact 应写成 名称=值,如 evidence=医疗费用发票,收到“{text}”")
        if name not in allowed:
            names = "、".join(allowed) or "无"
            raise CliError(f"“{args.step}”没有名为 {name} 的事实(可用:{names})")
        facts[name] = value
    return facts


def cmd_procedure_record(args: argparse.Namespace) -> int:
    if args.village is not None:
        from cli.village_commands import record_village  # noqa: PLC0415

        return record_village(args)
    facts = _facts(args)
    if args.votes:
        facts.update(zip(("votes_for", "votes_against", "votes_abstain"), args.votes,
                         strict=True))
    with acting(args) as (_store, s, actor):
        done = station.record_step(s, actor, args.step, args.household, args.date,
                                   args.result, args.reason, facts, args.override,
                                   today=date.today())
    if args.json:
        emit_json([asdict(r) for r in done])
    else:
        _moved(done)
    return 0


# ---- notices -----------------------------------------------------------------------------
def cmd_notice_open(args: argparse.Namespace) -> int:
    if args.out is not None and not args.out.parent.is_dir():
        raise CliError(f"文件夹不存在:{args.out.parent}")
    with acting(args) as (store, s, actor):
        if args.kind in (notices.FIRST, notices.EXIT):
            if not args.village:
                raise CliError(f"{notices.KIND_NAMES[args.kind]}须用 --village 指定行政村")
            region = args.village
        else:
            region = store.info.region_code
        notice = notices.open_notice(s, actor, args.kind, region, args.household,
                                     args.start or date.today(), args.days, today=date.today())
        number = notice.number
    pages = None
    if args.out is not None:
        pages = _print_notice(args, number)
    if args.json:
        emit_json({"number": number, "households": len(set(args.household)),
                   "path": str(args.out) if args.out else None, "pages": pages})
    else:
        print(number)
        if args.out is not None:
            print(f"已生成 {args.out}")
    return 0


def _print_notice(args: argparse.Namespace, number: str) -> int:
    from reports.pdf.notice import print_notice_record

    with open_store(args) as store, store.session() as s:
        return print_notice_record(s, number, args.out, phone=args.phone).pages


def cmd_notice_objection(args: argparse.Namespace) -> int:
    with acting(args) as (_store, s, actor):
        notices.add_objection(s, actor, args.notice, args.household, args.text, args.outcome,
                              args.date or date.today(), objector=args.by,
                              checking=args.checking, today=date.today())
    print(f"已登记异议(处理:{notices.OUTCOME_NAMES[args.outcome]})")
    return 0


def cmd_notice_close(args: argparse.Namespace) -> int:
    with acting(args) as (_store, s, actor):
        done = notices.close_notice(s, actor, args.notice, args.date or date.today(),
                                    today=date.today())
    if args.json:
        emit_json([asdict(r) for r in done])
    else:
        print(f"公示 {args.notice} 已结束,{len(done)} 户进入下一步")
        _moved(done)
    return 0


def cmd_notice_list(args: argparse.Namespace) -> int:
    today = date.today()
    region = args.region.strip() if args.region is not None else None
    place = sichuan().get(region) if region is not None else None
    if region is not None and (not region.isdigit() or len(region) not in (6, 9, 12)):
        raise CliError(f"区划代码“{region}”不对:县为6位、乡镇9位、村12位数字")
    if region is not None and place is None:
        raise CliError(f"四川省没有区划代码 {region}")
    with open_store(args) as store, store.session() as s:
        rows = notices.list_notices(s, due_only=args.due, today=today, region=region)
    if args.json:
        emit_json([{**asdict(n), "title": n.title, "due": n.due(today)} for n in rows])
        return 0
    if not rows:
        what = "到期的公示" if args.due else "公示"
        print(f"{place.name}没有{what}" if place else
              ("没有到期的公示" if args.due else "还没有公示"))
    for n in rows:
        state = f"已结束 {n.closed_on}" if n.closed_on else ("已到期,待结束" if n.due(today)
                                                             else "公示中")
        print(f"{n.number}\t{n.title}\t{n.start_date}至{n.end_date}\t{n.households} 户\t"
              f"异议 {n.objections}\t{state}")
    return 0


# ---- county ------------------------------------------------------------------------------
def cmd_county_review(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.session() as s:
        store.require(Act.COUNTY_REVIEW)
        rows = county.review_queue(s, args.station, args.track)
    if args.json:
        emit_json([asdict(r) for r in rows])
        return 0
    if not rows:
        print(f"{county.TRACKS[args.track].name}队列为空")
    for r in rows:
        sampled = county.SAMPLE_NAMES.get(r.sample, "") if r.sample else ""
        print(f"{r.household_id}\t{r.township_name}\t{r.village_name}\t{r.head_name}\t"
              f"{r.size} 人\t{sampled}".rstrip())
    return 0


def cmd_county_sample(args: argparse.Namespace) -> int:
    with acting(args) as (_store, s, actor):
        chosen = county.sample(s, actor, args.share, args.station, args.seed, args.track)
    if args.json:
        emit_json([asdict(r) for r in chosen])
    else:
        print(f"抽中 {len(chosen)} 户,请逐户核查(county check):")
        for r in chosen:
            print(f"{r.household_id}\t{r.village_name}\t{r.head_name}")
    return 0


def cmd_county_check(args: argparse.Namespace) -> int:
    with acting(args) as (_store, s, actor):
        county.check_sample(s, actor, args.household, args.result == "pass", args.note,
                            args.track)
    print("已记录核查结果")
    return 0


def cmd_county_decide(args: argparse.Namespace) -> int:
    with acting(args) as (_store, s, actor):
        n = county.decide(s, actor, args.household, args.result, args.ref, args.reason,
                          args.override, args.track)
    what = ("审定退出" if args.track == county.EXIT else "审定") if args.result else "退回"
    print(f"已{what} {n} 户" + (f"(文号 {args.ref})" if args.result else ""))
    return 0


def cmd_county_announce(args: argparse.Namespace) -> int:
    exiting = args.track == county.EXIT
    if args.out is None and not exiting:
        raise CliError("请用 --out 指定公告 PDF 文件")
    if args.out is not None and not args.out.parent.is_dir():
        raise CliError(f"文件夹不存在:{args.out.parent}")
    with acting(args) as (_store, s, actor):
        result = county.announce(s, actor, args.ref, args.date or date.today(), args.track)
    pages = None
    if args.out is not None:
        from reports.pdf.exits import print_exit_announcement
        from reports.pdf.notice import print_announcement

        with open_store(args) as store, store.session() as s:
            if exiting:
                pages = print_exit_announcement(
                    s, args.ref, args.out, on=result.on,
                    household_ids=[h.household_id for h in result.households]).pages
            else:
                pages = print_announcement(s, args.ref, args.out).pages
    name = county.TRACKS[args.track].announce_name
    if args.json:
        emit_json({"ref": result.ref, "date": result.on, "households": len(result.households),
                   "track": args.track, "path": str(args.out) if args.out else None,
                   "pages": pages})
    else:
        print(f"{name} {result.ref}:{len(result.households)} 户"
              + (f",已生成 {args.out}" if args.out else ""))
    return 0


# ---- quota -------------------------------------------------------------------------------
def cmd_quota_set(args: argparse.Namespace) -> int:
    with acting(args) as (_store, s, actor):
        if args.township:
            quota.set_township_quota(s, actor, args.township, args.households, args.people,
                                     args.reason)
        else:
            quota.set_village_quota(s, actor, args.village, args.households, args.people)
    print(f"已设定规模:{args.households} 户 {args.people} 人")
    return 0

