from __future__ import annotations

import datetime as dt
import functools
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from .. import ksef
from ..billing import iban_for, invoice_status, point_id
from ..config import UTILITY_ADDRESS, UTILITY_NAME, UTILITY_NIP, Settings
from ..db import counted_page
from ..deps import AuthDep, DbDep, SettingsDep, owned_row
from ..downloads import pdf_download, pdf_responses
from ..models import Customer, Invoice, InvoiceLine, Payment, Tariff
from ..schemas import (
    InvoiceDetail,
    InvoiceItem,
    InvoiceKsef,
    InvoiceLineOut,
    InvoicePage,
    InvoiceStatusFilter,
    InvoiceTransfer,
    Limit,
    LineTariff,
    Offset,
    Page,
    PaymentItem,
    RowId,
    ServicePointCode,
)
from ..units import fmt_milli
from .yearly import water_quality_of, yearly_of

router = APIRouter(tags=["invoices"])

YEAR_PROBES_PER_QUERY = 200  # EXISTS columns per statement (PostgreSQL allows 1664, SQLite 2000)


def _item(inv: Invoice, today) -> InvoiceItem:
    return InvoiceItem(
        id=inv.id,
        number=inv.number,
        issue_date=inv.issue_date,
        due_date=inv.due_date,
        period_from=inv.period_from,
        period_to=inv.period_to,
        gross=inv.gross,
        paid=inv.paid,
        status=invoice_status(inv.gross, inv.paid, inv.due_date, today),
    )


def _status_filter(status: str, today):
    unpaid_part = Invoice.paid < Invoice.gross
    if status == "to_pay":
        return unpaid_part
    if status == "paid":
        return Invoice.paid >= Invoice.gross
    if status == "overdue":
        return and_(unpaid_part, Invoice.due_date < today)
    if status == "partially_paid":
        return and_(unpaid_part, Invoice.paid > 0, Invoice.due_date >= today)
    return and_(unpaid_part, Invoice.paid <= 0, Invoice.due_date >= today)


def _in_year(year: int) -> ColumnElement[bool]:
    """``issue_date`` within ``year``: a range on the (customer_id, issue_date) index, unlike extract(year)."""
    return Invoice.issue_date.between(dt.date(year, 1, 1), dt.date(year, 12, 31))


async def _invoice_years(
    db: AsyncSession, own: ColumnElement[bool], first: dt.date | None, last: dt.date | None
) -> list[int]:
    """Years that have invoices, newest first, from the first and last issue date plus one EXISTS
    range probe per year in between: index seeks instead of grouping every invoice by year."""
    if first is None or last is None:
        return []
    between = list(range(last.year - 1, first.year, -1))
    found: list[int] = []
    for start in range(0, len(between), YEAR_PROBES_PER_QUERY):
        chunk = between[start : start + YEAR_PROBES_PER_QUERY]
        hits = (await db.execute(select(*(exists().where(own, _in_year(y)) for y in chunk)))).one()
        found += [y for y, hit in zip(chunk, hits, strict=True) if hit]
    return sorted({last.year, *found, first.year}, reverse=True)


class InvoiceQuery(BaseModel):
    """The filters and page of ``GET /invoices``, also those of staff's twin for a customer."""

    year: Annotated[int | None, Query(ge=1900, le=2200)] = None
    status: InvoiceStatusFilter | None = None
    service_point: ServicePointCode | None = None
    offset: Offset = 0
    limit: Limit = 50


InvoiceParams = Annotated[InvoiceQuery, Query()]


@router.get("/invoices", response_model=InvoicePage)
async def list_invoices(auth: AuthDep, db: DbDep, settings: SettingsDep, q: InvoiceParams) -> InvoicePage:
    return await invoices_of(db, auth.customer, settings, q)


@functools.cache
def _page_statements(year: bool, status: str | None, point: bool) -> tuple[Select, Select]:
    """The invoice list's two statements for one combination of filters, built once (building a
    statement and its cache key costs about as much CPU as running it): the count with the
    customer's first and last issue date, and the page. Values are bound per call: :customer_id,
    :offset, :limit, and :year_from/:year_to, :today, :point for the filters."""
    own = Invoice.customer_id == bindparam("customer_id")
    conds = [own]
    if year:
        conds.append(Invoice.issue_date.between(bindparam("year_from"), bindparam("year_to")))
    if status is not None:
        conds.append(_status_filter(status, bindparam("today")))
    if point:
        conds.append(Invoice.service_point_id == point_id(bindparam("customer_id"), bindparam("point")))
    # The customer's first and last issue date (for ``years``) ride along with the count: two index probes.
    first, last = (
        select(agg(Invoice.issue_date)).where(own).correlate(None).scalar_subquery() for agg in (func.min, func.max)
    )
    count = select(func.count(), first, last).select_from(Invoice).where(*conds)
    page = (
        select(Invoice)
        .where(*conds)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return count, page


async def invoices_of(db: AsyncSession, customer: Customer, settings: Settings, q: InvoiceQuery) -> InvoicePage:
    """A page of the customer's invoices (the resident's own, or staff acting for the customer);
    ``service_point``: only that point's (a code not among the customer's points: none)."""
    today = settings.business_today()
    count, page = _page_statements(q.year is not None, q.status, q.service_point is not None)
    values = {
        "customer_id": customer.id,
        "today": today,
        "point": q.service_point,
        "offset": q.offset,
        "limit": q.limit,
    }
    if q.year is not None:
        values |= {"year_from": dt.date(q.year, 1, 1), "year_to": dt.date(q.year, 12, 31)}
    total, first_date, last_date = (await db.execute(count, values)).one()
    rows = (await db.scalars(page, values)).all()
    own = Invoice.customer_id == customer.id
    return InvoicePage(
        items=[_item(i, today) for i in rows],
        total=total,
        offset=q.offset,
        limit=q.limit,
        years=await _invoice_years(db, own, first_date, last_date),
    )


# The detail's statements, built once (building a statement and its cache key costs about as much
# CPU as running it); :invoice_id is bound per call.
_PAYMENTS_OF_INVOICE = (
    select(Payment)
    .where(Payment.invoice_id == bindparam("invoice_id"))
    .order_by(Payment.date.desc(), Payment.id.desc())
)
_LINES_OF_INVOICE = (
    select(InvoiceLine, Tariff)
    .outerjoin(Tariff, Tariff.id == InvoiceLine.tariff_id)
    .where(InvoiceLine.invoice_id == bindparam("invoice_id"))
    .order_by(InvoiceLine.position)
)


async def _payments_for(db: AsyncSession, inv: Invoice) -> list[PaymentItem]:
    pays = (await db.scalars(_PAYMENTS_OF_INVOICE, {"invoice_id": inv.id})).all()
    return [
        PaymentItem(
            id=p.id, date=p.date, amount=p.amount, method=p.method, reference=p.reference, invoice_number=inv.number
        )
        for p in pays
    ]


async def _detail(db: AsyncSession, customer: Customer, inv: Invoice, today) -> InvoiceDetail:
    lines = (await db.execute(_LINES_OF_INVOICE, {"invoice_id": inv.id})).all()
    base = _item(inv, today).model_dump()
    return InvoiceDetail(
        **base,
        lines=[
            InvoiceLineOut(
                description=ln.description,
                quantity=fmt_milli(ln.quantity_milli),
                unit=ln.unit,
                unit_price_net=ln.unit_price_net,
                net=ln.net,
                vat_rate=ln.vat_rate,
                vat=ln.vat,
                gross=ln.gross,
                tariff=LineTariff(
                    tariff_group=t.tariff_group, component=t.component, valid_from=t.valid_from, valid_to=t.valid_to
                )
                if t is not None
                else None,
            )
            for ln, t in lines
        ],
        net_total=inv.net,
        vat_total=inv.vat,
        gross_total=inv.gross,
        efaktura=inv.efaktura,
        payments=await _payments_for(db, inv),
        transfer=InvoiceTransfer(
            amount=max(inv.gross - inv.paid, 0),
            bank_account=iban_for(customer.customer_number),
            recipient_name=UTILITY_NAME,
            recipient_address=UTILITY_ADDRESS,
            recipient_nip=UTILITY_NIP,
            transfer_title=inv.number,
        ),
        ksef=_ksef(inv),
    )


def _ksef(inv: Invoice) -> InvoiceKsef | None:
    if inv.ksef_status == "none":
        return None
    return InvoiceKsef(
        status=inv.ksef_status,
        number=inv.ksef_number,
        url=ksef.verification_url(UTILITY_NIP, inv.issue_date, inv.ksef_sha256),
    )


@router.get("/invoices/{invoice_id}", response_model=InvoiceDetail)
async def get_invoice(invoice_id: RowId, auth: AuthDep, db: DbDep, settings: SettingsDep) -> InvoiceDetail:
    return await invoice_of(db, auth.customer, invoice_id, settings)


async def invoice_of(db: AsyncSession, customer: Customer, invoice_id: int, settings: Settings) -> InvoiceDetail:
    """One of the customer's invoices in detail; 404 for anyone else's."""
    inv = await owned_row(db, Invoice, customer.id, invoice_id)
    return await _detail(db, customer, inv, settings.business_today())


@router.get("/invoices/{invoice_id}/pdf", response_class=Response, responses=pdf_responses("Invoice PDF"))
async def get_invoice_pdf(invoice_id: RowId, auth: AuthDep, db: DbDep, settings: SettingsDep) -> Response:
    return await invoice_pdf_of(db, auth.customer, invoice_id, settings)


async def invoice_pdf_of(db: AsyncSession, customer: Customer, invoice_id: int, settings: Settings) -> Response:
    """One of the customer's invoices as a PDF download; 404 for anyone else's."""
    inv = await owned_row(db, Invoice, customer.id, invoice_id)
    detail = await _detail(db, customer, inv, settings.business_today())
    # Directive 2020/2184 information on the bill: the water quality now, and the figures of the
    # last whole year before the invoice was issued
    directive = (await water_quality_of(db, customer), await yearly_of(db, customer, inv.issue_date.year - 1, settings))
    from ..pdf import render_invoice_pdf  # fpdf2 is imported lazily (start-up time)

    data = await run_in_threadpool(partial(render_invoice_pdf, detail, customer, directive=directive))
    return pdf_download(data, inv.number.replace("/", "_") + ".pdf")


@router.get("/payments", response_model=Page[PaymentItem])
async def list_payments(auth: AuthDep, db: DbDep, offset: Offset = 0, limit: Limit = 50) -> Page[PaymentItem]:
    return await payments_of(db, auth.customer, offset=offset, limit=limit)


async def payments_of(db: AsyncSession, customer: Customer, *, offset: int = 0, limit: int = 50) -> Page[PaymentItem]:
    """A page of the customer's payments, newest first."""
    listing = (
        select(Payment, Invoice.number)
        .outerjoin(Invoice, Invoice.id == Payment.invoice_id)
        .order_by(Payment.date.desc(), Payment.id.desc())
    )
    total, rows = await counted_page(db, Payment, [Payment.customer_id == customer.id], listing, offset, limit)
    return Page[PaymentItem](
        items=[
            PaymentItem(
                id=p.id, date=p.date, amount=p.amount, method=p.method, reference=p.reference, invoice_number=num
            )
            for p, num in rows
        ],
        total=total,
        offset=offset,
        limit=limit,
    )
