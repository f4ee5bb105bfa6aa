"""Import as an update: a household of the file whose head's ID number is already
registered at this station is not refused as a duplicate but updated — its fields, its
members (matched by ID number: added, changed, removed) — through the editor's own save
(registry.households.save_household: same checks, same audit entry). Columns the file
does not have keep the store's values; members who left with a reason (成员变更) stay as
they are. What will change is listed in words before anything is committed
(`excel import --dry-run` stops there)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from forms import idnumber
from forms.household import HOUSEHOLD_FORM
from forms.member import MEMBER_FORM
from forms.validation import validate_household
from registry.households import household_values, member_values, save_household
from registry.models import Household, Member
from reports.pdf.values import display

_H_INPUTS = {f.name: f for f in HOUSEHOLD_FORM.inputs()}
_M_INPUTS = {f.name: f for f in MEMBER_FORM.inputs()}


@dataclass
class Change:
    """What an update import does to one household, in words."""

    label: str  # 户编号 and head
    household_id: str
    lines: list[str] = field(default_factory=list)

    def text(self) -> str:
        return f"{self.label}:" + ";".join(self.lines)


def existing_households(s: Session, people_by_item: Sequence[Sequence[Mapping[str, Any]]]
                        ) -> dict[int, str]:
    """item index → the registered household its head (relation 户主, or failing that its
    first member) belongs to, by ID number."""
    wanted: dict[str, int] = {}
    for i, people in enumerate(people_by_item):
        head = next((p for p in people if str(p.get("relation") or "") in ("01", "户主")),
                    people[0] if people else None)
        raw = head.get("id_number") if head else None
        if isinstance(raw, str) and raw.strip():
            wanted[idnumber.normalize(raw)] = i
    if not wanted:
        return {}
    found = s.execute(select(Member.id_number, Member.household_id)
                      .join(Household, Household.id == Member.household_id)
                      .where(Member.id_number.in_(list(wanted)), Member.deleted.is_(False),
                             Household.deleted.is_(False))).all()
    return {wanted[n]: hid for n, hid in found}


def _show(f: Any, value: Any) -> str:
    text = display(f, value)
    return text or "(空)"


def update_household(s: Session, user: str, household_id: str, raw: Mapping[str, Any],
                     people: Sequence[Mapping[str, Any]], label: str, reason: str) -> Change:
    """Updates the household from the file's row and members; the change in words.
    Raises Invalid (per field, members by their position in `people`)."""
    h = s.execute(select(Household).where(Household.id == household_id)
                  .options(selectinload(Household.members))).scalar_one()
    values = {**household_values(h), **{k: v for k, v in raw.items() if k in _H_INPUTS}}
    current = [m for m in h.members if m.is_current]
    by_number = {m.id_number: m for m in current if m.id_number}
    # 暂无身份证号 (a newborn): matched by name
    by_name = {m.name: m for m in current if not m.id_number or m.no_id_number}
    members: list[dict[str, Any]] = []
    change = Change(label, household_id)
    seen: set[str] = set()
    for p in people:
        number = idnumber.normalize(str(p.get("id_number") or "")) \
            if isinstance(p.get("id_number"), str) else p.get("id_number")
        old = by_number.get(number) if number else by_name.get(str(p.get("name") or ""))
        if old is None:
            members.append(dict(p))
            continue
        seen.add(old.id)
        members.append({**member_values(old), **{k: v for k, v in p.items()
                                                 if k in _M_INPUTS}, "id": old.id})
    # members who left with a reason stay on the household's record
    left = [member_values(m) for m in h.members if not m.deleted and not m.is_current]
    check = validate_household(values, members)  # Invalid before anything is said
    for name, f in _H_INPUTS.items():
        new, old_value = check.household.get(name), getattr(h, name)
        if name in raw and new != old_value and not (new in (None, "") and
                                                    old_value in (None, "")):
            change.lines.append(f"{f.label} {_show(f, old_value)} → {_show(f, new)}")
    for cleaned, sent, raw_person in zip(check.members, members, people, strict=True):
        if "id" not in sent:
            change.lines.append(f"新增成员 {cleaned.get('name')}")
            continue
        old = next(m for m in current if m.id == sent["id"])
        # a blank the check leaves (性别, 出生日期 follow from the ID number) is no change
        diffs = [f"{f.label} {_show(f, getattr(old, n))} → {_show(f, cleaned.get(n))}"
                 for n, f in _M_INPUTS.items()
                 if n in raw_person and cleaned.get(n) not in (None, "")
                 and cleaned.get(n) != getattr(old, n)]
        if diffs:
            change.lines.append(f"成员 {old.name}:" + ",".join(diffs))
    for m in current:
        if m.id not in seen:
            change.lines.append(f"移除成员 {m.name}(表中没有此人)")
    if change.lines:
        save_household(s, user, values, [*members, *left], household_id, reason=reason)
    return change
