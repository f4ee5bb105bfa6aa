"""The county's review table of open duplicate flags, read through the core (the desktop
holds no SQL): kinds and places in words, ruled flags gone."""

from __future__ import annotations

import random
from pathlib import Path

from benchmarks.bench_sync import plant_duplicates
from registry.regions import sichuan
from sync import duplicates, export, receive
from tests.sync.conftest import enroll_pair, make_county, make_station


def test_open_flag_rows_name_kinds_and_places(tmp_path: Path) -> None:
    county = make_county(tmp_path)
    a = make_station(tmp_path, "513431100", households=6, seed=1)
    b = make_station(tmp_path, "513431102", households=6, seed=2)
    try:
        assert duplicates.open_flag_rows(county) == []
        for st in (a, b):
            enroll_pair(st, county, tmp_path)
        plant_duplicates(a, b, exact=1, likely=1, rng=random.Random(5))
        usb = tmp_path / "usb"
        usb.mkdir()
        receive.import_files(county, [export.export_station(st, usb).path for st in (a, b)])

        rows = duplicates.open_flag_rows(county)
        assert {r.kind for r in rows} == {"身份证号相同", "姓名和出生日期相同"}
        exact = next(r for r in rows if r.kind == "身份证号相同")
        assert exact.id_a == exact.id_b and exact.name_a == exact.name_b
        townships = {d.name for d in map(sichuan().get, ("513431100", "513431102")) if d}
        for place in (exact.place_a, exact.place_b):
            township, village = place.split(" ")
            assert township in townships and village and not village.isdigit()  # names

        duplicates.rule(county, exact.id, "different")
        assert [r.id for r in duplicates.open_flag_rows(county)] == \
            [r.id for r in rows if r.id != exact.id]
    finally:
        for store in (county, a, b):
            store.close()
