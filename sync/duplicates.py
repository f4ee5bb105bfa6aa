"""The county's search for people registered twice: the same ID number in two households
(anywhere in the county), or the same name and birth date under different ID numbers
(a likely typo) — listed for review. Members without an ID number yet (暂无身份证号, schema
4: id_number "") are never matched by number. The county rules same / different person; the ruling
travels back to both stations in their return bundles.

A flag no ruling has closed yet is dropped (a tombstone, which travels like the ruling) once a
bundle changes one of its two people so that they no longer match: the ID number corrected,
the person or the household deleted. Found again later, it is taken up again.

A city or the province searches the same way, but only for pairs between two of the offices
that send to it: a pair inside one county was that county's to find and rule (a city's
search cannot rule, sync.duplicates.rule), and a pair between two counties of one city was
that city's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, delete, select, text
from sqlalchemy.orm import Session, aliased

from registry.models import Region, utcnow
from registry.regions import sichuan
from registry.store import Store
from registry.sync_state import DuplicateFlag
from registry.villages import in_region
from sync import wire
from sync.errors import SyncError

RULINGS = {"same": "同一人", "different": "不同人"}
KINDS = {"id_number": "身份证号相同", "likely": "姓名和出生日期相同"}

_MATCH = """
SELECT a.id, b.id, a.name, b.name, a.id_number, b.id_number, a.birth_date,
       ha.id, hb.id, ha.village_code, hb.village_code
FROM member a
JOIN member b ON {on} AND b.id <> a.id AND b.household_id <> a.household_id
JOIN household ha ON ha.id = a.household_id
JOIN household hb ON hb.id = b.household_id
WHERE {ids} AND a.deleted = :no AND b.deleted = :no
  AND a.change_reason IS NULL AND b.change_reason IS NULL{across}
"""
# The columns the match is planned on (their statistics are refreshed before it).
PLANNED_ON = {"member": ("id", "household_id", "id_number", "name", "birth_date", "deleted",
                         "change_reason"),
              "household": ("id",)}
# 暂无身份证号 (id_number ""): no number to match on; the name and birth date still are.
_ON = {"id_number": "b.id_number = a.id_number AND a.id_number <> ''",
       "likely": "b.name = a.name AND b.birth_date = a.birth_date AND b.id_number <> a.id_number"}


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@lru_cache(maxsize=16)
def _statement(sql: str) -> TextClause:
    """One statement per text: on SQLite every full chunk of ids has the same 900 named
    parameters, which text() parsed anew each time (a 20,000-household bundle: 0.36 s)."""
    return text(sql)


def detect(s: Session, member_ids: list[str], across: int | None = None) -> set[str]:
    """Flags every match of these (just written) members; returns the ids among them that
    are in a match not ruled "different people". `across`: at a city or the province, the
    length of the sender's code (a county's 6, a city's 4): only a pair whose households lie
    under two different such codes is flagged (see the module's note)."""
    wanted = set(member_ids)
    apart = "" if across is None else (
        f"\n  AND substr(ha.village_code, 1, {int(across)})"
        f" <> substr(hb.village_code, 1, {int(across)})")
    matches: dict[tuple[str, str, str], Any] = {}  # (kind, a, b) with a < b -> its row
    for kind, on in _ON.items():
        for ids, params in wire.among(s, "a.id", member_ids):
            for r in s.execute(_statement(_MATCH.format(on=on, ids=ids, across=apart)),
                               {**params, "no": False}):
                a, b = (r[0], r[1]) if r[0] < r[1] else (r[1], r[0])
                matches.setdefault((kind, a, b), r)
    held = _held(s, matches)
    # The open ones (and the dropped) show their people as they now are: read at once.
    unruled = {flag[0]: flag for flag in held.values() if flag[1] is None}
    for ids, params in wire.among(s, "id", sorted(unruled)):
        list(s.execute(select(DuplicateFlag).where(text(ids)), params).scalars())
    involved: set[str] = set()
    for (kind, a, b), r in matches.items():
        flag = held.get((kind, a, b))
        if flag is None:
            s.add(DuplicateFlag(kind=kind, member_a=a, member_b=b, **_people(r, a)))
        elif flag[1] is None:
            current = s.get(DuplicateFlag, flag[0])
            if current is not None:  # (values as they were are no change: no new rev)
                for column, value in _people(r, a).items():
                    setattr(current, column, value)
                current.deleted = False  # dropped when they stopped matching: again
        if flag is None or flag[1] != "different":
            involved |= {a, b} & wanted
    s.flush()
    return involved


def _people(r: Any, a: str) -> dict[str, Any]:
    """A flag's columns about its two people, from a row of `_MATCH` (`a` first)."""
    x, y = (0, 1) if r[0] == a else (1, 0)
    return {"name_a": r[2 + x], "name_b": r[2 + y], "id_number_a": r[4 + x],
            "id_number_b": r[4 + y], "birth_date": _day(r[6]),
            "household_a": r[7 + x], "household_b": r[7 + y],
            "village_a": r[9 + x], "village_b": r[9 + y],
            "station_a": str(r[9 + x])[:9], "station_b": str(r[9 + y])[:9]}


def _held(s: Session, matches: dict[tuple[str, str, str], Any]
          ) -> dict[tuple[str, str, str], tuple[str, str | None, bool]]:
    """The flags the store already holds among these matches: (id, ruling, dropped). Looked
    up by the matches' first members, not read whole (a province holds tens of thousands
    of flags, and each bundle's merge asks)."""
    found: dict[tuple[str, str, str], tuple[str, str | None, bool]] = {}
    for kind in _ON:
        firsts = sorted({a for k, a, _ in matches if k == kind})
        for cond, params in wire.among(s, "member_a", firsts):
            for fid, a, b, ruling, dropped in s.execute(_statement(
                    f"SELECT id, member_a, member_b, ruling, deleted FROM sync_duplicate "
                    f"WHERE kind = :kind AND {cond}"), {**params, "kind": kind}):
                if (kind, a, b) in matches:
                    found[(kind, a, b)] = (fid, ruling, bool(dropped))
    return found


# A flag's two people as they now are, to see whether they still match.
_PAIR = """
SELECT f.id, f.kind, a.id_number, a.name, a.birth_date, a.household_id, a.deleted,
       a.change_reason, b.id_number, b.name, b.birth_date, b.household_id, b.deleted,
       b.change_reason
FROM sync_duplicate f
LEFT JOIN member a ON a.id = f.member_a
LEFT JOIN member b ON b.id = f.member_b
WHERE {ids} AND f.ruling IS NULL AND f.deleted = :no
"""


def drop_stale(s: Session, member_ids: list[str]) -> int:
    """Drops the open flags of these (just changed) members whose two people no longer
    match; returns how many. A ruled flag stays: it is the county's decision."""
    stale: set[str] = set()
    for column in ("f.member_a", "f.member_b"):
        for ids, params in wire.among(s, column, member_ids):
            for r in s.execute(_statement(_PAIR.format(ids=ids)), {**params, "no": False}):
                if not _still_match(r[1], r[2:8], r[8:14]):
                    stale.add(r[0])
    for fid in sorted(stale):
        flag = s.get(DuplicateFlag, fid)
        if flag is not None:
            flag.deleted = True
    s.flush()
    return len(stale)


def _still_match(kind: str, a: Any, b: Any) -> bool:
    """(id_number, name, birth_date, household_id, deleted, change_reason) of each person,
    None throughout for a person the store does not hold: `_MATCH`'s conditions."""
    if a[0] is None or b[0] is None or a[4] or b[4] or a[5] is not None \
            or b[5] is not None or a[3] == b[3]:
        return False
    if kind == "id_number":
        return bool(a[0] == b[0] and a[0] != "")
    return a[1] == b[1] and _day(a[2]) == _day(b[2]) and a[0] != b[0]


def drop_inside(s: Session, sender: str) -> None:
    """At a city or the province: drops the open flags between two people both under the
    sender (an office below, whose own search found them; see the module's note). Flags
    such an office's search made before it searched only across its senders go too."""
    f = DuplicateFlag
    s.execute(delete(f).where(f.ruling.is_(None), in_region(f.station_a, sender),
                              in_region(f.station_b, sender)))


def open_flags(s: Session, place: str | None = None) -> list[DuplicateFlag]:
    """The open flags; with `place` (a township's code, at a city or the province also a
    county's) those with a person there."""
    f = DuplicateFlag
    q = select(f).where(f.ruling.is_(None), f.deleted.is_(False))
    if place:
        q = q.where(in_region(f.station_a, place) | in_region(f.station_b, place))
    return list(s.execute(q.order_by(DuplicateFlag.kind, DuplicateFlag.id_number_a))
                .scalars())


def rule(store: Store, flag_id: str, ruling: str, note: str | None = None) -> DuplicateFlag:
    """The county's ruling; it goes back to both stations with the next return bundles."""
    if store.info.kind != "county":
        raise SyncError("只有县扶贫办可以裁定重复登记")
    if ruling not in RULINGS:
        raise SyncError("裁定只能是 same(同一人)或 different(不同人)")
    with store.transaction() as s:
        flag = s.get(DuplicateFlag, flag_id)
        if flag is None:
            raise SyncError(f"没有编号为 {flag_id} 的疑似重复记录")
        if flag.deleted:  # dropped by a bundle since the list was read
            raise SyncError("这两人已不再匹配(乡镇已更正),无需裁定;请刷新列表")
        flag.ruling = ruling
        flag.ruled_by = store.user
        flag.ruled_at = utcnow()
        flag.note = note
        s.flush()
        s.expunge(flag)
    return flag


# ---- for the county's review table ---------------------------------------------------
@dataclass(frozen=True)
class FlagRow:
    """An open flag as the county reviews it: kind and places in words."""

    id: str
    kind: str  # 身份证号相同 / 姓名和出生日期相同
    name_a: str
    id_a: str
    place_a: str  # "竹核镇 尼日村" (at a city or the province "昭觉县 竹核镇 尼日村")
    name_b: str
    id_b: str
    place_b: str
    birth_date: date | None


def open_flag_rows(store: Store) -> list[FlagRow]:
    """The open flags in `open_flags`' order, their places in words. Read as columns with
    the village names joined in, not as flag objects and a name look-up: a province holds
    some 200,000 open flags (5.9 s that way, 1.6 s this way)."""
    f, va, vb = DuplicateFlag, aliased(Region), aliased(Region)
    with store.session() as s:
        rows = s.execute(
            select(f.id, f.kind, f.name_a, f.id_number_a, f.station_a, f.village_a, va.name,
                   f.name_b, f.id_number_b, f.station_b, f.village_b, vb.name, f.birth_date)
            .outerjoin(va, va.code == f.village_a).outerjoin(vb, vb.code == f.village_b)
            .where(f.ruling.is_(None), f.deleted.is_(False))
            .order_by(f.kind, f.id_number_a)).all()
    # At a city or the province a place names its county too: the one to tell.
    with_county = store.info.kind in ("city", "province")
    townships: dict[str, str] = {}

    def place(station: str, village: str, village_name: str | None) -> str:
        if station not in townships:
            above = [station[:6], station] if with_county else [station]
            names = [d.name for d in map(sichuan().get, above) if d is not None]
            townships[station] = " ".join(names) or station
        return f"{townships[station]} {village_name or village}"
    return [FlagRow(r[0], KINDS.get(r[1], r[1]), r[2], r[3], place(r[4], r[5], r[6]), r[7],
                    r[8], place(r[9], r[10], r[11]), _day(r[12])) for r in rows]
