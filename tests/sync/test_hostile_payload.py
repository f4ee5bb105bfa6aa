"""A good signature proves who sent a bundle, not that it is sane: bundles signed with a
station's own key (a stolen or broken station PC) that inflate without end, nest without
end, or lie in their manifest are refused with a Chinese message and change nothing; files
are read in chunks, so a huge file is refused without being read whole."""

from __future__ import annotations

import json
import struct
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from registry.store import Store
from sync import receive
from sync.formats import v1
from tests.sync.conftest import Pair, content_hash
from tests.sync.forge import Forger, bomb, first_manifest

MIB = 1 << 20


def _refused(county: Store, path: Path) -> str:
    before = content_hash(county)
    [r] = receive.import_files(county, [path])
    assert r.status == "refused", (r.status, r.message)
    assert content_hash(county) == before
    return r.message


def _peak(work: Callable[[], Any]) -> tuple[Any, int, float]:
    """What `work` returns, the peak of Python memory it allocated, and its seconds."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1], time.perf_counter() - started
    finally:
        tracemalloc.stop()


@pytest.fixture
def forger(pair: Pair) -> Forger:
    return Forger(pair.station, pair.county)


def test_a_bomb_is_refused_before_memory_grows(pair: Pair, forger: Forger) -> None:
    manifest, payload = forger.real(pair.usb)
    path = forger.seal_compressed(manifest, bomb(payload, "household", "note", 128 * MIB),
                                  pair.folder / "bomb.fpb")
    assert path.stat().st_size < 2 * MIB
    message, peak, seconds = _peak(lambda: _refused(pair.county, path))
    assert "解压后超过" in message, message
    assert peak < 32 * MIB and seconds < 10, (peak, seconds)


def test_a_bomb_claiming_huge_counts_is_refused_at_the_cap(pair: Pair, forger: Forger
                                                           ) -> None:
    """The counts are signed but the sender's own word: a bundle claiming a million
    households is still bounded by the absolute cap, and refused without holding it."""
    manifest, payload = forger.real(pair.usb)
    manifest["counts"] = {**manifest["counts"], "household": 1_000_000}
    path = forger.seal_compressed(manifest, bomb(payload, "household", "note", 600 * MIB),
                                  pair.folder / "bomb.fpb")
    message, peak, seconds = _peak(lambda: _refused(pair.county, path))
    assert "解压后超过" in message, message
    assert peak < 32 * MIB and seconds < 20, (peak, seconds)


@pytest.mark.parametrize("nest", [
    lambda n: "[" * n + "]" * n,  # plain
    lambda n: '["]",' * n + '"["' + "]" * n,  # brackets in strings hiding the depth
    lambda n: '{"a":' * n + "1" + "}" * n,
])
def test_deep_nesting_is_refused_without_recursion(pair: Pair, forger: Forger,
                                                   nest: Callable[[int], str]) -> None:
    manifest, payload = forger.real(pair.usb)
    text = v1.canonical(payload).decode()
    at = text.index('"rows":[[') + len('"rows":[[')
    raw = (text[:at] + nest(200_000) + "," + text[at:]).encode()
    message = _refused(pair.county, forger.seal_raw(manifest, raw, pair.folder / "deep.fpb"))
    assert "嵌套" in message or "格式不对" in message, message


def test_broken_json_and_escapes_are_refused(pair: Pair, forger: Forger) -> None:
    manifest, payload = forger.real(pair.usb)
    good = v1.canonical(payload)
    for raw in (good[:-1], b"\xef\xbb\xbf" + good, good.replace(b"[[", b"[NaN,[", 1),
                good[:100] + b"\xff\xfe" + good[100:], b'"\\u0000"', b"1" * 5000):
        _refused(pair.county, forger.seal_raw(manifest, raw, pair.folder / "broken.fpb"))


def _head(manifest_bytes: bytes) -> bytes:
    return (v1.MAGIC + bytes([v1.VERSION]) + struct.pack(">I", len(manifest_bytes))
            + manifest_bytes + bytes(64))


def test_a_deeply_nested_manifest_is_refused(pair: Pair) -> None:
    path = pair.folder / "nested.fpb"
    path.write_bytes(_head(b"[" * 400_000 + b"]" * 400_000) + bytes(100))
    _refused(pair.county, path)


def test_a_2_gib_junk_file_is_refused_without_reading_it(pair: Pair, forger: Forger) -> None:
    manifest, payload = forger.real(pair.usb)
    real = forger.seal(manifest, payload, pair.folder / "real.fpb").read_bytes()
    size = 2 << 30
    mlen = struct.unpack(">I", real[9:13])[0]
    signed = json.loads(real[13:13 + mlen])
    for claimed in (signed["payload_size"], None):  # as signed; or matching the file size
        m = dict(signed)
        if claimed is None:
            m["payload_size"] = size - len(_head(v1.canonical(m)))
        path = pair.folder / "junk.fpb"
        with path.open("wb") as f:
            f.write(_head(v1.canonical(m)))
            f.truncate(size)  # sparse: 2 GiB of zeros after the manifest
        message, peak, seconds = _peak(lambda p=path: _refused(pair.county, p))
        assert peak < 16 * MIB and seconds < 5, (peak, seconds, message)
        path.unlink()


@pytest.mark.parametrize("field,value", [
    ("seq", "1"), ("seq", 1.0), ("seq", True), ("seq", 0), ("seq", -3), ("seq", 2 ** 70),
    ("counts", {"household": "30"}), ("counts", [1, 2]), ("counts", {"household": -1}),
    ("counts", {"household": 10 ** 12}), ("counts", {"x" * 100: 1}),
    ("created_at", "yesterday"), ("prev_hash", "zz" * 32), ("prev_hash", 0),
    ("payload_size", "100"), ("key_id", 12), ("full", "yes"), ("full", 1),
    ("rev_to", "9"), ("schema_version", "1"), ("compression", "gzip"),
    ("cipher", "none"), ("endorsements", {"a": 1}), ("endorsements", [1, 2]),
    ("endorsements", [{"by": 1}] * 1000), ("kind", ["station"]), ("station", 513431102),
    ("county", "x" * 10_000), ("app_version", None),
])
def test_manifest_fields_of_the_wrong_type_are_refused(pair: Pair, forger: Forger,
                                                       field: str, value: Any) -> None:
    manifest, payload = forger.real(pair.usb)
    manifest = first_manifest(manifest)
    manifest[field] = value
    path = pair.folder / "m.fpb"
    if field in ("payload_size", "compression", "cipher"):  # the writer sets these: forge
        data = forger.seal(manifest, payload, path).read_bytes()
        mlen = struct.unpack(">I", data[9:13])[0]
        signed = {**json.loads(data[13:13 + mlen]), field: value}
        path.write_bytes(_head(v1.canonical(signed)) + data[13 + mlen + 64:])
    else:
        forger.seal(manifest, payload, path)
    message = _refused(pair.county, path)
    assert "清单" in message or "不是有效的数据包" in message or "签名" in message, message


def test_a_manifest_seq_of_text_is_not_filed_as_another_bundle(pair: Pair, forger: Forger
                                                              ) -> None:
    manifest, payload = forger.real(pair.usb)
    manifest = first_manifest(manifest)
    text = forger.seal({**manifest, "seq": "1"}, payload, pair.folder / "text.fpb")
    message = _refused(pair.county, text)
    assert "seq" in message, message
    # The genuine bundle 1 still imports afterwards.
    good = forger.seal(manifest, payload, pair.folder / "good.fpb")
    [r] = receive.import_files(pair.county, [good])
    assert r.status == "applied" and r.seq == 1, r.message
