"""Issue 5's printing figures: a 300-household 公示 printed from its record (≤ 2 s), first
and second, and the 乡登记簿 of a 20,000-household township (≤ 60 s) with its size; the
扶贫手册 of a 300-household village (issue 10: ≤ 10 s).
Times include reading the store, the glyph check, layout and the atomic write."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select, update

from benchmarks.common import figure, peak_rss_mb, section, timed
from registry import demo
from registry.models import Household, Region
from registry.procedure.notices import open_notice
from registry.procedure.record import Actor, record
from registry.procedure.steps import STEPS
from registry.store import Store
from reports.fonts import find_fonts
from reports.pdf.handbook import print_handbook
from reports.pdf.notice import print_notice_record
from reports.pdf.registers import print_register

TOWNSHIP = "513431102"
PASSWORD = "bench-password"


def _station(path: Path, households: int) -> Store:
    store, _ = Store.create(path, kind="station", region_code=TOWNSHIP, user="admin",
                            password=PASSWORD)
    demo.generate(store, households, seed=5)
    return store


def _first_village(store: Store) -> str:
    with store.session() as s:
        return s.execute(select(Region.code).where(Region.level == "village")
                         .order_by(Region.code)).scalars().first() or ""


def run(workdir: Path, quick: bool) -> None:
    section("打印(PDF)")
    find_fonts()  # font discovery once, as the desktop does at start
    notice_size = 300
    with _station(workdir / "notice.db", notice_size) as store:
        village = _first_village(store)
        with store.transaction() as s:  # one village of 300 households, all 入户核实 done
            s.execute(update(Household).values(village_code=village, stage="25"))
            ids = list(s.scalars(select(Household.id)))
            number = open_notice(s, Actor("admin", "admin"), "first", village, ids,
                                 date.today()).number
        with store.session() as s, timed() as t:
            r = print_notice_record(s, number, workdir / "notice.pdf")
        figure(f"公示 {r.households} 户 {r.pages} 页 A4", t.seconds, "s", "≤ 2 s",
               t.seconds <= 2)
        with store.session() as s, timed() as t:
            r = print_notice_record(s, number, workdir / "notice-a3.pdf", paper="A3")
        figure(f"公示 {r.households} 户 {r.pages} 页 A3", t.seconds, "s", "≤ 2 s",
               t.seconds <= 2)
        with store.session() as s, timed() as t:
            r = print_handbook(s, workdir / "handbook.pdf", village_code=village)
        figure(f"扶贫手册 一村 {r.households} 户 {r.pages} 页", t.seconds, "s", "≤ 10 s",
               t.seconds <= 10)
        with store.transaction() as s:  # the township's second notice of the same 300
            s.execute(update(Household).values(stage="35"))
            record(s, Actor("admin", "admin"), STEPS["township_review"], ids, date.today())
            second = open_notice(s, Actor("admin", "admin"), "second", TOWNSHIP, ids,
                                 date.today()).number
        with store.session() as s, timed() as t:
            r = print_notice_record(s, second, workdir / "second.pdf")
        figure(f"第二次公示 {r.households} 户 {r.pages} 页 A4", t.seconds, "s", "≤ 2 s",
               t.seconds <= 2)

    households = 2_000 if quick else 20_000
    with timed() as t:
        store = _station(workdir / "township.db", households)
    figure(f"(准备)演示乡镇 {households} 户", t.seconds, "s")
    with store:
        with store.session() as s:
            people = s.scalar(select(func.sum(Household.size))) or 0
        out = workdir / "register.pdf"
        with store.session() as s, timed() as t:
            r = print_register(s, out)
        target = 60 * households / 20_000
        figure(f"乡登记簿 {r.households} 户 {people} 人 {r.pages} 页", t.seconds, "s",
               f"≤ {target:.0f} s", t.seconds <= target)
        figure("乡登记簿 文件大小", out.stat().st_size / 2**20, "MiB")
        figure("乡登记簿 每页大小", out.stat().st_size / 1024 / max(r.pages, 1), "KiB")
    figure("峰值内存", peak_rss_mb(), "MB")
