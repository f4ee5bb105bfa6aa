"""At the station: the county's decisions on villages that arrived in a return bundle become
steps of the villages (县审定 or 退回, 公告; 县审定退出 or 退回, 退出公告), recorded under the
county user's name and role, in the order decided. Run after the return bundle's rows are
stored, in the same transaction; a decision is applied once (its id is on its step)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.errors import ProcedureRefused, UserError
from registry.models import VillageEvent
from registry.poor_villages.county import STEP_OF, VILLAGE_DECISION_KINDS
from registry.poor_villages.record import VillageRecorded, record
from registry.poor_villages.steps import STEPS, stage_name
from registry.sync_state import CountyDecision


def apply_village_decisions(s: Session, station_code: str,
                            report: Collection[str] | None = None
                            ) -> tuple[list[VillageRecorded], list[str]]:
    """(the steps recorded, why a decision could not be applied — for those in `report`,
    None: all)."""
    applied = set(s.scalars(select(VillageEvent.decision_id)
                            .where(VillageEvent.decision_id.is_not(None))))
    pending = [d for d in s.scalars(
        select(CountyDecision).where(CountyDecision.station_code == station_code,
                                     CountyDecision.kind.in_(VILLAGE_DECISION_KINDS),
                                     CountyDecision.deleted.is_(False))
        .order_by(CountyDecision.decided_at, CountyDecision.id)) if d.id not in applied]
    done: list[VillageRecorded] = []
    skipped: list[str] = []
    for d in pending:
        key, result = STEP_OF[d.kind]
        step = STEPS[key]
        facts = {k: v for k, v in (("文号", d.notice_no), ("县意见", d.note)) if v}
        try:
            # record() checks everything before it writes: a refusal leaves nothing behind.
            done.append(record(s, None, step, d.household_id, d.decided_at.date(), result,
                               d.note if result != "pass" else None, facts,
                               decision_id=d.id, by=(d.decided_by, d.role)))
        except (ProcedureRefused, UserError) as e:
            if report is None or d.id in report:
                skipped.append(f"县扶贫办对行政村 {d.household_id} 的“{step.name}”未能应用:{e}")
    return done, skipped


def summary(done: list[VillageRecorded]) -> list[str]:
    return [f"{r.village_name}由“{stage_name(r.before)}”变为“{stage_name(r.after)}”"
            for r in done]
