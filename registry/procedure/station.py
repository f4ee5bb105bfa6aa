"""The steps a station records by hand (民主评议, 入户核实, 乡镇审核, 建档立卡), by key or
Chinese name, with the quota check of 乡镇审核. Notices have their own functions
(notices.py); the county's steps arrive in its return bundle (decisions.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import ProcedureRefused
from registry.procedure import quota
from registry.procedure.record import Actor, Recorded, record
from registry.procedure.steps import PASS, STEPS, Step, find_step


def by_hand_step(text: str) -> Step:
    step = find_step(text)
    if step is None or not step.by_hand:
        names = "、".join(f"{s.name}({(s.aliases or (s.key,))[0]})"
                         for s in STEPS.values() if s.by_hand)
        hint = ""
        if step is not None and step.key.endswith("notice") or (
                step is not None and step.key.endswith("notice_end")):
            hint = "公示请用“发起公示/结束公示”(notice open / notice close)。"
        elif step is not None and step.county:
            hint = "县级步骤由县扶贫办记录,随回传数据包到达。"
        elif step is not None and step.key == "apply":
            hint = "农户申请在登记农户时记录(households add)。"
        raise ProcedureRefused(f"不能在这里记录“{text}”。{hint}可记录的步骤:{names}")
    return step


def record_step(s: Session, actor: Actor, step_text: str, household_ids: Sequence[str],
                on: date, result: str = PASS, reason: str | None = None,
                facts: Mapping[str, Any] | None = None, override: str | None = None,
                today: date | None = None) -> list[Recorded]:
    step = by_hand_step(step_text)
    facts = {k: v for k, v in (facts or {}).items() if v not in (None, "")}
    if step.key == "township_review" and result == PASS:
        facts.update(quota.check(s, household_ids, override, by_village=True))
    return record(s, actor, step, household_ids, on, result, reason, facts, today=today)
