"""Importing bundles, at the county (station bundles) or at a station (return bundles):
verify → stage → one transaction.

Verify: structure, payload hash, sender enrolled, signing key trusted and not revoked,
signature, addressed to this store, decryptable. Then the chain: a replay is a no-op, a
second bundle with a known sequence number and another hash is a fork (refused and
logged), a bundle after a gap waits (kept in the store) and is applied when the gap fills.
A full bundle may jump a gap: it carries everything.

At the county a station bundle is first merged as its payload is read, never held whole
(`_receive_streamed`); whatever that does not apply is decided again from the start with
the payload read whole."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from registry import migrations
from registry.audit import GENESIS
from registry.models import utcnow
from registry.progress import Progress, no_progress
from registry.regions import sichuan
from registry.store import Store
from registry.sync_state import Inbox, KeyEvent, Peer, Receipt, ReceivedBundle
from sync import bundle, chain_check, formats, wire
from sync.errors import SyncError
from sync.formats import upgrade
from sync.formats.sections import NotStreamable
from sync.keys import TrustedKey, ensure_keys, learn_key, own_key, resolve_signer
from sync.merge import Counts, StationMerge

# The outcomes are named in sync/names.py; `sync.receive.APPLIED` etc. stay importable.
from sync.names import APPLIED as APPLIED
from sync.names import BUCKET_NAMES, counts_text
from sync.names import REFUSED as REFUSED
from sync.names import REPLAY as REPLAY
from sync.names import WAITING as WAITING
from sync.payload import check_sent
from sync.returns import apply_return


@dataclass
class ImportResult:
    file: str
    status: str  # applied | replay | waiting | refused
    message: str
    peer: str = ""
    peer_name: str = ""
    seq: int | None = None
    counts: Counts = field(default_factory=dict)
    also_applied: list[int] = field(default_factory=list)  # waiting bundles it released

    @property
    def ok(self) -> bool:
        """Applied or a harmless no-op (a waiting bundle is kept, not applied)."""
        return self.status in (APPLIED, REPLAY)

    def summary(self) -> str:
        """The counts in words: "农户:新增 3,更新 1;家庭成员:新增 10"."""
        return counts_text(self.counts)


class _Fork(SyncError):
    pass


_log = logging.getLogger("fupin.sync")


def place_name(code: str) -> str:
    d = sichuan().get(code)
    return d.name if d else code


def import_files(store: Store, files: Iterable[Path], progress: Progress = no_progress
                 ) -> list[ImportResult]:
    """Imports bundle files; they are applied in sequence order per sender, whatever the
    order given. Never raises for a bad bundle: each result says what happened.
    `progress` returning False raises Cancelled; the bundle being applied rolls back
    (bundles applied before it stay applied)."""
    ensure_keys(store)
    results: list[ImportResult] = []
    staged: list[tuple[Path, bundle.Parsed]] = []
    for f in files:
        f = Path(f)
        try:  # the header, the manifest and a hash of the payload: the file is not kept
            staged.append((f, bundle.parse_file(f)))
        except OSError:
            results.append(ImportResult(f.name, REFUSED, f"无法读取文件:{f}"))
        except SyncError as e:
            results.append(ImportResult(f.name, REFUSED, str(e)))
    staged.sort(key=lambda x: (str(x[1].manifest["sender"]), _int(x[1].manifest["seq"])))
    for i, (f, parsed) in enumerate(staged):
        def part(done: int, total: int, i: int = i) -> bool:  # file i's share of the bar
            return progress(i * 1000 + done * 1000 // max(total, 1), len(staged) * 1000)
        try:
            results.append(receive(store, f.name, parsed, part))
        except OSError:  # the file went away (a pulled stick) after its manifest was read
            results.append(ImportResult(f.name, REFUSED, f"无法读取文件:{f}"))
    progress(1, 1)
    return results


def _int(v: Any) -> int:
    return v if isinstance(v, int) else 0


def receive(store: Store, name: str, parsed: bundle.Parsed, progress: Progress = no_progress
            ) -> ImportResult:
    """Imports one bundle and then, if it was applied, the waiting bundles that now follow
    on from it, one after another (a loop: gaps of any length)."""
    result = _receive_one(store, name, parsed, progress)
    if result.status == APPLIED:
        result.also_applied = _release_waiting(store, result.peer, progress)
        if result.also_applied:
            result.message += f";随后导入了等待中的第 {_ranges(result.also_applied)} 号"
    return result


def _ranges(numbers: list[int]) -> str:
    """[2, 3, 4, 7] → "2–4、7"."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and spans[-1][1] == n - 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return "、".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans)


def _receive_one(store: Store, name: str, parsed: bundle.Parsed, progress: Progress
                 ) -> ImportResult:
    if store.info.office:
        streamed = _receive_streamed(store, name, parsed, progress)
        if streamed is not None:
            return streamed
    m = parsed.manifest
    result = ImportResult(name, REFUSED, "", str(m["sender"]), place_name(str(m["sender"])),
                          _int(m["seq"]))
    try:
        trusted, payload = _verify(store, parsed)
        result.peer_name = _peer_name(store, result.peer)
        _chain(store, name, parsed, trusted, payload, result, progress)
    except _Fork as e:
        _log_fork(store, name, parsed)
        result.status, result.message = REFUSED, str(e)
    except SyncError as e:
        result.status, result.message = REFUSED, str(e)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        # Signed by a known key but malformed (another program version?): still refused,
        # and the transaction has rolled back.
        result.status = REFUSED
        result.message = f"数据包内容格式不对,已拒绝({type(e).__name__}: {e})"
    except (IntegrityError, DataError) as e:
        # A row the checks let through but the database refuses (a unique key the merge
        # does not know of): the whole bundle rolls back; no traceback reaches the user.
        result.status = REFUSED
        result.message = ("数据包中的记录与本库已有的记录冲突,数据库拒绝保存,已拒绝导入,"
                          f"数据库未作任何改动({type(e.orig).__name__})")
    return result


@dataclass(frozen=True)
class _Stream:
    """A payload merged as it is read (`_receive_streamed`)."""

    parsed: bundle.Parsed
    enc_private: str


class _NotApplied(Exception):
    """The streamed import reached an outcome other than applying the bundle."""


# What makes the streamed import give way: every refusal, and what only the whole payload
# decides (sync/formats/sections.py's NotStreamable, sync/merge.py's apply_sections).
_GIVE_WAY = (NotStreamable, _NotApplied, SyncError, KeyError, TypeError, ValueError,
             AttributeError, IndexError, RecursionError, IntegrityError, DataError)


def _receive_streamed(store: Store, name: str, parsed: bundle.Parsed, progress: Progress
                      ) -> ImportResult | None:
    """A station bundle of this program's schema imported at the county as its payload is
    decrypted and read, a section and a batch of rows at a time (sync/merge.py's
    apply_sections), never held whole: the same checks, record by record, in the same one
    transaction. Only the bundle applied stands. Any other outcome (a refusal, a replay, a
    bundle that waits, a fork) or a payload laid out otherwise rolls back and returns
    None: the whole-payload path then decides from the start, so its messages and what it
    records stay exactly what they were."""
    m = parsed.manifest
    result = ImportResult(name, REFUSED, "", str(m["sender"]), place_name(str(m["sender"])),
                          _int(m["seq"]))
    try:
        trusted, enc_private, schema = _sender(store, parsed)
        if schema != migrations.SCHEMA_VERSION:  # older rows are upgraded whole
            return None
        result.peer_name = _peer_name(store, result.peer)
        _chain(store, name, parsed, trusted, _Stream(parsed, enc_private), result, progress)
    except _GIVE_WAY as e:
        _log.info("bundle read whole after the streamed import stopped (%s)", type(e).__name__)
        return None
    return result


def _peer_name(store: Store, code: str) -> str:
    with store.session() as s:
        peer = s.get(Peer, code)
    return peer.name if peer else place_name(code)


def _addressed(store: Store, m: dict[str, Any]) -> None:
    """Is the bundle meant for this store at all? (Refusing only: nothing is trusted yet.)"""
    info = store.info
    if info.office:  # from a station, or from an office below (the roll-up)
        if m["kind"] != "station":
            raise SyncError("这是县里发给乡镇的回传数据包,应在乡镇工作站导入")
        if m["county"] != info.region_code or m["recipient"] != info.region_code:
            raise SyncError(f"此数据包是发给{place_name(str(m['county']))}的,"
                            f"不是{'本县' if info.kind == 'county' else '本单位'}"
                            f"({info.region_name}),已拒绝")
    else:
        if m["kind"] != "return":
            raise SyncError("这是乡镇发给县里的数据包,应在县扶贫办导入")
        if m["recipient"] != info.region_code:
            raise SyncError(f"此回传数据包是发给{place_name(str(m['recipient']))}的,"
                            "不是本站,已拒绝")


def _verify(store: Store, parsed: bundle.Parsed) -> tuple[TrustedKey, dict[str, Any]]:
    trusted, enc_private, schema = _sender(store, parsed)
    payload = parsed.open(enc_private)
    check_sent(parsed.manifest, payload)  # as sent, before the upgrade may add or drop rows
    return trusted, upgrade.to_current(payload, schema)


def _sender(store: Store, parsed: bundle.Parsed) -> tuple[TrustedKey, str, int]:
    """What is checked before the payload is read: the sender's key, its signature, the
    store the bundle is for, the schema; returns the key, this store's private key to
    decrypt with, and the schema of the rows."""
    m = parsed.manifest
    info = store.info
    sender = str(m["sender"])
    _addressed(store, m)
    with store.session() as s:
        peer = s.get(Peer, sender)
        if peer is None:
            who = {"station": "县扶贫办", "county": "乡镇"}.get(info.kind, "下级单位")
            raise SyncError(f"未登记的{who}:{place_name(sender)}({sender})。"
                            "请先完成注册(sync enroll / sync accept)再导入。")
        chain = m["endorsements"] if isinstance(m["endorsements"], list) else []
        trusted = resolve_signer(s, sender, str(m["key_id"]), chain)
        parsed.verify(trusted.sign_public)
        mine, theirs = (("county_store", "station_store") if info.office
                        else ("station_store", "county_store"))
        if m[mine] != info.store_id:
            raise SyncError("此数据包是发给另一个数据库的(本库已重新建立或重新注册);"
                            "请对方重新注册后导出完整数据包")
        if m[theirs] != peer.store_id:
            raise SyncError(f"此数据包来自{peer.name}以前的数据库(已重新注册),已拒绝")
        schema = formats.schema_version(m)  # a newer program's rows: refused here
        if info.office:
            chain_check.stated_head(m)  # refuses a station bundle stating no chain
        key = own_key(s, str(m["recipient_key_id"]))
        if key is None:
            raise SyncError("此数据包不是用本数据库的公钥加密的,无法解密,已拒绝")
        enc_private = key.enc_private
    return trusted, enc_private, schema


def _missing(expected: int, upto: int, waiting: set[int]) -> str:
    gaps: list[tuple[int, int]] = []
    for n in range(expected, upto):
        if n in waiting:
            continue
        if gaps and gaps[-1][1] == n - 1:
            gaps[-1] = (gaps[-1][0], n)
        else:
            gaps.append((n, n))
    return "、".join(f"{a}" if a == b else f"{a}–{b}" for a, b in gaps)


def gap_message(name: str, expected: int, upto: int, waiting: set[int],
                from_station: bool = True) -> str:
    """"乡镇 竹核镇: 第 41–42 号数据包缺失" (at a station: "昭觉县: 第 3 号回传数据包缺失")."""
    missing = _missing(expected, upto, waiting)
    if from_station:
        return f"乡镇 {name}: 第 {missing} 号数据包缺失"
    return f"{name}: 第 {missing} 号回传数据包缺失"


def _chain(store: Store, name: str, parsed: bundle.Parsed, trusted: TrustedKey,
           payload: dict[str, Any] | _Stream, result: ImportResult, progress: Progress
           ) -> None:
    m = parsed.manifest
    peer, seq = result.peer, _int(m["seq"])
    with store.transaction() as s:
        inbox = _inbox(s, peer)
        prior = list(s.execute(select(ReceivedBundle).where(
            ReceivedBundle.peer_code == peer, ReceivedBundle.seq == seq,
            ReceivedBundle.status.in_(("applied", "waiting")))).scalars())
        same = [p for p in prior if p.hash == parsed.hash]
        expected = inbox.last_seq + 1
        if same and same[0].status == "applied":
            _whole(payload)
            result.status, result.message = REPLAY, f"第 {seq} 号数据包已导入过,未作改动"
            return
        if same and seq > expected:
            _whole(payload)
            result.status = WAITING
            result.message = "已在等待中:" + _gap(s, result.peer_name, inbox, seq)
            return
        if len(prior) > len(same):
            raise _Fork(f"{result.peer_name}:第 {seq} 号数据包与已收到的同号数据包内容不同"
                        "(分叉),已拒绝。请联系该乡镇核查。")
        if seq < expected:
            _whole(payload)
            result.status = REPLAY
            result.message = f"第 {seq} 号数据包已被后来的完整数据包包含,未作改动"
            return
        if seq > expected and not m["full"]:
            _whole(payload)
            s.add(ReceivedBundle(peer_code=peer, seq=seq, hash=parsed.hash, status="waiting",
                                 file_name=name, manifest=parsed.manifest_bytes.decode(),
                                 data=parsed.file_bytes(), received_at=utcnow()))
            s.flush()
            result.status = WAITING
            result.message = _gap(s, result.peer_name, inbox, seq) + \
                f";第 {seq} 号已保存,待缺失的数据包导入后自动导入"
            return
        if seq == expected and m["prev_hash"] != inbox.last_hash:
            raise _Fork(f"{result.peer_name}:第 {seq} 号数据包的前一包哈希与已导入的第 "
                        f"{seq - 1} 号不符(分叉),已拒绝。请联系该乡镇核查。")
        result.counts, notes = _apply(store, s, inbox, parsed, trusted, payload, name,
                                      progress)
        result.status = APPLIED
        result.message = f"第 {seq} 号数据包已导入" + ("".join(f"。{n}" for n in notes))


def _whole(payload: dict[str, Any] | _Stream) -> None:
    """Before an outcome other than applying: the streamed import gives way (its payload
    was not read; the whole-payload path checks it before deciding)."""
    if isinstance(payload, _Stream):
        raise _NotApplied


def _gap(s: Session, peer_name: str, inbox: Inbox, seq: int) -> str:
    waiting = set(s.execute(select(ReceivedBundle.seq).where(
        ReceivedBundle.peer_code == inbox.peer_code, ReceivedBundle.status == "waiting"))
        .scalars())
    peer = s.get(Peer, inbox.peer_code)
    return gap_message(peer_name, inbox.last_seq + 1, seq, waiting,
                       from_station=peer is None or peer.role == "station")


def _inbox(s: Session, peer: str) -> Inbox:
    inbox = s.get(Inbox, peer)
    if inbox is None:
        inbox = Inbox(peer_code=peer, last_seq=0, last_hash=GENESIS, audit_hash=GENESIS)
        s.add(inbox)
        s.flush()
    return inbox


def _apply(store: Store, s: Session, inbox: Inbox, parsed: bundle.Parsed, trusted: TrustedKey,
           payload: dict[str, Any] | _Stream, name: str, progress: Progress
           ) -> tuple[Counts, list[str]]:
    m = parsed.manifest
    seq = _int(m["seq"])
    notes: list[str] = []
    learn_key(s, inbox.peer_code, trusted)
    if store.info.office:
        if trusted.new:  # the station rotated: acknowledge in its next return bundle
            s.add(KeyEvent(subject_code=inbox.peer_code, key_id=trusted.key_id,
                           action="rotate", sign_public=trusted.sign_public,
                           enc_public=trusted.enc_public, at=utcnow()))
        with wire.reader(s) as read:
            merge = StationMerge(s, inbox.peer_code, seq, progress, read)
            if isinstance(payload, _Stream):
                inbox.audit_hash = merge.apply_sections(
                    payload.parsed.sections(payload.enc_private), m["counts"],
                    inbox.audit_hash)
            else:
                inbox.audit_hash = merge.apply(payload, inbox.audit_hash)
        counts = merge.counts
        notes = chain_check.compare(s, inbox, m, seq, chain_check.accepted_entries(counts))
        s.add(Receipt(station_code=inbox.peer_code, seq=seq, bundle_hash=parsed.hash,
                      counts=bundle.canonical(counts).decode(),
                      message="。".join([_receipt_text(counts), *notes]),
                      received_by=store.user, received_at=utcnow(),
                      audit_head=inbox.audit_hash, audit_length=inbox.audit_length))
    else:
        assert not isinstance(payload, _Stream)  # return bundles are read whole
        counts, notes = apply_return(s, store.info.region_code, payload)
    waiting = s.execute(select(ReceivedBundle).where(
        ReceivedBundle.peer_code == inbox.peer_code, ReceivedBundle.seq == seq,
        ReceivedBundle.hash == parsed.hash)).scalar()
    if waiting is None:
        s.add(ReceivedBundle(peer_code=inbox.peer_code, seq=seq, hash=parsed.hash,
                             status="applied", file_name=name,
                             manifest=parsed.manifest_bytes.decode(), received_at=utcnow(),
                             applied_at=utcnow()))
    else:
        waiting.status, waiting.data, waiting.applied_at = "applied", None, utcnow()
    if m["full"]:  # everything older is contained in it
        s.execute(delete(ReceivedBundle).where(
            ReceivedBundle.peer_code == inbox.peer_code, ReceivedBundle.status == "waiting",
            ReceivedBundle.seq < seq))
    inbox.last_seq = seq
    inbox.last_hash = parsed.hash
    return counts, notes


def _receipt_text(counts: Counts) -> str:
    total = {b: sum(c[b] for c in counts.values()) for b in BUCKET_NAMES}
    return ",".join(f"{BUCKET_NAMES[b]} {n}" for b, n in total.items())


def _release_waiting(store: Store, peer: str, progress: Progress) -> list[int]:
    """Applies the waiting bundles that now follow on, in turn, until the next gap (or one
    that is refused); returns their numbers."""
    released: list[int] = []
    while True:
        with store.session() as s:
            inbox = s.get(Inbox, peer)
            nxt = s.execute(select(ReceivedBundle).where(
                ReceivedBundle.peer_code == peer, ReceivedBundle.status == "waiting",
                ReceivedBundle.seq == (inbox.last_seq + 1 if inbox else 1))).scalar()
            if nxt is None or nxt.data is None:
                return released
            data, name, seq = nxt.data, nxt.file_name, nxt.seq
        try:
            parsed = bundle.parse(data)
        except SyncError:
            return released
        if _receive_one(store, name, parsed, progress).status != APPLIED:
            return released
        released.append(seq)


def _log_fork(store: Store, name: str, parsed: bundle.Parsed) -> None:
    """A fork is refused but remembered, so the status shows it to the county."""
    m = parsed.manifest
    with store.transaction() as s:
        known = s.execute(select(ReceivedBundle).where(
            ReceivedBundle.peer_code == str(m["sender"]), ReceivedBundle.seq == _int(m["seq"]),
            ReceivedBundle.hash == parsed.hash)).scalar()
        if known is None:
            s.add(ReceivedBundle(peer_code=str(m["sender"]), seq=_int(m["seq"]),
                                 hash=parsed.hash, status="fork", file_name=name,
                                 manifest=parsed.manifest_bytes.decode(), received_at=utcnow()))
        elif known.status == "waiting":
            known.status, known.data = "fork", None
