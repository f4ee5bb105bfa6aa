"""Subcommands of a station (or county) store: init, demo, households, users, verify."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cli import procedure_commands
from cli.arguments import integer
from cli.common import (
    NEW_PASSWORD_ENV,
    CliError,
    add_json_argument,
    add_store_argument,
    ask_password,
    emit_json,
    open_store,
    shown_store,
    store_target,
)
from forms import codelists as cl
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from registry import demo, roles
from registry.errors import StoreError, UserError
from registry.households import get_household, household_values, member_values
from registry.models import Household, Member
from registry.search import HouseholdFilter, household_ids, household_rows
from registry.store import Store
from sync import demo_county, enroll

# A demo as large as a big county (200,000 households); more is a typing slip.
MAX_DEMO = 200_000


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="新建加密数据库(乡镇工作站或县扶贫办)")
    p.add_argument("--store", required=True, type=store_target,
                   help="新数据库文件,或服务器上的空数据库 postgresql://…")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--township", help="乡镇工作站:9位乡镇区划代码")
    where.add_argument("--county", help="县扶贫办:6位县区划代码")
    where.add_argument("--city", help="市(州)扶贫办:4位区划代码(汇总各县)")
    where.add_argument("--province", help="省扶贫办:2位区划代码(汇总各市州或各县)")
    p.add_argument("--user", required=True, help="第一位管理员的用户名")
    add_json_argument(p)
    p.set_defaults(run=cmd_init)

    p = sub.add_parser("demo", help="在本站生成演示农户")
    add_store_argument(p)
    p.add_argument("--households", type=integer(1, MAX_DEMO), required=True)
    p.add_argument("--seed", type=integer(0, 2**31 - 1), default=1)
    add_json_argument(p)
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("demo-station", help="建一个演示工作站(含演示数据)并说明如何打开")
    p.add_argument("--dir", type=Path, default=Path("demo-station"))
    p.add_argument("--households", type=integer(1, MAX_DEMO),
                   default=demo.DEMO_STATION_HOUSEHOLDS)
    add_json_argument(p)
    p.set_defaults(run=cmd_demo_station)

    p = sub.add_parser("demo-county", help="建一个演示县:县扶贫办和各乡镇工作站数据库,"
                                           "已注册、已同步、已审定并回传")
    p.add_argument("--dir", type=Path, default=Path("demo-county"))
    p.add_argument("--stations", type=integer(1, 99), default=demo_county.DEMO_STATIONS,
                   help=f"乡镇工作站个数(默认 {demo_county.DEMO_STATIONS})")
    p.add_argument("--households", type=integer(1, 20_000),
                   default=demo_county.DEMO_HOUSEHOLDS,
                   help=f"每个工作站的演示农户数(默认 {demo_county.DEMO_HOUSEHOLDS})")
    add_json_argument(p)
    p.set_defaults(run=cmd_demo_county)

    hh = sub.add_parser("households", help="农户:列表、查看、登记、档案").add_subparsers(
        dest="households_command", required=True)
    p = hh.add_parser("list", help="列出农户(可搜索)")
    add_store_argument(p)
    p.add_argument("--search", default="", help="姓名、拼音首字母、全拼、身份证号片段或村代码")
    p.add_argument("--village", help="12位行政村代码")
    p.add_argument("--group", type=integer(1, 99), help="村民小组号")
    p.add_argument("--stage", help="识别阶段代码")
    p.add_argument("--status", help="脱贫状态代码")
    p.add_argument("--limit", type=integer(1, 10**7), default=None)
    add_json_argument(p)
    p.set_defaults(run=cmd_households_list)
    p = hh.add_parser("show", help="查看一户的全部信息")
    add_store_argument(p)
    p.add_argument("household_id")
    add_json_argument(p)
    p.set_defaults(run=cmd_households_show)

    procedure_commands.register(sub, hh)

    users = sub.add_parser("users", help="用户:添加、删除、改密码、列表").add_subparsers(
        dest="users_command", required=True)
    p = users.add_parser("add", help="添加用户(管理员)")
    add_store_argument(p)
    p.add_argument("name")
    p.add_argument("--role", default=None,
                   help="角色:乡镇 录入员(entry)、审核员(review)、管理员(admin);"
                        "县 县审核员(county_review)、县管理员(county_admin)。"
                        "默认乡镇为录入员,县为县审核员")
    p.set_defaults(run=cmd_users_add)
    p = users.add_parser("role", help="修改用户的角色(管理员)")
    add_store_argument(p)
    p.add_argument("name")
    p.add_argument("--role", required=True)
    p.set_defaults(run=cmd_users_role)
    p = users.add_parser("remove", help="删除用户(管理员);其密码随即失效")
    add_store_argument(p)
    p.add_argument("name")
    p.set_defaults(run=cmd_users_remove)
    p = users.add_parser("passwd", help="修改登录用户自己的密码")
    add_store_argument(p)
    p.set_defaults(run=cmd_users_passwd)
    p = users.add_parser("list", help="列出用户")
    add_store_argument(p)
    add_json_argument(p)
    p.set_defaults(run=cmd_users_list)

    p = sub.add_parser("verify", help="检查数据库:加密页校验、结构完整性、密钥文件、审计链")
    add_store_argument(p)
    add_json_argument(p)
    p.set_defaults(run=cmd_verify)


OFFICE_LABELS = {"station": "乡镇工作站", "county": "县扶贫办", "city": "市(州)扶贫办",
                 "province": "省扶贫办"}


def _store_error(e: StoreError) -> CliError:
    return CliError(str(e))


def cmd_init(args: argparse.Namespace) -> int:
    given = [(kind, code) for kind, code in (("station", args.township), ("county", args.county),
                                              ("city", args.city), ("province", args.province))
             if code]
    if len(given) != 1:
        raise CliError("请给出 --township(乡镇工作站,9位代码)、--county(县扶贫办,6位代码)、"
                       "--city(市州,4位)或 --province(省,2位)之一")
    kind, code = given[0]
    password = ask_password("为新用户设置密码(至少8位):", confirm=True)
    try:
        store, recovery = Store.create(args.store, kind=kind, region_code=code,
                                       user=args.user, password=password)
    except StoreError as e:
        raise _store_error(e) from None
    with store:
        info = store.info
        fingerprint = enroll.own_fingerprint(store)  # makes the sync keys at setup
    if args.json:
        emit_json({"store": shown_store(args.store), "kind": kind, "region_code": code,
                   "fingerprint": fingerprint,
                   "region_name": info.region_name, "user": args.user,
                   "recovery_key": recovery})
        return 0
    label = OFFICE_LABELS[kind]
    print(f"已建立{label}数据库:{shown_store(args.store)}({info.region_name} {code})")
    if not recovery:  # on a server: no key file, no recovery key
        print(f"同步密钥指纹:{fingerprint}")
        print("同步密钥的私钥已用服务器密钥加密保存;服务器密钥请另行妥善保管(丢失则须重新注册)。")
        return 0
    print(f"密钥文件:{args.store}.keys(必须与数据库放在一起)")
    print(f"同步密钥指纹:{fingerprint}")
    print()
    print("恢复密钥(只显示这一次,请立即打印或抄写,锁入档案柜):")
    print(f"    {recovery}")
    print("忘记所有密码或密钥文件丢失时,只能用恢复密钥打开数据库。")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    if args.households < 1:
        raise CliError("--households 应为正整数")
    with open_store(args) as store:
        if store.info.kind != "station":
            raise CliError("演示数据只能生成在乡镇工作站数据库中")
        report = demo.generate(store, args.households, seed=args.seed, user=store.user)
    if args.json:
        emit_json(dataclasses.asdict(report))
    else:
        print(f"已生成演示农户 {report.households} 户、{report.members} 人,"
              f"分布在 {report.villages} 个行政村")
    return 0


def cmd_demo_station(args: argparse.Namespace) -> int:
    station = demo.ensure_demo_station(args.dir, households=args.households)
    if args.json:
        emit_json(dataclasses.asdict(station))
        return 0
    print(station.instructions())
    return 0


def cmd_demo_county(args: argparse.Namespace) -> int:
    def say(text: str) -> None:
        if not args.json:
            print(text, file=sys.stderr, flush=True)

    try:
        county = demo_county.ensure_demo_county(args.dir, stations=args.stations,
                                                households=args.households, say=say)
    except UserError as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"无法写入演示县文件夹:{e.filename or args.dir}"
                       f"({e.strerror or '读写错误'})") from None
    if args.json:
        emit_json(dataclasses.asdict(county))
        return 0
    print(county.instructions())
    return 0


def _status_label(code: str | None) -> str:
    return cl.POVERTY_STATUS.label_of(code)


def cmd_households_list(args: argparse.Namespace) -> int:
    f = HouseholdFilter(text=args.search, village_code=args.village, group_no=args.group,
                        stage=args.stage, poverty_status=args.status)
    with open_store(args) as store, store.session() as s:
        rows = household_rows(s, household_ids(s, f, limit=args.limit))
    if args.json:
        emit_json([{
            "id": r.id, "village_code": r.village_code, "village_name": r.village_name,
            "group_no": r.group_no, "head_name": r.head_name,
            "head_id_number": r.head_id_number, "size": r.size,
            "stage": r.stage, "stage_label": cl.STAGE.label_of(r.stage),
            "poverty_status": r.poverty_status, "status": _status_label(r.poverty_status),
            "attribute": cl.HOUSEHOLD_ATTRIBUTE.label_of(r.attribute),
            "net_income_per_capita": r.net_income_per_capita,
        } for r in rows])
        return 0
    for r in rows:
        group = f"{r.group_no}组" if r.group_no else ""
        print(f"{r.id}  {r.village_code} {r.village_name}{group}  {r.head_name or '(无户主)'}"
              f"  {r.head_id_number or ''}  {r.size}人  {_status_label(r.poverty_status)}")
    print(f"共 {len(rows)} 户")
    return 0


def _labelled(form_fields: Any, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in form_fields:
        if f.name not in values:
            continue
        v = values[f.name]
        if f.codelist is not None and v:
            v = "、".join(f.codelist.label_of(c) for c in str(v).split(","))
        elif isinstance(v, bool):
            v = "是" if v else "否"
        out[f.label] = v
    return out


def cmd_households_show(args: argparse.Namespace) -> int:
    with open_store(args) as store, store.session() as s:
        try:
            h = get_household(s, args.household_id)
        except StoreError as e:
            raise _store_error(e) from None
        values = household_values(h)
        derived = {k: getattr(h, k) for k in ("head_name", "size", "income_transfer",
                                              "net_income", "net_income_per_capita",
                                              "stage")}
        derived["stage_label"] = cl.STAGE.label_of(h.stage)
        members = [member_values(m) for m in h.members if not m.deleted]
        meta = {"id": h.id, "rev": h.rev, "deleted": h.deleted,
                "updated_at": h.updated_at}
    if args.json:
        emit_json({**meta, **values, **derived, "members": members})
        return 0
    print(f"户编号 {meta['id']}{'(已删除)' if meta['deleted'] else ''}")
    for label, v in _labelled(HOUSEHOLD_FORM.fields, {**values, **derived}).items():
        if v not in (None, ""):
            print(f"  {label}:{v}")
    print("  家庭成员:")
    for m in members:
        shown = _labelled(MEMBER_FORM.fields, m)
        print("    " + ",".join(f"{k} {v}" for k, v in shown.items() if v not in (None, "")))
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        password = ask_password(f"为“{args.name}”设置密码(至少8位):", env=NEW_PASSWORD_ENV,
                                confirm=True)
        try:
            store.add_user(args.name, password,
                           args.role or roles.roles_for(store.info.kind)[0])
        except StoreError as e:
            raise _store_error(e) from None
    print(f"已添加用户“{args.name}”")
    return 0


def cmd_users_role(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            store.set_role(args.name, args.role)
        except StoreError as e:
            raise _store_error(e) from None
        role = dict(store.users()).get(args.name, args.role)
        kind = store.info.kind
    print(f"用户“{args.name}”的角色已改为{roles.role_name(role, kind)}")
    return 0


def cmd_users_remove(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            store.remove_user(args.name)
        except StoreError as e:
            raise _store_error(e) from None
    print(f"已删除用户“{args.name}”,其密码不能再打开数据库")
    return 0


def cmd_users_passwd(args: argparse.Namespace) -> int:
    old = ask_password("原密码:")
    with open_store(args) as store:
        new = ask_password("新密码(至少8位):", env=NEW_PASSWORD_ENV, confirm=True)
        try:
            store.change_password(old, new)
        except StoreError as e:
            raise _store_error(e) from None
        user = store.user
    print(f"用户“{user}”的密码已修改")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        users, kind = store.users(), store.info.kind
    if args.json:
        emit_json([{"user": u, "role": r} for u, r in users])
    else:
        for u, r in users:
            print(f"{u}\t{roles.role_name(r, kind)}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        problems = store.verify()
        with store.session() as s:
            households = s.scalar(select(func.count()).select_from(Household)
                                  .where(Household.deleted.is_(False)))
            members = s.scalar(select(func.count()).select_from(Member)
                               .where(Member.deleted.is_(False)))
        info = store.info
    if args.json:
        emit_json({"ok": not problems, "problems": problems, "households": households,
                   "members": members, "schema_version": info.schema_version})
    elif problems:
        for p in problems:
            print(f"问题:{p}")
    else:
        print(f"数据库完好:{info.region_name},{households} 户 {members} 人,"
              f"数据结构版本 {info.schema_version}")
    return 1 if problems else 0
