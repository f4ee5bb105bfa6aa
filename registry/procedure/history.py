"""A household's 档案 timeline: its steps, the notices it was on, objections, the county's
decisions (at the county, those not yet mirrored by the station) and the audit entries that
changed it (who changed which field, when, why), oldest first. Shown in the desktop,
printed in the 扶贫手册 and given by `households history --json`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.codelists import AID_MEASURE, MEMBER_CHANGE_REASON, PLAN_STATUS, REVIEW_PROPOSAL
from forms.household import HOUSEHOLD_FORM
from registry.errors import NotFound
from registry.models import AuditEntry, Household, ProcedureEvent
from registry.procedure.county import SAMPLE_NAMES
from registry.procedure.notices import KIND_NAMES, OUTCOME_NAMES
from registry.procedure.steps import RESULT_NAMES, STEPS, stage_name
from registry.procedure.tables import Notice, Objection
from registry.roles import role_name
from registry.sync_state import CountyDecision

KINDS = {"step": "程序", "objection": "异议", "decision": "县级决定", "change": "修改"}
_LABELS = {f.name: f.label for f in HOUSEHOLD_FORM.fields}
_DECISIONS = {"sample": "县抽查", "approve": "县审定", "correction": "县退回", "announce": "公告",
              "review": "县复审", "exit_sample": "县抽查退出", "exit_approve": "县审定退出",
              "exit_return": "县退回退出", "exit_publish": "退出公告"}
_SILENT = {"procedure", "objection", "county_decide", "county_check"}  # shown as their rows


@dataclass(frozen=True)
class Item:
    on: date
    at: datetime | None  # when it was recorded
    kind: str  # step objection decision change
    title: str
    detail: str
    user: str
    role: str
    stage: str | None = None  # where a step left the household

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["on"] = self.on.isoformat()
        d["at"] = self.at.isoformat(timespec="seconds") if self.at else None
        d["role_name"] = role_name(self.role) if self.role else ""
        d["stage_name"] = stage_name(self.stage) if self.stage else ""
        return d


def timeline(s: Session, household_id: str) -> list[Item]:
    h = s.get(Household, household_id)
    if h is None:
        raise NotFound("该户不存在")
    return timelines(s, [household_id])[household_id]


_CHUNK = 500  # households per query (IN lists well under SQLite's limit)


def timelines(s: Session, household_ids: Sequence[str]) -> dict[str, list[Item]]:
    """The timelines of many households (a village's 扶贫手册) in a few queries per 500
    households, whatever their number: each household's items as timeline() gives them."""
    ids = list(dict.fromkeys(household_ids))
    out: dict[str, list[Item]] = {i: [] for i in ids}
    notices = {n.id: n for n in s.scalars(select(Notice))}
    for start in range(0, len(ids), _CHUNK):
        part = ids[start:start + _CHUNK]
        for e in s.scalars(select(ProcedureEvent).where(
                ProcedureEvent.household_id.in_(part), ProcedureEvent.deleted.is_(False))
                .order_by(ProcedureEvent.household_id, ProcedureEvent.seq,
                          ProcedureEvent.event_date)):
            out[e.household_id].append(_step_item(e, notices))
        mirrored = set(s.scalars(select(ProcedureEvent.decision_id).where(
            ProcedureEvent.household_id.in_(part), ProcedureEvent.decision_id.is_not(None))))
        for o in s.scalars(select(Objection).where(Objection.household_id.in_(part))):
            n = notices.get(o.notice_id)
            detail = f"{o.objector or '匿名'}:{o.content}"
            if o.checking:
                detail += f";核查:{o.checking}"
            outcome = OUTCOME_NAMES.get(o.outcome, o.outcome)
            out[o.household_id].append(Item(o.received_on, o.created_at, "objection",
                                            f"公示异议({n.number if n else ''})— {outcome}",
                                            detail, o.recorded_by, ""))
        for d in s.scalars(select(CountyDecision).where(CountyDecision.household_id.in_(part),
                                                        CountyDecision.deleted.is_(False))):
            if d.id in mirrored:
                continue
            what = _DECISIONS.get(d.kind, d.kind)
            if d.kind in ("sample", "exit_sample"):
                what += f"({SAMPLE_NAMES.get(d.result or 'pending', d.result)})"
            detail = "".join(x for x in (f"文号 {d.notice_no}" if d.notice_no else "",
                                         f" {d.note}" if d.note else "") if x)
            out[d.household_id].append(Item(d.decided_at.date(), d.decided_at, "decision",
                                            what, detail.strip(), d.decided_by, d.role or ""))
        for a in s.scalars(select(AuditEntry).where(AuditEntry.entity == "household",
                                                    AuditEntry.entity_id.in_(part))
                           .order_by(AuditEntry.seq)):
            if a.action in _SILENT or a.entity_id is None:
                continue
            if a.action in _AID_ACTIONS:  # a member change's reason is in its detail
                detail = _aid_detail(a) + (f"(原因:{a.reason})" if a.reason and
                                            not a.action.startswith("member_") else "")
            else:
                detail = _changes(a) + (f"(原因:{a.reason})" if a.reason else "")
            out[a.entity_id].append(Item(a.at.date(), a.at, "change",
                                         _ACTIONS.get(a.action, a.action), detail, a.user, ""))
    for items in out.values():
        items.sort(key=lambda i: (i.on, i.at or datetime.min))
    return out


_ACTIONS = {"create": "登记", "update": "修改", "delete": "删除", "demo": "演示数据",
            "import": "导入", "helper_assign": "指定帮扶责任人", "helper_end": "结束帮扶",
            "plan_add": "添加帮扶计划", "plan_update": "修改帮扶计划",
            "plan_remove": "删除帮扶计划", "yearly_review": "年度动态调整核查",
            "member_leave": "成员减员", "member_join": "成员增员", "excel_steps": "导入程序记录"}


def _step_item(e: ProcedureEvent, notices: dict[str, Notice]) -> Item:
    if e.step is None:  # schema 1's, written by the demo generator
        return Item(e.event_date, e.created_at, "step", stage_name(e.stage),
                    e.note or "", e.actor or "", "", e.stage)
    step = STEPS.get(e.step)
    title = step.name if step else ("补录" if e.step == "backfill" else e.step)
    if e.result and step is not None and len(step.leads_to) > 1:  # a step that can fail
        title += f" — {RESULT_NAMES.get(e.result, e.result)}"
    parts: list[str] = []
    if e.notice_id and e.notice_id in notices:
        n = notices[e.notice_id]
        parts.append(f"{KIND_NAMES.get(n.kind, n.kind)} {n.number}"
                     f"({n.start_date}至{n.end_date})")
    if e.facts:
        try:
            facts = json.loads(e.facts)
        except ValueError:
            facts = {}
        order = list(_FACT_NAMES)  # as clerks read them: 参会人数, 赞成, 反对, 弃权…
        parts += [f"{_FACT_NAMES.get(k, k)}:{v}" for k, v in sorted(
            facts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
                  if k not in ("notice", "days", "objection")]
    if e.reason:
        parts.append(f"原因:{e.reason}")
    if e.step == "backfill":
        parts.append(e.note or "")
    return Item(e.event_date, e.created_at, "step", title, ";".join(p for p in parts if p),
                e.actor or "", e.role or "", e.stage)


_FACT_NAMES = {"how": "申请方式", "applicant": "申请人", "participants": "参会人数",
               "votes_for": "赞成", "votes_against": "反对", "votes_abstain": "弃权",
               "checkers": "核实人", "findings": "核实情况", "reviewer": "审核人",
               "issued_on": "发卡日期", "objections": "异议数", "objection": "异议",
               "year": "年度", "signed_by": "签字人", "evidence": "证明材料",
               "per_capita": "人均纯收入"}


_AID_ACTIONS = {"helper_assign", "helper_end", "plan_add", "plan_update", "plan_remove",
                "yearly_review", "member_leave", "member_join"}


def _aid_detail(a: AuditEntry) -> str:
    """What a 帮扶 entry did, in a clerk's words (its facts are the row's field names)."""
    try:
        after = json.loads(a.after) if a.after else {}
    except ValueError:
        return ""
    if not isinstance(after, dict):
        return ""
    if a.action == "helper_assign":
        who = " ".join(str(after[k]) for k in ("name", "unit", "title") if after.get(k))
        return f"{who},自 {after.get('start_date') or ''} 起"
    if a.action == "helper_end":
        return f"结束日期 {after.get('end_date') or ''}"
    if a.action in ("member_leave", "member_join"):
        code = after.get("change_reason") or after.get("joined_reason")
        on = after.get("change_date") or after.get("joined_date") or ""
        text = f"{after.get('name') or ''}:{MEMBER_CHANGE_REASON.label_of(code) if code else ''}" \
               f",{on}"
        return text + (f",证明材料:{after['evidence']}" if after.get("evidence") else "")
    if a.action in ("plan_add", "plan_update"):
        measure = after.get("measure")
        return "".join(x for x in (
            f"{after['year']}年" if after.get("year") else "",
            AID_MEASURE.label_of(measure) if measure else "",
            f"({PLAN_STATUS.label_of(after['status'])})" if after.get("status") else "")
            if x)
    if a.action == "yearly_review":
        proposal = after.get("proposal")
        return f"{after.get('year') or ''}年" + (
            f",调整意见:{REVIEW_PROPOSAL.label_of(proposal)}" if proposal else "")
    return ""


def _changes(a: AuditEntry) -> str:
    """Which fields an entry changed, by their form labels."""
    try:
        before = json.loads(a.before) if a.before else {}
        after = json.loads(a.after) if a.after else {}
    except ValueError:
        return ""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ""
    if not before:
        return ""
    changed = [k for k in sorted(set(before) | set(after))
               if k != "members" and before.get(k) != after.get(k)]
    if before.get("members") != after.get("members") and "members" in after:
        changed.append("members")
    names = [_LABELS.get(k, "家庭成员" if k == "members" else k) for k in changed]
    return "改动:" + "、".join(names) if names else ""
