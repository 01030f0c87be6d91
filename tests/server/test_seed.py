"""Seed functions in-process against fresh databases (no HTTP)."""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import func, select

from ebok_server.billing import compute_balance, iban_is_valid, iban_for
from ebok_server.config import UTILITY_NIP
from ebok_server.db import create_tables, make_engine, make_sessionmaker
from ebok_server.models import Customer, Invoice, InvoiceLine, Payment, Reading, Thread
from ebok_server.ksef import nip_is_valid
from ebok_server.seed import seed_demo, seed_large_customer
from tests.databases import create_database, drop_database

TODAY = dt.date(2026, 11, 15)


async def _session(url):
    engine = make_engine(url)
    await create_tables(engine)
    return engine, make_sessionmaker(engine)


async def _snapshot(session):
    rows = (
        await session.execute(
            select(Invoice.number, Invoice.gross, Invoice.paid, Invoice.issue_date).order_by(Invoice.number)
        )
    ).all()
    readings = (
        await session.execute(
            select(Reading.date, Reading.value_l, Reading.type).order_by(Reading.meter_id, Reading.date)
        )
    ).all()
    return rows, readings


async def test_demo_seed_is_deterministic(backend, tmp_path):
    snaps = []
    for _ in range(2):
        url = create_database(backend, tmp_path)
        engine, sm = await _session(url)
        async with sm() as s:
            demo = await seed_demo(s, TODAY)
            await s.commit()
            snaps.append(await _snapshot(s))
            assert [d["customer_number"] for d in demo] == ["10001", "10002", "10003", "10004", "10005", "10006"]
            assert await s.scalar(select(func.count()).select_from(Thread)) >= 5
            statuses = set((await s.scalars(select(Thread.status))).all())
            assert statuses == {"sent", "in_progress", "answered", "closed"}
            jan = await s.scalar(select(Customer).where(Customer.customer_number == "10001"))
            bal = await compute_balance(s, jan.id, TODAY)
            assert bal.overdue > 0 and bal.to_pay > bal.overdue
        await engine.dispose()
        drop_database(url)
    assert snaps[0] == snaps[1]
    for n in ("10001", "10002", "10003", "10004"):
        assert iban_is_valid(iban_for(n))


async def test_demo_customers_outside_person_have_valid_nips(fresh_db_url):
    """The housing community 10005 and the company 10006 are KSeF customers with a valid NIP; the
    company became a customer in June 2026, so its history (readings, invoices) starts then."""
    engine, sm = await _session(fresh_db_url)
    async with sm() as s:
        await seed_demo(s, TODAY)
        await s.commit()
        customers = (await s.scalars(select(Customer).order_by(Customer.customer_number))).all()
        kinds = {c.customer_number: (c.customer_type, c.nip is not None) for c in customers}
        assert kinds == {
            **{n: ("person", False) for n in ("10001", "10002", "10003", "10004")},
            "10005": ("community", True),
            "10006": ("business", True),
        }
        assert all(nip_is_valid(c.nip) for c in customers if c.nip) and not nip_is_valid(UTILITY_NIP[:9] + "0")
        company = customers[-1]
        issued = (await s.scalars(select(Invoice.issue_date).where(Invoice.customer_id == company.id))).all()
        assert sorted(issued) == [dt.date(2026, m, 10) for m in range(7, 12)]  # June-October billed
        first = await s.scalar(select(func.min(Reading.date)).where(Reading.customer_id == company.id))
        assert first == dt.date(2026, 5, 28)
    await engine.dispose()


async def test_seed_large_customer_is_fast_and_consistent(fresh_db_url):
    engine, sm = await _session(fresh_db_url)
    async with sm() as s:
        t0 = time.monotonic()
        cust = await seed_large_customer(s, "19999", invoices=3000, today=TODAY)
        await s.commit()
        assert time.monotonic() - t0 < 20
        assert await s.scalar(select(func.count()).select_from(Invoice).where(Invoice.customer_id == cust.id)) == 3000
        assert await s.scalar(select(func.count()).select_from(InvoiceLine)) == 9000
        assert await s.scalar(select(func.count()).select_from(Payment)) == 2997
        mismatched = await s.scalar(
            select(func.count())
            .select_from(Invoice)
            .where(
                Invoice.gross
                != select(func.sum(InvoiceLine.gross)).where(InvoiceLine.invoice_id == Invoice.id).scalar_subquery()
            )
        )
        assert mismatched == 0
        again = await seed_large_customer(s, "19999", invoices=10, today=TODAY)
        assert again.id == cust.id  # idempotent
    await engine.dispose()
