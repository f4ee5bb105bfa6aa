"""The county's side of a 贫困村: 县审定 (under a 文号) or 退回 with a reason, then 公告;
on the exit track 县审定退出 and 退出公告. Like households (registry/procedure/county.py)
the county writes only its decisions (sync_decision, `household_id` holding the village
code, a kind of its own), which travel back in the return bundle and which the station
records as steps (decisions.py). A decision names the seq of the village's last step its
station recorded (`basis_seq`): a village sent again after a 退回 is a new case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry import audit, roles
from registry.errors import ProcedureRefused
from registry.models import VillageEvent
from registry.poor_villages.facts import ENTITY, village_region
from registry.poor_villages.record import poor_village
from registry.poor_villages.steps import (
    APPROVED,
    AT_COUNTY,
    EXIT_APPROVED,
    EXIT_AT_COUNTY,
    stage_name,
)
from registry.procedure.county import MAX_REF
from registry.procedure.record import Actor, store_kind
from registry.roles import Act
from registry.sync_state import CountyDecision

# sync_decision.kind (≤ 12 characters) of the county's decisions on villages.
V_APPROVE, V_RETURN, V_ANNOUNCE = "v_approve", "v_return", "v_announce"
V_EXIT_APPROVE, V_EXIT_RETURN, V_EXIT_ANNOUNCE = "v_exit_ok", "v_exit_ret", "v_exit_pub"
VILLAGE_DECISION_KINDS = frozenset({V_APPROVE, V_RETURN, V_ANNOUNCE, V_EXIT_APPROVE,
                                    V_EXIT_RETURN, V_EXIT_ANNOUNCE})
# decision kind → (the station's step it becomes, its result)
STEP_OF = {V_APPROVE: ("county_decide", "pass"), V_RETURN: ("county_decide", "return"),
           V_ANNOUNCE: ("announce", "pass"), V_EXIT_APPROVE: ("exit_decide", "pass"),
           V_EXIT_RETURN: ("exit_decide", "return"), V_EXIT_ANNOUNCE: ("exit_announce", "pass")}


@dataclass(frozen=True)
class VillageDecided:
    village_code: str
    village_name: str
    kind: str
    ref: str | None


def _at_county(s: Session, actor: Actor) -> None:
    roles.require(actor.role, Act.COUNTY_REVIEW)
    if store_kind(s) != "county":
        raise ProcedureRefused("贫困村的县审定和公告只能在县扶贫办的数据库中进行")


def _basis(s: Session, village_code: str) -> int:
    """The seq of the village's last step recorded by its station."""
    return int(s.scalar(select(func.max(VillageEvent.seq)).where(
        VillageEvent.village_code == village_code, VillageEvent.deleted.is_(False),
        VillageEvent.decision_id.is_(None))) or 0)


def _decisions(s: Session, village_code: str, kinds: tuple[str, ...], basis: int | None = None
               ) -> list[CountyDecision]:
    q = select(CountyDecision).where(CountyDecision.household_id == village_code,
                                     CountyDecision.kind.in_(kinds),
                                     CountyDecision.deleted.is_(False))
    if basis is not None:
        q = q.where(CountyDecision.basis_seq == basis)
    return list(s.scalars(q.order_by(CountyDecision.decided_at)))


def decide(s: Session, actor: Actor, village_code: str, approve: bool, ref: str | None,
           reason: str | None, on: date, *, exit: bool = False) -> VillageDecided:
    """县审定 (县审定退出) under the 文号 `ref`, or 退回 with the reason."""
    _at_county(s, actor)
    region = village_region(s, village_code)
    ref = (ref or "").strip() or None
    reason = (reason or "").strip() or None
    if approve and not ref:
        raise ProcedureRefused("审定须填写文号(例如 昭扶贫〔2026〕12号)")
    if ref and len(ref) > MAX_REF:
        raise ProcedureRefused(f"文号不能超过{MAX_REF}字")
    if not approve and not reason:
        raise ProcedureRefused("退回须写明原因(乡镇据此修改后重新报送)")
    waiting = EXIT_AT_COUNTY if exit else AT_COUNTY
    row = poor_village(s, village_code)
    stage = row.stage if row is not None else ""
    if stage != waiting:
        raise ProcedureRefused(f"{region.name}当前为“{stage_name(stage)}”,"
                               f"不在{'县审定退出' if exit else '县审定'}队列中")
    basis = _basis(s, village_code)
    kinds = (V_EXIT_APPROVE, V_EXIT_RETURN) if exit else (V_APPROVE, V_RETURN)
    if _decisions(s, village_code, kinds, basis):
        raise ProcedureRefused(f"{region.name}已审定或已退回,等待乡镇工作站导入回传数据包")
    kind = kinds[0] if approve else kinds[1]
    _write(s, actor, village_code, kind, basis, ref, reason, datetime.combine(on, time(10)))
    return VillageDecided(village_code, region.name, kind, ref)


def announce(s: Session, actor: Actor, village_code: str, on: date, ref: str | None = None,
             *, exit: bool = False) -> VillageDecided:
    """公告 (退出公告) of a village the county approved; its 文号 that of the approval unless
    given."""
    _at_county(s, actor)
    region = village_region(s, village_code)
    approve, done = (V_EXIT_APPROVE, V_EXIT_ANNOUNCE) if exit else (V_APPROVE, V_ANNOUNCE)
    approved = _decisions(s, village_code, (approve,))
    row = poor_village(s, village_code)
    waiting = (EXIT_AT_COUNTY, EXIT_APPROVED) if exit else (AT_COUNTY, APPROVED)
    latest = approved[-1] if approved else None
    if latest is None or row is None or row.stage not in waiting \
            or (latest.basis_seq or 0) != _basis(s, village_code):
        raise ProcedureRefused(f"{region.name}尚未{'审定退出' if exit else '审定'},不能公告")
    if _decisions(s, village_code, (done,), latest.basis_seq):
        raise ProcedureRefused(f"{region.name}已公告")
    if on < latest.decided_at.date():
        raise ProcedureRefused(f"公告日期 {on.isoformat()} 早于审定日期 "
                               f"{latest.decided_at.date().isoformat()},请核对")
    ref = (ref or "").strip() or latest.notice_no
    _write(s, actor, village_code, done, latest.basis_seq or 0, ref, None,
           datetime.combine(on, time(12)))
    return VillageDecided(village_code, region.name, done, ref)


def _write(s: Session, actor: Actor, village_code: str, kind: str, basis: int,
           ref: str | None, note: str | None, at: datetime) -> None:
    s.add(CountyDecision(household_id=village_code, station_code=village_code[:9], kind=kind,
                         notice_no=ref, note=note, decided_by=actor.user, decided_at=at,
                         role=actor.role, basis_seq=basis))
    s.flush()
    audit.record(s, actor.user, "county_village", ENTITY, village_code,
                 after={"kind": kind, "ref": ref, "basis_seq": basis}, reason=note)


# What a poor_village row's status needs the county to have decided (sync/merge.py checks
# rows arriving from a station: a station cannot make itself a 贫困村, or leave, alone).
STATUS_NEEDS = {"1": V_ANNOUNCE, "2": V_EXIT_ANNOUNCE}


def decided_kinds(s: Session, village_codes: list[str]) -> dict[str, set[str]]:
    """Per village: the kinds of the county's (not deleted) decisions on it."""
    out: dict[str, set[str]] = {}
    if not village_codes:
        return out
    for code, kind in s.execute(select(CountyDecision.household_id, CountyDecision.kind)
                                .where(CountyDecision.household_id.in_(village_codes),
                                       CountyDecision.kind.in_(VILLAGE_DECISION_KINDS),
                                       CountyDecision.deleted.is_(False))):
        out.setdefault(code, set()).add(kind)
    return out
