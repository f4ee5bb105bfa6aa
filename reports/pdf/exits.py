"""退出公示 and 退出公告 posters (脱贫退出), printed through the same poster as the
identification notices (notice.py):

- the 退出公示 is a notice of kind "exit" posted in the village: exactly the households on
  the notice record, each with its exit year's per-capita income beside that year's
  扶贫标准 (the year its 拟退出 step named);
- the 退出公告 is the county's: `exit_announcement_poster` takes the households, the 文号
  and the date, whoever found them; `print_exit_announcement` finds them by the 文号 —
  at a station, the households whose 退出公告 step (applied from the county's return
  bundle) carries that 文号 in its facts; at the county, also the county's own exit
  decisions under that 文号 (CountyDecision kinds EXIT_ANNOUNCE_KINDS).

Only public columns: no ID number, phone or bank account."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from forms.household import HOUSEHOLD_FORM
from registry.aid.poverty_line import Lines
from registry.models import HouseholdIncome, Meta, ProcedureEvent
from registry.procedure import county
from registry.procedure.notices import EXIT, KIND_NAMES
from registry.procedure.tables import Notice
from registry.progress import Progress
from registry.sync_state import CountyDecision
from reports.fonts import FontSet
from reports.pdf import data
from reports.pdf.data import HouseholdRecord, ReportError, Village
from reports.pdf.layout import PrintResult
from reports.pdf.notice import (
    Group,
    Poster,
    _print,
    _region_name,
    objection_text,
    village_committee,
)
from reports.pdf.tables import Column, public_only
from reports.pdf.values import chinese_date, display

# The county's exit decisions that announce (the county's kinds are being added in
# registry/procedure/county.py; the station's mirror is the exit_announce step).
EXIT_ANNOUNCE_KINDS = (county.EXIT_ANNOUNCE,)  # the county's 退出公告 decisions
REF_FACT = "文号"  # the fact under which an applied decision carries its 文号 (decisions.py)
_FIELDS = ("group_no", "head_name", "household_size")


def exit_columns() -> list[Column]:
    fields = public_only(HOUSEHOLD_FORM[n] for n in _FIELDS)
    return [Column("序号", None, True), *(Column(f.label, f, True) for f in fields),
            Column("退出年度", None, True), Column("人均纯收入（元）", None, True),
            Column("当年扶贫标准（元）", None, True)]


@dataclass(frozen=True)
class ExitHousehold:
    record: HouseholdRecord
    year: int | None  # the exit year its 拟退出 named
    per_capita: Decimal | None  # of that year
    line: Decimal | None  # that year's 扶贫标准 for its 识别标准


def exit_years(s: Session, household_ids: Sequence[str]) -> dict[str, int]:
    """The year each household's latest 拟退出 step named (its exit year)."""
    years: dict[str, int] = {}
    for hid, facts, on in s.execute(
            select(ProcedureEvent.household_id, ProcedureEvent.facts, ProcedureEvent.event_date)
            .where(ProcedureEvent.household_id.in_(list(household_ids)),
                   ProcedureEvent.step == "exit_propose", ProcedureEvent.deleted.is_(False))
            .order_by(ProcedureEvent.seq)):
        try:
            year = json.loads(facts or "{}").get("year")
            years[hid] = int(year) if year else on.year
        except (ValueError, TypeError, AttributeError):
            years[hid] = on.year
    return years


def exit_households(s: Session, household_ids: Sequence[str]) -> list[ExitHousehold]:
    """The households (by village, group, head) with their exit year's income and line."""
    records = data.load_households(s, household_ids=list(household_ids))
    if not records:
        return []
    years = exit_years(s, [r.id for r in records])
    wanted = [(r.id, years[r.id]) for r in records if r.id in years]
    incomes: dict[tuple[str, int], Decimal | None] = {}
    for start in range(0, len(wanted), 400):
        part = wanted[start:start + 400]
        for hid, year, value in s.execute(
                select(HouseholdIncome.household_id, HouseholdIncome.year,
                       HouseholdIncome.net_income_per_capita)
                .where(HouseholdIncome.deleted.is_(False),
                       HouseholdIncome.household_id.in_([h for h, _ in part]))):
            incomes[(hid, year)] = value
    lines = Lines(s)
    out = []
    for r in records:
        exit_year = years.get(r.id)
        line = lines.line(exit_year, r.values.get("identification_standard"))
        out.append(ExitHousehold(r, exit_year,
                                 incomes.get((r.id, exit_year)) if exit_year else None,
                                 line.amount if line else None))
    return out


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _group(heading: str, households: Sequence[ExitHousehold], places: dict[str, Village]
           ) -> Group:
    group = Group(heading)
    for h in households:
        r = h.record
        v = places.get(r.village_code)
        group.rows.append([
            v.group_name(r.group_no) if v else display(HOUSEHOLD_FORM["group_no"], r.group_no),
            r.head_name, str(r.size), str(h.year or ""), _money(h.per_capita),
            f"{h.line:,.0f}" if h.line is not None else ""])
        group.labels.append(f"{v.name if v else r.village_code} {r.head_name}户")
        group.households += 1
        group.people += r.size
    return group


def exit_notice_poster(s: Session, notice: Notice, household_ids: Sequence[str]) -> Poster:
    """The 退出公示 `notice` (posted in its village), listing exactly `household_ids`."""
    households = exit_households(s, household_ids)
    if not households:
        raise ReportError(f"公示 {notice.number} 上的农户都已删除,无法打印")
    v = data.village(s, notice.region_code)
    office = village_committee(v)
    count = f"共 {len(households)} 户 {sum(h.record.size for h in households)} 人"
    years = sorted({h.year for h in households if h.year})
    year = "、".join(str(y) for y in years) or ""
    period = (f"公示时间:{chinese_date(notice.start_date)}至{chinese_date(notice.end_date)}"
              f"(共 {notice.days} 天)。")
    return Poster(
        f"{v.township}{v.name}贫困户{KIND_NAMES[EXIT]}", f"公示编号:{notice.number}",
        f"根据贫困户退出工作要求,经村两委和驻村工作队核实{year}年度收入及“两不愁三保障”"
        f"情况、村民代表大会民主评议和贫困户本人认可,{v.name}拟退出贫困户{count},"
        "其退出年度人均纯收入均高于当年扶贫标准,现将名单予以公示。",
        period + objection_text("公示", office), office, notice.start_date,
        [_group("", households, {v.code: v})], kind=EXIT)


def exit_announcement_poster(s: Session, household_ids: Sequence[str], ref: str, on: date
                             ) -> Poster:
    """The county's 退出公告 under `ref` of `on`, listing `household_ids` by township and
    village: the function the county's exit decisions feed."""
    households = exit_households(s, household_ids)
    if not households:
        raise ReportError(f"文号“{ref}”下没有可公告的农户")
    places = {v.code: v for v in data.villages(s, sorted({h.record.village_code
                                                          for h in households}))}
    county_code = (s.scalar(select(Meta.value).where(Meta.key == "region_code")) or "")[:6]
    if not county_code:
        county_code = households[0].record.village_code[:6]
    county_name = _region_name(s, county_code)
    office = f"{county_name}扶贫开发领导小组办公室"
    groups: list[Group] = []
    for code in dict.fromkeys(h.record.village_code for h in households):
        v = places.get(code)
        mine = [h for h in households if h.record.village_code == code]
        name = f"{v.township}{v.name}" if v else code
        groups.append(_group(f"{name}(共 {len(mine)} 户 {sum(h.record.size for h in mine)}"
                             " 人)", mine, places))
    townships = len({code[:9] for code in places})
    people = sum(g.people for g in groups)
    return Poster(
        f"{county_name}贫困户退出公告", ref,
        f"经贫困户申请或村级提名、村民代表大会民主评议、贫困户认可、村内退出公示、乡镇审核"
        f"和县级审定,{townships}个乡镇{len(groups)}个村共 {len(households)} 户 {people} 人"
        "达到退出标准,予以退出(脱贫),现予公告。",
        objection_text("公告", office), office, on, groups, kind=EXIT)


def exit_announced(s: Session, ref: str) -> tuple[list[str], date]:
    """The households announced as exited under `ref`, and the announcement's date."""
    ref = ref.strip()
    found: dict[str, date] = {}
    for hid, facts, on in s.execute(
            select(ProcedureEvent.household_id, ProcedureEvent.facts, ProcedureEvent.event_date)
            .where(ProcedureEvent.step == "exit_announce", ProcedureEvent.deleted.is_(False),
                   ProcedureEvent.facts.is_not(None))):
        try:
            given = json.loads(facts or "{}").get(REF_FACT)
        except (ValueError, AttributeError):
            continue
        if given == ref:
            found[hid] = on
    for hid, at in s.execute(select(CountyDecision.household_id, CountyDecision.decided_at)
                             .where(and_(CountyDecision.kind.in_(EXIT_ANNOUNCE_KINDS),
                                         CountyDecision.notice_no == ref,
                                         CountyDecision.deleted.is_(False)))):
        found.setdefault(hid, at.date())
    if not found:
        raise ReportError(f"文号“{ref}”下没有退出公告的农户")
    return list(found), max(found.values())


def print_exit_announcement(s: Session, ref: str, out: Path, *, paper: str = "A4",
                            phone: str = "", address: str = "",
                            household_ids: Sequence[str] | None = None, on: date | None = None,
                            progress: Progress | None = None, fonts: FontSet | None = None
                            ) -> PrintResult:
    """The 退出公告 under `ref`: of `household_ids` on `on` when given (the county's
    decision at hand), else of the households announced under `ref` (exit_announced)."""
    if household_ids is None:
        household_ids, found_on = exit_announced(s, ref)
        on = on or found_on
    poster = exit_announcement_poster(s, household_ids, ref.strip(), on or date.today())
    return _print(poster, exit_columns(), out, paper, phone, address, fonts, progress)
