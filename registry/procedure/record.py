"""Recording a step for many households at once (a village's batch, a notice, a county
decision applied at the station): all or nothing, each household checked against the step
table first, then one event per household, the household's stage moved, one audit entry
per household (the county's import requires it: see sync/audit_cover.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms import codelists as cl
from registry import audit, roles
from registry.errors import NotFound, ProcedureRefused
from registry.models import Household, Meta, ProcedureEvent
from registry.procedure import exits
from registry.procedure.steps import (
    EXIT_STAGES,
    EXITED,
    FAILED,
    NEXT_STEP,
    PASS,
    REGISTERED,
    RESULT_NAMES,
    STEPS,
    Step,
    stage_name,
)
from registry.tracking import bulk_insert

MAX_REASON = 500
EXIT_TRACK = EXIT_STAGES | {REGISTERED, EXITED}  # where a registered household may be


@dataclass(frozen=True)
class Actor:
    """Who records: the logged-in user and their role (from the store, never the key file)."""

    user: str
    role: str


@dataclass(frozen=True)
class Recorded:
    household_id: str
    head_name: str
    before: str
    after: str


def store_kind(s: Session) -> str:
    kind = s.info.get("store_kind")
    if kind is None:
        kind = s.scalar(select(Meta.value).where(Meta.key == "kind")) or "station"
        s.info["store_kind"] = kind
    return str(kind)


def record(s: Session, actor: Actor | None, step: Step, household_ids: Sequence[str],
           on: date, result: str = PASS, reason: str | None = None,
           facts: Mapping[str, Any] | None = None, *, notice_id: str | None = None,
           decision_ids: Mapping[str, str] | None = None, today: date | None = None,
           by: tuple[str, str | None] | None = None) -> list[Recorded]:
    """Records `step` for every household or for none (ProcedureRefused says why, naming
    the household and the step it is missing). `actor` None with `by` (user, role): the
    county's decision applied at the station, which its own roles do not govern."""
    if actor is not None:
        if step.act is None:
            raise ProcedureRefused(f"“{step.name}”由县扶贫办决定,随回传数据包到达本站")
        roles.require(actor.role, step.act)
        if step.county != (store_kind(s) == "county"):
            where = "县扶贫办" if step.county else "乡镇工作站"
            raise ProcedureRefused(f"“{step.name}”只能在{where}记录")
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
    ids = list(dict.fromkeys(household_ids))
    if not ids:
        raise ProcedureRefused("请至少选择一户")
    for name in step.required_facts:
        if not str((facts or {}).get(name) or "").strip():
            raise ProcedureRefused(f"“{step.name}”必须写明{exits.FACT_NAMES.get(name, name)}")

    rows = _households(s, ids)
    last = _last_steps(s, ids)
    for hid in ids:
        h = rows[hid]
        _check_order(h, step, last.get(hid, (0, None))[1], on)
    if result == PASS:
        exits.check_before(s, step, [rows[hid] for hid in ids], on, facts)

    events: list[dict[str, Any]] = []
    done: list[Recorded] = []
    entries: list[tuple[str | None, Any, Any]] = []
    facts_json = json.dumps(dict(facts), ensure_ascii=False, sort_keys=True,
                            default=str) if facts else None
    new_stage = step.leads_to[result]
    for hid in ids:
        h = rows[hid]
        seq = last.get(hid, (0, None))[0] + 1
        events.append({
            "household_id": hid, "stage": new_stage, "event_date": on, "actor": user,
            "passed": result == PASS, "note": None, "step": step.key, "seq": seq,
            "role": role, "result": result, "reason": reason, "facts": facts_json,
            "notice_id": notice_id,
            "decision_id": (decision_ids or {}).get(hid),
        })
        done.append(Recorded(hid, h.head_name or "", h.stage, new_stage))
        entries.append((hid, {"stage": h.stage}, {
            "step": step.key, "result": result, "stage": new_stage, "date": on,
            "role": role, **({"facts": dict(facts)} if facts else {}),
            **({"notice_id": notice_id} if notice_id else {})}))
        h.stage = new_stage
        if result == PASS and step.sets_status:
            exits.set_status(h, step, on, facts)
    bulk_insert(s, ProcedureEvent, events)
    s.flush()  # the households' new stage, with their revs
    audit.record_many(s, user, "procedure", "household", entries, reason=reason)
    return done


def _households(s: Session, ids: list[str]) -> dict[str, Household]:
    rows: dict[str, Household] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows.update({h.id: h for h in s.execute(
            select(Household).where(Household.id.in_(chunk))).scalars()})
    for hid in ids:
        h = rows.get(hid)
        if h is None or h.deleted:
            raise NotFound(f"户 {hid} 不存在或已删除")
    return rows


def _last_steps(s: Session, ids: list[str]) -> dict[str, tuple[int, date | None]]:
    """Per household: its highest seq and the date of its last step."""
    out: dict[str, tuple[int, date | None]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for hid, seq, on in s.execute(
                select(ProcedureEvent.household_id, func.max(ProcedureEvent.seq),
                       func.max(ProcedureEvent.event_date))
                .where(ProcedureEvent.household_id.in_(chunk),
                       ProcedureEvent.deleted.is_(False))
                .group_by(ProcedureEvent.household_id)):
            out[hid] = (int(seq or 0), on)
    return out


def _check_order(h: Household, step: Step, last_on: date | None, on: date) -> None:
    who = f"{h.head_name or '(无户主)'}户"
    stage = h.stage or ""
    if stage not in step.after:
        waits_for = STEPS[NEXT_STEP.get(stage, "apply")]
        now = f"{who}当前为“{stage_name(stage)}”"
        if step.track == "exit":
            if stage not in EXIT_TRACK:
                raise ProcedureRefused(f"{now},尚未建档立卡,不能记录“{step.name}”")
            if step.key == "relapse":
                raise ProcedureRefused(f"{now},只有已脱贫销号的户才能记录“返贫”")
        elif stage == FAILED:
            raise ProcedureRefused(f"{who}未通过识别,须重新申请后才能记录“{step.name}”")
        elif stage in EXIT_TRACK:
            raise ProcedureRefused(f"{now},“{step.name}”已记录过,不能重复")
        if _rank(stage) > max(_rank(a) for a in step.after):
            raise ProcedureRefused(f"{now},“{step.name}”已记录过,不能重复;"
                                   f"下一步是“{waits_for.name}”")
        raise ProcedureRefused(f"{now},须先完成“{waits_for.name}”,不能跳过它记录“{step.name}”")
    if last_on is not None and on < last_on:
        raise ProcedureRefused(f"{who}的上一步记录于 {last_on.isoformat()},"
                               f"“{step.name}”的日期不能早于它")


def _rank(stage: str) -> int:
    codes = [c.code for c in cl.STAGE.choices]
    return codes.index(stage) if stage in codes else -1


def applications(household_ids: Sequence[str], user: str, role: str | None, on: date,
                 how: str = "本人申请") -> list[dict[str, Any]]:
    """The 农户申请 event of households being registered: registering a household is its
    application (stage 10). The household's own create audit entry accounts for it."""
    step = STEPS["apply"]
    facts = json.dumps({"how": how}, ensure_ascii=False)
    return [{"household_id": hid, "stage": step.leads_to[PASS], "event_date": on,
             "actor": user, "passed": True, "note": None, "step": step.key, "seq": 1,
             "role": role, "result": PASS, "reason": None, "facts": facts,
             "notice_id": None, "decision_id": None} for hid in household_ids]
