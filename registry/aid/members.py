"""成员变更 (进出有据): a member leaves (死亡, 嫁出, 出国定居, 判刑收监, 其他转出) or joins (嫁入,
新生儿, 其他转入) with a date and the evidence; the row stays, the household's size, head and
per-capita income follow. Removing a member with no reason is not how a family changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms import codelists as cl
from forms.member import MEMBER_FORM
from forms.validation import FieldError, Invalid, clean_record
from registry import derived
from registry.aid import incomes
from registry.aid.common import log, may_write
from registry.errors import NotFound, ProcedureRefused
from registry.households import find_id_numbers, member_values
from registry.models import Household, Member
from registry.procedure.record import Actor
from registry.roles import Act

MAX_EVIDENCE = 500


def _reason(text: str, allowed: frozenset[str], what: str) -> str:
    code = cl.MEMBER_CHANGE_REASON.code_of(text)
    if code is None or code not in allowed:
        names = "、".join(c.label for c in cl.MEMBER_CHANGE_REASON.choices if c.code in allowed)
        raise ProcedureRefused(f"{what}原因只能是:{names}")
    return code


def _evidence(text: str | None) -> str | None:
    text = (text or "").strip() or None
    if text and len(text) > MAX_EVIDENCE:
        raise ProcedureRefused(f"证明材料说明不能超过{MAX_EVIDENCE}字")
    return text


def _household(s: Session, household_id: str) -> Household:
    h = s.get(Household, household_id)
    if h is None or h.deleted:
        raise NotFound(f"户 {household_id} 不存在或已删除")
    return h


def member_leaves(s: Session, actor: Actor, household_id: str, member_id: str, reason: str,
                  on: date, evidence: str | None = None, today: date | None = None) -> Member:
    may_write(s, actor, Act.EDIT_HOUSEHOLDS)
    h = _household(s, household_id)
    m = s.get(Member, member_id)
    if m is None or m.deleted or m.household_id != h.id:
        raise NotFound(f"该户没有成员 {member_id}")
    if m.change_reason is not None:
        raise ProcedureRefused(f"{m.name}已于 {m.change_date} 因"
                               f"{cl.MEMBER_CHANGE_REASON.label_of(m.change_reason)}减员")
    if on > (today or date.today()):
        raise ProcedureRefused(f"变更日期 {on} 晚于今天,请核对")
    code = _reason(reason, cl.MEMBER_LEAVES, "减员")
    before = member_values(m)
    m.change_reason, m.change_date, m.change_evidence = code, on, _evidence(evidence)
    _refresh(s, h, on)
    log(s, actor, "member_leave", h.id, {"member_id": m.id, "name": m.name,
                                         "change_reason": code, "change_date": on,
                                         "evidence": m.change_evidence}, before=before,
        reason=cl.MEMBER_CHANGE_REASON.label_of(code))
    return m


def member_joins(s: Session, actor: Actor, household_id: str, values: Mapping[str, Any],
                 reason: str, on: date, evidence: str | None = None,
                 today: date | None = None) -> Member:
    """Adds a member (MEMBER_FORM's fields; a newborn may have 暂无身份证号 with sex and
    birth date typed) who joined for `reason` on `on`."""
    may_write(s, actor, Act.EDIT_HOUSEHOLDS)
    h = _household(s, household_id)
    if on > (today or date.today()):
        raise ProcedureRefused(f"变更日期 {on} 晚于今天,请核对")
    code = _reason(reason, cl.MEMBER_JOINS, "增员")
    clean_values, errors = clean_record(MEMBER_FORM, values)
    if clean_values.get("relation") == cl.HEAD_OF_HOUSEHOLD:
        errors.append(FieldError("relation", "新增成员不能是户主;户主变更请修改家庭成员"))
    number = clean_values.get("id_number")
    if number and not errors:
        found = find_id_numbers(s, [number])
        if number in found:
            where = found[number]
            errors.append(FieldError("id_number", f"身份证号码已登记在{where.village_name}"
                                     f"{where.head_name or ''}户(成员 {where.member_name})"))
    if errors:
        raise Invalid(errors)
    m = Member(household_id=h.id, position=len(h.members))
    for f in MEMBER_FORM.inputs():
        setattr(m, f.name, clean_values.get(f.name))
    for name, value in derived.member_facts(clean_values).items():
        setattr(m, name, value)
    m.no_id_number = bool(clean_values.get("no_id_number"))
    m.joined_reason, m.joined_date, m.change_evidence = code, on, _evidence(evidence)
    s.add(m)
    s.flush()
    _refresh(s, h, on)
    log(s, actor, "member_join", h.id, {"member_id": m.id, "name": m.name,
                                        "joined_reason": code, "joined_date": on,
                                        "evidence": m.change_evidence},
        reason=cl.MEMBER_CHANGE_REASON.label_of(code))
    return m


def _refresh(s: Session, h: Household, on: date) -> None:
    """Size, head and per-capita income after a change; the income of the change's year (if
    entered) is re-divided by the new size."""
    s.flush()
    s.refresh(h, ["members"])
    members = [{**member_values(m), "deleted": m.deleted} for m in h.members]
    values = {n: getattr(h, n) for n in incomes.MONEY_FIELDS}
    for name, value in derived.household_facts(values, members).items():
        setattr(h, name, value)
    row = incomes.income_of(s, h.id, on.year)
    if row is not None:
        incomes.put_income(s, h, on.year, {n: getattr(row, n) for n in incomes.MONEY_FIELDS},
                           h.size)
    s.flush()


def changes(s: Session, household_id: str) -> list[Member]:
    """Members who joined or left, with reasons, in date order."""
    rows = s.scalars(select(Member).where(Member.household_id == household_id,
                                          Member.deleted.is_(False)))
    changed = [m for m in rows if m.change_reason or m.joined_reason]
    return sorted(changed, key=lambda m: (m.change_date or m.joined_date or date.min))
