"""The audit chain changed behind the program's back by an insider who holds the data key
(plain SQL on the station's own engine): each kind of change is found by `verify` at the
station or at the county's next import, except what no one can tell from a real change
(history not yet sent, rewritten consistently), which the last tests document.

A sync round ends with the return bundle imported at the station: its receipt carries the
chain head the county acknowledged, which the station's verify holds its chain to."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select, text

from cli.main import main
from registry import audit
from registry.audit import GENESIS
from registry.models import AuditEntry, Household
from registry.store import Store
from registry.sync_state import Quarantined, Receipt
from sync import export, receive, status, wire
from sync.chain_check import CHAIN_FINDING
from tests.sync.conftest import PASSWORD, TOWNSHIP, Pair

INCOME = 100_000_00  # 分: the wage income an insider writes in (10 万元)


# ---- what the program does -------------------------------------------------------------
def _households(store: Store, n: int = 3) -> list[str]:
    with store.session() as s:
        return list(s.execute(select(Household.id).order_by(Household.id).limit(n)).scalars())


def _edit(station: Store, household_id: str, phone: str) -> None:
    """A change through the program: the row and its audit entry in one transaction."""
    with station.transaction() as s:
        h = s.get(Household, household_id)
        assert h is not None
        h.phone = phone
        audit.record(s, "admin", "update", "household", h.id, after={"phone": phone})


def _edits(pair: Pair, n: int) -> None:
    for i, hid in enumerate(_households(pair.station, n)):
        _edit(pair.station, hid, f"1380000000{i}")


def _send(pair: Pair, full: bool = False) -> receive.ImportResult:
    sent = export.export_station(pair.station, pair.usb, full=full)
    [r] = receive.import_files(pair.county, [sent.path])
    assert r.status == "applied", r.message
    return r


def _acknowledge(pair: Pair) -> None:
    back = export.export_return(pair.county, TOWNSHIP, pair.usb)
    [r] = receive.import_files(pair.station, [back.path])
    assert r.status == "applied", r.message


def _sync(pair: Pair) -> receive.ImportResult:
    r = _send(pair)
    _acknowledge(pair)
    return r


def _entries(store: Store) -> list[AuditEntry]:
    with store.session() as s:
        rows = list(s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
        for e in rows:
            s.expunge(e)
    return rows


def _findings(county: Store) -> list[str]:
    with county.session() as s:
        return list(s.execute(select(Quarantined.reason).where(
            Quarantined.table_name == CHAIN_FINDING)).scalars())


def _held(county: Store, table: str) -> list[str]:
    with county.session() as s:
        return list(s.execute(select(Quarantined.record_id).where(
            Quarantined.table_name == table)).scalars())


# ---- what the insider does (SQL with the data key) -------------------------------------
def _sql(store: Store, sql: str, **params: Any) -> None:
    with store.engine.begin() as c:
        c.execute(text(sql), params)


def _rehash(store: Store, from_seq: int) -> None:
    """Hashes the chain again from `from_seq` on, as someone who read registry/audit.py
    would, so that every link and every hash is consistent again."""
    prev = GENESIS
    for e in _entries(store):
        if e.seq >= from_seq:
            e.prev_hash = prev
            e.hash = audit._digest(e)
            _sql(store, "UPDATE audit SET prev_hash = :p, hash = :h WHERE seq = :s",
                 p=e.prev_hash, h=e.hash, s=e.seq)
        prev = e.hash


def _next_rev(store: Store) -> int:
    _sql(store, "UPDATE counter SET value = value + 1 WHERE name = 'rev'")
    with store.engine.connect() as c:
        return int(c.execute(text("SELECT value FROM counter WHERE name = 'rev'")).scalar_one())


def _raise_income(store: Store, household_id: str) -> None:
    """The row changed with a fresh rev (so it is exported), and no audit entry."""
    _sql(store, "UPDATE household SET income_wage = :w, rev = :r WHERE id = :i",
         w=INCOME, r=_next_rev(store), i=household_id)


def _forge_entry(store: Store, household_id: str) -> None:
    """An entry appended at the end and chained, as the program would have written it."""
    last = _entries(store)[-1]
    e = AuditEntry(id=str(uuid.uuid4()), at=last.at, user="admin", action="update",
                   entity="household", entity_id=household_id, before=None,
                   after='{"income_wage": "100000.00"}', reason=None, prev_hash=last.hash)
    e.hash = audit._digest(e)
    _sql(store, "INSERT INTO audit (id, at, user, action, entity, entity_id, before, after, "
         "reason, prev_hash, hash) VALUES (:id, :at, :user, :action, :entity, :entity_id, "
         "NULL, :after, NULL, :prev_hash, :hash)", id=e.id, at=e.at.isoformat(sep=" "),
         user=e.user,
         action=e.action, entity=e.entity, entity_id=e.entity_id, after=e.after,
         prev_hash=e.prev_hash, hash=e.hash)


def _county_income(county: Store, household_id: str) -> Any:
    with county.session() as s:
        [row] = wire.select_rows(s, "household", "id = :i", {"i": household_id},
                                 ["income_wage"])
    return row[0]


# ---- found by verify at the station, once the county has acknowledged -----------------
def test_a_deleted_middle_entry_is_found_by_verify(pair: Pair) -> None:
    _edits(pair, 3)
    _sync(pair)
    middle = _entries(pair.station)[2].seq
    _sql(pair.station, "DELETE FROM audit WHERE seq = :s", s=middle)
    assert any("被改动或其前一条被删除" in p for p in pair.station.verify())


def test_an_unsent_entry_deleted_is_found_by_verify(pair: Pair) -> None:
    _sync(pair)
    _edits(pair, 3)
    unsent = _entries(pair.station)[-2].seq
    _sql(pair.station, "DELETE FROM audit WHERE seq = :s", s=unsent)
    assert any("被改动或其前一条被删除" in p for p in pair.station.verify())


def test_an_entry_edited_with_its_hash_left_is_found_by_verify(pair: Pair) -> None:
    _edits(pair, 3)
    _sync(pair)
    _sql(pair.station, "UPDATE audit SET reason = '无' WHERE seq = :s",
         s=_entries(pair.station)[1].seq)
    assert any("审计记录第" in p for p in pair.station.verify())


def test_the_last_entry_deleted_is_found_once_acknowledged(
        pair: Pair, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    _edits(pair, 3)
    _sync(pair)
    assert pair.station.verify() == []
    n = len(_entries(pair.station))
    _sql(pair.station, "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    found = f"县扶贫办已确认收到本站 {n} 条审计记录,本库只有 {n - 1} 条:已同步的审计记录被删除"
    assert pair.station.verify() == [found]
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    assert main(["verify", "--store", str(pair.station.path)]) == 1
    assert f"问题:{found}" in capsys.readouterr().out


def test_all_entries_deleted_are_found_by_verify_and_at_the_county(pair: Pair) -> None:
    _edits(pair, 2)
    _sync(pair)
    n = len(_entries(pair.station))
    _sql(pair.station, "DELETE FROM audit")
    assert pair.station.verify() == [
        f"县扶贫办已确认收到本站 {n} 条审计记录,本库只有 0 条:已同步的审计记录被删除"]
    r = _send(pair)
    assert f"县里已收到 {n} 条,乡镇现有 0 条" in r.message
    assert len(_findings(pair.county)) == 1


def test_a_synced_entry_rewritten_and_rehashed_is_found_by_verify(pair: Pair) -> None:
    _edits(pair, 3)
    _sync(pair)
    second = _entries(pair.station)[1].seq
    _sql(pair.station, "UPDATE audit SET user = '别人' WHERE seq = :s", s=second)
    _rehash(pair.station, second)
    [problem] = pair.station.verify()
    assert "与县扶贫办确认收到的不同" in problem


# ---- found at the county's next import, before any acknowledgement ---------------------
def test_the_last_entry_deleted_after_sending_is_found_at_the_county(pair: Pair) -> None:
    _edits(pair, 2)
    _send(pair)  # sent, not yet acknowledged: the station's verify cannot know
    _sql(pair.station, "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    assert pair.station.verify() == []
    r = _send(pair)
    assert "审计链比县里已收到的短" in r.message
    [finding] = _findings(pair.county)
    assert "已同步的审计记录在乡镇被删除" in finding
    # The receipt tells the station, and the county's status shows it.
    _acknowledge(pair)
    with pair.station.session() as s:
        last = s.execute(select(Receipt).order_by(Receipt.seq.desc()).limit(1)).scalar_one()
    assert "审计链比县里已收到的短" in last.message
    [peer] = status.status(pair.county)
    assert peer.chain_findings == 1 and "被删除" in peer.last_finding


def test_a_synced_entry_rewritten_is_found_at_the_county(pair: Pair) -> None:
    _edits(pair, 3)
    _send(pair)
    second = _entries(pair.station)[1].seq
    _sql(pair.station, "UPDATE audit SET after = '{}' WHERE seq = :s", s=second)
    _rehash(pair.station, second)
    hid = _households(pair.station, 1)[0]
    _edit(pair.station, hid, "13900000000")  # a real change after the rewrite
    r = _send(pair)
    assert "审计链与县里已收到的不一致" in r.message
    # The new entry does not continue the county's copy, so the change it records is
    # not taken either: the county keeps what it can account for.
    assert r.counts["audit"]["quarantined"] == 1
    assert r.counts["household"]["quarantined"] == 1
    with pair.county.session() as s:
        h = s.get(Household, hid)
        assert h is not None and h.phone != "13900000000"


def test_a_full_bundle_cannot_replace_synced_entries(pair: Pair) -> None:
    _edits(pair, 3)
    _sync(pair)
    second = _entries(pair.station)[1].seq
    _sql(pair.station, "UPDATE audit SET reason = '改写' WHERE seq = :s", s=second)
    _rehash(pair.station, second)
    r = _send(pair, full=True)  # every entry again: the rewritten ones do not replace
    assert r.counts["audit"]["quarantined"] >= 1
    assert any("已同步的审计记录在乡镇被改写" in f for f in _findings(pair.county))
    with pair.county.session() as s:
        reasons = list(s.execute(text(
            "SELECT reason FROM sync_station_audit WHERE reason = '改写'")).scalars())
    assert reasons == []


# ---- rows changed in SQL, without their audit entry: quarantined at the county --------
def test_a_row_changed_in_sql_is_quarantined_at_the_county(pair: Pair) -> None:
    _sync(pair)
    hid = _households(pair.station, 1)[0]
    before = _county_income(pair.county, hid)
    _raise_income(pair.station, hid)
    assert pair.station.verify() == []  # the station cannot tell: no entry was touched
    r = _send(pair)
    assert r.counts["household"]["quarantined"] == 1
    assert r.counts["household"]["updated"] == 0
    assert _county_income(pair.county, hid) == before
    assert _held(pair.county, "household") == [hid]
    [peer] = status.status(pair.county)
    assert peer.held == 1


def test_a_row_inserted_in_sql_is_quarantined_at_the_county(pair: Pair) -> None:
    _sync(pair)
    cols = wire.columns("household")
    with pair.station.session() as s:
        [row] = wire.select_rows(s, "household", "id = :i",
                                 {"i": _households(pair.station, 1)[0]})
    fake = dict(zip(cols, row, strict=True))
    fake.update(id=str(uuid.uuid4()), rev=_next_rev(pair.station), income_wage=INCOME)
    _sql(pair.station, f"INSERT INTO household ({', '.join(cols)}) "
         f"VALUES ({', '.join(':' + c for c in cols)})", **fake)
    r = _send(pair)
    assert r.counts["household"]["quarantined"] == 1
    assert r.counts["household"]["inserted"] == 0
    with pair.county.session() as s:
        assert s.get(Household, fake["id"]) is None


def test_deleting_the_unsent_entry_of_a_change_leaves_the_change_unaccounted(
        pair: Pair) -> None:
    """The last entry deleted before it was sent: no chain can show it, but the change it
    recorded arrives without it and is quarantined."""
    _sync(pair)
    hid = _households(pair.station, 1)[0]
    _edit(pair.station, hid, "13700000000")
    _sql(pair.station, "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    assert pair.station.verify() == []
    r = _send(pair)
    assert r.counts["household"]["quarantined"] == 1
    assert _findings(pair.county) == []


# ---- by design not found: history not yet sent, rewritten consistently -----------------
def test_an_unsent_entry_edited_and_rehashed_is_not_found(pair: Pair) -> None:
    """Whoever holds the data key can rewrite what has not been sent yet, consistently:
    no check at the station or at the county can tell it from what the program wrote
    (README, "What an insider can still do"). Once the county holds it, it is fixed."""
    _sync(pair)
    _edits(pair, 2)
    last = _entries(pair.station)[-1].seq
    _sql(pair.station, "UPDATE audit SET user = '别人' WHERE seq = :s", s=last)
    _rehash(pair.station, last)
    assert pair.station.verify() == []
    r = _sync(pair)
    assert "审计链" not in r.message and _findings(pair.county) == []
    # Now acknowledged: the same rewrite again is found.
    _sql(pair.station, "UPDATE audit SET user = '又一人' WHERE seq = :s", s=last)
    _rehash(pair.station, last)
    assert any("与县扶贫办确认收到的不同" in p for p in pair.station.verify())


def test_a_forged_entry_appended_and_chained_is_not_found(pair: Pair) -> None:
    """A forged entry at the end of the chain, with a matching change to the row, is the
    same as a real change made through the program: accepted (README says so)."""
    _sync(pair)
    hid = _households(pair.station, 1)[0]
    _raise_income(pair.station, hid)
    _forge_entry(pair.station, hid)
    assert pair.station.verify() == []
    r = _sync(pair)
    assert r.counts["household"]["updated"] == 1 and _findings(pair.county) == []
    assert _county_income(pair.county, hid) == INCOME
    assert pair.station.verify() == []


# ---- the receipt carries the acknowledged head -------------------------------------------
def test_the_receipt_acknowledges_the_stations_chain(pair: Pair) -> None:
    _edits(pair, 2)
    _sync(pair)
    entries = _entries(pair.station)
    with pair.station.session() as s:
        [receipt] = s.execute(select(Receipt)).scalars()
    assert (receipt.audit_head, receipt.audit_length) == (entries[-1].hash, len(entries))
    assert pair.station.verify() == []


def test_a_row_changed_without_a_new_rev_is_held_by_a_full_export(pair: Pair) -> None:
    """Changed in SQL with its rev left: never sent by an ordinary export (the county keeps
    what it was given); a full export sends it, and it is quarantined."""
    _sync(pair)
    hid = _households(pair.station, 1)[0]
    before = _county_income(pair.county, hid)
    _sql(pair.station, "UPDATE household SET income_wage = :w WHERE id = :i", w=INCOME, i=hid)
    r = _send(pair)
    assert "household" not in r.counts or sum(r.counts["household"].values()) == 0
    r = _send(pair, full=True)
    assert r.counts["household"]["quarantined"] == 1 and r.counts["household"]["updated"] == 0
    assert _county_income(pair.county, hid) == before
