"""Wire rows of an older schema brought to this program's schema, before staging.

A bundle's manifest names the schema its rows were written under (`schema_version`). A
station that has not upgraded yet keeps sending rows of its schema for months, so the
county must take them; and a station may receive a return bundle from a county that is
older than itself. A newer schema is refused (`formats.schema_version`); an older one
passes through STEPS, one step per schema version, in order: STEPS[n] takes a payload
written under schema n-1 and returns it as schema n would have written it (numbered like
the Alembic revisions in registry/migrations: STEPS[2] mirrors "0002"). `to_current` runs
on every import, so a new step is exercised by every import of an older bundle from the
day it is added.

Adding schema n: with the store's migration, add `STEPS[n]` here, working on the payload's
plain data ({"tables": {name: {"columns": [...], "rows": [[...], ...]}}, "audit": {...}},
storage values as in sync/wire.py) and never touching the store. What the step does
mirrors the migration, row by row, e.g.
- a new column: append its name to `columns` and to every row the value the migration
  gives existing rows (its default), so the county stores what the station will store
  after its own upgrade;
- a typed stage that becomes an event: drop the `stage` column of `household`, and for
  each household append the `procedure_event` row that records it (a new table section if
  the payload had none), with an id derived from the household id so that the same row
  sent twice stays the same record;
- a renamed table: move its section to the new name.
Rows a step adds or removes change the counts the merge checks against: the manifest's
counts are checked before the chain (what was sent arrived), the buckets after it.
Then add the released schema's fixture folder (tests/fixtures/released/) and a test that
imports its bundles."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from registry import migrations
from registry.procedure.backfill import backfill_event
from sync import wire
from sync.errors import SyncError
from sync.names import (
    AID_PLAN,
    DECISION,
    HELPER,
    HOUSEHOLD,
    HOUSEHOLD_INCOME,
    MEMBER,
    POVERTY_LINE,
    PROCEDURE_EVENT,
    RECEIPT,
)

# The store's migration "0004" (a module name Python cannot import by statement): its
# income_row / income_year_of / PLAN_STATUS_TEXT are what STEPS[4] writes, never a copy.
_M4 = importlib.import_module("registry.migrations.versions.0004_aid_and_exits")

Payload = dict[str, Any]
Step = Callable[[Payload], Payload]


def _receipts_acknowledge_no_chain(payload: Payload) -> Payload:
    """Schema 2 ("0002"): a receipt carries the station's audit chain head and length as the
    county holds it. A schema-1 county acknowledged none: both columns are null, as the
    migration leaves them on the receipts a station already holds. Station bundles are
    unchanged (their chain head is in the manifest, not in a table)."""
    tables = payload.get("tables")
    receipts = tables.get(RECEIPT) if isinstance(tables, dict) else None
    if isinstance(receipts, dict) and isinstance(receipts.get("columns"), list) \
            and isinstance(receipts.get("rows"), list):
        receipts["columns"] = [*receipts["columns"], "audit_head", "audit_length"]
        receipts["rows"] = [[*r, None, None] if isinstance(r, list) else r
                            for r in receipts["rows"]]
    return payload


def _section(tables: Any, name: str) -> dict[str, Any] | None:
    """A table's section when it has the shape of one (else the checks after the chain
    refuse the bundle, naming the table)."""
    section = tables.get(name) if isinstance(tables, dict) else None
    if isinstance(section, dict) and isinstance(section.get("columns"), list) \
            and isinstance(section.get("rows"), list):
        return section
    return None


def _add_columns(section: dict[str, Any] | None, values: dict[str, Any]) -> None:
    """New columns with the value the migration gives the rows a store holds already."""
    if section is None:
        return
    section["columns"] = [*section["columns"], *values]
    extra = list(values.values())
    section["rows"] = [[*r, *extra] if isinstance(r, list) else r for r in section["rows"]]


# Schema 2's procedure_event (a payload without a section gets one with these columns).
_EVENT_2 = ["household_id", "stage", "event_date", "actor", "passed", "period_start",
            "period_end", "note", "id", "rev", "created_at", "updated_at", "deleted"]
_EVENT_3 = {"step": None, "seq": 0, "role": None, "result": None, "reason": None,
            "facts": None, "notice_id": None, "decision_id": None}
_DECISION_3 = {"role": None, "basis_seq": None, "override": None}


def _wire(value: Any) -> Any:
    """A Python value as the station's store holds it (sync/wire.py sends those)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's DateTime on SQLite
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _backfill_row(household: Any, at: dict[str, int], columns: list[str]) -> list[Any] | None:
    """The 补录 event of one household row, as the migration writes it, in `columns`
    order; None for a row no event can be made of (its own checks quarantine it)."""
    if not (isinstance(household, list) and len(household) == len(at)):
        return None
    hid, stage, created = (household[at[c]] for c in ("id", "stage", "created_at"))
    if not isinstance(hid, str):
        return None
    if created is None:
        when = datetime(2014, 1, 1)  # the migration's date for a row without one
    else:
        try:
            when = datetime.fromisoformat(str(created))
        except ValueError:
            return None
    event = {k: _wire(v) for k, v in backfill_event(hid, stage or "10", when).items()}
    rev = household[at["rev"]]
    event["rev"] = rev if isinstance(rev, int) else 0  # the county gives it its own rev
    return [event.get(c) for c in columns]


def _steps_recorded(payload: Payload) -> Payload:
    """Schema 3 ("0003"), row by row as the migration: procedure_event's new columns (seq
    0, the others null), and for every household row one 补录 event recording its typed
    stage (registry/procedure/backfill.py: the id derived from the household's, so the
    county's copy and the station's, after its own upgrade, are the same row); a return
    bundle's decisions get null role, basis_seq and override."""
    tables = payload.get("tables")
    if not isinstance(tables, dict):
        return payload  # refused after the chain
    _add_columns(_section(tables, DECISION), _DECISION_3)
    events = _section(tables, PROCEDURE_EVENT)
    _add_columns(events, _EVENT_3)
    households = _section(tables, HOUSEHOLD)
    if households is None or not households["rows"] \
            or not all(isinstance(c, str) for c in households["columns"]) \
            or not {"id", "stage", "created_at", "rev"} <= set(households["columns"]):
        return payload
    if events is None:
        if PROCEDURE_EVENT in tables:  # a section of the wrong shape: refused after
            return payload
        events = {"columns": [*_EVENT_2, *_EVENT_3], "rows": []}
        tables[PROCEDURE_EVENT] = events
    at = {c: i for i, c in enumerate(households["columns"])}
    columns = events["columns"]
    for h in households["rows"]:
        row = _backfill_row(h, at, columns)
        if row is not None:
            events["rows"].append(row)
    return payload


def _plan_status_codes(section: dict[str, Any] | None) -> None:
    """aid_plan.status texts → cl.PLAN_STATUS codes, as the migration's UPDATE does."""
    if section is None or "status" not in section["columns"]:
        return
    at = section["columns"].index("status")
    for r in section["rows"]:
        if isinstance(r, list) and len(r) > at and isinstance(r[at], str) \
                and r[at] in _M4.PLAN_STATUS_TEXT:
            r[at] = _M4.PLAN_STATUS_TEXT[r[at]]


def _income_row(household: Any, at: dict[str, int], columns: list[str]) -> list[Any] | None:
    """The household_income row the migration writes for one household row holding an
    income, in `columns` order; None when it holds none (or cannot be read: its own
    checks quarantine it)."""
    if not (isinstance(household, list) and len(household) == len(at)):
        return None
    if not isinstance(household[at["id"]], str) \
            or all(household[at[c]] is None for c in _M4._MONEY):
        return None
    created = household[at["created_at"]]
    try:
        when = None if created is None else datetime.fromisoformat(str(created))
    except ValueError:
        return None
    values = {c: household[at[c]] for c in ("id", "deleted", *_M4._MONEY, *_M4._DERIVED)}
    rev = household[at["rev"]]
    row = {k: _wire(v) for k, v in _M4.income_row(
        values, when, rev if isinstance(rev, int) else 0).items()}
    return [row.get(c) for c in columns]


def _aid_and_exits(payload: Payload) -> Payload:
    """Schema 4 ("0004"), row by row as the migration: the new columns with the values it
    gives rows a store holds (household.income_year, member's no_id_number 0 and three
    nulls, helper.unit_kind, aid_plan's funds by source, poverty_line.standard "1"), plan
    status texts as codes, and for every household row holding an income the
    household_income row of its creation year (id derived from household and year: the
    same row the station's own migration writes), its income_year set to that year."""
    tables = payload.get("tables")
    if not isinstance(tables, dict):
        return payload  # refused after the chain
    households = _section(tables, HOUSEHOLD)
    _add_columns(households, {"income_year": None})
    _add_columns(_section(tables, MEMBER), {"no_id_number": 0, "joined_reason": None,
                                            "joined_date": None, "change_evidence": None})
    _add_columns(_section(tables, HELPER), {"unit_kind": None})
    plans = _section(tables, AID_PLAN)
    _add_columns(plans, {f"funds_{s}": None for s in ("fiscal", "sector", "social", "credit")})
    _plan_status_codes(plans)
    _add_columns(_section(tables, POVERTY_LINE), {"standard": "1"})
    if households is None or not households["rows"] \
            or not all(isinstance(c, str) for c in households["columns"]) \
            or not {"id", "created_at", "rev", "deleted", *_M4._MONEY, *_M4._DERIVED} \
            <= set(households["columns"]) or HOUSEHOLD_INCOME in tables:
        return payload
    at = {c: i for i, c in enumerate(households["columns"])}
    columns = wire.columns(HOUSEHOLD_INCOME)
    incomes = []
    for h in households["rows"]:
        row = _income_row(h, at, columns)
        if row is not None:
            incomes.append(row)
            h[at["income_year"]] = row[columns.index("year")]
    if incomes:
        tables[HOUSEHOLD_INCOME] = {"columns": columns, "rows": incomes}
    return payload


def _poor_villages(payload: Payload) -> Payload:
    """Schema 5 ("0005") only adds tables (贫困村): a schema-4 payload has none of their rows
    and needs no change."""
    return payload


def _server_store(payload: Payload) -> Payload:
    """Schema 6 ("0006") changes only what never travels (app_user's password hash, room
    for sealed private keys): a schema-5 payload needs no change."""
    return payload


def _statistics_indexes(payload: Payload) -> Payload:
    """Schema 7 ("0007") only adds indexes: a schema-6 payload needs no change."""
    return payload


def _household_place_covers_list(payload: Payload) -> Payload:
    """Schema 8 ("0008") only widens an index: rows are written as under schema 7."""
    return payload


def _village_tally(payload: Payload) -> Payload:
    """Schema 9 ("0009") adds a city's and the province's derived tally, which never
    travels: rows are written as under schema 8."""
    return payload


def _binary_text_on_server(payload: Payload) -> Payload:
    """Schema 10 ("0010") makes a server's text columns COLLATE "C": no row changes."""
    return payload


STEPS: dict[int, Step] = {2: _receipts_acknowledge_no_chain, 3: _steps_recorded,
                          4: _aid_and_exits, 5: _poor_villages, 6: _server_store,
                          7: _statistics_indexes, 8: _household_place_covers_list,
                          9: _village_tally, 10: _binary_text_on_server}


def to_current(payload: Payload, schema: int) -> Payload:
    """`payload` as this program's schema would have written it (`schema` is the bundle's,
    never newer than ours: formats.schema_version has refused those)."""
    for n in range(schema + 1, migrations.SCHEMA_VERSION + 1):
        step = STEPS.get(n)
        if step is None:  # a schema released without its step: refuse, never guess
            raise SyncError(f"本程序无法把数据结构版本 {n - 1} 的数据包转换为版本 {n},"
                            "已拒绝。请报告此问题。")
        payload = step(payload)
    return payload
