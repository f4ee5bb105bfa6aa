"""The county's answer at a station that already trusts a county key: the same answer again
changes nothing; an answer with another county key (an impostor's county store of the same
code answering the station's request, or the county's reinstalled PC) is refused unless the
station confirms the new fingerprint; a confirmed replacement revokes the old county key and
is recorded in the station's audit chain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from cli.main import main
from registry.models import AuditEntry
from registry.store import Store
from registry.sync_state import PeerKey
from sync import enroll, export, receive
from sync.errors import CountyKeyReplacementNeeded, SyncError
from tests.sync.conftest import COUNTY, PASSWORD, TOWNSHIP, Pair, content_hash, make_county


@pytest.fixture
def other_county(pair: Pair) -> Iterator[Store]:
    """Another county store with the county's code: an impostor, or the county's own PC
    reinstalled. It answers the station's request (a file any USB stick carries)."""
    folder = pair.folder / "other"
    folder.mkdir()
    store = make_county(folder, name="other")
    try:
        yield store
    finally:
        store.close()


def _answer_from(county: Store, pair: Pair, name: str) -> Path:
    req, ans = pair.folder / f"{name}-req.json", pair.folder / f"{name}-ans.json"
    enroll.write_request(pair.station, req)
    enroll.enroll(county, req, ans)
    return ans


def _county_keys(station: Store) -> dict[str, str]:
    with station.session() as s:
        return {k.key_id: k.status for k in s.execute(
            select(PeerKey).where(PeerKey.peer_code == COUNTY)).scalars()}


def test_the_same_answer_again_changes_nothing(pair: Pair) -> None:
    ans = _answer_from(pair.county, pair, "again")
    before = content_hash(pair.station)
    e = enroll.accept(pair.station, ans)
    assert e.replaced == () and e.fingerprint == enroll.own_fingerprint(pair.county)
    assert content_hash(pair.station) == before
    # With the confirmation given anyway: still nothing to replace.
    assert enroll.accept(pair.station, ans, replace_county_key=e.fingerprint).replaced == ()
    assert content_hash(pair.station) == before


def test_another_county_key_is_refused(pair: Pair, other_county: Store) -> None:
    ans = _answer_from(other_county, pair, "fake")
    fake, real = enroll.own_fingerprint(other_county), enroll.own_fingerprint(pair.county)
    before = content_hash(pair.station)
    with pytest.raises(CountyKeyReplacementNeeded) as refused:
        enroll.accept(pair.station, ans)
    message = str(refused.value)
    assert "本站已登记的县扶贫办" in message and "未作任何改动" in message
    assert fake in message and real in message and f"--replace-key {fake}" in message
    assert refused.value.fingerprint == fake and refused.value.registered == (real,)
    assert refused.value.county == COUNTY
    # A fingerprint that is not the answer's confirms nothing.
    with pytest.raises(SyncError, match="不符"):
        enroll.accept(pair.station, ans, replace_county_key=real, reason="县里电脑重装")
    assert content_hash(pair.station) == before
    # The station still sends to the county it trusts, which imports the bundle.
    sent = export.export_station(pair.station, pair.usb)
    assert receive.import_files(pair.county, [sent.path])[0].status == "applied"


def test_a_confirmed_county_key_replaces_the_old_one(pair: Pair, other_county: Store) -> None:
    old_back = export.export_return(pair.county, TOWNSHIP, pair.usb)  # signed by the old key
    [old] = _county_keys(pair.station)
    ans = _answer_from(other_county, pair, "new")
    said = enroll.own_fingerprint(other_county).lower().replace("-", " ")  # as on the phone
    e = enroll.accept(pair.station, ans, replace_county_key=said, reason="县扶贫办电脑重装")
    assert e.replaced == (old,)
    keys = _county_keys(pair.station)
    assert keys[old] == "revoked" and list(keys.values()).count("active") == 1
    with pair.station.session() as s:
        [entry] = s.execute(select(AuditEntry).where(
            AuditEntry.action == "replace_county_key")).scalars()
        assert (entry.user, entry.entity_id, entry.reason) == ("admin", COUNTY, "县扶贫办电脑重装")
        assert old in (entry.before or "")
        assert enroll.own_fingerprint(other_county) in (entry.after or "")
    assert pair.station.verify() == []
    # Bundles now go to the new county key; the old key's return bundles are refused.
    sent = export.export_station(pair.station, pair.usb, full=True)
    assert receive.import_files(other_county, [sent.path])[0].status == "applied"
    before = content_hash(pair.station)
    [r] = receive.import_files(pair.station, [old_back.path])
    assert r.status == "refused" and "已吊销" in r.message
    assert content_hash(pair.station) == before
    # The answer of the replaced key cannot be taken back, even confirmed.
    old_ans = _answer_from(pair.county, pair, "old")
    with pytest.raises(SyncError, match="作废"):
        enroll.accept(pair.station, old_ans,
                      replace_county_key=enroll.own_fingerprint(pair.county))


def test_an_answer_from_another_county_is_refused(pair: Pair) -> None:
    folder = pair.folder / "elsewhere"
    folder.mkdir()
    station = pair.station
    elsewhere = make_county(folder, code="513432")
    try:
        own = enroll.own_fingerprint(elsewhere)
        req, ans = folder / "req.json", folder / "ans.json"
        enroll.write_request(station, req)
        raw = json.loads(req.read_text())
        assert raw["county"] == COUNTY
        with pytest.raises(SyncError, match="其他县"):
            enroll.enroll(elsewhere, req, ans)  # the county checks the request
        before = content_hash(station)
        # An answer signed by a county of another code never reaches the store either.
        forged = _forge_answer(elsewhere, station, folder / "forged.json")
        with pytest.raises(SyncError, match="其他县"):
            enroll.accept(station, forged, replace_county_key=own)
        assert content_hash(station) == before
    finally:
        elsewhere.close()


def _forge_answer(county: Store, station: Store, out: Path) -> Path:
    """A well-signed answer from a county of another code, addressed to the station."""
    from registry.models import utcnow
    from sync.keys import active_key, ensure_keys

    own = ensure_keys(county)
    with station.session() as s:
        key = active_key(s)
        assert key is not None
        station_key = key.key_id
    body = {"type": enroll.ANSWER, "county": county.info.county_code,
            "county_name": county.info.region_name, "county_store": county.info.store_id,
            "station": station.info.region_code, "station_key_id": station_key,
            "key_id": own.key_id, "sign_public": own.sign_public,
            "enc_public": own.enc_public, "created_at": utcnow().isoformat()}
    out.write_bytes(enroll._signed(body, own.sign_private))
    return out


def test_cli_accept_refuses_then_confirms(pair: Pair, other_county: Store,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    ans = _answer_from(other_county, pair, "cli")
    fingerprint = enroll.own_fingerprint(other_county)
    station = str(pair.station.path)
    pair.station.close()  # the CLI opens the store itself
    code = main(["sync", "accept", "--store", station, str(ans)])
    err = capsys.readouterr().err
    assert code == 1 and "本站已登记的县扶贫办" in err and f"--replace-key {fingerprint}" in err
    assert "Traceback" not in err
    assert main(["sync", "accept", "--store", station, str(ans), "--reason", "无"]) == 1
    assert "--replace-key" in capsys.readouterr().err  # --reason alone confirms nothing
    code = main(["sync", "accept", "--store", station, str(ans),
                 "--replace-key", fingerprint, "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fingerprint"] == fingerprint and len(out["replaced"]) == 1
    code = main(["sync", "accept", "--store", station, str(ans)])  # again: a no-op
    assert code == 0 and "已更换" not in capsys.readouterr().out
