"""Shared by the 帮扶 modules: who acts, clean a form's values or refuse, audit one change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from forms.fields import Form
from forms.validation import Invalid, clean_record
from registry import audit, roles
from registry.procedure.record import Actor, store_kind
from registry.roles import Act

NOT_AT_COUNTY = "县扶贫办不能修改乡镇工作站的帮扶记录。请退回乡镇修改。"


def may_write(s: Session, actor: Actor, act: Act = Act.AID) -> None:
    """Aid rows belong to the station like its households (registry/household_access.py)."""
    from registry.errors import NotOwner  # noqa: PLC0415

    kind = store_kind(s)
    if kind != "station":
        from registry.households import not_owner  # noqa: PLC0415

        raise NotOwner(not_owner(kind, "的帮扶记录", NOT_AT_COUNTY))
    roles.require(actor.role, act)


def clean(form: Form, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values, or Invalid naming every problem beside its field."""
    values, errors = clean_record(form, raw)
    if errors:
        raise Invalid(errors)
    return values


def log(s: Session, actor: Actor, action: str, household_id: str | None, after: Any,
        before: Any = None, reason: str | None = None, entity: str = "household") -> None:
    """One audit entry naming the household (the county's import requires it: a helper, plan,
    income or review row travels with its household's entry, sync/audit_cover.py)."""
    audit.record(s, actor.user, action, entity, household_id, before=before, after=after,
                 reason=reason)
