"""Password hashing (argon2id), session tokens and their expiry rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .config import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT

_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("dummy-password-for-timing-" + secrets.token_hex(8))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Verify; with ``password_hash=None`` spend the same time against a dummy hash and fail."""
    target = password_hash or _dummy_hash()
    try:
        ok = _hasher.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    return ok and password_hash is not None


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def generate_password(length: int = 12) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def session_expires_at(created_at: dt.datetime, last_used_at: dt.datetime,
                       idle: dt.timedelta = IDLE_TIMEOUT, absolute: dt.timedelta = ABSOLUTE_TIMEOUT) -> dt.datetime:
    """A session expires after ``idle`` without use or ``absolute`` after login, whichever is first."""
    return min(last_used_at + idle, created_at + absolute)


def session_is_expired(created_at: dt.datetime, last_used_at: dt.datetime, now: dt.datetime,
                       idle: dt.timedelta = IDLE_TIMEOUT, absolute: dt.timedelta = ABSOLUTE_TIMEOUT) -> bool:
    return now >= session_expires_at(created_at, last_used_at, idle, absolute)
