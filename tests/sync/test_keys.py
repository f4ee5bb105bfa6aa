"""Keys: fingerprints agree on both sides, a rotated key is learned by endorsement."""

from __future__ import annotations

from sqlalchemy import select

from registry.sync_state import KeyEvent, OwnKey, PeerKey
from sync import crypto, enroll, export, receive
from sync.keys import rotate_keys
from tests.sync.conftest import TOWNSHIP, Pair


def test_fingerprints_match(pair: Pair) -> None:
    req, ans = pair.folder / "r.json", pair.folder / "a.json"
    mine = enroll.write_request(pair.station, req)
    seen = enroll.read_request(req)
    at_county = enroll.enroll(pair.county, req, ans)
    assert mine.fingerprint == seen.fingerprint == at_county.fingerprint
    assert len(mine.fingerprint) == 19 and mine.fingerprint.count("-") == 3
    county_side = enroll.accept(pair.station, ans)
    assert county_side.fingerprint == enroll.own_fingerprint(pair.county)


def test_station_rotation_travels_by_endorsement(pair: Pair) -> None:
    first = export.export_station(pair.station, pair.usb)
    assert receive.import_files(pair.county, [first.path])[0].status == "applied"
    new = rotate_keys(pair.station)
    second = export.export_station(pair.station, pair.usb)
    [r] = receive.import_files(pair.county, [second.path])
    assert r.status == "applied", r.message
    with pair.county.session() as s:
        keys = {k.key_id: k.status for k in s.execute(select(PeerKey).where(
            PeerKey.peer_code == TOWNSHIP)).scalars()}
        assert keys[new.key_id] == "active" and list(keys.values()).count("retired") == 1
        assert s.execute(select(KeyEvent).where(KeyEvent.action == "rotate")).scalar()
    back = export.export_return(pair.county, TOWNSHIP, pair.usb)  # encrypted to the new key
    [r] = receive.import_files(pair.station, [back.path])
    assert r.status == "applied" and "新密钥" in r.message


def test_county_rotation_reaches_station(pair: Pair) -> None:
    rotate_keys(pair.county)
    back = export.export_return(pair.county, TOWNSHIP, pair.usb)
    [r] = receive.import_files(pair.station, [back.path])
    assert r.status == "applied", r.message
    with pair.county.session() as s:
        active = s.execute(select(OwnKey).where(OwnKey.status == "active")).scalar_one()
    with pair.station.session() as s:
        known = s.get(PeerKey, active.key_id)
        assert known is not None and known.status == "active"
    # The station's next bundle is encrypted to the county's new key.
    sent = export.export_station(pair.station, pair.usb)
    assert receive.import_files(pair.county, [sent.path])[0].status == "applied"


def test_forged_endorsement_refused(pair: Pair) -> None:
    rogue_sign = crypto.new_sign_key()
    rogue_enc = crypto.new_enc_key()
    with pair.station.transaction() as s:
        for k in s.execute(select(OwnKey)).scalars():
            k.status = "retired"
        kid = crypto.key_id(rogue_sign[1], rogue_enc[1])
        s.add(OwnKey(key_id=kid, sign_private=rogue_sign[0], sign_public=rogue_sign[1],
                     enc_private=rogue_enc[0], enc_public=rogue_enc[1], status="active"))
    sent = export.export_station(pair.station, pair.usb)
    [r] = receive.import_files(pair.county, [sent.path])
    assert r.status == "refused" and "未注册" in r.message
