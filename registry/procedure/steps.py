"""The steps of 精准识别 (两公示一公告), declared once: who may record each, from which stage,
and where each result leaves the household. A household's stage is the stage its last
recorded step left it at (`ProcedureEvent.stage`); the household row keeps a copy so that
lists filter and sort in SQL.

Results: pass (通过), return (退回: back to an earlier step, with a reason), reject (未通过,
with a reason). A household that did not pass may apply again (a new round; its history
stays)."""

from __future__ import annotations

from dataclasses import dataclass, field

from forms import codelists as cl
from registry.roles import Act

PASS, RETURN, REJECT = "pass", "return", "reject"
RESULT_NAMES = {PASS: "通过", RETURN: "退回", REJECT: "未通过"}

NEW = ""  # the stage of a household with no step yet (none after schema 3's 补录)
APPLIED, EVALUATED, VERIFIED = "10", "20", "25"
ON_FIRST_NOTICE, FIRST_NOTICE_DONE, TOWNSHIP_PASSED = "30", "35", "40"
ON_SECOND_NOTICE, AT_COUNTY, APPROVED, ANNOUNCED, REGISTERED, FAILED = (
    "50", "60", "65", "70", "80", "90")
# 脱贫退出 (schema 4): from 建档立卡 to 销号, and back by 返贫 (registry/procedure/exits.py
# checks the proposal and sets 脱贫状态 on 销号 and 返贫).
EXIT_PROPOSED, EXIT_EVALUATED, EXIT_AGREED, ON_EXIT_NOTICE, EXIT_NOTICE_DONE = (
    "82", "83", "84", "85", "86")
EXIT_AT_COUNTY, EXIT_APPROVED, EXIT_ANNOUNCED, EXITED = "87", "88", "89", "95"
EXIT_STAGES = frozenset({EXIT_PROPOSED, EXIT_EVALUATED, EXIT_AGREED, ON_EXIT_NOTICE,
                         EXIT_NOTICE_DONE, EXIT_AT_COUNTY, EXIT_APPROVED, EXIT_ANNOUNCED})


@dataclass(frozen=True)
class Step:
    key: str
    name: str  # Chinese, as clerks say it
    act: Act | None  # None: recorded by the program itself (the county's, applied)
    after: frozenset[str]  # the stages a household must be at
    leads_to: dict[str, str]  # result → stage
    aliases: tuple[str, ...] = ()
    by_hand: bool = True  # recorded with `procedure record`; False: through its screen
    county: bool = False  # recorded at the county (the station mirrors what it sends)
    facts: tuple[str, ...] = field(default=())  # what the step records besides the result
    required_facts: tuple[str, ...] = field(default=())  # refused without them (返贫's 证明)
    sets_status: str | None = None  # 脱贫状态 a passed step gives the household (schema 4)
    track: str = "identify"  # identify | exit: the county's queues and notices per track


def _step(key: str, name: str, act: Act | None, after: set[str], leads_to: dict[str, str],
          **kw: object) -> Step:
    return Step(key, name, act, frozenset(after), leads_to, **kw)  # type: ignore[arg-type]


STEPS: dict[str, Step] = {s.key: s for s in (
    _step("apply", "农户申请", Act.APPLY, {NEW, FAILED}, {PASS: APPLIED},
          by_hand=False, facts=("applicant", "how")),
    _step("evaluate", "民主评议", Act.VILLAGE_STEPS, {APPLIED},
          {PASS: EVALUATED, REJECT: FAILED},
          facts=("participants", "votes_for", "votes_against", "votes_abstain")),
    _step("verify", "入户核实", Act.VILLAGE_STEPS, {EVALUATED},
          {PASS: VERIFIED, RETURN: APPLIED, REJECT: FAILED}, facts=("checkers", "findings")),
    _step("first_notice", "第一次公示", Act.VILLAGE_STEPS, {VERIFIED},
          {PASS: ON_FIRST_NOTICE}, by_hand=False),
    _step("first_notice_end", "第一次公示期满", Act.VILLAGE_STEPS, {ON_FIRST_NOTICE},
          {PASS: FIRST_NOTICE_DONE, RETURN: APPLIED, REJECT: FAILED}, by_hand=False),
    _step("township_review", "乡镇审核", Act.TOWNSHIP_STEPS, {FIRST_NOTICE_DONE},
          {PASS: TOWNSHIP_PASSED, RETURN: APPLIED, REJECT: FAILED},
          aliases=("township-review",), facts=("reviewer",)),
    _step("second_notice", "第二次公示", Act.TOWNSHIP_STEPS, {TOWNSHIP_PASSED},
          {PASS: ON_SECOND_NOTICE}, by_hand=False),
    _step("second_notice_end", "第二次公示期满", Act.TOWNSHIP_STEPS, {ON_SECOND_NOTICE},
          {PASS: AT_COUNTY, RETURN: APPLIED, REJECT: FAILED}, by_hand=False),
    _step("county_sample", "县抽查", None, {AT_COUNTY}, {PASS: AT_COUNTY, RETURN: AT_COUNTY},
          by_hand=False, county=True),
    _step("county_decide", "县审定", None, {AT_COUNTY},
          {PASS: APPROVED, RETURN: FIRST_NOTICE_DONE}, by_hand=False, county=True),
    _step("announce", "公告", None, {APPROVED}, {PASS: ANNOUNCED}, by_hand=False,
          county=True),
    _step("register", "建档立卡", Act.TOWNSHIP_STEPS, {ANNOUNCED}, {PASS: REGISTERED},
          aliases=("对象确认",), facts=("issued_on",)),
    # 脱贫退出: the proposal is refused unless the year's income is above the line and every
    # checklist item is met (exits.check_proposal); a return leaves the household 建档立卡.
    _step("exit_propose", "拟退出", Act.VILLAGE_STEPS, {REGISTERED}, {PASS: EXIT_PROPOSED},
          aliases=("exit-propose", "脱贫申报"), facts=("year",), track="exit"),
    _step("exit_evaluate", "退出民主评议", Act.VILLAGE_STEPS, {EXIT_PROPOSED},
          {PASS: EXIT_EVALUATED, RETURN: REGISTERED}, aliases=("exit-evaluate",),
          facts=("participants", "votes_for", "votes_against", "votes_abstain"), track="exit"),
    _step("exit_agree", "贫困户认可", Act.VILLAGE_STEPS, {EXIT_EVALUATED},
          {PASS: EXIT_AGREED, RETURN: REGISTERED}, aliases=("exit-agree", "户认可"),
          facts=("signed_by",), track="exit"),
    _step("exit_notice", "退出公示", Act.VILLAGE_STEPS, {EXIT_AGREED}, {PASS: ON_EXIT_NOTICE},
          by_hand=False, track="exit"),
    _step("exit_notice_end", "退出公示期满", Act.VILLAGE_STEPS, {ON_EXIT_NOTICE},
          {PASS: EXIT_NOTICE_DONE, RETURN: REGISTERED}, by_hand=False, track="exit"),
    _step("exit_township_review", "乡镇审核退出", Act.TOWNSHIP_STEPS, {EXIT_NOTICE_DONE},
          {PASS: EXIT_AT_COUNTY, RETURN: REGISTERED}, aliases=("exit-township-review",),
          facts=("reviewer",), track="exit"),
    _step("exit_sample", "县抽查退出", None, {EXIT_AT_COUNTY},
          {PASS: EXIT_AT_COUNTY, RETURN: EXIT_AT_COUNTY}, by_hand=False, county=True,
          track="exit"),
    _step("exit_decide", "县审定退出", None, {EXIT_AT_COUNTY},
          {PASS: EXIT_APPROVED, RETURN: EXIT_NOTICE_DONE}, by_hand=False, county=True,
          track="exit"),
    _step("exit_announce", "退出公告", None, {EXIT_APPROVED}, {PASS: EXIT_ANNOUNCED},
          by_hand=False, county=True, track="exit"),
    _step("exit_close", "销号", Act.TOWNSHIP_STEPS, {EXIT_ANNOUNCED}, {PASS: EXITED},
          aliases=("exit-close", "脱贫销号"), facts=("year",), sets_status="2", track="exit"),
    _step("relapse", "返贫", Act.VILLAGE_STEPS, {EXITED}, {PASS: REGISTERED},
          facts=("year", "evidence"), required_facts=("evidence",), sets_status="3",
          track="exit"),
)}

# What a household at each stage waits for: the step a refusal names as missing.
NEXT_STEP = {
    NEW: "apply", APPLIED: "evaluate", EVALUATED: "verify", VERIFIED: "first_notice",
    ON_FIRST_NOTICE: "first_notice_end", FIRST_NOTICE_DONE: "township_review",
    TOWNSHIP_PASSED: "second_notice", ON_SECOND_NOTICE: "second_notice_end",
    AT_COUNTY: "county_decide", APPROVED: "announce", ANNOUNCED: "register",
    FAILED: "apply", REGISTERED: "exit_propose",
    EXIT_PROPOSED: "exit_evaluate", EXIT_EVALUATED: "exit_agree", EXIT_AGREED: "exit_notice",
    ON_EXIT_NOTICE: "exit_notice_end", EXIT_NOTICE_DONE: "exit_township_review",
    EXIT_AT_COUNTY: "exit_decide", EXIT_APPROVED: "exit_announce",
    EXIT_ANNOUNCED: "exit_close", EXITED: "relapse",
}


def stage_name(stage: str | None) -> str:
    return cl.STAGE.label_of(stage) if stage else "未申请"


def find_step(text: str) -> Step | None:
    """A step by key, alias or Chinese name (the command line takes all three)."""
    for s in STEPS.values():
        if text in (s.key, s.name, *s.aliases):
            return s
    return None
