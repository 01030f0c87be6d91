"""FastAPI dependencies: DB session, settings, authenticated customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from .config import Settings, utcnow
from .errors import ApiError, not_found
from .mailer import Mailer
from .models import AuthSession, Base, BearerSession, Customer
from .schemas import MAX_DB_ID
from .security import session_is_expired, token_hash

OwnedT = TypeVar("OwnedT", bound=Base)
SessionT = TypeVar("SessionT", bound=BearerSession)
OwnerT = TypeVar("OwnerT", bound=Base)
# Idle expiry is tracked with this granularity (so the idle timeout is exact to within it).
LAST_USED_GRANULARITY = dt.timedelta(seconds=10)


# The dependencies are coroutines even where they do not await: FastAPI runs a plain ``def``
# dependency in a worker thread, a thread hand-off per request (a fifth of a list request's CPU).
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_mailer(request: Request) -> Mailer:
    return request.app.state.mailer


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


# The dependencies of the routes' signatures (FastAPI's ``Annotated`` aliases): ``db: DbDep``.
DbDep = Annotated[AsyncSession, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MailerDep = Annotated[Mailer, Depends(get_mailer)]


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
#: The bearer scheme as OpenAPI documents it (the header itself is read by ``bearer_token``).
BearerDoc = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (resident or staff); None when the
    header is missing or malformed (the caller answers with its own 401)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


_LOOKUPS: dict[tuple[type, type], Select] = {}


def _session_lookup(session_model: type[BearerSession], owner: type[Base], owner_key: Any) -> Select:
    """The statement finding a session by ``:token_hash`` with its owner, built once per kind of
    session: building a statement and its cache key costs about as much CPU as running it."""
    stmt = _LOOKUPS.get((session_model, owner))
    if stmt is None:
        stmt = _LOOKUPS[(session_model, owner)] = (
            select(session_model, owner)
            .join(owner, owner.id == owner_key)
            .where(session_model.token_hash == bindparam("token_hash"))
        )
    return stmt


async def bearer_session(
    request: Request,
    db: AsyncSession,
    session_model: type[SessionT],
    owner: type[OwnerT],
    owner_key: Any,
    usable: Callable[[SessionT, OwnerT, dt.datetime], bool],
    unauthorized: Callable[[], ApiError],
) -> tuple[SessionT, OwnerT]:
    """The live session the request's bearer token names and its owner (a resident's or a staff
    member's), else ``unauthorized()``: no token, an unknown or revoked one, or one ``usable``
    refuses (expired, a disabled account). ``last_used_at`` moves at most every
    ``LAST_USED_GRANULARITY``."""
    token = bearer_token(request)
    row = None
    if token is not None:
        row = (
            await db.execute(_session_lookup(session_model, owner, owner_key), {"token_hash": token_hash(token)})
        ).first()
    now = utcnow()
    if row is None or row[0].revoked_at is not None or not usable(row[0], row[1], now):
        raise unauthorized()
    sess, who = row
    if now - sess.last_used_at >= LAST_USED_GRANULARITY:  # avoid a DB write on every request
        sess.last_used_at = now
        await db.commit()
    return sess, who


async def require_auth(request: Request, db: DbDep, _doc: BearerDoc) -> Auth:
    sess, customer = await bearer_session(
        request,
        db,
        AuthSession,
        Customer,
        AuthSession.customer_id,
        lambda s, _customer, now: not session_is_expired(s.created_at, s.last_used_at, now),
        _unauthorized,
    )
    return Auth(customer=customer, session=sess)


_OWNED: dict[type, Select] = {}  # built once per model, as _session_lookup


async def owned_row(db: AsyncSession, model: type[OwnedT], customer_id: int, row_id: int) -> OwnedT:
    """Row ``row_id`` of ``model`` if it belongs to the customer, else 404 (also for ids outside
    1..MAX_DB_ID, which no row can have: never a database overflow)."""
    if not 1 <= row_id <= MAX_DB_ID:
        raise not_found()
    stmt = _OWNED.get(model)
    if stmt is None:
        stmt = _OWNED[model] = select(model).where(
            model.id == bindparam("row_id"), model.customer_id == bindparam("customer_id")
        )
    row = await db.scalar(stmt, {"row_id": row_id, "customer_id": customer_id})
    if row is None:
        raise not_found()
    return row


#: The resident the request's bearer token belongs to (401 otherwise).
AuthDep = Annotated[Auth, Depends(require_auth)]
