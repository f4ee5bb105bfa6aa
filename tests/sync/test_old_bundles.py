"""Old and new program versions side by side, on the stores and bundles the released program
made (tests/fixtures/released/schema1/, always copied first): a current county takes an old
station's bundles, and a program handed a bundle of a newer format or schema refuses it,
telling the user to upgrade, with nothing written."""

from __future__ import annotations

import json
import shutil
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from registry import migrations
from registry.models import Household
from registry.store import Store
from registry.sync_state import Inbox, OwnKey, Quarantined, Receipt, ReceivedBundle
from sync import bundle, crypto, export, receive, records, wire
from sync.formats import upgrade
from sync.payload import table_rows
from tests.sync.conftest import content_hash

RELEASED = Path(__file__).resolve().parents[1] / "fixtures" / "released" / "schema1"
EXPECTED = json.loads((RELEASED / "expected.json").read_text(encoding="utf-8"))
TOWNSHIP = "513431102"
# What the released program's bundle 2 changed (the county has not imported it yet).
CHANGED = {hid for hid, h in EXPECTED["station"]["households"].items()
           if h["net_income"] != EXPECTED["county"]["households"][hid]["net_income"]}
UPGRADE = "请先升级本程序。数据库未作任何改动。"


def _copy(tmp_path: Path, name: str) -> Path:
    """A private copy of a committed store (the fixtures themselves are never opened)."""
    for suffix in ("", ".keys"):
        shutil.copyfile(RELEASED / f"{name}{suffix}", tmp_path / f"{name}{suffix}")
    return tmp_path / name


@pytest.fixture
def county(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(_copy(tmp_path, "county.db"), "admin", EXPECTED["password"])
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(_copy(tmp_path, "station.db"), "admin", EXPECTED["password"])
    try:
        yield store
    finally:
        store.close()


def _bundle(tmp_path: Path, name: str) -> Path:
    target = tmp_path / "usb" / name
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(RELEASED / name, target)
    return target


def _households(store: Store) -> dict[str, dict[str, Any]]:
    """What expected.json holds per household, read from `store`, `rev` left out."""
    with store.session() as s:
        return {h.id: {
            "village_code": h.village_code, "head_name": h.head_name, "size": h.size,
            "deleted": h.deleted, "stage": h.stage,
            "net_income": str(h.net_income) if h.net_income is not None else None,
            "members": [[m.id, m.name, m.id_number, m.change_reason, m.deleted]
                        for m in sorted(h.members, key=lambda m: m.id)],
        } for h in s.execute(select(Household)).scalars()}


def _without_rev(households: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {hid: {k: v for k, v in h.items() if k != "rev"} for hid, h in households.items()}


def _import(store: Store, path: Path) -> receive.ImportResult:
    [r] = receive.import_files(store, [path])
    return r


def _signing_key(store: Store) -> str:
    with store.session() as s:
        return s.execute(select(OwnKey.sign_private).where(OwnKey.status == "active")
                         ).scalar_one()


def _resign(path: Path, sign_private: str, out: Path, header: int | None = None,
            drop: tuple[str, ...] = (), **changes: Any) -> Path:
    """The bundle at `path` with manifest fields changed or dropped (and the header byte,
    if given), signed again with the sender's real key: only what was asked differs. Built
    from the layout in sync/FORMAT.md, not with the code under test."""
    data = path.read_bytes()
    (size,) = struct.unpack(">I", data[9:13])
    manifest = json.loads(data[13:13 + size])
    manifest.update(changes)
    for name in drop:
        del manifest[name]
    mbytes = json.dumps(manifest, sort_keys=True, ensure_ascii=False,
                        separators=(",", ":")).encode()
    signature = crypto.sign(sign_private, b"fupin-bundle-manifest-v1\0" + mbytes)
    version = bytes([data[8] if header is None else header])
    out.write_bytes(data[:8] + version + struct.pack(">I", len(mbytes)) + mbytes + signature
                    + data[13 + size + 64:])
    return out


def _received(store: Store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(ReceivedBundle)) or 0


# ---- a current county, an old station -----------------------------------------------------
def test_county_imports_released_station_bundles(county: Store, tmp_path: Path) -> None:
    assert _households(county) == _without_rev(EXPECTED["county"]["households"])
    r = _import(county, _bundle(tmp_path, "station-000002.fpb"))
    assert r.status == "applied", r.message
    assert r.counts["household"]["updated"] == len(CHANGED) == 1
    # Step 3 gave the household its 补录 event, the very row the county's own migration
    # wrote for its copy: unchanged (any other value would be an update).
    assert r.counts["procedure_event"] == {**dict.fromkeys(r.counts["household"], 0),
                                           "unchanged": 1}
    # The county now holds what the station held when it sent bundle 2.
    assert _households(county) == _without_rev(EXPECTED["station"]["households"])

    before = content_hash(county)
    for name in ("station-000001.fpb", "station-000002.fpb"):
        again = _import(county, _bundle(tmp_path, name))
        assert again.status == "replay" and again.ok, again.message
    assert content_hash(county) == before


def test_a_released_bundle_states_no_chain_and_is_taken(county: Store, station: Store,
                                                        tmp_path: Path) -> None:
    """Schema-1 bundles carry no audit_head/audit_length: taken without the chain check. The
    county's count of the station's entries (migration 0002 followed the chain back from its
    head) then agrees with what the upgraded station states in its first bundle of schema 2,
    and the station's verify holds its chain to the head the county acknowledges."""
    sent = _bundle(tmp_path, "station-000002.fpb")
    assert "audit_head" not in bundle.parse(sent.read_bytes()).manifest
    with county.session() as s:
        inbox = s.get(Inbox, TOWNSHIP)
        assert inbox is not None
        assert inbox.audit_length == EXPECTED["county"]["counts"]["sync_station_audit"]
    r = _import(county, sent)
    assert r.status == "applied" and "审计链" not in r.message, r.message
    third = export.export_station(station, tmp_path)  # the station, upgraded to schema 2
    manifest = bundle.parse(third.path.read_bytes()).manifest
    assert manifest["schema_version"] == migrations.SCHEMA_VERSION
    assert manifest["audit_length"] == len(EXPECTED["station"]["audit"])
    r = _import(county, third.path)
    assert r.status == "applied" and "审计链" not in r.message, r.message
    with county.session() as s:
        assert s.execute(select(func.count()).select_from(Quarantined)).scalar() == 0
    back = export.export_return(county, TOWNSHIP, tmp_path)
    assert _import(station, back.path).status == "applied"
    with station.session() as s:
        acknowledged = s.execute(select(Receipt.audit_length).where(
            Receipt.audit_head.is_not(None))).scalars().all()
    assert acknowledged and max(acknowledged) == len(EXPECTED["station"]["audit"])
    assert station.verify() == []


def test_a_schema2_bundle_must_state_its_chain(county: Store, station: Store,
                                               tmp_path: Path) -> None:
    """Leaving the chain head out of a newer bundle does not escape the check."""
    assert _import(county, _bundle(tmp_path, "station-000002.fpb")).status == "applied"
    third = export.export_station(station, tmp_path).path
    before = content_hash(county)
    for drop in (("audit_head",), ("audit_length",), ("audit_head", "audit_length")):
        bare = _resign(third, _signing_key(station), tmp_path / "bare.fpb", drop=drop)
        r = _import(county, bare)
        assert r.status == "refused" and "审计链信息" in r.message, (drop, r.message)
    assert content_hash(county) == before
    assert _import(county, third).status == "applied"


def test_step_2_gives_released_receipts_no_acknowledged_head(station: Store,
                                                             tmp_path: Path) -> None:
    parsed = bundle.parse(_bundle(tmp_path, "county-R000001.fpb").read_bytes())
    with station.session() as s:
        enc_private = s.execute(select(OwnKey.enc_private)).scalars().first()
    assert enc_private is not None
    payload = parsed.open(enc_private)
    sent = payload["tables"]["sync_receipt"]
    assert "audit_head" not in sent["columns"] and len(sent["rows"]) == 1
    rows = table_rows("sync_receipt", upgrade.to_current(payload, 1)["tables"]["sync_receipt"])
    cols = wire.columns("sync_receipt")
    assert [(r[cols.index("audit_head")], r[cols.index("audit_length")]) for r in rows] \
        == [(None, None)]


def _opened(store: Store, path: Path) -> dict[str, Any]:
    """The payload of a released bundle sent to `store`, as the released program wrote it."""
    parsed = bundle.parse(path.read_bytes())
    with store.session() as s:
        keys = list(s.execute(select(OwnKey.enc_private)).scalars())
    for key in keys:
        try:
            return parsed.open(key)
        except Exception:  # noqa: BLE001, S112  (another of the store's keys)
            continue
    raise AssertionError("no key of the store opens the bundle")


def test_step_3_writes_the_migrations_backfill_events(county: Store, station: Store,
                                                      tmp_path: Path) -> None:
    """The released station's full bundle brought to schema 3 holds, for every household,
    the 补录 event its store's own migration 0003 wrote (the station fixture is migrated on
    opening), value for value but the rev (each store counts its own); its schema-1 events
    get seq 0 and no step, like the migrated store's."""
    payload = _opened(county, _bundle(tmp_path, "station-000001.fpb"))
    released = payload["tables"]["household"]  # schema 1's columns, not this store's
    sent = {r[released["columns"].index("id")] for r in released["rows"]}
    old_events = len(payload["tables"]["procedure_event"]["rows"])
    upgraded = upgrade.to_current(payload, 1)
    cols = wire.columns("procedure_event")
    rows = table_rows("procedure_event", upgraded["tables"]["procedure_event"])
    at = {c: i for i, c in enumerate(cols)}
    made = {r[at["id"]]: r for r in rows if r[at["step"]] == "backfill"}
    assert len(made) == len(sent) == 30 and len(rows) == old_events + 30
    assert {r[at["household_id"]] for r in made.values()} == sent
    assert all(r[at["seq"]] == 0 and r[at["step"]] is None for r in rows
               if r[at["step"]] != "backfill")
    with station.session() as s:
        stored = {r[at["id"]]: r for r in wire.select_rows(
            s, "procedure_event", "step = 'backfill'")}
    assert made.keys() <= stored.keys()
    without_rev = [c for c in cols if c != "rev"]
    for eid, row in made.items():
        assert [row[at[c]] for c in without_rev] == [stored[eid][at[c]] for c in without_rev]
    # And the records checks take them as they are (nothing quarantined for a value).
    assert records.check("procedure_event", rows)[1] == []


def test_step_3_gives_released_decisions_no_role_or_basis(station: Store,
                                                          tmp_path: Path) -> None:
    payload = _opened(station, _bundle(tmp_path, "county-R000001.fpb"))
    assert "basis_seq" not in payload["tables"]["sync_decision"]["columns"]
    upgraded = upgrade.to_current(payload, 1)
    rows = table_rows("sync_decision", upgraded["tables"]["sync_decision"])
    cols = wire.columns("sync_decision")
    assert [(r[cols.index("role")], r[cols.index("basis_seq")], r[cols.index("override")])
            for r in rows] == [(None, None, None)]


def test_station_replays_released_return_bundle(station: Store, tmp_path: Path) -> None:
    before = content_hash(station)
    r = _import(station, _bundle(tmp_path, "county-R000001.fpb"))
    assert r.status == "replay", r.message
    assert content_hash(station) == before


# ---- a newer program's bundle, at the county and at the station ---------------------------
Newer = Callable[[Path, str, Path], Path]
NEWER: dict[str, Newer] = {
    "format": lambda p, key, out: _resign(p, key, out, header=bundle.FORMAT_VERSION + 1,
                                          format=bundle.FORMAT_VERSION + 1),
    "schema": lambda p, key, out: _resign(p, key, out,
                                          schema_version=migrations.SCHEMA_VERSION + 1),
}
SAYS = {"format": f"(格式 {bundle.FORMAT_VERSION + 1}),本程序只支持到格式 "
                  f"{bundle.FORMAT_VERSION}",
        "schema": f"(数据结构版本 {migrations.SCHEMA_VERSION + 1}),本程序只支持到数据结构版本 "
                  f"{migrations.SCHEMA_VERSION}"}


def _refused_as_newer(store: Store, path: Path, kind: str) -> None:
    before, received = content_hash(store), _received(store)
    r = _import(store, path)
    assert r.status == "refused"
    assert r.message == f"此数据包由较新版本的程序生成{SAYS[kind]}:{UPGRADE}"
    assert content_hash(store) == before and _received(store) == received


@pytest.mark.parametrize("kind", NEWER)
def test_county_refuses_a_newer_programs_bundle(county: Store, station: Store,
                                                tmp_path: Path, kind: str) -> None:
    sent = _bundle(tmp_path, "station-000002.fpb")
    key = _signing_key(station)
    _refused_as_newer(county, NEWER[kind](sent, key, tmp_path / "newer.fpb"), kind)
    # Re-signed by the same hand with nothing changed, the bundle is taken: the refusal
    # was for the version alone.
    same = _resign(sent, key, tmp_path / "same.fpb")
    assert same.read_bytes() == sent.read_bytes()
    assert _import(county, same).status == "applied"


@pytest.mark.parametrize("kind", NEWER)
def test_station_refuses_a_newer_programs_return_bundle(county: Store, station: Store,
                                                        tmp_path: Path, kind: str) -> None:
    assert _import(county, _bundle(tmp_path, "station-000002.fpb")).status == "applied"
    back = export.export_return(county, TOWNSHIP, tmp_path).path  # R000002, a real one
    _refused_as_newer(station, NEWER[kind](back, _signing_key(county),
                                           tmp_path / "newer.fpb"), kind)
    # An already-applied return bundle made newer is refused the same way (not a fork).
    _refused_as_newer(station, NEWER[kind](_bundle(tmp_path, "county-R000001.fpb"),
                                           _signing_key(county), tmp_path / "old.fpb"), kind)
    r = _import(station, back)
    assert r.status == "applied", r.message


def test_header_and_manifest_must_name_the_same_format(county: Store, station: Store,
                                                       tmp_path: Path) -> None:
    sent = _bundle(tmp_path, "station-000002.fpb")
    key = _signing_key(station)
    before = content_hash(county)
    for header, field in ((1, 2), (1, 0), (0, 1), (0, 0)):
        forged = _resign(sent, key, tmp_path / "forged.fpb", header=header, format=field)
        r = _import(county, forged)
        assert r.status == "refused" and "已损坏" in r.message, (header, field, r.message)
    assert content_hash(county) == before


# ---- the upgrade chain ----------------------------------------------------------------
def test_the_upgrade_chain_runs_on_every_import(county: Store, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend this program is one schema ahead: the released schema-1 bundle passes
    through every step, the pretended one last, before staging, and what the step returns
    is what the county stores, even when it adds rows the manifest does not count (a typed
    stage becoming an event)."""
    [hid] = CHANGED
    with county.session() as s:
        cols = wire.columns("procedure_event")
        event = wire.select_rows(s, "procedure_event", "household_id = :h", {"h": hid})[0]
    event[cols.index("id")] = "01a22a38-ffff-7fff-8fff-000000000001"
    seen: list[int] = []

    def to_2(payload: dict[str, Any]) -> dict[str, Any]:
        seen.append(len(payload["tables"]["household"]["rows"]))
        households = payload["tables"]["household"]
        at = households["columns"].index("head_name")
        for row in households["rows"]:
            row[at] += "(已升级)"
        payload["tables"]["procedure_event"] = {"columns": cols, "rows": [event]}
        return payload

    nxt = migrations.SCHEMA_VERSION + 1  # a program one schema ahead of this one
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", nxt)
    monkeypatch.setattr(upgrade, "STEPS", {**upgrade.STEPS, nxt: to_2})
    r = _import(county, _bundle(tmp_path, "station-000002.fpb"))
    assert r.status == "applied", r.message
    assert seen == [1]
    assert r.counts["procedure_event"]["inserted"] == 1
    with county.session() as s:
        household = s.get(Household, hid)
        assert household is not None and household.head_name is not None
        assert household.head_name.endswith("(已升级)")


def test_a_missing_upgrade_step_refuses(county: Store, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    nxt = migrations.SCHEMA_VERSION + 1
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", nxt)
    monkeypatch.setattr(upgrade, "STEPS", {**upgrade.STEPS})  # no step for nxt
    before = content_hash(county)
    r = _import(county, _bundle(tmp_path, "station-000002.fpb"))
    assert r.status == "refused" and f"数据结构版本 {nxt - 1}" in r.message
    assert content_hash(county) == before


def test_every_released_schema_has_its_step() -> None:
    assert set(upgrade.STEPS) == set(range(2, migrations.SCHEMA_VERSION + 1))
