"""The fields of a format-1 manifest, each checked for its type and shape as soon as the
manifest is read, before the signature is looked at and long before anything trusts them:
a manifest whose seq is the string "1" is refused, not filed as bundle 0.

Fields a later program adds are left alone here (their own code checks them); the fields
format 1 has always had must be exactly what its writer writes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sync.errors import SyncError
from sync.limits import MAX_RECORDS

INT_MAX = 2**31 - 1  # every counter and number fits an SQL INTEGER on any engine
_HEX16 = re.compile(r"[0-9a-f]{16}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")
# "county" is the office a bundle goes up to, "station" the one it comes from: a township
# and its county, or in the roll-up a county and its city (or the province), a city and
# the province.
_COUNTY = re.compile(r"[0-9]{2}|[0-9]{4}|[0-9]{6}")
_STATION = re.compile(r"[0-9]{4}|[0-9]{6}|[0-9]{9}")
_REGION = re.compile(r"[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}")
_STORE_ID = re.compile(r"[0-9A-Za-z-]{1,36}")
_TABLE = re.compile(r"[a-z_]{1,40}")
MAX_ENDORSEMENTS = 100  # one per key rotation


def _text(pattern: re.Pattern[str]) -> Callable[[Any], bool]:
    return lambda v: type(v) is str and pattern.fullmatch(v) is not None


def _int(low: int) -> Callable[[Any], bool]:
    return lambda v: type(v) is int and low <= v <= INT_MAX


def _counts(v: Any) -> bool:
    return (type(v) is dict and len(v) <= 40
            and all(_text(_TABLE)(k) and type(n) is int and 0 <= n <= MAX_RECORDS
                    for k, n in v.items()))


def _when(v: Any) -> bool:
    if type(v) is not str or len(v) > 40:
        return False
    try:
        datetime.fromisoformat(v)
    except ValueError:
        return False
    return True


_ENDORSEMENT = {"by": _text(_HEX16), "key_id": _text(_HEX16), "sign_public": _text(_HEX64),
                "enc_public": _text(_HEX64), "sig": _text(_HEX128)}


def _endorsements(v: Any) -> bool:
    return (type(v) is list and len(v) <= MAX_ENDORSEMENTS
            and all(type(e) is dict and set(e) == set(_ENDORSEMENT)
                    and all(ok(e[k]) for k, ok in _ENDORSEMENT.items()) for e in v))


FIELDS: dict[str, Callable[[Any], bool]] = {
    "kind": lambda v: v in ("station", "return") and type(v) is str,
    "county": _text(_COUNTY),
    "county_store": _text(_STORE_ID),
    "station": _text(_STATION),
    "station_store": _text(_STORE_ID),
    "sender": _text(_REGION),
    "recipient": _text(_REGION),
    "key_id": _text(_HEX16),
    "recipient_key_id": _text(_HEX16),
    "seq": _int(1),
    "prev_hash": _text(_HEX64),
    "full": lambda v: type(v) is bool,
    "rev_from": _int(0),
    "rev_to": _int(0),
    "counts": _counts,
    "payload_hash": _text(_HEX64),
    "payload_size": lambda v: type(v) is int and v >= 0,
    "created_at": _when,
    "app_version": lambda v: type(v) is str and 0 < len(v) <= 40,
    "schema_version": _int(1),  # a newer one is refused later, telling the user to upgrade
    "endorsements": _endorsements,
}


def check(manifest: dict[str, Any], compression: str, cipher: str) -> None:
    """Refuses (SyncError) a manifest with a field of the wrong type or shape."""
    for name, ok in FIELDS.items():
        if not ok(manifest[name]):
            raise SyncError(f"数据包清单中的“{name}”无效,文件已损坏或不是本程序生成的,已拒绝")
    for name, expected in (("compression", compression), ("cipher", cipher)):
        if manifest[name] != expected:
            raise SyncError(f"数据包清单中的“{name}”无效,文件已损坏或不是本程序生成的,已拒绝")
