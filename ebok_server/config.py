"""Server settings, including the business-date ("today") override."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB_URL = "sqlite+aiosqlite:///./ebok.db"

# The utility (payment recipient); demo values.
UTILITY_NAME = "MPWiK Sp. z o.o."
UTILITY_ADDRESS = "ul. Wodna 1, 43-600 Jaworzno"
UTILITY_NIP = "6320001234"
UTILITY_BANK_ROUTING = "10901014"  # 8-digit bank/branch number used in the individual IBANs

IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = dt.timedelta(minutes=15)
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class Settings:
    db_url: str = DEFAULT_DB_URL
    today: dt.date | None = None  # business-date override (tests, demos)
    demo: bool = False  # started with --seed-demo: /demo-info is available
    mail_dir: Path | None = None
    extra: dict = field(default_factory=dict)

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
