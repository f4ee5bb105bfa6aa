"""The county's statistics at scale: every table of registry.statistics over a county store
of 200,000 households (for the county, per township, and per village), all of them counted
together as the report does, the 统计报告 PDF and the workbook. The store is built once per
workdir (`--workdir` keeps it between runs) with the same generator as bench_store's
county-size store, spread over all of the county's villages, with 农业户籍人口 for each
village so 贫困发生率 has its figures; a store kept from an older schema is migrated when it
is opened (schema 7 adds the indexes the statistics read).

The machine is shared: the load is printed before and after, and beside the slowest table
the CPU time this process spent on it (less swayed by the other processes than the wall
time the target is for)."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from benchmarks.bench_store import _grow, _villages
from benchmarks.common import figure, peak_rss_mb, section, timed
from registry import statistics
from registry.models import VillageFacts
from registry.store import Store
from reports.statistics.report import write_report
from reports.statistics.tables import REPORT_ORDER
from reports.statistics.workbook import write_workbook

COUNTY = "513431"
USER, PASSWORD = "admin", "bench-pass-1"


def county_store(workdir: Path, households: int) -> Path:
    path = workdir / f"county-{households}.db"
    if path.exists():
        return path
    start = time.perf_counter()
    store, _ = Store.create(path, kind="county", region_code=COUNTY, user=USER,
                            password=PASSWORD)
    with store:
        _grow(store, households, seed=20)
        rng = random.Random(5)
        with store.transaction() as s:
            for village in _villages(store):
                for year in (2015, 2016):
                    s.add(VillageFacts(village_code=village, year=year,
                                       people_agricultural=rng.randint(3000, 9000)))
    figure(f"准备:生成 {households} 户的县库", time.perf_counter() - start, "s")
    return path


def run(workdir: Path, quick: bool) -> None:
    households = 20_000 if quick else 200_000
    section(f"统计({households} 户的县)")
    path = county_store(workdir, households)
    figure("机器负载(1 分钟平均,开始)", os.getloadavg()[0], "")
    with Store.open(path, USER, PASSWORD) as store:
        slowest, slowest_cpu = 0.0, 0.0
        for level in ("county", "township", "village"):
            for by in REPORT_ORDER:
                cpu = time.process_time()
                with store.session() as s, timed() as t:
                    rows = statistics.stats(s, by, level)
                if t.seconds > slowest:
                    slowest, slowest_cpu = t.seconds, time.process_time() - cpu
                figure(f"{statistics.BY[by]}(按{statistics.LEVEL_NAMES[level]},"
                       f"{len(rows)} 行)", t.seconds, "s", "≤ 2 s", t.seconds <= 2)
        figure("最慢的一张统计表", slowest, "s", "≤ 2 s", slowest <= 2)
        figure("  其中本进程 CPU 时间", slowest_cpu, "s")
        for level in ("county", "township", "village"):
            with store.session() as s, timed() as t:
                statistics.tables(s, REPORT_ORDER, level)
            figure(f"全部 {len(REPORT_ORDER)} 张表一起统计(按{statistics.LEVEL_NAMES[level]})",
                   t.seconds, "s")
        for level in ("county", "township", "village"):
            with timed() as t:
                result = write_report(store, workdir / f"report-{level}.pdf", level)
            figure(f"统计报告 PDF(按{statistics.LEVEL_NAMES[level]},{result.tables} 张表 "
                   f"{result.pages} 页)", t.seconds, "s", "≤ 15 s", t.seconds <= 15)
        with timed() as t:
            write_workbook(store, workdir / "stats.xlsx", "village")
        figure("统计工作簿(按行政村,全部表)", t.seconds, "s")
    figure("机器负载(1 分钟平均,结束)", os.getloadavg()[0], "")
    figure("峰值内存", peak_rss_mb(), "MB")
