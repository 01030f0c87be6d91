"""Login, logout, password change, registration and password reset (docs/API.md "Auth").

No unauthenticated request ever changes a password, an e-mail address or a session: registration
and reset only send a one-time code to the address the utility has on file (or queue a letter);
the password changes only when that code comes back with the new password.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import (
    ACCESS_CODE_LETTER_TTL,
    ACCESS_CODE_MAIL_TTL,
    IDLE_TIMEOUT,
    REGISTER_PROOF_INVOICES,
    RESET_CODE_TTL,
    Settings,
    iso_ts,
    utcnow,
)
from ..deps import AuthDep, DbDep, MailerDep, SettingsDep
from ..errors import ApiError
from ..models import (
    AuthSession,
    Contract,
    Customer,
    Invoice,
    LoginThrottle,
    Meter,
    OneTimeCode,
    PendingLetter,
)
from ..notify import record_login
from ..passwords import password_problem
from ..schemas import (
    Accepted,
    CodeConfirmRequest,
    LoginRequest,
    LoginResponse,
    PasswordChangeRequest,
    PasswordResetRequest,
    RegisterRequest,
)
from ..security import (
    code_hash,
    hash_password,
    new_code,
    new_token,
    password_needs_rehash,
    session_expires_at,
    token_hash,
    verify_password,
)
from ..throttle import (
    HashPool,
    insert_for,
    login_attempt_succeeded,
    refund,
    reserve,
    reserve_login_attempt,
    source_address,
)

router = APIRouter(prefix="/auth", tags=["auth"])

RATE_LIMITED = {429: {"description": "rate_limited (Retry-After header: seconds to wait)"}}
BUSY = {503: {"description": "server_busy (Retry-After header)"}}
#: The second step of registration and of the password reset (a one-time code + a new password).
CODE_CONFIRM_RESPONSES = {422: {"description": "invalid_code / weak_password / validation_error"}} | RATE_LIMITED | BUSY


def _invalid_credentials() -> ApiError:
    return ApiError(401, "invalid_credentials", "Invalid customer number or password.")


def _weak_password(problem: str) -> ApiError:
    return ApiError(422, "weak_password", f"New password not accepted: {problem}.", {"new_password": problem})


def _invalid_code() -> ApiError:
    return ApiError(
        422,
        "invalid_code",
        "The code is wrong, expired, already used or replaced by a newer one.",
        {"code": "invalid or expired code"},
    )


def _pool(request: Request) -> HashPool:
    return request.app.state.hash_pool


# ---- login / logout / change --------------------------------------------------------------------
@router.post(
    "/login",
    response_model=LoginResponse,
    responses={401: {"description": "invalid_credentials"}} | RATE_LIMITED | BUSY,
)
async def login(body: LoginRequest, request: Request, db: DbDep, settings: SettingsDep) -> LoginResponse:
    pool = _pool(request)
    with pool.admit():
        attempt = await reserve_login_attempt(db, settings, request, body.customer_number)
        customer = await db.scalar(select(Customer).where(Customer.customer_number == body.customer_number))
        ok = await pool.run(verify_password, customer.password_hash if customer else None, body.password)
    if not ok or customer is None:
        raise _invalid_credentials()
    if password_needs_rehash(customer.password_hash):  # stored with older parameters: upgraded now
        customer.password_hash = await pool.run(hash_password, body.password)
    await login_attempt_succeeded(db, attempt)
    await record_login(db, customer.id, settings.business_now())
    now = utcnow()
    token = new_token()
    db.add(AuthSession(customer_id=customer.id, token_hash=token_hash(token), created_at=now, last_used_at=now))
    await db.commit()
    return LoginResponse(
        token=token,
        expires_at=iso_ts(session_expires_at(now, now)),
        idle_timeout_seconds=int(IDLE_TIMEOUT.total_seconds()),
        customer_number=customer.customer_number,
    )


@router.post("/logout", status_code=204, response_class=Response)
async def logout(auth: AuthDep, db: DbDep) -> Response:
    auth.session.revoked_at = utcnow()
    await db.commit()
    return Response(status_code=204)


async def _revoke_sessions(db: AsyncSession, customer_id: int, keep: int | None = None) -> None:
    """Revoke the customer's live sessions, except session ``keep`` (the one changing the password)."""
    conds = [AuthSession.customer_id == customer_id, AuthSession.revoked_at.is_(None)]
    if keep is not None:
        conds.append(AuthSession.id != keep)
    await db.execute(update(AuthSession).where(*conds).values(revoked_at=utcnow()))


@router.post(
    "/password",
    status_code=204,
    response_class=Response,
    responses={422: {"description": "wrong_password / weak_password / validation_error"}} | BUSY,
)
async def change_password(body: PasswordChangeRequest, request: Request, auth: AuthDep, db: DbDep) -> Response:
    customer = auth.customer
    pool = _pool(request)
    with pool.admit():
        if not await pool.run(verify_password, customer.password_hash, body.current_password):
            raise ApiError(422, "wrong_password", "Current password is wrong.", {"current_password": "wrong password"})
        if problem := password_problem(body.new_password, customer.customer_number, current=body.current_password):
            raise _weak_password(problem)
        customer.password_hash = await pool.run(hash_password, body.new_password)
    await _revoke_sessions(db, customer.id, keep=auth.session.id)
    await db.commit()
    return Response(status_code=204)


# ---- one-time codes -----------------------------------------------------------------------------
async def _mail_slot(db: AsyncSession, settings: Settings, customer: Customer) -> bool:
    """Take one of the customer's mail/letter slots; False when they are used up (then nothing is
    sent and nothing changes — the requester still gets the same 202)."""
    try:
        await reserve(
            db,
            settings,
            "mail_acct",
            str(customer.id),
            settings.limits.mail_account_limit,
            settings.limits.mail_account_window_s,
        )
    except ApiError:
        return False
    return True


async def _store_code(db: AsyncSession, settings: Settings, customer_id: int, purpose: str, ttl: dt.timedelta) -> str:
    """Issue a new code: one atomic upsert replaces the customer's previous code of this purpose
    (at most one live code per customer and purpose: the primary key). Not committed."""
    code = new_code()
    values = {
        "code_hash": code_hash(code),
        "created_at": settings.now(),
        "expires_at_ms": int((settings.clock() + ttl.total_seconds()) * 1000),
    }
    stmt = insert_for(db, OneTimeCode).values(customer_id=customer_id, purpose=purpose, **values)
    await db.execute(
        stmt.on_conflict_do_update(index_elements=[OneTimeCode.customer_id, OneTimeCode.purpose], set_=values)
    )
    return code


def _live_code_conditions(settings: Settings, customer_id: int, purpose: str, code: str) -> list:
    return [
        OneTimeCode.customer_id == customer_id,
        OneTimeCode.purpose == purpose,
        OneTimeCode.code_hash == code_hash(code),
        OneTimeCode.expires_at_ms > int(settings.clock() * 1000),
    ]


async def _confirm(
    purpose: str, body: CodeConfirmRequest, request: Request, db: AsyncSession, settings: Settings
) -> None:
    """Set the password with a code of ``purpose``: the code is deleted by the same transaction that
    stores the new password (so it works once), then every session of the customer is revoked."""
    limits = settings.limits
    pool = _pool(request)
    with pool.admit():
        if problem := password_problem(body.new_password, body.customer_number):
            raise _weak_password(problem)  # checked first: a weak password does not use up the code
        slot = await reserve(
            db,
            settings,
            "confirm_src",
            source_address(request),
            limits.confirm_source_failures,
            limits.confirm_source_window_s,
            "Too many wrong codes from your address; wait and try again.",
        )
        customer = await db.scalar(select(Customer).where(Customer.customer_number == body.customer_number))
        conds = _live_code_conditions(settings, customer.id, purpose, body.code) if customer else None
        if conds is None or await db.scalar(select(OneTimeCode.customer_id).where(*conds)) is None:
            raise _invalid_code()
        new_hash = await pool.run(hash_password, body.new_password)
    used = (await db.execute(delete(OneTimeCode).where(*conds).returning(OneTimeCode.customer_id))).first()
    if used is None:  # a parallel request used it (or it expired) meanwhile
        await db.rollback()
        raise _invalid_code()
    await db.execute(delete(OneTimeCode).where(OneTimeCode.customer_id == customer.id))
    customer.password_hash = new_hash
    await _revoke_sessions(db, customer.id)
    await db.execute(delete(LoginThrottle).where(LoginThrottle.customer_number == customer.customer_number))
    await db.commit()
    await refund(db, slot)


# ---- registration -------------------------------------------------------------------------------
def _access_code_text(customer: Customer, code: str, valid: str) -> str:
    return (
        f"Dzień dobry,\n\n"
        f"otrzymaliśmy wniosek o dostęp do Internetowego Biura Obsługi Klienta (eBOK).\n"
        f"Numer klienta (login): {customer.customer_number}\n"
        f"Kod dostępu: {code}\n"
        f"Kod jest jednorazowy i ważny {valid}. W programie eBOK wybierz „Wniosek o dostęp”, "
        f"„Mam kod”, wpisz numer klienta, kod i wybrane przez siebie hasło.\n"
        f"Jeśli to nie Ty składałeś(-aś) wniosek, zignoruj tę wiadomość: bez kodu nic się nie zmieni.\n\n"
        f"Your eBOK customer number: {customer.customer_number}\n"
        f"Access code: {code}\n"
        f'Single use, valid {valid}: in eBOK choose "Request access", "I have a code" and set your '
        f"own password. If you did not ask for access, ignore this message.\n"
    )


async def _reserve_source(db: AsyncSession, settings: Settings, request: Request, bucket: str) -> None:
    """Count one mailed-code request from the caller's address in ``bucket`` (429 past
    ``request_source_limit`` per ``request_source_window_s``), before anything is looked up."""
    limits = settings.limits
    await reserve(
        db, settings, bucket, source_address(request), limits.request_source_limit, limits.request_source_window_s
    )


@router.post("/register", status_code=202, response_model=Accepted, responses=RATE_LIMITED)
async def register(
    body: RegisterRequest, request: Request, db: DbDep, settings: SettingsDep, mailer: MailerDep
) -> Accepted:
    await _reserve_source(db, settings, request, "register_src")
    row = (
        await db.execute(
            select(Customer)
            .join(Contract, Contract.customer_id == Customer.id)
            .join(Meter, Meter.contract_id == Contract.id)
            .where(Contract.number == body.contract_number.strip(), Meter.number == body.meter_number.strip())
        )
    ).first()
    if row is None:
        return Accepted()
    customer: Customer = row[0]
    if customer.password_hash is not None:
        # Online access exists already: nothing changes; the address on file hears about it.
        if customer.email and await _mail_slot(db, settings, customer):
            mailer.send(
                customer.email,
                "eBOK – wniosek o dostęp / access request",
                "Dzień dobry,\n\notrzymaliśmy wniosek o dostęp do eBOK dla Twojego numeru klienta "
                f"{customer.customer_number}, ale masz już dostęp. Nic nie zmieniliśmy.\n"
                "Jeśli nie pamiętasz hasła, użyj „Nie pamiętasz hasła?” na ekranie logowania.\n\n"
                "Someone asked for eBOK access for your customer number, which already has access. "
                'Nothing was changed. If you forgot your password, use "Forgot password?".\n',
            )
        return Accepted()
    recent = (
        await db.scalars(
            select(Invoice.gross)
            .where(Invoice.customer_id == customer.id)
            .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
            .limit(REGISTER_PROOF_INVOICES)
        )
    ).all()
    if body.invoice_gross not in recent or not await _mail_slot(db, settings, customer):
        return Accepted()
    if customer.email:
        code = await _store_code(db, settings, customer.id, "register", ACCESS_CODE_MAIL_TTL)
        await db.commit()
        mailer.send(
            customer.email,
            "eBOK – kod dostępu / access code",
            _access_code_text(customer, code, "48 godzin / 48 hours"),
        )
        return Accepted()
    code = await _store_code(db, settings, customer.id, "register", ACCESS_CODE_LETTER_TTL)
    letter = {
        "recipient": f"{customer.full_name}\n{customer.address}",
        "body": _access_code_text(customer, code, "30 dni / 30 days"),
        "created_at": settings.now(),
    }
    stmt = insert_for(db, PendingLetter).values(customer_id=customer.id, kind="access_code", **letter)
    await db.execute(
        stmt.on_conflict_do_update(index_elements=[PendingLetter.customer_id, PendingLetter.kind], set_=letter)
    )
    await db.commit()
    return Accepted()


@router.post(
    "/register/confirm",
    status_code=204,
    response_class=Response,
    responses=CODE_CONFIRM_RESPONSES,
)
async def register_confirm(body: CodeConfirmRequest, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    await _confirm("register", body, request, db, settings)
    return Response(status_code=204)


# ---- password reset -----------------------------------------------------------------------------
@router.post("/password-reset", status_code=202, response_model=Accepted, responses=RATE_LIMITED)
async def password_reset(
    body: PasswordResetRequest, request: Request, db: DbDep, settings: SettingsDep, mailer: MailerDep
) -> Accepted:
    await _reserve_source(db, settings, request, "reset_src")
    customer = await db.scalar(select(Customer).where(Customer.customer_number == body.customer_number))
    if (
        customer is None
        or customer.password_hash is None
        or not customer.email
        or customer.email.lower() != str(body.email).lower()
        or not await _mail_slot(db, settings, customer)
    ):
        return Accepted()
    code = await _store_code(db, settings, customer.id, "reset", RESET_CODE_TTL)
    await db.commit()
    mailer.send(
        customer.email,
        "eBOK – kod do zmiany hasła / password reset code",
        "Dzień dobry,\n\n"
        f"otrzymaliśmy prośbę o nowe hasło do eBOK dla numeru klienta {customer.customer_number}.\n"
        f"Kod: {code}\n"
        "Kod jest jednorazowy i ważny 30 minut (każda kolejna prośba unieważnia poprzedni kod). "
        "Na ekranie „Odzyskiwanie hasła” wybierz „Mam kod”, wpisz kod i nowe hasło.\n"
        "Jeśli to nie Ty, zignoruj tę wiadomość: hasło się nie zmieni.\n\n"
        f"Password reset code for eBOK customer {customer.customer_number}: {code}\n"
        "Single use, valid 30 minutes (a newer request replaces it). If you did not ask, ignore this "
        "message: your password stays as it is.\n",
    )
    return Accepted()


@router.post(
    "/password-reset/confirm",
    status_code=204,
    response_class=Response,
    responses=CODE_CONFIRM_RESPONSES,
)
async def password_reset_confirm(
    body: CodeConfirmRequest, request: Request, db: DbDep, settings: SettingsDep
) -> Response:
    await _confirm("reset", body, request, db, settings)
    return Response(status_code=204)
