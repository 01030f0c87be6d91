"""The client's water quality, yearly statement, household and CSV export calls against the real
(in-process) server: models validate strictly, downloads check their type."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from ebok_tui.core.api import EXPORT_KINDS, Household, ValidationFailed, WaterQuality, Yearly
from tests.asgi_server import InProcessServer, server_from_template
from tests.fixtures_client import demo_password  # noqa: F401


@pytest.fixture(scope="module")
def private_server(demo_template, tmp_path_factory) -> InProcessServer:
    return server_from_template(demo_template, tmp_path_factory.mktemp("yearly"))


async def test_water_quality_and_yearly(server):
    async with server.client() as api:
        await api.login("10001", "woda-10001")
        quality = await api.water_quality()
        assert isinstance(quality, WaterQuality)
        (supply,) = quality.supplies
        assert supply.zone_code == "JAW-C" and supply.meets_standards is True
        ph = next(p for p in supply.parameters if p.parameter == "ph")
        assert ph.value == Decimal("7.4") and ph.limit_min == Decimal("6.5") and ph.ok
        y = await api.yearly(2025)
        assert isinstance(y, Yearly) and y.complete and len(y.months) == 12
        assert y.consumption == sum(m.consumption for m in y.months) > 0
        assert y.average_household_consumption == Decimal("73")
        pdf = await api.yearly_pdf(2025)
        assert pdf.startswith(b"%PDF-")


async def test_household_and_exports(private_server):
    async with private_server.client() as api:
        await api.login("10004", "woda-10004")
        assert await api.set_household(5) == Household(household_size=5, household_size_is_default=False)
        assert (await api.yearly(2025)).household_size == 5
        with pytest.raises(ValidationFailed):
            await api.set_household(0)
        assert (await api.set_household(None)).household_size_is_default
        for kind in EXPORT_KINDS:
            data = await api.export_csv(kind, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert len(rows) > 1
        with pytest.raises(ValidationFailed):
            await api.export_csv("invoices", dt.date(2025, 2, 1), dt.date(2025, 1, 1))
        with pytest.raises(ValueError):
            await api.export_csv("meters", dt.date(2025, 1, 1), dt.date(2025, 1, 2))
