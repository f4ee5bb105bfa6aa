"""A small county of three townships with planted cross-township duplicates (the
benchmark does the same with 30 stations of 3,000 households)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks.bench_sync import _other_number, found, plant_duplicates
from registry.models import Household, Member
from registry.store import Store
from registry.sync_state import DuplicateFlag
from sync import duplicates, export, receive, status
from sync.errors import SyncError
from tests.sync.conftest import enroll_pair, make_county, make_station, set_member

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

        # A flagged member changed at its station is matched again: the flag the county
        # holds is found (not written twice), and one ruled "different people" puts it
        # among the updated, not the possible duplicates.
        likely = next(f for f in flags if f.kind == "likely"
                      and TOWNSHIPS[0] in (f.station_a, f.station_b))
        duplicates.rule(county, likely.id, "different")
        with stations[0].transaction() as s:
            changed = s.get(Member, likely.member_a if likely.station_a == TOWNSHIPS[0]
                            else likely.member_b)
            assert changed is not None
            _edit_member(s, changed.id)
        [r] = receive.import_files(county, [export.export_station(stations[0], usb).path])
        assert r.status == "applied", r.message
        with county.session() as s:
            flags = list(s.execute(select(DuplicateFlag)).scalars())
            household = s.get(Household, changed.household_id)
            assert household is not None
            others = {m.id for m in household.members if m.id != changed.id}
        assert len(flags) == before
        # the household's other members, saved again with it, in flags not so ruled
        still = {m for f in flags if f.ruling != "different"
                 for m in (f.member_a, f.member_b)} & others
        assert r.counts["member"]["possible_duplicate"] == len(still)
        assert r.counts["member"]["updated"] >= 1
    finally:
        county.close()
        for st in stations:
            st.close()


def _edit_member(s: Session, member_id: str) -> None:
    """The station's clerk corrects one member's 健康状况 (the household saved whole)."""
    m = s.get(Member, member_id)
    assert m is not None
    set_member(s, member_id, reason="更正健康状况", health="2" if m.health != "2" else "1")


def _flag(county: Store, flag_id: str) -> DuplicateFlag:
    with county.session() as s:
        flag = s.get(DuplicateFlag, flag_id)
        assert flag is not None
        s.expunge(flag)
        return flag


def test_a_flag_whose_people_no_longer_match_is_dropped_and_taken_up_again(
        tmp_path: Path) -> None:
    """The station corrects the ID number that made two people one: the county's open
    flag is dropped, the tombstone reaches the station; the old number typed again flags
    the pair again. A ruled flag stays whatever the station does."""
    rng = random.Random(11)
    county = make_county(tmp_path)
    stations = [make_station(tmp_path, code, households=12, seed=i)
                for i, code in enumerate(TOWNSHIPS[:2])]
    try:
        for st in stations:
            enroll_pair(st, county, tmp_path)
        [(_, source_id, victim_id)] = plant_duplicates(stations[0], stations[1], exact=1,
                                                       likely=0, rng=rng)
        usb = tmp_path / "usb"
        usb.mkdir()
        results = receive.import_files(
            county, [export.export_station(st, usb).path for st in stations])
        assert [r.status for r in results] == ["applied"] * 2
        with county.session() as s:
            [flag] = [f for f in duplicates.open_flags(s)
                      if {f.member_a, f.member_b} == {source_id, victim_id}]
        back = export.export_return(county, TOWNSHIPS[1], usb)
        assert receive.import_files(stations[1], [back.path])[0].status == "applied"

        with stations[1].session() as s:
            victim = s.get(Member, victim_id)
            assert victim is not None
            old = {"name": victim.name, "id_number": victim.id_number}
            # Another person: (the same name and birth date would be a likely match)
            fresh = {"name": victim.name + "甲", "id_number": _other_number(
                victim.id_number, victim.birth_date, victim.sex, set(), rng)}
        with stations[1].transaction() as s:
            set_member(s, victim_id, **fresh)
        [r] = receive.import_files(county, [export.export_station(stations[1], usb).path])
        assert r.status == "applied", r.message
        assert _flag(county, flag.id).deleted
        with county.session() as s:
            assert flag.id not in {f.id for f in duplicates.open_flags(s)}
        with pytest.raises(SyncError, match="已不再匹配"):  # a list read before the bundle
            duplicates.rule(county, flag.id, "same")
        assert {p.code: p.open_duplicates for p in status.status(county)}[TOWNSHIPS[1]] == 0
        back = export.export_return(county, TOWNSHIPS[1], usb)
        assert receive.import_files(stations[1], [back.path])[0].status == "applied"
        with stations[1].session() as s:
            mine = s.get(DuplicateFlag, flag.id)
            assert mine is not None and mine.deleted

        with stations[1].transaction() as s:  # the old number again: the same pair
            set_member(s, victim_id, **old)
        [r] = receive.import_files(county, [export.export_station(stations[1], usb).path])
        assert r.status == "applied", r.message
        assert r.counts["member"]["possible_duplicate"] >= 1
        assert not _flag(county, flag.id).deleted
        with county.session() as s:
            assert flag.id in {f.id for f in duplicates.open_flags(s)}
            pairs = list(s.execute(select(DuplicateFlag.kind, DuplicateFlag.member_a,
                                          DuplicateFlag.member_b)))
            assert len(pairs) == len(set(pairs))  # taken up again, not written twice

        with stations[1].transaction() as s:  # the same number, the name corrected
            set_member(s, victim_id, name=old["name"] + "乙")
        [r] = receive.import_files(county, [export.export_station(stations[1], usb).path])
        assert r.status == "applied", r.message
        shown = _flag(county, flag.id)  # still one person by number, shown as now named
        assert not shown.deleted and old["name"] + "乙" in (shown.name_a, shown.name_b)

        duplicates.rule(county, flag.id, "same")  # ruled: the station's change is news
        with stations[1].transaction() as s:
            set_member(s, victim_id, **fresh)
        [r] = receive.import_files(county, [export.export_station(stations[1], usb).path])
        assert r.status == "applied", r.message
        ruled = _flag(county, flag.id)
        assert ruled.ruling == "same" and not ruled.deleted
    finally:
        county.close()
        for st in stations:
            st.close()
