from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ..billing import (
    FEE_GROSS_WITH_EFAKTURA,
    FEE_GROSS_WITHOUT_EFAKTURA,
    compute_balance,
    fee_gross,
    point_balances,
    iban_for,
    transfer_title,
)
from ..config import UTILITY_ADDRESS, UTILITY_NAME, UTILITY_NIP, Settings, iso_ts
from ..deps import AUTH, DB, SETTINGS, Auth
from ..errors import ApiError, not_found
from ..models import Contract, Customer, Meter, ServicePoint
from ..notify import preferences, set_preferences, since_last_visit, unread_count
from ..schemas import (
    BalanceOut,
    ContractOut,
    EfakturaRequest,
    EfakturaStatus,
    Me,
    MeterOut,
    NotificationPreferences,
    PointBalance,
    ServicePointOut,
)
from .notices import notices_in_force

router = APIRouter(tags=["account"])


@router.get("/me", response_model=Me)
async def me(auth: Auth = AUTH, db: AsyncSession = DB) -> Me:
    c = auth.customer
    return Me(
        customer_number=c.customer_number,
        full_name=c.full_name,
        email=c.email,
        address=c.address,
        efaktura_active=c.efaktura_active,
        unread_threads=await unread_count(db, c.id),
        notifications=NotificationPreferences(**await preferences(db, c.id)),
    )


# The routes answer for the logged-in resident; the functions they call take the customer, so that
# staff acting for a customer (routes/staff_act.py) run the same code.
@router.get("/balance", response_model=BalanceOut)
async def balance(auth: Auth = AUTH, db: AsyncSession = DB, settings: Settings = SETTINGS) -> BalanceOut:
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
async def service_points(auth: Auth = AUTH, db: AsyncSession = DB) -> list[ServicePointOut]:
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


@router.get("/contract", response_model=ContractOut)
async def contract(auth: Auth = AUTH, db: AsyncSession = DB) -> ContractOut:
    return await contract_of(db, auth.customer)


async def contract_of(db: AsyncSession, customer: Customer) -> ContractOut:
    # with several service points: the first point's (GET /service-points lists them all)
    c = await db.scalar(
        select(Contract)
        .join(ServicePoint, ServicePoint.id == Contract.service_point_id)
        .where(Contract.customer_id == customer.id)
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


def efaktura_status(c: Customer) -> EfakturaStatus:
    return EfakturaStatus(
        active=c.efaktura_active,
        email=c.efaktura_email if c.efaktura_active else None,
        activated_at=iso_ts(c.efaktura_activated_at) if c.efaktura_active else None,
        fee_with_gross=FEE_GROSS_WITH_EFAKTURA,
        fee_without_gross=FEE_GROSS_WITHOUT_EFAKTURA,
        current_fee_gross=fee_gross(c.efaktura_active),
    )


@router.get("/efaktura", response_model=EfakturaStatus)
async def efaktura_get(auth: Auth = AUTH) -> EfakturaStatus:
    return efaktura_status(auth.customer)


@router.put("/efaktura", response_model=EfakturaStatus)
async def efaktura_put(
    body: EfakturaRequest, auth: Auth = AUTH, db: AsyncSession = DB, settings: Settings = SETTINGS
) -> EfakturaStatus:
    return await activate_efaktura(db, auth.customer, str(body.email), settings)


async def activate_efaktura(db: AsyncSession, c: Customer, email: str, settings: Settings) -> EfakturaStatus:
    """Activate, or change the address while active (keeping ``activated_at``): one UPDATE that reads
    the current state in the database, so parallel calls cannot both "activate"; commits."""
    activated_at = await db.scalar(
        update(Customer)
        .where(Customer.id == c.id)
        .values(
            efaktura_active=True,
            efaktura_email=email,
            efaktura_activated_at=case(
                (Customer.efaktura_active, Customer.efaktura_activated_at), else_=settings.business_now()
            ),
        )
        .returning(Customer.efaktura_activated_at)
        .execution_options(synchronize_session=False)
    )
    await db.commit()
    for name, value in (
        ("efaktura_active", True),
        ("efaktura_email", email),
        ("efaktura_activated_at", activated_at),
    ):
        set_committed_value(c, name, value)
    return efaktura_status(c)


@router.delete("/efaktura", response_model=EfakturaStatus, responses={422: {"description": "efaktura_not_active"}})
async def efaktura_delete(auth: Auth = AUTH, db: AsyncSession = DB) -> EfakturaStatus:
    return await withdraw_efaktura(db, auth.customer)


async def withdraw_efaktura(db: AsyncSession, c: Customer) -> EfakturaStatus:
    """Withdraw: an UPDATE conditional on being active (of two parallel calls one succeeds); commits."""
    done = await db.execute(
        update(Customer)
        .where(Customer.id == c.id, Customer.efaktura_active.is_(True))
        .values(efaktura_active=False, efaktura_email=None, efaktura_activated_at=None)
    )
    if done.rowcount != 1:
        raise ApiError(422, "efaktura_not_active", "e-FAKTURA is not active.")
    await db.commit()
    return efaktura_status(c)


@router.get("/notification-preferences", response_model=NotificationPreferences)
async def notification_preferences_get(auth: Auth = AUTH, db: AsyncSession = DB) -> NotificationPreferences:
    """Which events also come by e-mail to the address on file (defaults where never chosen)."""
    return NotificationPreferences(**await preferences(db, auth.customer.id))


@router.put("/notification-preferences", response_model=NotificationPreferences)
async def notification_preferences_put(
    body: NotificationPreferences, auth: Auth = AUTH, db: AsyncSession = DB
) -> NotificationPreferences:
    """Store the resident's choice for every kind (the whole object: nothing is left to a default)."""
    await set_preferences(db, auth.customer.id, body.model_dump())
    await db.commit()
    return NotificationPreferences(**await preferences(db, auth.customer.id))
