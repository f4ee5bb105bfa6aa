"""The roll-up: counties send their merged data to their city and the city to the province,
as stations send theirs to the county — enrolled the same way, the same bundles, the same
chain (replay, fork, gap) and the same record-by-record checks. Counties are SQLCipher
files; the city and the province live on this test's engine (a PostgreSQL server, as a
city or a province centre would run them, or files)."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

from benchmarks.bench_sync import _other_number
from cli.main import main
from registry import audit, household_access, migrations, statistics
from registry.aid import access as aid_access
from registry.aid import common as aid_common
from registry.errors import NotOwner
from registry.models import Helper, Household, Member, VillageTally
from registry.store import Store
from registry.sync_state import DuplicateFlag
from registry.villages import VillageEdit, load_villages, save_villages
from sync import demo_county, duplicates, enroll, export, receive, status
from sync.errors import SyncError
from tests.sync.conftest import (
    PASSWORD,
    content_hash,
    county_target,
    enroll_pair,
    make_station,
    set_member,
)
from tests.sync.forge import Forger

# Two counties of 凉山州 (5134) reach the province through their city; a county of 成都
# (5101) is enrolled straight at the province.
LIANGSHAN, CHENGDU = "5134", "5101"
COUNTIES = {"513431": LIANGSHAN, "513432": LIANGSHAN, "510112": CHENGDU}
TABLES = ("stage", "attribute", "cause", "status", "skill", "health", "education", "year",
          "measure", "helper")


@dataclass
class County:
    code: str
    store: Store
    station: Store


def _office(folder: Path, kind: str, code: str) -> Store:
    store, _ = Store.create(county_target(folder, code, kind), kind=kind, region_code=code,
                            user="admin", password=PASSWORD)
    return store


def _county(folder: Path, code: str, seed: int) -> County:
    """A county with one station whose demo households it has imported."""
    township = demo_county.townships(code)[0][0]
    station = make_station(folder, township, households=12, seed=seed)
    store, _ = Store.create(folder / f"county-{code}.db", kind="county", region_code=code,
                            user="admin", password=PASSWORD)
    enroll_pair(station, store, folder)
    usb = folder / f"usb-{code}"
    usb.mkdir()
    [r] = receive.import_files(store, [export.export_station(station, usb).path])
    assert r.status == "applied", r.message
    return County(code, store, station)


def _enroll_up(lower: Store, upper: Store, folder: Path, to: str | None = None) -> None:
    req = folder / f"up-req-{lower.info.region_code}.json"
    ans = folder / f"up-ans-{lower.info.region_code}.json"
    enroll.write_request(lower, req, to=to)
    enroll.enroll(upper, req, ans)
    enroll.accept(lower, ans)


def _send(lower: Store, upper: Store, folder: Path) -> receive.ImportResult:
    out = folder / "stick"
    out.mkdir(exist_ok=True)
    [r] = receive.import_files(upper, [export.export_station(lower, out).path])
    return r


def _rows(store: Store, level: str) -> dict[str, Counter[tuple[str, str, str]]]:
    """Each table per unit of `level`: (code, key) → households and people."""
    with store.session() as s:
        out: dict[str, Counter[tuple[str, str, str]]] = {}
        for by, rows in statistics.tables(s, TABLES, level).items():
            counted: Counter[tuple[str, str, str]] = Counter()
            for r in rows:
                counted[(r.code, r.key, "hh")] += r.households
                counted[(r.code, r.key, "pp")] += r.people
            out[by] = counted
    return out


def _households(store: Store) -> set[str]:
    with store.session() as s:
        return set(s.execute(select(Household.id).where(Household.deleted.is_(False)))
                   .scalars())


@dataclass
class RolledUp:
    counties: list[County]
    city: Store
    province: Store
    folder: Path


def _travel_up(county: County, rolled_up: RolledUp, usb: Path) -> None:
    """The station's new work: station → county → city (凉山) → province."""
    [r] = receive.import_files(county.store, [export.export_station(county.station, usb).path])
    assert r.status == "applied"
    assert _send(county.store, rolled_up.city, rolled_up.folder).status == "applied"
    assert _send(rolled_up.city, rolled_up.province, rolled_up.folder).status == "applied"


@pytest.fixture
def rolled_up(tmp_path: Path) -> Iterator[RolledUp]:
    counties = [_county(tmp_path, code, seed) for seed, code in enumerate(COUNTIES, 3)]
    city = _office(tmp_path, "city", LIANGSHAN)
    province = _office(tmp_path, "province", "51")
    try:
        for c in counties:
            if COUNTIES[c.code] == LIANGSHAN:
                _enroll_up(c.store, city, tmp_path)
                r = _send(c.store, city, tmp_path)
                assert r.status == "applied", r.message
            else:
                _enroll_up(c.store, province, tmp_path, to="51")
                r = _send(c.store, province, tmp_path)
                assert r.status == "applied", r.message
        _enroll_up(city, province, tmp_path)
        r = _send(city, province, tmp_path)
        assert r.status == "applied", r.message
        yield RolledUp(counties, city, province, tmp_path)
    finally:
        for store in (city, province, *(c.store for c in counties),
                      *(c.station for c in counties)):
            store.close()


def test_province_statistics_are_the_sum_of_the_counties(rolled_up: RolledUp) -> None:
    counties, city, province = rolled_up.counties, rolled_up.city, rolled_up.province
    expected: dict[str, Counter[tuple[str, str, str]]] = {by: Counter() for by in TABLES}
    for c in counties:
        for by, counted in _rows(c.store, "county").items():
            expected[by].update(counted)
    assert sum(expected["stage"].values()) > 0
    assert _rows(province, "county") == expected
    # The city adds up its two counties; the province's city rows say the same.
    by_city: dict[str, Counter[tuple[str, str, str]]] = {by: Counter() for by in TABLES}
    for by, counted in expected.items():
        for (code, key, what), n in counted.items():
            by_city[by][(code[:4], key, what)] += n
    assert _rows(province, "city") == by_city
    liangshan = {by: Counter({k: n for k, n in counted.items() if k[0] == LIANGSHAN})
                 for by, counted in by_city.items()}
    assert _rows(city, "city") == liangshan
    assert _households(province) == set().union(*(_households(c.store) for c in counties))


def test_replay_is_a_no_op_and_a_change_travels_up(rolled_up: RolledUp) -> None:
    counties, city, province, folder = (rolled_up.counties, rolled_up.city,
                                        rolled_up.province, rolled_up.folder)
    usb = folder / "again"
    usb.mkdir()
    liangshan = counties[0]
    first = export.export_station(liangshan.store, usb, full=True)
    before = content_hash(city)
    [r] = receive.import_files(city, [first.path])
    assert r.status == "applied"
    assert r.counts["household"]["unchanged"] > 0
    assert sum(r.counts["household"][b] for b in ("inserted", "updated")) == 0
    [r] = receive.import_files(city, [first.path])
    assert r.status == "replay" and content_hash(city) != before  # the receipt only
    # A station changes a household; it travels station → county → city → province.
    with liangshan.station.transaction() as s:
        h = s.execute(select(Household).order_by(Household.id).limit(1)).scalar_one()
        h.phone = "13912345678"
        audit.record(s, "admin", "update", "household", h.id, after={"phone": h.phone})
        changed = h.id
    _travel_up(liangshan, rolled_up, usb)
    with province.session() as s:
        got = s.get(Household, changed)
        assert got is not None and got.phone == "13912345678"


def _tally_agrees(store: Store) -> None:
    """Every table a city's or the province's store gives (from its village tally) is the
    one counted from its rows, row for row, at every level and inside a county."""
    levels = [lv for lv, width in statistics.LEVELS.items()
              if width >= len(store.info.region_code)]
    with store.session() as s:
        for level in levels:
            for code in (None, "513431"):
                tallied = statistics.tables(s, statistics.TALLIED, level, code)
                counted = statistics.tables(s, statistics.TALLIED, level, code, tally=False)
                assert tallied == counted, (level, code)
            # 帮扶责任人覆盖 on other days: the demo's helpers start, end and change over.
            for on in (date(2015, 7, 31), date(2015, 10, 15), date(2015, 12, 31),
                       date(2016, 1, 1), date(2016, 2, 1), date(2017, 8, 1)):
                assert (statistics.stats(s, "helper", level, on=on)
                        == statistics.tables(s, ["helper"], level, on=on, tally=False)["helper"])


def test_the_offices_tally_is_the_rows_counted_after_every_merge(rolled_up: RolledUp
                                                                  ) -> None:
    counties, city, province, folder = (rolled_up.counties, rolled_up.city,
                                        rolled_up.province, rolled_up.folder)
    for store in (city, province):
        _tally_agrees(store)
    with province.session() as s:
        assert statistics.tables(s, ["cause"], "county", tally=False)["cause"], "nothing counted"
        helped = statistics.stats(s, "helper", "county", on=date(2016, 6, 1))
        assert statistics.HAS_HELPER in {r.key for r in helped}
    # A station's household changes its 主要致贫原因 and a member's 文化程度: the change
    # travels up and the tally follows it.
    liangshan = counties[0]
    with liangshan.station.transaction() as s:
        h = s.execute(select(Household).where(Household.stage.in_(statistics.REGISTER))
                      .order_by(Household.id).limit(1)).scalar_one()
        h.main_cause = "13"  # 因丧
        audit.record(s, "admin", "update", "household", h.id, after={"main_cause": "13"})
        m = s.execute(select(Member).where(Member.household_id == h.id)
                      .order_by(Member.id).limit(1)).scalar_one()
        m.education = "6"
        audit.record(s, "admin", "update", "member", m.id, after={"education": "6"})
        # A second helper at once for a while (两人帮扶): the household counts once a day.
        extra = Helper(household_id=h.id, name="王芳", start_date=date(2015, 10, 1),
                       end_date=date(2016, 3, 31))
        s.add(extra)
        s.flush()
        audit.record(s, "admin", "insert", "helper", extra.id, after={"name": "王芳"})
        changed = h.village_code
    usb = folder / "change"
    usb.mkdir()
    _travel_up(liangshan, rolled_up, usb)
    with province.session() as s:
        [row] = [r for r in statistics.stats(s, "cause", "village", changed)
                 if r.key == "因丧"]
        assert row.households >= 1
    for store in (city, province):
        _tally_agrees(store)


@pytest.mark.parametrize("county_engine", ["postgresql"], indirect=True)
def test_the_tally_is_counted_on_statistics_that_know_the_new_county(rolled_up: RolledUp
                                                                      ) -> None:
    """PostgreSQL: a county's first bundle brings village codes the planner's statistics
    have never seen; the merge analyzes them in its own transaction before the tally is
    counted (else the county's households were planned as one row and its members
    aggregated once per household: minutes at a province). PostgreSQL only: SQLite keeps
    no such statistics."""
    with rolled_up.province.session() as s:
        known = s.execute(text(
            "SELECT coalesce(most_common_vals::text, '') "
            "|| coalesce(histogram_bounds::text, '') "
            "FROM pg_stats WHERE tablename = 'household' AND attname = 'village_code'"
        )).scalar_one_or_none()
    assert known is not None, "village_code never analyzed"
    # The city's bundle (凉山's two counties) was the province's last: its codes are known.
    for county in (c for c in rolled_up.counties if COUNTIES[c.code] == LIANGSHAN):
        assert county.code in known


def test_an_office_store_of_schema_8_counts_its_tally_when_upgraded(rolled_up: RolledUp
                                                                     ) -> None:
    province = rolled_up.province
    with province.session() as s:
        before = statistics.tables(s, statistics.TALLIED, "county")
    assert before["stage"]
    with province.engine.begin() as conn:  # as a province store of schema 8 is
        command.downgrade(migrations.config(conn), "0008")
    target = province.target
    province.close()
    with Store.open(target, "admin", PASSWORD) as upgraded:
        with upgraded.session() as s:
            assert (s.scalar(select(func.count()).select_from(VillageTally)) or 0) > 0
            assert statistics.tables(s, statistics.TALLIED, "county") == before
        _tally_agrees(upgraded)


def test_a_gap_waits_and_a_fork_is_refused(rolled_up: RolledUp) -> None:
    counties, city, folder = rolled_up.counties, rolled_up.city, rolled_up.folder
    county = counties[1].store
    usb = folder / "gap"
    usb.mkdir()
    second = export.export_station(county, usb, full=False)  # seq 2 (1 went before)
    third = export.export_station(county, usb, full=False)
    [r] = receive.import_files(city, [third.path])
    assert r.status == "waiting" and "第 2 号数据包缺失" in r.message
    [r] = receive.import_files(city, [second.path])
    assert r.status == "applied" and r.also_applied == [3]
    # The same number again with other content: a fork.
    forged = Forger(county, city)
    manifest, payload = forged.real(usb, full=False)
    manifest.update(seq=3, prev_hash=second.hash)
    fork = forged.seal(manifest, payload, usb / "fork.fupin")
    [r] = receive.import_files(city, [fork])
    assert r.status == "refused" and "分叉" in r.message
    [st] = [st for st in status.status(city) if st.code == county.info.region_code]
    assert st.forks == [3]


def test_a_county_cannot_send_another_countys_households(rolled_up: RolledUp) -> None:
    counties, city, folder = rolled_up.counties, rolled_up.city, rolled_up.folder
    county, other = counties[0], counties[1]
    usb = folder / "hostile"
    usb.mkdir()
    forged = Forger(county.store, city)
    manifest, payload = forged.real(usb, full=True)
    table = payload["tables"]["household"]
    at = table["columns"].index("village_code")
    stolen = table["rows"][0]
    with other.store.session() as s:
        elsewhere = s.execute(select(Household.village_code).limit(1)).scalar_one()
    stolen[at] = elsewhere  # a household moved into the other county
    path = forged.seal(manifest, payload, usb / "hostile.fupin")
    before = sorted(r for r in _rows(city, "county")["stage"].items())
    [r] = receive.import_files(city, [path])
    assert r.status == "applied"
    assert r.counts["household"]["quarantined"] + r.counts["household"]["conflict"] == 1
    assert sorted(_rows(city, "county")["stage"].items()) == before


def test_enrolment_checks_the_levels(tmp_path: Path) -> None:
    city = _office(tmp_path, "city", LIANGSHAN)
    chengdu = _office(tmp_path, "city", CHENGDU)
    station = make_station(tmp_path, "513431102", households=0)
    county, _ = Store.create(tmp_path / "c.db", kind="county", region_code="513431",
                             user="admin", password=PASSWORD)
    try:
        req = tmp_path / "req.json"
        enroll.write_request(county, req)  # to its city, 5134
        with pytest.raises(SyncError, match="其他地方|另一个单位"):
            enroll.enroll(chengdu, req, tmp_path / "ans.json")
        with pytest.raises(SyncError, match="上级"):
            enroll.write_request(county, req, to="5101")
        enroll.write_request(station, req)  # a township's request belongs at its county
        with pytest.raises(SyncError):
            enroll.enroll(city, req, tmp_path / "ans.json")
        with pytest.raises(SyncError, match="尚未在上级单位注册"):
            export.export_station(county, tmp_path)
    finally:
        for store in (city, chengdu, station, county):
            store.close()


def test_roll_up_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    county = _county(tmp_path, "513431", seed=5)
    co = str(county.store.target)
    county.store.close()
    county.station.close()
    city = str(county_target(tmp_path, LIANGSHAN, "city"))
    req, ans, usb = tmp_path / "req.json", tmp_path / "ans.json", tmp_path / "usb-up"
    usb.mkdir()

    def run(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        return code, capsys.readouterr().out

    code, out = run("init", "--store", city, "--city", LIANGSHAN, "--user", "admin")
    assert code == 0 and "市(州)扶贫办" in out and "凉山彝族自治州" in out
    assert run("sync", "enroll-request", "--store", co, "--out", str(req), "--to", "5101")[0] == 1
    assert run("sync", "enroll-request", "--store", co, "--out", str(req))[0] == 0
    assert run("sync", "enroll", "--store", city, str(req), "--out", str(ans))[0] == 0
    assert run("sync", "accept", "--store", co, str(ans))[0] == 0
    code, out = run("sync", "export", "--store", co, "--out", str(usb))  # no --up, no --station
    assert code == 1
    code, out = run("sync", "export", "--store", co, "--out", str(usb), "--up")
    assert code == 0 and Path(out.strip()).name == "5134-513431-000001.fpb"
    code, out = run("sync", "import", "--store", city, out.strip())
    assert code == 0 and "农户:新增 12" in out, out
    code, out = run("stats", "--store", city, "--level", "city", "--json")
    rows = json.loads(out)
    assert code == 0 and {r["code"] for r in rows} == {LIANGSHAN}
    with Store.open(co, "admin", PASSWORD) as again, again.session() as s:
        expected = {r.key: r.households for r in statistics.stats(s, "stage", "county")}
    assert {r["key"]: r["households"] for r in rows} == expected


def test_a_city_or_the_province_says_it_only_adds_up(rolled_up: RolledUp) -> None:
    """Households, aid and village groups belong to their stations; the refusal names the
    office asked (the county's answer, 退回, is not a city's or the province's)."""
    county = rolled_up.counties[0].store
    with pytest.raises(NotOwner, match="县扶贫办不能修改乡镇工作站登记的农户"):
        household_access.require_may_edit(county)
    for office in (rolled_up.city, rolled_up.province):
        with pytest.raises(NotOwner, match=r"市\(州\)、省的库汇总.*不能修改乡镇工作站登记的农户"):
            household_access.require_may_edit(office)
        with office.session() as s, pytest.raises(NotOwner, match="不能修改乡镇工作站的帮扶记录"):
            aid_common.may_write(s, aid_access.actor(office))
        village = next(v for v in load_villages(office) if v.groups)
        with pytest.raises(NotOwner, match=r"市\(州\)、省的库汇总.*不能修改乡镇工作站的村组"):
            save_villages(office, [VillageEdit(village.code, village.name, 99)])


def _members(station: Store, n: int) -> list[Member]:
    """`n` current members of a station, each of another household."""
    with station.session() as s:
        rows = list(s.execute(select(Member).where(
            Member.deleted.is_(False), Member.change_reason.is_(None))
            .order_by(Member.household_id, Member.id)).scalars())
        picked: dict[str, Member] = {}
        for m in rows:
            picked.setdefault(m.household_id, m)
        out = list(picked.values())[:n]
        for m in out:
            s.expunge(m)
    return out


def _open_pairs(store: Store) -> dict[frozenset[str], DuplicateFlag]:
    with store.session() as s:
        flags = duplicates.open_flags(s)
        for f in flags:
            s.expunge(f)
    return {frozenset((f.member_a, f.member_b)): f for f in flags}


def test_an_office_flags_only_pairs_between_the_offices_that_send_to_it(
        rolled_up: RolledUp, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A pair inside one county is that county's (it found it and rules it); the city
    flags the pair between its two counties; the province, which hears of both from the
    city, flags neither. A flag the city made before it searched this way goes with the
    county's next bundle, and a pair that stops matching is dropped up the line too."""
    counties, city, province, folder = (rolled_up.counties, rolled_up.city,
                                        rolled_up.province, rolled_up.folder)
    zhaojue, xide = counties[0], counties[1]  # 昭觉县 513431 and 喜德县 513432, of 凉山
    a, b, d = _members(zhaojue.station, 3)
    [c] = _members(xide.station, 1)
    with zhaojue.station.transaction() as s:  # b: a's name and birth date, another number
        set_member(s, b.id, name=a.name,
                   id_number=_other_number(a.id_number, a.birth_date, a.sex, set(),
                                           random.Random(5)))
    with xide.station.transaction() as s:  # c: d registered again, in the next county
        set_member(s, c.id, name=d.name, id_number=d.id_number)
    with city.transaction() as s:  # what the city's search made before: inside 昭觉县
        s.add(DuplicateFlag(kind="likely", member_a="m-1", member_b="m-2", name_a="张三",
                            name_b="张三", id_number_a="", id_number_b="",
                            household_a="h-1", household_b="h-2", village_a="513431100201",
                            village_b="513431101201", station_a="513431100",
                            station_b="513431101"))
    usb = folder / "pairs"
    usb.mkdir()
    _travel_up(zhaojue, rolled_up, usb)
    _travel_up(xide, rolled_up, usb)

    inside, between = frozenset((a.id, b.id)), frozenset((c.id, d.id))
    assert inside in _open_pairs(zhaojue.store)
    at_city = _open_pairs(city)
    assert between in at_city and inside not in at_city
    assert frozenset(("m-1", "m-2")) not in at_city
    assert all(f.station_a[:6] != f.station_b[:6] for f in at_city.values())
    at_province = _open_pairs(province)
    assert between not in at_province and inside not in at_province
    assert all(f.station_a[:4] != f.station_b[:4] for f in at_province.values())
    peers = {p.code: p.open_duplicates for p in status.status(city)}
    assert peers["513432"] == sum("513432" in (f.station_a[:6], f.station_b[:6])
                                  for f in at_city.values()) >= 1

    # From the command line: one county's flags at the city, a code that is none refused.
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    where = str(city.target)
    capsys.readouterr()
    assert main(["sync", "duplicates", "--store", where, "--station", "513432", "--json"]) == 0
    listed = {frozenset((f["id_number_a"], f["id_number_b"], f["name_a"]))
              for f in json.loads(capsys.readouterr().out)}
    assert frozenset((d.id_number, d.id_number, d.name)) in listed
    assert main(["sync", "duplicates", "--store", where, "--station", "5134x2"]) == 1
    assert "不是乡镇的9位代码" in capsys.readouterr().err

    with xide.station.transaction() as s:  # c was someone else after all
        set_member(s, c.id, name=c.name, id_number=c.id_number)
    _travel_up(xide, rolled_up, usb)
    assert between not in _open_pairs(city)


def test_a_senders_later_bundles_are_tallied_without_analyzing_households_again(
        rolled_up: RolledUp, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tally's statistics need the sender's village codes once, with its first bundle
    (test_the_tally_is_counted_on_statistics_that_know_the_new_county); a later bundle
    does not analyze the households again (at 2,000,000 of them: half a second a bundle),
    and its tally still adds up."""
    from sync import merge, wire

    analyzed: list[dict[str, tuple[str, ...]]] = []
    refresh = wire.refresh_statistics

    def spy(session: object, columns: dict[str, tuple[str, ...]]) -> None:
        analyzed.append(dict(columns))
        refresh(session, columns)  # type: ignore[arg-type]
    monkeypatch.setattr(merge.wire, "refresh_statistics", spy)
    county = rolled_up.counties[0]
    with county.station.transaction() as s:
        h = s.execute(select(Household).order_by(Household.id).limit(1)).scalar_one()
        h.phone = "13900000000"
        audit.record(s, "admin", "update", "household", h.id, after={"phone": h.phone})
    usb = rolled_up.folder / "later"
    usb.mkdir()
    _travel_up(county, rolled_up, usb)
    assert len(analyzed) == 3  # the county's merge, the city's, the province's
    assert all("village_code" not in cols.get("household", ()) for cols in analyzed)
    _tally_agrees(rolled_up.city)
    _tally_agrees(rolled_up.province)
