"""Stores for the sync tests: a small demo station and its county, enrolled.

Every sync test runs twice: with the county in a SQLCipher file and on a PostgreSQL server
(tests/postgres.py). Stations are always files: a township office has no server.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import demo
from registry.households import household_snapshot, save_household
from registry.models import Base, Household, Member
from registry.store import Store
from sync import enroll
from tests import postgres

PASSWORD = "secret-pass-1"
COUNTY = "513431"  # 昭觉县
TOWNSHIP = "513431102"  # 竹核镇


def make_station(folder: Path, code: str = TOWNSHIP, households: int = 30, seed: int = 7
                 ) -> Store:
    store, _ = Store.create(folder / f"station-{code}.db", kind="station", region_code=code,
                            user="admin", password=PASSWORD)
    if households:
        demo.generate(store, households, seed=seed)
    return store


_county_engine = ["sqlcipher"]  # set per test by the county_engine fixture
_databases: list[str] = []


@pytest.fixture(params=postgres.ENGINES, autouse=True)
def county_engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Where this test's counties live: a SQLCipher file, or a fresh PostgreSQL database."""
    if request.param == "postgresql":
        postgres.server_url()  # skips, or fails under CI, without a server
    _county_engine[0] = request.param
    if request.param == "postgresql":  # a server store has no key file naming its user
        request.getfixturevalue("monkeypatch").setenv("FUPIN_USER", "admin")
    try:
        yield request.param
    finally:
        _county_engine[0] = "sqlcipher"
        while _databases:
            postgres.drop_database(_databases.pop())


def county_target(folder: Path, code: str = COUNTY, name: str = "county") -> Path | str:
    """Where a new county store goes under this test's engine."""
    if _county_engine[0] == "postgresql":
        url = postgres.create_database()
        _databases.append(url)
        return url
    return folder / f"{name}-{code}.db"


def make_county(folder: Path, code: str = COUNTY, name: str = "county") -> Store:
    store, _ = Store.create(county_target(folder, code, name), kind="county",
                            region_code=code, user="admin", password=PASSWORD)
    return store


def enroll_pair(station: Store, county: Store, folder: Path,
                replace_reason: str | None = None, new_county: bool = False) -> None:
    """Enrolls `station` at `county`; with `replace_reason` the county confirms the new key
    of a station it enrolled before (as after comparing the fingerprint by phone); with
    `new_county` the station confirms the key of a county store other than the one it
    trusts (the county reinstalled)."""
    req = folder / f"req-{station.info.region_code}.json"
    ans = folder / f"ans-{station.info.region_code}.json"
    enroll.write_request(station, req)
    confirmed = enroll.read_request(req).fingerprint if replace_reason else None
    enroll.enroll(county, req, ans, replace_key=confirmed, reason=replace_reason)
    county_print = enroll.own_fingerprint(county) if new_county else None
    enroll.accept(station, ans, replace_county_key=county_print)


def content_hash(store: Store) -> str:
    """Every row of every table, in a stable order: equal hashes mean nothing changed."""
    h = hashlib.sha256()
    with store.session() as s:
        for name in sorted(Base.metadata.tables):
            rows = sorted(repr(tuple(r)) for r in s.execute(select(Base.metadata.tables[name])))
            h.update(name.encode())
            for r in rows:
                h.update(r.encode())
    return h.hexdigest()


@dataclass
class Pair:
    station: Store
    county: Store
    usb: Path
    folder: Path


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    station = make_station(tmp_path)
    county = make_county(tmp_path)
    enroll_pair(station, county, tmp_path)
    usb = tmp_path / "usb"
    usb.mkdir()
    try:
        yield Pair(station, county, usb, tmp_path)
    finally:
        station.close()
        county.close()


def set_member(s: Session, member_id: str, reason: str = "更正成员信息", **values: str
               ) -> None:
    """The station's clerk changes one member's values (name, ID number, 健康状况), the
    household saved whole, as the editor saves it: audited."""
    m = s.get(Member, member_id)
    assert m is not None
    h = s.get(Household, m.household_id)
    assert h is not None
    members = [{k: getattr(x, k) for k in ("id", "name", "id_number", "relation",
                                            "ethnicity", "health")}
               for x in h.members if not x.deleted]
    for x in members:
        if x["id"] == member_id:
            x.update(values)
    save_household(s, "admin", household_snapshot(h), members, household_id=h.id,
                   reason=reason)
