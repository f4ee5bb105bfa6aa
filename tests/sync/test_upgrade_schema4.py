"""STEPS[4] on the released program's bundles (tests/fixtures/released/schema1, upgraded
through STEPS 2, 3 and 4): the rows a schema-4 county stores are those the station's own
migration 0004 wrote, value for value but the rev (each store counts its own): the year's
income of every household that had one, income_year, the members' new columns, plan status
codes. A released schema-3 store would go through the same step; the schema-1 fixtures
reach it through 2 and 3, so they cover it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from registry.store import Store
from registry.sync_state import Quarantined
from sync import records, wire
from sync.formats import upgrade
from sync.payload import table_rows
from tests.sync.test_old_bundles import EXPECTED, _bundle, _copy, _import, _opened

SCHEMA4 = {"household": ("income_year",),
           "member": ("no_id_number", "joined_reason", "joined_date", "change_evidence"),
           "helper": ("unit_kind",),
           "aid_plan": ("funds_fiscal", "funds_sector", "funds_social", "funds_credit",
                        "status")}


def _open(tmp_path: Path, name: str) -> Store:
    return Store.open(_copy(tmp_path, name), "admin", EXPECTED["password"])


@pytest.fixture
def county(tmp_path: Path) -> Iterator[Store]:
    store = _open(tmp_path, "county.db")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Store]:
    store = _open(tmp_path, "station.db")
    try:
        yield store
    finally:
        store.close()


def _stored(store: Store, name: str, where: str = "") -> dict[str, dict[str, Any]]:
    """A table's rows by id, as storage values, without the rev."""
    cols = wire.columns(name)
    with store.session() as s:
        rows = wire.select_rows(s, name, where)
    return {r[cols.index("id")]: {c: v for c, v in zip(cols, r, strict=True) if c != "rev"}
            for r in rows}


def _sent(payload: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    cols = wire.columns(name)
    return {r[cols.index("id")]: {c: v for c, v in zip(cols, r, strict=True) if c != "rev"}
            for r in table_rows(name, payload["tables"].get(name))}


def test_step_4_writes_what_migration_0004_wrote(county: Store, station: Store,
                                                 tmp_path: Path) -> None:
    """The released station's full bundle (schema 1) brought to schema 4 holds, for every
    household with an income, the household_income row the station's store got from its
    own migration (the fixture is migrated on opening), and the new columns as the
    migration filled them."""
    payload = upgrade.to_current(_opened(county, _bundle(tmp_path, "station-000001.fpb")), 1)
    incomes = _sent(payload, "household_income")
    households = _sent(payload, "household")
    with_income = {hid for hid, h in households.items() if h["net_income"] is not None}
    assert incomes and {r["household_id"] for r in incomes.values()} == with_income
    # The station has changed one household's income since bundle 1 (bundle 2 sends it):
    # every other row is the station's, value for value.
    changed = {hid for hid, h in EXPECTED["station"]["households"].items()
               if h["net_income"] != EXPECTED["county"]["households"][hid]["net_income"]}
    stored = _stored(station, "household_income")
    assert incomes.keys() == stored.keys()
    same = {i: r for i, r in incomes.items() if r["household_id"] not in changed}
    assert same and all(stored[i] == r for i, r in same.items())
    for hid, h in households.items():
        assert h["income_year"] == (int(h["created_at"][:4]) if hid in with_income else None)
    for name, columns in SCHEMA4.items():
        held = _stored(station, name)
        sent = _sent(payload, name)
        assert sent, name
        for rid, row in sent.items():
            if name == "household" and rid in changed:
                continue
            assert {c: row[c] for c in columns} == {c: held[rid][c] for c in columns}, \
                (name, rid)
    with station.session() as s:
        assert s.scalar(select(func.count()).select_from(wire.table("aid_plan")).where(
            wire.table("aid_plan").c.status.in_(["计划中", "实施中", "已完成"]))) == 0
    # And every upgraded row passes the county's record checks as it is.
    for name in ("household", "member", "helper", "aid_plan", "household_income"):
        assert records.check(name, table_rows(name, payload["tables"][name]))[1] == [], name


def test_a_schema4_county_holds_what_the_station_migrated(county: Store, station: Store,
                                                          tmp_path: Path) -> None:
    """Bundle 2 of the released station (its changed income) imported at the county: the
    county's household_income, households and plans then equal the station's (both
    migrated to schema 4 on opening), and nothing is quarantined."""
    r = _import(county, _bundle(tmp_path, "station-000002.fpb"))
    assert r.status == "applied", r.message
    assert r.counts["household_income"]["updated"] == 1
    assert r.counts["household_income"]["unchanged"] == sum(
        r.counts["household_income"].values()) - 1
    with county.session() as s:
        assert s.scalar(select(func.count()).select_from(Quarantined)) == 0
    for name in ("household_income", "aid_plan", "helper", "member"):
        assert _stored(county, name) == _stored(station, name), name
    assert {i: h["income_year"] for i, h in _stored(county, "household").items()} \
        == {i: h["income_year"] for i, h in _stored(station, "household").items()}
