"""Bad bundles change nothing: altered bytes, truncation, revoked or unknown keys, the
wrong county, the wrong private key."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.sync_state import OwnKey
from sync import bundle, county, enroll, export, receive
from sync.errors import SyncError
from tests.sync.conftest import Pair, content_hash, enroll_pair, make_county, make_station


def _refused(pair: Pair, data: bytes, where: Path) -> str:
    where.write_bytes(data)
    [r] = receive.import_files(pair.county, [where])
    assert r.status == "refused", (r.status, r.message)
    return r.message


def test_altered_and_truncated_bundles_refused_store_unchanged(pair: Pair) -> None:
    good = export.export_station(pair.station, pair.usb).path.read_bytes()
    before = content_hash(pair.county)
    rng = random.Random(4)
    target = pair.folder / "bad.fpb"
    head = len(good) - bundle.parse(good).manifest["payload_size"]  # magic…signature
    # Half in the plaintext part (header, manifest, signature), half in the payload.
    offsets = rng.sample(range(head), 100) + rng.sample(range(head, len(good)), 100)
    for at in offsets:
        flipped = bytearray(good)
        flipped[at] ^= rng.randrange(1, 256)
        _refused(pair, bytes(flipped), target)
    for length in rng.sample(range(len(good)), 50):
        _refused(pair, good[:length], target)
    assert content_hash(pair.county) == before
    # The genuine bundle still imports afterwards.
    target.write_bytes(good)
    assert receive.import_files(pair.county, [target])[0].status == "applied"


def test_revoked_key_refused(pair: Pair) -> None:
    first = export.export_station(pair.station, pair.usb)
    assert receive.import_files(pair.county, [first.path])[0].status == "applied"
    county.revoke_station_key(pair.county, pair.station.info.region_code, reason="电脑被盗")
    second = export.export_station(pair.station, pair.usb)
    before = content_hash(pair.county)
    [r] = receive.import_files(pair.county, [second.path])
    assert r.status == "refused" and "吊销" in r.message
    assert content_hash(pair.county) == before

    # The station makes a new key and enrolls again, the county confirming its fingerprint;
    # the revocation reaches it.
    req, ans = pair.folder / "req2.json", pair.folder / "ans2.json"
    fingerprint = enroll.write_request(pair.station, req, new_key=True).fingerprint
    enroll.enroll(pair.county, req, ans, replace_key=fingerprint, reason="密钥被吊销后重新登记")
    enroll.accept(pair.station, ans)
    back = export.export_return(pair.county, pair.station.info.region_code, pair.usb)
    [r] = receive.import_files(pair.station, [back.path])
    assert r.status == "applied", r.message
    with pair.station.session() as s:
        statuses = sorted(k.status for k in s.execute(select(OwnKey)).scalars())
    assert statuses == ["active", "revoked"]
    # Bundles signed by the new key are accepted; the chain goes on.
    third = export.export_station(pair.station, pair.usb)
    results = receive.import_files(pair.county, [second.path, third.path])
    assert [x.status for x in results] == ["refused", "waiting"]


def test_wrong_private_key_cannot_decrypt(pair: Pair) -> None:
    sent = export.export_station(pair.station, pair.usb)
    parsed = bundle.parse(sent.path.read_bytes())
    other = make_county(pair.folder, name="other")
    try:
        enroll.own_fingerprint(other)
        with other.session() as s:
            wrong = s.execute(select(OwnKey)).scalar_one().enc_private
        with pytest.raises(SyncError, match="无法解密"):
            parsed.open(wrong)
        # The other county store (same county code) does not know the station either.
        [r] = receive.import_files(other, [sent.path])
        assert r.status == "refused" and "未登记" in r.message
        # Even once it enrolls the station, a bundle made for the first county is refused.
        enroll_pair(pair.station, other, pair.folder / ".." / pair.folder.name,
                    new_county=True)
        [r] = receive.import_files(other, [sent.path])
        assert r.status == "refused"
    finally:
        other.close()
    with pair.county.session() as s:
        right = s.execute(select(OwnKey)).scalar_one().enc_private
    assert parsed.open(right)["tables"]["household"]["rows"]


def test_wrong_county_and_unknown_station(pair: Pair) -> None:
    elsewhere = make_county(pair.folder, code="513432", name="xide")  # 喜德县
    stranger = make_station(pair.folder, code="513431103", households=3)
    try:
        sent = export.export_station(pair.station, pair.usb)
        enroll.own_fingerprint(elsewhere)  # its keys exist, as after `fupin init`
        before = content_hash(elsewhere)
        [r] = receive.import_files(elsewhere, [sent.path])
        assert r.status == "refused" and "此数据包是发给昭觉县的,不是本县(喜德县)" in r.message
        assert content_hash(elsewhere) == before
        # An enrolled-looking station of the same county that the county never enrolled.
        with pytest.raises(SyncError, match="尚未在县扶贫办注册"):
            export.export_station(stranger, pair.usb)
        # A return bundle is not for the county, nor a station bundle for a station.
        back = export.export_return(pair.county, pair.station.info.region_code, pair.usb)
        [r] = receive.import_files(pair.county, [back.path])
        assert r.status == "refused"
        [r] = receive.import_files(pair.station, [sent.path])
        assert r.status == "refused"
    finally:
        elsewhere.close()
        stranger.close()


def test_request_from_another_county_refused(pair: Pair) -> None:
    elsewhere = make_county(pair.folder, code="513432", name="xide")
    try:
        req = pair.folder / "req-x.json"
        enroll.write_request(pair.station, req)
        with pytest.raises(SyncError, match="其他县"):
            enroll.enroll(elsewhere, req, pair.folder / "ans-x.json")
        altered = req.read_text(encoding="utf-8").replace("竹核镇", "竹核乡")
        req.write_text(altered, encoding="utf-8")
        with pytest.raises(SyncError, match="签名无效"):
            enroll.enroll(pair.county, req, pair.folder / "ans-y.json")
    finally:
        elsewhere.close()
