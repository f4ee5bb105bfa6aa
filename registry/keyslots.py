"""Per-user key slots beside the store (`<store>.keys`).

The database is encrypted with one random 256-bit data key. Each user's password goes
through scrypt and wraps that key with AES-256-GCM, so every user has their own password,
removing a user removes a slot (no re-encryption), and a wrong password is told apart from
a damaged database by the GCM tag, not by SQLCipher's "file is not a database". The file
holds only user names, salts, KDF parameters and wrapped keys, and a `role` text that
programs before schema 3 read: roles now live inside the encrypted store (app_user), and
this text is read once, when a store of schema 2 or older is upgraded, never after.

The recovery key is the data key itself, written for printing: even the stock `sqlcipher`
shell opens the store with `PRAGMA key = "x'<recovery key without dashes>'"`.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from registry.errors import NotAStore, StoreError, WrongPassword
from registry.files import write_atomic

FORMAT = "fupin-keyslots"
VERSION = 1
# scrypt N=2^15, r=8, p=1: ~0.1 s and 32 MiB per try on an office PC — slow for a
# guesser, unnoticeable at login.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_data_key() -> bytes:
    return os.urandom(32)


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


@dataclass
class Slot:
    user: str
    role: str
    salt: str
    nonce: str
    wrapped: str
    kdf: str = "scrypt"
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    @classmethod
    def seal(cls, user: str, role: str, password: str, data_key: bytes, store_id: str) -> Slot:
        salt, nonce = os.urandom(16), os.urandom(12)
        kek = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        wrapped = AESGCM(kek).encrypt(nonce, data_key, _aad(store_id, user))
        return cls(user, role, _b64(salt), _b64(nonce), _b64(wrapped))

    def open(self, password: str, store_id: str) -> bytes:
        kek = _derive(password, _unb64(self.salt), self.n, self.r, self.p)
        try:
            return AESGCM(kek).decrypt(_unb64(self.nonce), _unb64(self.wrapped),
                                       _aad(store_id, self.user))
        except InvalidTag:
            raise WrongPassword("用户名或密码不正确") from None


def _aad(store_id: str, user: str) -> bytes:
    # Binds a slot to its store and user: a slot copied into another file won't open.
    return f"{FORMAT}\0{store_id}\0{user}".encode()


@dataclass
class KeySlots:
    store_id: str
    slots: list[Slot] = field(default_factory=list)

    @staticmethod
    def path_for(store_path: Path) -> Path:
        return Path(str(store_path) + ".keys")

    @classmethod
    def load(cls, store_path: Path) -> KeySlots:
        path = cls.path_for(store_path)
        if not Path(store_path).exists():
            raise NotAStore(f"找不到数据库文件:{store_path}")
        if not path.exists():
            raise NotAStore(f"找不到密钥文件 {path.name}(应与数据库放在同一文件夹)。"
                            "如果密钥文件丢失,请用恢复密钥打开。")
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError
            if data.get("version") != VERSION:
                raise StoreError("密钥文件版本不受支持,请升级本程序")
            return cls(store_id=data["store_id"], slots=[Slot(**s) for s in data["slots"]])
        except StoreError:
            raise
        except (ValueError, KeyError, TypeError):
            raise NotAStore(f"{path.name} 不是本系统的密钥文件,或已损坏") from None

    def save(self, store_path: Path) -> None:
        data = {"format": FORMAT, "version": VERSION, "store_id": self.store_id,
                "slots": [asdict(s) for s in self.slots]}
        body = json.dumps(data, ensure_ascii=False, indent=1).encode()
        write_atomic(self.path_for(store_path), body)

    def find(self, user: str) -> Slot | None:
        return next((s for s in self.slots if s.user == user), None)

    def unlock(self, user: str, password: str) -> bytes:
        slot = self.find(user)
        if slot is None:
            # Same message and a comparable cost as a wrong password: no user enumeration.
            _derive(password, b"\0" * 16, SCRYPT_N, SCRYPT_R, SCRYPT_P)
            raise WrongPassword("用户名或密码不正确")
        return slot.open(password, self.store_id)

    def users(self) -> list[tuple[str, str]]:
        return [(s.user, s.role) for s in self.slots]


def format_recovery_key(data_key: bytes) -> str:
    h = data_key.hex().upper()
    return "-".join(h[i:i + 4] for i in range(0, len(h), 4))


def parse_recovery_key(text: str) -> bytes:
    h = "".join(ch for ch in text if ch not in " -\t\r\n")
    try:
        key = bytes.fromhex(h)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise WrongPassword("恢复密钥应为64位十六进制字符(0-9、A-F),请逐组核对")
    return key
