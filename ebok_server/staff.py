"""Staff accounts: roles and what they allow, TOTP (RFC 6238) and the staff-token dependencies."""

from __future__ import annotations

import datetime as dt
import hmac
import time
from dataclasses import dataclass
from typing import Annotated

import pyotp
from fastapi import Depends, Request
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .config import ABSOLUTE_TIMEOUT, utcnow
from .deps import BearerDoc, DbDep, bearer_session
from .errors import ApiError
from .security import session_is_expired
from .staff_models import STAFF_ROLES, CustomerAccess, StaffAccount, StaffSession

STAFF_IDLE_TIMEOUT = dt.timedelta(minutes=15)
TOTP_ISSUER = "eBOK MPWiK"
TOTP_STEP_S = 30
TOTP_DRIFT_STEPS = 1  # a code of the previous or next 30-second step is accepted too (clock drift)

# What each role may do (docs/API.md "Staff: roles"). Each role has everything of the one before.
HELPDESK = frozenset({"search", "view", "reply"})
CLERK = HELPDESK | {"reading", "complaint", "contact_change", "efaktura", "customer_type"}
SUPERVISOR = CLERK | {"audit", "staff_admin", "queue_assign", "billing", "notices"}
PERMISSIONS: dict[str, frozenset[str]] = {
    "helpdesk": HELPDESK,
    "clerk": frozenset(CLERK),
    "supervisor": frozenset(SUPERVISOR),
}
assert set(PERMISSIONS) == set(STAFF_ROLES)


# ---- TOTP ----------------------------------------------------------------------------------------
def new_totp_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def totp_uri(secret: str, login: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=TOTP_ISSUER)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (within the allowed drift) whose code equals ``code``, else None."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    now = time.time() if now is None else now
    totp = pyotp.TOTP(secret)
    step = int(now // TOTP_STEP_S)
    found = None
    for s in range(step - TOTP_DRIFT_STEPS, step + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(s * TOTP_STEP_S), code):
            found = s  # no early exit: the same work for every code
    return found


async def accept_totp(db: AsyncSession, account_id: int, step: int) -> bool:
    """Record ``step`` as used; False when it (or a later step) was already used: one atomic UPDATE,
    so two logins racing with the same code cannot both pass."""
    result = await db.execute(
        update(StaffAccount)
        .where(
            StaffAccount.id == account_id,
            or_(StaffAccount.totp_last_step.is_(None), StaffAccount.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    return result.rowcount == 1


# ---- tokens --------------------------------------------------------------------------------------
@dataclass
class StaffAuth:
    account: StaffAccount
    session: StaffSession

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS[self.account.role]


def _unauthorized() -> ApiError:
    return ApiError(
        401, "unauthorized", "Missing, invalid or expired staff token.", headers={"WWW-Authenticate": "Bearer"}
    )


def staff_session_is_expired(sess: StaffSession, now: dt.datetime) -> bool:
    return session_is_expired(
        sess.created_at, sess.last_used_at, now, idle=STAFF_IDLE_TIMEOUT, absolute=ABSOLUTE_TIMEOUT
    )


async def require_staff(request: Request, db: DbDep, _doc: BearerDoc) -> StaffAuth:
    sess, account = await bearer_session(
        request,
        db,
        StaffSession,
        StaffAccount,
        StaffSession.staff_id,
        lambda s, account, now: account.disabled_at is None and not staff_session_is_expired(s, now),
        _unauthorized,
    )
    return StaffAuth(account=account, session=sess)


#: A staff member with a live session (401 otherwise).
StaffDep = Annotated[StaffAuth, Depends(require_staff)]


def forbidden() -> ApiError:
    return ApiError(403, "forbidden", "Your role does not allow this.")


def staff_with(permission: str):
    """Dependency: a staff member whose role has ``permission`` (403 otherwise)."""

    async def dep(auth: StaffDep) -> StaffAuth:
        if not auth.can(permission):
            raise forbidden()
        return auth

    dep.__name__ = f"staff_with_{permission}"
    return dep


# Who may call what: a staff member whose role has the permission a route needs (403 otherwise).
CanSearch = Annotated[StaffAuth, Depends(staff_with("search"))]
CanView = Annotated[StaffAuth, Depends(staff_with("view"))]
CanReply = Annotated[StaffAuth, Depends(staff_with("reply"))]
CanAudit = Annotated[StaffAuth, Depends(staff_with("audit"))]
CanStaffAdmin = Annotated[StaffAuth, Depends(staff_with("staff_admin"))]
CanQueueAssign = Annotated[StaffAuth, Depends(staff_with("queue_assign"))]
CanBill = Annotated[StaffAuth, Depends(staff_with("billing"))]
CanPublish = Annotated[StaffAuth, Depends(staff_with("notices"))]


async def live_access(db: AsyncSession, auth: StaffAuth, access_id: int) -> CustomerAccess:
    """The caller's open access ``access_id`` (opened in this staff session), else 404."""
    acc = None
    if 1 <= access_id <= 2_147_483_647:
        acc = await db.scalar(
            select(CustomerAccess).where(
                CustomerAccess.id == access_id,
                CustomerAccess.staff_id == auth.account.id,
                CustomerAccess.session_id == auth.session.id,
                CustomerAccess.closed_at.is_(None),
            )
        )
    if acc is None:
        raise ApiError(
            404,
            "access_not_live",
            "No open access with this id in your session (closed, ended with the session, or not yours).",
        )
    return acc


# ---- account management (CLI and supervisors) -----------------------------------------------------
async def create_account(
    db: AsyncSession, login: str, full_name: str, role: str, password_hash: str, totp: bool
) -> StaffAccount:
    """Add a staff account (a supervisor always gets TOTP); raises ``IntegrityError`` when the login
    is taken (unique constraint). The caller hashes the password (the app in its bounded pool)."""
    secret = new_totp_secret() if totp or role == "supervisor" else None
    a = StaffAccount(
        login=login,
        full_name=full_name,
        role=role,
        password_hash=password_hash,
        totp_secret=secret,
        created_at=utcnow(),
    )
    db.add(a)
    await db.flush()
    return a


async def _revoke_staff_sessions(db: AsyncSession, staff_id: int) -> None:
    await db.execute(
        update(StaffSession)
        .where(StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await db.execute(
        update(CustomerAccess)
        .where(CustomerAccess.staff_id == staff_id, CustomerAccess.closed_at.is_(None))
        .values(closed_at=utcnow())
    )


async def disable_account(db: AsyncSession, login: str) -> StaffAccount | None:
    """Disable the account and end its sessions and open accesses (not committed)."""
    a = await db.scalar(select(StaffAccount).where(StaffAccount.login == login))
    if a is None:
        return None
    if a.disabled_at is None:
        a.disabled_at = utcnow()
    await _revoke_staff_sessions(db, a.id)
    return a


async def reset_totp(db: AsyncSession, login: str, off: bool = False) -> StaffAccount | None:
    """A new TOTP secret (or none with ``off``; refused for supervisors by the check constraint);
    the account's sessions end (not committed)."""
    a = await db.scalar(select(StaffAccount).where(StaffAccount.login == login))
    if a is None:
        return None
    if off and a.role == "supervisor":
        raise ValueError("a supervisor account always needs TOTP")
    a.totp_secret = None if off else new_totp_secret()
    a.totp_last_step = None
    await _revoke_staff_sessions(db, a.id)
    return a
