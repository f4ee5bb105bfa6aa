"""The 补录 event: a stage typed under schema 1 (a dropdown) becomes one recorded event, by
the store's migration ("0003") and by the sync's upgrade of a schema-2 bundle alike. Both
must write the same row for the same household, so the county's copy and the station's
agree: the id is derived from the household's id, the dates from the household's
creation."""

from __future__ import annotations

import uuid
from datetime import date, datetime

BACKFILL = "backfill"
NOTE = "补录:升级前在识别阶段栏中直接填写的阶段"
_NAMESPACE = uuid.UUID("5b1c0e7e-4f6a-4d1b-9a53-0c1f1d2b3a40")


def backfill_id(household_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"backfill:{household_id}"))


def backfill_event(household_id: str, stage: str, created_at: datetime) -> dict[str, object]:
    """The event's columns (Tracked ones but `rev` included) as Python values."""
    return {
        "id": backfill_id(household_id), "household_id": household_id, "stage": stage,
        "event_date": created_at.date() if isinstance(created_at, datetime)
        else date.fromisoformat(str(created_at)[:10]),
        "actor": None, "passed": None, "period_start": None, "period_end": None,
        "note": NOTE, "step": BACKFILL, "seq": 1, "role": None, "result": None,
        "reason": None, "facts": None, "notice_id": None, "decision_id": None,
        "created_at": created_at, "updated_at": created_at, "deleted": False,
    }
