"""ORM models of the staff side (issue 9): staff accounts and sessions, access to a customer,
the hash-chained audit log and the customer search index.

Kept apart from ``models.py`` (same ``Base``; the migrations in ``ebok_server/migrations`` create them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, BearerSession

STAFF_ROLES = ("helpdesk", "clerk", "supervisor")


class StaffAccount(Base):
    """A member of staff. ``totp_secret`` set means a TOTP code is required at login (always for
    supervisors: a check constraint); ``totp_last_step`` is the last accepted RFC 6238 time step,
    so a code can be used once (``staff.accept_totp`` moves it forward atomically)."""

    __tablename__ = "staff_accounts"
    __table_args__ = (
        CheckConstraint("role IN ('helpdesk', 'clerk', 'supervisor')", name="ck_staff_role"),
        CheckConstraint("role <> 'supervisor' OR totp_secret IS NOT NULL", name="ck_staff_supervisor_totp"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class StaffLoginThrottle(Base):
    """Progressive login delay per staff login name: the residents' rules and code
    (``throttle.reserve_login`` with ``key_col=StaffLoginThrottle.login``)."""

    __tablename__ = "staff_login_throttle"

    login: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    next_at_ms: Mapped[int] = mapped_column(BigInteger)
    last_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)  # the cleanup's range (as LoginThrottle)


class StaffSession(BearerSession, Base):
    """A staff login (its own table: a staff token is never found among resident sessions and a
    resident token never among these)."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)


class CustomerAccess(Base):
    """A member of staff acting for a customer: opened with a reason (and, for phone calls, the
    verification checklist), live until closed or until the staff session that opened it ends."""

    __tablename__ = "customer_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("staff_sessions.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    reason_text: Mapped[str | None] = mapped_column(String(500))
    verification: Mapped[str | None] = mapped_column(Text)  # canonical JSON of the checklist
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ThreadAssignment(Base):
    """Who on the staff handles a correspondence thread: at most one per thread (primary key)."""

    __tablename__ = "thread_assignments"

    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """Append-only, hash-chained (docs/API.md "Audit log"). ``id`` is the position in the chain,
    handed out by :class:`AuditHead` in the appending transaction; no endpoint updates or deletes."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_customer_at", "customer_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    staff_id: Mapped[int] = mapped_column(Integer, index=True)  # no FK: the log outlives accounts
    customer_id: Mapped[int | None] = mapped_column(Integer)
    access_id: Mapped[int | None] = mapped_column(Integer, index=True)
    resource: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(10))  # view | change
    before: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    after: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    reason: Mapped[str | None] = mapped_column(String(30))
    reason_text: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's single head row (id 1): the last entry's id and hash. Every append updates it
    first, in the appending transaction, so concurrent appends queue on this row (a row lock on
    PostgreSQL, the write lock on SQLite) and the chain cannot fork."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


class CustomerSearch(Base):
    """One normalised search document per customer (``search.normalise``: lower case, no diacritics,
    ł -> l, only letters/digits/spaces): number, name, address, e-mail, phones, meter numbers.
    Maintained on write (``search.install_index_maintenance``). Fragments are found by the
    database's trigram index: SQLite FTS5 ``customer_search_fts`` (tokenize=trigram, kept in step
    by triggers), PostgreSQL a ``pg_trgm`` GIN index on ``doc``; both are made by the migrations
    (raw DDL in revision 0001, outside this metadata)."""

    __tablename__ = "customer_search"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    doc: Mapped[str] = mapped_column(Text)
