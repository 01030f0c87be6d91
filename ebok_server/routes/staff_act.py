"""Acting for a customer (docs/API.md "Staff: acting for a customer").

``POST /staff/customers/{number}/access`` opens an access with a reason (and the phone checklist);
every route under ``/staff/access/{access_id}/`` needs that access live and writes one audit entry
(view, or change with before/after) in the same transaction as what it records. The customer's data
comes from the functions the resident routes call (``account.balance_of`` etc., which take the
customer), here called with the customer the access is for, so staff see exactly what the resident
sees and changes pass the same checks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit
from .. import efaktura as efaktura_rules
from .. import ksef
from ..config import Settings, iso_ts, utcnow
from ..deps import DbDep, MailerDep, SettingsDep, owned_row
from ..downloads import pdf_responses
from ..errors import FORBIDDEN, NOT_FOUND, ApiError, not_found
from ..mailer import Mailer
from ..models import Customer, Invoice, Message, Meter, Reading, Thread
from ..notify import deliver, enqueue
from ..schemas import (
    BalanceOut,
    ContractOut,
    EfakturaStatus,
    InvoiceDetail,
    InvoicePage,
    Limit,
    MessageOut,
    NoticeList,
    Offset,
    Page,
    PaymentItem,
    ReadingCreate,
    ReadingItem,
    ReadingsOut,
    ServicePointCode,
    ServicePointOut,
    TariffOut,
    ThreadCreate,
    ThreadDetail,
    ThreadPage,
    WaterQualityOut,
    YearlyOut,
)
from ..staff import PERMISSIONS, CanView, StaffAuth, StaffDep, forbidden, live_access
from ..staff_models import CustomerAccess
from ..staff_schemas import (
    AccessCustomer,
    AccessOpen,
    AccessOut,
    ContactChange,
    CustomerTypeChange,
    StaffEfaktura,
    StaffReply,
)
from ..throttle import source_address
from ..units import fmt_milli
from . import account, correspondence, invoices, readings, yearly
from . import notices as notices_routes
from . import tariff as tariff_routes

router = APIRouter(prefix="/staff", tags=["staff: acting for a customer"])

AccessId = Annotated[int, Path(description="id returned by POST /staff/customers/{number}/access")]
IdemHeader = correspondence.IdemHeader  # required, as on the resident route


def source_of(request: Request) -> str:
    return source_address(request)


class Acting:
    """A live access of the calling staff member, with its customer."""

    def __init__(self, staff: StaffAuth, access: CustomerAccess, customer: Customer, source: str | None):
        self.staff = staff
        self.access = access
        self.customer = customer
        self.source = source

    async def record(self, db: AsyncSession, resource: str, action: str, before: Any = None, after: Any = None) -> None:
        await audit.append(
            db,
            staff_id=self.staff.account.id,
            customer_id=self.customer.id,
            access_id=self.access.id,
            resource=resource,
            action=action,
            before=before,
            after=after,
            reason=self.access.reason,
            reason_text=self.access.reason_text,
            source=self.source,
        )


def acting(permission: str):
    async def dep(access_id: AccessId, request: Request, auth: StaffDep, db: DbDep) -> Acting:
        acc = await live_access(db, auth, access_id)
        if not auth.can(permission):
            raise forbidden()
        customer = await db.get(Customer, acc.customer_id)
        return Acting(auth, acc, customer, source_of(request))

    dep.__name__ = f"acting_{permission}"
    return dep


# Staff acting for a customer who may view the customer's data; the routes that change something
# name the permission they need in their signature (staff.PERMISSIONS maps roles to them).
ActView = Annotated[Acting, Depends(acting("view"))]


async def _viewed(db: AsyncSession, act: Acting, resource: str, result):
    await act.record(db, resource, "view")
    await db.commit()
    return result


# ---- open / close --------------------------------------------------------------------------------
@router.post(
    "/customers/{number}/access",
    status_code=201,
    response_model=AccessOut,
    responses={
        403: {"description": "verification_failed (recorded, access not opened)"},
    }
    | NOT_FOUND,
)
async def open_access(
    number: Annotated[str, Path(pattern=r"^[0-9]{5}$")], body: AccessOpen, request: Request, auth: CanView, db: DbDep
) -> AccessOut:
    customer = await db.scalar(select(Customer).where(Customer.customer_number == number))
    if customer is None:
        raise not_found()
    now = utcnow()
    failed = body.verification is not None and not body.verification.passed
    acc = CustomerAccess(
        staff_id=auth.account.id,
        session_id=auth.session.id,
        customer_id=customer.id,
        reason=body.reason,
        reason_text=(body.reason_text or "").strip() or None,
        verification=audit.canonical_json(body.verification.model_dump() | {"passed": body.verification.passed})
        if body.verification
        else None,
        opened_at=now,
        closed_at=now if failed else None,
    )
    db.add(acc)
    await db.flush()
    if failed:
        await db.commit()  # the attempt stays on record; nothing was disclosed
        raise ApiError(
            403, "verification_failed", "The caller did not pass verification: disclose nothing about this customer."
        )
    out = _access_customer(customer)
    await Acting(auth, acc, customer, source_of(request)).record(
        db, "customer", "view", after={"verification": body.verification.model_dump()} if body.verification else None
    )
    await db.commit()
    return AccessOut(
        access_id=acc.id,
        reason=acc.reason,
        reason_text=acc.reason_text,
        opened_at=iso_ts(now),
        customer=out,
        permissions=sorted(PERMISSIONS[auth.account.role]),
    )


@router.post(
    "/access/{access_id}/close",
    status_code=204,
    response_class=Response,
    responses={404: {"description": "access_not_live"}},
)
async def close_access(access_id: AccessId, auth: StaffDep, db: DbDep) -> Response:
    acc = await live_access(db, auth, access_id)
    acc.closed_at = utcnow()
    await db.commit()
    return Response(status_code=204)


def _access_customer(c: Customer) -> AccessCustomer:
    return AccessCustomer.model_validate(c, from_attributes=True)  # its fields are the customer's columns


# ---- views ---------------------------------------------------------------------------------------
@router.get("/access/{access_id}/balance", response_model=BalanceOut)
async def balance(act: ActView, db: DbDep, settings: SettingsDep) -> BalanceOut:
    return await _viewed(db, act, "balance", await account.balance_of(db, act.customer, settings))


@router.get("/access/{access_id}/service-points", response_model=list[ServicePointOut])
async def service_points(act: ActView, db: DbDep) -> list[ServicePointOut]:
    return await _viewed(db, act, "service_points", await account.service_points_of(db, act.customer))


@router.get("/access/{access_id}/contract", response_model=ContractOut, responses=account.CONTRACT_RESPONSES)
async def contract(act: ActView, db: DbDep, service_point: ServicePointCode | None = None) -> ContractOut:
    return await _viewed(db, act, "contract", await account.contract_of(db, act.customer, service_point))


@router.get("/access/{access_id}/tariff", response_model=TariffOut)
async def tariff(act: ActView, db: DbDep, settings: SettingsDep) -> TariffOut:
    return await _viewed(db, act, "tariff", await tariff_routes.tariff_of(db, act.customer, settings.business_today()))


@router.get("/access/{access_id}/notices", response_model=NoticeList)
async def notices(act: ActView, db: DbDep, settings: SettingsDep) -> NoticeList:
    return await _viewed(db, act, "notices", await notices_routes.notices_of(db, act.customer, settings))


@router.get("/access/{access_id}/efaktura", response_model=EfakturaStatus)
async def efaktura(act: ActView, db: DbDep, settings: SettingsDep) -> EfakturaStatus:
    return await _viewed(db, act, "efaktura", await efaktura_rules.status(db, settings, act.customer))


@router.get("/access/{access_id}/water-quality", response_model=WaterQualityOut)
async def water_quality(act: ActView, db: DbDep) -> WaterQualityOut:
    return await _viewed(db, act, "water_quality", await yearly.water_quality_of(db, act.customer))


@router.get("/access/{access_id}/yearly/{year}", response_model=YearlyOut)
async def yearly_statement(year: yearly.Year, act: ActView, db: DbDep, settings: SettingsDep) -> YearlyOut:
    return await _viewed(db, act, f"yearly:{year}", await yearly.yearly_of(db, act.customer, year, settings))


@router.get("/access/{access_id}/invoices", response_model=InvoicePage)
async def list_invoices(act: ActView, db: DbDep, settings: SettingsDep, q: invoices.InvoiceParams) -> InvoicePage:
    return await _viewed(db, act, "invoices", await invoices.invoices_of(db, act.customer, settings, q))


@router.get("/access/{access_id}/invoices/{invoice_id}", response_model=InvoiceDetail)
async def get_invoice(invoice_id: int, act: ActView, db: DbDep, settings: SettingsDep) -> InvoiceDetail:
    detail = await invoices.invoice_of(db, act.customer, invoice_id, settings)
    return await _viewed(db, act, f"invoice:{detail.number}", detail)


@router.get(
    "/access/{access_id}/invoices/{invoice_id}/pdf",
    response_class=Response,
    responses=pdf_responses("Invoice PDF") | NOT_FOUND,
)
async def get_invoice_pdf(invoice_id: int, act: ActView, db: DbDep, settings: SettingsDep) -> Response:
    """The invoice PDF, as the resident gets it (e.g. to send the customer a copy)."""
    pdf = await invoices.invoice_pdf_of(db, act.customer, invoice_id, settings)
    number = await db.scalar(select(Invoice.number).where(Invoice.id == invoice_id))
    return await _viewed(db, act, f"invoice_pdf:{number}", pdf)


@router.get("/access/{access_id}/payments", response_model=Page[PaymentItem])
async def list_payments(act: ActView, db: DbDep, offset: Offset = 0, limit: Limit = 50) -> Page[PaymentItem]:
    page = await invoices.payments_of(db, act.customer, offset=offset, limit=limit)
    return await _viewed(db, act, "payments", page)


@router.get("/access/{access_id}/readings", response_model=ReadingsOut)
async def list_readings(act: ActView, db: DbDep, settings: SettingsDep, q: readings.ReadingsParams) -> ReadingsOut:
    return await _viewed(db, act, "readings", await readings.readings_of(db, act.customer, settings, q))


@router.get("/access/{access_id}/correspondence", response_model=ThreadPage)
async def list_threads(act: ActView, db: DbDep, offset: Offset = 0, limit: Limit = 50) -> ThreadPage:
    page = await correspondence.threads_of(db, act.customer, offset=offset, limit=limit)
    return await _viewed(db, act, "correspondence", page)


@router.get("/access/{access_id}/correspondence/{thread_id}", response_model=ThreadDetail)
async def get_thread(thread_id: int, act: ActView, db: DbDep) -> ThreadDetail:
    detail = await correspondence.thread_of(db, act.customer, thread_id)
    return await _viewed(db, act, f"thread:{thread_id}", detail)


# ---- changes (the audit entry is flushed first; the domain function commits both) ---------------
@router.post(
    "/access/{access_id}/readings",
    status_code=201,
    response_model=ReadingItem,
    responses=FORBIDDEN | {422: {"description": "as POST /readings"}},
)
async def submit_reading(
    body: ReadingCreate, act: Annotated[Acting, Depends(acting("reading"))], db: DbDep, settings: SettingsDep
) -> ReadingItem:
    meter = await db.scalar(
        select(Meter).where(Meter.customer_id == act.customer.id, Meter.number == body.meter_number.strip())
    )
    last = None
    if meter is not None:
        last = await db.scalar(
            select(Reading)
            .where(Reading.meter_id == meter.id)
            .order_by(Reading.date.desc(), Reading.id.desc())
            .limit(1)
        )
    before = {
        "meter_number": body.meter_number.strip(),
        "last_value": fmt_milli(last.value_l) if last else None,
        "last_date": last.date.isoformat() if last else None,
    }
    after = {
        "meter_number": body.meter_number.strip(),
        "value": body.value,
        "date": settings.business_today().isoformat(),
        "type": "self",
    }
    await act.record(db, "reading", "change", before, after)
    return await readings.submit_reading_for(db, act.customer, body, settings)


@router.put(
    "/access/{access_id}/efaktura",
    response_model=EfakturaStatus,
    responses=FORBIDDEN | {422: {"description": "efaktura_not_active"}},
)
async def set_efaktura(
    body: StaffEfaktura,
    act: Annotated[Acting, Depends(acting("efaktura"))],
    db: DbDep,
    settings: SettingsDep,
    mailer: MailerDep,
) -> EfakturaStatus:
    """Consent given or withdrawn on paper or at the counter: no code (efaktura.py says why)."""
    c = act.customer
    before = {"active": c.efaktura_active, "email": c.efaktura_email}
    after = {
        "active": body.active,
        "email": str(body.email) if body.active else None,
        "terms_version": body.terms_version,
        "consent": body.consent.model_dump(),
    }
    await act.record(db, "efaktura", "change", before, after)
    return await efaktura_rules.staff_set(
        db,
        settings,
        mailer,
        c,
        str(body.email) if body.active else None,
        terms_version=body.terms_version,
        staff_id=act.staff.account.id,
    )


@router.post(
    "/access/{access_id}/correspondence",
    status_code=201,
    response_model=ThreadDetail,
    responses=FORBIDDEN | correspondence.CREATE_RESPONSES,
)
async def create_thread(
    body: ThreadCreate,
    idempotency_key: IdemHeader,
    act: Annotated[Acting, Depends(acting("complaint"))],
    db: DbDep,
    settings: SettingsDep,
) -> JSONResponse:
    """A complaint, failure report or other matter written up for the customer (as the customer's own
    thread). A replayed Idempotency-Key records nothing new."""
    await act.record(db, "thread", "change", None, body.model_dump(mode="json"))
    return await correspondence.create_thread_for(db, act.customer, body, idempotency_key, settings)


@router.post(
    "/access/{access_id}/contact-change",
    status_code=201,
    response_model=ThreadDetail,
    responses=FORBIDDEN,
)
async def contact_change(
    body: ContactChange,
    idempotency_key: IdemHeader,
    act: Annotated[Acting, Depends(acting("contact_change"))],
    db: DbDep,
    settings: SettingsDep,
) -> JSONResponse:
    """A request to change the contract party's contact data, recorded as a ``contract_change``
    thread of the customer (the change itself is made by the back office after checking it)."""
    c = act.customer
    wanted = body.model_dump(mode="json", exclude_none=True)
    lines = [f"{k}: {v}" for k, v in wanted.items() if k != "note"]
    if body.note:
        lines.append("")
        lines.append(body.note)
    thread = ThreadCreate(
        kind="contract_change",
        subject="Wniosek o zmianę danych kontaktowych",
        body="Wniosek przyjęty przez pracownika BOK:\n" + "\n".join(lines),
    )
    before = {k: getattr(c, k) for k in ("full_name", "address", "email", "phone") if k in wanted}
    await act.record(db, "contact_change_request", "change", before, wanted)
    return await correspondence.create_thread_for(db, c, thread, idempotency_key, settings)


@router.put(
    "/access/{access_id}/customer-type",
    response_model=AccessCustomer,
    responses=FORBIDDEN
    | {
        409: {"description": "customer_changed"},
        422: {"description": "nip_required / invalid_nip / nip_not_allowed / validation_error"},
    },
)
async def set_customer_type(
    body: CustomerTypeChange, act: Annotated[Acting, Depends(acting("customer_type"))], db: DbDep
) -> AccessCustomer:
    """The customer is a natural person, a business or a housing community (with its NIP): which
    of their invoices go through KSeF from now on (``ksef.in_ksef`` at issue time; invoices already
    issued keep their KSeF state). Changed only if nobody changed it since it was read."""
    c = act.customer
    nip = ksef.customer_nip(body.customer_type, body.nip)
    before = {"customer_type": c.customer_type, "nip": c.nip}
    after = {"customer_type": body.customer_type, "nip": nip}
    if after == before:
        return _access_customer(c)
    await act.record(db, "customer_type", "change", before, after | {"reason": body.reason})
    changed = await db.execute(
        update(Customer)
        .where(
            Customer.id == c.id,
            Customer.customer_type == before["customer_type"],
            Customer.nip.is_not_distinct_from(before["nip"]),
        )
        .values(customer_type=body.customer_type, nip=nip)
    )
    if changed.rowcount != 1:
        await db.rollback()
        raise ApiError(409, "customer_changed", "The customer's data changed meanwhile: reload and try again.")
    await db.commit()
    await db.refresh(c)
    return _access_customer(c)


#: The errors of a route on a thread, which may have been closed meanwhile (a reply, a status change).
THREAD_RESPONSES = NOT_FOUND | {422: {"description": "thread_closed"}}
#: How a route that adds the utility's reply to a thread is declared (here and in the queue).
REPLY_ROUTE: dict[str, Any] = {
    "status_code": 201,
    "response_model": MessageOut,
    "responses": THREAD_RESPONSES,
}


@router.post("/access/{access_id}/correspondence/{thread_id}/replies", **REPLY_ROUTE)
async def reply(
    thread_id: int,
    body: StaffReply,
    act: Annotated[Acting, Depends(acting("reply"))],
    db: DbDep,
    settings: SettingsDep,
    mailer: MailerDep,
) -> MessageOut:
    """The utility's reply (or note) in one of the customer's threads; sets the thread's status."""
    thread = await owned_row(db, Thread, act.customer.id, thread_id)
    return await reply_in_thread(db, mailer, settings, thread, body, partial(act.record, db, f"thread:{thread_id}"))


async def reply_in_thread(
    db: AsyncSession,
    mailer: Mailer,
    settings: Settings,
    thread: Thread,
    body: StaffReply,
    record: Callable[[str, dict, dict], Awaitable[None]],
) -> MessageOut:
    """The utility's reply in ``thread`` with its audit entry (``record(action, before, after)``, in the
    same transaction), committed, then the resident's notification mail sent: what staff acting for
    the customer and the correspondence queue both do."""
    before = {"status": thread.status}
    m = await add_utility_reply(db, thread, body.body, body.status, settings)
    await record("change", before, {"reply": body.body, "status": body.status})
    await db.commit()
    out = correspondence._message_out(m)
    await deliver(db, mailer)
    return out


async def add_utility_reply(db: AsyncSession, thread: Thread, text: str, status: str, settings: Settings) -> Message:
    """Add the utility's message to ``thread`` (open) and owe the resident its notification mail, in
    the caller's transaction (the caller commits, then calls ``notify.deliver``)."""
    now = settings.business_now()
    await correspondence.set_open_thread_status(db, thread, status, now)
    m = Message(thread_id=thread.id, author="utility", body=text, created_at=now)
    db.add(m)
    await db.flush()
    await enqueue(db, thread.customer_id, "reply", m.id)
    return m
