"""Every record in exactly one bucket, and counts that must add up: bundles built by a
(trusted) station with rows that cannot be applied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from registry.errors import NotOwner
from registry.store import Store
from registry.sync_state import OwnKey, PeerKey, Quarantined
from registry.villages import VillageEdit, load_villages, save_villages
from sync import bundle, export, receive
from tests.sync.conftest import Pair, content_hash, enroll_pair, make_station


def _payload(county: Store, path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    parsed = bundle.parse(path.read_bytes())
    with county.session() as s:
        key = s.execute(select(OwnKey).where(OwnKey.status == "active")).scalar_one()
        return dict(parsed.manifest), parsed.open(key.enc_private)


def _reseal(station: Store, county: Store, manifest: dict[str, Any], payload: dict[str, Any],
            path: Path) -> Path:
    with station.session() as s:
        sign = s.execute(select(OwnKey).where(OwnKey.status == "active")).scalar_one()
    with county.session() as s:
        enc = s.get(PeerKey, manifest["recipient_key_id"])
        enc_public = enc.enc_public if enc else s.execute(
            select(OwnKey).where(OwnKey.status == "active")).scalar_one().enc_public
    data, _ = bundle.seal(manifest, payload, sign.sign_private, enc_public)
    path.write_bytes(data)
    return path


def test_counts_that_do_not_add_up_refuse_the_bundle(pair: Pair) -> None:
    sent = export.export_station(pair.station, pair.usb)
    manifest, payload = _payload(pair.county, sent.path)
    payload["tables"]["household"]["rows"].pop()
    forged = _reseal(pair.station, pair.county, manifest, payload, pair.folder / "f.fpb")
    before = content_hash(pair.county)
    [r] = receive.import_files(pair.county, [forged])
    assert r.status == "refused" and "记录数与清单不符" in r.message
    assert content_hash(pair.county) == before


def test_conflict_and_quarantine_buckets(pair: Pair) -> None:
    first = export.export_station(pair.station, pair.usb)
    assert receive.import_files(pair.county, [first.path])[0].status == "applied"
    _, a_payload = _payload(pair.county, first.path)
    a_cols = a_payload["tables"]["household"]["columns"]
    a_row = a_payload["tables"]["household"]["rows"][0]
    a_household, a_village = a_row[a_cols.index("id")], a_row[a_cols.index("village_code")]

    other = make_station(pair.folder, code="513431103", households=6, seed=5)
    try:
        enroll_pair(other, pair.county, pair.folder)
        sent = export.export_station(other, pair.usb)
        manifest, payload = _payload(pair.county, sent.path)
        hh, mm = payload["tables"]["household"], payload["tables"]["member"]
        at_h = {c: i for i, c in enumerate(hh["columns"])}
        at_m = {c: i for i, c in enumerate(mm["columns"])}
        moved = hh["rows"][0]
        moved[at_h["village_code"]] = a_village  # another township's village
        kept = [m for m in mm["rows"] if m[at_m["household_id"]] != moved[at_h["id"]]]
        kept[0][at_m["household_id"]] = a_household  # hangs off another township's house
        kept[1][at_m["id_number"]] = kept[1][at_m["id_number"]][:17] + (
            "0" if kept[1][at_m["id_number"]][17] != "0" else "1")  # bad check digit
        forged = _reseal(other, pair.county, manifest, payload, pair.folder / "q.fpb")
        [r] = receive.import_files(pair.county, [forged])
        assert r.status == "applied", r.message
        orphans = len(mm["rows"]) - len(kept)
        assert r.counts["household"]["quarantined"] == 1
        assert r.counts["member"]["conflict"] == 1, r.counts["member"]
        assert r.counts["member"]["quarantined"] == 1 + orphans
        for name, n in manifest["counts"].items():
            assert sum(r.counts[name].values()) == n
        with pair.county.session() as s:
            held = list(s.execute(select(Quarantined)).scalars())
        assert len(held) == sum(c["conflict"] + c["quarantined"] for c in r.counts.values())
        reasons = {q.reason for q in held}
        assert "所属农户属于其他乡镇" in reasons and "身份证号码校验不通过" in reasons
        assert any("不属于本乡镇" in x for x in reasons)
    finally:
        other.close()


def test_a_county_adds_no_group_so_the_stations_next_group_merges(pair: Pair) -> None:
    """Groups travel in the station's bundles. A group the county once added took the
    number of the station's next one, whose row the county then held as a conflict: the
    county may not add or rename, and the station's group goes in."""
    [r] = receive.import_files(pair.county, [export.export_station(pair.station, pair.usb).path])
    assert r.status == "applied"
    village = next(v for v in load_villages(pair.county) if v.groups)
    before = content_hash(pair.county)
    with pytest.raises(NotOwner, match="县扶贫办不能修改乡镇工作站的村组"):
        save_villages(pair.county, [VillageEdit(village.code, village.name + "新村",
                                                len(village.groups) + 1)])
    assert content_hash(pair.county) == before

    at_station = next(v for v in load_villages(pair.station) if v.code == village.code)
    save_villages(pair.station, [VillageEdit(village.code, village.name,
                                             len(at_station.groups) + 1)])
    [r] = receive.import_files(pair.county, [export.export_station(pair.station, pair.usb).path])
    assert r.status == "applied", r.message
    assert r.counts["village_group"]["inserted"] == 1, r.counts["village_group"]
    assert r.counts["village_group"]["conflict"] == 0
    groups = next(v for v in load_villages(pair.county) if v.code == village.code).groups
    assert [n for n, _ in groups] == list(range(1, len(village.groups) + 2))
