"""The county's side of 精准识别 and of 脱贫退出: the review queue (households its stations
sent at 县复审, or for an exit at 乡镇审核退出), 抽查 of a share of them, 审定 in batches under
a 文号 or 退回 with a reason, and the 公告 (退出公告). Both tracks work the same way, each
with its own decision kinds (`TRACKS`); only identification checks the 规模.

The households are the stations' and stay as they sent them; the county writes only its
decisions (sync_decision), which travel back in the return bundle and which the station
records as steps (decisions.py). A decision names the seq of the household's last step
recorded by its station (`basis_seq`): a household the station sends again after a 退回
is a new case, while the county's own decisions coming back mirrored change nothing."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Exists, Subquery

from registry import audit, roles
from registry.errors import NotFound, ProcedureRefused
from registry.models import Household, ProcedureEvent, Region
from registry.procedure import quota
from registry.procedure.record import Actor, store_kind
from registry.procedure.steps import (
    APPROVED,
    AT_COUNTY,
    EXIT_APPROVED,
    EXIT_AT_COUNTY,
    stage_name,
)
from registry.roles import Act
from registry.sync_state import CountyDecision
from registry.tracking import bulk_insert

SAMPLE, APPROVE, CORRECTION, ANNOUNCE = "sample", "approve", "correction", "announce"
# 脱贫退出 (schema 4): the same decisions on the exit track (sync_decision.kind ≤ 12 chars).
EXIT_SAMPLE, EXIT_APPROVE, EXIT_RETURN, EXIT_ANNOUNCE = (
    "exit_sample", "exit_approve", "exit_return", "exit_publish")
IDENTIFY, EXIT = "identify", "exit"


@dataclass(frozen=True)
class Track:
    """One of the county's queues: the stage households wait at, the stage 审定 leads to,
    and the decision kinds it writes."""

    key: str
    name: str  # 县复审 / 县审定退出, for messages
    announce_name: str  # 公告 / 退出公告
    stage: str
    approved: str
    sample: str
    approve: str
    correction: str
    announce: str


TRACKS = {
    IDENTIFY: Track(IDENTIFY, "县复审", "公告", AT_COUNTY, APPROVED, SAMPLE, APPROVE,
                    CORRECTION, ANNOUNCE),
    EXIT: Track(EXIT, "县审定退出", "退出公告", EXIT_AT_COUNTY, EXIT_APPROVED, EXIT_SAMPLE,
                EXIT_APPROVE, EXIT_RETURN, EXIT_ANNOUNCE),
}
DECISION_KINDS = frozenset(k for t in TRACKS.values()
                           for k in (t.sample, t.approve, t.correction, t.announce))


def track_of(key: str) -> Track:
    track = TRACKS.get(key)
    if track is None:
        raise ProcedureRefused(f"县级审核只有 {IDENTIFY}(精准识别)和 {EXIT}(脱贫退出)两类")
    return track

PENDING, PASSED, FAILED = "pending", "pass", "fail"
SAMPLE_NAMES = {PENDING: "待核查", PASSED: "核查通过", FAILED: "核查未通过"}
MAX_REF = 40


@dataclass(frozen=True)
class QueueRow:
    household_id: str
    station_code: str  # the township's code
    township_name: str
    village_code: str
    village_name: str
    head_name: str
    size: int
    steps: int
    last_date: date | None
    sample: str | None  # None: not sampled; pending pass fail


@dataclass(frozen=True)
class AnnouncedHousehold:
    household_id: str
    township_name: str
    village_name: str
    group_no: int | None
    head_name: str
    size: int


@dataclass(frozen=True)
class Announcement:
    ref: str
    on: date
    households: list[AnnouncedHousehold]
    track: str = IDENTIFY  # exit: a 退出公告 (its poster says so)


def _at_county(s: Session, actor: Actor) -> None:
    roles.require(actor.role, Act.COUNTY_REVIEW)
    if store_kind(s) != "county":
        raise ProcedureRefused("县复审、抽查、审定和公告只能在县扶贫办的数据库中进行")


def _current_seq() -> Subquery:
    """Per household: the seq of its last step recorded by its station (the county's own
    decisions, mirrored there, do not make a new case)."""
    return (select(ProcedureEvent.household_id.label("hid"),
                   func.max(ProcedureEvent.seq).label("seq"))
            .where(ProcedureEvent.deleted.is_(False), ProcedureEvent.decision_id.is_(None))
            .group_by(ProcedureEvent.household_id).subquery())


def _decided(cur: Subquery, kinds: Sequence[str]) -> Exists:
    return exists().where(CountyDecision.household_id == Household.id,
                          CountyDecision.kind.in_(list(kinds)),
                          CountyDecision.basis_seq == cur.c.seq,
                          CountyDecision.deleted.is_(False))


def review_queue(s: Session, station: str | None = None, track: str = IDENTIFY
                 ) -> list[QueueRow]:
    """Households at 县复审 (exit: at 乡镇审核退出) not decided yet (at the steps they were
    sent with)."""
    t = track_of(track)
    cur = _current_seq()
    q = (select(Household.id, Household.village_code, Household.head_name, Household.size,
                cur.c.seq)
         .join(cur, cur.c.hid == Household.id)
         .where(Household.deleted.is_(False), Household.stage == t.stage,
                ~_decided(cur, (t.approve, t.correction))))
    if station:
        q = q.where(Household.village_code.startswith(station))
    rows = s.execute(q.order_by(Household.village_code, Household.group_no,
                                Household.head_pinyin)).all()
    names = dict(s.execute(select(Region.code, Region.name)).all())
    samples = _samples(s, [r[0] for r in rows], t)
    last = dict(s.execute(select(ProcedureEvent.household_id, func.max(ProcedureEvent.event_date))
                          .join(Household, Household.id == ProcedureEvent.household_id)
                          .where(Household.stage == t.stage)
                          .group_by(ProcedureEvent.household_id)).all())
    return [QueueRow(hid, village[:9], names.get(village[:9], village[:9]), village,
                     names.get(village, village), head or "", size or 0, int(seq),
                     last.get(hid), samples.get((hid, int(seq))))
            for hid, village, head, size, seq in rows]


def _samples(s: Session, ids: Sequence[str], t: Track) -> dict[tuple[str, int], str]:
    """(household, basis) → the sample's result, for households sampled at that state."""
    if not ids:
        return {}
    out: dict[tuple[str, int], str] = {}
    for hid, basis, result in s.execute(
            select(CountyDecision.household_id, CountyDecision.basis_seq,
                   CountyDecision.result)
            .where(CountyDecision.kind == t.sample, CountyDecision.deleted.is_(False))):
        out[(hid, int(basis or 0))] = result or PENDING
    return out


def _queue_ids(s: Session, household_ids: Sequence[str], t: Track
               ) -> dict[str, QueueRow]:
    queue = {r.household_id: r for r in review_queue(s, track=t.key)}
    for hid in household_ids:
        if hid not in queue:
            h = s.get(Household, hid)
            if h is None or h.deleted:
                raise NotFound(f"户 {hid} 不存在")
            who = f"{h.head_name or '(无户主)'}户"
            if t.key == EXIT:
                raise ProcedureRefused(f"{who}不在县审定退出队列中(当前为“{stage_name(h.stage)}”:"
                                       "尚未经过乡镇审核退出,或已审定、已退回)")
            raise ProcedureRefused(f"{who}不在县复审队列中"
                                   "(尚未经过第二次公示,或已审定、已退回)")
    return queue


def sample(s: Session, actor: Actor, share: float, station: str | None = None,
           seed: int | None = None, track: str = IDENTIFY) -> list[QueueRow]:
    """抽查: a random `share` of the queue (at least one household), each to be checked."""
    t = track_of(track)
    _at_county(s, actor)
    if not 0 < share <= 1:
        raise ProcedureRefused("抽查比例应大于0且不超过1(例如 0.1 表示10%)")
    queue = [r for r in review_queue(s, station, t.key) if r.sample is None]
    if not queue:
        raise ProcedureRefused(f"{t.name}队列中没有未抽查的农户")
    chosen = random.Random(seed).sample(queue, max(1, math.ceil(len(queue) * share)))
    _decide_rows(s, actor, [(r.household_id, r.station_code, r.steps) for r in chosen],
                 t.sample, result=PENDING)
    audit.record(s, actor.user, "county_sample", "county", None,
                 after={"share": share, "households": len(chosen), "station": station,
                        "track": t.key})
    return chosen


def check_sample(s: Session, actor: Actor, household_id: str, passed: bool,
                 note: str | None = None, track: str = IDENTIFY) -> None:
    """The result of checking one sampled household (入户核查)."""
    t = track_of(track)
    _at_county(s, actor)
    row = _queue_ids(s, [household_id], t)[household_id]
    decision = s.scalar(select(CountyDecision).where(
        CountyDecision.household_id == household_id, CountyDecision.kind == t.sample,
        CountyDecision.basis_seq == row.steps, CountyDecision.deleted.is_(False)))
    if decision is None:
        raise ProcedureRefused(f"{row.head_name}户未被抽中")
    if not passed and not (note or "").strip():
        raise ProcedureRefused("核查未通过必须写明原因")
    decision.result = PASSED if passed else FAILED
    decision.note = (note or "").strip() or None
    decision.decided_by, decision.decided_at = actor.user, datetime.now()
    s.flush()
    audit.record(s, actor.user, "county_check", "household", household_id,
                 after={"result": decision.result}, reason=decision.note)


def decide(s: Session, actor: Actor, household_ids: Sequence[str], approve: bool,
           ref: str | None, reason: str | None = None, override: str | None = None,
           track: str = IDENTIFY) -> int:
    """审定 (approve, under the 文号 `ref`) or 退回 (with the reason) in one batch; on the
    exit track 审定退出 (no 规模 to check: an exit frees a place)."""
    t = track_of(track)
    _at_county(s, actor)
    ids = list(dict.fromkeys(household_ids))
    if not ids:
        raise ProcedureRefused("请至少选择一户")
    ref = (ref or "").strip() or None
    reason = (reason or "").strip() or None
    if approve and not ref:
        raise ProcedureRefused("审定须填写文号(例如 昭扶贫〔2026〕12号)")
    if ref and len(ref) > MAX_REF:
        raise ProcedureRefused(f"文号不能超过{MAX_REF}字")
    if not approve and not reason:
        raise ProcedureRefused("退回须写明原因(乡镇据此修改后重新报送)")
    queue = _queue_ids(s, ids, t)
    if approve:
        for hid in ids:
            row = queue[hid]
            if row.sample == PENDING:
                raise ProcedureRefused(f"{row.head_name}户被抽查,尚未核查,不能审定")
            if row.sample == FAILED:
                raise ProcedureRefused(f"{row.head_name}户抽查未通过,只能退回")
        override_text = None
        if t.key == IDENTIFY:
            facts = quota.check(s, ids, override, by_village=False)
            override_text = facts.get("超规模理由")
    else:
        override_text = None
    _decide_rows(s, actor, [(hid, queue[hid].station_code, queue[hid].steps) for hid in ids],
                 t.approve if approve else t.correction, notice_no=ref, note=reason,
                 override=override_text)
    audit.record_many(s, actor.user, "county_decide", "household",
                      [(hid, None, {"result": "approve" if approve else "return",
                                    "ref": ref, "track": t.key}) for hid in ids],
                      reason=reason)
    return len(ids)


def _decide_rows(s: Session, actor: Actor, rows: Sequence[tuple[str, str, int]], kind: str,
                 result: str | None = None, notice_no: str | None = None,
                 note: str | None = None, override: str | None = None,
                 at: datetime | None = None) -> None:
    at = at or datetime.now()
    bulk_insert(s, CountyDecision, [
        {"household_id": hid, "station_code": station, "kind": kind, "result": result,
         "notice_no": notice_no, "note": note, "decided_by": actor.user, "decided_at": at,
         "role": actor.role, "basis_seq": basis, "override": override}
        for hid, station, basis in rows])


def announce(s: Session, actor: Actor, ref: str, on: date, track: str = IDENTIFY
             ) -> Announcement:
    """公告 (退出公告): every household approved under `ref` and not announced yet is
    announced on `on`. Printing it again lists the same households and records nothing
    new."""
    t = track_of(track)
    _at_county(s, actor)
    ref = ref.strip()
    approved = s.execute(
        select(CountyDecision.household_id, CountyDecision.station_code,
               CountyDecision.basis_seq, CountyDecision.decided_at)
        .where(CountyDecision.kind == t.approve, CountyDecision.notice_no == ref,
               CountyDecision.deleted.is_(False))).all()
    if not approved:
        other = next(o for o in TRACKS.values() if o.key != t.key)
        if s.scalar(select(CountyDecision.id).where(
                CountyDecision.kind == other.approve, CountyDecision.notice_no == ref,
                CountyDecision.deleted.is_(False)).limit(1)):
            raise ProcedureRefused(f"文号“{ref}”是{other.name}的文号,"
                                   f"请作为{other.announce_name}发布")
        raise ProcedureRefused(f"没有以文号“{ref}”{'审定退出' if t.key == EXIT else '审定'}的农户")
    decided_on = max(r[3] for r in approved).date()
    if on < decided_on:  # the station records 公告 after 县审定, never before it
        raise ProcedureRefused(f"公告日期 {on.isoformat()} 早于审定日期 "
                               f"{decided_on.isoformat()},请核对")
    done = set(s.scalars(select(CountyDecision.household_id).where(
        CountyDecision.kind == t.announce, CountyDecision.notice_no == ref,
        CountyDecision.deleted.is_(False))))
    new = [(hid, station, basis or 0) for hid, station, basis, _ in approved if hid not in done]
    if new:
        _decide_rows(s, actor, new, t.announce, notice_no=ref,
                     at=datetime.combine(on, time(12)))
        audit.record(s, actor.user, "county_announce", "county", None,
                     after={"ref": ref, "households": len(new), "on": on, "track": t.key})
    return announcement(s, ref)


def announcement(s: Session, ref: str) -> Announcement:
    """What the 公告 (or 退出公告: `track` says which) under `ref` lists, by township and
    village (public columns only)."""
    for t in TRACKS.values():
        rows = s.execute(
            select(Household.id, Household.village_code, Household.group_no,
                   Household.head_name, Household.size, CountyDecision.decided_at)
            .join(CountyDecision, and_(CountyDecision.household_id == Household.id,
                                       CountyDecision.kind == t.announce,
                                       CountyDecision.notice_no == ref,
                                       CountyDecision.deleted.is_(False)))
            .order_by(Household.village_code, Household.group_no, Household.head_pinyin)
        ).all()
        if rows:
            break
    else:
        raise ProcedureRefused(f"文号“{ref}”尚未公告")
    names = dict(s.execute(select(Region.code, Region.name)).all())
    on = max(r[5] for r in rows).date()
    return Announcement(ref, on, [
        AnnouncedHousehold(hid, names.get(v[:9], v[:9]), names.get(v, v), g, head or "",
                           size or 0) for hid, v, g, head, size, _ in rows], t.key)


def refs(s: Session, track: str = IDENTIFY) -> list[tuple[str, int, bool]]:
    """Every 文号 used in 审定 (审定退出): (文号, households, announced)."""
    t = track_of(track)
    approved = dict(s.execute(select(CountyDecision.notice_no, func.count())
                              .where(CountyDecision.kind == t.approve,
                                     CountyDecision.deleted.is_(False))
                              .group_by(CountyDecision.notice_no)).all())
    announced = set(s.scalars(select(CountyDecision.notice_no).where(
        CountyDecision.kind == t.announce).distinct()))
    return [(r, n, r in announced) for r, n in sorted(approved.items()) if r]
