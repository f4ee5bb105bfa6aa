"""The county imports a station bundle as its payload is read, a section and a batch of
rows at a time (sync/receive.py's _receive_streamed, StationMerge.apply_sections), with
the search index written once per batch (registry/search_index.deferred): the same
records, buckets, messages and index as reading the payload whole, which is what decides
everything but a bundle applied."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from registry import audit, search_index
from registry.households import delete_household
from registry.models import Household, Member
from registry.store import Store
from sync import export, receive, wire
from sync.formats import sections, v1
from sync.names import STATION_TABLES
from tests import postgres
from tests.sync.conftest import (
    PASSWORD,
    _databases,
    content_hash,
    enroll_pair,
    make_county,
    make_station,
)
from tests.sync.forge import Forger

_TRIGGERS = ["member_fts_delete", "member_fts_insert", "member_fts_update"]


class Counties:
    """One station and two copies of its county: the same bundles go into both, streamed
    into `a`, read whole into `b`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.station = make_station(folder, households=12)
        county = make_county(folder)
        enroll_pair(self.station, county, folder)
        receive.import_files(county, [])  # the county's keys
        target = county.target
        county.close()
        if isinstance(target, str):  # on the server: a copy of the database
            copy: Path | str = postgres.create_database(template=target)
            _databases.append(copy)
        else:
            copy = folder / "copy.db"
            for suffix in ("", ".keys"):
                shutil.copy(f"{target}{suffix}", f"{copy}{suffix}")
        self.a = Store.open(target, "admin", PASSWORD)
        self.b = Store.open(copy, "admin", PASSWORD)
        self.usb = folder / "usb"
        self.usb.mkdir()

    def both(self, path: Path, monkeypatch: pytest.MonkeyPatch
             ) -> tuple[receive.ImportResult, receive.ImportResult]:
        with monkeypatch.context() as m:  # the streamed import must never read it whole
            m.setattr(v1.Bundle, "open", _never)
            [a] = receive.import_files(self.a, [path])
        with monkeypatch.context() as m:
            m.setattr(receive, "_receive_streamed", lambda *_: None)
            [b] = receive.import_files(self.b, [path])
        return a, b

    def close(self) -> None:
        for store in (self.station, self.a, self.b):
            store.close()


def _never(*_: Any) -> Any:
    raise AssertionError("read whole")


@pytest.fixture
def counties(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counties]:
    monkeypatch.setattr(sections, "BATCH_ROWS", 5)  # every table in several batches
    c = Counties(tmp_path)
    try:
        yield c
    finally:
        c.close()


def _station_rows(store: Store) -> dict[str, list[str]]:
    """The station's rows at the county, every column but the county's own counter."""
    out: dict[str, list[str]] = {}
    with store.session() as s:
        for name in (*STATION_TABLES, "sync_station_audit"):
            cols = [c for c in wire.columns(name) if c != "rev"]
            out[name] = sorted(map(repr, wire.select_rows(s, name, cols=cols)))
    return out


def _found(store: Store, words: list[str]) -> dict[str, list[str]]:
    """What the search index finds for each word (the households of the members)."""
    with store.session() as s:
        dialect = s.get_bind().dialect.name
        return {w: sorted(s.execute(search_index.members_containing(dialect, w)).scalars())
                for w in words}


def _words(store: Store) -> list[str]:
    with store.session() as s:
        keys = list(s.execute(select(Member.search_text)).scalars())
    return sorted({k[i:i + 3] for k in keys[:20] for i in range(0, len(k) - 2, 4)})


def _triggers(store: Store) -> list[str]:
    with store.session() as s:
        return _triggers_in(s)


def _expected(store: Store) -> list[str]:
    """The index's triggers: SQLCipher's FTS5 is kept by them; PostgreSQL has none (the
    server keeps its trigram index)."""
    return [] if store.server else _TRIGGERS


def _same(c: Counties, a: receive.ImportResult, b: receive.ImportResult) -> None:
    assert a.status == b.status == "applied", (a.message, b.message)
    assert (a.message, a.counts) == (b.message, b.counts)
    assert list(a.counts) == list(b.counts)  # the summary lists the tables in one order
    assert _station_rows(c.a) == _station_rows(c.b)
    words = _words(c.a)
    assert _found(c.a, words) == _found(c.b, words)
    assert _triggers(c.a) == _triggers(c.b) == _expected(c.a)


def test_streamed_import_matches_the_whole_one(counties: Counties,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    c = counties
    first = export.export_station(c.station, c.usb)
    a, b = c.both(first.path, monkeypatch)
    _same(c, a, b)
    assert a.counts["member"]["inserted"] > 20 and a.counts["helper"]["inserted"] > 5

    # Edits: a member renamed (its index rows change), a household gone, a phone changed.
    with c.station.session() as s:
        ids = sorted(s.execute(select(Household.id)).scalars())
    with c.station.transaction() as s:
        m = s.execute(select(Member).where(Member.household_id == ids[0])).scalars().first()
        assert m is not None
        m.name, m.search_text = "欧阳娜娜", "欧阳娜娜|ouyangnana|oynn|" + m.id_number
        audit.record(s, "admin", "update", "household", ids[0], after={"name": m.name})
        h = s.get(Household, ids[2])
        assert h is not None
        h.phone = "13900000000"
        audit.record(s, "admin", "update", "household", h.id, after={"phone": h.phone})
    with c.station.transaction() as s:
        delete_household(s, "admin", ids[1], reason="全户迁出")
    second = export.export_station(c.station, c.usb)
    a, b = c.both(second.path, monkeypatch)
    _same(c, a, b)
    assert a.counts["member"]["updated"] >= 2
    assert _found(c.a, ["欧阳娜"])["欧阳娜"]

    # Everything again (a full bundle): "unchanged", and the index as a rebuild makes it.
    full = export.export_station(c.station, c.usb, full=True)
    a, b = c.both(full.path, monkeypatch)
    _same(c, a, b)
    assert a.counts["household"]["unchanged"] == 12
    words = _words(c.a)
    before = _found(c.a, words)
    with c.a.transaction() as s:
        search_index.rebuild(s.connection())
    assert _found(c.a, words) == before


def test_a_refusal_found_while_streaming_is_the_whole_reads_and_changes_nothing(
        counties: Counties, monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrong counts are only seen once every row was merged: the transaction rolls back
    (the triggers with it) and the whole-payload path refuses, with its own message."""
    c = counties
    forger = Forger(c.station, c.a)
    manifest, payload = forger.real(c.usb)
    manifest["counts"] = {**manifest["counts"], "member": manifest["counts"]["member"] + 1}
    path = forger.seal(manifest, payload, c.folder / "lying.fpb")
    before = content_hash(c.a)
    streamed: list[Any] = []
    real = receive.StationMerge.apply_sections

    def spy(self: Any, *args: Any) -> str:
        streamed.append(True)
        return real(self, *args)

    with monkeypatch.context() as m:
        m.setattr(receive.StationMerge, "apply_sections", spy)
        [a] = receive.import_files(c.a, [path])
    with monkeypatch.context() as m:
        m.setattr(receive, "_receive_streamed", lambda *_: None)
        [b] = receive.import_files(c.b, [path])
    assert streamed and a.status == b.status == "refused"
    assert a.message == b.message and "记录数与清单不符" in a.message
    assert content_hash(c.a) == before
    assert _triggers(c.a) == _expected(c.a)
    # The real bundle imports afterwards, into an index the refusal left whole.
    [r] = receive.import_files(c.a, [export.export_station(c.station, c.usb, full=True).path])
    assert r.status == "applied", r.message
    words = _words(c.a)
    found = _found(c.a, words)
    with c.a.transaction() as s:
        search_index.rebuild(s.connection())
    assert _found(c.a, words) == found and any(found.values())


def test_a_payload_laid_out_otherwise_is_read_whole(counties: Counties,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit entries after the tables (another writer's order): the whole-payload path
    takes it, as it always did."""
    c = counties
    forger = Forger(c.station, c.a)
    manifest, payload = forger.real(c.usb)
    raw = json.dumps({"tables": payload["tables"], "audit": payload["audit"]},
                     ensure_ascii=False).encode()
    path = forger.seal_raw(manifest, raw, c.folder / "other.fpb")
    opened: list[bool] = []
    real = v1.Bundle.open

    def spy(self: v1.Bundle, key: str) -> dict[str, Any]:
        opened.append(True)
        return real(self, key)

    monkeypatch.setattr(v1.Bundle, "open", spy)
    [r] = receive.import_files(c.a, [path])
    assert r.status == "applied", r.message
    assert opened and r.counts["household"]["inserted"] == 12


def test_deferred_index_comes_back_when_the_transaction_rolls_back(counties: Counties
                                                                   ) -> None:
    c = counties
    with pytest.raises(RuntimeError), c.a.transaction() as s, \
            search_index.deferred(s.connection()):
        assert _triggers_in(s) == []
        raise RuntimeError
    assert _triggers(c.a) == _expected(c.a)


def _triggers_in(s: Any) -> list[str]:
    if s.get_bind().dialect.name == "postgresql":
        return sorted(s.execute(text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgname LIKE 'member_fts%'")).scalars())
    return sorted(s.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                 "AND name LIKE 'member_fts%'")).scalars())
