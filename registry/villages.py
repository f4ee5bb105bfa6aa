"""The station's villages and their 村民小组 (组): listing them for the tree and the editor,
correcting a village's name, adding groups. Every change is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from registry import audit
from registry.errors import NotFound, NotOwner, StoreError
from registry.households import not_owner
from registry.models import Region, VillageGroup
from registry.store import Store


@dataclass
class Village:
    code: str
    name: str
    groups: list[tuple[int, str | None]] = field(default_factory=list)  # (number, name)


def region_range(code: str) -> tuple[str, str | None]:
    """The codes inside region `code` (itself included) as [low, high): a range an index can
    read, where PostgreSQL plans a LIKE on a bound prefix as a scan unless the database's
    collation is C (ours is C.UTF-8), and SQLite unless LIKE is case-sensitive. No high
    bound after a code of all 9s. For codes at least as long as `code` (every caller reads
    one level, or longer codes): after a carry (…199 → …200) a shorter code such as …2
    would fall inside."""
    after = str(int(code) + 1).zfill(len(code))
    return code, (after if len(after) == len(code) else None)


def in_region(column: Any, code: str) -> Any:
    """`column` (a region code) inside region `code`, as region_range()."""
    low, high = region_range(code)
    return column >= low if high is None else and_(column >= low, column < high)


def list_villages(session: Session) -> list[Village]:
    """Villages in code order, each with its groups in number order."""
    villages = {code: Village(code, name) for code, name in session.execute(
        select(Region.code, Region.name)
        .where(Region.level == "village", Region.deleted.is_(False))
        .order_by(Region.code))}
    for code, number, name in session.execute(
            select(VillageGroup.village_code, VillageGroup.number, VillageGroup.name)
            .where(VillageGroup.deleted.is_(False))
            .order_by(VillageGroup.village_code, VillageGroup.number)):
        if code in villages:
            villages[code].groups.append((number, name))
    return list(villages.values())


def rename_village(session: Session, user: str, code: str, name: str) -> None:
    name = name.strip()
    if not name:
        raise StoreError("村名不能为空")
    if len(name) > 30:
        raise StoreError("村名不能超过30个字")
    row = session.execute(select(Region).where(Region.code == code,
                                               Region.level == "village")).scalar()
    if row is None:
        raise NotFound(f"本站没有行政村 {code}")
    if row.name == name:
        return
    before = {"name": row.name}
    row.name = name
    session.flush()
    audit.record(session, user, "update", "region", row.id, before=before,
                 after={"name": name}, reason="更正村名")


def add_groups(session: Session, user: str, village_code: str, upto: int) -> list[int]:
    """Makes sure groups 1..upto exist in the village; returns the numbers added."""
    if not 1 <= upto <= 99:
        raise StoreError("组数应在1到99之间")
    if session.execute(select(Region.id).where(Region.code == village_code,
                                               Region.level == "village")).first() is None:
        raise NotFound(f"本站没有行政村 {village_code}")
    have = set(session.execute(select(VillageGroup.number).where(
        VillageGroup.village_code == village_code, VillageGroup.deleted.is_(False))).scalars())
    added = [n for n in range(1, upto + 1) if n not in have]
    for n in added:
        group = VillageGroup(village_code=village_code, number=n, name=f"{n}组")
        session.add(group)
    if added:
        session.flush()
        audit.record(session, user, "create", "village_group", village_code,
                     after={"village_code": village_code, "numbers": added})
    return added


# ---- on an open store (the desktop's villages table) ----------------------------------
@dataclass(frozen=True)
class VillageEdit:
    """A village's name as corrected, and how many groups it should have (0: leave them)."""

    code: str
    name: str
    groups: int


def load_villages(store: Store) -> list[Village]:
    with store.session() as s:
        return list_villages(s)


# An office's villages and groups are its stations': a group travels in the station's
# bundles, so one added at the county took the number of the station's next group, whose
# own row the county then held as a conflict.
COUNTY_VILLAGES = ("县扶贫办不能修改乡镇工作站的村组:村民小组由乡镇建立,随乡镇的数据包报送。"
                   "请由乡镇在其村组管理中修改后报送。")


def save_villages(store: Store, edits: list[VillageEdit]) -> None:
    """Renames and adds groups as the logged-in user, all in one transaction (a refused
    name changes nothing). Only at a station (NotOwner at an office)."""
    if store.info.office:
        raise NotOwner(not_owner(store.info.kind, "的村组", COUNTY_VILLAGES))
    with store.transaction() as s:
        for edit in edits:
            rename_village(s, store.user, edit.code, edit.name)
            if edit.groups:
                add_groups(s, store.user, edit.code, edit.groups)


def list_divisions(session: Session, own_code: str) -> list[tuple[str, str]]:
    """(code, name) of the places between the store's own and its villages, in code order:
    a county's townships; a city's counties and their townships; the province's cities,
    counties and townships. An office's tree hangs its villages under them."""
    return [(c, n) for c, n, _ in places_below(session, own_code,
                                                ("city", "county", "township"))]


def places_below(session: Session, own_code: str, levels: Sequence[str]
                 ) -> list[tuple[str, str, str]]:
    """(code, name, level) of the places of these levels inside `own_code`, in code order:
    each place before those inside it."""
    return [(c, n, lv) for c, n, lv in session.execute(
        select(Region.code, Region.name, Region.level)
        .where(Region.level.in_(levels), Region.deleted.is_(False),
               in_region(Region.code, own_code), Region.code != own_code)
        .order_by(Region.code))]
