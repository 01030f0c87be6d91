from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import and_, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from ..billing import fmt_milli, invoice_status
from ..config import Settings
from ..deps import AUTH, DB, SETTINGS, Auth
from ..errors import not_found
from ..models import Customer, Invoice, InvoiceLine, Payment
from ..schemas import MAX_DB_ID, Limit, Offset, InvoiceDetail, InvoiceItem, InvoiceLineOut, InvoicePage, InvoiceStatus, Page, PaymentItem

router = APIRouter(tags=["invoices"])



def _item(inv: Invoice, today) -> InvoiceItem:
    return InvoiceItem(id=inv.id, number=inv.number, issue_date=inv.issue_date, due_date=inv.due_date,
                       period_from=inv.period_from, period_to=inv.period_to, gross=inv.gross, paid=inv.paid,
                       status=invoice_status(inv.gross, inv.paid, inv.due_date, today))


def _status_filter(status: str, today):
    unpaid_part = Invoice.paid < Invoice.gross
    if status == "paid":
        return Invoice.paid >= Invoice.gross
    if status == "overdue":
        return and_(unpaid_part, Invoice.due_date < today)
    if status == "partially_paid":
        return and_(unpaid_part, Invoice.paid > 0, Invoice.due_date >= today)
    return and_(unpaid_part, Invoice.paid <= 0, Invoice.due_date >= today)


@router.get("/invoices", response_model=InvoicePage)
async def list_invoices(year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
                        status: InvoiceStatus | None = None, offset: Offset = 0, limit: Limit = 50,
                        auth: Auth = AUTH, db: AsyncSession = DB, settings: Settings = SETTINGS) -> InvoicePage:
    today = settings.business_today()
    conds = [Invoice.customer_id == auth.customer.id]
    if year is not None:
        conds.append(extract("year", Invoice.issue_date) == year)
    if status is not None:
        conds.append(_status_filter(status, today))
    total = await db.scalar(select(func.count()).select_from(Invoice).where(*conds))
    rows = (await db.scalars(select(Invoice).where(*conds)
                             .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
                             .offset(offset).limit(limit))).all()
    year_col = extract("year", Invoice.issue_date)
    years = (await db.scalars(select(year_col).where(Invoice.customer_id == auth.customer.id)
                              .group_by(year_col).order_by(year_col.desc()))).all()
    return InvoicePage(items=[_item(i, today) for i in rows], total=total, offset=offset, limit=limit,
                       years=[int(y) for y in years])


async def _own_invoice(db: AsyncSession, customer_id: int, invoice_id: int) -> Invoice:
    if not 1 <= invoice_id <= MAX_DB_ID:
        raise not_found()
    inv = await db.scalar(select(Invoice).where(Invoice.id == invoice_id, Invoice.customer_id == customer_id))
    if inv is None:
        raise not_found()
    return inv


async def _payments_for(db: AsyncSession, inv: Invoice) -> list[PaymentItem]:
    pays = (await db.scalars(select(Payment).where(Payment.invoice_id == inv.id)
                             .order_by(Payment.date.desc(), Payment.id.desc()))).all()
    return [PaymentItem(id=p.id, date=p.date, amount=p.amount, method=p.method, reference=p.reference,
                        invoice_number=inv.number) for p in pays]


async def _detail(db: AsyncSession, inv: Invoice, today) -> InvoiceDetail:
    lines = (await db.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == inv.id)
                              .order_by(InvoiceLine.position))).all()
    base = _item(inv, today).model_dump()
    return InvoiceDetail(
        **base,
        lines=[InvoiceLineOut(description=ln.description, quantity=fmt_milli(ln.quantity_milli), unit=ln.unit,
                              unit_price_net=ln.unit_price_net, net=ln.net, vat_rate=ln.vat_rate, vat=ln.vat,
                              gross=ln.gross) for ln in lines],
        net_total=inv.net, vat_total=inv.vat, gross_total=inv.gross, efaktura=inv.efaktura,
        payments=await _payments_for(db, inv),
    )


@router.get("/invoices/{invoice_id}", response_model=InvoiceDetail)
async def get_invoice(invoice_id: int, auth: Auth = AUTH, db: AsyncSession = DB,
                      settings: Settings = SETTINGS) -> InvoiceDetail:
    inv = await _own_invoice(db, auth.customer.id, invoice_id)
    return await _detail(db, inv, settings.business_today())


@router.get("/invoices/{invoice_id}/pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "Invoice PDF"}})
async def get_invoice_pdf(invoice_id: int, auth: Auth = AUTH, db: AsyncSession = DB,
                          settings: Settings = SETTINGS) -> Response:
    inv = await _own_invoice(db, auth.customer.id, invoice_id)
    detail = await _detail(db, inv, settings.business_today())
    customer: Customer = auth.customer
    from ..pdf import render_invoice_pdf  # fpdf2 is imported lazily (start-up time)

    data = await run_in_threadpool(render_invoice_pdf, detail, customer)
    filename = inv.number.replace("/", "_") + ".pdf"
    return Response(content=data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/payments", response_model=Page[PaymentItem])
async def list_payments(offset: Offset = 0, limit: Limit = 50, auth: Auth = AUTH,
                        db: AsyncSession = DB) -> Page[PaymentItem]:
    cond = Payment.customer_id == auth.customer.id
    total = await db.scalar(select(func.count()).select_from(Payment).where(cond))
    rows = (await db.execute(
        select(Payment, Invoice.number).outerjoin(Invoice, Invoice.id == Payment.invoice_id).where(cond)
        .order_by(Payment.date.desc(), Payment.id.desc()).offset(offset).limit(limit))).all()
    return Page[PaymentItem](
        items=[PaymentItem(id=p.id, date=p.date, amount=p.amount, method=p.method, reference=p.reference,
                           invoice_number=num) for p, num in rows],
        total=total, offset=offset, limit=limit)
