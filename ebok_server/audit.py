"""The append-only, hash-chained audit log of staff access to customer data (docs/API.md "Audit log").

Entry ``n`` stores ``prev_hash`` (entry ``n-1``'s hash, 64 zeros for the first) and
``hash = sha256(prev_hash + "\\n" + canonical(content))`` where ``canonical`` is JSON with sorted keys,
no spaces, UTF-8, of: id, at (ISO, microseconds), staff_id, customer_id, access_id, resource, action,
before, after (the stored JSON texts), reason, reason_text, source.

Appends are serialised by the single :class:`AuditHead` row, updated first in the appending
transaction (the caller commits the entry together with the change it records).

The table is append-only in the database itself: triggers (schema migration ``0003``) refuse every UPDATE and DELETE of ``audit_log`` (and TRUNCATE on PostgreSQL), whoever sends
it. Only someone who can drop those triggers (the schema owner) can change an entry, and the hash
chain then shows it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .config import utcnow
from .staff_models import AuditEntry, AuditHead

GENESIS = "0" * 64


def canonical_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _ts(value: dt.datetime) -> str:
    return value.isoformat(timespec="microseconds")


def entry_hash(
    prev_hash: str,
    *,
    id: int,
    at: dt.datetime,
    staff_id: int,
    customer_id: int | None,
    access_id: int | None,
    resource: str,
    action: str,
    before: str | None,
    after: str | None,
    reason: str | None,
    reason_text: str | None,
    source: str | None,
) -> str:
    content = canonical_json(
        {
            "id": id,
            "at": _ts(at),
            "staff_id": staff_id,
            "customer_id": customer_id,
            "access_id": access_id,
            "resource": resource,
            "action": action,
            "before": before,
            "after": after,
            "reason": reason,
            "reason_text": reason_text,
            "source": source,
        }
    )
    return hashlib.sha256((prev_hash + "\n" + content).encode("utf-8")).hexdigest()


def _hash_of(e: AuditEntry, prev_hash: str) -> str:
    return entry_hash(
        prev_hash,
        id=e.id,
        at=e.at,
        staff_id=e.staff_id,
        customer_id=e.customer_id,
        access_id=e.access_id,
        resource=e.resource,
        action=e.action,
        before=e.before,
        after=e.after,
        reason=e.reason,
        reason_text=e.reason_text,
        source=e.source,
    )


async def _take_head(db: AsyncSession) -> tuple[int, str]:
    """Move the head to the next id and return (new id, previous hash); the row stays locked by this
    transaction until it commits or rolls back."""
    stmt = (
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(last_id=AuditHead.last_id + 1)
        .returning(AuditHead.last_id, AuditHead.last_hash)
    )
    row = (await db.execute(stmt)).first()
    if row is None:
        ins = (postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert)(AuditHead)
        await db.execute(
            ins.values(id=1, last_id=0, last_hash=GENESIS).on_conflict_do_nothing(index_elements=[AuditHead.id])
        )
        row = (await db.execute(stmt)).first()
    return int(row[0]), row[1]


async def append(
    db: AsyncSession,
    *,
    staff_id: int,
    resource: str,
    action: str,
    customer_id: int | None = None,
    access_id: int | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    reason_text: str | None = None,
    source: str | None = None,
) -> AuditEntry:
    """Add one entry to the chain in the caller's transaction (flushed, not committed)."""
    assert action in ("view", "change")
    entry_id, prev = await _take_head(db)
    e = AuditEntry(
        id=entry_id,
        at=utcnow(),
        staff_id=staff_id,
        customer_id=customer_id,
        access_id=access_id,
        resource=resource,
        action=action,
        before=canonical_json(before),
        after=canonical_json(after),
        reason=reason,
        reason_text=reason_text,
        source=source,
        prev_hash=prev,
        hash="",
    )
    e.hash = _hash_of(e, prev)
    db.add(e)
    await db.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=e.hash))
    await db.flush()
    return e


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    first_bad_id: int | None = None
    problem: str | None = None


async def _entries(db: AsyncSession, batch: int = 5000) -> AsyncIterator[AuditEntry]:
    last = 0
    while True:
        rows = (
            await db.scalars(select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch))
        ).all()
        if not rows:
            return
        for r in rows:
            yield r
        last = rows[-1].id
        db.expunge_all()


async def verify(db: AsyncSession) -> VerifyResult:
    """Walk the chain from the first entry; report the first entry that does not fit."""
    prev = GENESIS
    expected_id = 1
    count = 0
    async for e in _entries(db):
        if e.id != expected_id:
            return VerifyResult(False, count, e.id, f"entry {expected_id} is missing")
        if e.prev_hash != prev:
            return VerifyResult(False, count, e.id, "prev_hash does not match the previous entry's hash")
        if _hash_of(e, prev) != e.hash:
            return VerifyResult(False, count, e.id, "content does not match its hash (changed)")
        prev = e.hash
        expected_id += 1
        count += 1
    head = await db.get(AuditHead, 1)
    if head is not None and (head.last_id != count or head.last_hash != prev):
        return VerifyResult(
            False,
            count,
            count + 1 if head.last_id > count else count,
            f"chain head says {head.last_id} entries ending in {head.last_hash[:12]}…, "
            f"found {count} (entries removed from the end?)",
        )
    return VerifyResult(True, count)
