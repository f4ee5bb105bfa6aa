"""Everything the 贫困村登记表 shows for one village and year, in one read: its typed facts,
the counted figures, where its procedure stands, its steps, and the exit checklist. The
CLI's `village show`, the PDF and the Excel 登记表 all take it from here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.village import VILLAGE_STATUS
from registry.models import Region
from registry.poor_villages import exits
from registry.poor_villages.facts import (
    Figures,
    fact_values,
    facts_of,
    figures,
    latest_year,
    village_region,
)
from registry.poor_villages.record import events, poor_village
from registry.poor_villages.steps import NOT_POOR, STEPS, stage_name
from registry.procedure.steps import RESULT_NAMES
from registry.roles import role_name


@dataclass(frozen=True)
class Step:
    seq: int
    on: date
    name: str
    result: str
    stage: str
    user: str
    role: str
    reason: str
    facts: dict[str, Any]


@dataclass(frozen=True)
class VillageSheet:
    code: str
    name: str
    township: str
    county: str
    year: int
    has_facts: bool
    facts: dict[str, Any]
    figures: Figures
    stage: str
    status: str
    exit_year: int | None
    steps: list[Step]
    checklist: exits.CheckedList

    @property
    def stage_name(self) -> str:
        return stage_name(self.stage)

    @property
    def status_name(self) -> str:
        return VILLAGE_STATUS.label_of(self.status)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "township": self.township,
                "county": self.county, "year": self.year,
                "facts": {k: (str(v) if v is not None and not isinstance(v, bool | int)
                              else v) for k, v in self.facts.items()},
                "figures": self.figures.as_json(), "stage": self.stage,
                "stage_name": self.stage_name, "status": self.status,
                "status_name": self.status_name, "exit_year": self.exit_year,
                "steps": [{"seq": st.seq, "date": st.on.isoformat(), "step": st.name,
                           "result": st.result, "stage": st.stage, "user": st.user,
                           "role": st.role, "reason": st.reason, "facts": st.facts}
                          for st in self.steps],
                "checklist": self.checklist.as_json()}


def village_sheet(s: Session, village_code: str, year: int | None = None,
                  on: date | None = None) -> VillageSheet:
    """`year` None: the latest year with facts, else this year."""
    region = village_region(s, village_code)
    year = year or latest_year(s, village_code) or (on or date.today()).year
    names = dict(s.execute(select(Region.code, Region.name).where(
        Region.code.in_([village_code[:6], village_code[:9]]))).all())
    counted = figures(s, village_code, year, on)
    row = poor_village(s, village_code)
    steps = []
    for e in events(s, village_code):
        step = STEPS.get(e.step)
        try:
            facts = json.loads(e.facts) if e.facts else {}
        except ValueError:
            facts = {}
        steps.append(Step(e.seq, e.event_date, step.name if step else e.step,
                          RESULT_NAMES.get(e.result, e.result), stage_name(e.stage),
                          e.actor or "", role_name(e.role) if e.role else "",
                          e.reason or "", facts if isinstance(facts, dict) else {}))
    facts_row = facts_of(s, village_code, year)
    return VillageSheet(
        village_code, region.name, names.get(village_code[:9], ""),
        names.get(village_code[:6], ""), year, facts_row is not None,
        fact_values(facts_row), counted, row.stage if row else "",
        row.poverty_status if row else NOT_POOR, row.exit_year if row else None, steps,
        exits.check(s, village_code, year, counted))
