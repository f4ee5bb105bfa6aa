"""The names of the sync, defined once: import outcomes, merge buckets and the tables that
travel in bundles, each a stable key with its Chinese label.

The keys are part of the wire format and of stored receipts (`sync_receipt.counts`) and
`--json` output, so they never change; the labels are what screens and the CLI show and may
be reworded freely. Table keys are the store's table names (tests/sync/test_names.py checks
they still exist), written out here rather than read from the models so that moving or
renaming a model class cannot change the wire format unnoticed."""

from __future__ import annotations

from collections.abc import Mapping

# ---- import outcomes (sync.receive.ImportResult.status) -----------------------------------
APPLIED, REPLAY, WAITING, REFUSED = "applied", "replay", "waiting", "refused"
OUTCOME_NAMES = {APPLIED: "已导入", REPLAY: "已导入过", WAITING: "等待缺失包",
                 REFUSED: "已拒绝"}

# ---- merge buckets: every incoming record lands in exactly one --------------------------
BUCKETS = ("inserted", "updated", "unchanged", "possible_duplicate", "conflict", "quarantined")
BUCKET_NAMES = {"inserted": "新增", "updated": "更新", "unchanged": "未变",
                "possible_duplicate": "疑似重复", "conflict": "冲突", "quarantined": "隔离"}

# ---- tables on the wire ---------------------------------------------------------------
VILLAGE_GROUP = "village_group"
HOUSEHOLD = "household"
MEMBER = "member"
HELPER = "helper"
AID_PLAN = "aid_plan"
PROCEDURE_EVENT = "procedure_event"
NOTICE = "notice"
NOTICE_ENTRY = "notice_entry"
OBJECTION = "notice_objection"
AUDIT = "audit"  # also the payload's section for the station's audit entries
RECEIPT = "sync_receipt"
DUPLICATE = "sync_duplicate"
DECISION = "sync_decision"
KEY_EVENT = "sync_key_event"
QUOTA = "sync_quota"
POVERTY_LINE = "poverty_line"
# Schema 4 (精准扶持 and 动态管理).
HOUSEHOLD_INCOME = "household_income"
TEAM_MEMBER = "team_member"
VILLAGE_PLAN = "village_plan"
YEARLY_REVIEW = "yearly_review"
# Schema 5 (贫困村).
VILLAGE_FACTS = "village_facts"
POOR_VILLAGE = "poor_village"
VILLAGE_EVENT = "village_event"

# What a station sends, parents before children (foreign keys are on: a notice before its
# entries and objections, a household before them too), then its audit entries. Regions
# are not sent: both sides load the official table.
STATION_TABLES = (VILLAGE_GROUP, HOUSEHOLD, MEMBER, HELPER, AID_PLAN, HOUSEHOLD_INCOME,
                  YEARLY_REVIEW, TEAM_MEMBER, VILLAGE_PLAN, PROCEDURE_EVENT, NOTICE,
                  NOTICE_ENTRY, OBJECTION, VILLAGE_FACTS, POOR_VILLAGE, VILLAGE_EVENT)
# County-owned rows a return bundle carries for one station (its own township's quota
# only), then county configuration.
RETURN_TABLES = (RECEIPT, DUPLICATE, DECISION, KEY_EVENT, QUOTA)
RETURN_PAYLOAD_TABLES = (*RETURN_TABLES, POVERTY_LINE)

TABLE_NAMES = {
    VILLAGE_GROUP: "村民小组",
    HOUSEHOLD: "农户",  # every registered household, not only those identified as poor
    MEMBER: "家庭成员",
    HELPER: "帮扶责任人",
    AID_PLAN: "帮扶计划",
    PROCEDURE_EVENT: "程序记录",  # steps of 两公示一公告, and of exits
    NOTICE: "公示",  # the first (village) and second (township) notices
    NOTICE_ENTRY: "公示名单",  # the households listed on a notice
    OBJECTION: "公示异议",
    AUDIT: "审计记录",
    RECEIPT: "回执",
    DUPLICATE: "疑似重复登记",  # flags for review and the county's rulings
    DECISION: "县级决定",
    KEY_EVENT: "密钥变更",
    QUOTA: "规模控制",
    POVERTY_LINE: "扶贫标准",
    HOUSEHOLD_INCOME: "年度收入",
    TEAM_MEMBER: "驻村工作队",
    VILLAGE_PLAN: "村帮扶规划",
    YEARLY_REVIEW: "年度动态调整",
    VILLAGE_FACTS: "贫困村基本情况",
    POOR_VILLAGE: "贫困村",
    VILLAGE_EVENT: "贫困村程序记录",  # its identification and exit steps
}


def outcome_label(status: str) -> str:
    return OUTCOME_NAMES.get(status, status)


def table_label(name: str) -> str:
    return TABLE_NAMES.get(name, name)


def counts_text(counts: Mapping[str, Mapping[str, int]]) -> str:
    """Bucket counts per table in words, empty buckets left out:
    "农户:新增 3,更新 1;家庭成员:新增 10"."""
    parts = []
    for name, buckets in counts.items():
        done = ",".join(f"{BUCKET_NAMES.get(b, b)} {n}" for b, n in buckets.items() if n)
        if done:
            parts.append(f"{table_label(name)}:{done}")
    return ";".join(parts)
