"""Recording one step of a village (its station's, or the county's decision applied at the
station): checked against the step table first (order, dates, the notice period, the exit
checklist), then one village_event, the poor_village row moved, one audit entry naming the
village (the county's import requires it: sync/audit_cover.py). All or nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry import audit, roles
from registry.errors import ProcedureRefused
from registry.models import PoorVillage, VillageEvent
from registry.poor_villages import exits
from registry.poor_villages.facts import ENTITY, village_region
from registry.poor_villages.ids import poor_village_id
from registry.poor_villages.steps import (
    DEFAULT_NOTICE_DAYS,
    MAX_NOTICE_DAYS,
    NEW,
    NEXT_STEP,
    NOT_POOR,
    NOTICES,
    STEPS,
    VillageStep,
    stage_name,
)
from registry.procedure.record import MAX_REASON, Actor, store_kind
from registry.procedure.steps import PASS, RESULT_NAMES


@dataclass(frozen=True)
class VillageRecorded:
    village_code: str
    village_name: str
    step: str
    before: str
    after: str


def poor_village(s: Session, village_code: str) -> PoorVillage | None:
    row = s.get(PoorVillage, poor_village_id(village_code))
    if row is None:  # a row written under another id (should not happen, but be sure)
        row = s.scalar(select(PoorVillage).where(PoorVillage.village_code == village_code))
    return row if row is not None and not row.deleted else None


def events(s: Session, village_code: str) -> list[VillageEvent]:
    return list(s.scalars(select(VillageEvent).where(
        VillageEvent.village_code == village_code, VillageEvent.deleted.is_(False))
        .order_by(VillageEvent.seq)))


def record(s: Session, actor: Actor | None, step: VillageStep, village_code: str, on: date,
           result: str = PASS, reason: str | None = None,
           facts: Mapping[str, Any] | None = None, *, decision_id: str | None = None,
           by: tuple[str, str | None] | None = None, today: date | None = None
           ) -> VillageRecorded:
    """Records `step` for the village or refuses (ProcedureRefused says why). `actor` None
    with `by` (user, role): the county's decision applied at the station."""
    if actor is not None:
        if step.act is None:
            raise ProcedureRefused(f"贫困村的“{step.name}”由县扶贫办决定,随回传数据包到达本站")
        roles.require(actor.role, step.act)
        if store_kind(s) != "station":
            raise ProcedureRefused(f"贫困村的“{step.name}”只能在乡镇工作站记录")
    user, role = (actor.user, actor.role) if actor is not None else (by or ("", None))
    if result not in step.leads_to:
        allowed = "、".join(RESULT_NAMES[r] for r in step.leads_to)
        raise ProcedureRefused(f"“{step.name}”的结果只能是:{allowed}")
    reason = (reason or "").strip() or None
    if result != PASS and not reason:
        raise ProcedureRefused(f"“{step.name}”{RESULT_NAMES[result]}必须写明原因")
    if reason and len(reason) > MAX_REASON:
        raise ProcedureRefused(f"原因不能超过{MAX_REASON}字")
    if today is not None and on > today:
        raise ProcedureRefused(f"日期 {on.isoformat()} 晚于今天,请核对")
    region = village_region(s, village_code)
    row = poor_village(s, village_code)
    stage = row.stage if row is not None else NEW
    who = region.name
    if stage not in step.after:
        now = f"{who}当前为“{stage_name(stage)}”"
        waits = NEXT_STEP.get(stage)
        if waits is None:
            raise ProcedureRefused(f"{now},不能再记录“{step.name}”")
        raise ProcedureRefused(f"{now},下一步是“{STEPS[waits].name}”,不能记录“{step.name}”")
    history = events(s, village_code)
    last = history[-1] if history else None
    if last is not None and on < last.event_date:
        raise ProcedureRefused(f"{who}的上一步记录于 {last.event_date.isoformat()},"
                               f"“{step.name}”的日期不能早于它")
    facts = {k: v for k, v in dict(facts or {}).items() if v is not None and v != ""}
    if step.key in NOTICES:
        days = int(facts.get("days") or DEFAULT_NOTICE_DAYS)
        if not 1 <= days <= MAX_NOTICE_DAYS:
            raise ProcedureRefused(f"公示天数应在1到{MAX_NOTICE_DAYS}天之间")
        facts["days"] = days
    if step.key in NOTICES.values() and result == PASS and last is not None:
        started = json.loads(last.facts or "{}")
        ends = last.event_date + timedelta(days=int(started.get("days") or
                                                    DEFAULT_NOTICE_DAYS))
        if on < ends:
            raise ProcedureRefused(f"{who}的公示自 {last.event_date.isoformat()} 起"
                                   f"{started.get('days') or DEFAULT_NOTICE_DAYS}天,"
                                   f"{ends.isoformat()} 起才能记录“{step.name}”")
    if step.key == "exit_propose" and result == PASS:
        year = int(facts.get("year") or on.year)
        facts["year"] = year
        checked = exits.check(s, village_code, year)
        if not checked.passed:
            raise ProcedureRefused(f"{who}不符合{checked.name}({year}年),不能申请退出:"
                                   + ";".join(i.why for i in checked.missing()))
        facts["checklist"] = {i.key: i.value for i in checked.items}
    new_stage = step.leads_to[result]
    if row is None:
        row = s.get(PoorVillage, poor_village_id(village_code))
        if row is None:
            row = PoorVillage(id=poor_village_id(village_code), village_code=village_code,
                              stage=new_stage, poverty_status=NOT_POOR)
            s.add(row)
    row.deleted = False
    seq = (s.scalar(select(func.max(VillageEvent.seq)).where(
        VillageEvent.village_code == village_code)) or 0) + 1
    facts_json = json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str) \
        if facts else None
    s.add(VillageEvent(village_code=village_code, step=step.key, seq=seq, stage=new_stage,
                       event_date=on, actor=user, role=role, result=result, reason=reason,
                       facts=facts_json, decision_id=decision_id))
    row.stage = new_stage
    if result == PASS and step.sets_status:
        row.poverty_status = step.sets_status
        if step.track == "exit":
            proposed = [e for e in history if e.step == "exit_propose" and e.result == PASS]
            said = json.loads(proposed[-1].facts or "{}").get("year") if proposed else None
            row.exit_year = int(said) if said else on.year
    s.flush()
    audit.record(s, user, "village_step", ENTITY, village_code, before={"stage": stage},
                 after={"step": step.key, "result": result, "stage": new_stage, "date": on,
                        "role": role, **({"facts": facts} if facts else {}),
                        **({"decision_id": decision_id} if decision_id else {})},
                 reason=reason)
    return VillageRecorded(village_code, region.name, step.key, stage, new_stage)
