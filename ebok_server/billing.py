"""Money helpers, invoice lines priced by the tariffs (tariffs.py), invoice issuing, balance and IBANs."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, case, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from . import ksef
from .config import UTILITY_BANK_ROUTING
from .db import insert_ignoring_conflict
from .models import (
    Contract,
    Customer,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    Meter,
    Payment,
    Reading,
    ServicePoint,
)
from .notify import enqueue
from .tariffs import MissingTariff, Rate, Rates, TariffBook
from .units import month_bounds

PAYMENT_TERM_DAYS = 14
FALLBACK_MONTHLY_L = 3000  # estimate when a meter has no readings in a period
BENCH_SEQ_BASE = 500_000  # invoice sequence numbers reserved for the benchmark customer

log = logging.getLogger(__name__)

LINE_DESCRIPTIONS = {
    "water": "Dostawa wody",
    "sewage": "Odprowadzanie ścieków",
    "fee": "Opłata abonamentowa (za rozliczenie)",
}


def div_round(numerator: int, denominator: int) -> int:
    """Integer division rounding half up (for non-negative values)."""
    q, r = divmod(numerator, denominator)
    return q + (1 if 2 * r >= denominator else 0)


def invoice_status(gross: int, paid: int, due_date: dt.date, today: dt.date) -> str:
    """Mutually exclusive: paid > overdue > partially_paid > unpaid."""
    if paid >= gross:
        return "paid"
    if due_date < today:
        return "overdue"
    if paid > 0:
        return "partially_paid"
    return "unpaid"


def iban_for(customer_number: str) -> str:
    """Individual Polish IBAN: PL + check digits + 8-digit routing + 16 digits embedding the customer number."""
    bban = UTILITY_BANK_ROUTING + ("70000000000" + customer_number)[-16:]
    assert len(bban) == 24 and bban.isdigit()
    check = 98 - int(bban + "252100") % 97  # P=25, L=21
    return f"PL{check:02d}{bban}"


def iban_is_valid(iban: str) -> bool:
    iban = iban.replace(" ", "")
    if len(iban) != 28 or not iban.startswith("PL") or not iban[2:].isdigit():
        return False
    rearranged = iban[4:] + "2521" + iban[2:4]
    return int(rearranged) % 97 == 1


@dataclass
class LineSpec:
    kind: str
    quantity_milli: int
    unit: str
    unit_price_net: int
    vat_rate: int
    net: int
    vat: int
    gross: int
    tariff_id: int


def priced_line(kind: str, quantity_milli: int, rate: Rate) -> LineSpec:
    """A line priced by a tariff row: net = quantity x unit price (rounded to grosze), VAT on the
    net at the row's rate, gross = net + VAT."""
    net = div_round(quantity_milli * rate.price_net, 1000)
    vat = div_round(net * rate.vat_rate, 100)
    return LineSpec(kind, quantity_milli, rate.unit, rate.price_net, rate.vat_rate, net, vat, net + vat, rate.id)


def consumption_line(kind: str, quantity_milli: int, rates: Rates) -> LineSpec:
    return priced_line(kind, quantity_milli, rates[kind])


def fee_line(rates: Rates, efaktura_active: bool) -> LineSpec:
    """The monthly billing fee: one, at the price with or without e-FAKTURA."""
    return priced_line("fee", 1000, rates.fee(efaktura_active))


def invoice_specs(rates: Rates, services: list[str], consumption_l: int, efaktura_active: bool) -> list[LineSpec]:
    """An invoice's lines: water, sewage (when the contract has it), the fee."""
    specs = [consumption_line("water", consumption_l, rates)]
    if "sewage" in services:
        specs.append(consumption_line("sewage", consumption_l, rates))
    specs.append(fee_line(rates, efaktura_active))
    return specs


def line_row(position: int, s: LineSpec) -> dict:
    """An ``invoice_lines`` row's values (without the invoice) for a line spec."""
    return dict(
        position=position,
        kind=s.kind,
        description=LINE_DESCRIPTIONS[s.kind],
        quantity_milli=s.quantity_milli,
        unit=s.unit,
        unit_price_net=s.unit_price_net,
        net=s.net,
        vat_rate=s.vat_rate,
        vat=s.vat,
        gross=s.gross,
        tariff_id=s.tariff_id,
    )


def build_invoice(
    *,
    rates: Rates,
    customer_id: int,
    service_point_id: int | None,
    number: str,
    services: list[str],
    consumption_l: int,
    period_from: dt.date,
    period_to: dt.date,
    issue_date: dt.date,
    efaktura_active: bool,
    due_date: dt.date | None = None,
    billing_period: dt.date | None = None,
) -> Invoice:
    """An invoice with its lines priced by ``rates`` (the tariff in force on the period's first day);
    ``billing_period`` (first day of the period) marks an invoice of the monthly billing run, at most
    one per service point and period (a database constraint)."""
    specs = invoice_specs(rates, services, consumption_l, efaktura_active)
    inv = Invoice(
        customer_id=customer_id,
        service_point_id=service_point_id,
        number=number,
        issue_date=issue_date,
        due_date=due_date or issue_date + dt.timedelta(days=PAYMENT_TERM_DAYS),
        period_from=period_from,
        period_to=period_to,
        net=sum(s.net for s in specs),
        vat=sum(s.vat for s in specs),
        gross=sum(s.gross for s in specs),
        paid=0,
        efaktura=efaktura_active,
        billing_period=billing_period,
    )
    inv.lines = [InvoiceLine(**line_row(i + 1, spec)) for i, spec in enumerate(specs)]
    return inv


def invoice_number(issue_date: dt.date, seq: int) -> str:
    return f"FV/{issue_date.year}/{issue_date.month:02d}/{seq:06d}"


def _invoice_prefix(issue_date: dt.date) -> str:
    return f"FV/{issue_date.year}/{issue_date.month:02d}/"


async def _highest_invoice_seq(session: AsyncSession, prefix: str) -> int:
    numbers = (await session.scalars(select(Invoice.number).where(Invoice.number.like(prefix + "%")))).all()
    seqs = [int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()]
    # Numbers >= BENCH_SEQ_BASE are reserved for the bulk benchmark customer.
    return max((s for s in seqs if s < BENCH_SEQ_BASE), default=0)


async def allocate_invoice_seq(session: AsyncSession, issue_date: dt.date) -> int:
    """The next sequence number for invoices issued in ``issue_date``'s month, by one atomic
    ``UPDATE ... RETURNING`` on the prefix's counter row (two parallel billing runs never get the
    same number; the row lock serialises them). The counter starts from the highest number
    already issued (seeded data)."""
    prefix = _invoice_prefix(issue_date)
    bump = (
        update(InvoiceCounter)
        .where(InvoiceCounter.prefix == prefix)
        .values(last_seq=InvoiceCounter.last_seq + 1)
        .returning(InvoiceCounter.last_seq)
    )
    seq = await session.scalar(bump)
    if seq is None:
        start = await _highest_invoice_seq(session, prefix)
        await session.execute(insert_ignoring_conflict(session, InvoiceCounter).values(prefix=prefix, last_seq=start))
        seq = await session.scalar(bump)
    return seq


async def period_consumption_l(session: AsyncSession, meter_id: int, start: dt.date, end: dt.date) -> int:
    """Consumption in [start, end]: last reading up to ``end`` minus last reading before ``start``.

    Without a reading inside the period the consumption is estimated from the average daily use of
    the previous readings (or ``FALLBACK_MONTHLY_L`` when there is no history).
    """
    rows = (
        await session.execute(
            select(Reading.date, Reading.value_l)
            .where(Reading.meter_id == meter_id, Reading.date <= end)
            .order_by(Reading.date.desc(), Reading.id.desc())
            .limit(6)
        )
    ).all()
    inside = [r for r in rows if r.date >= start]
    before = [r for r in rows if r.date < start]
    if inside and before:
        return max(0, inside[0].value_l - before[0].value_l)
    days = (end - start).days + 1
    if len(before) >= 2:
        span = (before[0].date - before[-1].date).days
        used = before[0].value_l - before[-1].value_l
        if span > 0 and used >= 0:
            return div_round(used * days, span)
    return FALLBACK_MONTHLY_L


async def issue_invoices(session: AsyncSession, year: int, month: int, today: dt.date) -> list[Invoice]:
    """Issue invoices for billing period ``year-month``: one per service point (that is, per
    contract) not invoiced for it yet; a customer with several points gets one invoice per point.

    Prices come from the ``tariffs`` table: the point's contract's tariff group's rates in force on
    the period's first day, the billing fee with or without e-FAKTURA as the customer has it at issue
    time. A point whose group has no rate for a component it needs is left out (logged) and stays
    uninvoiced for the period until its tariff is added and the run repeated.
    An invoice to a business or a community is made a KSeF one (``pending``, its file stored:
    :func:`ksef.prepare`); the caller sends it after committing (:func:`ksef.submit_pending`).
    Safe to run twice in parallel: each invoice is inserted in its own savepoint and the unique
    (service point, billing period) constraint turns a point already invoiced by the other run into
    a skip; numbers come from :func:`allocate_invoice_seq`. Each invoice owes its customer a
    notification mail if wanted (``notify.enqueue``, in the invoice's savepoint); the caller commits
    and then calls ``notify.deliver``.
    """
    start, end = month_bounds(year, month)
    issued: list[Invoice] = []
    invoiced = exists().where(
        Invoice.service_point_id == Contract.service_point_id,
        (Invoice.period_from == start) | (Invoice.billing_period == start),
    )
    rows = (
        await session.execute(
            select(Customer, Contract)
            .join(Contract, Contract.customer_id == Customer.id)
            .where(~invoiced)
            .order_by(Customer.id, Contract.service_point_id)
        )
    ).all()
    book = await TariffBook.load(session)
    for customer, contract in rows:
        meters = (await session.scalars(select(Meter).where(Meter.contract_id == contract.id))).all()
        consumption = 0
        for m in meters:
            consumption += await period_consumption_l(session, m.id, start, end)
        try:
            async with session.begin_nested():
                seq = await allocate_invoice_seq(session, today)
                inv = build_invoice(
                    rates=book.on(contract.tariff_group, start),
                    customer_id=customer.id,
                    service_point_id=contract.service_point_id,
                    number=invoice_number(today, seq),
                    services=contract.service_list,
                    consumption_l=consumption,
                    period_from=start,
                    period_to=end,
                    issue_date=today,
                    efaktura_active=customer.efaktura_active,
                    billing_period=start,
                )
                ksef.prepare(inv, customer, iban_for(customer.customer_number))
                session.add(inv)
                await session.flush()
                await enqueue(session, customer.id, "invoice", inv.id)
        except IntegrityError:
            continue  # a parallel run invoiced this point for the period first
        except MissingTariff as exc:
            log.warning("contract %s not invoiced for %s: %s", contract.number, start, exc)
            continue
        issued.append(inv)
    return issued


@dataclass
class Balance:
    to_pay: int
    overdue: int
    overpayment: int
    next_due_date: dt.date | None
    next_due_amount: int | None
    overdue_since: dt.date | None  # the earliest due date among the overdue invoices
    open_numbers: list[str]  # every invoice not fully paid, earliest due date first

    @property
    def balance(self) -> int:
        return self.overpayment - self.to_pay


# The balance's statements, built once (building a statement and its cache key costs about as
# much CPU as running it); :customer_id is bound per call.
_OPEN_INVOICES = (
    select(Invoice.number, Invoice.gross, Invoice.paid, Invoice.due_date)
    .where(Invoice.customer_id == bindparam("customer_id"), Invoice.paid < Invoice.gross)
    .order_by(Invoice.due_date, Invoice.id)
)
# the overpayment's two parts in one statement (two index probes)
_OVERPAYMENT = select(
    select(func.coalesce(func.sum(Invoice.paid - Invoice.gross), 0))
    .where(Invoice.customer_id == bindparam("customer_id"), Invoice.paid > Invoice.gross)
    .scalar_subquery(),
    select(func.coalesce(func.sum(Payment.amount), 0))
    .where(Payment.customer_id == bindparam("customer_id"), Payment.invoice_id.is_(None))
    .scalar_subquery(),
)


async def compute_balance(session: AsyncSession, customer_id: int, today: dt.date) -> Balance:
    who = {"customer_id": customer_id}
    open_rows = (await session.execute(_OPEN_INVOICES, who)).all()
    to_pay = overdue = 0
    due_groups: dict[dt.date, int] = {}
    overdue_since: dt.date | None = None
    for _number, gross, paid, due in open_rows:
        residual = gross - paid
        to_pay += residual
        if due < today:
            overdue += residual
            overdue_since = overdue_since or due  # rows come earliest due date first
        else:
            due_groups[due] = due_groups.get(due, 0) + residual
    over_alloc, unallocated = (await session.execute(_OVERPAYMENT, who)).one()
    overpayment = int(over_alloc or 0) + int(unallocated or 0)
    next_due = min(due_groups) if due_groups else None
    return Balance(
        to_pay=to_pay,
        overdue=overdue,
        overpayment=overpayment,
        next_due_date=next_due,
        next_due_amount=due_groups[next_due] if next_due else None,
        overdue_since=overdue_since,
        open_numbers=[row[0] for row in open_rows],
    )


@dataclass
class PointDue:
    code: str
    label: str
    to_pay: int
    overdue: int


_residual = Invoice.gross - Invoice.paid
_open_at_point = and_(Invoice.service_point_id == ServicePoint.id, Invoice.paid < Invoice.gross)
_POINT_DUES = (
    select(
        ServicePoint.code,
        ServicePoint.label,
        func.coalesce(func.sum(case((_open_at_point, _residual), else_=0)), 0),
        func.coalesce(
            func.sum(case((and_(_open_at_point, Invoice.due_date < bindparam("today")), _residual), else_=0)), 0
        ),
    )
    .outerjoin(Invoice, Invoice.service_point_id == ServicePoint.id)
    .where(ServicePoint.customer_id == bindparam("customer_id"))
    .group_by(ServicePoint.id, ServicePoint.code, ServicePoint.label)
    .order_by(ServicePoint.code)
)


def point_id(customer_id: int, code: str):
    """The id of the customer's service point ``code`` as a scalar subquery (NULL when the code is
    not one of the customer's points, so a filter on it matches nothing)."""
    return (
        select(ServicePoint.id)
        .where(ServicePoint.customer_id == customer_id, ServicePoint.code == code)
        .scalar_subquery()
    )


async def point_balances(session: AsyncSession, customer_id: int, today: dt.date) -> list[PointDue]:
    """The customer's open amounts per service point (code order), every point listed (0 when paid).
    They add up to :func:`compute_balance`'s ``to_pay`` and ``overdue``: an invoice always has its
    customer's point (revision 0004)."""
    rows = (await session.execute(_POINT_DUES, {"customer_id": customer_id, "today": today})).all()
    return [PointDue(code, label, int(to_pay), int(overdue)) for code, label, to_pay, overdue in rows]


#: The longest transfer title the ZBP 2D payment code carries.
TRANSFER_TITLE_MAX = 32


def transfer_title(customer_number: str, open_numbers: list[str], today: dt.date) -> str:
    """What a transfer of the whole amount to pay pays: the open invoices' numbers (earliest due
    first, ``", "`` between them) when they fit the 2D code's 32-character title, else
    ``Saldo NNNNN na DD.MM.YYYY``; ``Klient NNNNN`` when nothing is open. The customer's individual
    account number already says who pays."""
    if not open_numbers:
        return f"Klient {customer_number}"
    listed = ", ".join(open_numbers)
    if len(listed) <= TRANSFER_TITLE_MAX:
        return listed
    return f"Saldo {customer_number} na {today:%d.%m.%Y}"
