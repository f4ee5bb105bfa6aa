"""How much a bundle may make us read and inflate: a good signature proves who sent it, not
that its payload is sane (a stolen station PC signs whatever it likes).

The payload is inflated as a stream, a slice at a time, and refused as soon as it passes
its limit: the manifest's record counts times a generous allowance per record, at least a
floor (small bundles never come near it), at most an absolute cap whatever the counts claim.
The limits are far above what any real station sends: a 20,000-household full bundle
inflates to about 60 MB, some 250 bytes per record."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Mapping

from sync.errors import SyncError

PER_RECORD = 8 << 10  # bytes of JSON one record may take: 30× a real one
FLOOR = 4 << 20  # every bundle may inflate this far, whatever its counts
CAP = 512 << 20  # and none further, whatever its counts claim
MAX_RECORDS = 10_000_000  # per table in one bundle: more is not a township
_SLICE = 1 << 20  # inflated at most this much per step, so memory grows in small steps
_MB = 1 << 20


def inflated_limit(counts: Mapping[str, int]) -> int:
    """The most a payload with these (already checked) record counts may inflate to."""
    return min(CAP, max(FLOOR, PER_RECORD * sum(counts.values())))


def payload_size_limit(counts: Mapping[str, int]) -> int:
    """The most the encrypted payload may take on disk: deflate never grows data by more
    than a few bytes per 16 KiB block, the cipher adds 20 bytes per 1 MiB chunk."""
    inflated = inflated_limit(counts)
    return inflated + inflated // 256 + (64 << 10)


def too_big(limit: int) -> SyncError:
    return SyncError(f"数据包内容解压后超过 {limit // _MB} MB(按清单中的记录数,最多允许这么多),"
                     "可能是恶意构造的文件,已拒绝")


def inflate(chunks: Iterable[bytes], limit: int, keep: bool = True) -> bytes:
    """zlib-inflates the payload given in `chunks`; refuses (SyncError) once it passes
    `limit` bytes, before they are held. With keep=False nothing is kept: the size is
    only measured (the first of two passes, so no claimed count makes memory grow)."""
    kept: list[bytes] = []
    for piece in inflated(chunks, limit):
        if keep:
            kept.append(piece)
    return b"".join(kept)


def inflated(chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """`inflate` as a stream: the inflated payload at most a slice at a time, refused
    (SyncError) once it passes `limit` bytes, or at the end when the stream is broken."""
    z = zlib.decompressobj()
    total = 0
    for chunk in chunks:
        if z.eof:
            if chunk:
                raise _broken()
            continue
        data = chunk
        while True:
            try:
                piece = z.decompress(data, _SLICE)
            except zlib.error:
                raise _broken() from None
            total += len(piece)
            if total > limit:
                raise too_big(limit)
            if piece:
                yield piece
            data = z.unconsumed_tail
            # A full slice may leave output inside zlib even when no input is left.
            if not data and len(piece) < _SLICE:
                break
    if not z.eof or z.unused_data:
        raise _broken()


def _broken() -> SyncError:
    return SyncError("数据包内容无法解压或解析,已拒绝")
