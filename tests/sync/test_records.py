"""sync/records.py on its own: the quick look at whole columns must never let through what
the value-by-value walk refuses, in any block of a big bundle."""

from __future__ import annotations

from typing import Any

import pytest

from sync import records, wire
from tests.sync.conftest import Pair
from tests.sync.forge import Forger


@pytest.fixture
def real(pair: Pair) -> dict[str, list[list[Any]]]:
    """Real rows of every station table the demo fills (no notices: the procedure's rows
    are in test_procedure_records.py), repeated to fill more than two blocks."""
    _, payload = Forger(pair.station, pair.county).real(pair.usb)
    out = {}
    for name, section in payload["tables"].items():
        rows = section["rows"]
        if rows:
            out[name] = [list(r) for _ in range(records.BLOCK * 2 // len(rows) + 2)
                         for r in rows]
    return out


@pytest.mark.parametrize("table,column,value", [
    ("household", "updated_at", "2026-11-30 25:00:00.000000"),
    ("household", "updated_at", "2026-11-30 24:00:00.000000"),
    ("household", "updated_at", "2026-11-30 12:60:00.000000"),
    ("household", "updated_at", "2026-11-30 12:00:61.000000"),
    ("household", "updated_at", "2026-02-30 12:00:00.000000"),
    ("household", "updated_at", "2026-13-01 12:00:00.000000"),
    ("household", "updated_at", "2026-11-30T12:00:00+08:00"),
    ("household", "updated_at", "２０２６-11-30 12:00:00.000000"),
    ("household", "created_at", None),
    ("member", "birth_date", "1990-02-29"),
    ("member", "birth_date", "1990/01/01"),
    ("member", "sex", "1 "),
    ("member", "name", "张" * 41),
    ("member", "relation", 1),
    ("household", "other_causes", "01,01"),
    ("household", "stage", ""),
    ("household", "size", 2 ** 31),
    ("household", "sanitary_toilet", 1.0),
    ("household", "electricity", "1"),
    ("household", "note", "\ud83d"),
    ("aid_plan", "year", 2036),
    ("procedure_event", "passed", 2),
])
def test_a_bad_value_is_found_in_any_block(real: dict[str, list[list[Any]]], table: str,
                                           column: str, value: Any) -> None:
    rows = real[table]
    at = len(rows) - 3  # in the last block, not the first
    rows[at][wire.columns(table).index(column)] = value
    good, bad = records.check(table, rows)
    assert [r for r, _ in bad] == [rows[at]], bad[:2]
    assert len(good) == len(rows) - 1


def test_values_split_across_a_time_column_are_caught(real: dict[str, list[list[Any]]]
                                                      ) -> None:
    """Joined, these two read as two good times, of the right total length; alone,
    neither is one."""
    rows = real["household"]
    at = wire.columns("household").index("updated_at")
    first, second = rows[0][at], rows[1][at]
    rows[0][at], rows[1][at] = first[:15], first[15:] + second
    _, bad = records.check("household", rows)
    assert len(bad) == 2


def test_a_birth_date_or_sex_not_from_the_id_number_is_caught(
        real: dict[str, list[list[Any]]]) -> None:
    rows = real["member"]
    cols = wire.columns("member")
    rows[-1][cols.index("birth_date")] = "1901-01-01"
    rows[-2][cols.index("sex")] = "2" if rows[-2][cols.index("sex")] == "1" else "1"
    _, bad = records.check("member", rows)
    reasons = sorted(reason for _, reason in bad)
    assert reasons == ["出生日期与身份证号码不符", "性别与身份证号码不符"]


def test_real_rows_pass(real: dict[str, list[list[Any]]]) -> None:
    for name, rows in real.items():
        assert records.check(name, rows) == (rows, [])
