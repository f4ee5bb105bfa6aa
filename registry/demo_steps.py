"""The demo households' 精准识别 as recorded steps: the rows registry/procedure writes
(procedure_event, notice, notice_entry, notice_objection), made in memory in batches per
village and step, so that every demo household's stage is the stage its last step left it
at, and its history reads like a real one.

Two rounds. The 2014 round took most households the whole way, 农户申请 to 建档立卡, with a
first notice in each village, the township's second notice and the county's 审定 and 公告
(mirrored as the station records them when the return bundle arrives: steps county_decide
and announce under a county user with role county_review); a few did not pass (民主评议,
入户核实, or an objection during the first notice) and keep their reasons. The current
round, dated back from `today`, is under way: households at every step, first notices still
in their period, one whose period has ended but that nobody closed yet (到期公示), and a
second notice still up.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from forms import codelists as cl
from registry import roles
from registry.ids import new_id
from registry.procedure.steps import PASS, REJECT, STEPS

# The path of a household that passes every step; a target stage is reached after the
# first n of them.
PATH = ("apply", "evaluate", "verify", "first_notice", "first_notice_end", "township_review",
        "second_notice", "second_notice_end", "county_decide", "announce", "register")
STEPS_TO = {"10": 1, "20": 2, "25": 3, "30": 4, "35": 5, "40": 6, "50": 7, "60": 8,
            "65": 9, "70": 10, "80": 11}
ROUND_2014 = {"80", "90"}  # the stages of the 2014 round; every other is the current one
NOTICE_DAYS = 7
COUNTY_USER = "县扶贫办审核员"

# 2014: 农户申请 in April (a day per household), the rest in batches.
_DAYS_2014 = {
    "evaluate": date(2014, 5, 5), "verify": date(2014, 5, 10),
    "first_notice": date(2014, 5, 15), "first_notice_end": date(2014, 5, 22),
    "township_review": date(2014, 5, 26), "second_notice": date(2014, 5, 28),
    "second_notice_end": date(2014, 6, 4), "county_decide": date(2014, 6, 15),
    "announce": date(2014, 6, 20), "register": date(2014, 6, 30),
}
# The current round, in days before today.
_DAYS_BEFORE = {
    "apply": 60, "evaluate": 50, "verify": 45, "first_notice": 40, "first_notice_end": 33,
    "township_review": 30, "second_notice": 28, "second_notice_end": 21,
    "county_decide": 14, "announce": 10,
}
DUE_NOTICE_BEFORE = 12  # the first notice whose period ended 6 days ago, not closed
OPEN_FIRST_BEFORE = 3  # first notices still in their period
OPEN_SECOND_BEFORE = 2  # the second notice still up

_REJECTIONS = {
    "evaluate": ["家庭收入明显高于扶贫标准,村民代表多数不同意",
                 "家中有经营性车辆和门面,村民代表多数不同意"],
    "verify": ["入户核实:家庭成员在县城有商品房,不符合识别标准",
               "入户核实:申报人口与实际不符,子女已分户另居"],
}
_OBJECTIONS = [("该户儿子在外地开厂,家庭收入较高", "村两委和驻村工作队入户核实,情况属实"),
               ("该户去年新建砖房三层,不属于贫困户", "经核实,新房为自筹资金修建,情况属实")]


_NOTICE_STEPS = {"first": ("first_notice", "first_notice_end"),
                 "second": ("second_notice", "second_notice_end"),
                 "exit": ("exit_notice", "exit_notice_end")}


@dataclass
class StepRows:
    events: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    objections: list[dict[str, Any]] = field(default_factory=list)


class _Writer:
    """Appends rows as registry.procedure.record() would write them for a batch."""

    def __init__(self, user: str, role: str) -> None:
        self.user, self.role = user, role
        self.rows = StepRows()
        self.seq: dict[str, int] = defaultdict(int)
        self.stage: dict[str, str] = {}

    def step(self, ids: Sequence[str], key: str, on: date, result: str = PASS,
             reason: str | None = None, facts: dict[str, Any] | None = None,
             notice: dict[str, Any] | None = None) -> None:
        if not ids:
            return
        step = STEPS[key]
        user, role = (COUNTY_USER, roles.COUNTY_REVIEW) if step.county else (self.user,
                                                                            self.role)
        stage = step.leads_to[result]
        for hid in ids:
            self.seq[hid] += 1
            self.stage[hid] = stage
            self.rows.events.append({
                "household_id": hid, "stage": stage, "event_date": on, "actor": user,
                "passed": result == PASS, "note": None, "step": key, "seq": self.seq[hid],
                "role": role, "result": result, "reason": reason, "facts": facts,
                "notice_id": notice["id"] if notice else None, "decision_id": None})

    def open_notice(self, kind: str, region: str, start: date, ids: Sequence[str],
                    closed_on: date | None = None) -> dict[str, Any]:
        """The notice (its number given at insert time), its entries and the opening step."""
        notice: dict[str, Any] = {
            "id": new_id(), "number": None, "kind": kind, "region_code": region,
            "start_date": start, "days": NOTICE_DAYS,
            "end_date": start + timedelta(days=NOTICE_DAYS - 1), "opened_by": self.user,
            "closed_on": closed_on, "closed_by": self.user if closed_on else None}
        self.rows.notices.append(notice)
        entries = {hid: {"notice_id": notice["id"], "household_id": hid, "outcome": None}
                   for hid in ids}
        notice["_entries"] = entries
        self.rows.entries += entries.values()
        self.step(ids, _NOTICE_STEPS[kind][0], start,
                  facts={"notice": notice, "days": NOTICE_DAYS}, notice=notice)
        return notice

    def close_notice(self, notice: dict[str, Any], on: date,
                     cancelled: Iterable[tuple[str, str, str]] = ()) -> None:
        """Objections that cancelled households (id, content, checking), then the close:
        every household still on the notice passes."""
        ending = _NOTICE_STEPS[notice["kind"]][1]
        entries = notice["_entries"]
        received = notice["start_date"] + timedelta(days=3)
        for hid, content, checking in cancelled:
            objection = {"id": new_id(), "notice_id": notice["id"], "household_id": hid,
                         "received_on": received, "objector": None, "content": content,
                         "checking": checking, "outcome": "cancel", "recorded_by": self.user}
            self.rows.objections.append(objection)
            self.step([hid], ending, received, REJECT, reason=f"公示异议:{content}",
                      facts={"notice": notice, "objection": objection["id"]}, notice=notice)
            entries[hid]["outcome"] = "cancelled"
        staying = [hid for hid, e in entries.items() if e["outcome"] is None]
        objections = sum(1 for o in self.rows.objections if o["notice_id"] == notice["id"])
        self.step(staying, ending, on, facts={"notice": notice, "objections": objections},
                  notice=notice)
        for hid in staying:
            entries[hid]["outcome"] = "passed"


def _by_village(households: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for h in households:
        out[h["village_code"]].append(h["id"])
    return dict(sorted(out.items()))


def _meeting(rng: random.Random) -> dict[str, Any]:
    participants = rng.randint(32, 68)
    against = rng.randint(0, 3)
    abstain = rng.randint(0, 2)
    return {"participants": participants, "votes_for": participants - against - abstain,
            "votes_against": against, "votes_abstain": abstain}


def procedure_rows(households: Sequence[dict[str, Any]], township: str, county_short: str,
                   today: date, rng: random.Random, user: str, role: str,
                   exits: Mapping[str, int] | None = None,
                   relapses: Mapping[str, tuple[int, dict[str, Any]]] | None = None
                   ) -> StepRows:
    """Steps for every household, from its drawn `stage` (80 and 90 in the 2014 round, the
    others in the current one), then the exits (household → year; registry/demo_aid.py
    chose them above the line with the checklist met) and the 返贫 (household → year and
    the step's facts); the households' `stage`, 脱贫状态 and year are set from the steps."""
    w = _Writer(user, role)
    _round_2014(w, [h for h in households if h["stage"] in ROUND_2014], township,
                county_short, rng)
    _current_round(w, [h for h in households if h["stage"] not in ROUND_2014], township,
                   county_short, today, rng)
    by_id = {h["id"]: h for h in households}
    for year in sorted(set((exits or {}).values())):
        ids = [hid for hid, y in (exits or {}).items() if y == year]
        _exit_round(w, [by_id[hid] for hid in ids], year, county_short, rng)
        for hid in ids:
            by_id[hid].update(poverty_status=cl.OUT_OF_POVERTY, exit_year=year)
    for hid, (year, facts) in sorted((relapses or {}).items()):
        w.step([hid], "relapse", date(year, 10, rng.randint(1, 28)), facts=facts,
               reason=facts.get("reason"))
        by_id[hid].update(poverty_status=cl.BACK_IN_POVERTY, exit_year=year)
    for h in households:
        h["stage"] = w.stage[h["id"]]
    return w.rows


def _exit_round(w: _Writer, households: list[dict[str, Any]], year: int,
                county_short: str, rng: random.Random) -> None:
    """拟退出 → 退出民主评议 → 贫困户认可 → 退出公示 (per village) → 乡镇审核 → 县审定 →
    退出公告 → 销号, in the autumn of `year`."""
    ref = f"{county_short}扶贫〔{year}〕21号"
    for village, ids in _by_village(households).items():
        w.step(ids, "exit_propose", date(year, 10, 8), facts={"year": year})
        w.step(ids, "exit_evaluate", date(year, 10, 12), facts=_meeting(rng))
        w.step(ids, "exit_agree", date(year, 10, 15), facts={"signed_by": "户主"})
        notice = w.open_notice("exit", village, date(year, 10, 18), ids,
                               closed_on=date(year, 10, 25))
        w.close_notice(notice, date(year, 10, 25))
    ids = [h["id"] for h in households]
    w.step(ids, "exit_township_review", date(year, 11, 2),
           facts={"reviewer": "乡镇扶贫工作站"})
    w.step(ids, "exit_decide", date(year, 11, 20), facts={"文号": ref})
    w.step(ids, "exit_announce", date(year, 11, 25), facts={"文号": ref})
    w.step(ids, "exit_close", date(year, 12, 5), facts={"year": year})


def _round_2014(w: _Writer, households: list[dict[str, Any]], township: str,
                county_short: str, rng: random.Random) -> None:
    if not households:
        return
    # How each 未通过 household fails: at 民主评议, at 入户核实, or by an objection.
    fails = {h["id"]: rng.choice(("evaluate", "verify", "objection"))
             for h in households if h["stage"] == "90"}
    for h in households:
        w.step([h["id"]], "apply", date(2014, 4, rng.randint(1, 25)),
               facts={"how": "本人申请" if rng.random() < .85 else "村民小组推荐"})
    registered: list[str] = []
    for village, ids in _by_village(households).items():
        for key in ("evaluate", "verify"):
            out = [hid for hid in ids if fails.get(hid) == key]
            ids = [hid for hid in ids if hid not in out]
            facts = (_meeting(rng) if key == "evaluate"
                     else {"checkers": "村两委、驻村工作队", "findings": "情况属实"})
            w.step(ids, key, _DAYS_2014[key], facts=facts)
            for hid in out:
                reject_facts = dict(facts, findings="不符合识别标准") if key == "verify" \
                    else facts
                w.step([hid], key, _DAYS_2014[key], REJECT,
                       reason=rng.choice(_REJECTIONS[key]), facts=reject_facts)
        if not ids:
            continue
        notice = w.open_notice("first", village, _DAYS_2014["first_notice"], ids,
                               closed_on=_DAYS_2014["first_notice_end"])
        cancelled = [(hid, *rng.choice(_OBJECTIONS)) for hid in ids
                     if fails.get(hid) == "objection"]
        w.close_notice(notice, _DAYS_2014["first_notice_end"], cancelled)
        registered += [hid for hid in ids if hid not in fails]
    _township_and_county(w, registered, township, county_short, _DAYS_2014,
                         f"{county_short}扶贫〔2014〕15号", through="register")


def _township_and_county(w: _Writer, ids: list[str], township: str, county_short: str,
                         days: dict[str, date], ref: str, through: str) -> None:
    """乡镇审核 → 第二次公示 → 县审定 → 公告 (→ 建档立卡) for households that all go on."""
    if not ids:
        return
    w.step(ids, "township_review", days["township_review"],
           facts={"reviewer": "乡镇扶贫工作站"})
    notice = w.open_notice("second", township, days["second_notice"], ids,
                           closed_on=days["second_notice_end"])
    w.close_notice(notice, days["second_notice_end"])
    for key in ("county_decide", "announce", "register"):
        if PATH.index(key) > PATH.index(through):
            break
        facts: dict[str, Any] = ({"issued_on": days[key]} if key == "register"
                                 else {"文号": ref})
        w.step(ids, key, days[key], facts=facts)


def _current_round(w: _Writer, households: list[dict[str, Any]], township: str,
                   county_short: str, today: date, rng: random.Random) -> None:
    if not households:
        return
    days = {k: today - timedelta(days=n) for k, n in _DAYS_BEFORE.items()}
    reach = {h["id"]: STEPS_TO[h["stage"]] for h in households}
    for h in households:
        w.step([h["id"]], "apply", days["apply"] - timedelta(days=rng.randint(0, 5)),
               facts={"how": "本人申请" if rng.random() < .85 else "村民小组推荐"})
    on_first = [h for h in households if reach[h["id"]] >= 4]
    due_village = min((h["village_code"] for h in on_first if reach[h["id"]] == 4),
                      default=None)
    for village, ids in _by_village(households).items():
        ids = [hid for hid in ids if reach[hid] >= 2]
        w.step(ids, "evaluate", days["evaluate"], facts=_meeting(rng))
        ids = [hid for hid in ids if reach[hid] >= 3]
        w.step(ids, "verify", days["verify"],
               facts={"checkers": "村两委、驻村工作队", "findings": "情况属实"})
        passed = [hid for hid in ids if reach[hid] >= 5]
        if passed:
            notice = w.open_notice("first", village, days["first_notice"], passed,
                                   closed_on=days["first_notice_end"])
            w.close_notice(notice, days["first_notice_end"])
        waiting = [hid for hid in ids if reach[hid] == 4]
        if waiting:
            before = DUE_NOTICE_BEFORE if village == due_village else OPEN_FIRST_BEFORE
            w.open_notice("first", village, today - timedelta(days=before), waiting)
    at_least = [h["id"] for h in households if reach[h["id"]] >= 6]
    w.step(at_least, "township_review", days["township_review"],
           facts={"reviewer": "乡镇扶贫工作站"})
    on_second = [hid for hid in at_least if reach[hid] == 7]
    if on_second:
        w.open_notice("second", township, today - timedelta(days=OPEN_SECOND_BEFORE),
                      on_second)
    gone_on = [hid for hid in at_least if reach[hid] >= 8]
    if gone_on:
        notice = w.open_notice("second", township, days["second_notice"], gone_on,
                               closed_on=days["second_notice_end"])
        w.close_notice(notice, days["second_notice_end"])
    ref = f"{county_short}扶贫〔{days['county_decide'].year}〕8号"
    w.step([hid for hid in gone_on if reach[hid] >= 9], "county_decide",
           days["county_decide"], facts={"文号": ref})
    w.step([hid for hid in gone_on if reach[hid] >= 10], "announce", days["announce"],
           facts={"文号": ref})


def number_notices(rows: StepRows, taken: dict[int, int]) -> None:
    """Numbers the notices as the station would (2026-001…, per year in the order they were
    opened, after those `taken` already), then writes the events' facts as JSON."""
    counters = dict(taken)
    for n in sorted(rows.notices, key=lambda n: (n["start_date"], n["kind"],
                                                n["region_code"])):
        year = n["start_date"].year
        counters[year] = counters.get(year, 0) + 1
        n["number"] = f"{year}-{counters[year]:03d}"
    dumped: dict[int, str] = {}
    for e in rows.events:
        facts = e["facts"]
        if facts is None or isinstance(facts, str):
            continue
        text = dumped.get(id(facts))
        if text is None:
            plain = {k: (v["number"] if isinstance(v, dict) else v) for k, v in facts.items()}
            text = json.dumps(plain, ensure_ascii=False, sort_keys=True, default=str)
            dumped[id(facts)] = text
        e["facts"] = text
    for n in rows.notices:
        n.pop("_entries", None)
