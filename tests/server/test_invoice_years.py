"""``years`` and the ``year`` filter of GET /invoices (in-process app, a fresh database): gaps, year
boundaries and a span wider than one statement's worth of year probes."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import extract, select

from ebok_server.app import create_app
from ebok_server.billing import build_invoice, invoice_number
from ebok_server.config import Settings
from ebok_server.db import create_tables
from ebok_server.models import Customer, Invoice
from ebok_server.routes.invoices import YEAR_PROBES_PER_QUERY
from ebok_server.security import hash_password
from ebok_server.tariffs import rates_on

from .helpers import bearer

ISSUE_DATES = [
    dt.date(2026, 1, 1),
    dt.date(2025, 12, 31),
    dt.date(2025, 6, 10),
    dt.date(2022, 1, 1),
    dt.date(2021, 12, 31),
    dt.date(2019, 3, 10),
    dt.date(1500, 7, 1),
    dt.date(1200, 12, 31),
]


async def _add_customer(session, number: str, dates: list[dt.date]) -> int:
    cust = Customer(
        customer_number=number,
        full_name="Test",
        email=None,
        address="ul. Testowa 2",
        password_hash=hash_password(f"woda-{number}"),
    )
    session.add(cust)
    await session.flush()
    rates = await rates_on(session, "G1", dt.date(2026, 11, 15))  # any prices: the test is about years
    for seq, d in enumerate(dates, 1):
        session.add(
            build_invoice(
                rates=rates,
                customer_id=cust.id,
                service_point_id=None,
                number=invoice_number(d, seq) + f"-{number}",
                services=["water"],
                consumption_l=1000,
                period_from=d,
                period_to=d,
                issue_date=d,
                efaktura_active=False,
            )
        )
    await session.flush()
    return cust.id


async def test_years_and_year_filter_match_a_full_grouping(fresh_db_url):
    assert ISSUE_DATES[0].year - ISSUE_DATES[-1].year > 2 * YEAR_PROBES_PER_QUERY  # several probe statements
    app = create_app(Settings(db_url=fresh_db_url, today=dt.date(2026, 11, 15)))
    await create_tables(app.state.engine)
    async with app.state.sessionmaker() as s:
        cid = await _add_customer(s, "20001", ISSUE_DATES)
        await _add_customer(s, "20002", [dt.date(2024, 5, 10)])  # another customer's year must not show
        await _add_customer(s, "20003", [])
        await s.commit()
        year = extract("year", Invoice.issue_date)
        expected = [
            int(y)
            for y in (
                await s.scalars(select(year).where(Invoice.customer_id == cid).group_by(year).order_by(year.desc()))
            ).all()
        ]
    assert expected == [2026, 2025, 2022, 2021, 2019, 1500, 1200]
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test/api/v1") as api:

            async def get(number, **params):
                r = await api.post("/auth/login", json={"customer_number": number, "password": f"woda-{number}"})
                r = await api.get("/invoices", params=params, headers=bearer(r.json()["token"]))
                assert r.status_code == 200, r.text
                return r.json()

            page = await get("20001", limit=1)
            assert page["years"] == expected and page["total"] == len(ISSUE_DATES)
            for y in (2026, 2025, 2022, 2021, 2020, 1900):
                filtered = await get("20001", year=y, limit=200)
                assert filtered["years"] == expected
                assert sorted(i["issue_date"] for i in filtered["items"]) == sorted(
                    d.isoformat() for d in ISSUE_DATES if d.year == y
                )
            assert (await get("20002"))["years"] == [2024]
            empty = await get("20003")
            assert empty["years"] == [] and empty["total"] == 0
    finally:
        await app.state.engine.dispose()
