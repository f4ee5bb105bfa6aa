"""Signed records with values no station program writes are quarantined, each with its
reason, before anything is staged; the rest of the bundle is applied and the county stays
usable: `households list`, `households show` and `excel export` work afterwards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cli.main import main
from registry.models import Household, Member
from registry.sync_state import Quarantined
from sync import export, receive
from tests.sync.conftest import PASSWORD, Pair, content_hash
from tests.sync.forge import Forger, first_manifest

# (table, column, value, words of the reason): the cases, then more of the kind.
BAD = [
    ("household", "group_no", "not-a-number", "村民小组"),
    ("household", "income_wage", "lots", "工资性收入"),
    ("household", "updated_at", "yesterday", "修改时间"),
    ("member", "birth_date", "1990-13-45", "出生日期"),
    ("household", "income_wage", 10 ** 30, "工资性收入"),
    ("household", "income_wage", -5, "工资性收入"),
    ("household", "income_wage", 12.5, "工资性收入"),
    ("household", "group_no", 100, "村民小组"),
    ("household", "poverty_status", "7", "脱贫状态"),
    ("household", "other_causes", "01,02,03", "其他致贫原因"),
    ("household", "aid_needs", "1,99", "帮扶需求"),
    ("household", "note", "长" * 501, "备注"),
    ("household", "deleted", 2, "删除标记"),
    ("household", "deleted", "0", "删除标记"),
    ("household", "village_code", None, "行政村"),
    ("household", "phone", 13800000000, "联系电话"),
    ("household", "head_name", "a\x00b", "户主姓名"),
    ("household", "head_name", "\ud800", "户主姓名"),
    ("household", "exit_year", True, "脱贫(返贫)年度"),
    ("member", "birth_date", "1990-02-30", "出生日期"),
    ("member", "birth_date", "19900101", "出生日期"),
    ("member", "sex", "3", "性别"),
    ("member", "ethnicity", "99", "民族"),
    ("member", "work_months", 13, "务工时间"),
    ("member", "name", 123, "姓名"),
    ("member", "change_reason", "死亡", "change_reason"),
    ("helper", "start_date", "2014-6-1", "帮扶开始日期"),
    ("aid_plan", "funds", 10 ** 10, "资金"),
    ("procedure_event", "event_date", 20140101, "event_date"),
    ("village_group", "number", "1", "number"),
]


def _set(payload: dict[str, Any], table: str, column: str, value: Any, row: int = 0
         ) -> str:
    """Puts `value` into the `row`-th record of `table`; returns that record's id."""
    section = payload["tables"][table]
    r = section["rows"][row]
    r[section["columns"].index(column)] = value
    return str(r[section["columns"].index("id")])


def _plant(payload: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """Each BAD value in a record of its own, none hanging off a household that is itself
    bad: {record id: (table, column, words of the reason)}."""
    tables = payload["tables"]
    spoilt: set[str] = set()  # households with a bad value
    used: dict[str, int] = {}
    planted: dict[str, tuple[str, str, str]] = {}
    for table, column, value, words in BAD:
        cols = tables[table]["columns"]
        owner = cols.index("household_id") if "household_id" in cols else None
        row = used.get(table, 0)
        while owner is not None and tables[table]["rows"][row][owner] in spoilt:
            row += 1
        used[table] = row + 1
        rid = _set(payload, table, column, value, row)
        if table == "household":
            spoilt.add(rid)
        planted[rid] = (table, column, words)
    return planted


def _seal(forger: Forger, manifest: dict[str, Any], payload: dict[str, Any], path: Path
          ) -> Path:
    try:
        return forger.seal(manifest, payload, path)
    except UnicodeEncodeError:  # a lone surrogate: only a JSON escape can carry it
        raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        return forger.seal_raw(manifest, raw, path)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in out + err, (argv, code, err)
    return out


def test_bad_values_are_quarantined_and_the_county_stays_usable(
        pair: Pair, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    forger = Forger(pair.station, pair.county)
    manifest, payload = forger.real(pair.usb)
    planted = _plant(payload)
    path = _seal(forger, first_manifest(manifest), payload, pair.folder / "bad.fpb")
    [r] = receive.import_files(pair.county, [path])
    assert r.status == "applied", r.message
    for name, n in manifest["counts"].items():
        assert sum(r.counts[name].values()) == n
    with pair.county.session() as s:
        held = {q.record_id: q for q in s.execute(select(Quarantined)).scalars()}
        for rid, (table, column, words) in planted.items():
            q = held.get(rid[:36])
            assert q is not None, (table, column)
            assert q.table_name == table and words in q.reason, (column, q.reason)
            json.loads(q.data)  # kept for review, as JSON
            model = {"household": Household, "member": Member}.get(table)
            assert model is None or s.get(model, rid) is None
        # A good household's members, and the members of a bad one (parent missing).
        assert s.execute(select(Household)).first() is not None
    assert {q.reason for q in held.values()} >= {"所属农户不存在"}

    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    store = str(pair.county.target)
    listed = json.loads(_cli(capsys, "households", "list", "--store", store, "--json",
                             "--limit", "1000"))
    assert len(listed) == r.counts["household"]["inserted"]
    for h in (listed[0], listed[-1]):
        _cli(capsys, "households", "show", h["id"], "--store", store, "--json")
    _cli(capsys, "excel", "export", "--store", store, "--out", str(pair.folder / "县.xlsx"))


def test_a_bad_update_leaves_the_county_row_as_it_was(pair: Pair) -> None:
    forger = Forger(pair.station, pair.county)
    manifest, payload = forger.real(pair.usb)
    good = forger.seal(first_manifest(manifest), payload, pair.folder / "1.fpb")
    assert receive.import_files(pair.county, [good])[0].status == "applied"
    hid = _set(payload, "household", "income_wage", "lots")
    second = {**manifest, "seq": 2, "prev_hash": forger.last_hash, "full": False}
    [r] = receive.import_files(pair.county, [forger.seal(second, payload,
                                                          pair.folder / "2.fpb")])
    assert r.status == "applied", r.message
    assert r.counts["household"]["quarantined"] == 1
    assert r.counts["member"]["quarantined"] == 0  # its members hang off the stored row
    with pair.county.session() as s:
        h = s.get(Household, hid)
        assert h is not None and h.income_wage is not None


def test_audit_entries_of_the_wrong_type_are_quarantined(pair: Pair) -> None:
    forger = Forger(pair.station, pair.county)
    manifest, payload = forger.real(pair.usb)
    audit = payload["audit"]
    audit["rows"][0][audit["columns"].index("seq")] = "first"
    path = forger.seal(first_manifest(manifest), payload, pair.folder / "a.fpb")
    [r] = receive.import_files(pair.county, [path])
    assert r.status == "applied", r.message
    assert r.counts["audit"]["quarantined"] == len(audit["rows"])  # the chain breaks there


def test_quarantined_copies_are_cut_to_a_reviewable_size(pair: Pair, tmp_path: Path) -> None:
    forger = Forger(pair.station, pair.county)
    manifest, payload = forger.real(pair.usb)
    hid = _set(payload, "household", "note", "长" * 200_000)
    [r] = receive.import_files(pair.county, [forger.seal(first_manifest(manifest), payload,
                                                         tmp_path / "n.fpb")])
    assert r.status == "applied"
    with pair.county.session() as s:
        held = s.execute(select(Quarantined).where(Quarantined.record_id == hid)).scalar_one()
    assert len(held.data) < 10_000 and "共 200000 字" in held.data


@pytest.mark.parametrize("value", [["张三"], {"y": 2014}])
def test_a_value_nested_inside_a_row_refuses_the_bundle(pair: Pair, value: Any) -> None:
    """Rows hold plain values only: a list or object inside one is not a bad record but a
    payload no station program writes, refused whole (deeper than the format nests)."""
    forger = Forger(pair.station, pair.county)
    manifest, payload = forger.real(pair.usb)
    _set(payload, "member", "name", value)
    before = content_hash(pair.county)
    [r] = receive.import_files(pair.county, [forger.seal(first_manifest(manifest), payload,
                                                         pair.folder / "n.fpb")])
    assert r.status == "refused" and "嵌套" in r.message, r.message
    assert content_hash(pair.county) == before


@pytest.mark.parametrize("column,value", [("amount", "lots"), ("amount", 10 ** 30),
                                          ("year", "2016"), ("updated_at", "yesterday")])
def test_a_return_bundle_with_a_bad_value_is_refused_whole(pair: Pair, column: str,
                                                           value: Any) -> None:
    """A station keeps no quarantine: a return bundle whose rows it cannot store is refused,
    the station unchanged (the county is the only writer of those rows)."""
    assert receive.import_files(pair.county, [export.export_station(
        pair.station, pair.usb).path])[0].status == "applied"
    forger = Forger(pair.county, pair.station)
    manifest, payload = forger.real(pair.usb)
    section = payload["tables"]["poverty_line"]
    assert section["rows"], "the county hands down poverty lines"
    section["rows"][0][section["columns"].index(column)] = value
    before = content_hash(pair.station)
    [r] = receive.import_files(pair.station, [forger.seal(first_manifest(manifest), payload,
                                                          pair.folder / "r.fpb")])
    assert r.status == "refused" and "扶贫标准" in r.message, r.message
    assert content_hash(pair.station) == before
