"""The cryptography of the sync: Ed25519 signatures, X25519 + HKDF-SHA256 +
ChaCha20-Poly1305 encryption to a recipient's public key, in 1 MiB chunks whose nonces
number them and mark the last one (so dropping or reordering chunks fails)."""

from __future__ import annotations

import hashlib
import io
import struct
from collections.abc import Callable, Iterator

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sync.errors import SyncError

CHUNK = 1 << 20
_TAG = 16  # ChaCha20-Poly1305 adds this much to each chunk
HKDF_INFO = b"fupin-bundle-v1 payload key"
_RAW = serialization.Encoding.Raw
_RAW_PUB = serialization.PublicFormat.Raw
_RAW_PRIV = serialization.PrivateFormat.Raw
_NO_ENC = serialization.NoEncryption()


def new_sign_key() -> tuple[str, str]:
    """(private hex, public hex) of a fresh Ed25519 key."""
    k = Ed25519PrivateKey.generate()
    return (k.private_bytes(_RAW, _RAW_PRIV, _NO_ENC).hex(),
            k.public_key().public_bytes(_RAW, _RAW_PUB).hex())


def new_enc_key() -> tuple[str, str]:
    k = X25519PrivateKey.generate()
    return (k.private_bytes(_RAW, _RAW_PRIV, _NO_ENC).hex(),
            k.public_key().public_bytes(_RAW, _RAW_PUB).hex())


def key_id(sign_public: str, enc_public: str) -> str:
    return hashlib.sha256(bytes.fromhex(sign_public + enc_public)).hexdigest()[:16]


def fingerprint(sign_public: str, enc_public: str) -> str:
    """The short code staff read to each other by phone: 4 groups of 4 hex digits."""
    digest = hashlib.sha256(b"fupin-fingerprint" + bytes.fromhex(sign_public + enc_public))
    h = digest.hexdigest()[:16].upper()
    return "-".join(h[i:i + 4] for i in range(0, 16, 4))


def sign(private_hex: str, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex)).sign(message)


def verify(public_hex: str, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _payload_key(shared: bytes, eph_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=eph_public + recipient_public,
                info=HKDF_INFO).derive(shared)


def _nonce(index: int, last: bool) -> bytes:
    return struct.pack(">Q", index) + b"\0\0\0" + (b"\1" if last else b"\0")


def encrypt(recipient_public_hex: str, plaintext: bytes) -> bytes:
    """ephemeral public key (32) + chunks of (u32 length + ciphertext with tag)."""
    eph = X25519PrivateKey.generate()
    eph_pub = eph.public_key().public_bytes(_RAW, _RAW_PUB)
    recipient = bytes.fromhex(recipient_public_hex)
    aead = ChaCha20Poly1305(_payload_key(
        eph.exchange(X25519PublicKey.from_public_bytes(recipient)), eph_pub, recipient))
    parts = [eph_pub]
    starts = list(range(0, len(plaintext), CHUNK)) or [0]
    for i, start in enumerate(starts):
        sealed = aead.encrypt(_nonce(i, i == len(starts) - 1), plaintext[start:start + CHUNK],
                              None)
        parts += [struct.pack(">I", len(sealed)), sealed]
    return b"".join(parts)


def decrypt(private_hex: str, blob: bytes) -> bytes:
    return b"".join(decrypt_stream(private_hex, io.BytesIO(blob).read, len(blob)))


def decrypt_stream(private_hex: str, read: Callable[[int], bytes], size: int
                   ) -> Iterator[bytes]:
    """The plaintext of `size` bytes of ciphertext given by `read(n)`, one chunk at a time,
    so a large payload is never held whole; refuses a chunk longer than the writer's."""
    refused = SyncError("数据包无法解密:不是发给本数据库的,或文件已损坏")
    if size < 32 + 4 + 16:
        raise refused
    key = X25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    eph_pub = read(32)
    own_pub = key.public_key().public_bytes(_RAW, _RAW_PUB)
    try:
        shared = key.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    except ValueError:
        raise refused from None
    aead = ChaCha20Poly1305(_payload_key(shared, eph_pub, own_pub))
    pos, index = 32, 0
    while pos < size:
        head = read(4) if pos + 4 <= size else b""
        if len(head) != 4:
            raise refused
        (length,) = struct.unpack(">I", head)
        pos += 4
        if length > CHUNK + _TAG or pos + length > size:
            raise refused
        chunk = read(length)
        pos += length
        if len(chunk) != length:
            raise refused
        try:
            yield aead.decrypt(_nonce(index, pos == size), chunk, None)
        except InvalidTag:
            raise refused from None
        index += 1
