"""The steps of a 贫困村's identification and exit, declared once: who records each, from
which stage, where each result leaves the village. A village's stage is where its last
recorded step left it (`VillageEvent.stage`), copied onto its poor_village row.

Identification: 申请 → 乡镇审核 → 乡镇公示 → 乡镇公示期满 → 县审定 → 公告 (贫困村).
Exit: 申请退出 (refused unless the exit checklist is met, registry/poor_villages/exits.py)
→ 退出公示 → 退出公示期满 → 县审定退出 → 退出公告 (已退出). 县审定 and 公告 are the
county's: decided there, they travel back in the return bundle and are recorded here."""

from __future__ import annotations

from dataclasses import dataclass

from forms.village import VILLAGE_STAGE
from registry.procedure.steps import PASS, REJECT, RETURN
from registry.roles import Act

NEW = ""
APPLIED, REVIEWED, ON_NOTICE, AT_COUNTY, APPROVED, POOR, FAILED = (
    "10", "20", "30", "40", "50", "70", "90")
EXIT_PROPOSED, ON_EXIT_NOTICE, EXIT_AT_COUNTY, EXIT_APPROVED, EXITED = (
    "75", "80", "85", "87", "95")
NOT_POOR, IS_POOR, HAS_EXITED = "0", "1", "2"  # poor_village.poverty_status
DEFAULT_NOTICE_DAYS, MAX_NOTICE_DAYS = 7, 60


@dataclass(frozen=True)
class VillageStep:
    key: str
    name: str
    act: Act | None  # None: the county's, applied at the station from its decision
    after: frozenset[str]
    leads_to: dict[str, str]
    aliases: tuple[str, ...] = ()
    county: bool = False
    sets_status: str | None = None  # poor_village.poverty_status on a passed step
    track: str = "identify"


def _s(key: str, name: str, act: Act | None, after: set[str], leads_to: dict[str, str],
       county: bool = False, sets_status: str | None = None, track: str = "identify"
       ) -> VillageStep:
    return VillageStep(key, name, act, frozenset(after), leads_to,
                       (key.replace("_", "-"),), county, sets_status, track)


STEPS: dict[str, VillageStep] = {s.key: s for s in (
    _s("apply", "申请", Act.VILLAGE_STEPS, {NEW, FAILED}, {PASS: APPLIED}),
    _s("township_review", "乡镇审核", Act.TOWNSHIP_STEPS, {APPLIED},
       {PASS: REVIEWED, RETURN: APPLIED, REJECT: FAILED}),
    _s("notice", "乡镇公示", Act.TOWNSHIP_STEPS, {REVIEWED}, {PASS: ON_NOTICE}),
    _s("notice_end", "乡镇公示期满", Act.TOWNSHIP_STEPS, {ON_NOTICE},
       {PASS: AT_COUNTY, RETURN: APPLIED, REJECT: FAILED}),
    _s("county_decide", "县审定", None, {AT_COUNTY}, {PASS: APPROVED, RETURN: REVIEWED},
       county=True),
    _s("announce", "公告", None, {APPROVED}, {PASS: POOR}, county=True, sets_status=IS_POOR),
    _s("exit_propose", "申请退出", Act.TOWNSHIP_STEPS, {POOR}, {PASS: EXIT_PROPOSED},
       track="exit"),
    _s("exit_notice", "退出公示", Act.TOWNSHIP_STEPS, {EXIT_PROPOSED}, {PASS: ON_EXIT_NOTICE},
       track="exit"),
    _s("exit_notice_end", "退出公示期满", Act.TOWNSHIP_STEPS, {ON_EXIT_NOTICE},
       {PASS: EXIT_AT_COUNTY, RETURN: POOR}, track="exit"),
    _s("exit_decide", "县审定退出", None, {EXIT_AT_COUNTY}, {PASS: EXIT_APPROVED, RETURN: POOR},
       county=True, track="exit"),
    _s("exit_announce", "退出公告", None, {EXIT_APPROVED}, {PASS: EXITED}, county=True,
       sets_status=HAS_EXITED, track="exit"),
)}
NEXT_STEP = {NEW: "apply", FAILED: "apply", APPLIED: "township_review", REVIEWED: "notice",
             ON_NOTICE: "notice_end", AT_COUNTY: "county_decide", APPROVED: "announce",
             POOR: "exit_propose", EXIT_PROPOSED: "exit_notice",
             ON_EXIT_NOTICE: "exit_notice_end", EXIT_AT_COUNTY: "exit_decide",
             EXIT_APPROVED: "exit_announce"}
NOTICES = {"notice": "notice_end", "exit_notice": "exit_notice_end"}  # start → its end


def stage_name(stage: str | None) -> str:
    return VILLAGE_STAGE.label_of(stage) if stage else "未申请"


def find_step(text: str) -> VillageStep | None:
    """A step by key, alias or Chinese name."""
    text = text.strip()
    return next((s for s in STEPS.values() if text in (s.key, s.name, *s.aliases)), None)
