"""规模控制: the county allots each township a number of poor households and people (sent
down in its return bundle); a township may split it by village. 乡镇审核 and 县审定 show
used / quota, and going over needs an explicit override with a reason, which the step
records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry import audit, roles
from registry.errors import QuotaExceeded
from registry.models import Household, Region
from registry.procedure.record import Actor
from registry.procedure.tables import VillageQuota
from registry.roles import Act
from registry.sync_state import Quota

# Stages that count against the quota: passed 乡镇审核, up to 建档立卡.
COUNTED = ("40", "50", "60", "65", "70", "80")
MAX_QUOTA = 1_000_000


@dataclass(frozen=True)
class Usage:
    region_code: str
    households: int
    people: int
    quota_households: int | None
    quota_people: int | None

    def text(self) -> str:
        if self.quota_households is None:
            return f"已用 {self.households} 户 {self.people} 人(未下达规模)"
        return (f"已用 {self.households}/{self.quota_households} 户,"
                f"{self.people}/{self.quota_people} 人")


def usage(s: Session, region_code: str, stages: Sequence[str] = COUNTED) -> Usage:
    """Used / quota of a township (9 digits) or a village (12)."""
    households, people = s.execute(
        select(func.count(), func.coalesce(func.sum(Household.size), 0))
        .where(Household.deleted.is_(False), Household.stage.in_(stages),
               Household.village_code.startswith(region_code))).one()
    if len(region_code) == 12:
        q: Any = s.scalar(select(VillageQuota).where(VillageQuota.village_code == region_code,
                                                     VillageQuota.deleted.is_(False)))
    else:
        q = s.scalar(select(Quota).where(Quota.township_code == region_code,
                                         Quota.deleted.is_(False)))
    return Usage(region_code, int(households), int(people),
                 q.households if q is not None else None, q.people if q is not None else None)


def check(s: Session, household_ids: Sequence[str], override: str | None,
          by_village: bool) -> dict[str, Any]:
    """Refuses (QuotaExceeded) when passing these households would go over a township's
    (and, at a station, a village's) quota, unless `override` gives the reason. Returns the
    facts the step records: used after it, quota, and the override if one was needed."""
    adding: dict[str, tuple[int, int]] = {}
    for village, size, stage in s.execute(
            select(Household.village_code, Household.size, Household.stage)
            .where(Household.id.in_(list(household_ids)))):
        # A household counted already (at the county: 县复审 is) adds nothing to the used.
        new = 0 if stage in COUNTED else 1
        for code in ((village[:9], village) if by_village else (village[:9],)):
            n, p = adding.get(code, (0, 0))
            adding[code] = (n + new, p + new * (size or 0))
    facts: dict[str, Any] = {}
    over: list[str] = []
    names = dict(s.execute(select(Region.code, Region.name)
                           .where(Region.code.in_(list(adding)))).all())
    for code, (n, p) in sorted(adding.items()):
        u = usage(s, code)
        if u.quota_households is None or u.quota_people is None:
            continue
        after_n, after_p = u.households + n, u.people + p
        facts[f"规模:{names.get(code, code)}"] = (
            f"{after_n}/{u.quota_households} 户,{after_p}/{u.quota_people} 人")
        if after_n > u.quota_households or after_p > u.quota_people:
            over.append(f"{names.get(code, code)}:通过后 {after_n} 户 {after_p} 人,"
                        f"规模为 {u.quota_households} 户 {u.quota_people} 人")
    override = (override or "").strip() or None
    if over and override is None:
        raise QuotaExceeded("超出规模控制:" + ";".join(over)
                            + "。确需超出,请填写超规模理由(--override)。")
    if over:
        facts["超规模理由"] = override
    return facts


def _check_numbers(households: int, people: int) -> None:
    if not (0 <= households <= MAX_QUOTA and 0 <= people <= MAX_QUOTA):
        raise QuotaExceeded(f"规模应为0至{MAX_QUOTA}之间的整数")
    if people < households:
        raise QuotaExceeded("人数不能少于户数")


def set_township_quota(s: Session, actor: Actor, township_code: str, households: int,
                       people: int, reason: str | None = None) -> Quota:
    """At the county: a township's quota (it reaches the station in the return bundle)."""
    roles.require(actor.role, Act.COUNTY_QUOTA)
    _check_numbers(households, people)
    region = s.scalar(select(Region).where(Region.code == township_code))
    if region is None or region.level != "township":
        raise QuotaExceeded(f"本县没有乡镇 {township_code}")
    row = s.scalar(select(Quota).where(Quota.township_code == township_code))
    before = None if row is None else {"households": row.households, "people": row.people}
    if row is None:
        row = Quota(township_code=township_code, households=households, people=people,
                    set_by=actor.user, reason=reason)
        s.add(row)
    else:
        row.households, row.people, row.set_by, row.reason = (
            households, people, actor.user, reason)
        row.deleted = False
    s.flush()
    audit.record(s, actor.user, "set_quota", "quota", row.id, before=before,
                 after={"township": township_code, "households": households,
                        "people": people}, reason=reason)
    return row


def set_village_quota(s: Session, actor: Actor, village_code: str, households: int,
                      people: int) -> VillageQuota:
    """At a station: a village's share of the township's quota."""
    roles.require(actor.role, Act.VILLAGE_QUOTA)
    _check_numbers(households, people)
    region = s.scalar(select(Region).where(Region.code == village_code))
    if region is None or region.level != "village":
        raise QuotaExceeded(f"本站没有行政村 {village_code}")
    township = usage(s, village_code[:9])
    others = s.execute(select(func.coalesce(func.sum(VillageQuota.households), 0),
                              func.coalesce(func.sum(VillageQuota.people), 0))
                       .where(VillageQuota.village_code != village_code,
                              VillageQuota.deleted.is_(False))).one()
    if township.quota_households is not None and township.quota_people is not None and (
            others[0] + households > township.quota_households
            or others[1] + people > township.quota_people):
        raise QuotaExceeded(
            f"各村规模之和({others[0] + households} 户 {others[1] + people} 人)超过县下达"
            f"本乡镇的规模({township.quota_households} 户 {township.quota_people} 人)")
    row = s.scalar(select(VillageQuota).where(VillageQuota.village_code == village_code))
    if row is None:
        row = VillageQuota(village_code=village_code, households=households, people=people,
                           set_by=actor.user)
        s.add(row)
    else:
        row.households, row.people, row.set_by = households, people, actor.user
    s.flush()
    audit.record(s, actor.user, "set_quota", "village_quota", row.id,
                 after={"village": village_code, "households": households, "people": people})
    return row
