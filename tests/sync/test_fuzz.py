"""Fuzzing the county's importer with a seeded generator: thousands of mutated payloads and
manifests, each properly signed with the station's own key and encrypted to the county (a
stolen station PC can send exactly these), built by the real format-1 writer.

Each one must be refused with the county unchanged, or applied with the county consistent:
the buckets add up (the importer checks), every stored row passes the record checks, no
member hangs off a missing household, and the county's commands still work. No case may
end in anything but a SyncError: a refusal that names a Python exception fails the test."""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from registry.audit import GENESIS
from registry.store import Store
from registry.sync_state import Inbox
from sync import receive, records, wire
from sync.names import STATION_TABLES
from tests.sync.conftest import content_hash, enroll_pair, make_county, make_station
from tests.sync.forge import Forger, counts_of

CASES = 2000
SEED = 13
CHECK_EVERY = 25  # refused cases whose county is hashed before and after (it costs)
Payload = dict[str, Any]
Manifest = dict[str, Any]

VALUES: list[Any] = [
    None, 0, 1, -1, 2, 99, 2**31, -(2**31) - 1, 10**30, 1.5, 1e308, True, False, "", "1",
    "01", "lots", "not-a-number", "yesterday", "1990-13-45", "2014-02-30", "19900101",
    "2014-05-20", "2014-05-20 10:00:00.000000", "x" * 300, "长" * 600, "a\x00b", "\ud800",
    "513431102", "513431102999", "99", "01,01", "1,2,3", "0" * 36, "01a22a54-0000-7000-8000-0",
]
NESTED: list[Any] = [[], [1], {}, {"a": 1}, [[["deep"]]]]


def _cell(payload: Payload, rng: random.Random) -> tuple[str, list[Any], int]:
    """A random (table, row, column index) of a table with rows."""
    names = [n for n in STATION_TABLES if payload["tables"][n]["rows"]]
    section = payload["tables"][rng.choice(names)]
    name = next(n for n, s in payload["tables"].items() if s is section)
    return name, rng.choice(section["rows"]), rng.randrange(len(section["columns"]))


def swap_type(p: Payload, m: Manifest, rng: random.Random) -> None:
    _, row, at = _cell(p, rng)
    row[at] = rng.choice(VALUES)


def number_as_text(p: Payload, m: Manifest, rng: random.Random) -> None:
    _, row, at = _cell(p, rng)
    row[at] = str(row[at]) if row[at] is not None else "None"


def huge_string(p: Payload, m: Manifest, rng: random.Random) -> None:
    _, row, at = _cell(p, rng)
    row[at] = rng.choice("长xé") * rng.choice((70_000, 1_000_000))


def nested_value(p: Payload, m: Manifest, rng: random.Random) -> None:
    _, row, at = _cell(p, rng)
    row[at] = copy.deepcopy(rng.choice(NESTED))


def drop_column(p: Payload, m: Manifest, rng: random.Random) -> None:
    name, _, at = _cell(p, rng)
    section = p["tables"][name]
    del section["columns"][at]
    for r in section["rows"]:
        del r[at]


def drop_cell(p: Payload, m: Manifest, rng: random.Random) -> None:
    _, row, at = _cell(p, rng)
    del row[at]


def rename_column(p: Payload, m: Manifest, rng: random.Random) -> None:
    name, _, at = _cell(p, rng)
    p["tables"][name]["columns"][at] = rng.choice(["idx", "rev ", "", "household", "Id"])


def rename_table(p: Payload, m: Manifest, rng: random.Random) -> None:
    name = rng.choice(STATION_TABLES)
    p["tables"][rng.choice([name + "x", "meta", "sync_own_key", "audit"])] = \
        p["tables"].pop(name)


def duplicate_row(p: Payload, m: Manifest, rng: random.Random) -> None:
    name, row, _ = _cell(p, rng)
    p["tables"][name]["rows"].append(list(row))


def missing_household(p: Payload, m: Manifest, rng: random.Random) -> None:
    name = rng.choice([n for n in STATION_TABLES if "household_id" in wire.columns(n)])
    section = p["tables"][name]
    if section["rows"]:
        row = rng.choice(section["rows"])
        row[section["columns"].index("household_id")] = rng.choice(
            ["01a22a54-0000-7000-8000-000000000000", "", 5, None])


def move_village(p: Payload, m: Manifest, rng: random.Random) -> None:
    section = p["tables"]["household"]
    row = rng.choice(section["rows"])
    row[section["columns"].index("village_code")] = rng.choice(
        ["513431103200", "5134311022", "x", 513431102204])


def break_structure(p: Payload, m: Manifest, rng: random.Random) -> None:
    name = rng.choice(STATION_TABLES)
    target = rng.choice(["tables", "section", "rows", "row", "columns", "audit"])
    value = rng.choice([None, 1, "x", [], {}])
    if target == "tables":
        p["tables"] = value
    elif target == "section":
        p["tables"][name] = value
    elif target == "rows":
        p["tables"][name]["rows"] = value
    elif target == "row" and p["tables"][name]["rows"]:
        p["tables"][name]["rows"][0] = value
    elif target == "columns":
        p["tables"][name]["columns"] = value
    else:
        p["audit"] = value


def audit_entry(p: Payload, m: Manifest, rng: random.Random) -> None:
    section = p["audit"]
    if section["rows"]:
        row = rng.choice(section["rows"])
        row[rng.randrange(len(row))] = rng.choice(VALUES)


def manifest_field(p: Payload, m: Manifest, rng: random.Random) -> None:
    field = rng.choice(["seq", "counts", "prev_hash", "full", "rev_from", "created_at",
                        "schema_version", "station", "county_store", "endorsements"])
    writable = [v for v in VALUES if v != "\ud800"]  # the manifest is written as UTF-8
    m[field] = rng.choice(writable + NESTED + [{"household": "1"}, {"household": -1}])


MUTATIONS: list[Callable[[Payload, Manifest, random.Random], None]] = [
    swap_type, swap_type, swap_type, number_as_text, number_as_text, huge_string,
    nested_value, drop_column, drop_cell, rename_column, rename_table, duplicate_row,
    duplicate_row, missing_household, missing_household, move_village, break_structure,
    audit_entry, manifest_field,
]


def _raw(payload: Any, rng: random.Random) -> bytes | None:
    """Sometimes the JSON itself is damaged or nested deep, as no writer would."""
    roll = rng.random()
    if roll > 0.06:
        return None
    text_ = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    if roll < 0.02:
        at = text_.index('"rows":[[') + 8 if '"rows":[[' in text_ else 1
        depth = rng.choice([6, 100, 5000, 100_000])
        return (text_[:at] + "[" * depth + "]" * depth + "," + text_[at:]).encode()
    data = bytearray(text_.encode())
    for _ in range(rng.randint(1, 4)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


@pytest.fixture
def small_pair(tmp_path: Path) -> Iterator[tuple[Store, Store, Path]]:
    station = make_station(tmp_path, households=3, seed=11)
    county = make_county(tmp_path)
    enroll_pair(station, county, tmp_path)
    try:
        yield station, county, tmp_path
    finally:
        station.close()
        county.close()


_PYTHON_ERROR = re.compile(r"[A-Za-z]*(Error|Exception|Interrupt)\b")


def _consistent(county: Store) -> None:
    """Every stored station row passes the record checks; every member's household exists."""
    with county.session() as s:
        for name in STATION_TABLES:
            _, bad = records.check(name, wire.select_rows(s, name))
            assert not bad, (name, bad[:1])
        orphans = s.execute(text(
            "SELECT count(*) FROM member m LEFT JOIN household h ON h.id = m.household_id "
            "WHERE h.id IS NULL")).scalar()
        assert orphans == 0


def test_mutated_signed_payloads_are_refused_or_quarantined(
        small_pair: tuple[Store, Store, Path]) -> None:
    station, county, folder = small_pair
    forger = Forger(station, county)
    usb = folder / "usb"
    usb.mkdir()
    base_manifest, base_payload = forger.real(usb)
    rng = random.Random(SEED)
    seen: dict[str, int] = {}
    path = folder / "case.fpb"
    last_seq, last_hash = 0, GENESIS  # the county's chain of this station
    for case in range(CASES):
        payload = _copy(base_payload)
        manifest = {**base_manifest, "seq": last_seq + 1, "prev_hash": last_hash,
                    "full": rng.random() < 0.5}
        for mutate in rng.sample(MUTATIONS, rng.choice((1, 1, 1, 2, 3))):
            # (an earlier mutation may have broken what this one looks for)
            with suppress(KeyError, TypeError, AttributeError, IndexError, ValueError):
                mutate(payload, manifest, rng)
        if rng.random() < 0.9:  # mostly counts that match, so the records are reached
            with suppress(KeyError, TypeError, AttributeError):
                manifest["counts"] = counts_of(payload)
        _seal(forger, manifest, payload, _raw(payload, rng), path)
        before = content_hash(county) if case % CHECK_EVERY == 0 else None
        [r] = receive.import_files(county, [path])
        seen[r.status] = seen.get(r.status, 0) + 1
        assert not _PYTHON_ERROR.search(r.message), (case, r.message)
        assert r.status in ("applied", "refused"), (case, r.status, r.message)
        if r.status == "applied":
            last_seq, last_hash = last_seq + 1, forger.last_hash
            held = sum(c["quarantined"] + c["conflict"] for c in r.counts.values())
            seen["quarantined"] = seen.get("quarantined", 0) + held
            if case % CHECK_EVERY == 0:
                _consistent(county)
        elif before is not None:
            assert content_hash(county) == before, (case, r.message)
    _consistent(county)
    with county.session() as s:
        inbox = s.get(Inbox, station.info.region_code)
        assert inbox is not None and (inbox.last_seq, inbox.last_hash) == (last_seq, last_hash)
    # Both outcomes were reached, and many records were quarantined, not just refused.
    assert seen["applied"] > CASES // 10 and seen["refused"] > CASES // 10, seen
    assert seen["quarantined"] > CASES // 10, seen


def _copy(payload: Payload) -> Payload:
    """A copy deep enough for the mutations (rows and column lists), much faster than
    copy.deepcopy; values are immutable."""
    return {"tables": {n: {"columns": list(t["columns"]), "rows": [list(r) for r in t["rows"]]}
                       for n, t in payload["tables"].items()},
            "audit": {"columns": list(payload["audit"]["columns"]),
                      "rows": [list(r) for r in payload["audit"]["rows"]]}}


def _seal(forger: Forger, manifest: Manifest, payload: Payload, raw: bytes | None,
          path: Path) -> None:
    if raw is not None:
        forger.seal_raw(manifest, raw, path)
        return
    try:
        forger.seal(manifest, payload, path)
    except UnicodeEncodeError:  # a lone surrogate: only a JSON escape can carry it
        forger.seal_raw(manifest, json.dumps(payload, sort_keys=True).encode(), path)
