"""Station → county → station on real bundle files, full and incremental."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from registry import audit
from registry.households import delete_household
from registry.models import Household, Member, PovertyLine
from registry.progress import Cancelled
from registry.sync_state import CountyDecision, Receipt, StationAudit
from sync import bundle, county, export, receive
from tests.sync.conftest import TOWNSHIP, Pair, content_hash


def _rows(store, model):  # type: ignore[no-untyped-def]
    with store.session() as s:
        return {r.id: (r.rev, r.deleted, getattr(r, "phone", None))
                for r in s.execute(select(model)).scalars()}


def _import(store, path):  # type: ignore[no-untyped-def]
    [r] = receive.import_files(store, [path])
    return r


def test_round_trip_station_county_station(pair: Pair) -> None:
    sent = export.export_station(pair.station, pair.usb)
    assert sent.path.name == f"513431-{TOWNSHIP}-000001.fpb" and sent.full
    r = _import(pair.county, sent.path)
    assert r.status == "applied", r.message
    assert r.counts["household"]["inserted"] == 30 == sent.counts["household"]
    for name, n in sent.counts.items():  # every record in exactly one bucket
        assert sum(r.counts[name].values()) == n
    # The county holds the same households and members, value for value.
    with pair.station.session() as s1, pair.county.session() as s2:
        for model in (Household, Member):
            a = {x.id: x for x in s1.execute(select(model)).scalars()}
            b = {x.id: x for x in s2.execute(select(model)).scalars()}
            assert a.keys() == b.keys()
            cols = [c.name for c in model.__table__.columns if c.name != "rev"]
            for rid, row in a.items():
                assert [getattr(row, c) for c in cols] == [getattr(b[rid], c) for c in cols]
        assert s2.scalar(select(func.count()).select_from(StationAudit)) == 1

    # The county decides, changes configuration, and answers with a return bundle.
    some_household = next(iter(_rows(pair.county, Household)))
    county.decide(pair.county, some_household, TOWNSHIP, "correction",
                  note="请核实家庭人口", notice_no="昭扶函〔2016〕3号")
    with pair.county.transaction() as s:
        s.add(PovertyLine(year=2021, amount=Decimal("4100")))
    back = export.export_return(pair.county, TOWNSHIP, pair.usb)
    assert back.path.name == f"513431-{TOWNSHIP}-R000001.fpb"
    r2 = _import(pair.station, back.path)
    assert r2.status == "applied", r2.message
    assert "县扶贫办要求更正" in r2.message and "请核实家庭人口" in r2.message
    with pair.station.session() as s:
        [receipt] = s.execute(select(Receipt)).scalars()
        assert receipt.seq == 1 and receipt.bundle_hash == sent.hash
        assert json.loads(receipt.counts)["household"]["inserted"] == 30
        [decision] = s.execute(select(CountyDecision)).scalars()
        assert decision.household_id == some_household and decision.notice_no
        line = s.execute(select(PovertyLine).where(PovertyLine.year == 2021)).scalar_one()
        assert line.amount == Decimal("4100.00")


def test_incremental_after_edits_and_deletes(pair: Pair) -> None:
    first = export.export_station(pair.station, pair.usb)
    assert _import(pair.county, first.path).status == "applied"
    ids = sorted(_rows(pair.station, Household))
    with pair.station.transaction() as s:
        h = s.get(Household, ids[0])
        assert h is not None
        h.phone = "13900000000"
        audit.record(s, "admin", "update", "household", h.id, after={"phone": h.phone})
    with pair.station.transaction() as s:
        delete_household(s, "admin", ids[1], reason="全户迁出")
        members_of_deleted = s.scalar(select(func.count()).select_from(Member).where(
            Member.household_id == ids[1]))

    second = export.export_station(pair.station, pair.usb)
    assert not second.full and second.seq == 2
    assert second.counts["household"] == 2
    assert second.counts["member"] == members_of_deleted
    assert second.counts["village_group"] == 0 and second.counts["audit"] == 2
    r = _import(pair.county, second.path)
    assert r.status == "applied", r.message
    assert r.counts["household"]["updated"] == 2
    assert r.counts["member"]["updated"] == members_of_deleted
    county_rows = _rows(pair.county, Household)
    assert county_rows[ids[0]][2] == "13900000000"
    assert county_rows[ids[1]][1] is True  # the tombstone arrived
    with pair.county.session() as s:
        assert s.scalar(select(func.count()).select_from(StationAudit)) == 3

    # A full export of an unchanged station: everything lands in "unchanged".
    full = export.export_station(pair.station, pair.usb, full=True)
    r = _import(pair.county, full.path)
    assert r.status == "applied"
    assert r.counts["household"]["unchanged"] == 30
    assert r.counts["audit"]["unchanged"] == 3


def test_manifest_reveals_no_personal_data(pair: Pair) -> None:
    sent = export.export_station(pair.station, pair.usb)
    parsed = bundle.parse(sent.path.read_bytes())
    text = parsed.manifest_bytes.decode()
    with pair.station.session() as s:
        for m in s.execute(select(Member)).scalars():
            assert m.name not in text and m.id_number not in text
    raw = sent.path.read_bytes()
    with pair.station.session() as s:
        for m in s.execute(select(Member).limit(20)).scalars():
            assert m.id_number.encode() not in raw and m.name.encode() not in raw
    assert set(bundle.REQUIRED) <= set(parsed.manifest)


def test_cancelled_import_writes_nothing(pair: Pair) -> None:
    sent = export.export_station(pair.station, pair.usb)
    receive.import_files(pair.county, [])  # makes the county's keys, as `init` would
    before = content_hash(pair.county)
    calls: list[tuple[int, int]] = []

    def stop_halfway(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < total // 2

    with pytest.raises(Cancelled):
        receive.import_files(pair.county, [sent.path], progress=stop_halfway)
    assert calls and content_hash(pair.county) == before
    assert _import(pair.county, sent.path).status == "applied"
