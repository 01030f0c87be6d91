"""FastAPI dependencies: DB session, settings, authenticated customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .config import Settings, utcnow
from .errors import ApiError, not_found
from .mailer import Mailer
from .models import AuthSession, Base, Customer
from .schemas import MAX_DB_ID
from .security import session_is_expired, token_hash


OwnedT = TypeVar("OwnedT", bound=Base)

# Idle expiry is tracked with this granularity (so the idle timeout is exact to within it).
LAST_USED_GRANULARITY = dt.timedelta(seconds=10)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_mailer(request: Request) -> Mailer:
    return request.app.state.mailer


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


@dataclass
class Auth:
    customer: Customer
    session: AuthSession


def _unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "Missing, invalid or expired token.", headers={"WWW-Authenticate": "Bearer"})


# Documents the bearer scheme in OpenAPI (securitySchemes + security on every authenticated
# operation); the header itself is checked below so every failure is our one 401.
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="Session token from POST /auth/login: `Authorization: Bearer <token>`.",
)


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (resident or staff); None when the
    header is missing or malformed (the caller answers with its own 401)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


async def require_auth(
    request: Request,
    db: AsyncSession = Depends(get_db),
    _documented: HTTPAuthorizationCredentials | None = Security(BEARER),
) -> Auth:
    token = bearer_token(request)
    if token is None:
        raise _unauthorized()
    row = (
        await db.execute(
            select(AuthSession, Customer)
            .join(Customer, Customer.id == AuthSession.customer_id)
            .where(AuthSession.token_hash == token_hash(token))
        )
    ).first()
    if row is None:
        raise _unauthorized()
    sess, customer = row
    now = utcnow()
    if sess.revoked_at is not None or session_is_expired(sess.created_at, sess.last_used_at, now):
        raise _unauthorized()
    if now - sess.last_used_at >= LAST_USED_GRANULARITY:  # avoid a DB write on every request
        sess.last_used_at = now
        await db.commit()
    return Auth(customer=customer, session=sess)


async def owned_row(db: AsyncSession, model: type[OwnedT], customer_id: int, row_id: int) -> OwnedT:
    """Row ``row_id`` of ``model`` if it belongs to the customer, else 404 (also for ids outside
    1..MAX_DB_ID, which no row can have: never a database overflow)."""
    if not 1 <= row_id <= MAX_DB_ID:
        raise not_found()
    row = await db.scalar(select(model).where(model.id == row_id, model.customer_id == customer_id))
    if row is None:
        raise not_found()
    return row


DB = Depends(get_db)
AUTH = Depends(require_auth)
SETTINGS = Depends(get_settings)
