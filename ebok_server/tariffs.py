"""Tariffs: the prices each tariff group pays, per component and validity period (table ``tariffs``,
revision 0009). The one source of the prices the billing run, the seeds and the e-FAKTURA fee use.

Prices are net zloty with grosze in the database (``Numeric(10, 2)``); here, as everywhere in the
server, money is integer grosze.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .models import TARIFF_COMPONENTS, Tariff


class TariffConflict(ValueError):
    """The new tariff would not start after the open one of its group's component."""


@dataclass(frozen=True)
class Rate:
    """One tariff row: the net unit price (grosze) and VAT rate (%) of a component, and its period."""

    id: int
    group: str
    component: str
    unit: str
    price_net: int
    vat_rate: int
    valid_from: dt.date
    valid_to: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @classmethod
    def of(cls, row: Tariff) -> Rate:
        return cls(
            id=row.id,
            group=row.tariff_group,
            component=row.component,
            unit=row.unit,
            price_net=int(Decimal(row.price_net) * 100),
            vat_rate=row.vat_rate,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )


class MissingTariff(LookupError):
    """No price of a component for a tariff group on a day."""


@dataclass(frozen=True)
class Rates:
    """A tariff group's rates in force on one day, by component."""

    group: str
    day: dt.date
    by_component: dict[str, Rate]

    def __getitem__(self, component: str) -> Rate:
        rate = self.by_component.get(component)
        if rate is None:
            raise MissingTariff(f"no {component} tariff for group {self.group} on {self.day}")
        return rate

    def fee(self, efaktura_active: bool) -> Rate:
        return self["fee_efaktura" if efaktura_active else "fee_paper"]


class TariffBook:
    """Every tariff row, read once (a few rows per group and year), for the rates on any day."""

    def __init__(self, rows: list[Rate]) -> None:
        self.rows = rows
        self._cache: dict[tuple[str, dt.date], Rates] = {}

    @classmethod
    async def load(cls, session: AsyncSession) -> TariffBook:
        rows = (
            await session.scalars(select(Tariff).order_by(Tariff.tariff_group, Tariff.component, Tariff.valid_from))
        ).all()
        return cls([Rate.of(r) for r in rows])

    def on(self, group: str, day: dt.date) -> Rates:
        key = (group, day)
        if key not in self._cache:
            found = {r.component: r for r in self.rows if r.group == group and r.covers(day)}
            self._cache[key] = Rates(group, day, found)
        return self._cache[key]


async def rates_on(session: AsyncSession, group: str, day: dt.date) -> Rates:
    """The rates of ``group`` in force on ``day`` (components without one are missing)."""
    rows = (
        await session.scalars(
            select(Tariff).where(
                Tariff.tariff_group == group,
                Tariff.valid_from <= day,
                (Tariff.valid_to.is_(None)) | (Tariff.valid_to >= day),
            )
        )
    ).all()
    return Rates(group, day, {r.component: Rate.of(r) for r in rows})


async def add_tariff(
    session: AsyncSession,
    *,
    group: str,
    component: str,
    unit: str,
    price_net: Decimal,
    vat_rate: int,
    valid_from: dt.date,
) -> Tariff:
    """Add a price of ``group``'s ``component`` from ``valid_from`` on (open-ended).

    The open row of that component, if it started earlier, is closed the day before by one UPDATE in
    the same savepoint as the INSERT. A new row that does not start after the open one (or a second
    writer that added one first) finds the open row still open: the partial unique index on the open
    row refuses the INSERT and :class:`TariffConflict` is raised with nothing changed. So the rows
    of a component follow each other without overlap, as the database enforces."""
    if component not in TARIFF_COMPONENTS:
        raise ValueError(f"unknown tariff component {component!r}")
    try:
        async with session.begin_nested():
            await session.execute(
                update(Tariff)
                .where(
                    Tariff.tariff_group == group,
                    Tariff.component == component,
                    Tariff.valid_to.is_(None),
                    Tariff.valid_from < valid_from,
                )
                .values(valid_to=valid_from - dt.timedelta(days=1))
            )
            row = Tariff(
                tariff_group=group,
                component=component,
                unit=unit,
                price_net=price_net,
                vat_rate=vat_rate,
                valid_from=valid_from,
            )
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise TariffConflict(
            f"a {component} tariff of group {group} is open from {valid_from} or later: add after it"
        ) from exc
    return row
