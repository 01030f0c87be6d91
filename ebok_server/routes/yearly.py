"""Water quality, the yearly statement (screen and PDF), the household size, and CSV exports.

The CSV exports are made by the server (one request per file, ``?date_from=&date_to=``): the
client needs no paging loop that could miss or repeat rows when a payment lands mid-export, and the
formula neutralisation is the audit export's own (``csv_export.cell``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BeforeValidator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from .. import water
from ..config import Settings
from ..csv_export import cell
from ..deps import AuthDep, DbDep, SettingsDep
from ..downloads import CSV_MEDIA_TYPE, attachment, csv_responses, pdf_download, pdf_responses
from ..models import Customer, Invoice, Meter, Payment, Reading
from ..schemas import (
    HouseholdOut,
    HouseholdRequest,
    WaterQualityOut,
    WaterQualityParameter,
    WaterQualitySupply,
    YearlyOut,
    YearMonth,
    YearPoint,
    _canonical_id,
)
from ..units import fmt_milli

router = APIRouter(tags=["yearly"])

Year = Annotated[int, Path(ge=1900, le=2200), BeforeValidator(_canonical_id)]  # "2025.0" is no year
ExportKind = Literal["invoices", "payments", "readings"]


def _milli(value: int | None) -> str | None:
    return None if value is None else fmt_milli(value)


@router.get("/water-quality", response_model=WaterQualityOut)
async def water_quality(auth: AuthDep, db: DbDep) -> WaterQualityOut:
    return await water_quality_of(db, auth.customer)


async def water_quality_of(db: AsyncSession, customer: Customer) -> WaterQualityOut:
    """The latest results of each supply address's zone, with the limits and the verdict."""
    supplies = []
    for q in await water.latest_quality(db, customer.id):
        supplies.append(
            WaterQualitySupply(
                address=q.address,
                zone_code=q.zone.code if q.zone else None,
                zone_name=q.zone.name if q.zone else None,
                sampled_on=q.sampled_on,
                meets_standards=q.meets_standards,
                parameters=[
                    WaterQualityParameter(
                        parameter=r.parameter,
                        value=fmt_milli(r.value_milli),
                        unit=water.PARAMETERS[r.parameter].unit,
                        limit_min=_milli(water.PARAMETERS[r.parameter].minimum_milli),
                        limit_max=fmt_milli(water.PARAMETERS[r.parameter].maximum_milli),
                        ok=r.ok,
                    )
                    for r in q.results
                ],
            )
        )
    return WaterQualityOut(supplies=supplies)


@router.get("/yearly/{year}", response_model=YearlyOut)
async def yearly(year: Year, auth: AuthDep, db: DbDep, settings: SettingsDep) -> YearlyOut:
    return await yearly_of(db, auth.customer, year, settings)


async def yearly_of(db: AsyncSession, customer: Customer, year: int, settings: Settings) -> YearlyOut:
    f = await water.year_figures(db, customer, year, settings.business_today())
    return YearlyOut(
        year=year,
        years=await water.statement_years(db, customer.id),
        complete=f.complete,
        months=[
            YearMonth(month=m.month, invoiced=m.invoiced, paid=m.paid, consumption=fmt_milli(m.consumption_l))
            for m in f.months
        ],
        invoiced=f.invoiced,
        paid=f.paid,
        consumption=fmt_milli(f.consumption_l),
        household_size=f.household_size,
        household_size_is_default=f.household_size_is_default,
        average_household_consumption=_milli(f.average_household_l),
        tap_price_per_m3=f.tap_price_per_m3,
        bottled_price_per_litre=f.bottled_price_per_litre,
        points=[
            YearPoint(code=p.code, label=p.label, invoiced=p.invoiced, consumption=fmt_milli(p.consumption_l))
            for p in f.points
        ],
    )


@router.get("/yearly/{year}/pdf", response_class=Response, responses=pdf_responses("Yearly statement PDF"))
async def yearly_pdf(year: Year, auth: AuthDep, db: DbDep, settings: SettingsDep) -> Response:
    return await yearly_pdf_of(db, auth.customer, year, settings)


async def yearly_pdf_of(db: AsyncSession, customer: Customer, year: int, settings: Settings) -> Response:
    summary = await yearly_of(db, customer, year, settings)
    quality = await water_quality_of(db, customer)
    from ..pdf import render_yearly_pdf  # fpdf2 is imported lazily (start-up time)

    data = await run_in_threadpool(render_yearly_pdf, summary, quality, customer)
    return pdf_download(data, f"zestawienie-{customer.customer_number}-{year}.pdf")


@router.get("/household", response_model=HouseholdOut)
async def household(auth: AuthDep, db: DbDep) -> HouseholdOut:
    size, is_default = await water.household_of(db, auth.customer.id)
    return HouseholdOut(household_size=size, household_size_is_default=is_default)


@router.put("/household", response_model=HouseholdOut)
async def set_household(body: HouseholdRequest, auth: AuthDep, db: DbDep) -> HouseholdOut:
    """The number of persons in the household (1-20), or null for the documented default."""
    await water.set_household(db, auth.customer.id, body.household_size)
    await db.commit()
    size, is_default = await water.household_of(db, auth.customer.id)
    return HouseholdOut(household_size=size, household_size_is_default=is_default)


CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "invoices": ("number", "issue_date", "due_date", "period_from", "period_to", "net", "vat", "gross", "paid"),
    "payments": ("date", "amount", "method", "reference", "invoice_number"),
    "readings": ("date", "meter_number", "value_m3", "type"),
}


def _pln(grosze: int) -> str:
    """Money in a CSV cell: złoty with a dot and two decimals ("-12.30")."""
    sign = "-" if grosze < 0 else ""
    return f"{sign}{abs(grosze) // 100}.{abs(grosze) % 100:02d}"


async def export_rows(db: AsyncSession, customer: Customer, kind: str, date_from: dt.date, date_to: dt.date):
    """The rows of one export, oldest first (invoices by issue date, payments and readings by date)."""
    cid = customer.id
    if kind == "invoices":
        for inv in await db.scalars(
            select(Invoice)
            .where(Invoice.customer_id == cid, Invoice.issue_date.between(date_from, date_to))
            .order_by(Invoice.issue_date, Invoice.id)
        ):
            yield (
                inv.number,
                inv.issue_date,
                inv.due_date,
                inv.period_from,
                inv.period_to,
                _pln(inv.net),
                _pln(inv.vat),
                _pln(inv.gross),
                _pln(inv.paid),
            )
    elif kind == "payments":
        for p, number in await db.execute(
            select(Payment, Invoice.number)
            .outerjoin(Invoice, Invoice.id == Payment.invoice_id)
            .where(Payment.customer_id == cid, Payment.date.between(date_from, date_to))
            .order_by(Payment.date, Payment.id)
        ):
            yield (p.date, _pln(p.amount), p.method, p.reference, number)
    else:
        for r, number in await db.execute(
            select(Reading, Meter.number)
            .join(Meter, Meter.id == Reading.meter_id)
            .where(Reading.customer_id == cid, Reading.date.between(date_from, date_to))
            .order_by(Reading.date, Reading.id)
        ):
            yield (r.date, number, fmt_milli(r.value_l), r.type)


@router.get(
    "/export/{kind}.csv",
    response_class=Response,
    responses=csv_responses("The rows of the period as CSV, oldest first"),
)
async def export_csv(
    kind: ExportKind,
    date_from: Annotated[dt.date, Query()],
    date_to: Annotated[dt.date, Query()],
    auth: AuthDep,
    db: DbDep,
) -> Response:
    return await export_csv_of(db, auth.customer, kind, date_from, date_to)


async def export_csv_of(
    db: AsyncSession, customer: Customer, kind: str, date_from: dt.date, date_to: dt.date
) -> Response:
    """Invoices, payments or readings of ``date_from``..``date_to`` (inclusive) as CSV (UTF-8 with
    a BOM for spreadsheets, comma separated, CRLF); a cell a spreadsheet would read as a formula
    starts with an apostrophe. ``date_to`` before ``date_from`` is an empty period (the header only)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS[kind])
    async for row in export_rows(db, customer, kind, date_from, date_to):
        writer.writerow([cell(v) for v in row])
    name = f"{kind}-{customer.customer_number}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.csv"
    return Response(
        content=out.getvalue().encode("utf-8"),
        media_type=CSV_MEDIA_TYPE,
        headers=attachment(name),
    )
