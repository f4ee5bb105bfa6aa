"""A small county of three townships with planted cross-township duplicates (the
benchmark does the same with 30 stations of 3,000 households)."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select

from benchmarks.bench_sync import found, plant_duplicates
from registry.sync_state import DuplicateFlag
from sync import duplicates, export, receive, status
from tests.sync.conftest import enroll_pair, make_county, make_station

TOWNSHIPS = ("513431100", "513431101", "513431102")


def test_planted_duplicates_found_ruled_and_sent_back(tmp_path: Path) -> None:
    rng = random.Random(3)
    county = make_county(tmp_path)
    stations = [make_station(tmp_path, code, households=15, seed=i)
                for i, code in enumerate(TOWNSHIPS)]
    try:
        for st in stations:
            enroll_pair(st, county, tmp_path)
        planted = plant_duplicates(stations[0], stations[1], exact=3, likely=2, rng=rng)
        planted += plant_duplicates(stations[1], stations[2], exact=2, likely=2, rng=rng)
        usb = tmp_path / "usb"
        usb.mkdir()
        paths = [export.export_station(st, usb).path for st in stations]
        results = receive.import_files(county, paths)
        assert [r.status for r in results] == ["applied"] * 3
        assert found(county, planted) == len(planted) == 9
        # The later bundles put their planted members in the "possible duplicate" bucket.
        assert results[1].counts["member"]["possible_duplicate"] >= 5
        assert results[2].counts["member"]["possible_duplicate"] >= 4
        counts = {s.code: s.open_duplicates for s in status.status(county)}
        assert counts["513431101"] >= 9

        # Re-importing a full bundle neither re-flags nor loses anything.
        with county.session() as s:
            before = len(list(s.execute(select(DuplicateFlag)).scalars()))
        full = export.export_station(stations[1], usb, full=True).path
        [r] = receive.import_files(county, [full])
        assert r.status == "applied" and r.counts["member"]["possible_duplicate"] == 0
        with county.session() as s:
            flags = list(s.execute(select(DuplicateFlag)).scalars())
            assert len(flags) == before
            exact = next(f for f in flags if f.kind == "id_number"
                         and {f.station_a, f.station_b} == {"513431100", "513431101"})

        duplicates.rule(county, exact.id, "same", note="同一人,在竹核镇登记")
        for code, st in zip(TOWNSHIPS[:2], stations[:2], strict=True):
            back = export.export_return(county, code, usb)
            [r] = receive.import_files(st, [back.path])
            assert r.status == "applied", r.message
            with st.session() as s:
                mine = s.get(DuplicateFlag, exact.id)
                assert mine is not None and mine.ruling == "same" and mine.ruled_by == "admin"
    finally:
        county.close()
        for st in stations:
            st.close()
