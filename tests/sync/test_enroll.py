"""Enrollment of a station already enrolled: the same key again changes nothing; another
key (an impostor's request with the station's code and store id, a reinstalled PC) is
refused unless the county confirms the new fingerprint; a confirmed replacement revokes the
old key, is recorded and reaches the station; a routine change goes by rotation."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from cli.main import main
from registry import audit
from registry.models import AuditEntry, Household
from registry.store import Store
from registry.sync_state import KeyEvent, OwnKey, PeerKey
from sync import enroll, export, receive
from sync.errors import KeyReplacementNeeded, SyncError
from sync.keys import rotate_keys
from tests.sync.conftest import PASSWORD, TOWNSHIP, Pair, content_hash, make_station


@pytest.fixture
def impostor(pair: Pair) -> Iterator[Store]:
    """Another store claiming the station: its code, its store id (printed in every
    manifest on the USB stick), and a fresh key."""
    folder = pair.folder / "impostor"
    folder.mkdir()
    store = make_station(folder, households=3, seed=5)
    store.info = dataclasses.replace(store.info, store_id=pair.station.info.store_id)
    try:
        yield store
    finally:
        store.close()


def _peer_keys(county: Store) -> dict[str, str]:
    with county.session() as s:
        return {k.key_id: k.status for k in s.execute(
            select(PeerKey).where(PeerKey.peer_code == TOWNSHIP)).scalars()}


def _wages(county: Store) -> list[object]:
    with county.session() as s:
        return list(s.execute(select(Household.income_wage).order_by(Household.id)).scalars())


def test_enrolling_again_with_the_same_key_changes_nothing(pair: Pair) -> None:
    req, ans = pair.folder / "again.json", pair.folder / "again-answer.json"
    enroll.write_request(pair.station, req)
    before = content_hash(pair.county)
    e = enroll.enroll(pair.county, req, ans)
    assert e.replaced == () and ans.exists()
    assert content_hash(pair.county) == before
    enroll.accept(pair.station, ans)  # the station may take the answer again, too
    sent = export.export_station(pair.station, pair.usb)
    assert receive.import_files(pair.county, [sent.path])[0].status == "applied"


def test_an_impostors_request_is_refused(pair: Pair, impostor: Store) -> None:
    first = export.export_station(pair.station, pair.usb)
    assert receive.import_files(pair.county, [first.path])[0].status == "applied"
    req, ans = pair.folder / "fake.json", pair.folder / "fake-answer.json"
    fake = enroll.write_request(impostor, req)
    assert enroll.read_request(req).code == TOWNSHIP
    keys, before = _peer_keys(pair.county), content_hash(pair.county)
    with pytest.raises(KeyReplacementNeeded) as refused:
        enroll.enroll(pair.county, req, ans)
    message = str(refused.value)
    assert "已在本县登记" in message and fake.fingerprint in message
    assert enroll.own_fingerprint(pair.station) in message  # the key it has, to compare
    assert "sync rotate-key" in message and "未作任何改动" in message
    assert refused.value.fingerprint == fake.fingerprint
    assert content_hash(pair.county) == before and _peer_keys(pair.county) == keys
    assert not ans.exists()
    # A fingerprint that is not the request's confirms nothing.
    wrong = enroll.own_fingerprint(pair.station)
    with pytest.raises(SyncError, match="不符"):
        enroll.enroll(pair.county, req, ans, replace_key=wrong, reason="电脑重装")
    assert content_hash(pair.county) == before
    # The real station's bundle 2 goes on as before: no fork, no other key.
    wages = _wages(pair.county)
    with pair.station.transaction() as s:
        h = s.execute(select(Household).limit(1)).scalar_one()
        h.phone = "13912345678"
        audit.record(s, "admin", "update", "household", h.id, after={"phone": h.phone})
    second = export.export_station(pair.station, pair.usb)
    [r] = receive.import_files(pair.county, [second.path])
    assert r.status == "applied", r.message
    assert _wages(pair.county) == wages


def test_a_replacement_needs_a_reason(pair: Pair) -> None:
    req = pair.folder / "new.json"
    fingerprint = enroll.write_request(pair.station, req, new_key=True).fingerprint
    before = content_hash(pair.county)
    for reason in (None, "  "):
        with pytest.raises(SyncError, match="原因"):
            enroll.enroll(pair.county, req, pair.folder / "a.json", replace_key=fingerprint,
                          reason=reason)
    assert content_hash(pair.county) == before


def test_a_confirmed_replacement_revokes_records_and_tells_the_station(pair: Pair) -> None:
    first = export.export_station(pair.station, pair.usb)
    assert receive.import_files(pair.county, [first.path])[0].status == "applied"
    with pair.station.session() as s:
        old = s.execute(select(OwnKey.key_id).where(OwnKey.status == "active")).scalar_one()
    req, ans = pair.folder / "new.json", pair.folder / "new-answer.json"
    new = enroll.write_request(pair.station, req, new_key=True)
    # As read out on the phone: lower case, spaces for dashes.
    said = new.fingerprint.lower().replace("-", " ")
    e = enroll.enroll(pair.county, req, ans, replace_key=said, reason="乡镇电脑重装")
    assert e.replaced == (old,)
    keys = _peer_keys(pair.county)
    assert keys[old] == "revoked" and list(keys.values()).count("active") == 1
    with pair.county.session() as s:
        events = {(k.key_id, k.action) for k in s.execute(select(KeyEvent)).scalars()}
        assert (old, "revoke") in events
        [entry] = s.execute(select(AuditEntry).where(
            AuditEntry.action == "replace_key")).scalars()
        assert (entry.user, entry.entity_id, entry.reason) == ("admin", TOWNSHIP, "乡镇电脑重装")
        assert new.fingerprint in (entry.after or "") and old in (entry.before or "")
        assert entry.at is not None
    assert pair.county.verify() == []
    enroll.accept(pair.station, ans)
    # The new key's bundles go on; the station hears of the replacement.
    second = export.export_station(pair.station, pair.usb)
    [r] = receive.import_files(pair.county, [second.path])
    assert r.status == "applied", r.message
    back = export.export_return(pair.county, TOWNSHIP, pair.usb)
    [r] = receive.import_files(pair.station, [back.path])
    assert r.status == "applied", r.message
    assert "县扶贫办已将本站登记的密钥更换为" in r.message and "乡镇电脑重装" in r.message
    assert f"已吊销本站的旧密钥 {old}" in r.message
    with pair.station.session() as s:
        assert s.get(OwnKey, old).status == "revoked"  # type: ignore[union-attr]


def test_a_bundle_signed_by_the_replaced_key_is_refused(pair: Pair) -> None:
    """After a replacement, whoever still holds the old key cannot send in its name."""
    old_store_bundle = export.export_station(pair.station, pair.usb)
    req = pair.folder / "new.json"
    new = enroll.write_request(pair.station, req, new_key=True)
    enroll.enroll(pair.county, req, pair.folder / "a.json", replace_key=new.fingerprint,
                  reason="密钥泄露")
    before = content_hash(pair.county)
    [r] = receive.import_files(pair.county, [old_store_bundle.path])
    assert r.status == "refused" and "已吊销" in r.message
    assert content_hash(pair.county) == before


def test_rotation_is_the_routine_change(pair: Pair) -> None:
    """A rotated key reaches the county by endorsement with the next bundle; until then an
    enrollment request with it is refused (and says so), afterwards it is a no-op."""
    first = export.export_station(pair.station, pair.usb)
    assert receive.import_files(pair.county, [first.path])[0].status == "applied"
    rotate_keys(pair.station)
    req, ans = pair.folder / "rotated.json", pair.folder / "rotated-answer.json"
    enroll.write_request(pair.station, req)  # the rotated key
    with pytest.raises(KeyReplacementNeeded, match="rotate-key"):
        enroll.enroll(pair.county, req, ans)
    second = export.export_station(pair.station, pair.usb)
    assert receive.import_files(pair.county, [second.path])[0].status == "applied"
    before = content_hash(pair.county)
    assert enroll.enroll(pair.county, req, ans).replaced == ()
    assert content_hash(pair.county) == before
    back = export.export_return(pair.county, TOWNSHIP, pair.usb)
    [r] = receive.import_files(pair.station, [back.path])
    assert r.status == "applied" and "已确认本站的新密钥" in r.message


def test_cli_enroll_refuses_then_confirms(pair: Pair, impostor: Store, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    req, ans = tmp_path / "fake.json", tmp_path / "fake-answer.json"
    fingerprint = enroll.write_request(impostor, req).fingerprint
    county = str(pair.county.target)
    code = main(["sync", "enroll", "--store", county, str(req), "--out", str(ans)])
    err = capsys.readouterr().err
    assert code == 1 and "已在本县登记" in err and f"--replace-key {fingerprint}" in err
    assert "Traceback" not in err and not ans.exists()
    code = main(["sync", "enroll", "--store", county, str(req), "--out", str(ans),
                 "--replace-key", fingerprint, "--reason", "乡镇电脑重装", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fingerprint"] == fingerprint and len(out["replaced"]) == 1
    assert main(["sync", "enroll", "--store", county, str(req), "--out", str(ans),
                 "--reason", "无"]) == 1  # --reason alone confirms nothing
