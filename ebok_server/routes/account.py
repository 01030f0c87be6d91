from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import efaktura
from ..billing import (
    compute_balance,
    iban_for,
    point_balances,
    point_id,
    transfer_title,
)
from ..config import UTILITY_ADDRESS, UTILITY_NAME, UTILITY_NIP, Settings
from ..deps import AuthDep, DbDep, MailerDep, SettingsDep
from ..errors import not_found
from ..models import Contract, Customer, Meter, ServicePoint
from ..notify import preferences, set_preferences, since_last_visit, unread_count
from ..schemas import (
    BalanceOut,
    ContractOut,
    EfakturaConfirm,
    EfakturaRequest,
    EfakturaStatus,
    Me,
    MeterOut,
    NotificationPreferences,
    PointBalance,
    ServicePointCode,
    ServicePointOut,
)
from .auth import RATE_LIMITED
from .notices import notices_in_force

router = APIRouter(tags=["account"])

#: ``GET /contract`` and its act-for twin
CONTRACT_RESPONSES: dict[int | str, dict] = {
    404: {"description": "not_found: no such contract, or service_point is not one of the customer's points"}
}


@router.get("/me", response_model=Me)
async def me(auth: AuthDep, db: DbDep) -> Me:
    c = auth.customer
    return Me(
        customer_number=c.customer_number,
        full_name=c.full_name,
        email=c.email,
        address=c.address,
        efaktura_active=c.efaktura_active,
        # the client learns at login whether to offer a choice of point (no request per screen)
        service_points=await service_points_of(db, c),
        unread_threads=await unread_count(db, c.id),
        notifications=NotificationPreferences(**await preferences(db, c.id)),
    )


# The routes answer for the logged-in resident; the functions they call take the customer, so that
# staff acting for a customer (routes/staff_act.py) run the same code.
@router.get("/balance", response_model=BalanceOut)
async def balance(auth: AuthDep, db: DbDep, settings: SettingsDep) -> BalanceOut:
    return await balance_of(db, auth.customer, settings)


async def balance_of(db: AsyncSession, customer: Customer, settings: Settings) -> BalanceOut:
    today = settings.business_today()
    b = await compute_balance(db, customer.id, today)
    number = customer.customer_number
    notices = await notices_in_force(db, customer, settings)
    return BalanceOut(
        balance=b.balance,
        to_pay=b.to_pay,
        overdue=b.overdue,
        overpayment=b.overpayment,
        next_due_date=b.next_due_date,
        next_due_amount=b.next_due_amount,
        overdue_since=b.overdue_since,
        bank_account=iban_for(number),
        recipient_name=UTILITY_NAME,
        recipient_address=UTILITY_ADDRESS,
        recipient_nip=UTILITY_NIP,
        transfer_title=transfer_title(number, b.open_numbers, today),
        as_of=today,
        points=[
            PointBalance(code=p.code, label=p.label, to_pay=p.to_pay, overdue=p.overdue)
            for p in await point_balances(db, customer.id, today)
        ],
        notices_in_force=notices,
        unread_threads=await unread_count(db, customer.id),
        since_last_visit=await since_last_visit(db, customer.id, today, notices),
    )


@router.get("/service-points", response_model=list[ServicePointOut])
async def service_points(auth: AuthDep, db: DbDep) -> list[ServicePointOut]:
    return await service_points_of(db, auth.customer)


async def service_points_of(db: AsyncSession, customer: Customer) -> list[ServicePointOut]:
    """The customer's service points (code order) with each one's contract number."""
    rows = (
        await db.execute(
            select(ServicePoint, Contract.number)
            .outerjoin(Contract, Contract.service_point_id == ServicePoint.id)
            .where(ServicePoint.customer_id == customer.id)
            .order_by(ServicePoint.code)
        )
    ).all()
    return [
        ServicePointOut(code=p.code, label=p.label, address=p.address, contract_number=number) for p, number in rows
    ]


@router.get("/contract", response_model=ContractOut, responses=CONTRACT_RESPONSES)
async def contract(auth: AuthDep, db: DbDep, service_point: ServicePointCode | None = None) -> ContractOut:
    return await contract_of(db, auth.customer, service_point)


async def contract_of(db: AsyncSession, customer: Customer, service_point: str | None = None) -> ContractOut:
    """The contract of the customer's point ``service_point`` (404 when it is not one of theirs);
    without one, the first point's (GET /service-points lists them all)."""
    mine = [Contract.customer_id == customer.id]
    if service_point is not None:
        mine.append(Contract.service_point_id == point_id(customer.id, service_point))
    c = await db.scalar(
        select(Contract)
        .join(ServicePoint, ServicePoint.id == Contract.service_point_id)
        .where(*mine)
        .order_by(ServicePoint.code)
        .limit(1)
    )
    if c is None:
        raise not_found()
    meters = (await db.scalars(select(Meter).where(Meter.contract_id == c.id).order_by(Meter.id))).all()
    return ContractOut(
        number=c.number,
        concluded_on=c.concluded_on,
        services=c.service_list,
        tariff_group=c.tariff_group,
        connection_address=c.connection_address,
        meters=[
            MeterOut(
                number=m.number,
                location=m.location,
                installed_on=m.installed_on,
                legalisation_valid_until=m.legalisation_valid_until,
                diameter_mm=m.diameter_mm,
            )
            for m in meters
        ],
    )


@router.get("/efaktura", response_model=EfakturaStatus)
async def efaktura_get(auth: AuthDep, db: DbDep, settings: SettingsDep) -> EfakturaStatus:
    return await efaktura.status(db, settings, auth.customer)


@router.post(
    "/efaktura/request",
    response_model=EfakturaStatus,
    responses={422: {"description": "efaktura_terms_outdated / efaktura_same_address"}} | RATE_LIMITED,
)
async def efaktura_request(
    body: EfakturaRequest, auth: AuthDep, db: DbDep, settings: SettingsDep, mailer: MailerDep
) -> EfakturaStatus:
    return await efaktura.request(db, settings, mailer, auth.customer, str(body.email), body.terms_version)


@router.post(
    "/efaktura/confirm",
    response_model=EfakturaStatus,
    responses={422: {"description": "efaktura_wrong_code / efaktura_code_expired / efaktura_no_request"}},
)
async def efaktura_confirm(body: EfakturaConfirm, auth: AuthDep, db: DbDep, settings: SettingsDep) -> EfakturaStatus:
    return await efaktura.confirm(db, settings, auth.customer, body.code)


@router.post(
    "/efaktura/withdraw", response_model=EfakturaStatus, responses={422: {"description": "efaktura_not_active"}}
)
async def efaktura_withdraw(auth: AuthDep, db: DbDep, settings: SettingsDep) -> EfakturaStatus:
    return await efaktura.withdraw(db, settings, auth.customer)


@router.get("/notification-preferences", response_model=NotificationPreferences)
async def notification_preferences_get(auth: AuthDep, db: DbDep) -> NotificationPreferences:
    """Which events also come by e-mail to the address on file (defaults where never chosen)."""
    return NotificationPreferences(**await preferences(db, auth.customer.id))


@router.put("/notification-preferences", response_model=NotificationPreferences)
async def notification_preferences_put(
    body: NotificationPreferences, auth: AuthDep, db: DbDep
) -> NotificationPreferences:
    """Store the resident's choice for every kind (the whole object: nothing is left to a default)."""
    await set_preferences(db, auth.customer.id, body.model_dump())
    await db.commit()
    return NotificationPreferences(**await preferences(db, auth.customer.id))
