"""The procedure's rows on the wire from a station that cannot be trusted: notices, their
entries and objections, and the new columns of procedure_event, checked record by record
(codes, ranges, facts as a JSON object), owned by the station's township, unique where the
store says so; what fails is quarantined with its reason and the rest is applied. And a
return bundle carries the station's own quota only."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from registry import roles
from registry.procedure import notices, quota
from registry.procedure.station import record_step
from registry.procedure.tables import Notice, NoticeEntry, Objection
from registry.sync_state import Quarantined
from sync import export, receive, records, wire
from tests.sync.conftest import (
    PASSWORD,
    TOWNSHIP,
    Pair,
    content_hash,
    enroll_pair,
    make_county,
    make_station,
)
from tests.sync.forge import Forger, counts_of, first_manifest
from tests.sync.test_procedure_roundtrip import VILLAGE, _actor, _apply, day

# (table, column, value, words of the reason)
BAD = [
    ("procedure_event", "step", "fly", "步骤"),
    ("procedure_event", "result", "maybe", "结果"),
    ("procedure_event", "role", "king", "角色"),
    ("procedure_event", "seq", -1, "步骤序号"),
    ("procedure_event", "seq", "1", "步骤序号"),
    ("procedure_event", "stage", "99", "识别阶段"),
    ("procedure_event", "facts", "[1]", "步骤事实"),
    ("procedure_event", "facts", "votes", "步骤事实"),
    ("procedure_event", "facts", "{" + '"a":[' * 100_000 + "]" * 100_000 + "}", "步骤事实"),
    ("procedure_event", "notice_id", "x" * 37, "所属公示"),
    ("notice", "kind", "third", "类型"),
    ("notice", "days", 0, "公示天数"),
    ("notice", "days", 61, "公示天数"),
    ("notice", "number", "2026-" + "1" * 20, "公示编号"),
    ("notice", "start_date", "2026-02-30", "开始日期"),
    ("notice", "opened_by", None, "发起人"),
    ("notice_entry", "outcome", "won", "处理结果"),
    ("notice_objection", "outcome", "passed", "处理结果"),
    ("notice_objection", "content", None, "异议内容"),
    ("notice_objection", "received_on", 20260101, "收到日期"),
    ("sync_decision", "kind", "delete", "类型"),
    ("sync_decision", "role", "admin ", "角色"),
    ("sync_decision", "basis_seq", -3, "依据的步骤序号"),
    ("sync_quota", "households", -1, "户数"),
    ("sync_quota", "people", 10**7, "人数"),
]


@pytest.fixture
def noticed(tmp_path: Path) -> Iterator[Pair]:
    """A station with 4 households on a first notice (one objection, kept) and its county."""
    station = make_station(tmp_path, households=0)
    county = make_county(tmp_path)
    enroll_pair(station, county, tmp_path)
    station.add_user("reviewer", PASSWORD, roles.REVIEW)
    reviewer = _actor(station, "reviewer")
    ids = _apply(station, reviewer, 4)
    with station.transaction() as s:
        record_step(s, reviewer, "evaluate", ids, day(1))
        record_step(s, reviewer, "verify", ids, day(2))
        number = notices.open_notice(s, reviewer, notices.FIRST, VILLAGE, ids, day(3)).number
        notices.add_objection(s, reviewer, number, ids[0], "反映不实", notices.KEEP, day(4))
    usb = tmp_path / "usb"
    usb.mkdir()
    try:
        yield Pair(station, county, usb, tmp_path)
    finally:
        station.close()
        county.close()


def _good_row(table: str) -> list[Any]:
    """A row every check passes, in wire order."""
    values: dict[str, Any] = {
        "id": "0190a8d2-0000-7000-8000-000000000001", "rev": 5,
        "created_at": "2026-03-01 10:00:00.000000", "updated_at": "2026-03-01 10:00:00.000000",
        "deleted": 0, "household_id": "0190a8d2-0000-7000-8000-000000000002",
        "notice_id": "0190a8d2-0000-7000-8000-000000000003",
        # procedure_event
        "stage": "20", "event_date": "2026-03-01", "actor": "reviewer", "passed": 1,
        "period_start": None, "period_end": None, "note": None, "step": "evaluate", "seq": 2,
        "role": "review", "result": "pass", "reason": None,
        "facts": '{"votes_for": 30, "members": ["a", {"b": 1}]}', "decision_id": None,
        # notice, entry, objection
        "number": "2026-001", "kind": "first", "region_code": VILLAGE,
        "start_date": "2026-03-01", "days": 7, "end_date": "2026-03-07",
        "opened_by": "reviewer", "closed_on": None, "closed_by": None, "outcome": None,
        "received_on": "2026-03-02", "objector": None, "content": "反映不实",
        "checking": None, "recorded_by": "reviewer",
        # decision, quota
        "station_code": TOWNSHIP, "notice_no": "昭扶发〔2026〕1号",
        "decided_by": "officer", "decided_at": "2026-03-10 09:00:00.000000",
        "basis_seq": 8, "override": None, "township_code": TOWNSHIP, "households": 26,
        "people": 100, "set_by": "admin",
    }
    if table == "notice_objection":
        values["outcome"] = "keep"
    if table == "sync_decision":
        values.update(kind="approve", result=None, note=None, role="county_review")
    return [values[c] for c in wire.columns(table)]


@pytest.mark.parametrize(("table", "column", "value", "words"), BAD)
def test_a_bad_procedure_value_is_named(table: str, column: str, value: Any, words: str
                                        ) -> None:
    good = _good_row(table)
    assert records.check(table, [good]) == ([good], [])
    bad = list(good)
    bad[wire.columns(table).index(column)] = value
    rows = [good, bad, good]
    kept, problems = records.check(table, rows)
    assert kept == [good, good]
    [(row, reason)] = problems
    assert row is bad and words in reason, reason


def test_hostile_notices_are_held_and_the_rest_applied(noticed: Pair) -> None:
    forger = Forger(noticed.station, noticed.county)
    manifest, payload = forger.real(noticed.usb)
    tables = payload["tables"]

    def section(name: str) -> tuple[list[str], list[list[Any]]]:
        return tables[name]["columns"], tables[name]["rows"]

    def twin(name: str, n: int, **changes: Any) -> str:
        """A copy of the table's first row under a new id, with `changes`."""
        cols, rows = section(name)
        row = copy.deepcopy(rows[0])
        row[cols.index("id")] = f"0190a8d2-dead-7000-8000-{n:012d}"
        for k, v in changes.items():
            row[cols.index(k)] = v
        rows.append(row)
        return str(row[cols.index("id")])

    cols, rows = section("notice")
    [notice] = rows
    held = {
        twin("notice", 1, region_code="513431103200"): "公示范围 513431103200 不属于本乡镇",
        twin("notice", 2): f"的公示编号 {notice[cols.index('number')]} 已有另一条记录",
        twin("notice_entry", 3): "公示上已列有这一户",
        twin("notice_entry", 4, notice_id="0190a8d2-dead-7000-8000-000000000001"):
            "所属公示不存在",
        twin("notice_objection", 5, notice_id="no-such-notice"): "所属公示不存在",
        twin("notice", 6, number="2099-001", kind="third"): "类型",
        twin("procedure_event", 7, facts="[" * 200_000 + "]" * 200_000): "步骤事实",
        twin("notice", 8, number="2099-002"): "没有对应的建档审计记录",
    }
    path = forger.seal({**first_manifest(manifest), "counts": counts_of(payload)}, payload,
                       noticed.folder / "hostile.fpb")
    [r] = receive.import_files(noticed.county, [path])
    assert r.status == "applied", r.message
    for name, n in counts_of(payload).items():
        assert sum(r.counts.get(name, {}).values()) == n, name
    with noticed.county.session() as s:
        found = {q.record_id: q.reason for q in s.scalars(select(Quarantined))}
        for rid, words in held.items():
            assert words in found.get(rid, ""), (rid, words, found.get(rid))
        assert set(found) == set(held)
        # The genuine notice, its 4 entries and its objection are the station's.
        assert [n.id for n in s.scalars(select(Notice))] == [notice[cols.index("id")]]
        assert len(s.scalars(select(NoticeEntry)).all()) == 4
        assert len(s.scalars(select(Objection)).all()) == 1
    # A later, honest bundle still merges (nothing was left half-applied).
    with noticed.station.transaction() as s:
        number = notice[cols.index("number")]
        notices.close_notice(s, _actor(noticed.station, "reviewer"), number, day(20))
    manifest, payload = forger.real(noticed.usb, full=False)
    second = {**manifest, "seq": 2, "prev_hash": forger.last_hash}
    [r] = receive.import_files(noticed.county, [forger.seal(second, payload,
                                                            noticed.folder / "2.fpb")])
    assert r.status == "applied", r.message
    assert r.counts["notice"]["updated"] == 1 and r.counts["notice_entry"]["updated"] == 4


def test_a_return_bundle_carries_only_the_stations_quota(noticed: Pair) -> None:
    county = noticed.county
    admin = _actor(county, "admin")
    with county.transaction() as s:
        quota.set_township_quota(s, admin, TOWNSHIP, 10, 40)
        quota.set_township_quota(s, admin, "513431103", 99, 300)  # another township's
    sent = export.export_return(county, TOWNSHIP, noticed.usb)
    assert sent.counts["sync_quota"] == 1
    [r] = receive.import_files(noticed.station, [sent.path])
    assert r.status == "applied", r.message
    with noticed.station.session() as s:
        assert quota.usage(s, TOWNSHIP).quota_households == 10
        assert quota.usage(s, "513431103").quota_households is None

    # A county program that sent another township's quota: the bundle is refused whole.
    forger = Forger(county, noticed.station)
    manifest, payload = forger.real(noticed.usb, full=True)
    cols = payload["tables"]["sync_quota"]["columns"]
    payload["tables"]["sync_quota"]["rows"][0][cols.index("township_code")] = "513431103"
    manifest = {**manifest, "counts": {n: len(t["rows"]) for n, t in payload["tables"].items()}}
    before = content_hash(noticed.station)
    path = forger.seal(manifest, payload, noticed.folder / "other.fpb")
    [r] = receive.import_files(noticed.station, [path])
    assert r.status == "refused" and "其他乡镇的规模" in r.message, r.message
    assert content_hash(noticed.station) == before
    json.dumps(r.counts)  # nothing half-counted
