"""`fupin sync …`: enrollment, export, import and status on the command line.
Exit codes of `sync import`, the first that applies: 1 a file was refused, 4 applied but
something was kept for review (records in conflict or quarantined, or the station's audit
chain did not match the county's copy: sync_quarantine), 3 kept but waiting for missing
bundles, 0 applied (or a harmless no-op such as a replay). Text output is Chinese (labels
from sync/names.py); --json prints the stable keys (status "applied", counts
{"household": {"inserted": 3}})."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cli.common import CliError, add_json_argument, add_store_argument, emit_json, open_store
from registry.roles import Act
from registry.store import Store
from sync import county, duplicates, enroll, export, receive, status
from sync.keys import ensure_keys, rotate_keys
from sync.names import REFUSED, WAITING, outcome_label

EXIT_WAITING = 3
EXIT_HELD = 4  # applied, but records or a chain finding were kept for review


def register(sub: Any) -> None:
    sync = sub.add_parser("sync", help="同步:注册、导出/导入数据包(U盘)、状态").add_subparsers(
        dest="sync_command", required=True, metavar="操作")

    p = sync.add_parser("enroll-request",
                        help="乡镇:生成注册申请文件(交县扶贫办);县、市(州):向上级申请")
    add_store_argument(p)
    p.add_argument("--out", required=True, type=Path, help="申请文件")
    p.add_argument("--to", metavar="代码",
                   help="县、市(州):向哪个上级单位申请(默认上一级:县→市州,市州→省)")
    p.add_argument("--new-key", action="store_true", help="先生成新密钥(密钥被吊销后)")
    add_json_argument(p)
    p.set_defaults(run=cmd_enroll_request)

    p = sync.add_parser("enroll", help="县:登记乡镇的注册申请,生成答复文件")
    add_store_argument(p)
    p.add_argument("request", type=Path, help="乡镇的注册申请文件")
    p.add_argument("--out", required=True, type=Path, help="答复文件(交回乡镇)")
    p.add_argument("--replace-key", metavar="指纹",
                   help="确认更换已登记乡镇的密钥:申请文件中新密钥的指纹(须先电话核对)")
    p.add_argument("--reason", help="更换密钥的原因(与 --replace-key 一起用)")
    add_json_argument(p)
    p.set_defaults(run=cmd_enroll)

    p = sync.add_parser("accept", help="乡镇:接受县扶贫办的注册答复")
    add_store_argument(p)
    p.add_argument("answer", type=Path)
    p.add_argument("--replace-key", metavar="指纹",
                   help="确认更换本站已登记的县扶贫办密钥:答复文件中新密钥的指纹(须先电话核对)")
    p.add_argument("--reason", help="更换的原因(与 --replace-key 一起用,可不填)")
    add_json_argument(p)
    p.set_defaults(run=cmd_accept)

    p = sync.add_parser("export", help="导出数据包(乡镇→县;县用 --station 导出回传包)")
    add_store_argument(p)
    p.add_argument("--out", required=True, type=Path, help="目标文件夹(如U盘)")
    p.add_argument("--full", action="store_true", help="导出全部数据(新的县级数据库)")
    p.add_argument("--station", help="县:回传给哪个乡镇(9位代码)")
    p.add_argument("--up", action="store_true",
                   help="县:导出给上级单位(市州或省)的数据包;市(州)总是导出给上级")
    p.add_argument("--to", metavar="代码", help="在多个上级单位注册过时:发给哪一个")
    add_json_argument(p)
    p.set_defaults(run=cmd_export)

    p = sync.add_parser("import", help="导入数据包(可一次多个)")
    add_store_argument(p)
    p.add_argument("files", nargs="+", type=Path)
    add_json_argument(p)
    p.set_defaults(run=cmd_import)

    p = sync.add_parser("status", help="同步状态(县:各乡镇的编号、缺失、等待)")
    add_store_argument(p)
    add_json_argument(p)
    p.set_defaults(run=cmd_status)

    p = sync.add_parser("duplicates", help="县:列出待裁定的疑似重复登记(市、省:各下级单位之间的)")
    add_store_argument(p)
    p.add_argument("--station", help="只看某乡镇(9位代码;市、省也可写县的6位代码)")
    add_json_argument(p)
    p.set_defaults(run=cmd_duplicates)

    p = sync.add_parser("rule", help="县:裁定疑似重复(same 同一人 / different 不同人)")
    add_store_argument(p)
    p.add_argument("flag_id")
    p.add_argument("ruling", choices=sorted(duplicates.RULINGS))
    p.add_argument("--note")
    add_json_argument(p)
    p.set_defaults(run=cmd_rule)

    p = sync.add_parser("revoke", help="县:吊销乡镇密钥(随回传包通知乡镇)")
    add_store_argument(p)
    p.add_argument("--station", required=True)
    p.add_argument("--key-id")
    p.add_argument("--reason", required=True)
    add_json_argument(p)
    p.set_defaults(run=cmd_revoke)

    p = sync.add_parser("rotate-key", help="更换本库的同步密钥(新密钥由旧密钥背书)")
    add_store_argument(p)
    add_json_argument(p)
    p.set_defaults(run=cmd_rotate)


@contextmanager
def _store(args: argparse.Namespace, act: Act | None = Act.SYNC) -> Iterator[Store]:
    """The store, its keys made if missing, the user's role checked for `act`."""
    store = open_store(args)
    try:
        if act is not None:
            store.require(act)
        ensure_keys(store)  # every store gets its keys the first time it syncs
        yield store
    finally:
        store.close()


def _say(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    if args.json:
        emit_json(data)
    else:
        print(text)


def cmd_enroll_request(args: argparse.Namespace) -> int:
    with _store(args) as store:
        e = enroll.write_request(store, args.out, new_key=args.new_key, to=args.to)
    _say(args, {"file": str(args.out), "station": e.code, "name": e.name,
                "fingerprint": e.fingerprint},
         f"已生成注册申请:{args.out}\n本站({e.name})密钥指纹:{e.fingerprint}\n"
         "请把文件交县扶贫办,并电话核对指纹。")
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    if args.reason and not args.replace_key:
        raise CliError("--reason 只与 --replace-key 一起使用")
    with _store(args) as store:
        e = enroll.enroll(store, args.request, args.out, replace_key=args.replace_key,
                          reason=args.reason)
        mine = enroll.own_fingerprint(store)
    replaced = (f"\n已更换该乡镇的密钥,旧密钥 {'、'.join(e.replaced)} 已吊销"
                "(随回传数据包通知乡镇)") if e.replaced else ""
    _say(args, {"station": e.code, "name": e.name, "fingerprint": e.fingerprint,
                "county_fingerprint": mine, "answer": str(args.out), "note": e.note,
                "replaced": list(e.replaced)},
         f"已登记乡镇:{e.name}({e.code})\n乡镇密钥指纹:{e.fingerprint}(请与乡镇电话核对)\n"
         f"本县密钥指纹:{mine}\n答复文件:{args.out}" + replaced
         + (f"\n注意:{e.note}" if e.note else ""))
    return 0


def cmd_accept(args: argparse.Namespace) -> int:
    if args.reason and not args.replace_key:
        raise CliError("--reason 只与 --replace-key 一起使用")
    with _store(args) as store:
        e = enroll.accept(store, args.answer, replace_county_key=args.replace_key,
                          reason=args.reason)
    replaced = (f"\n已更换县扶贫办的密钥,旧密钥 {'、'.join(e.replaced)} 已作废"
                "(用旧密钥签名的回传数据包将被拒绝)") if e.replaced else ""
    _say(args, {"county": e.code, "name": e.name, "fingerprint": e.fingerprint,
                "replaced": list(e.replaced)},
         f"已接受 {e.name}({e.code})的注册答复\n县扶贫办密钥指纹:{e.fingerprint}(请电话核对)"
         + replaced)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with _store(args) as store:
        up = args.up or args.to is not None or store.info.kind != "county"
        if args.station and up:
            raise CliError("--station(回传给乡镇)与 --up/--to(发给上级)只能用一个")
        if store.info.kind == "county" and not up:
            if not args.station:
                raise CliError("县级数据库导出回传数据包时请用 --station 指定乡镇;"
                               "导出给上级单位请用 --up")
            r = export.export_return(store, args.station, args.out, full=args.full)
        else:
            if args.station:
                raise CliError("--station 只用于县级数据库")
            r = export.export_station(store, args.out, full=args.full, to=args.to)
    _say(args, {"path": str(r.path), "seq": r.seq, "full": r.full, "counts": r.counts,
                "hash": r.hash}, str(r.path))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with _store(args) as store:
        held_before = status.held_total(store)
        results = receive.import_files(store, args.files)
        held = status.held_total(store) - held_before  # waiting bundles released count too
    if args.json:
        emit_json([{"file": r.file, "status": r.status, "message": r.message,
                    "peer": r.peer, "seq": r.seq, "counts": r.counts,
                    "also_applied": r.also_applied} for r in results])
    else:
        for r in results:
            print(f"[{outcome_label(r.status)}] {r.file}:{r.message}")
            if r.summary():
                print(f"    {r.summary()}")  # "农户:新增 3;家庭成员:新增 10"
        if held:
            print(f"有 {held} 项未采用、留待核查(记录冲突或被隔离,或审计链不一致):"
                  "见 fupin sync status")
    if any(r.status == REFUSED for r in results):
        return 1
    if held:
        return EXIT_HELD
    if any(r.status == WAITING for r in results):
        return EXIT_WAITING
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with _store(args, None) as store:
        peers = status.status(store)
        kind = store.info.kind
        mine = enroll.own_fingerprint(store)
        receipts = status.receipts(store, limit=5) if kind == "station" else []
    if args.json:
        emit_json({"kind": kind, "fingerprint": mine, "peers": [p.to_dict() for p in peers],
                   "receipts": [{"seq": r.seq, "hash": r.bundle_hash, "message": r.message,
                                 "received_at": r.received_at} for r in receipts]})
        return 0
    print(f"本库密钥指纹:{mine}")
    if not peers:
        print("尚未注册/登记任何" + {"station": "县扶贫办", "county": "乡镇或上级单位"}
              .get(kind, "下级或上级单位"))
    for p in peers:
        line = (f"{p.name}({p.code}) 密钥{p.key_status} 已导入至第 {p.last_seq} 号,"
                f"已发出至第 {p.sent_seq} 号")
        if p.waiting:
            line += f";第 {p.missing} 号缺失,等待中:{','.join(map(str, p.waiting))}"
        if p.forks:
            line += f";分叉被拒:{','.join(map(str, p.forks))}"
        if p.open_duplicates:
            line += f";待裁定疑似重复 {p.open_duplicates} 条"
        print(line)
        if p.held or p.chain_findings:
            print(f"    未采用、留待核查:记录 {p.held} 条,审计链不一致 {p.chain_findings} 次"
                  + (f"(最近:{p.last_finding})" if p.last_finding else ""))
    for r in receipts:
        print(f"县里回执:第 {r.seq} 号数据包 {r.received_at:%Y-%m-%d %H:%M} 已处理({r.message})")
        held = status.receipt_held(r)
        if held:
            print(f"    县里未采用本站第 {r.seq} 号数据包中的 {held} 条记录(冲突或隔离),"
                  "请与县扶贫办核对")
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    place = args.station.strip() if args.station is not None else None
    if place is not None and not (place.isdigit() and len(place) in (6, 9)):
        raise CliError(f"“{place}”不是乡镇的9位代码(市、省也可写县的6位代码)")
    with _store(args, None) as store, store.session() as s:
        flags = duplicates.open_flags(s, place)
        rules = store.info.kind == "county"
    rows = [{"id": f.id, "kind": f.kind, "name_a": f.name_a, "name_b": f.name_b,
             "id_number_a": f.id_number_a, "id_number_b": f.id_number_b,
             "birth_date": f.birth_date, "village_a": f.village_a, "village_b": f.village_b,
             "station_a": f.station_a, "station_b": f.station_b} for f in flags]
    if args.json:
        emit_json(rows)
    else:
        for f in flags:
            print(f"{f.id} {duplicates.KINDS[f.kind]}:{f.name_a}({f.village_a})"
                  f" ↔ {f.name_b}({f.village_b}) 出生 {f.birth_date}")
        print(f"共 {len(flags)} 条" + ("待裁定" if rules else ""))
    return 0


def cmd_rule(args: argparse.Namespace) -> int:
    with _store(args, Act.COUNTY_REVIEW) as store:
        f = duplicates.rule(store, args.flag_id, args.ruling, args.note)
    _say(args, {"id": f.id, "ruling": f.ruling},
         f"已裁定:{duplicates.RULINGS[args.ruling]}(随回传数据包通知两个乡镇)")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    with _store(args, Act.MANAGE_KEYS) as store:
        keys = county.revoke_station_key(store, args.station, args.reason, args.key_id)
    _say(args, {"revoked": keys}, f"已吊销密钥:{'、'.join(keys)}(随回传数据包通知乡镇)")
    return 0


def cmd_rotate(args: argparse.Namespace) -> int:
    with _store(args, Act.MANAGE_KEYS) as store:
        key = rotate_keys(store)
        fp = enroll.own_fingerprint(store)
    _say(args, {"key_id": key.key_id, "fingerprint": fp},
         f"已更换密钥:{key.key_id},指纹 {fp}(对方在下一个数据包中自动得知)")
    return 0
