"""The staff correspondence queue (docs/API.md "Staff: correspondence queue"): every thread with its
status, kind, age and reply deadline, overdue first; take/assign, reply, change status, close.

Opening a thread and every change write an audit entry (reason ``correspondence``, no access id)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import and_, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit
from ..config import Settings, iso_ts, utcnow
from ..deps import DbDep, MailerDep, SettingsDep
from ..errors import NOT_FOUND, ApiError, not_found
from ..models import Customer, Thread
from ..schemas import (
    Limit,
    MessageOut,
    Offset,
    Page,
    Strict,
    ThreadDetail,
    ThreadKind,
    ThreadStatus,
)
from ..staff import CanQueueAssign, CanReply, StaffAuth
from ..staff_models import StaffAccount, ThreadAssignment
from ..staff_schemas import StaffReply
from ..throttle import source_address
from .correspondence import _thread_detail, set_open_thread_status
from .staff_act import REPLY_ROUTE, THREAD_RESPONSES, reply_in_thread

router = APIRouter(prefix="/staff/queue", tags=["staff: correspondence queue"])

DEFAULT_REPLY_DEADLINE_DAYS = 14
OPEN_STATUSES = ("sent", "in_progress")
QUEUE_REASON = "correspondence"


def deadline_days(settings: Settings) -> int:
    """The regulation deadline for an answer (``--reply-deadline-days``, default 14)."""
    return int(settings.extra.get("reply_deadline_days", DEFAULT_REPLY_DEADLINE_DAYS))


class QueueItem(BaseModel):
    id: int
    customer_number: str
    customer_name: str
    kind: ThreadKind
    subject: str
    status: ThreadStatus
    created_at: str
    updated_at: str
    age_days: int
    deadline: dt.date
    overdue: bool
    assignee: str | None


class QueueThread(ThreadDetail):
    customer_number: str
    customer_name: str
    deadline: dt.date
    overdue: bool
    assignee: str | None


class Assign(Strict):
    login: str | None  # null: nobody


class StatusChange(Strict):
    status: Literal["in_progress", "answered", "closed"]


def _deadline(created: dt.datetime, days: int) -> dt.date:
    return created.date() + dt.timedelta(days=days)


@router.get("", response_model=Page[QueueItem])
async def queue(
    auth: CanReply,
    db: DbDep,
    settings: SettingsDep,
    status: ThreadStatus | None = None,
    kind: ThreadKind | None = None,
    assignee: Annotated[str | None, Query(max_length=64, description="a login, 'me' or 'none'")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[QueueItem]:
    """Open and overdue threads first (oldest deadline first), then the rest, newest activity first."""
    days = deadline_days(settings)
    today = settings.business_today()
    cutoff = dt.datetime.combine(today - dt.timedelta(days=days), dt.time())  # created before: overdue
    conds = []
    if status is not None:
        conds.append(Thread.status == status)
    if kind is not None:
        conds.append(Thread.kind == kind)
    if assignee == "none":
        conds.append(ThreadAssignment.staff_id.is_(None))
    elif assignee == "me":
        conds.append(ThreadAssignment.staff_id == auth.account.id)
    elif assignee is not None:
        conds.append(StaffAccount.login == assignee)
    is_open = Thread.status.in_(OPEN_STATUSES)
    overdue = and_(is_open, Thread.created_at < cutoff)
    base = (
        select(Thread, Customer.customer_number, Customer.full_name, StaffAccount.login)
        .join(Customer, Customer.id == Thread.customer_id)
        .outerjoin(ThreadAssignment, ThreadAssignment.thread_id == Thread.id)
        .outerjoin(StaffAccount, StaffAccount.id == ThreadAssignment.staff_id)
        .where(*conds)
    )
    total = await db.scalar(select(func.count()).select_from(base.subquery()))
    rows = (
        await db.execute(
            base.order_by(
                case((overdue, 0), (is_open, 1), else_=2),
                case((is_open, Thread.created_at)).asc(),
                Thread.updated_at.desc(),
                Thread.id.desc(),
            )
            .offset(offset)
            .limit(limit)
        )
    ).all()
    items = []
    for t, number, name, login in rows:
        due = _deadline(t.created_at, days)
        items.append(
            QueueItem(
                id=t.id,
                customer_number=number,
                customer_name=name,
                kind=t.kind,
                subject=t.subject,
                status=t.status,
                created_at=iso_ts(t.created_at),
                updated_at=iso_ts(t.updated_at),
                age_days=(today - t.created_at.date()).days,
                deadline=due,
                overdue=t.status in OPEN_STATUSES and due < today,
                assignee=login,
            )
        )
    return Page[QueueItem](items=items, total=total, offset=offset, limit=limit)


async def _thread(db: AsyncSession, thread_id: int) -> tuple[Thread, Customer]:
    row = (
        (
            await db.execute(
                select(Thread, Customer).join(Customer, Customer.id == Thread.customer_id).where(Thread.id == thread_id)
            )
        ).first()
        if 1 <= thread_id <= 2_147_483_647
        else None
    )
    if row is None:
        raise not_found()
    return row[0], row[1]


async def _record(
    db: AsyncSession,
    auth: StaffAuth,
    request: Request,
    customer: Customer,
    thread_id: int,
    action: str,
    before=None,
    after=None,
) -> None:
    await audit.append(
        db,
        staff_id=auth.account.id,
        customer_id=customer.id,
        resource=f"thread:{thread_id}",
        action=action,
        before=before,
        after=after,
        reason=QUEUE_REASON,
        source=source_address(request),
    )


async def _out(db: AsyncSession, t: Thread, c: Customer, settings: Settings) -> QueueThread:
    login = await db.scalar(
        select(StaffAccount.login)
        .join(ThreadAssignment, ThreadAssignment.staff_id == StaffAccount.id)
        .where(ThreadAssignment.thread_id == t.id)
    )
    due = _deadline(t.created_at, deadline_days(settings))
    detail = await _thread_detail(db, t)
    return QueueThread(
        **detail.model_dump(),
        customer_number=c.customer_number,
        customer_name=c.full_name,
        deadline=due,
        overdue=t.status in OPEN_STATUSES and due < settings.business_today(),
        assignee=login,
    )


@router.get("/{thread_id}", response_model=QueueThread, responses=NOT_FOUND)
async def get_thread(thread_id: int, request: Request, auth: CanReply, db: DbDep, settings: SettingsDep) -> QueueThread:
    t, c = await _thread(db, thread_id)
    out = await _out(db, t, c, settings)
    await _record(db, auth, request, c, t.id, "view")
    await db.commit()
    return out


def _insert(db: AsyncSession):
    return (postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert)(ThreadAssignment)


@router.post(
    "/{thread_id}/take",
    response_model=QueueThread,
    responses=NOT_FOUND | {409: {"description": "already_taken"}},
)
async def take(thread_id: int, request: Request, auth: CanReply, db: DbDep, settings: SettingsDep) -> QueueThread:
    """Take an unassigned thread (one atomic insert: of two who take it at once, one wins)."""
    t, c = await _thread(db, thread_id)
    got = (
        await db.execute(
            _insert(db)
            .values(thread_id=t.id, staff_id=auth.account.id, assigned_at=utcnow())
            .on_conflict_do_nothing(index_elements=[ThreadAssignment.thread_id])
            .returning(ThreadAssignment.staff_id)
        )
    ).scalar_one_or_none()
    if got is None:
        holder = await db.scalar(select(ThreadAssignment.staff_id).where(ThreadAssignment.thread_id == t.id))
        if holder != auth.account.id:
            raise ApiError(409, "already_taken", "Someone else already handles this thread.")
    else:  # taking a thread one already has changes nothing and records nothing
        await _record(db, auth, request, c, t.id, "change", {"assignee": None}, {"assignee": auth.account.login})
        await db.commit()
    return await _out(db, t, c, settings)


@router.post(
    "/{thread_id}/assign",
    response_model=QueueThread,
    responses={404: {"description": "not_found / unknown staff login"}},
)
async def assign(
    thread_id: int, body: Assign, request: Request, auth: CanQueueAssign, db: DbDep, settings: SettingsDep
) -> QueueThread:
    t, c = await _thread(db, thread_id)
    before = await db.scalar(
        select(StaffAccount.login)
        .join(ThreadAssignment, ThreadAssignment.staff_id == StaffAccount.id)
        .where(ThreadAssignment.thread_id == t.id)
    )
    if body.login is None:
        assignment = await db.get(ThreadAssignment, t.id)
        if assignment is not None:
            await db.delete(assignment)
    else:
        staff_id = await db.scalar(
            select(StaffAccount.id).where(StaffAccount.login == body.login, StaffAccount.disabled_at.is_(None))
        )
        if staff_id is None:
            raise ApiError(404, "not_found", "No active staff account with this login.")
        ins = _insert(db).values(thread_id=t.id, staff_id=staff_id, assigned_at=utcnow())
        await db.execute(
            ins.on_conflict_do_update(
                index_elements=[ThreadAssignment.thread_id],
                set_={"staff_id": staff_id, "assigned_at": ins.excluded.assigned_at},
            )
        )
    await _record(db, auth, request, c, t.id, "change", {"assignee": before}, {"assignee": body.login})
    await db.commit()
    return await _out(db, t, c, settings)


@router.post("/{thread_id}/replies", **REPLY_ROUTE)
async def reply(
    thread_id: int,
    body: StaffReply,
    request: Request,
    auth: CanReply,
    db: DbDep,
    settings: SettingsDep,
    mailer: MailerDep,
) -> MessageOut:
    """The utility's reply; the resident sees it in their thread (and gets a mail if they want one).
    Sets the status (default answered)."""
    t, c = await _thread(db, thread_id)
    return await reply_in_thread(db, mailer, settings, t, body, partial(_record, db, auth, request, c, t.id))


@router.post(
    "/{thread_id}/status",
    response_model=QueueThread,
    responses=THREAD_RESPONSES,
)
async def set_status(
    thread_id: int, body: StatusChange, request: Request, auth: CanReply, db: DbDep, settings: SettingsDep
) -> QueueThread:
    """Change the status (``closed`` closes the thread; a closed thread stays closed)."""
    t, c = await _thread(db, thread_id)
    before = {"status": t.status}
    await set_open_thread_status(db, t, body.status, settings.business_now())
    await _record(db, auth, request, c, t.id, "change", before, {"status": body.status})
    await db.commit()
    return await _out(db, t, c, settings)
