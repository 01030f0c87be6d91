"""Password hashing (argon2id), session tokens, one-time codes and the session expiry rules."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .config import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT

#: argon2id at OWASP's recommended parameters (Password Storage Cheat Sheet: 19 MiB, 2 passes,
#: 1 lane; about 20 ms of one core here). Chosen over the library defaults (RFC 9106's low-memory
#: profile, 64 MiB x 3 passes x 4 lanes: 0.18 s of CPU per login here) so that a 2-core server
#: can take the logins of a busy morning (bench/README.md: 10 logins/s would have needed 1.8
#: cores) and so that parallel login floods cannot pin 64 MiB each; guessing stays throttled per
#: name and per source (throttle.py) whatever a hash costs. Hashes stored with other parameters
#: are replaced at the owner's next successful login (:func:`password_needs_rehash`).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


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


def password_needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than today's (then it is replaced by
    a fresh hash of the password the owner has just logged in with)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_code() -> str:
    """A one-time code: 160 random bits as 32 base32 characters in groups of four
    (``ABCD-EFGH-...``), easy to type from a mail or a letter."""
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(text: str) -> str:
    """What the resident typed, without spaces/dashes and in upper case (``O``/``0`` are kept apart)."""
    return re.sub(r"[\s-]+", "", text).upper()


def code_hash(code: str) -> str:
    """SHA-256 of the normalised code (the code is 160 random bits: no slow hash needed)."""
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def session_expires_at(
    created_at: dt.datetime,
    last_used_at: dt.datetime,
    idle: dt.timedelta = IDLE_TIMEOUT,
    absolute: dt.timedelta = ABSOLUTE_TIMEOUT,
) -> dt.datetime:
    """A session expires after ``idle`` without use or ``absolute`` after login, whichever is first."""
    return min(last_used_at + idle, created_at + absolute)


def session_is_expired(
    created_at: dt.datetime,
    last_used_at: dt.datetime,
    now: dt.datetime,
    idle: dt.timedelta = IDLE_TIMEOUT,
    absolute: dt.timedelta = ABSOLUTE_TIMEOUT,
) -> bool:
    return now >= session_expires_at(created_at, last_used_at, idle, absolute)
