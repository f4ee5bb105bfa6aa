"""Gaps of any length: a station's bundles 2–1001 arrive before bundle 1; each waits, and
when bundle 1 comes all 1,000 are applied after it, in order, one after another (a loop,
not a recursion as deep as the gap)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.sync_state import Inbox, ReceivedBundle
from sync import receive
from tests.sync.conftest import Pair
from tests.sync.forge import Forger, counts_of, empty_payload, first_manifest

WAITING = 1000


@pytest.mark.slow  # 2,001 tiny bundles: 20 s on a quiet machine, a minute on a busy one
def test_a_thousand_waiting_bundles_are_released_by_a_loop(pair: Pair) -> None:
    forger = Forger(pair.station, pair.county)
    manifest, _ = forger.real(pair.usb)
    payload = empty_payload()  # tiny bundles: the chain is what is tested
    base = {**first_manifest(manifest), "full": False, "counts": counts_of(payload)}
    paths = []
    for seq in range(1, WAITING + 2):
        m = {**base, "seq": seq, "prev_hash": forger.last_hash}
        paths.append(forger.seal(m, payload, pair.usb / f"{seq:06d}.fpb"))

    waiting = receive.import_files(pair.county, paths[1:])
    assert {r.status for r in waiting} == {"waiting"}
    assert "第 1 号数据包缺失" in waiting[-1].message

    [first] = receive.import_files(pair.county, paths[:1])
    assert first.status == "applied", first.message
    assert first.also_applied == list(range(2, WAITING + 2))
    assert f"随后导入了等待中的第 2–{WAITING + 1} 号" in first.message
    with pair.county.session() as s:
        inbox = s.get(Inbox, pair.station.info.region_code)
        assert inbox is not None and inbox.last_seq == WAITING + 1
        assert inbox.last_hash == forger.last_hash
        left = s.scalar(select(func.count()).select_from(ReceivedBundle).where(
            ReceivedBundle.status == "waiting"))
        kept = s.scalar(select(func.count()).select_from(ReceivedBundle).where(
            ReceivedBundle.data.is_not(None)))
    assert left == 0 and kept == 0
