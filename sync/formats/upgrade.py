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

from collections.abc import Callable
from typing import Any

from registry import migrations
from sync.errors import SyncError
from sync.names import RECEIPT

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


STEPS: dict[int, Step] = {2: _receipts_acknowledge_no_chain}


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
