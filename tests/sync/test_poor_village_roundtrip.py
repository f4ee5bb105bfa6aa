"""A 贫困村 end to end on real bundle files (issue 14's "Done when", no Qt): the station
registers the village's facts and records 申请 → 乡镇审核 → 乡镇公示 → 乡镇公示期满; the
bundle brings facts, the poor_village row and the steps to the county, nothing held; the
county records 县审定 under a 文号 and the 公告; the return bundle makes the village a 贫困村
at the station. Its exit is refused while 贫困发生率 (counted from the households) is 3 % or
more, or an item of 一低七有 is missing; once its households are 销号 it passes, and the
exit travels the same way. The 登记表 PDF shows the counted figures (pdftotext). Hostile
village rows are quarantined, never a crash."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.aid import incomes, review
from registry.errors import ProcedureRefused
from registry.models import Household, PoorVillage, VillageEvent, VillageFacts
from registry.poor_villages import exits
from registry.poor_villages.actions import record_village_step
from registry.poor_villages.facts import set_facts
from registry.poor_villages.sheet import village_sheet
from registry.procedure import notices
from registry.procedure.record import Actor, record
from registry.procedure.station import record_step
from registry.procedure.steps import STEPS
from registry.store import Store
from registry.sync_state import Quarantined
from reports.pdf.village_register import print_village_register
from sync import export, receive
from tests.registry.aid.flow import VOTES, registered
from tests.sync.conftest import TOWNSHIP, enroll_pair, make_county, make_station
from tests.sync.forge import Forger, first_manifest

TODAY = date.today()
REF, EXIT_REF = "昭扶发〔2026〕31号", "昭扶发〔2026〕45号"
HOUSEHOLD_YEAR = 2020  # the last year with a 扶贫标准 in a new store
ALL_MET = {"food_clothing": True, "education": True, "medical": True, "housing": True,
           "water": True}
FACTS = {"households_registered": "320", "people_registered": "1150",
         "people_agricultural": "50", "collective_income": "12000", "road_hardened": "是",
         "bus_service": "否", "water_safe": "是", "electricity": "是", "broadband": "是",
         "clinic": "是", "culture_room": "是", "distance_to_township_km": "6.5"}


def day(n: int) -> date:
    return TODAY - timedelta(days=n)


VILLAGE_YEAR = day(15).year  # the year of the village's exit


class Offices:
    def __init__(self, folder: Path) -> None:
        self.station = make_station(folder, households=0)
        self.county = make_county(folder)
        enroll_pair(self.station, self.county, folder)
        self.usb = folder / "usb"
        self.usb.mkdir()
        self.folder = folder

    def send(self) -> receive.ImportResult:
        sent = export.export_station(self.station, self.usb)
        [r] = receive.import_files(self.county, [sent.path])
        assert r.status == "applied", r.message
        return r

    def back(self) -> receive.ImportResult:
        sent = export.export_return(self.county, TOWNSHIP, self.usb)
        [r] = receive.import_files(self.station, [sent.path])
        assert r.status == "applied", r.message
        return r

    def step(self, store: Store, village: str, text: str, on: date, **kw: object) -> str:
        with store.transaction() as s:
            return record_village_step(s, Actor(store.user, store.role), text, village, on,
                                       today=TODAY, **kw)  # type: ignore[arg-type]


@pytest.fixture
def offices(tmp_path: Path) -> Iterator[Offices]:
    o = Offices(tmp_path)
    try:
        yield o
    finally:
        o.station.close()
        o.county.close()


def _held(store: Store) -> list[tuple[str, str]]:
    with store.session() as s:
        return [(q.table_name, q.reason) for q in s.scalars(select(Quarantined))]


def _village_row(store: Store, village: str) -> tuple[str, str, int | None]:
    with store.session() as s:
        row = s.scalar(select(PoorVillage).where(PoorVillage.village_code == village))
        assert row is not None
        return row.stage, row.poverty_status, row.exit_year


def _identify(o: Offices, village: str) -> None:
    with o.station.transaction() as s:
        set_facts(s, Actor(o.station.user, o.station.role), village, VILLAGE_YEAR, FACTS)
    o.step(o.station, village, "申请", day(60))
    o.step(o.station, village, "乡镇审核", day(59))
    o.step(o.station, village, "乡镇公示", day(58), facts={"days": 7})
    with pytest.raises(ProcedureRefused, match="起才能记录"):  # the notice runs 7 days
        o.step(o.station, village, "乡镇公示期满", day(55))
    o.step(o.station, village, "乡镇公示期满", day(50))


def _exit_households(o: Offices, village: str, ids: list[str]) -> None:
    """Both households through the exit steps to 销号 (the county's steps recorded as the
    return bundle would: registry.procedure.record with the county user)."""
    actor = Actor(o.station.user, o.station.role)
    with o.station.transaction() as s:
        review.open_year(s, actor, HOUSEHOLD_YEAR)
        for hid in ids:
            h = s.get(Household, hid)
            assert h is not None
            incomes.put_income(s, h, HOUSEHOLD_YEAR,
                               {"income_wage": Decimal(20000 * max(h.size, 1))})
            review.set_review(s, actor, hid, HOUSEHOLD_YEAR, ALL_MET, "exit")
        record_step(s, actor, "拟退出", ids, day(30), facts={"year": HOUSEHOLD_YEAR})
        record_step(s, actor, "退出民主评议", ids, day(30), facts=VOTES)
        record_step(s, actor, "贫困户认可", ids, day(29), facts={"signed_by": "户主"})
        n = notices.open_notice(s, actor, notices.EXIT, village, ids, day(28))
        notices.close_notice(s, actor, n.number, day(20))
        record_step(s, actor, "乡镇审核退出", ids, day(19), facts={"reviewer": "乡镇审核员"})
        by = ("县审核员", "county_review")
        record(s, None, STEPS["exit_decide"], ids, day(18), by=by)
        record(s, None, STEPS["exit_announce"], ids, day(17), by=by)
        record_step(s, actor, "销号", ids, day(16), facts={"year": HOUSEHOLD_YEAR})


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_a_poor_village_is_identified_and_exits_with_computed_figures(
        offices: Offices) -> None:
    o = offices
    village, ids = registered(o.station, households=2)
    _identify(o, village)
    assert _village_row(o.station, village)[:2] == ("40", "0")
    with pytest.raises(ProcedureRefused, match="县扶贫办决定"):
        o.step(o.station, village, "县审定", day(49), ref=REF)

    r = o.send()
    assert _held(o.county) == [], _held(o.county)
    assert r.counts["village_facts"]["inserted"] == 1
    assert r.counts["poor_village"]["inserted"] == 1
    assert r.counts["village_event"]["inserted"] == 4

    # The county: 审定 needs a 文号; the 公告 follows the 审定.
    with pytest.raises(ProcedureRefused, match="文号"):
        o.step(o.county, village, "县审定", day(49))
    with pytest.raises(ProcedureRefused, match="尚未审定"):
        o.step(o.county, village, "公告", day(48))
    assert "已县审定" in o.step(o.county, village, "县审定", day(49), ref=REF)
    with pytest.raises(ProcedureRefused, match="已审定"):
        o.step(o.county, village, "县审定", day(49), ref=REF)
    o.step(o.county, village, "公告", day(48))
    back = o.back()
    assert "变为“贫困村”" in back.message, back.message
    assert _village_row(o.station, village) == ("70", "1", None)
    o.back()  # a second return bundle applies nothing twice
    with o.station.session() as s:
        steps = list(s.scalars(select(VillageEvent.step).where(
            VillageEvent.village_code == village).order_by(VillageEvent.seq)))
        assert steps == ["apply", "township_review", "notice", "notice_end", "county_decide",
                         "announce"]
        sheet = village_sheet(s, village, VILLAGE_YEAR)
        poor_people = sheet.figures.poor_people
        assert sheet.status_name == "贫困村" and sheet.figures.poor_households == 2
        sizes = [h.size for h in s.scalars(select(Household).where(Household.id.in_(ids)))]
        assert poor_people == sum(sizes)
        rate = (Decimal(poor_people) * 100 / 50).quantize(Decimal("0.01"))
        assert sheet.figures.incidence == rate >= 3
    pdf = o.folder / "登记表.pdf"
    print_village_register(sheet, pdf)
    text = _pdf_text(pdf)
    assert "贫困村登记表" in text and "建档立卡贫困户数*" in text and "2户" in text
    assert f"{poor_people}人" in text and f"{rate}%" in text and REF in text

    # The exit: refused while 贫困发生率 ≥ 3 %, and naming a missing item.
    with o.station.transaction() as s:
        set_facts(s, Actor(o.station.user, o.station.role), village, VILLAGE_YEAR,
                  {"broadband": None})
    with pytest.raises(ProcedureRefused) as refused:
        o.step(o.station, village, "申请退出", day(40), facts={"year": VILLAGE_YEAR})
    assert "贫困发生率" in str(refused.value) and "通宽带" in str(refused.value)
    _exit_households(o, village, ids)
    with o.station.session() as s:
        checked = exits.check(s, village, VILLAGE_YEAR)
        assert [i.key for i in checked.missing()] == ["broadband"]
        assert checked.items[0].value == "0.00%" and checked.items[0].met
    with pytest.raises(ProcedureRefused, match="通宽带"):
        o.step(o.station, village, "申请退出", day(15), facts={"year": VILLAGE_YEAR})
    with o.station.transaction() as s:
        set_facts(s, Actor(o.station.user, o.station.role), village, VILLAGE_YEAR,
                  {"broadband": "是"})
    o.step(o.station, village, "申请退出", day(15), facts={"year": VILLAGE_YEAR})
    o.step(o.station, village, "退出公示", day(14))
    o.step(o.station, village, "退出公示期满", day(7))
    o.send()
    assert _held(o.county) == [], _held(o.county)
    o.step(o.county, village, "县审定退出", day(6), ref=EXIT_REF)
    o.step(o.county, village, "退出公告", day(5))
    o.back()
    assert _village_row(o.station, village) == ("95", "2", VILLAGE_YEAR)
    with o.station.session() as s:
        sheet = village_sheet(s, village, VILLAGE_YEAR)
        assert sheet.status_name == "已退出" and sheet.figures.poor_households == 0
        assert sheet.figures.exits_by_year[HOUSEHOLD_YEAR][0] == 2
    print_village_register(sheet, pdf)
    text = _pdf_text(pdf)
    assert "已退出" in text and "0.00%" in text and EXIT_REF in text
    # The station's mirror of the county's steps reaches the county with the next bundle.
    o.send()
    assert _village_row(o.county, village) == ("95", "2", VILLAGE_YEAR)
    assert _held(o.county) == []


def test_hostile_village_rows_are_quarantined(offices: Offices) -> None:
    o = offices
    village, _ = registered(o.station, households=1)
    _identify(o, village)
    forger = Forger(o.station, o.county)
    manifest, payload = forger.real(o.usb)
    tables = payload["tables"]

    def spoil(table: str, row: int, column: str, value: object) -> str:
        section = tables[table]
        section["rows"][row][section["columns"].index(column)] = value
        return str(section["rows"][row][section["columns"].index("id")])

    bad = {spoil("village_event", 0, "step", "bogus"): "步骤",
           spoil("village_event", 1, "seq", "x"): "步骤序号",
           spoil("village_event", 2, "village_code", "513431999999"): "不属于本乡镇",
           spoil("village_event", 3, "facts", "[1, 2"): "步骤事实",
           spoil("village_facts", 0, "people_agricultural", 10 ** 12): "农业户籍人口",
           spoil("poor_village", 0, "poverty_status", "7"): "贫困村状态"}
    path = forger.seal(first_manifest(manifest), payload, o.folder / "bad.fpb")
    [r] = receive.import_files(o.county, [path])
    assert r.status == "applied", r.message
    held = {rid: reason for rid, reason in (
        (q.record_id, q.reason) for q in _quarantine(o.county))}
    for rid, words in bad.items():
        assert words in held.get(rid, ""), (rid, words, held.get(rid))
    with o.county.session() as s:
        assert s.scalar(select(VillageFacts)) is None
        assert s.scalar(select(VillageEvent)) is None


def _quarantine(store: Store) -> list[Quarantined]:
    with store.session() as s:
        rows = list(s.scalars(select(Quarantined)))
        s.expunge_all()
        return rows


def test_a_station_cannot_make_itself_a_poor_village(offices: Offices) -> None:
    o = offices
    village, _ = registered(o.station, households=1)
    _identify(o, village)
    forger = Forger(o.station, o.county)
    manifest, payload = forger.real(o.usb)
    section = payload["tables"]["poor_village"]
    row = section["rows"][0]
    row[section["columns"].index("poverty_status")] = "1"  # 贫困村, with no 县审定 or 公告
    row[section["columns"].index("stage")] = "70"
    path = forger.seal(first_manifest(manifest), payload, o.folder / "forged.fpb")
    [r] = receive.import_files(o.county, [path])
    assert r.status == "applied", r.message
    assert r.counts["poor_village"]["quarantined"] == 1
    assert any(t == "poor_village" and "公告" in why for t, why in _held(o.county))
    with o.county.session() as s:
        assert s.scalar(select(PoorVillage)) is None
