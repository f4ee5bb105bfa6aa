"""What sync things are called on screen: the tables of a bundle and the outcome of an
imported file."""

from __future__ import annotations

from sync.receive import APPLIED, REFUSED, REPLAY, WAITING

# What the tables of a bundle are called on screen.
TABLE_NAMES = {
    "village_group": "村民小组", "household": "贫困户", "member": "家庭成员",
    "helper": "帮扶责任人", "aid_plan": "帮扶计划", "procedure_event": "识别程序记录",
    "audit": "操作日志", "sync_receipt": "县级回执", "sync_duplicate": "重复登记核查",
    "sync_decision": "县级决定", "sync_key_event": "密钥变更", "poverty_line": "贫困线标准",
}
STATUS_NAMES = {APPLIED: "已导入", REPLAY: "已导入过", WAITING: "等待缺失包", REFUSED: "已拒绝"}


def table_name(name: str) -> str:
    return TABLE_NAMES.get(name, name)
