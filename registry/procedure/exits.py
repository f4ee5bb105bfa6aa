"""What the exit steps check and change beyond the step table (进出有据):

- 拟退出 is refused, naming what is missing, unless the year's per-capita income is above
  that year's 扶贫标准 (for the household's 识别标准) and the year's review has every item
  of the checklist (forms/checklists.py) met;
- 销号 makes the household 脱贫 with the year, 返贫 makes it 返贫 — the only ways its 脱贫状态
  changes (the form shows it, never takes it)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.checklists import checklist_for
from registry.errors import ProcedureRefused
from registry.models import Household, HouseholdIncome, YearlyReview

if TYPE_CHECKING:
    from registry.procedure.steps import Step

FACT_NAMES = {"evidence": "返贫原因的证明材料", "year": "年度"}


def year_of(on: date, facts: Mapping[str, Any] | None) -> int:
    value = (facts or {}).get("year")
    try:
        return int(value) if value not in (None, "") else on.year
    except (TypeError, ValueError):
        raise ProcedureRefused(f"年度“{value}”应为四位数字年份") from None


def check_before(s: Session, step: Step, households: Sequence[Household], on: date,
                 facts: Mapping[str, Any] | None) -> None:
    if step.key == "exit_propose":
        year = year_of(on, facts)
        problems = [p for h in households for p in missing_for_exit(s, h, year)]
        if problems:
            raise ProcedureRefused("不能申报退出:" + ";".join(problems[:20])
                                   + (f";等共 {len(problems)} 项" if len(problems) > 20 else ""))


def missing_for_exit(s: Session, h: Household, year: int) -> list[str]:
    """What `h` lacks for its exit in `year`, in words (empty: it may be proposed)."""
    from registry.aid.poverty_line import Lines, describe  # noqa: PLC0415 (one module up)

    who = f"{h.head_name or '(无户主)'}户"
    out: list[str] = []
    income = s.scalar(select(HouseholdIncome).where(
        HouseholdIncome.household_id == h.id, HouseholdIncome.year == year,
        HouseholdIncome.deleted.is_(False)))
    lines = Lines(s)
    line = lines.line(year, h.identification_standard)
    per_capita = income.net_income_per_capita if income is not None else None
    if income is None or per_capita is None:
        out.append(f"{who}没有{year}年的收入记录")
    elif line is None:
        out.append(f"没有{year}年的扶贫标准,无法判断{who}是否达到退出标准")
    elif per_capita <= line.amount:
        out.append(f"{who}{year}年人均纯收入 {per_capita} 元{describe(per_capita, line)}")
    review = s.scalar(select(YearlyReview).where(
        YearlyReview.household_id == h.id, YearlyReview.year == year,
        YearlyReview.deleted.is_(False)))
    checklist = checklist_for(h.village_code, year)
    if review is None or not review.checklist:
        out.append(f"{who}没有{year}年的{checklist.name}核查记录")
    else:
        unmet = checklist.unmet(answers(review.checklist))
        if unmet:
            out.append(f"{who}{checklist.name}未达标:" + "、".join(i.label for i in unmet))
    return out


def answers(checklist_json: str | None) -> dict[str, bool]:
    try:
        data = json.loads(checklist_json or "{}")
    except ValueError:
        return {}
    return {str(k): v is True for k, v in data.items()} if isinstance(data, dict) else {}


def set_status(h: Household, step: Step, on: date, facts: Mapping[str, Any] | None) -> None:
    """销号 → 脱贫 in the year; 返贫 → 返贫 in the year (the year the step records)."""
    h.poverty_status = step.sets_status or h.poverty_status
    h.exit_year = year_of(on, facts)
