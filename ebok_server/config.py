"""Server settings, including the business-date ("today") override."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB_URL = "sqlite+aiosqlite:///./ebok.db"

# The utility (payment recipient); demo values.
UTILITY_NAME = "MPWiK Sp. z o.o."
UTILITY_ADDRESS = "ul. Wodna 1, 43-600 Jaworzno"
UTILITY_NIP = "6320001234"
UTILITY_BANK_ROUTING = "10901014"  # 8-digit bank/branch number used in the individual IBANs
# Invoices to businesses and housing communities issued from this day on go through KSeF (ksef.py):
# the day the obligation began for most taxpayers (the largest ones: 2026-02-01).
KSEF_FROM = dt.date(2026, 4, 1)

IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
RESET_CODE_TTL = dt.timedelta(minutes=30)
ACCESS_CODE_MAIL_TTL = dt.timedelta(days=2)  # registration code sent by e-mail
ACCESS_CODE_LETTER_TTL = dt.timedelta(days=30)  # registration code sent by post
REGISTER_PROOF_INVOICES = 3  # the gross amount of one of the customer's last 3 invoices proves the request
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class Limits:
    """Throttling and cost limits (docs/API.md, "Throttling"). All counters live in the database, so
    they hold across several server processes; only ``hash_workers``/``hash_queue``/``auth_in_flight``
    are per process."""

    # Login, per customer number: progressive delay instead of a lock. Attempts 1..free_attempts run
    # at once; attempt free_attempts+k (k >= 1) may start delay_base * 2**(k-1) seconds (at most
    # delay_cap) after the previous one. The count starts over after a successful login or after
    # reset_after seconds without an attempt.
    login_free_attempts: int = 5
    login_delay_base_s: int = 1
    login_delay_cap_s: int = 60
    login_reset_after_s: int = 3600
    # Login, per source address: failed logins per window (a household or office behind one
    # address still has plenty; spraying one password over many accounts stops after this many).
    login_source_failures: int = 30
    login_source_window_s: int = 900
    # Login, all sources together: failed logins per minute. 100,000 customers logging in at an
    # unusually busy hour (10,000 logins, 20 % mistyped) make ~35 failures per minute.
    login_global_failures: int = 600
    login_global_window_s: int = 60
    # Registration and reset requests, code confirmations: per source address and window.
    request_source_limit: int = 10
    request_source_window_s: int = 3600
    confirm_source_failures: int = 20
    confirm_source_window_s: int = 900
    # Mails and letters to one customer (access codes, reset codes, notices) per window.
    mail_account_limit: int = 3
    mail_account_window_s: int = 3600
    # e-FAKTURA confirmation codes one customer may request per window (each mails a code).
    efaktura_code_limit: int = 5
    efaktura_code_window_s: int = 3600
    # Password hashing (argon2id, 19 MiB each): worker threads (one core stays free for the event
    # loop) and how many more requests may wait for one; beyond that a request gets 503 at once.
    hash_workers: int = field(default_factory=lambda: max(1, (os.cpu_count() or 1) - 1))
    hash_queue: int = field(default_factory=lambda: 2 * max(1, os.cpu_count() or 1))
    # Requests under /auth/ being handled at once in one process; beyond that 503 at once.
    auth_in_flight: int = 64
    # A refused (429/503) /auth/ answer is held this long (never beyond its Retry-After), so callers
    # that ignore Retry-After cannot keep the event loop busy with refusals.
    refusal_hold_ms: int = 1000


@dataclass
class Settings:
    db_url: str = DEFAULT_DB_URL
    today: dt.date | None = None  # business-date override (tests, demos)
    demo: bool = False  # started with --seed-demo: /demo-info is available
    mail_dir: Path | None = None
    limits: Limits = field(default_factory=Limits)
    # Peers whose X-Forwarded-For is believed (reverse proxies); everyone else's source address
    # is the socket's peer address.
    trusted_proxies: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=list)
    # Wall clock (epoch seconds) for throttling and one-time codes; tests inject their own.
    clock: Callable[[], float] = time.time
    docs: bool = False  # serve /docs and /redoc (the OpenAPI document itself is always at /openapi.json)
    # what sends invoices to KSeF (a ksef.KsefGateway); None: the simulated one (ksef.gateway_for)
    ksef_gateway: object | None = None
    # The scheduled notification job (notify.run_due) inside the server: every this many seconds,
    # the first run one interval after the start; None: not at all (tests, `ebok-server notify run`
    # from cron instead). `ebok-server serve` sets it (--notify-every, default 900).
    notify_interval_s: float | None = None
    extra: dict = field(default_factory=dict)

    def now(self) -> dt.datetime:
        """Naive UTC timestamp from :attr:`clock`."""
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC).replace(tzinfo=None)

    def business_today(self) -> dt.date:
        return self.today or dt.date.today()

    def business_now(self) -> dt.datetime:
        """Naive UTC timestamp on the business date (time of day is the real one).

        Used for record timestamps (threads, messages, activation) so that they sort
        consistently with seeded data when the business date is overridden.
        """
        real = utcnow()
        if self.today is None:
            return real
        return dt.datetime.combine(self.today, real.time())


def utcnow() -> dt.datetime:
    """Real wall-clock time, naive UTC (used for session expiry and rate limits)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def iso_ts(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() + "Z"
