from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from ..config import IDLE_TIMEOUT, LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW, iso_ts, utcnow
from ..deps import AUTH, DB, Auth, get_mailer
from ..errors import ApiError
from ..mailer import Mailer
from ..models import AuthSession, Contract, Customer, LoginFailure, Meter
from ..schemas import (
    Accepted,
    LoginRequest,
    LoginResponse,
    PasswordChangeRequest,
    PasswordResetRequest,
    RegisterRequest,
)
from ..security import generate_password, hash_password, new_token, session_expires_at, token_hash, verify_password

router = APIRouter(prefix="/auth", tags=["auth"])

MIN_PASSWORD_LENGTH = 8


def _invalid_credentials() -> ApiError:
    return ApiError(401, "invalid_credentials", "Invalid customer number or password.")


@router.post("/login", response_model=LoginResponse,
             responses={401: {"description": "invalid_credentials"}, 429: {"description": "rate_limited"}})
async def login(body: LoginRequest, db: AsyncSession = DB) -> LoginResponse:
    now = utcnow()
    failures = await db.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.customer_number == body.customer_number, LoginFailure.at > now - LOGIN_FAILURE_WINDOW))
    if failures >= LOGIN_FAILURE_LIMIT:
        raise ApiError(429, "rate_limited", "Too many failed logins; try again later.",
                       headers={"Retry-After": str(int(LOGIN_FAILURE_WINDOW.total_seconds()))})
    customer = await db.scalar(select(Customer).where(Customer.customer_number == body.customer_number))
    ok = await run_in_threadpool(verify_password, customer.password_hash if customer else None, body.password)
    if not ok or customer is None:
        # keep the table small: failures older than the window are irrelevant
        await db.execute(delete(LoginFailure).where(LoginFailure.at <= now - LOGIN_FAILURE_WINDOW))
        db.add(LoginFailure(customer_number=body.customer_number, at=now))
        await db.commit()
        raise _invalid_credentials()
    await db.execute(delete(LoginFailure).where(LoginFailure.customer_number == body.customer_number))
    token = new_token()
    sess = AuthSession(customer_id=customer.id, token_hash=token_hash(token), created_at=now, last_used_at=now)
    db.add(sess)
    await db.commit()
    return LoginResponse(token=token, expires_at=iso_ts(session_expires_at(now, now)),
                         idle_timeout_seconds=int(IDLE_TIMEOUT.total_seconds()),
                         customer_number=customer.customer_number)


@router.post("/logout", status_code=204, response_class=Response)
async def logout(auth: Auth = AUTH, db: AsyncSession = DB) -> Response:
    auth.session.revoked_at = utcnow()
    await db.commit()
    return Response(status_code=204)


async def _revoke_sessions(db: AsyncSession, customer_id: int, keep: int | None = None) -> None:
    """Revoke the customer's live sessions, except session ``keep`` (the one changing the password)."""
    conds = [AuthSession.customer_id == customer_id, AuthSession.revoked_at.is_(None)]
    if keep is not None:
        conds.append(AuthSession.id != keep)
    await db.execute(update(AuthSession).where(*conds).values(revoked_at=utcnow()))


@router.post("/password", status_code=204, response_class=Response,
             responses={422: {"description": "wrong_password / weak_password / validation_error"}})
async def change_password(body: PasswordChangeRequest, auth: Auth = AUTH, db: AsyncSession = DB) -> Response:
    customer = auth.customer
    if not await run_in_threadpool(verify_password, customer.password_hash, body.current_password):
        raise ApiError(422, "wrong_password", "Current password is wrong.",
                       {"current_password": "wrong password"})
    if len(body.new_password) < MIN_PASSWORD_LENGTH or body.new_password == body.current_password:
        raise ApiError(422, "weak_password",
                       f"New password must have at least {MIN_PASSWORD_LENGTH} characters and differ from the current one.",
                       {"new_password": "too weak"})
    customer.password_hash = await run_in_threadpool(hash_password, body.new_password)
    await _revoke_sessions(db, customer.id, keep=auth.session.id)
    await db.commit()
    return Response(status_code=204)




@router.post("/register", status_code=202, response_model=Accepted)
async def register(body: RegisterRequest, db: AsyncSession = DB, mailer: Mailer = Depends(get_mailer)) -> Accepted:
    row = (await db.execute(
        select(Customer, Contract).join(Contract, Contract.customer_id == Customer.id)
        .join(Meter, Meter.contract_id == Contract.id)
        .where(Contract.number == body.contract_number.strip(), Meter.number == body.meter_number.strip()))).first()
    password = generate_password()
    new_hash = await run_in_threadpool(hash_password, password)  # also on no match: uniform timing
    if row is not None:
        customer, _contract = row
        customer.password_hash = new_hash
        customer.email = str(body.email)
        await _revoke_sessions(db, customer.id)
        await db.commit()
        mailer.send(
            str(body.email), "eBOK – dane logowania / login details",
            f"Dzień dobry {body.full_name},\n\n"
            f"Twoje konto w Internetowym Biurze Obsługi Klienta (eBOK) jest aktywne.\n"
            f"Login (numer klienta): {customer.customer_number}\n"
            f"Hasło: {password}\n\n"
            "Po zalogowaniu możesz zmienić hasło.\n\n"
            f"Your eBOK customer number: {customer.customer_number}\nPassword: {password}\n",
        )
    return Accepted()


@router.post("/password-reset", status_code=202, response_model=Accepted)
async def password_reset(body: PasswordResetRequest, db: AsyncSession = DB,
                         mailer: Mailer = Depends(get_mailer)) -> Accepted:
    customer = await db.scalar(select(Customer).where(Customer.customer_number == body.customer_number))
    password = generate_password()
    new_hash = await run_in_threadpool(hash_password, password)
    if customer is not None and customer.email and customer.email.lower() == str(body.email).lower():
        customer.password_hash = new_hash
        await _revoke_sessions(db, customer.id)
        await db.commit()
        mailer.send(
            customer.email, "eBOK – nowe hasło / new password",
            f"Dzień dobry,\n\nUstawiliśmy nowe hasło do eBOK.\n"
            f"Login (numer klienta): {customer.customer_number}\n"
            f"Hasło: {password}\n"
            "Wszystkie dotychczasowe sesje zostały wylogowane.\n\n"
            f"Your new eBOK password for customer {customer.customer_number}.\nPassword: {password}\n",
        )
    return Accepted()
