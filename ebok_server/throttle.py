"""Throttling held in the database (so it holds across server processes), the client's source
address, and the bounded pool that runs argon2.

Every limit *reserves* a slot with one atomic statement before the expensive or sensitive work
(an ``INSERT .. ON CONFLICT DO UPDATE .. WHERE count < limit RETURNING``): parallel requests can
never together pass a limit, on SQLite or PostgreSQL. See docs/API.md, "Throttling".
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import BigInteger, case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .config import Limits, Settings
from .errors import ApiError, error_response
from .models import LoginThrottle, RateCounter
from .staff_models import StaffLoginThrottle


def rate_limited(retry_after: float, message: str = "Too many requests; try again later.") -> ApiError:
    return ApiError(429, "rate_limited", message, headers={"Retry-After": str(max(1, math.ceil(retry_after)))})


def busy() -> ApiError:
    return ApiError(503, "server_busy", "The server is busy; try again in a moment.", headers={"Retry-After": "1"})


def insert_for(db: AsyncSession, model):
    name = db.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"throttling needs an upsert for {name}")  # pragma: no cover


# ---- source address -------------------------------------------------------------------------------
def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def source_address(request: Request) -> str:
    """The client's address: the socket peer, or — only when the peer is a configured trusted proxy —
    the right-most X-Forwarded-For entry that is not itself a trusted proxy."""
    return scope_source(request.scope, request.app.state.settings)


def scope_source(scope, settings: Settings) -> str:
    """:func:`source_address` for a raw ASGI scope."""
    peer = scope.get("client")
    addr = _parse_ip(peer[0]) if peer else None
    if addr is None:
        return "unknown"

    def trusted(a) -> bool:
        return any(a in net for net in settings.trusted_proxies)

    if trusted(addr):
        values = [v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"x-forwarded-for"]
        hops = [h for v in values for h in v.split(",")]
        for hop in reversed(hops):
            ip = _parse_ip(hop)
            if ip is None:
                break  # a garbled entry: trust nothing further left
            addr = ip
            if not trusted(ip):
                break
    return addr.compressed


# ---- fixed-window counters ----------------------------------------------------------------------
def blocked(settings: Settings) -> dict[tuple[str, str], float]:
    """(scope, key) -> epoch second until which the database said the limit is reached."""
    return settings.extra.setdefault("_blocked", {})


@dataclass(frozen=True)
class Slot:
    scope: str
    key: str
    window: int


async def reserve(
    db: AsyncSession,
    settings: Settings,
    scope: str,
    key: str,
    limit: int,
    window_s: int,
    message: str = "Too many requests; try again later.",
) -> Slot:
    """Take one of ``limit`` slots of ``scope``/``key`` in the current window (committed at once),
    or raise 429 with the seconds to the window's end."""
    now = settings.clock()
    window = int(now // window_s)
    end = (window + 1) * window_s
    ins = insert_for(db, RateCounter).values(
        scope=scope, key=key, window=window, count=1, expires_at_ms=int(end * 1000)
    )
    stmt = ins.on_conflict_do_update(
        index_elements=[RateCounter.scope, RateCounter.key, RateCounter.window],
        set_={"count": RateCounter.count + 1},
        where=RateCounter.count < limit,
    ).returning(RateCounter.count)
    got = (await db.execute(stmt)).scalar_one_or_none() if limit > 0 else None
    await db.commit()
    if got is None:
        # Remember it in this process: until the window ends the gate answers without the database.
        blocked(settings)[(scope, key)] = end
        raise rate_limited(end - now, message)
    await _cleanup(db, settings)
    return Slot(scope, key, window)


async def refund(db: AsyncSession, slot: Slot) -> None:
    """Give a reserved slot back (the attempt turned out to be a success)."""
    await db.execute(
        update(RateCounter)
        .where(
            RateCounter.scope == slot.scope,
            RateCounter.key == slot.key,
            RateCounter.window == slot.window,
            RateCounter.count > 0,
        )
        .values(count=RateCounter.count - 1)
    )
    await db.commit()


_CLEANUP_EVERY_S = 60.0


async def _cleanup(db: AsyncSession, settings: Settings) -> None:
    """Drop counters of past windows and this process's expired blocks (at most once a minute)."""
    state = settings.extra
    now = settings.clock()
    if now - state.get("_throttle_cleanup_at", 0.0) < _CLEANUP_EVERY_S:
        return
    state["_throttle_cleanup_at"] = now
    table = blocked(settings)
    for key in [k for k, until in table.items() if until <= now]:
        del table[key]
    await db.execute(delete(RateCounter).where(RateCounter.expires_at_ms < int(now * 1000)))
    for throttle in (LoginThrottle, StaffLoginThrottle):
        await db.execute(
            delete(throttle).where(
                throttle.last_at_ms < int((now - settings.limits.login_reset_after_s) * 1000),
                throttle.next_at_ms < int(now * 1000),
            )
        )
    await db.commit()


# ---- login: progressive delay per account ------------------------------------------------------
def login_delay_s(limits: Limits, attempt: int) -> int:
    """Seconds attempt ``attempt + 1`` must wait after attempt ``attempt`` started (1-based)."""
    if attempt < limits.login_free_attempts:
        return 0
    k = attempt - limits.login_free_attempts  # 0 for the last free attempt
    return min(limits.login_delay_base_s * 2**k, limits.login_delay_cap_s)


def _delay_ms_expr(limits: Limits, attempts):
    whens = []
    attempt = limits.login_free_attempts
    while login_delay_s(limits, attempt) < limits.login_delay_cap_s:
        whens.append((attempts == attempt, login_delay_s(limits, attempt) * 1000))
        attempt += 1
    return case((attempts < limits.login_free_attempts, 0), *whens, else_=limits.login_delay_cap_s * 1000)


async def reserve_login(
    db: AsyncSession,
    settings: Settings,
    customer_number: str,
    key_col,
    message: str,
) -> None:
    """Reserve a login attempt for ``customer_number`` (committed) or raise 429 with Retry-After.
    ``key_col`` is the key column of the throttle table: ``LoginThrottle.customer_number`` for
    residents, ``StaffLoginThrottle.login`` for staff (same rules, their own keys).

    One statement counts the attempt and moves ``next_at_ms`` forward, and only succeeds when
    ``next_at_ms`` has passed, so no two requests can both take the same slot."""
    throttle = key_col.class_
    limits = settings.limits
    now_ms = int(settings.clock() * 1000)
    quiet = throttle.last_at_ms <= now_ms - limits.login_reset_after_s * 1000
    attempts = case((quiet, 1), else_=throttle.attempts + 1)
    ins = insert_for(db, throttle).values(
        {
            key_col.key: customer_number,
            "attempts": 1,
            "next_at_ms": now_ms + login_delay_s(limits, 1) * 1000,
            "last_at_ms": now_ms,
        }
    )
    stmt = ins.on_conflict_do_update(
        index_elements=[key_col],
        set_={
            "attempts": attempts,
            "next_at_ms": literal(now_ms, BigInteger) + _delay_ms_expr(limits, attempts),
            "last_at_ms": now_ms,
        },
        where=or_(throttle.next_at_ms <= now_ms, quiet),
    ).returning(throttle.attempts)
    got = (await db.execute(stmt)).scalar_one_or_none()
    await db.commit()
    if got is None:
        next_at = await db.scalar(select(throttle.next_at_ms).where(key_col == customer_number))
        raise rate_limited(((next_at or now_ms) - now_ms) / 1000, message)


async def login_succeeded(db: AsyncSession, customer_number: str, key_col) -> None:
    await db.execute(delete(key_col.class_).where(key_col == customer_number))


@dataclass(frozen=True)
class LoginAttempt:
    """The slots one login attempt holds (see :func:`reserve_login_attempt`)."""

    source: Slot
    everyone: Slot
    name: str
    key_col: Any


async def reserve_login_attempt(
    db: AsyncSession,
    settings: Settings,
    request: Request,
    name: str,
    key_col=LoginThrottle.customer_number,
    message: str = "Too many failed logins for this customer number; wait and try again.",
) -> LoginAttempt:
    """Reserve a login attempt *before* the password is checked (each slot atomic, in the
    database): one of the source's and one of the overall failure budget, then ``name``'s
    progressive delay (:func:`reserve_login`, whose ``key_col`` and ``message`` these are). A
    refusal (429) gives back the slots already taken. :func:`login_attempt_succeeded` gives the
    budget slots back, so those budgets count failures only."""
    limits = settings.limits
    src = await reserve(
        db,
        settings,
        "login_src",
        source_address(request),
        limits.login_source_failures,
        limits.login_source_window_s,
        "Too many failed logins from your address; wait and try again.",
    )
    try:
        everyone = await reserve(
            db,
            settings,
            "login_all",
            "*",
            limits.login_global_failures,
            limits.login_global_window_s,
            "Too many failed logins; try again in a minute.",
        )
    except ApiError:
        await refund(db, src)
        raise
    try:
        await reserve_login(db, settings, name, key_col=key_col, message=message)
    except ApiError:
        await refund(db, src)
        await refund(db, everyone)
        raise
    return LoginAttempt(src, everyone, name, key_col)


async def login_attempt_succeeded(db: AsyncSession, attempt: LoginAttempt) -> None:
    """The attempt logged in: its budget slots go back and the name's delay is forgotten."""
    await refund(db, attempt.source)
    await refund(db, attempt.everyone)
    await login_succeeded(db, attempt.name, attempt.key_col)


# ---- bounded password hashing ---------------------------------------------------------------------
class HashPool:
    """argon2 runs here: ``workers`` threads (one per core) and at most ``queue`` more waiting.

    :meth:`admit` is taken *before* any other work of a request that will hash; past the bound it
    raises 503 at once, so a flood costs neither memory nor the logged-in residents' latency."""

    def __init__(self, workers: int, queue: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        self._bound = workers + queue
        self._admitted = 0

    @contextlib.contextmanager
    def admit(self) -> Iterator[None]:
        if self._admitted >= self._bound:
            raise busy()
        self._admitted += 1
        try:
            yield
        finally:
            self._admitted -= 1

    async def run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


# Path under /auth/ -> the per-source scope the database decides it by.
SOURCE_SCOPES = {
    "login": "login_src",
    "register": "register_src",
    "password-reset": "reset_src",
    "register/confirm": "confirm_src",
    "password-reset/confirm": "confirm_src",
}


class AuthGateMiddleware:
    """The cheap front door of ``prefix`` (the unauthenticated /auth/ endpoints).

    * At most ``limit`` requests in flight in this process; more get 503 at once (and the
      connection is closed), so a flood cannot queue memory.
    * A source (or, for login, everyone) that the database already refused within the current
      window is refused here, without touching the database.
    * Every 429/503 is held back ``Limits.refusal_hold_ms`` (never longer than its Retry-After), so a
      caller that ignores Retry-After cannot make the server answer thousands of refusals a second:
      the event loop stays free for the residents who are logged in.
    """

    def __init__(self, app, prefix: str, limit: int, settings: Settings) -> None:
        self.app = app
        self.prefix = prefix
        self.limit = limit
        self.settings = settings
        self.in_flight = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await error_response(
                503,
                "server_busy",
                "The server is busy; try again in a moment.",
                headers={"Retry-After": "1", "Connection": "close"},
            )(scope, receive, send)
            return
        self.in_flight += 1
        try:
            until = self._known_block(scope)
            if until is not None:
                retry = max(1, math.ceil(until - self.settings.clock()))
                await asyncio.sleep(min(self.settings.limits.refusal_hold_ms / 1000, retry))
                await error_response(
                    429, "rate_limited", "Too many requests; try again later.", headers={"Retry-After": str(retry)}
                )(scope, receive, send)
                return

            async def held_send(message):
                if message["type"] == "http.response.start" and message["status"] in (429, 503):
                    await asyncio.sleep(self.settings.limits.refusal_hold_ms / 1000)
                await send(message)

            await self.app(scope, receive, held_send)
        finally:
            self.in_flight -= 1

    def _known_block(self, scope) -> float | None:
        if scope.get("method") != "POST":
            return None
        name = SOURCE_SCOPES.get(scope["path"][len(self.prefix) :].rstrip("/"))
        if name is None:
            return None
        table = blocked(self.settings)
        now = self.settings.clock()
        keys = [(name, scope_source(scope, self.settings))] + ([("login_all", "*")] if name == "login_src" else [])
        for key in keys:
            until = table.get(key)
            if until is not None:
                if until > now:
                    return until
                table.pop(key, None)
        return None
