"""Ids derived from what a row is of (like registry/aid/ids.py): a village's facts of one
year, and its poor_village row, are the same row whoever writes them first."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6b1f0d52-93c4-4e0a-b7d2-5a8e3c1f7e90")


def facts_id(village_code: str, year: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"village_facts:{village_code}:{year}"))


def poor_village_id(village_code: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"poor_village:{village_code}"))
