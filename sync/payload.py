"""The decrypted payload of a bundle, {"tables": {name: {"columns": [...], "rows": [...]}},
"audit": {...}}, checked in two steps around the schema upgrade (sync/formats/upgrade.py):
what arrived is what the manifest says was sent (before), and every table is one this
program takes, with this store's columns (after)."""

from __future__ import annotations

from typing import Any

from sync import wire
from sync.errors import SyncError
from sync.names import AUDIT, TABLE_NAMES, table_label


def record_counts(payload: dict[str, Any]) -> dict[str, int]:
    """Rows per table (and audit entries), tables without rows left out."""
    tables = payload.get("tables")
    if not isinstance(tables, dict):
        raise SyncError("数据包内容格式不对,已拒绝")
    sections = [(n, t) for n, t in tables.items() if isinstance(t, dict)]
    if "audit" in payload:
        sections.append((AUDIT, payload.get("audit") or {}))
    found: dict[str, int] = {}
    for name, section in sections:
        rows = section.get("rows", []) if isinstance(section, dict) else None
        if not isinstance(rows, list):
            known = table_label(name) if name in TABLE_NAMES else "未知的表"
            raise SyncError(f"数据包中“{known}”的记录格式不对,已拒绝")
        if rows:
            found[name] = len(rows)
    return found


def check_sent(manifest: dict[str, Any], payload: dict[str, Any]) -> None:
    """The payload holds as many records per table as the signed manifest says."""
    expected = {k: v for k, v in manifest["counts"].items() if v}
    if record_counts(payload) != expected:
        raise SyncError("数据包中的记录数与清单不符,已拒绝")


def check_tables(payload: dict[str, Any], names: tuple[str, ...]) -> None:
    tables = payload.get("tables")
    if not isinstance(tables, dict) or set(tables) - set(names):
        raise SyncError("数据包含有本程序不认识的表,已拒绝")


def table_rows(name: str, section: Any) -> list[list[Any]]:
    """The rows of one payload table, reordered to this store's columns."""
    if section is None:
        return []
    cols = wire.columns(name)
    sent = section.get("columns") if isinstance(section, dict) else None
    if not (isinstance(sent, list) and all(type(c) is str for c in sent)
            and sorted(sent) == sorted(cols)):
        raise SyncError(f"数据包中“{table_label(name)}”的结构与本程序不一致,"
                        "请两边使用同一版本程序")
    rows = section.get("rows")
    width = len(cols)
    if not isinstance(rows, list) or rows and not (
            set(map(type, rows)) == {list} and set(map(len, rows)) == {width}):
        raise SyncError(f"数据包中“{table_label(name)}”的记录格式不对,已拒绝")
    if section["columns"] == cols:  # the usual case: the same schema on both sides
        return rows
    order = [section["columns"].index(c) for c in cols]
    return [[r[i] for i in order] for r in rows]


def check_buckets(expected: dict[str, int], counts: dict[str, dict[str, int]]) -> None:
    """Every record in exactly one bucket: the buckets of each table add up."""
    for name in set(expected) | set(counts):
        if sum(counts.get(name, {}).values()) != expected.get(name, 0):
            raise SyncError(f"“{table_label(name)}”的分类计数与清单不符,导入已取消")
