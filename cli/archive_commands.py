"""`fupin archive build|verify`: the county's yearly archive (县归档) — registers, county
summary, workbooks, the 统计报告 (PDF and workbook) and the stations' bundle records, with a
manifest of SHA-256 hashes signed by the county's key (sync/archive.py; the papers from
reports/county_archive.py and reports/statistics/archive.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cli import common
from cli.arguments import integer
from registry.errors import UserError
from registry.progress import Cancelled
from reports.county_archive import archive_parts
from reports.fonts import FontMissing, MissingGlyphs
from reports.statistics import archive as statistics_archive
from sync import archive


def register(sub: Any) -> None:
    ar = sub.add_parser("archive", help="县归档:建立年度归档(登记簿、汇总表、Excel、统计报告、"
                                        "数据包记录、签名清单)并核对").add_subparsers(
        dest="archive_command", required=True, metavar="操作")
    p = ar.add_parser("build", help="建立年度归档(县扶贫办数据库)")
    common.add_store_argument(p)
    p.add_argument("--year", type=integer(2000, 2100), default=date.today().year,
                   help="归档年度(默认今年)")
    p.add_argument("--out", required=True, type=Path, help="归档文件夹(新的或空的)")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_build)

    p = ar.add_parser("verify", help="核对归档:清单签名,以及被改动、缺少或多出的文件")
    p.add_argument("folder", type=Path, help="归档文件夹")
    p.add_argument("--store", type=common.store_target,
                   help="县扶贫办数据库(文件或 postgresql://…):同时核对清单是否由本县的密钥签发")
    p.add_argument("--user", help=f"登录用户名(也可用环境变量 {common.USER_ENV})")
    common.add_json_argument(p)
    p.set_defaults(run=cmd_verify)


def _progress(done: int, total: int) -> bool:
    if sys.stderr.isatty():
        print(f"\r正在归档 {done}/{total}", end="", file=sys.stderr, flush=True)
    return True


def build(store: Any, year: int, out: Path,
          extra: Sequence[archive.Part] = ()) -> archive.ArchiveResult:
    """The standard parts (reports) and the stations' records, then the 统计报告 and
    `extra`."""
    parts = [*archive_parts(store, year), *archive.station_parts(store, year)]
    statistics = statistics_archive.archive_parts(store, year)
    return archive.build_archive(store, year, out, parts, [*statistics, *extra],
                                 progress=_progress)


def cmd_build(args: argparse.Namespace) -> int:
    try:
        with common.open_store(args) as store:
            result = build(store, args.year, args.out)
    except (UserError, FontMissing, MissingGlyphs, Cancelled) as e:
        raise common.CliError(str(e)) from None
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        common.emit_json({"folder": str(result.folder), "files": len(result.files),
                          "bytes": result.bytes, "fingerprint": result.fingerprint})
    else:
        print(f"已建立 {args.year} 年归档:{result.folder}")
        print(f"共 {len(result.files)} 个文件,{result.bytes / 1_048_576:.1f} MB;"
              f"清单 {archive.MANIFEST} 已用县扶贫办密钥签名(指纹 {result.fingerprint})")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    try:
        if args.store is not None:
            with common.open_store(args) as store:
                v = archive.verify_archive(args.folder, store)
        else:
            v = archive.verify_archive(args.folder)
    except UserError as e:
        raise common.CliError(str(e)) from None
    lines = v.lines()
    if args.json:
        common.emit_json({"ok": v.ok, "signature_ok": v.signature_ok,
                          "signed_by_store": v.signed_by_store, "fingerprint": v.fingerprint,
                          "changed": v.changed, "missing": v.missing, "added": v.added,
                          "problems": lines})
    elif v.ok:
        print(f"归档完整:{v.county} {v.year or ''}年,签名有效(县扶贫办密钥指纹 "
              f"{v.fingerprint}),所有文件与清单一致")
        if args.store is None:
            print("(未指定 --store:签名密钥是否属于本县,请与县扶贫办核对上面的指纹)")
    else:
        print(f"归档不完整或被改动({len(lines)} 处):")
        for line in lines:
            print(f"  {line}")
    return 0 if v.ok else 1
