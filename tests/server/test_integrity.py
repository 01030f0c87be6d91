""" "At most one" rules held by the database itself (in-process, a fresh database per test, SQLite
and PostgreSQL): what a check-then-insert in a route cannot guarantee under concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ebok_server.billing import allocate_invoice_seq, build_invoice, issue_invoices
from ebok_server.db import create_tables, make_engine, make_sessionmaker
from ebok_server.models import Contract, Customer, Invoice, Meter, Reading, ServicePoint, Tariff
from ebok_server.seed import seed_demo
from ebok_server.tariffs import TariffConflict, add_tariff, rates_on
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


async def _october_water_invoice(s, customer_id: int, point_id: int, number: str):
    """A second invoice for October 2026 at the point (water only, 1 litre, G1's rates): what the
    unique (service point, billing period) constraint must refuse."""
    period = dt.date(2026, 10, 1)
    return build_invoice(
        rates=await rates_on(s, "G1", period),
        customer_id=customer_id,
        service_point_id=point_id,
        number=number,
        services=["water"],
        consumption_l=1,
        period_from=period,
        period_to=dt.date(2026, 10, 31),
        issue_date=TODAY,
        efaktura_active=False,
        billing_period=period,
    )


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
        s.add(await _october_water_invoice(s, cust.id, point_id, "FV/2026/11/999990"))
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
        s.add(await _october_water_invoice(s, cust.id, points[1], "FV/2026/11/999991"))
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


# ---- tariffs (revision 0009) -------------------------------------------------------------------------
def _old_lines(kinds_quantities: list[tuple[str, int]], efaktura: bool) -> list[tuple]:
    """The lines as the billing code priced them before the tariffs table (its constants, restated
    here): water 5,87 and sewage 8,24 zl net per m3 plus 8% VAT; the fee 1,00 zl gross with
    e-FAKTURA, else 2,33 zl, its net taken out of the gross."""
    out = []
    for kind, quantity in kinds_quantities:
        if kind == "fee":
            gross = 100 if efaktura else 233
            net = (gross * 100 * 2 + 108) // (108 * 2)
            out.append((kind, quantity, "szt", net, net, 8, gross - net, gross))
        else:
            price = {"water": 587, "sewage": 824}[kind]
            net = (quantity * price * 2 + 1000) // 2000
            vat = (net * 8 * 2 + 100) // 200
            out.append((kind, quantity, "m3", price, net, 8, vat, net + vat))
    return out


def _lines(inv: Invoice) -> list[tuple]:
    return [
        (ln.kind, ln.quantity_milli, ln.unit, ln.unit_price_net, ln.net, ln.vat_rate, ln.vat, ln.gross)
        for ln in inv.lines
    ]


async def test_the_billing_run_prices_by_the_tariffs_as_the_code_did_before(demo_db):
    async with demo_db() as s:
        issued = await issue_invoices(s, 2026, 11, TODAY)
        await s.commit()
        assert len(issued) == 8 and any(inv.efaktura for inv in issued) and not all(inv.efaktura for inv in issued)
        everything = (await s.scalars(select(Invoice).options(selectinload(Invoice.lines)))).all()
        assert len(everything) > 100  # the seed's invoices too: they are priced by the same rows
        for inv in everything:
            lines = _lines(inv)
            assert lines == _old_lines([(k, q) for k, q, *_ in lines], inv.efaktura), inv.number
            assert (inv.net, inv.vat, inv.gross) == tuple(sum(x[i] for x in lines) for i in (4, 6, 7))
            tariffs = [await s.get(Tariff, ln.tariff_id) for ln in inv.lines]
            assert [t.component for t in tariffs] == [
                ln.kind if ln.kind != "fee" else ("fee_efaktura" if inv.efaktura else "fee_paper") for ln in inv.lines
            ]


async def test_a_tariff_component_has_one_price_a_day(demo_db):
    async with demo_db() as s:
        await add_tariff(
            s,
            group="G2",
            component="water",
            unit="m3",
            price_net=Decimal("6.10"),
            vat_rate=8,
            valid_from=dt.date(2026, 11, 1),
        )
        await s.commit()
        rows = (
            await s.execute(
                select(Tariff.valid_from, Tariff.valid_to, Tariff.price_net)
                .where(Tariff.tariff_group == "G2", Tariff.component == "water")
                .order_by(Tariff.valid_from)
            )
        ).all()
        assert rows == [
            (dt.date(2015, 1, 1), dt.date(2026, 10, 31), Decimal("5.87")),
            (dt.date(2026, 11, 1), None, Decimal("6.10")),
        ]
        # the billing run takes the price of the period's first day, per group
        issued = await issue_invoices(s, 2026, 11, TODAY)
        by_group = {}
        for inv in issued:
            group = await s.scalar(
                select(Contract.tariff_group).where(Contract.service_point_id == inv.service_point_id)
            )
            by_group.setdefault(group, set()).add(inv.lines[0].unit_price_net)
        assert by_group["G2"] == {610} and by_group["G1"] == {587}
        await s.rollback()
        # starting on or before the open row's start: refused, nothing changed
        for day in (dt.date(2026, 11, 1), dt.date(2026, 6, 1)):
            with pytest.raises(TariffConflict):
                await add_tariff(
                    s, group="G2", component="water", unit="m3", price_net=Decimal("7"), vat_rate=8, valid_from=day
                )
        assert await s.scalar(select(func.count()).select_from(Tariff).where(Tariff.valid_to.is_(None))) == 12
    # the database itself: a second open row, or a second row from the same day
    for values in (
        dict(valid_from=dt.date(2027, 1, 1), valid_to=None),
        dict(valid_from=dt.date(2015, 1, 1), valid_to=dt.date(2015, 1, 31)),
    ):
        async with demo_db() as s:
            s.add(
                Tariff(tariff_group="G2", component="sewage", unit="m3", price_net=Decimal("9"), vat_rate=8, **values)
            )
            with pytest.raises(IntegrityError):
                await s.commit()


async def test_two_parallel_tariff_changes_leave_one_open_row(demo_db):
    async def change(day: dt.date):
        async with demo_db() as s:
            try:
                await add_tariff(
                    s, group="G3", component="sewage", unit="m3", price_net=Decimal("9.00"), vat_rate=8, valid_from=day
                )
                await s.commit()
                return day
            except TariffConflict:
                return None

    done = await asyncio.gather(*(change(dt.date(2027, m, 1)) for m in (1, 2, 3)))
    async with demo_db() as s:
        rows = (
            await s.execute(
                select(Tariff.valid_from, Tariff.valid_to)
                .where(Tariff.tariff_group == "G3", Tariff.component == "sewage")
                .order_by(Tariff.valid_from)
            )
        ).all()
    assert [to for _, to in rows].count(None) == 1 and len(rows) == 1 + sum(d is not None for d in done)
    for (_, to), (start, _) in zip(rows, rows[1:], strict=False):
        assert to == start - dt.timedelta(days=1)  # consecutive, no overlap, no gap


async def test_a_point_without_a_tariff_is_left_out_of_the_billing_run(demo_db):
    async with demo_db() as s:
        await s.execute(update(Contract).where(Contract.number == "UM/2015/00123").values(tariff_group="NONE"))
        issued = await issue_invoices(s, 2026, 11, TODAY)
        assert len(issued) == 7
        assert await issue_invoices(s, 2026, 11, TODAY) == []
