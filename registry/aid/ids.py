"""Ids derived from what a row is of, so that the store's migration, the sync's upgrade of an
older bundle and a second entry for the same household and year all name the same row."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("0d6f1b8e-2c4a-4e57-8f0b-6a1e5c3d9b24")


def income_id(household_id: str, year: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"income:{household_id}:{year}"))


def review_id(household_id: str, year: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"review:{household_id}:{year}"))
