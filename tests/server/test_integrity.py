""" "At most one" rules held by the database itself (in-process, a fresh database per test, SQLite
and PostgreSQL): what a check-then-insert in a route cannot guarantee under concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ebok_server.billing import allocate_invoice_seq, build_invoice, issue_invoices
from ebok_server.db import create_tables, make_engine, make_sessionmaker
from ebok_server.models import Contract, Customer, Invoice, Meter, Reading, ServicePoint
from ebok_server.seed import seed_demo
from tests.databases import clone_database, create_database, drop_database, run_async

TODAY = dt.date(2026, 11, 15)


@pytest.fixture(scope="module")
def seeded_url(backend, tmp_path_factory):
    """The demo data, seeded once per backend; each test works on a copy (``demo_db``)."""
    url = create_database(backend, tmp_path_factory.mktemp("seeded"))

    async def seed():
        engine = make_engine(url)
        await create_tables(engine)
        async with make_sessionmaker(engine)() as s:
            await seed_demo(s, TODAY)
            await s.commit()
        await engine.dispose()

    run_async(seed)
    yield url
    drop_database(url)


@pytest.fixture
async def demo_db(seeded_url, tmp_path):
    url = clone_database(seeded_url, tmp_path)
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    await engine.dispose()
    drop_database(url)


async def _meter(s, number: str) -> Meter:
    return await s.scalar(
        select(Meter)
        .join(Customer, Customer.id == Meter.customer_id)
        .where(Customer.customer_number == number)
        .order_by(Meter.id)
        .limit(1)
    )


def _reading(meter: Meter, day: int, kind: str) -> Reading:
    return Reading(
        meter_id=meter.id,
        customer_id=meter.customer_id,
        date=dt.date(2026, 12, day),
        value_l=10_000_000 + day,
        type=kind,
        created_at=dt.datetime(2026, 12, day, 9),
    )


async def test_second_self_reading_in_a_period_is_refused_by_the_database(demo_db):
    async with demo_db() as s:
        meter = await _meter(s, "10001")
        s.add(_reading(meter, 1, "self"))
        s.add(_reading(meter, 2, "collector"))  # other kinds are not limited
        s.add(_reading(meter, 3, "estimated"))
        await s.commit()
        assert (await s.get(Reading, (await s.scalar(select(func.max(Reading.id)))))).billing_period == dt.date(
            2026, 12, 1
        )  # the column default: the month of ``date``
        s.add(_reading(meter, 31, "self"))
        with pytest.raises(IntegrityError):
            await s.commit()
        await s.rollback()
        s.add(_reading(await _meter(s, "10003"), 31, "self"))  # another meter: fine
        await s.commit()


async def test_second_invoice_for_a_billing_period_is_refused_by_the_database(demo_db):
    async with demo_db() as s:
        cust = await s.scalar(select(Customer).where(Customer.customer_number == "10001"))
        point_id = await s.scalar(select(ServicePoint.id).where(ServicePoint.customer_id == cust.id))
        period = dt.date(2026, 10, 1)
        assert (
            await s.scalar(
                select(func.count())
                .select_from(Invoice)
                .where(Invoice.customer_id == cust.id, Invoice.billing_period == period)
            )
            == 1
        )  # seeded by the run
        s.add(
            build_invoice(
                customer_id=cust.id,
                service_point_id=point_id,
                number="FV/2026/11/999990",
                services=["water"],
                consumption_l=1,
                period_from=period,
                period_to=dt.date(2026, 10, 31),
                issue_date=TODAY,
                efaktura_active=False,
                billing_period=period,
            )
        )
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_one_invoice_per_service_point_and_period_several_per_customer(demo_db):
    async with demo_db() as s:
        cust = await s.scalar(select(Customer).where(Customer.customer_number == "10005"))
        points = (
            await s.scalars(
                select(ServicePoint.id).where(ServicePoint.customer_id == cust.id).order_by(ServicePoint.id)
            )
        ).all()
        period = dt.date(2026, 10, 1)
        invoiced = (
            await s.scalars(
                select(Invoice.service_point_id).where(Invoice.customer_id == cust.id, Invoice.billing_period == period)
            )
        ).all()
        assert len(points) == 3 and sorted(invoiced) == points  # one each: the customer has three for the period
        s.add(
            build_invoice(
                customer_id=cust.id,
                service_point_id=points[1],
                number="FV/2026/11/999991",
                services=["water"],
                consumption_l=1,
                period_from=period,
                period_to=dt.date(2026, 10, 31),
                issue_date=TODAY,
                efaktura_active=False,
                billing_period=period,
            )
        )
        with pytest.raises(IntegrityError):
            await s.commit()


async def test_efaktura_is_never_half_active(demo_db):
    async with demo_db() as s:
        for values in (
            {"efaktura_active": True, "efaktura_email": None},
            {"efaktura_active": False},
        ):  # 10002 is active: turning it off alone leaves its address
            with pytest.raises(IntegrityError):
                await s.execute(update(Customer).where(Customer.customer_number == "10002").values(**values))
            await s.rollback()


async def test_parallel_billing_runs_invoice_each_service_point_once_with_distinct_numbers(demo_db):
    async def run():
        async with demo_db() as s:
            issued = await issue_invoices(s, 2026, 11, TODAY)
            await s.commit()
            return [(i.service_point_id, i.number) for i in issued]

    first, second = await asyncio.gather(run(), run())
    async with demo_db() as s:
        points = (await s.scalars(select(Contract.service_point_id))).all()
        rows = (
            await s.execute(
                select(Invoice.service_point_id, Invoice.number).where(Invoice.billing_period == dt.date(2026, 11, 1))
            )
        ).all()
        assert sorted(rows) == sorted(first + second)  # what each run reported is what is stored
        assert sorted(p for p, _ in rows) == sorted(points)  # every service point exactly once
        assert len(points) > len(set((await s.scalars(select(Contract.customer_id))).all()))  # 10005: 3
        assert len({n for _, n in rows}) == len(rows)
        seqs = sorted(int(n.rsplit("/", 1)[1]) for _, n in rows)
        last_seeded = 8  # the demo issued FV/2026/11/000001..8 on 2026-11-10 (8 service points)
        assert seqs == list(range(last_seeded + 1, last_seeded + 1 + len(rows)))  # no gaps, no doubles
        assert await issue_invoices(s, 2026, 11, TODAY) == []


async def test_invoice_numbers_are_allocated_atomically(demo_db):
    async def take(n):
        out = []
        for _ in range(n):
            async with demo_db() as s:
                out.append(await allocate_invoice_seq(s, dt.date(2027, 1, 5)))
                await s.commit()
        return out

    got = await asyncio.gather(*(take(10) for _ in range(5)))
    assert sorted(x for g in got for x in g) == list(range(1, 51))
