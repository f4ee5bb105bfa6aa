"""Issue 9's figures (精准识别): the county's review queue of 20,000 households at 县复审,
审定 of 5,000 of them in one batch, the station applying the return bundle that carries
those decisions, and a village's batch of 300 households: listing them with their stages
and opening the first notice for all of them.

The households are demo data moved to the stage each figure starts from by plain SQL (one
step event each, as the procedure would have left them): recording every step for 20,000
households is not what is measured here. The first bundle is a full one, so the demo's
audit entry accounts for every row at the county, as it does in bench_sync."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from benchmarks.common import figure, peak_rss_mb, section, timed
from registry import demo, roles
from registry.models import Household, ProcedureEvent, Region
from registry.procedure import county as county_steps
from registry.procedure import notices
from registry.procedure.record import Actor
from registry.search import HouseholdFilter, search_households
from registry.store import Store
from registry.tracking import bulk_insert
from sync import enroll, export, receive

PASSWORD = "bench-password"
TOWNSHIP = "513431102"  # 昭觉县竹核镇
COUNTY = "513431"
REF = "昭扶发〔2026〕1号"


def _store(path: Path, kind: str, code: str) -> Store:
    store, _ = Store.create(path, kind=kind, region_code=code, user="admin", password=PASSWORD)
    return store


def _enroll(station: Store, county: Store, folder: Path) -> None:
    req = folder / f"req-{station.info.region_code}.json"
    ans = folder / f"ans-{station.info.region_code}.json"
    enroll.write_request(station, req)
    enroll.enroll(county, req, ans)
    enroll.accept(station, ans)


def _move_to(store: Store, stage: str, step: str, village: str | None = None) -> list[str]:
    """Every household at `stage`, with the one step event that left it there (and, with
    `village`, all in that village). Returns their ids."""
    on = date.today() - timedelta(days=30)
    with store.transaction() as s:
        ids = list(s.scalars(select(Household.id).order_by(Household.id)))
        values: dict[str, Any] = {"stage": stage}
        if village:
            values["village_code"] = village
        s.execute(update(Household).values(**values))
        rows: list[dict[str, Any]] = [
            {"household_id": hid, "stage": stage, "event_date": on, "actor": "reviewer",
             "passed": True, "note": None, "step": step, "seq": 1, "role": roles.REVIEW,
             "result": "pass", "reason": None, "facts": None, "notice_id": None,
             "decision_id": None} for hid in ids]
        bulk_insert(s, ProcedureEvent, rows)
    return ids


def _county(workdir: Path, households: int, batch: int) -> None:
    section(f"精准识别:县复审队列({households} 户)、审定 {batch} 户、乡镇应用回传数据包")
    station = _store(workdir / "station.db", "station", TOWNSHIP)
    county = _store(workdir / "county.db", "county", COUNTY)
    with station, county:
        with timed() as t_prep:
            demo.generate(station, households, seed=2014)
            _move_to(station, "60", "second_notice_end")
            _enroll(station, county, workdir)
            usb = workdir / "usb"
            usb.mkdir()
            [r] = receive.import_files(county, [export.export_station(station, usb).path])
            assert r.status == "applied", r.message
            county.add_user("officer", PASSWORD, roles.COUNTY_REVIEW)
        figure("准备(演示数据、导出、县级导入,不计)", t_prep.seconds, "s")
        officer = Actor("officer", roles.COUNTY_REVIEW)

        with county.session() as s, timed() as t_queue:
            queue = county_steps.review_queue(s)
        assert len(queue) == households, len(queue)
        figure(f"县复审队列 {households} 户", t_queue.seconds, "s", "≤ 2 s(2 万户)",
               t_queue.seconds <= 2 if households >= 20000 else None)

        chosen = [q.household_id for q in queue[:batch]]
        with timed() as t_decide, county.transaction() as s:
            county_steps.decide(s, officer, chosen, True, REF)
        figure(f"审定 {batch} 户(一批,一个文号)", t_decide.seconds, "s", "≤ 10 s(5000 户)",
               t_decide.seconds <= 10 if batch >= 5000 else None)

        back = export.export_return(county, TOWNSHIP, usb)
        with timed() as t_apply:
            [r] = receive.import_files(station, [back.path])
        assert r.status == "applied", r.message
        assert f"{batch} 户由“县复审”变为“县审定”" in r.message, r.message
        figure(f"乡镇导入回传数据包并应用 {batch} 户审定", t_apply.seconds, "s",
               "≤ 10 s(5000 户)", t_apply.seconds <= 10 if batch >= 5000 else None)
        figure("峰值内存", peak_rss_mb(), "MB")


def _village(workdir: Path, households: int) -> None:
    section(f"精准识别:一个村 {households} 户的批量页与发起第一次公示")
    station = _store(workdir / "village.db", "station", TOWNSHIP)
    with station:
        demo.generate(station, households, seed=9)
        with station.session() as s:
            village = s.scalars(select(Region.code).where(
                Region.level == "village", Region.code.startswith(TOWNSHIP))
                .order_by(Region.code)).first()
        assert village is not None
        _move_to(station, "25", "verify", village)
        station.add_user("reviewer", PASSWORD, roles.REVIEW)
        reviewer = Actor("reviewer", roles.REVIEW)

        with timed() as t_list, station.session() as s:
            rows = search_households(s, HouseholdFilter(village_code=village, stage="25"),
                                     limit=None)
        assert len(rows) == households
        with timed() as t_open, station.transaction() as s:
            notice = notices.open_notice(s, reviewer, notices.FIRST, village,
                                         [r.id for r in rows], date.today())
            number = notice.number
        figure(f"列出本村 {households} 户及其阶段", t_list.seconds, "s")
        figure(f"发起第一次公示({households} 户,{number})", t_open.seconds, "s")
        total = t_list.seconds + t_open.seconds
        figure("合计:打开批量页并发起公示", total, "s", "≤ 1 s(300 户)",
               total <= 1 if households >= 300 else None)


def run(workdir: Path, quick: bool) -> None:
    _county(workdir, 2000 if quick else 20000, 500 if quick else 5000)
    _village(workdir, 30 if quick else 300)
