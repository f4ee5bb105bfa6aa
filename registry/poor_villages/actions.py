"""One entry for a village step as the command line (and an app) names it: the station's
steps go to record.py, the county's 县审定 / 公告 (and their exit twins), typed at the county,
to county.py as decisions; typed at a station they are refused (they arrive from the county)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import ProcedureRefused
from registry.poor_villages import county
from registry.poor_villages.record import record
from registry.poor_villages.steps import STEPS, find_step, stage_name
from registry.procedure.record import Actor, store_kind
from registry.procedure.steps import PASS, RETURN


def record_village_step(s: Session, actor: Actor, step_text: str, village_code: str,
                        on: date, result: str = PASS, reason: str | None = None,
                        facts: Mapping[str, Any] | None = None, ref: str | None = None,
                        today: date | None = None) -> str:
    """Records the step (or the county's decision); returns what happened, in Chinese."""
    step = find_step(step_text)
    if step is None:
        names = "、".join(f"{s.key} {s.name}" for s in STEPS.values())
        raise ProcedureRefused(f"贫困村没有步骤“{step_text}”(可选:{names})")
    if today is not None and on > today:
        raise ProcedureRefused(f"日期 {on.isoformat()} 晚于今天,请核对")
    if step.county and store_kind(s) == "county":
        exiting = step.track == "exit"
        if step.key in ("county_decide", "exit_decide"):
            if result not in (PASS, RETURN):
                raise ProcedureRefused(f"“{step.name}”的结果只能是:通过、退回")
            d = county.decide(s, actor, village_code, result == PASS, ref, reason, on,
                              exit=exiting)
            what = step.name if result == PASS else "退回"
        else:
            d = county.announce(s, actor, village_code, on, ref, exit=exiting)
            what = step.name
        return (f"{d.village_name}:已{what}" + (f"(文号 {d.ref})" if d.ref else "")
                + ",随回传数据包送达乡镇工作站")
    done = record(s, actor, step, village_code, on, result, reason, facts, today=today)
    return f"{done.village_name}:{stage_name(done.before)} → {stage_name(done.after)}"
