"""The station's audit chain against the county's copy of it, at every import.

Since schema 2 a station bundle's manifest states the station's whole chain: the hash of
its last entry (`audit_head`) and its number of entries (`audit_length`). The county holds
every entry it accepted (sync_station_audit) and counts them (sync_inbox.audit_length), so
after merging a bundle both must agree. They do not when entries the county already holds
were deleted at the station (the chain is shorter), or rewritten and hashed again (another
head), or when this bundle's own entries did not continue the county's copy (quarantined by
the merge). The finding is kept in sync_quarantine under the table name CHAIN_FINDING and
told back to the station in the receipt; the bundle's rows are still merged, each on its
own merits (sync/audit_cover.py). Bundles of schema 1 state no chain: they are taken as
before."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from registry.models import utcnow
from registry.sync_state import Inbox, Quarantined
from sync.errors import SyncError
from sync.names import AUDIT

CHAIN_FINDING = "audit_chain"  # sync_quarantine.table_name of a finding (not a table)
CHAIN_LABEL = "审计链"
FIRST_STATED = 2  # the schema whose station bundles state their chain


def stated_head(manifest: dict[str, Any]) -> tuple[str, int] | None:
    """The station's chain head and length as the manifest states them; None for a bundle
    of schema 1. A later bundle without them, or with values of the wrong kind, is refused:
    a sender leaving them out must not escape the check."""
    head, length = manifest.get("audit_head"), manifest.get("audit_length")
    schema = manifest.get("schema_version")
    if head is None and length is None and type(schema) is int and schema < FIRST_STATED:
        return None
    if not (isinstance(head, str) and len(head) == 64
            and all(c in "0123456789abcdef" for c in head)
            and type(length) is int and length >= 0):
        raise SyncError("数据包清单中的审计链信息(audit_head、audit_length)缺失或无效,已拒绝")
    return head, length


def compare(s: Session, inbox: Inbox, manifest: dict[str, Any], seq: int,
            accepted: int) -> list[str]:
    """Counts the `accepted` new entries into the county's copy, then holds it against what
    the manifest states; returns the finding for the user (empty when they agree)."""
    inbox.audit_length += accepted
    stated = stated_head(manifest)
    if stated is None or stated == (inbox.audit_hash, inbox.audit_length):
        return []
    head, length = stated
    held = inbox.audit_length
    if length < held:
        reason = (f"乡镇的审计链比县里已收到的短(县里已收到 {held} 条,乡镇现有 {length} 条):"
                  "已同步的审计记录在乡镇被删除,请核查")
    else:
        reason = (f"乡镇的审计链与县里已收到的不一致(县里 {held} 条,乡镇 {length} 条,"
                  "末条不同):已同步的审计记录在乡镇被改写,或本包的审计记录未能接续,请核查")
    s.add(Quarantined(
        station_code=inbox.peer_code, seq=seq, table_name=CHAIN_FINDING, record_id="",
        bucket="quarantined", reason=reason, at=utcnow(),
        data=json.dumps({"county_head": inbox.audit_hash, "county_length": held,
                         "station_head": head, "station_length": length})))
    return [reason]


def accepted_entries(counts: dict[str, dict[str, int]]) -> int:
    """The station's entries the merge added to the county's copy."""
    return counts.get(AUDIT, {}).get("inserted", 0)
