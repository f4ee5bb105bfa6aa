"""年度动态调整, the yearly review: a station opens a review year; per household it fills the
checklist (两不愁三保障, forms/checklists.py) and proposes 脱贫, 继续帮扶 or 返贫. The proposal
is a recommendation: the exit itself is the exit steps, whose first (拟退出) checks the
year's income and this checklist (registry/procedure/exits.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import codelists as cl
from forms.checklists import checklist_for
from registry.aid.common import log, may_write
from registry.aid.ids import review_id
from registry.aid.poverty_line import Lines
from registry.errors import NotFound, ProcedureRefused
from registry.models import Household, HouseholdIncome, ReviewYear, YearlyReview
from registry.procedure.exits import answers
from registry.procedure.record import Actor
from registry.procedure.steps import EXITED, REGISTERED, stage_name
from registry.roles import Act


def open_year(s: Session, actor: Actor, year: int, today: date | None = None) -> ReviewYear:
    may_write(s, actor, Act.OPEN_REVIEW_YEAR)
    today = today or date.today()
    if not 2014 <= year <= today.year:
        raise ProcedureRefused(f"年度 {year} 不对:只能开启 2014 年至今年({today.year})的年度调整")
    if s.get(ReviewYear, year) is not None:
        raise ProcedureRefused(f"{year} 年度动态调整已经开启")
    row = ReviewYear(year=year, opened_on=today, opened_by=actor.user)
    s.add(row)
    s.flush()
    log(s, actor, "review_open", None, {"year": year}, entity="review_year")
    return row


def open_years(s: Session) -> list[int]:
    return list(s.scalars(select(ReviewYear.year).where(ReviewYear.closed_on.is_(None))
                          .order_by(ReviewYear.year.desc())))


def reviewed_years(s: Session) -> list[int]:
    """The years the stored reviews are of, latest first: an office's, whose stations
    open their years themselves (their reviews travel, the opened years do not)."""
    return list(s.scalars(select(YearlyReview.year).where(YearlyReview.deleted.is_(False))
                          .distinct().order_by(YearlyReview.year.desc())))


def set_review(s: Session, actor: Actor, household_id: str, year: int,
               checklist: Mapping[str, bool | None], proposal: str | None = None,
               note: str | None = None, on: date | None = None) -> YearlyReview:
    """Records (or corrects) the household's review of `year`, an opened year."""
    may_write(s, actor)
    if s.get(ReviewYear, year) is None:
        raise ProcedureRefused(f"{year} 年度动态调整尚未开启,请先开启(管理员)")
    h = s.get(Household, household_id)
    if h is None or h.deleted:
        raise NotFound(f"户 {household_id} 不存在或已删除")
    items = checklist_for(h.village_code, year)
    unknown = set(checklist) - set(items.keys())
    if unknown:
        raise ProcedureRefused(f"{items.name}没有这些项目:" + "、".join(sorted(unknown)))
    if proposal is not None:
        code = cl.REVIEW_PROPOSAL.code_of(proposal)
        if code is None:
            names = "、".join(c.label for c in cl.REVIEW_PROPOSAL.choices)
            raise ProcedureRefused(f"调整意见只能是:{names}")
        proposal = code
    who = f"{h.head_name or '(无户主)'}户当前为“{stage_name(h.stage)}”"
    if proposal in ("exit", "continue") and h.stage == EXITED:
        raise ProcedureRefused(f"{who},已脱贫销号,只能提出“返贫”或不提意见")
    if proposal == "relapse" and h.stage != EXITED:
        raise ProcedureRefused(f"{who},只有已脱贫销号的户才能提出“返贫”")
    if proposal == "exit" and h.stage != REGISTERED:
        raise ProcedureRefused(f"{who},只有已建档立卡、尚未退出的户才能提出“脱贫”")
    row = s.get(YearlyReview, review_id(h.id, year))
    before = None
    if row is None:
        row = YearlyReview(id=review_id(h.id, year), household_id=h.id, year=year)
        s.add(row)
    else:
        before = {"checklist": answers(row.checklist), "proposal": row.proposal}
    row.deleted = False
    row.checklist = json.dumps({k: checklist[k] for k in items.keys() if k in checklist},  # noqa: SIM118
                               ensure_ascii=False)
    row.proposal = proposal
    row.note = (note or "").strip() or None
    row.reviewed_on = on or date.today()
    row.reviewed_by = actor.user
    s.flush()
    log(s, actor, "yearly_review", h.id, {"year": year, "checklist": dict(checklist),
                                            "proposal": proposal}, before=before)
    return row


@dataclass(frozen=True)
class ReviewRow:
    """One line of a village's yearly-review list."""

    household_id: str
    head_name: str
    group_no: int | None
    size: int
    stage: str
    poverty_status: str
    per_capita: Decimal | None  # of the review year, when entered
    line: Decimal | None
    above_line: bool | None
    met: int  # checklist items met
    items: int
    proposal: str | None

    @property
    def stage_label(self) -> str:
        return stage_name(self.stage)

    @property
    def status_label(self) -> str:
        return cl.POVERTY_STATUS.label_of(self.poverty_status)

    @property
    def proposal_label(self) -> str:
        return cl.REVIEW_PROPOSAL.label_of(self.proposal) if self.proposal else ""


def review_list(s: Session, village_code: str, year: int) -> list[ReviewRow]:
    """Every registered household of the village (exits and 销号 included) with its review
    of `year`: three queries whatever the village's size."""
    households = list(s.execute(
        select(Household.id, Household.head_name, Household.group_no, Household.size,
               Household.stage, Household.poverty_status, Household.identification_standard)
        .where(Household.deleted.is_(False), Household.village_code == village_code,
               Household.stage >= REGISTERED, Household.stage != "90")
        .order_by(Household.group_no, Household.head_pinyin)))
    ids = [h.id for h in households]
    incomes = dict(s.execute(select(HouseholdIncome.household_id,
                                    HouseholdIncome.net_income_per_capita)
                             .where(HouseholdIncome.year == year,
                                    HouseholdIncome.deleted.is_(False),
                                    HouseholdIncome.household_id.in_(ids))).all())
    reviews = {r.household_id: r for r in s.scalars(select(YearlyReview).where(
        YearlyReview.year == year, YearlyReview.deleted.is_(False),
        YearlyReview.household_id.in_(ids)))}
    lines = Lines(s)
    checklist = checklist_for(village_code, year)
    out = []
    for h in households:
        per_capita = incomes.get(h.id)
        line = lines.line(year, h.identification_standard)
        review = reviews.get(h.id)
        met = len(checklist.items) - len(checklist.unmet(answers(review.checklist))) \
            if review is not None else 0
        out.append(ReviewRow(
            h.id, h.head_name or "", h.group_no, h.size, h.stage, h.poverty_status,
            per_capita, line.amount if line else None,
            lines.above(per_capita, year, h.identification_standard), met,
            len(checklist.items), review.proposal if review else None))
    return out
