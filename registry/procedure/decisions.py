"""At the station: the county's decisions that arrived in a return bundle become steps of
the households they are about (县抽查, 县审定 or 退回, 公告; on the exit track 县抽查退出,
县审定退出 or 退回, 退出公告), recorded under the county
user's name and role, so a household's history is whole at its owner. Run after the
return bundle's rows are stored, in the same transaction; a decision is applied once
(its id is on the step it made)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.errors import ProcedureRefused
from registry.models import Household, ProcedureEvent
from registry.procedure.county import (
    ANNOUNCE,
    APPROVE,
    CORRECTION,
    EXIT_ANNOUNCE,
    EXIT_APPROVE,
    EXIT_RETURN,
    EXIT_SAMPLE,
    FAILED,
    PASSED,
    SAMPLE,
)
from registry.procedure.record import Recorded, record
from registry.procedure.steps import PASS, RETURN, STEPS, stage_name
from registry.sync_state import CountyDecision

_STEP = {SAMPLE: "county_sample", APPROVE: "county_decide", CORRECTION: "county_decide",
         ANNOUNCE: "announce", EXIT_SAMPLE: "exit_sample", EXIT_APPROVE: "exit_decide",
         EXIT_RETURN: "exit_decide", EXIT_ANNOUNCE: "exit_announce"}
_SAMPLES = (SAMPLE, EXIT_SAMPLE)
_RETURNS = (CORRECTION, EXIT_RETURN)


@dataclass(frozen=True)
class Applied:
    changed: list[Recorded]
    skipped: list[str]  # why a decision could not be applied, in Chinese

    def summary(self) -> list[str]:
        by: dict[tuple[str, str], int] = defaultdict(int)
        for r in self.changed:
            by[(r.before, r.after)] += 1
        lines = [f"{n} 户由“{stage_name(b)}”变为“{stage_name(a)}”" if b != a
                 else f"{n} 户经县抽查核查,仍为“{stage_name(a)}”"  # 县抽查 moves no stage
                 for (b, a), n in sorted(by.items())]
        return lines + self.skipped


def apply_decisions(s: Session, station_code: str, report: Collection[str] | None = None
                    ) -> Applied:
    """Applies every decision not applied yet. `report`: the ids of the decisions whose
    refusals to mention (those that just arrived; None: all), so one that cannot be
    applied is not named again at every later import."""
    applied = set(s.scalars(select(ProcedureEvent.decision_id)
                            .where(ProcedureEvent.decision_id.is_not(None))))
    pending = [d for d in s.scalars(
        select(CountyDecision).where(CountyDecision.station_code == station_code,
                                     CountyDecision.deleted.is_(False))
        .order_by(CountyDecision.decided_at, CountyDecision.id))
        if d.id not in applied and d.kind in _STEP
        and not (d.kind in _SAMPLES and d.result not in (PASSED, FAILED))]
    # Day by day, in the procedure's order: a 公告 is dated noon of its day, and a 审定
    # made that afternoon must still come first.
    order = {key: n for n, key in enumerate(STEPS)}
    pending.sort(key=lambda d: (d.decided_at.date(), order[_STEP[d.kind]], d.decided_at, d.id))
    # A 更正要求 outside the review queue (no basis step) moves no stage: it is said.
    requests = [d for d in pending if d.kind == CORRECTION and d.basis_seq is None]
    pending = [d for d in pending if d not in requests]
    # One batch per step, result, date and county user: a 审定 of 5,000 households is
    # one call of record().
    batches: dict[tuple[str, str, object, str, str | None, str | None, str | None],
                  list[CountyDecision]] = defaultdict(list)
    for d in pending:
        result = RETURN if d.kind in _RETURNS or (d.kind in _SAMPLES and d.result == FAILED) \
            else PASS
        batches[(d.kind, result, d.decided_at.date(), d.decided_by, d.role, d.notice_no,
                 d.note)].append(d)
    changed: list[Recorded] = []
    skipped: list[str] = []
    names = dict(s.execute(select(Household.id, Household.head_name).where(
        Household.id.in_([d.household_id for d in pending + requests]))).all()) \
        if pending or requests else {}
    for d in requests:
        if report is None or d.id in report:
            skipped.append(f"县扶贫办要求更正{names.get(d.household_id) or ''}户:"
                           f"{d.note or '未说明'}")
    for (kind, result, on, user, role, ref, note), decisions in batches.items():
        step = STEPS[_STEP[kind]]
        stages = dict(s.execute(select(Household.id, Household.stage).where(
            Household.id.in_([d.household_id for d in decisions]))).all())
        ready = [d for d in decisions if stages.get(d.household_id) in step.after]
        for d in decisions:
            if d not in ready and (report is None or d.id in report):
                who = names.get(d.household_id) or d.household_id
                skipped.append(f"县扶贫办对{who}户的“{step.name}”未能应用:"
                               f"本站该户为“{stage_name(stages.get(d.household_id))}”")
        if not ready:
            continue
        facts = {k: v for k, v in (("文号", ref), ("县意见", note)) if v}
        try:
            changed += record(s, None, step, [d.household_id for d in ready], on,  # type: ignore[arg-type]
                              result, note if result != PASS else None, facts,
                              decision_ids={d.household_id: d.id for d in ready},
                              by=(user, role))
        except ProcedureRefused as e:
            skipped.append(f"县扶贫办的“{step.name}”未能应用:{e}")
    return Applied(changed, skipped)
