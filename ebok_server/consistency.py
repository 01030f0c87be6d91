"""Consistency check of the data after faults (``bench/bench_server.py``, tests/server/test_faults.py).

Each check is one query that returns the offending rows; an empty list everywhere means nothing was
lost or doubled:

* every invoice's ``paid`` equals the sum of the payments allocated to it;
* at most one self-reading per meter and billing period;
* every correspondence thread has its first message, and every message is in an existing thread;
* idempotency keys are unique per customer, and each key's recorded thread exists once.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CHECKS = {
    "invoice paid != sum of its payments": """
        SELECT i.id FROM invoices i
        LEFT JOIN (SELECT invoice_id, SUM(amount) AS s FROM payments WHERE invoice_id IS NOT NULL GROUP BY invoice_id) p
          ON p.invoice_id = i.id
        WHERE i.paid <> COALESCE(p.s, 0)""",
    "more than one self-reading per meter and period": """
        SELECT meter_id, billing_period FROM readings WHERE type = 'self'
        GROUP BY meter_id, billing_period HAVING COUNT(*) > 1""",
    "thread without messages": """
        SELECT t.id FROM threads t WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id)""",
    "message outside any thread": """
        SELECT m.id FROM messages m WHERE NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = m.thread_id)""",
    "idempotency key used twice": """
        SELECT customer_id, key FROM idempotency_records GROUP BY customer_id, key HAVING COUNT(*) > 1""",
}


async def check(session: AsyncSession) -> dict[str, int]:
    """Number of offending rows per check (all zero: consistent)."""
    found = {}
    for name, sql in CHECKS.items():
        found[name] = len((await session.execute(text(sql))).all())
    return found
