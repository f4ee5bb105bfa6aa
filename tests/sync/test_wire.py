"""sync/wire.py on both engines: rows written in bulk (COPY text made a column at a time on
PostgreSQL) read back exactly as sent, awkward text included; look-ups by a list of values
(one array on PostgreSQL, chunks on SQLite) find every row and only those."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from sync import wire
from sync.names import HELPER
from tests.sync.conftest import make_county, make_station

AWKWARD = ["a\\b", "tab\there", "line\nbreak", "cr\rhere", "\\N", "张三", "", "\\\\t",
           'say "hi"', "{a,b}", "NULL"]


def _helper_rows(household_id: str, n: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    cols = wire.columns(HELPER)
    rows = []
    for i in range(n):
        values = {"id": f"00000000-0000-7000-8000-{i:012d}", "household_id": household_id,
                  "name": AWKWARD[i % len(AWKWARD)], "unit": None if i % 3 else "单位\\x",
                  "title": None, "phone": None, "affiliation": None, "start_date": "2016-01-01",
                  "end_date": None if i % 2 else "2019-12-31", "rev": i + 1,
                  "created_at": "2016-01-01 08:00:00.000000",
                  "updated_at": "2016-01-02 08:00:00.000000", "deleted": i % 2,
                  "unit_kind": None}
        rows.append(tuple(values.get(c) for c in cols))
    return cols, rows


def test_rows_written_in_bulk_read_back_as_sent(tmp_path: Path) -> None:
    station = make_station(tmp_path, households=1)
    county = make_county(tmp_path)
    with station.session() as s:
        household = wire.select_rows(s, "household", cols=wire.columns("household"))
    with county.transaction() as s:
        wire.insert_rows(s, "household", wire.columns("household"),
                         [tuple(r) for r in household])
        cols, rows = _helper_rows(str(household[0][wire.columns("household").index("id")]),
                                  2 * len(AWKWARD))
        assert wire._copy_text(HELPER, cols, rows) is not None  # not the driver's rows
        wire.insert_rows(s, HELPER, cols, rows)
    with county.session() as s:
        back = wire.rows_by_id(s, HELPER, [r[cols.index("id")] for r in rows], cols)
        assert [tuple(back[r[cols.index("id")]]) for r in rows] == rows
        # looked up by awkward text (an array literal on PostgreSQL)
        by_name = wire.rows_where_in(s, HELPER, "name", AWKWARD, ["name"])
        assert sorted(r[0] for r in by_name) == sorted(AWKWARD * 2)
        # the booleans are the database's own (not text "0"/"1")
        assert s.execute(text("SELECT count(*) FROM helper WHERE deleted")).scalar_one() \
            == len(AWKWARD)
    county.close()
    station.close()


def test_rows_looked_up_by_many_values(tmp_path: Path) -> None:
    station = make_station(tmp_path, households=1)
    county = make_county(tmp_path)
    with station.session() as s:
        household = wire.select_rows(s, "household", cols=wire.columns("household"))
    n = 2 * wire.CHUNK + 7  # more than one chunk on SQLite
    with county.transaction() as s:
        wire.insert_rows(s, "household", wire.columns("household"),
                         [tuple(r) for r in household])
        cols, rows = _helper_rows(str(household[0][wire.columns("household").index("id")]), n)
        wire.insert_rows(s, HELPER, cols, rows)
    at = cols.index("id")
    wanted = [r[at] for r in rows[::2]] + ["no-such-id"]
    with county.session() as s:
        found = wire.rows_by_id(s, HELPER, wanted, ["id", "rev"])
        assert sorted(found) == sorted(wanted[:-1])
        assert wire.rows_by_id(s, HELPER, [], ["id"]) == {}
        got = wire.rows_where_in(s, HELPER, "rev", list(range(1, n + 1, 3)), ["id"])
        assert len(got) == len(range(1, n + 1, 3))
        ids = []
        for cond, params in wire.among(s, "id", wanted):
            ids += s.execute(text(f"SELECT id FROM helper WHERE {cond}"), params).scalars()
        assert sorted(ids) == sorted(wanted[:-1])
    county.close()
    station.close()


def _county_with_one_household(tmp_path: Path) -> tuple[Any, str]:
    station = make_station(tmp_path, households=1)
    county = make_county(tmp_path)
    with station.session() as s:
        household = wire.select_rows(s, "household", cols=wire.columns("household"))
    station.close()
    with county.transaction() as s:
        wire.insert_rows(s, "household", wire.columns("household"),
                         [tuple(r) for r in household])
    return county, str(household[0][wire.columns("household").index("id")])


def _helpers(county: Any) -> int:
    with county.session() as s:
        return int(s.execute(text("SELECT count(*) FROM helper")).scalar_one())


def test_rows_written_are_seen_by_the_next_statement_and_kept_by_the_commit(
        tmp_path: Path) -> None:
    """On PostgreSQL the COPY goes on while the caller does (registry/server_copy.py):
    the next statement, the next COPY and the commit each wait for it."""
    county, hid = _county_with_one_household(tmp_path)
    cols, rows = _helper_rows(hid, 30)
    with county.transaction() as s:
        wire.insert_rows(s, HELPER, cols, rows[:10])
        assert s.execute(text("SELECT count(*) FROM helper")).scalar_one() == 10
        wire.insert_rows(s, HELPER, cols, rows[10:20])
        wire.insert_rows(s, HELPER, cols, rows[20:])  # then straight to the commit
    assert _helpers(county) == 30
    county.close()


def test_a_row_the_database_refuses_rolls_everything_back(tmp_path: Path) -> None:
    """A row the checks let through but the database refuses (here an id it holds) is
    IntegrityError, on SQLite at once, on PostgreSQL by the next statement or the commit:
    the transaction keeps none of its rows and the store goes on working."""
    county, hid = _county_with_one_household(tmp_path)
    cols, rows = _helper_rows(hid, 6)
    with county.transaction() as s:
        wire.insert_rows(s, HELPER, cols, rows[:3])
    for then in ("statement", "commit"):
        with pytest.raises(IntegrityError), county.transaction() as s:
            wire.insert_rows(s, HELPER, cols, rows[3:])
            wire.insert_rows(s, HELPER, cols, rows[2:3])  # already stored
            if then == "statement":
                s.execute(text("SELECT count(*) FROM helper"))
        assert _helpers(county) == 3
    with county.transaction() as s:  # the connection is fine, and so are the rows
        wire.insert_rows(s, HELPER, cols, rows[3:])
    assert _helpers(county) == 6
    county.close()


def test_an_error_while_rows_are_written_keeps_none_of_them(tmp_path: Path) -> None:
    """The caller fails while the server still writes (a bundle found wrong): the COPY is
    abandoned with the transaction."""
    county, hid = _county_with_one_household(tmp_path)
    cols, rows = _helper_rows(hid, 20)
    with pytest.raises(RuntimeError), county.transaction() as s:
        wire.insert_rows(s, HELPER, cols, rows)
        raise RuntimeError("数据包有误")
    assert _helpers(county) == 0
    with county.transaction() as s:
        wire.insert_rows(s, HELPER, cols, rows)
    assert _helpers(county) == 20
    county.close()


def test_statistics_are_refreshed_where_the_rows_written_outgrew_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table whose statistics counted enough rows, grown by less than a fifth, is left to
    autovacuum (a province's ANALYZE of 6 million members took a second per bundle); one
    never analyzed, or grown by a fifth, is analyzed. SQLite keeps none: all are named and
    refresh_statistics does nothing with them."""
    county, hid = _county_with_one_household(tmp_path)
    cols, rows = _helper_rows(hid, 50)
    monkeypatch.setattr(wire, "SETTLED_ROWS", 40)
    with county.transaction() as s:
        wire.insert_rows(s, HELPER, cols, rows)
        wire.refresh_statistics(s, {HELPER: ["id"]})
        grown = wire.outgrown(s, {HELPER: 9, "aid_plan": 1})
        if county.server:
            assert grown == {"aid_plan"}  # 9 of 50: settled; aid_plan never analyzed
            assert wire.outgrown(s, {HELPER: 10}) == {HELPER}
            monkeypatch.setattr(wire, "SETTLED_ROWS", 51)  # too few to go by
            assert wire.outgrown(s, {HELPER: 1}) == {HELPER}
        else:
            assert grown == {HELPER, "aid_plan"}
        wire.refresh_statistics(s, {})  # nothing to analyze: not the whole database
        if county.server:
            assert s.execute(text("SELECT reltuples FROM pg_class "
                                  "WHERE oid = to_regclass('aid_plan')")).scalar_one() == -1
    assert _helpers(county) == 50
    county.close()
