"""A demo county: a county office store and one station store per township of a real
county, every station enrolled, its bundle imported (a few people registered in two
townships, so the county flags duplicates), county decisions made (审定 under a 文号, a few
退回 with a reason, 公告) and the return bundles imported at the stations.

Everything goes through the same functions as the real work (sync/enroll.py, export.py,
receive.py, registry/procedure/county.py); only the households are made by registry/demo.
Every store has the same demo login, said in the instructions."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from registry import demo, derived
from registry.errors import UserError
from registry.models import Household
from registry.procedure import county as county_steps
from registry.procedure.record import Actor
from registry.regions import sichuan
from registry.store import Store
from registry.sync_state import DuplicateFlag
from sync import enroll
from sync.export import export_return, export_station
from sync.receive import import_files

# 通江县 (巴中): a former national poverty county with 33 townships, enough for 30 stations.
DEMO_COUNTY = "511921"
DEMO_STATIONS = 30
DEMO_HOUSEHOLDS = 300  # per station: enough to read, cheap to make 30 times
DEMO_USER = demo.DEMO_USER
DEMO_PASSWORD = demo.DEMO_PASSWORD
COUNTY_FILE = "county.db"
APPROVE_SHARE = 0.6  # of the 县复审 queue, approved under the demo 文号
RETURNED = 3  # households sent back with a reason
DUPLICATE_EVERY = 5  # every 5th station has people also registered in the one before
DUPLICATES_PER_STATION = 2
RETURN_REASON = "家庭收入核实材料不全,请补充后重新报送"


class DemoCountyError(UserError):
    """The folder is not usable for a demo county: a Chinese message."""


@dataclass
class StationLogin:
    code: str
    name: str
    store: str
    households: int


@dataclass
class DemoCounty:
    folder: str
    county: str  # the store's path
    county_code: str
    county_name: str
    user: str
    password: str
    stations: list[StationLogin] = field(default_factory=list)
    duplicates: int = 0
    approved: int = 0
    returned: int = 0
    ref: str = ""
    seconds: float = 0.0
    created: bool = True  # False: it existed, nothing was made

    def instructions(self) -> str:
        lines = [f"演示县:{self.county}(四川省{self.county_name},县扶贫办数据库)",
                 f"每个数据库的登录用户:{self.user}    密码:{self.password}"
                 "(演示用的固定密码,请勿用于真实数据)"]
        if self.created:
            lines.append(f"已导入 {len(self.stations)} 个乡镇工作站的数据包;疑似重复 "
                         f"{self.duplicates} 人;以文号 {self.ref} 审定 {self.approved} 户并公告,"
                         f"退回 {self.returned} 户;回传数据包已在各站导入"
                         f"(用时 {self.seconds:.0f} 秒)")
        lines.append("乡镇工作站数据库(同一文件夹):")
        lines += [f"    {s.code} {s.name}:{s.store}({s.households} 户)"
                  for s in self.stations]
        lines += ["打开县扶贫办:    .venv/bin/fupin-station --store " + self.county,
                  "打开某个乡镇:    .venv/bin/fupin-station --store "
                  + (self.stations[0].store if self.stations else "…")]
        return "\n".join(lines)


def townships(county_code: str) -> list[tuple[str, str]]:
    return sorted((d.code, d.name) for d in sichuan().children(county_code)
                  if d.level == "township")


def station_file(code: str) -> str:
    return f"station-{code}.db"


def ensure_demo_county(folder: Path, stations: int = DEMO_STATIONS,
                       households: int = DEMO_HOUSEHOLDS, county_code: str = DEMO_COUNTY,
                       say: Callable[[str], None] | None = None) -> DemoCounty:
    """Makes the demo county once in `folder`; later calls just say where it is."""
    folder = Path(folder).resolve()
    county_path = folder / COUNTY_FILE
    if county_path.exists():
        return _existing(folder, county_path)
    division = sichuan().get(county_code)
    if division is None or division.level != "county":
        raise DemoCountyError(f"没有这个县:{county_code}")
    places = townships(county_code)
    if not 1 <= stations <= len(places):
        raise DemoCountyError(f"{division.name}共有 {len(places)} 个乡镇,"
                              f"乡镇数应在 1 到 {len(places)} 之间")
    places = places[:stations]
    if folder.exists() and any(folder.iterdir()):
        taken = [p.name for p in folder.iterdir()
                 if p.name.startswith("station-") or p.name.startswith(COUNTY_FILE)]
        if taken:
            raise DemoCountyError(f"文件夹 {folder} 中已有数据库文件({taken[0]}),"
                                  "为防止覆盖,请换一个空文件夹")
    folder.mkdir(parents=True, exist_ok=True)
    return _build(folder, county_path, county_code, division.name, places, households,
                  say or (lambda _text: None))


def _existing(folder: Path, county_path: Path) -> DemoCounty:
    with Store.open(county_path, DEMO_USER, DEMO_PASSWORD) as c:
        info = c.info
        with c.session() as s:
            counts: dict[str, int] = dict(s.execute(
                select(func.substr(Household.village_code, 1, 9), func.count())
                .where(Household.deleted.is_(False))
                .group_by(func.substr(Household.village_code, 1, 9))).all())
    names = dict(townships(info.region_code))
    found = [StationLogin(code, names.get(code, code), str(folder / station_file(code)),
                          int(counts.get(code, 0)))
             for code in sorted(names) if (folder / station_file(code)).exists()]
    return DemoCounty(str(folder), str(county_path), info.region_code, info.region_name,
                      DEMO_USER, DEMO_PASSWORD, found, created=False)


class _Duplicates:
    """Plants a few people of one station's rows into the next station's (as if a woman
    who married into another township were registered in both)."""

    def __init__(self) -> None:
        self.previous: list[dict[str, Any]] = []
        self.planted = 0

    def __call__(self, index: int, rows: demo.DemoRows) -> None:
        spouses = [m for m in rows.members if m.get("relation") == "02"]
        if index % DUPLICATE_EVERY == 1 and self.previous:
            by_household = {h["id"]: h for h in rows.households}
            for target, source in zip(spouses[:DUPLICATES_PER_STATION],
                                      self.previous[:DUPLICATES_PER_STATION], strict=False):
                target.update({k: v for k, v in source.items()
                               if k not in ("id", "household_id", "position")})
                h = by_household[target["household_id"]]
                mine = [m for m in rows.members if m["household_id"] == h["id"]]
                h.update(derived.household_facts(h, mine))
                self.planted += 1
        self.previous = spouses[-DUPLICATES_PER_STATION:]


def _build(folder: Path, county_path: Path, county_code: str, county_name: str,
           places: list[tuple[str, str]], households: int, say: Callable[[str], None]
           ) -> DemoCounty:
    started = time.monotonic()
    exchange = folder / "exchange"
    (exchange / "requests").mkdir(parents=True, exist_ok=True)
    (exchange / "to-county").mkdir(exist_ok=True)
    (exchange / "to-stations").mkdir(exist_ok=True)
    county, _ = Store.create(county_path, kind="county", region_code=county_code,
                             user=DEMO_USER, password=DEMO_PASSWORD)
    result = DemoCounty(str(folder), str(county_path), county_code, county_name,
                        DEMO_USER, DEMO_PASSWORD)
    plant = _Duplicates()
    opened: dict[str, Store] = {}
    try:
        with county:
            bundles: list[Path] = []
            for i, (code, name) in enumerate(places):
                say(f"乡镇 {i + 1}/{len(places)}:{name}")
                path = folder / station_file(code)
                station, _ = Store.create(path, kind="station", region_code=code,
                                          user=DEMO_USER, password=DEMO_PASSWORD)
                opened[code] = station
                demo.generate(station, households, seed=2014 + i, user=DEMO_USER,
                              adjust=partial(plant, i))
                request = exchange / "requests" / f"{code}-request.json"
                answer = exchange / "requests" / f"{code}-answer.json"
                enroll.write_request(station, request)
                enroll.enroll(county, request, answer)
                enroll.accept(station, answer)
                bundles.append(export_station(station, exchange / "to-county").path)
                result.stations.append(StationLogin(code, name, str(path), households))
            say("县扶贫办导入各乡镇数据包")
            for r in import_files(county, bundles):
                if not r.ok:
                    raise DemoCountyError(f"演示数据包导入失败:{r.file}:{r.message}")
            say("县扶贫办审定、退回、公告")
            _decide(county, result)
            with county.session() as s:
                result.duplicates = s.scalar(select(func.count()).select_from(DuplicateFlag)
                                             .where(DuplicateFlag.deleted.is_(False))) or 0
            say("各乡镇导入回传数据包")
            for code, station in opened.items():
                back = export_return(county, code, exchange / "to-stations").path
                for r in import_files(station, [back]):
                    if not r.ok:
                        raise DemoCountyError(f"回传数据包导入失败:{r.file}:{r.message}")
    finally:
        for station in opened.values():
            station.close()
    result.seconds = time.monotonic() - started
    return result


def _decide(county: Store, result: DemoCounty) -> None:
    """审定 a share of the 县复审 queue under the demo 文号, 退回 a few, 公告."""
    short = result.county_name[:1] or "县"
    today = date.today()
    result.ref = f"{short}扶贫〔{today.year}〕1号"
    actor = Actor(county.user, county.role)
    with county.transaction() as s:
        queue = county_steps.review_queue(s)
        rng = random.Random(2014)
        rng.shuffle(queue)
        # a few sent back (never the whole of a small queue), a share of the rest approved
        returned = min(RETURNED, len(queue) // 2)
        back, rest = queue[:returned], queue[returned:]
        approve = rest[:max(1, int(len(rest) * APPROVE_SHARE))] if rest else []
        if back:
            result.returned = county_steps.decide(
                s, actor, [r.household_id for r in back], False, None, RETURN_REASON)
        if approve:
            result.approved = county_steps.decide(
                s, actor, [r.household_id for r in approve], True, result.ref,
                override="演示数据:按县扶贫办统一安排")
            county_steps.announce(s, actor, result.ref, today)
