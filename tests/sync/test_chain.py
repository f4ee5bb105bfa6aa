"""The per-station chain: replay, fork, gap then fill, a full bundle jumping a gap."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from registry import audit
from registry.models import Household
from registry.store import Store
from registry.sync_state import Outbox, SentBundle
from sync import export, receive, status
from tests.sync.conftest import Pair, content_hash, enroll_pair, make_county, make_station


def _touch(station: Store, phone: str) -> None:
    with station.transaction() as s:
        h = s.execute(select(Household).order_by(Household.id).limit(1)).scalar_one()
        h.phone = phone
        audit.record(s, "admin", "update", "household", h.id, after={"phone": phone})


def _exports(pair: Pair, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        if i:
            _touch(pair.station, f"1390000000{i}")
        paths.append(export.export_station(pair.station, pair.usb).path)
    return paths


def test_replay_is_a_no_op(pair: Pair) -> None:
    [p] = _exports(pair, 1)
    assert receive.import_files(pair.county, [p])[0].status == "applied"
    before = content_hash(pair.county)
    [r] = receive.import_files(pair.county, [p])
    assert r.status == "replay" and r.ok
    assert content_hash(pair.county) == before


def test_fork_is_refused_and_reported(pair: Pair) -> None:
    p1, p2 = _exports(pair, 2)
    # Rewind the station's chain by one, change something else, export "2" again.
    with pair.station.transaction() as s:
        box = s.execute(select(Outbox)).scalar_one()
        first = s.execute(select(SentBundle).where(SentBundle.seq == 1)).scalar_one()
        box.last_seq, box.last_hash = 1, first.hash
    _touch(pair.station, "13811111111")
    other = pair.folder / "other"
    other.mkdir()
    p2b = export.export_station(pair.station, other).path
    assert p2b.name == p2.name and p2b.read_bytes() != p2.read_bytes()

    results = receive.import_files(pair.county, [p1, p2])
    assert [r.status for r in results] == ["applied", "applied"]
    before = content_hash(pair.county)
    [r] = receive.import_files(pair.county, [p2b])
    assert r.status == "refused" and "分叉" in r.message
    [st] = status.status(pair.county)
    assert st.forks == [2] and st.last_seq == 2
    # Only the fork log changed, no data row.
    with pair.county.session() as s:
        assert s.execute(select(Household.phone).order_by(Household.id).limit(1)).scalar() \
            == "13900000001"
    assert before != content_hash(pair.county)  # the fork was logged


def test_gap_waits_then_fills(pair: Pair) -> None:
    p = _exports(pair, 5)
    assert receive.import_files(pair.county, [p[0]])[0].status == "applied"
    [r] = receive.import_files(pair.county, [p[3]])
    assert r.status == "waiting"
    assert "乡镇 竹核镇: 第 2–3 号数据包缺失" in r.message
    [r] = receive.import_files(pair.county, [p[4]])
    assert r.status == "waiting" and "第 2–3 号数据包缺失" in r.message
    [st] = status.status(pair.county)
    assert st.last_seq == 1 and st.waiting == [4, 5] and st.missing == "2–3"
    [r] = receive.import_files(pair.county, [p[2]])
    assert r.status == "waiting" and "第 2 号数据包缺失" in r.message
    [r] = receive.import_files(pair.county, [p[1]])
    assert r.status == "applied" and r.also_applied == [3, 4, 5]
    [st] = status.status(pair.county)
    assert st.last_seq == 5 and st.waiting == [] and st.missing == ""
    with pair.county.session() as s:
        assert s.execute(select(Household.phone).order_by(Household.id).limit(1)).scalar() \
            == "13900000004"


def test_files_given_out_of_order_are_applied_in_order(pair: Pair) -> None:
    p = _exports(pair, 3)
    results = receive.import_files(pair.county, list(reversed(p)))
    assert [r.status for r in results] == ["applied", "applied", "applied"]


def test_full_bundle_fills_a_gap(pair: Pair) -> None:
    p = _exports(pair, 3)
    assert receive.import_files(pair.county, [p[0]])[0].status == "applied"
    assert receive.import_files(pair.county, [p[2]])[0].status == "waiting"
    full = export.export_station(pair.station, pair.usb, full=True).path
    [r] = receive.import_files(pair.county, [full])
    assert r.status == "applied", r.message
    [st] = status.status(pair.county)
    assert st.last_seq == 4 and st.waiting == []
    [late] = receive.import_files(pair.county, [p[1]])
    assert late.status == "replay"


def test_reinstalled_stores_start_new_chains(pair: Pair) -> None:
    old = _exports(pair, 2)
    assert [r.status for r in receive.import_files(pair.county, old)] == ["applied"] * 2
    back = export.export_return(pair.county, pair.station.info.region_code, pair.usb)
    assert receive.import_files(pair.station, [back.path])[0].status == "applied"

    # The township reinstalls: a new station store, enrolled again, counts from 1.
    again = pair.folder / "again"
    again.mkdir()
    fresh = make_station(again, households=4, seed=99)
    try:
        enroll_pair(fresh, pair.county, again, replace_reason="乡镇电脑重装")
        first = export.export_station(fresh, pair.usb)
        assert first.seq == 1
        [r] = receive.import_files(pair.county, [first.path])
        assert r.status == "applied", r.message
        # A late bundle of the old store is refused, not mixed into the new chain.
        _touch(pair.station, "13722222222")
        late = export.export_station(pair.station, pair.folder).path
        [r] = receive.import_files(pair.county, [late])
        # (its key was revoked when the county confirmed the new store's key)
        assert r.status == "refused" and "已吊销" in r.message
    finally:
        fresh.close()

    # The county reinstalls: the station accepts the new county (its new key confirmed by
    # phone) and starts over too.
    county2 = make_county(again, name="county2")
    try:
        enroll_pair(pair.station, county2, pair.folder, new_county=True)
        sent = export.export_station(pair.station, pair.usb)
        assert sent.seq == 1 and sent.full
        assert receive.import_files(county2, [sent.path])[0].status == "applied"
        back = export.export_return(county2, pair.station.info.region_code, pair.usb)
        [r] = receive.import_files(pair.station, [back.path])
        assert r.status == "applied", r.message
    finally:
        county2.close()


def test_return_bundles_wait_for_a_gap_too(pair: Pair) -> None:
    code = pair.station.info.region_code
    backs = [export.export_return(pair.county, code, pair.usb).path for _ in range(3)]
    [r] = receive.import_files(pair.station, [backs[2]])
    assert r.status == "waiting" and "昭觉县: 第 1–2 号回传数据包缺失" in r.message
    results = receive.import_files(pair.station, backs[:2])
    assert [x.status for x in results] == ["applied", "applied"]
    assert results[1].also_applied == [3]
