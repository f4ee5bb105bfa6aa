"""Issue 4's figures: full export of a 20,000-household station, the county's import of
it, that import's throughput against a plain sqlite3 executemany of the same rows (same
run, same machine), and a county of 30 demo stations with planted cross-township
duplicates, every one of which must be found. Issue 11's: the import in a process of its
own, at ≥ 0.5× the executemany with a peak of ≤ 500 MB (the payload streamed, the search
index written once per batch). Issue 13's (benchmarks/sync_hardening.py): what the
bundle checks cost that import, and a 1 GiB-inflating signed bundle refused.

Plain sqlite3 is used here only as the yardstick: no encryption, no verification, no
classification, just the rows going in.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

from benchmarks import sync_hardening
from benchmarks.common import figure, own_peak_mb, peak_rss_mb, section, timed
from forms import idnumber
from registry import demo
from registry.models import Base, Member
from registry.regions import sichuan
from registry.store import Store
from registry.sync_state import DuplicateFlag, OwnKey
from sync import bundle, enroll, export, receive, wire

PASSWORD = "bench-password"
TOWNSHIP = "513431102"  # 昭觉县竹核镇
COUNTY = "513431"
BIG_COUNTY = "512021"  # 安岳县: 46 townships, room for 30 stations


def _store(path: Path, kind: str, code: str) -> Store:
    store, _ = Store.create(path, kind=kind, region_code=code, user="admin", password=PASSWORD)
    return store


def _enroll(station: Store, county: Store, folder: Path) -> None:
    req = folder / f"req-{station.info.region_code}.json"
    ans = folder / f"ans-{station.info.region_code}.json"
    enroll.write_request(station, req)
    enroll.enroll(county, req, ans)
    enroll.accept(station, ans)


def _current_members(store: Store) -> list[Member]:
    with store.session() as s:
        rows = list(s.execute(select(Member).where(
            Member.deleted.is_(False), Member.change_reason.is_(None))
            .order_by(Member.id)).scalars())
        for m in rows:
            s.expunge(m)
    return rows


def plant_duplicates(source: Store, target: Store, exact: int, likely: int,
                     rng: random.Random) -> list[tuple[str, str, str]]:
    """Registers people of `source` again in `target`: `exact` with the same ID number,
    `likely` with the same name and birth date under another (valid) ID number.
    Returns (kind, source member id, target member id) for each planted pair."""
    picked = rng.sample(_current_members(source), exact + likely)
    victims = rng.sample(_current_members(target), exact + likely)
    used = {m.id_number for m in _current_members(target)} | {m.id_number for m in picked}
    planted: list[tuple[str, str, str]] = []
    with target.transaction() as s:
        for i, (src, dst) in enumerate(zip(picked, victims, strict=True)):
            row = s.get(Member, dst.id)
            assert row is not None
            row.name, row.birth_date, row.sex = src.name, src.birth_date, src.sex
            if i < exact:
                row.id_number = src.id_number
                planted.append(("id_number", src.id, dst.id))
                continue
            row.id_number = _other_number(src.id_number, src.birth_date, src.sex, used, rng)
            planted.append(("likely", src.id, dst.id))
    return planted


def _other_number(number: str, born: date, sex: str, used: set[str], rng: random.Random
                  ) -> str:
    while True:
        seq = rng.randrange(0, 500) * 2 + (1 if sex == "1" else 0)
        first17 = f"{number[:6]}{born:%Y%m%d}{seq:03d}"
        candidate = first17 + idnumber.check_digit(first17)
        if candidate not in used:
            used.add(candidate)
            return candidate


def found(county: Store, planted: list[tuple[str, str, str]]) -> int:
    with county.session() as s:
        flags = {(f.kind, f.member_a, f.member_b) for f in
                 s.execute(select(DuplicateFlag)).scalars()}
    return sum((kind, min(a, b), max(a, b)) in flags for kind, a, b in planted)


def _plain_executemany(path: Path, payload: dict[str, Any]) -> float:
    """The same rows into a plain sqlite3 database with the same tables and indexes."""
    Base.metadata.create_all(create_engine(f"sqlite:///{path}"))
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -65536",
                   "temp_store = MEMORY"):  # the store's own pragmas, minus the key
        conn.execute(f"PRAGMA {pragma}")
    with timed() as t:
        conn.execute("BEGIN")
        for name in wire.STATION_TABLES:
            section_ = payload["tables"][name]
            cols = section_["columns"]
            sql = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            conn.executemany(sql, [tuple(r) for r in section_["rows"]])
        conn.execute("COMMIT")
    conn.close()
    return t.seconds


def _one_station(workdir: Path, households: int, runs: int) -> None:
    section(f"同步:{households} 户乡镇的完整导出与县级导入")
    station = _store(workdir / "station.db", "station", TOWNSHIP)
    county = _store(workdir / "county.db", "county", COUNTY)
    with station, county:
        demo.generate(station, households, seed=2014)
        _enroll(station, county, workdir)
        usb = workdir / "usb"
        usb.mkdir()
        with timed() as t_export:
            sent = export.export_station(station, usb, full=True)
        figure(f"完整导出 {households} 户", t_export.seconds, "s", "≤ 10 s(2 万户)",
               t_export.seconds <= 10 if households >= 20000 else None)
        figure("数据包大小", sent.path.stat().st_size / 1e6, "MB")
        figure("记录数(含审计)", sent.records, "条")
        # Copies of the county as it is now (before the import below) import it again.
        sync_hardening.checks_cost(workdir / "county.db", PASSWORD, sent.path, runs)
        section(f"同步:{households} 户乡镇的完整导出与县级导入(续)")
        # The import in a process of its own, as the county's program runs it: its time
        # and its own peak memory (this process holds the station and the demo data).
        r = _import_in_child(county.path, sent.path)
        assert r["status"] == "applied", r["message"]
        seconds = r["seconds"]
        figure(f"县级导入 {households} 户(独立进程)", seconds, "s", "≤ 15 s(2 万户)",
               seconds <= 15 if households >= 20000 else None)
        figure("  导入的记录(含审计)", r["records"], "条")
        with county.session() as s:
            key = s.execute(select(OwnKey)).scalar_one().enc_private
        payload = bundle.parse(sent.path.read_bytes()).open(key)
        plain = _plain_executemany(workdir / "plain.db", payload)
        figure("同样的行:plain sqlite3 executemany", plain, "s")
        ratio = plain / seconds
        figure("导入吞吐量 / plain sqlite3", ratio, "×", "≥ 0.5", ratio >= 0.5)
        figure("导入进程峰值内存(打开数据库后)", r["ready_mb"], "MB")
        figure("导入进程峰值内存", r["peak_mb"], "MB", "≤ 500 MB", r["peak_mb"] <= 500)
        figure("本基准进程峰值内存(生成演示数据等,参考)", peak_rss_mb(), "MB")


def import_child(county_path: str, password: str, bundle_path: str) -> None:
    """Runs in its own process: imports the bundle, prints what happened as JSON."""
    with Store.open(Path(county_path), "admin", password) as county:
        ready = own_peak_mb()
        with timed() as t:
            [r] = receive.import_files(county, [Path(bundle_path)])
    print(json.dumps({"status": r.status, "message": r.message, "seconds": t.seconds,
                      "records": sum(sum(c.values()) for c in r.counts.values()),
                      "ready_mb": ready, "peak_mb": own_peak_mb()}))


def _import_in_child(county: Path, bundle_path: Path) -> dict[str, Any]:
    code = ("import sys; from benchmarks.bench_sync import import_child; "
            "import_child(*sys.argv[1:])")
    out = subprocess.run([sys.executable, "-c", code, str(county), PASSWORD, str(bundle_path)],
                         cwd=sync_hardening.ROOT, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _county_of_stations(workdir: Path, stations: int, households: int) -> None:
    section(f"同步:{stations} 个乡镇(各 {households} 户)汇入一个县,查找跨乡镇重复")
    rng = random.Random(30)
    townships = [d.code for d in sichuan().children(BIG_COUNTY)][:stations]
    county = _store(workdir / "big-county.db", "county", BIG_COUNTY)
    usb = workdir / "usb-county"
    usb.mkdir()
    planted: list[tuple[str, str, str]] = []
    paths: list[Path] = []
    with county:
        previous: Store | None = None
        with timed() as t_build:
            for i, code in enumerate(townships):
                st = _store(workdir / f"st-{code}.db", "station", code)
                demo.generate(st, households, seed=100 + i)
                _enroll(st, county, workdir)
                if previous is not None:
                    planted += plant_duplicates(previous, st, exact=5, likely=5, rng=rng)
                    previous.close()
                previous = st
            assert previous is not None
            planted += plant_duplicates(previous, _first(workdir, townships[0]), 5, 5, rng)
            previous.close()
        figure("建库与生成演示数据(准备,不计)", t_build.seconds, "s")
        for code in townships:
            with Store.open(workdir / f"st-{code}.db", "admin", PASSWORD) as st:
                paths.append(export.export_station(st, usb).path)
        with timed() as t_import:
            results = receive.import_files(county, paths)
        bad = [r.message for r in results if r.status != "applied"]
        assert not bad, bad
        figure(f"县级导入 {stations} 个数据包", t_import.seconds, "s")
        hits = found(county, planted)
        figure("植入的重复(身份证号相同 + 姓名生日相同)", len(planted), "对")
        figure("其中被发现", hits, "对", "全部", hits == len(planted))
        with county.session() as s:
            flags = list(s.execute(select(DuplicateFlag.kind)).scalars())
        figure("疑似重复总数(含偶然同号/同名同生日)", len(flags), "条")


_opened: dict[str, Store] = {}


def _first(workdir: Path, code: str) -> Store:
    """The first station again (the last station's people are planted into it)."""
    store = Store.open(workdir / f"st-{code}.db", "admin", PASSWORD)
    _opened[code] = store
    return store


def _bombs(workdir: Path) -> None:
    station = _store(workdir / "bomb-station.db", "station", TOWNSHIP)
    county = _store(workdir / "bomb-county.db", "county", COUNTY)
    with station, county:
        demo.generate(station, 30, seed=13)
        _enroll(station, county, workdir)
        sync_hardening.refuse_bombs(station, county, PASSWORD, workdir, 1 << 30)


def run(workdir: Path, quick: bool) -> None:
    _bombs(workdir)
    _one_station(workdir, 2000 if quick else 20000, 1 if quick else 3)
    _county_of_stations(workdir, 5 if quick else 30, 200 if quick else 3000)
    for store in _opened.values():
        store.close()
