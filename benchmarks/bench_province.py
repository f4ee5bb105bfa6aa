"""Issue 11's province-scale run: Sichuan's poor households (about 2,000,000 households,
6,250,000 people, 183 counties at full scale) imported as county bundles into one province
store on PostgreSQL — the import rate, the disk it takes, search p95, each statistics
table for the province per county and per city, a county's and a city's tables p95, the
importing process's peak memory — and the same 20,000-household station bundle imported
by a county on SQLCipher and on PostgreSQL, side by side.

    .venv/bin/python -m benchmarks.run province                      # 6 counties, 60,000 户
    .venv/bin/python -m benchmarks.run province --counties 10 --households 100000
    .venv/bin/python -m benchmarks.run province --full               # 183 counties, 2,000,000
    .venv/bin/python -m benchmarks.run province --quick              # 3 counties, 9,000 户

At full scale (on our 2-core machine the setup took 23 minutes, the import 27) the two
can run apart, on a server that stays up between them: `--prepare` builds the counties,
enrolls them at a province store it keeps and writes WORKDIR/province/prepared.json;
`--from-prepared` imports those bundles into that store and measures it.

The server: FUPIN_TEST_PG names it (a postgresql:// URL of a role that may create
databases); without it, run the bench beside a throwaway cluster:

    bash .ci/with-postgres .venv/bin/python -m benchmarks.run province

(.ci/with-postgres: PostgreSQL 15 in a temporary folder under /tmp, fsync off, a unix
socket; stopped and deleted at the end; PostgreSQL's default settings unless
FUPIN_TEST_PG_SETTINGS adds some, e.g. README's for a province server; in C.UTF-8 unless
FUPIN_TEST_PG_LOCALE names another, e.g. zh_CN.UTF-8 as a server set up in Chinese is. The
run prints the settings and the locale it met. Its data is on local disk: at full scale the
province database takes tens of GB, see `df -h /tmp`.) The bench makes its own databases
on it and drops them at the end (`--keep` keeps the province's). FUPIN_SERVER_KEY (the key
sealing the sync keys on a server) is made up for the run when it is not set.

The households: benchmarks/province_data.py generates a few townships with registry/demo
and derives every township of every county from them by re-keying (new ids, the county's
villages, other given names, shifted birth dates and ID numbers on the county's code);
each county is a SQLCipher county store, enrolled at the province as a station is at its
county, its bundle exported with sync.export.export_station. Making them is setup: its
figures are printed, not held to a target. The import runs in a process of its own (its
peak memory is its own), bundle after bundle as they would arrive.

The machine is shared: the load is printed at the start and the end."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from benchmarks import bench_desktop, province_data
from benchmarks.bench_store import _search_latency
from benchmarks.common import figure, median, own_peak_mb, peak_rss_mb, percentile, section, timed
from registry import demo, household_access, statistics
from registry.derived import name_pinyin
from registry.models import Household, Member, Region
from registry.regions import sichuan
from registry.store import Store
from reports.statistics.tables import REPORT_ORDER
from reports.statistics.view import units
from sync import duplicates, enroll, export, receive
from sync.names import REPLAY

ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "admin", "province-bench"
PROVINCE = "51"
STATION = "513431102"  # 昭觉县竹核镇: the side-by-side station
STATION_COUNTY = "513431"
FULL_HOUSEHOLDS, FULL_COUNTIES = 2_000_000, 183


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("province")
    g.add_argument("--households", type=int, help="全省户数(默认 60,000;--quick 9,000)")
    g.add_argument("--counties", type=int, help="县数(默认 6;--quick 3;最多 183)")
    g.add_argument("--full", action="store_true", help="全省规模:183 个县,2,000,000 户")
    g.add_argument("--blocks", type=int, default=3,
                   help="每种民族构成生成的乡镇样本数(其余乡镇由其派生,默认 3)")
    g.add_argument("--side-households", type=int,
                   help="并排导入的乡镇数据包户数(默认 20,000;--quick 2,000)")
    g.add_argument("--skip-side", action="store_true", help="不做 SQLCipher/PostgreSQL 并排导入")
    g.add_argument("--skip-province", action="store_true", help="只做并排导入")
    g.add_argument("--keep", action="store_true", help="保留省级数据库(默认结束时删除)")
    g.add_argument("--prepare", action="store_true",
                   help="只生成各县数据包并在省级库注册(保留省级库),不导入")
    g.add_argument("--from-prepared", action="store_true",
                   help="导入 --prepare 生成的数据包并测量(同一台服务器)")
    g.add_argument("--import-pgoptions", default="",
                   help="仅导入进程连接 PostgreSQL 时的设置(诊断用,如 \"-c enable_seqscan=off\")")


# ---- the server ---------------------------------------------------------------------------
def server_url() -> str:
    url = os.environ.get("FUPIN_TEST_PG", "")
    if not url:
        raise SystemExit("没有 PostgreSQL 服务器:设置 FUPIN_TEST_PG,或用 bash .ci/with-postgres "
                         ".venv/bin/python -m benchmarks.run province 运行")
    return url


def _admin() -> Any:
    import psycopg

    return psycopg.connect(server_url(), autocommit=True)


def new_database(tag: str) -> str:
    name = f"bench_{tag}_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    path, _, query = server_url().partition("?")
    return f"{path.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


def drop_database(url: str) -> None:
    name = url.partition("?")[0].rsplit("/", 1)[1]
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _server_facts() -> dict[str, str]:
    with _admin() as conn:
        return {k: str(conn.execute(f"SHOW {k}").fetchone()[0]) for k in
                ("server_version", "lc_collate", "shared_buffers", "work_mem",
                 "maintenance_work_mem", "effective_cache_size", "fsync",
                 "synchronous_commit", "max_wal_size", "checkpoint_timeout", "wal_compression")}


# ---- the import, in a process of its own ---------------------------------------------------
def import_child(target: str, password: str, *bundles: str) -> None:
    """Runs in its own process: imports the bundles one after another (as they arrive),
    prints per bundle what happened, then its time and own peak memory, as JSON."""
    with Store.open(target if "://" in target else Path(target), USER, password) as store:
        ready = own_peak_mb()
        done = []
        start = time.perf_counter()
        for b in bundles:
            with timed() as t:
                [r] = receive.import_files(store, [Path(b)])
            done.append({"file": Path(b).name, "status": r.status, "message": r.message,
                         "seconds": t.seconds,
                         "records": sum(sum(c.values()) for c in r.counts.values()),
                         "counts": r.counts})
        seconds = time.perf_counter() - start
    print(json.dumps({"bundles": done, "seconds": seconds, "ready_mb": ready,
                      "peak_mb": own_peak_mb()}, ensure_ascii=False))


def import_in_child(target: str, bundles: list[Path], pgoptions: str = "") -> dict[str, Any]:
    """`pgoptions`: server settings for the import's connections only (PGOPTIONS), to
    diagnose its plans without touching the measurements around it."""
    code = ("import sys; from benchmarks.bench_province import import_child; "
            "import_child(*sys.argv[1:])")
    env = dict(os.environ, PGOPTIONS=pgoptions) if pgoptions else None
    out = subprocess.run([sys.executable, "-c", code, target, PASSWORD,
                          *(str(b) for b in bundles)],
                         cwd=ROOT, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"导入进程失败:\n{out.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    # A replay: the bundle was applied by an earlier, interrupted run (--from-prepared).
    bad = [b for b in result["bundles"] if b["status"] not in (receive.APPLIED, REPLAY)]
    if bad:
        raise SystemExit(f"数据包未导入:{bad[0]['file']}:{bad[0]['message']}")
    return result


def _enroll(lower: Store, upper: Store, folder: Path, to: str | None = None) -> None:
    code = lower.info.region_code
    req, ans = folder / f"req-{code}.json", folder / f"ans-{code}.json"
    enroll.write_request(lower, req, to=to)
    enroll.enroll(upper, req, ans)
    enroll.accept(lower, ans)


# ---- the province --------------------------------------------------------------------------
def _counties(args: argparse.Namespace, quick: bool) -> tuple[int, int]:
    if args.full:
        return FULL_COUNTIES, FULL_HOUSEHOLDS
    counties = args.counties or (3 if quick else 6)
    households = args.households or (9_000 if quick else 60_000)
    return max(1, min(counties, FULL_COUNTIES)), households


def build_counties(workdir: Path, province: Store, counties: list[Any], households: int,
                   blocks_per_profile: int) -> tuple[list[Path], dict[str, int]]:
    """Each county's store made, filled, enrolled at the province and exported; the store
    deleted once its bundle is written (the disk is for the province). Returns the
    bundles and the totals."""
    townships = province_data.townships_of([c.code for c in counties])
    per_township = max(1, households // townships)
    with timed() as t:
        blocks = province_data.make_blocks(
            workdir / f"blocks-{blocks_per_profile}-{per_township}.db", blocks_per_profile,
            per_township)
    figure(f"准备:生成样本乡镇 {blocks_per_profile * len(blocks)} 个(每个 {per_township} 户)",
           t.seconds, "s")
    usb, folder = workdir / "to-province", workdir / "enroll"
    for made in (usb, folder, workdir / "counties"):  # an earlier run's (the blocks stay)
        shutil.rmtree(made, ignore_errors=True)
        made.mkdir()
    use = itertools.count()
    totals = {"households": 0, "people": 0, "records": 0, "store_bytes": 0,
              "bundle_bytes": 0}
    times = {"rekey": 0.0, "write": 0.0, "enroll": 0.0, "export": 0.0}
    bundles: list[Path] = []
    for i, county in enumerate(counties):
        path = workdir / "counties" / f"{county.code}.db"
        store, _ = Store.create(path, kind="county", region_code=county.code, user=USER,
                                password=PASSWORD)
        with store:
            with timed() as t:
                data = province_data.write_county(store, blocks, use, seed=i)
            times["rekey"] += data.rekey_seconds
            times["write"] += t.seconds - data.rekey_seconds
            with timed() as t:
                _enroll(store, province, folder, to=PROVINCE)
            times["enroll"] += t.seconds
            with timed() as t:
                sent = export.export_station(store, usb)
            times["export"] += t.seconds
        bundles.append(sent.path)
        totals["households"] += data.households
        totals["people"] += data.people
        totals["records"] += data.records
        totals["store_bytes"] += sum(f.stat().st_size for f in path.parent.glob(
            f"{county.code}.db*"))
        totals["bundle_bytes"] += sent.path.stat().st_size
        for f in path.parent.glob(f"{county.code}.db*"):
            f.unlink()
        print(f"    {i + 1}/{len(counties)} {county.code} {county.name}:{data.households} 户 "
              f"{data.people} 人,{data.records} 条记录", flush=True)
    figure(f"准备:派生 {len(counties)} 个县的记录(重新编号)", times["rekey"], "s")
    figure("准备:写入各县 SQLCipher 库", times["write"], "s")
    figure("准备:各县在省级注册", times["enroll"], "s")
    figure("准备:各县导出数据包(首次完整)", times["export"], "s")
    figure("  各县 SQLCipher 库合计", totals["store_bytes"] / 1e9, "GB")
    figure("  各县数据包合计", totals["bundle_bytes"] / 1e9, "GB")
    return bundles, totals


QUERY_KINDS = ("全名", "姓(1 字)", "拼音首字母", "全拼", "身份证号中的生日(8 位)",
               "身份证号末 6 位", "村代码或村名前 2 字")


def _queries(store: Store, n: int, seed: int) -> list[str]:
    """bench_store's clerk's mix, people drawn from the whole province."""
    rng = random.Random(seed)
    with store.session() as s:
        people = s.execute(select(Member.name, Member.id_number)
                           .order_by(func.random()).limit(2000)).all()
        villages = s.execute(select(Region.code, Region.name)
                             .where(Region.level == "village",
                                    Region.code.in_(select(Household.village_code)
                                                    .distinct()))).all()
    out: list[str] = []
    for i in range(n):
        name, number = rng.choice(people)
        full, initials = name_pinyin(name)
        code, village = rng.choice(villages)
        out.append([name, name[0], initials, full, number[6:14], number[-6:],
                    code if i % 2 else village[:2]][i % 7])
    return out


def measure_province(url: str, counties: list[Any], households: int, workdir: Path) -> None:
    with Store.open(url, USER, PASSWORD) as store:
        with store.session() as s:
            size = s.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            counted = s.execute(select(func.count()).select_from(Household)).scalar_one()
            people = s.execute(select(func.count()).select_from(Member).where(
                Member.deleted.is_(False), Member.change_reason.is_(None))).scalar_one()
            s.execute(text("ANALYZE"))
        figure("省级库中的农户", counted, "户")
        figure("省级库中的在册人口", people, "人")
        figure("省级库磁盘占用(pg_database_size)", size / 1e9, "GB")
        figure("  每万户", size / 1e9 / max(counted, 1) * 10_000, "GB")

        queries = _queries(store, 200, seed=11)
        med, p95 = _search_latency(store, queries)
        figure(f"搜索 200 次混合查询({households} 户)中位数", med, "ms")
        figure(f"搜索 200 次混合查询({households} 户)p95", p95, "ms", "≤ 200 ms", p95 <= 200)
        med, p95 = _search_latency(store, queries, exact=True)
        figure("同上,返回全部匹配(不设上限)p95", p95, "ms")
        for kind, name in enumerate(QUERY_KINDS):  # which kind of text makes the p95
            med, p95 = _search_latency(store, queries[kind::len(QUERY_KINDS)])
            figure(f"  其中 {name} p95", p95, "ms")

        measure_statistics(store, counties)
        measure_office_lists(store)
    measure_login(url, workdir)


def measure_office_lists(store: Store) -> None:
    """What the province's screens read before they show: the open duplicate flags
    (疑似重复), the 范围 choices of 统计 (each was 5 s and more at 2,000,000), and a
    household opened (it read every village with its groups to name one: 0.4-0.5 s)."""
    with timed() as t:
        flags = duplicates.open_flag_rows(store)
    figure(f"疑似重复列表(读取 {len(flags)} 条)", t.seconds, "s")
    with timed() as t:
        scopes = units(store)
    figure(f"统计“范围”选项({len(scopes)} 项)", t.seconds, "s")
    with store.session() as s:
        picked = list(s.execute(select(Household.id).where(Household.deleted.is_(False))
                                .order_by(func.random()).limit(50)).scalars())
    opened = []
    for household_id in picked:
        with timed() as t:
            household_access.household_detail(store, household_id)
        opened.append(t.seconds * 1000)
    figure(f"打开一户(随机 {len(opened)} 户)p95", percentile(opened, 95), "ms")


def measure_login(url: str, workdir: Path) -> None:
    """The province's window (desktop.probe, offscreen, a process of its own): login to a
    usable window; the tree's villages counted from the tally, their groups when opened."""
    r = bench_desktop.probe(url, "2", "login", figures=workdir / "province.probe.json",
                            user=USER, password=PASSWORD)
    figure("省级库登录到可用主窗口(树、表格首屏已显示)", r["login_s"], "s")
    figure("  其中:到村组树显示", r["login_tree_s"], "s")
    figure("  到全部户读完(状态栏“共 N 户”)", r["login_all_s"], "s")


def measure_statistics(store: Store, counties: list[Any]) -> None:
    """Each table for the whole province per county and per city, as the store gives it (the
    village tally, schema 9) and counted from the rows (`tally=False`, as before schema
    9: the comparison); a county's and a city's tables; the tally of one county counted
    again, as each merge of a county's bundle does."""
    levels = ("county", "city")
    for tally, how in ((True, "村级汇总表"), (False, "逐行计数,对照")):
        slowest = 0.0
        for level in levels:
            for by in REPORT_ORDER:
                with store.session() as s, timed() as t:
                    rows = statistics.tables(s, [by], level, tally=tally)[by]
                slowest = max(slowest, t.seconds)
                figure(f"全省 {statistics.BY[by]}(按{statistics.LEVEL_NAMES[level]},"
                       f"{len(rows)} 行,{how})", t.seconds, "s", "≤ 3 s", t.seconds <= 3)
        figure(f"全省最慢的一张统计表({how})", slowest, "s", "≤ 3 s", slowest <= 3)
        for level in levels:
            with store.session() as s, timed() as t:
                statistics.tables(s, REPORT_ORDER, level, tally=tally)
            figure(f"全省全部 {len(REPORT_ORDER)} 张表一起(按{statistics.LEVEL_NAMES[level]},"
                   f"{how})", t.seconds, "s")
    # One county's (per township) and one city's (per county) tables, as their offices
    # would ask the province's store.
    rng = random.Random(3)
    sample = rng.sample(counties, min(len(counties), 12))
    cities = sorted({c.code[:4] for c in counties})
    units: list[tuple[str, list[str], str]] = [
        ("县", [c.code for c in sample], "township"), ("市(州)", cities, "county")]
    for tally, how in ((True, "村级汇总表"), (False, "逐行计数,对照")):
        for unit, codes, level in units:
            times = []
            for code in codes:
                for by in REPORT_ORDER:
                    with store.session() as s, timed() as t:
                        statistics.tables(s, [by], level, code, tally=tally)
                    times.append(t.seconds)
            figure(f"一个{unit}的统计表({len(codes)} 个 × {len(REPORT_ORDER)} 张,{how})中位数",
                   median(times), "s")
            figure(f"一个{unit}的统计表 p95({how})", percentile(times, 95), "s", "≤ 3 s",
                   percentile(times, 95) <= 3)
    times = []
    for county in sample[:5]:
        with store.session() as s, timed() as t:  # rolled back: the tally stays as it is
            statistics.refresh_tally(s, county.code)
        times.append(t.seconds)
    figure("重算一个县的村级汇总表(每次导入县数据包时)中位数", median(times), "s")


def province_run(workdir: Path, args: argparse.Namespace, quick: bool) -> None:
    count, households = _counties(args, quick)
    counties = province_data.spread(count)
    prepared = workdir / "prepared.json"
    if args.from_prepared:
        if not prepared.exists():
            raise SystemExit(f"没有 {prepared}:请先用 --prepare 生成")
        facts = json.loads(prepared.read_text(encoding="utf-8"))
        count, households = len(facts["counties"]), facts["households"]
        by_code = {c.code: c for c in province_data.spread(FULL_COUNTIES)}
        counties = [by_code[code] for code in facts["counties"]]
    section(f"全省规模:{count} 个县,约 {households} 户,县数据包汇入 PostgreSQL 省级库")
    for k, v in _server_facts().items():
        print(f"  PostgreSQL {k} = {v}")
    if args.from_prepared:
        url, totals = facts["url"], facts["totals"]
        bundles = [Path(b) for b in facts["bundles"]]
    else:
        url = new_database("province")
    try:
        if not args.from_prepared:
            province, _ = Store.create(url, kind="province", region_code=PROVINCE, user=USER,
                                       password=PASSWORD)
            with province:
                bundles, totals = build_counties(workdir, province, counties, households,
                                                 args.blocks)
        figure("生成的农户", totals["households"], "户")
        figure("生成的在册人口", totals["people"], "人")
        figure("生成的记录(各表合计)", totals["records"], "条")
        if args.prepare:
            prepared.write_text(json.dumps({
                "url": url, "households": households, "totals": totals,
                "counties": [c.code for c in counties],
                "bundles": [str(b) for b in bundles]}), encoding="utf-8")
            print(f"  已准备好:{prepared}(省级库 {url} 保留,用 --from-prepared 导入)")
            return
        figure("机器负载(1 分钟平均,导入前)", os.getloadavg()[0], "")
        if args.import_pgoptions:
            print(f"  导入进程的 PGOPTIONS = {args.import_pgoptions}(诊断)")
        result = import_in_child(url, bundles, args.import_pgoptions)
        applied = [b for b in result["bundles"] if b["status"] == receive.APPLIED]
        if len(applied) < len(bundles):  # a resumed run: the rate of what this one applied
            figure("  此前已导入(重放,无改动)的数据包", len(bundles) - len(applied), "个")
        seconds = sum(b["seconds"] for b in applied) or result["seconds"]
        households = sum(b["counts"].get("household", {}).get("inserted", 0) for b in applied)
        rate = households / seconds
        figure(f"省级导入 {len(applied)} 个县数据包(独立进程)", seconds, "s")
        figure("  导入速度", rate, "户/s", "≥ 3,000 户/s", rate >= 3000)
        figure("  导入速度(记录)", sum(b["records"] for b in applied) / seconds, "条/s")
        per = [b["seconds"] for b in applied] or [0.0]
        figure("  每个县数据包 中位数", median(per), "s")
        figure("  每个县数据包 最慢", max(per), "s")
        figure("  导入进程峰值内存(打开数据库后)", result["ready_mb"], "MB")
        figure("  导入进程峰值内存", result["peak_mb"], "MB")
        figure("机器负载(1 分钟平均,导入后)", os.getloadavg()[0], "")
        measure_province(url, counties, totals["households"], workdir)
    finally:
        if args.keep:
            print(f"  省级库保留在:{url}")
        elif not args.prepare:
            drop_database(url)


# ---- SQLCipher and PostgreSQL side by side -----------------------------------------------------
def side_by_side(workdir: Path, households: int) -> None:
    section(f"同一个 {households} 户乡镇数据包:县级库在 SQLCipher 与 PostgreSQL 上导入")
    station_path = workdir / f"station-{households}.db"
    folder = workdir / "side"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    fresh = not station_path.exists()
    if fresh:
        station, _ = Store.create(station_path, kind="station", region_code=STATION,
                                  user=USER, password=PASSWORD)
        with station, timed() as t:
            demo.generate(station, households, seed=2014)
        figure(f"准备:生成演示乡镇 {households} 户", t.seconds, "s")
    # The same station twice (a copy of its files), each enrolled at one county, each
    # exporting everything: the same rows and audit entries in both bundles, sealed for
    # each county's keys.
    file_county = folder / "county.db"
    url = new_database("county")
    try:
        paths = []
        for name, target in (("sqlcipher", str(file_county)), ("postgresql", url)):
            copy = folder / f"station-{name}.db"
            for f in station_path.parent.glob(f"{station_path.name}*"):
                shutil.copy(f, folder / f.name.replace(station_path.name, copy.name))
            county, _ = Store.create(target, kind="county", region_code=STATION_COUNTY,
                                     user=USER, password=PASSWORD)
            with Store.open(copy, USER, PASSWORD) as station, county:
                _enroll(station, county, folder)
                out = folder / name
                out.mkdir()
                paths.append(export.export_station(station, out, full=True).path)
        results = []
        for target, path in zip((str(file_county), url), paths, strict=True):
            results.append(import_in_child(target, [path]))
        for name, r in zip(("SQLCipher", "PostgreSQL"), results, strict=True):
            b = r["bundles"][0]
            figure(f"{name}:导入 {households} 户(独立进程)", b["seconds"], "s")
            figure(f"  {name}:导入速度", households / b["seconds"], "户/s")
            figure(f"  {name}:记录", b["records"], "条")
            figure(f"  {name}:导入进程峰值内存", r["peak_mb"], "MB")
        ratio = results[1]["bundles"][0]["seconds"] / results[0]["bundles"][0]["seconds"]
        figure("PostgreSQL / SQLCipher 耗时比", ratio, "×")
        figure("SQLCipher 县级库大小", sum(f.stat().st_size for f in folder.glob("county.db*"))
               / 1e6, "MB")
        with Store.open(url, USER, PASSWORD) as c, c.session() as s:
            size = s.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        figure("PostgreSQL 县级库大小", size / 1e6, "MB")
    finally:
        drop_database(url)


def run(workdir: Path, quick: bool, args: argparse.Namespace | None = None) -> None:
    if args is None:
        parser = argparse.ArgumentParser()
        add_arguments(parser)
        args = parser.parse_args([])
    server_url()
    if (args.prepare or args.from_prepared) and not os.environ.get("FUPIN_SERVER_KEY"):
        raise SystemExit("--prepare 与 --from-prepared 须设置同一个 FUPIN_SERVER_KEY"
                         "(64 位十六进制):省级库中的同步密钥以它加密")
    os.environ.setdefault("FUPIN_SERVER_KEY", os.urandom(32).hex())
    figure("机器负载(1 分钟平均,开始)", os.getloadavg()[0], "")
    if not args.skip_province:
        province_run(workdir, args, quick)
    if not args.skip_side and not args.prepare:
        side_by_side(workdir, args.side_households or (2_000 if quick else 20_000))
    figure("机器负载(1 分钟平均,结束)", os.getloadavg()[0], "")
    figure("本基准进程峰值内存(生成数据等,参考)", peak_rss_mb(), "MB")
    _ = sichuan  # the regions are loaded by province_data
