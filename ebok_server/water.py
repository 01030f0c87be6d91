"""Water quality and yearly figures (EU Drinking Water Directive 2020/2184, art. 17 and annex IV:
information to consumers), and the yearly statement (invoiced, paid, consumption per month).

* A customer's supply address maps to a supply zone through ONE function, :func:`supply_zones`
  (today: the contract's connection address; with several service points: one entry per point).
* The limits are those of the Polish regulation on drinking water (Rozporządzenie Ministra Zdrowia
  z 7 grudnia 2017 r. w sprawie jakości wody przeznaczonej do spożycia przez ludzi, Dz.U. 2017
  poz. 2294, annex 1 and 2); the server computes the "meets standards" verdict from them.
* The yearly comparison uses an average household of the same size at
  :data:`AVERAGE_L_PER_PERSON_DAY` litres per person a day; a resident who has not given the size of
  the household is compared with :data:`DEFAULT_HOUSEHOLD_SIZE` persons (and told so).
* Tap water's price per litre is the invoiced gross price of water and sewage of the year divided by
  the water invoiced; bottled water's is :data:`BOTTLED_PRICE_PER_LITRE` (a reference price).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .billing import div_round
from .models import Customer, Invoice, InvoiceLine, Payment, Reading, WaterQualityResult, WaterZone
from .models import Contract, HouseholdSize, Meter, ServicePoint, WaterZoneStreet

#: persons in the household when the resident has not said (GUS, Narodowy Spis Powszechny 2021:
#: 2.5 persons on average; rounded down so that nobody is told they use more than they do)
DEFAULT_HOUSEHOLD_SIZE = 2
#: average use per person a day in Polish households, litres (GUS "Ochrona środowiska": ~100 l)
AVERAGE_L_PER_PERSON_DAY = 100
#: reference price of still bottled water, grosze per litre gross (1.5 l bottle for 2.00 zł)
BOTTLED_PRICE_PER_LITRE = 133


@dataclass(frozen=True)
class Parameter:
    unit: str
    minimum_milli: int | None  # value * 1000; None: no lower limit
    maximum_milli: int


#: the parameters shown, their unit and limits (Dz.U. 2017 poz. 2294); order = display order
PARAMETERS: dict[str, Parameter] = {
    "e_coli": Parameter("jtk/100 ml", None, 0),
    "enterococci": Parameter("jtk/100 ml", None, 0),
    "nitrates": Parameter("mg/l", None, 50_000),
    "ph": Parameter("pH", 6_500, 9_500),
    "hardness": Parameter("mg CaCO3/l", 60_000, 500_000),
}


def within_limits(parameter: str, value_milli: int) -> bool:
    p = PARAMETERS[parameter]
    return (p.minimum_milli is None or value_milli >= p.minimum_milli) and value_milli <= p.maximum_milli


_STREET_PREFIX = re.compile(r"^\s*(ul\.|al\.|os\.|pl\.|aleja|ulica)\s*", re.IGNORECASE)


def street_key(address: str) -> str:
    """ "ul. Grunwaldzka 12/4, Jaworzno" -> "grunwaldzka": the street of an address, as
    ``water_zone_streets`` stores it (lower case, no "ul.", no number, no town)."""
    street = address.split(",")[0]
    street = _STREET_PREFIX.sub("", street)
    street = re.split(r"\s+\d", street, maxsplit=1)[0]
    return " ".join(street.split()).lower()


@dataclass(frozen=True)
class SupplyZone:
    address: str
    zone: WaterZone | None  # None: no zone known for the street (the screen says so)


async def supply_zones(session: AsyncSession, customer_id: int) -> list[SupplyZone]:
    """The customer's supply addresses and the zone that supplies each: the ONE place that maps
    a customer's supply to a zone (each service point's address, code order)."""
    addresses = (
        await session.scalars(
            select(ServicePoint.address).where(ServicePoint.customer_id == customer_id).order_by(ServicePoint.code)
        )
    ).all()
    out = []
    for address in addresses:
        zone = await session.scalar(
            select(WaterZone)
            .join(WaterZoneStreet, WaterZoneStreet.zone_code == WaterZone.code)
            .where(WaterZoneStreet.street == street_key(address))
        )
        out.append(SupplyZone(address, zone))
    return out


@dataclass(frozen=True)
class QualityResult:
    parameter: str
    value_milli: int
    ok: bool


@dataclass(frozen=True)
class ZoneQuality:
    address: str
    zone: WaterZone | None
    sampled_on: dt.date | None
    results: list[QualityResult]

    @property
    def meets_standards(self) -> bool | None:
        """True/False from the limits; None when there is no result to judge."""
        if not self.results:
            return None
        return all(r.ok for r in self.results)


async def latest_quality(session: AsyncSession, customer_id: int) -> list[ZoneQuality]:
    """For each supply address: the zone's latest sample (every parameter of that day), judged."""
    out = []
    for supply in await supply_zones(session, customer_id):
        if supply.zone is None:
            out.append(ZoneQuality(supply.address, None, None, []))
            continue
        code = supply.zone.code
        day = await session.scalar(
            select(func.max(WaterQualityResult.sampled_on)).where(WaterQualityResult.zone_code == code)
        )
        rows = (
            await session.scalars(
                select(WaterQualityResult).where(
                    WaterQualityResult.zone_code == code,
                    WaterQualityResult.sampled_on == day,
                    WaterQualityResult.parameter.in_(PARAMETERS),
                )
            )
        ).all()
        order = list(PARAMETERS)
        results = sorted(
            (QualityResult(r.parameter, r.value_milli, within_limits(r.parameter, r.value_milli)) for r in rows),
            key=lambda r: order.index(r.parameter),
        )
        out.append(ZoneQuality(supply.address, supply.zone, day, results))
    return out


# ---- yearly figures and statement ---------------------------------------------------------------
@dataclass
class MonthFigures:
    month: int
    invoiced: int = 0
    paid: int = 0
    consumption_l: int = 0


@dataclass
class PointYear:
    """One service point's part of a year: invoiced (by issue date) and consumption (its meters)."""

    code: str
    label: str
    invoiced: int = 0
    consumption_l: int = 0


@dataclass
class YearFigures:
    year: int
    complete: bool  # the year is over (the comparison is only made for a whole year)
    months: list[MonthFigures]
    household_size: int
    household_size_is_default: bool
    average_household_l: int | None  # None for a year not yet over
    tap_price_per_m3: int | None  # grosze gross per m³ of water (water + sewage); None: nothing invoiced
    bottled_price_per_litre: int
    points: list[PointYear]  # every service point of the customer, code order; they add up

    @property
    def invoiced(self) -> int:
        return sum(m.invoiced for m in self.months)

    @property
    def paid(self) -> int:
        return sum(m.paid for m in self.months)

    @property
    def consumption_l(self) -> int:
        return sum(m.consumption_l for m in self.months)


async def household_of(session: AsyncSession, customer_id: int) -> tuple[int, bool]:
    """(persons, is_default)."""
    persons = await session.scalar(select(HouseholdSize.persons).where(HouseholdSize.customer_id == customer_id))
    return (DEFAULT_HOUSEHOLD_SIZE, True) if persons is None else (persons, False)


async def set_household(session: AsyncSession, customer_id: int, persons: int | None) -> None:
    """Set (one atomic upsert) or clear the household size; the caller commits."""
    if persons is None:
        await session.execute(delete(HouseholdSize).where(HouseholdSize.customer_id == customer_id))
    else:
        await session.execute(_upsert(session, customer_id, persons))


def _upsert(session: AsyncSession, customer_id: int, persons: int):
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(HouseholdSize).values(customer_id=customer_id, persons=persons)
    return stmt.on_conflict_do_update(index_elements=[HouseholdSize.customer_id], set_={"persons": persons})


def average_household_l(size: int, year: int) -> int:
    days = 366 if calendar.isleap(year) else 365
    return size * AVERAGE_L_PER_PERSON_DAY * days


async def year_figures(session: AsyncSession, customer: Customer, year: int, today: dt.date) -> YearFigures:
    """Invoiced (by issue date), paid (by payment date) and consumption (by reading date: the
    difference from the meter's previous reading) per month of ``year``, and the directive's figures."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    months = [MonthFigures(m) for m in range(1, 13)]
    points = {
        pid: PointYear(code, label)
        for pid, code, label in await session.execute(
            select(ServicePoint.id, ServicePoint.code, ServicePoint.label)
            .where(ServicePoint.customer_id == customer.id)
            .order_by(ServicePoint.code)
        )
    }
    point_of_meter = dict(
        (
            await session.execute(
                select(Meter.id, Contract.service_point_id)
                .join(Contract, Contract.id == Meter.contract_id)
                .where(Meter.customer_id == customer.id)
            )
        ).all()
    )
    for issue_date, gross, point_id in await session.execute(
        select(Invoice.issue_date, Invoice.gross, Invoice.service_point_id).where(
            Invoice.customer_id == customer.id, Invoice.issue_date.between(start, end)
        )
    ):
        months[issue_date.month - 1].invoiced += gross
        if point_id in points:
            points[point_id].invoiced += gross
    for day, amount in await session.execute(
        select(Payment.date, Payment.amount).where(Payment.customer_id == customer.id, Payment.date.between(start, end))
    ):
        months[day.month - 1].paid += amount
    # each meter's readings up to the year's end, with the last one before the year (the base)
    previous: dict[int, int] = {}
    for meter_id, day, value in await session.execute(
        select(Reading.meter_id, Reading.date, Reading.value_l)
        .where(Reading.customer_id == customer.id, Reading.date <= end)
        .order_by(Reading.meter_id, Reading.date, Reading.id)
    ):
        if day >= start and meter_id in previous:
            months[day.month - 1].consumption_l += value - previous[meter_id]
            if point_of_meter.get(meter_id) in points:
                points[point_of_meter[meter_id]].consumption_l += value - previous[meter_id]
        previous[meter_id] = value
    # price of a m³ of tap water: water and sewage invoiced in the year, per m³ of water
    water_l, water_sewage_gross = (
        await session.execute(
            select(
                func.coalesce(func.sum(InvoiceLine.quantity_milli).filter(InvoiceLine.kind == "water"), 0),
                func.coalesce(func.sum(InvoiceLine.gross), 0),
            )
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(
                Invoice.customer_id == customer.id,
                Invoice.issue_date.between(start, end),
                InvoiceLine.kind.in_(("water", "sewage")),
            )
        )
    ).one()
    size, is_default = await household_of(session, customer.id)
    complete = today > end
    return YearFigures(
        year=year,
        complete=complete,
        months=months,
        household_size=size,
        household_size_is_default=is_default,
        # a household compares with households: a business or a housing community has none
        average_household_l=average_household_l(size, year)
        if complete and customer.customer_type == "person"
        else None,
        tap_price_per_m3=div_round(water_sewage_gross * 1000, water_l) if water_l > 0 else None,
        bottled_price_per_litre=BOTTLED_PRICE_PER_LITRE,
        points=list(points.values()),
    )


async def statement_years(session: AsyncSession, customer_id: int) -> list[int]:
    """From the first to the last year with an invoice, a payment or a reading, newest first."""
    years: set[int] = set()
    for model, column in ((Invoice, Invoice.issue_date), (Payment, Payment.date), (Reading, Reading.date)):
        first, last = (
            await session.execute(select(func.min(column), func.max(column)).where(model.customer_id == customer_id))
        ).one()
        if first is not None:
            years.update(range(first.year, last.year + 1))
    return sorted(years, reverse=True)
