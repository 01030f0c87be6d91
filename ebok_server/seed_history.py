"""Two years of history for the bulk customers of ``--seed-customers`` (``--seed-history``; benchmarks).

Every bulk customer (contract ``UM/2020/B…``) that has no invoice yet gets, over the 24 months
before the business date: an invoice every two months (water, sewage, fee: 3 lines), a payment
for every invoice but the newest, a collector reading per invoice, and one customer in ten a
correspondence thread of two messages. About 75 rows per customer: 100,000 customers are 7.5
million rows, written with the driver's bulk path (PostgreSQL ``COPY``, SQLite ``executemany``)
with ids handed out here, in batches of 2,000 customers.

They log in with :data:`BENCH_PASSWORD` (one shared hash). For benchmarks only: never on a real
database.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from .billing import invoice_specs, line_row
from .models import Contract, Customer, Invoice, InvoiceLine, Message, Meter, Payment, Reading, Thread
from .security import hash_password
from .tariffs import TariffBook
from .units import add_months, month_bounds

BENCH_PASSWORD = "bench-haslo-2026"
BULK_CONTRACT_PREFIX = "UM/2020/B"  # staff_seed.seed_customers
MONTHS = 24
EVERY = 2  # months between invoices

_COLUMNS = {
    "invoices": (
        "id",
        "customer_id",
        "service_point_id",
        "number",
        "issue_date",
        "due_date",
        "period_from",
        "period_to",
        "net",
        "vat",
        "gross",
        "paid",
        "efaktura",
    ),
    "invoice_lines": (
        "id",
        "invoice_id",
        "position",
        "kind",
        "description",
        "quantity_milli",
        "unit",
        "unit_price_net",
        "net",
        "vat_rate",
        "vat",
        "gross",
        "tariff_id",
    ),
    "payments": ("id", "customer_id", "invoice_id", "date", "amount", "method", "reference"),
    "readings": ("id", "meter_id", "customer_id", "date", "value_l", "type", "created_at", "billing_period"),
    "threads": ("id", "customer_id", "kind", "subject", "status", "created_at", "updated_at"),
    "messages": ("id", "thread_id", "author", "body", "created_at"),
}
_MODELS = {
    "invoices": Invoice,
    "invoice_lines": InvoiceLine,
    "payments": Payment,
    "readings": Reading,
    "threads": Thread,
    "messages": Message,
}


def _sqlite_value(v):
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    return v


async def _bulk(session: AsyncSession, table: str, rows: list[tuple]) -> None:
    if not rows:
        return
    conn = await session.connection()
    raw = (await conn.get_raw_connection()).driver_connection
    cols = _COLUMNS[table]
    if conn.dialect.name == "postgresql":
        await raw.copy_records_to_table(table, records=rows, columns=cols)
    else:
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        await raw.executemany(sql, [tuple(_sqlite_value(v) for v in r) for r in rows])


async def seed_history(session: AsyncSession, today: dt.date, batch: int = 2000) -> int:
    """Give every bulk customer without invoices two years of history; returns how many got it."""
    todo = (
        await session.execute(
            select(Customer.id, Customer.customer_number, Meter.id, Contract.service_point_id, Contract.tariff_group)
            .join(Contract, Contract.customer_id == Customer.id)
            .join(Meter, Meter.contract_id == Contract.id)
            .where(
                Contract.number.like(BULK_CONTRACT_PREFIX + "%"),
                ~exists().where(Invoice.customer_id == Customer.id),
            )
            .order_by(Customer.id)
        )
    ).all()
    if not todo:
        return 0
    shared_hash = hash_password(BENCH_PASSWORD)
    next_id = {}
    for name, model in _MODELS.items():
        next_id[name] = (await session.scalar(select(func.coalesce(func.max(model.id), 0)))) + 1
    # issue dates: the 10th of every second month, the newest at most a month back
    first = add_months(today.replace(day=1), -MONTHS)
    issues = [add_months(first, m).replace(day=10) for m in range(EVERY, MONTHS + 1, EVERY)]
    issues = [d for d in issues if d <= today]
    book = await TariffBook.load(session)
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        rows: dict[str, list[tuple]] = {name: [] for name in _COLUMNS}
        customer_ids = [cid for cid, _num, _mid, _point, _group in chunk]
        for cid, number, meter_id, point_id, group in chunk:
            rng = random.Random(int(number))
            value_l = rng.randint(10_000, 900_000)
            for k, issue in enumerate(issues):
                p_from, _ = month_bounds(*add_months(issue.replace(day=1), -EVERY).timetuple()[:2])
                _, p_to = month_bounds(*add_months(issue.replace(day=1), -1).timetuple()[:2])
                used = rng.randint(4_000, 40_000)  # litres over two months
                value_l += used
                read_on = p_to
                rows["readings"].append(
                    (
                        next_id["readings"],
                        meter_id,
                        cid,
                        read_on,
                        value_l,
                        "collector",
                        dt.datetime.combine(read_on, dt.time(9)),
                        read_on.replace(day=1),
                    )
                )
                next_id["readings"] += 1
                specs = invoice_specs(book.on(group, p_from), ["water", "sewage"], used, False)
                gross = sum(s.gross for s in specs)
                newest = k == len(issues) - 1
                inv_id = next_id["invoices"]
                next_id["invoices"] += 1
                inv_number = f"FB/{issue.year}/{issue.month:02d}/{number}"
                rows["invoices"].append(
                    (
                        inv_id,
                        cid,
                        point_id,
                        inv_number,
                        issue,
                        issue + dt.timedelta(days=14),
                        p_from,
                        p_to,
                        sum(s.net for s in specs),
                        sum(s.vat for s in specs),
                        gross,
                        0 if newest else gross,
                        False,
                    )
                )
                for pos, spec in enumerate(specs, 1):
                    line = line_row(pos, spec)
                    rows["invoice_lines"].append(
                        (next_id["invoice_lines"], inv_id, *(line[c] for c in _COLUMNS["invoice_lines"][2:]))
                    )
                    next_id["invoice_lines"] += 1
                if not newest:
                    rows["payments"].append(
                        (
                            next_id["payments"],
                            cid,
                            inv_id,
                            min(issue + dt.timedelta(days=rng.randint(1, 13)), today),
                            gross,
                            "transfer",
                            f"Przelew {number} {inv_number}",
                        )
                    )
                    next_id["payments"] += 1
            if rng.random() < 0.1:
                tid = next_id["threads"]
                next_id["threads"] += 1
                opened = dt.datetime.combine(issues[-1], dt.time(10))
                rows["threads"].append((tid, cid, "other", "Pytanie o fakturę", "answered", opened, opened))
                for author, body in (("customer", "Proszę o wyjaśnienie kwoty."), ("utility", "Kwota jest poprawna.")):
                    rows["messages"].append((next_id["messages"], tid, author, body, opened))
                    next_id["messages"] += 1
        for name in _COLUMNS:  # parents before children
            await _bulk(session, name, rows[name])
        await session.execute(
            Customer.__table__.update().where(Customer.id.in_(customer_ids)).values(password_hash=shared_hash)
        )
    if session.get_bind().dialect.name == "postgresql":
        for name in _COLUMNS:
            await session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), {next_id[name]})"))
    return len(todo)
