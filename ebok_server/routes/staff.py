"""Staff API: login, search, audit log and staff accounts (docs/API.md "Staff API")."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..config import ABSOLUTE_TIMEOUT, iso_ts, utcnow
from ..db import counted_page
from ..deps import DbDep, SettingsDep
from ..errors import NOT_FOUND, ApiError, validation_error
from ..models import Customer
from ..passwords import password_problem
from ..schemas import Limit, Offset, Page
from ..search import MIN_TOKEN, QueryTooShort, search_customers
from ..security import (
    hash_password,
    new_token,
    password_needs_rehash,
    session_expires_at,
    token_hash,
    verify_password,
)
from ..staff import (
    PERMISSIONS,
    STAFF_IDLE_TIMEOUT,
    CanAudit,
    CanSearch,
    CanStaffAdmin,
    StaffDep,
    accept_totp,
    create_account,
    disable_account,
    matching_step,
    totp_uri,
)
from ..staff_models import AuditEntry, StaffAccount, StaffLoginThrottle, StaffSession
from ..staff_schemas import (
    AuditItem,
    CustomerHit,
    CustomerSearchPage,
    StaffAccountCreate,
    StaffAccountCreated,
    StaffAccountOut,
    StaffLoginRequest,
    StaffLoginResponse,
    StaffMe,
)
from ..throttle import (
    HashPool,
    login_attempt_succeeded,
    reserve_login_attempt,
)

router = APIRouter(prefix="/staff", tags=["staff"])


def _me(a: StaffAccount) -> StaffMe:
    return StaffMe(
        login=a.login,
        full_name=a.full_name,
        role=a.role,
        permissions=sorted(PERMISSIONS[a.role]),
        totp_enabled=a.totp_secret is not None,
    )


def _invalid() -> ApiError:
    return ApiError(401, "invalid_credentials", "Invalid login, password or code.")


@router.post(
    "/auth/login",
    response_model=StaffLoginResponse,
    responses={
        401: {"description": "invalid_credentials / totp_required / invalid_totp"},
        429: {"description": "rate_limited (Retry-After)"},
        503: {"description": "server_busy"},
    },
)
async def staff_login(
    body: StaffLoginRequest, request: Request, db: DbDep, settings: SettingsDep
) -> StaffLoginResponse:
    """The residents' login rules (throttle.py): per source and overall failure budgets shared with
    resident logins, a progressive delay per login name, argon2 in the bounded pool. A wrong or
    replayed TOTP code is a failed attempt like a wrong password."""
    pool: HashPool = request.app.state.hash_pool
    with pool.admit():
        attempt = await reserve_login_attempt(
            db,
            settings,
            request,
            body.login,
            key_col=StaffLoginThrottle.login,
            message="Too many failed logins for this login name; wait and try again.",
        )
        account = await db.scalar(select(StaffAccount).where(StaffAccount.login == body.login))
        ok = await pool.run(verify_password, account.password_hash if account else None, body.password)
    if not ok or account is None or account.disabled_at is not None:
        raise _invalid()
    if account.totp_secret is not None:
        if not body.totp_code:
            raise ApiError(401, "totp_required", "This account needs the 6-digit code from the authenticator app.")
        step = matching_step(account.totp_secret, body.totp_code, settings.clock())
        if step is None or not await accept_totp(db, account.id, step):
            await db.rollback()
            raise ApiError(
                401, "invalid_totp", "The code is wrong, expired or was already used; wait for the next one."
            )
    if password_needs_rehash(account.password_hash):  # stored with older parameters: upgraded now
        account.password_hash = await pool.run(hash_password, body.password)
    await login_attempt_succeeded(db, attempt)
    now = utcnow()
    token = new_token()
    db.add(StaffSession(staff_id=account.id, token_hash=token_hash(token), created_at=now, last_used_at=now))
    await db.commit()
    me = _me(account)
    return StaffLoginResponse(
        **me.model_dump(),
        token=token,
        expires_at=iso_ts(session_expires_at(now, now, STAFF_IDLE_TIMEOUT, ABSOLUTE_TIMEOUT)),
        idle_timeout_seconds=int(STAFF_IDLE_TIMEOUT.total_seconds()),
    )


@router.post("/auth/logout", status_code=204, response_class=Response)
async def staff_logout(auth: StaffDep, db: DbDep) -> Response:
    auth.session.revoked_at = utcnow()
    await db.commit()
    return Response(status_code=204)


@router.get("/me", response_model=StaffMe)
async def staff_me(auth: StaffDep) -> StaffMe:
    return _me(auth.account)


@router.get(
    "/customers",
    response_model=CustomerSearchPage,
    responses={422: {"description": "validation_error (q needs 3 letters or digits)"}},
)
async def search(
    q: Annotated[str, Query(min_length=1, max_length=100)],
    auth: CanSearch,
    db: DbDep,
    offset: Offset = 0,
    limit: Limit = 20,
) -> CustomerSearchPage:
    try:
        hits, truncated = await search_customers(db, q)
    except QueryTooShort:
        raise validation_error({"q": f"at least {MIN_TOKEN} letters or digits"}) from None
    page = hits[offset : offset + limit]
    rows = (
        {
            c.id: c
            for c in (await db.scalars(select(Customer).where(Customer.id.in_([h.customer_id for h in page])))).all()
        }
        if page
        else {}
    )
    return CustomerSearchPage(
        items=[
            CustomerHit(
                customer_number=rows[h.customer_id].customer_number,
                full_name=rows[h.customer_id].full_name,
                address=rows[h.customer_id].address,
                email=rows[h.customer_id].email,
                phone=rows[h.customer_id].phone,
                match=h.match,
            )
            for h in page
        ],
        total=len(hits),
        offset=offset,
        limit=limit,
        truncated=truncated,
    )


# ---- audit log (supervisor) ---------------------------------------------------------------------
def audit_filters(customer_number: str | None, staff_login: str | None) -> list:
    """The WHERE conditions of the audit list and its CSV export."""
    conds = []
    if customer_number is not None:
        conds.append(
            AuditEntry.customer_id
            == select(Customer.id).where(Customer.customer_number == customer_number).scalar_subquery()
        )
    if staff_login is not None:
        conds.append(
            AuditEntry.staff_id == select(StaffAccount.id).where(StaffAccount.login == staff_login).scalar_subquery()
        )
    return conds


@router.get("/audit", response_model=Page[AuditItem])
async def audit_log(
    auth: CanAudit,
    db: DbDep,
    customer_number: Annotated[str | None, Query(pattern=r"^[0-9]{5}$")] = None,
    staff_login: Annotated[str | None, Query(max_length=64)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[AuditItem]:
    """Newest first. Read-only: no endpoint changes or deletes audit entries."""
    listing = (
        select(AuditEntry, StaffAccount.login, Customer.customer_number)
        .outerjoin(StaffAccount, StaffAccount.id == AuditEntry.staff_id)
        .outerjoin(Customer, Customer.id == AuditEntry.customer_id)
        .order_by(AuditEntry.id.desc())
    )
    conds = audit_filters(customer_number, staff_login)
    total, rows = await counted_page(db, AuditEntry, conds, listing, offset, limit)
    items = [
        AuditItem(
            id=e.id,
            at=iso_ts(e.at),
            staff_login=login,
            customer_number=number,
            access_id=e.access_id,
            resource=e.resource,
            action=e.action,
            before=json.loads(e.before) if e.before else None,
            after=json.loads(e.after) if e.after else None,
            reason=e.reason,
            reason_text=e.reason_text,
            source=e.source,
            hash=e.hash,
        )
        for e, login, number in rows
    ]
    return Page[AuditItem](items=items, total=total, offset=offset, limit=limit)


# ---- staff accounts (supervisor) ----------------------------------------------------------------
def _account_out(a: StaffAccount) -> StaffAccountOut:
    return StaffAccountOut(
        login=a.login,
        full_name=a.full_name,
        role=a.role,
        totp_enabled=a.totp_secret is not None,
        disabled=a.disabled_at is not None,
        created_at=iso_ts(a.created_at),
    )


@router.get("/accounts", response_model=list[StaffAccountOut])
async def list_accounts(auth: CanStaffAdmin, db: DbDep) -> list[StaffAccountOut]:
    return [_account_out(a) for a in (await db.scalars(select(StaffAccount).order_by(StaffAccount.login))).all()]


@router.post(
    "/accounts", status_code=201, response_model=StaffAccountCreated, responses={409: {"description": "login_taken"}}
)
async def add_account(
    body: StaffAccountCreate, request: Request, auth: CanStaffAdmin, db: DbDep
) -> StaffAccountCreated:
    problem = password_problem(body.password)
    if problem:
        raise ApiError(422, "weak_password", f"Password not accepted: {problem}.", {"password": problem})
    pool: HashPool = request.app.state.hash_pool
    with pool.admit():
        password_hash = await pool.run(hash_password, body.password)
    try:
        a = await create_account(db, body.login, body.full_name, body.role, password_hash, body.totp)
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise ApiError(409, "login_taken", "This login is already taken.") from None
    return StaffAccountCreated(
        **_account_out(a).model_dump(),
        totp_secret=a.totp_secret,
        totp_uri=totp_uri(a.totp_secret, a.login) if a.totp_secret else None,
    )


@router.post("/accounts/{login}/disable", response_model=StaffAccountOut, responses=NOT_FOUND)
async def disable(login: str, auth: CanStaffAdmin, db: DbDep) -> StaffAccountOut:
    a = await disable_account(db, login)
    if a is None:
        raise ApiError(404, "not_found", "Not found.")
    await db.commit()
    return _account_out(a)
