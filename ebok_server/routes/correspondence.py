from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import IDEMPOTENCY_TTL, Settings, iso_ts, utcnow
from ..deps import AuthDep, DbDep, SettingsDep, owned_row
from ..errors import IDEMPOTENCY_CONFLICT, IDEMPOTENCY_HEADER, NOT_FOUND, ApiError
from ..models import Customer, IdempotencyRecord, Message, Thread, ThreadRead
from ..notify import mark_read, unread_condition, unread_count
from ..schemas import (
    Limit,
    MessageCreate,
    MessageOut,
    Offset,
    RowId,
    ThreadCreate,
    ThreadDetail,
    ThreadItem,
    ThreadPage,
)

router = APIRouter(tags=["correspondence"])

# Required: missing or blank is 422 ``idempotency_key_required`` (errors.py), too long ``validation_error``.
IdemHeader = Annotated[
    str,
    Header(
        alias=IDEMPOTENCY_HEADER,
        max_length=200,
        pattern=r"\S",
        description="Unique per logical request (e.g. a UUID), at most 200 characters, "
        "not blank (surrounding blanks are ignored).",
    ),
]

#: The answers besides 201 of a POST that opens a thread (the resident's, or staff's for the customer).
CREATE_RESPONSES = IDEMPOTENCY_CONFLICT | {422: {"description": "validation_error / idempotency_key_required"}}


def _request_hash(path: str, payload: dict) -> str:
    return hashlib.sha256(
        json.dumps({"path": path, "body": payload}, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


async def _replay(db: AsyncSession, customer_id: int, key: str, req_hash: str) -> JSONResponse | None:
    rec = await db.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.customer_id == customer_id, IdempotencyRecord.key == key)
    )
    if rec is None:
        return None
    if rec.created_at < utcnow() - IDEMPOTENCY_TTL:
        await db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == rec.id))
        await db.flush()
        return None
    if rec.request_hash != req_hash:
        raise ApiError(409, "idempotency_conflict", "Idempotency-Key was already used with a different request.")
    return JSONResponse(
        json.loads(rec.response_body), status_code=rec.status_code, headers={"Idempotent-Replayed": "true"}
    )


async def _idempotent(db: AsyncSession, customer_id: int, key: str, req_hash: str, create) -> JSONResponse:
    """Run ``create()`` (returns (status, jsonable body)) at most once per (customer, key)."""
    replay = await _replay(db, customer_id, key, req_hash)
    if replay is not None:
        return replay
    status, body = await create()
    db.add(
        IdempotencyRecord(
            customer_id=customer_id,
            key=key,
            request_hash=req_hash,
            status_code=status,
            response_body=json.dumps(body, ensure_ascii=False),
            created_at=utcnow(),
        )
    )
    try:
        await db.commit()
    except IntegrityError:
        # A concurrent request (e.g. a retry after a client timeout) won the race: replay its answer.
        await db.rollback()
        replay = await _replay(db, customer_id, key, req_hash)
        if replay is None:  # pragma: no cover - the unique violation was about something else
            raise
        return replay
    return JSONResponse(body, status_code=status)


def _thread_item(t: Thread, count: int, unread: bool = False) -> ThreadItem:
    return ThreadItem(
        id=t.id,
        kind=t.kind,
        subject=t.subject,
        status=t.status,
        created_at=iso_ts(t.created_at),
        updated_at=iso_ts(t.updated_at),
        message_count=count,
        unread=unread,
    )


def _message_out(m: Message) -> MessageOut:
    return MessageOut(id=m.id, author=m.author, body=m.body, created_at=iso_ts(m.created_at))


async def _thread_detail(db: AsyncSession, t: Thread) -> ThreadDetail:
    msgs = (await db.scalars(select(Message).where(Message.thread_id == t.id).order_by(Message.id))).all()
    item = _thread_item(t, len(msgs))
    return ThreadDetail(
        **item.model_dump(),
        contact_phone=t.contact_phone,
        location=t.location,
        messages=[_message_out(m) for m in msgs],
    )


@router.get("/correspondence", response_model=ThreadPage)
async def list_threads(auth: AuthDep, db: DbDep, offset: Offset = 0, limit: Limit = 50) -> ThreadPage:
    return await threads_of(db, auth.customer, offset=offset, limit=limit)


# The list's statements, built once (building a statement and its cache key costs about as much CPU
# as running it); :customer_id, :offset and :limit are bound per call.
_THREAD_COUNT = select(func.count()).select_from(Thread).where(Thread.customer_id == bindparam("customer_id"))
_THREAD_PAGE = (
    select(
        Thread,
        # counted per listed thread (index on messages.thread_id), not grouped over every customer's messages
        select(func.count()).where(Message.thread_id == Thread.id).scalar_subquery(),
        unread_condition(),
    )
    .outerjoin(ThreadRead, ThreadRead.thread_id == Thread.id)
    .where(Thread.customer_id == bindparam("customer_id"))
    .order_by(Thread.updated_at.desc(), Thread.id.desc())
    .offset(bindparam("offset"))
    .limit(bindparam("limit"))
)


async def threads_of(db: AsyncSession, customer: Customer, *, offset: int = 0, limit: int = 50) -> ThreadPage:
    """A page of the customer's threads, latest activity first, each marked unread while it has a
    utility reply the resident has not opened (the resident's own, or staff acting for the customer:
    the marks are the resident's)."""
    page = {"customer_id": customer.id, "offset": offset, "limit": limit}
    total = await db.scalar(_THREAD_COUNT, page)
    rows = (await db.execute(_THREAD_PAGE, page)).all()
    return ThreadPage(
        items=[_thread_item(t, n, bool(u)) for t, n, u in rows],
        total=total,
        offset=offset,
        limit=limit,
        unread=await unread_count(db, customer.id),
    )


@router.get("/correspondence/{thread_id}", response_model=ThreadDetail)
async def get_thread(thread_id: RowId, auth: AuthDep, db: DbDep, settings: SettingsDep) -> ThreadDetail:
    """The thread with its messages; the resident has now read it up to its newest message (staff
    acting for the customer read it through their own route, which leaves the mark alone)."""
    detail = await thread_of(db, auth.customer, thread_id)
    if detail.messages:
        await mark_read(db, detail.id, detail.messages[-1].id, settings.business_now())
        await db.commit()
    return detail


async def thread_of(db: AsyncSession, customer: Customer, thread_id: int) -> ThreadDetail:
    """One of the customer's threads with its messages; 404 for anyone else's."""
    return await _thread_detail(db, await owned_row(db, Thread, customer.id, thread_id))


@router.post("/correspondence", status_code=201, response_model=ThreadDetail, responses=CREATE_RESPONSES)
async def create_thread(
    body: ThreadCreate, idempotency_key: IdemHeader, auth: AuthDep, db: DbDep, settings: SettingsDep
) -> JSONResponse:
    return await create_thread_for(db, auth.customer, body, idempotency_key, settings)


async def create_thread_for(
    db: AsyncSession, customer: Customer, body: ThreadCreate, idempotency_key: str, settings: Settings
) -> JSONResponse:
    """Open a thread of the customer with its first message, once per Idempotency-Key (a replay
    answers with the stored response and keeps nothing else the caller added); commits."""
    key = idempotency_key.strip()
    customer_id = customer.id
    payload = body.model_dump(mode="json")

    async def create():
        now = settings.business_now()
        t = Thread(
            customer_id=customer_id,
            kind=body.kind,
            subject=body.subject.strip(),
            status="sent",
            contact_phone=body.contact_phone,
            location=body.location,
            created_at=now,
            updated_at=now,
        )
        db.add(t)
        await db.flush()
        db.add(Message(thread_id=t.id, author="customer", body=body.body, created_at=now))
        await db.flush()
        return 201, (await _thread_detail(db, t)).model_dump(mode="json")

    return await _idempotent(db, customer_id, key, _request_hash("/correspondence", payload), create)


async def set_open_thread_status(db: AsyncSession, thread: Thread, status: str, now: dt.datetime) -> None:
    """Give ``thread`` a new status (and ``updated_at``) unless it is closed: one conditional UPDATE,
    so a thread closed in the meantime (by staff, by another request) stays closed and the caller
    gets 422 ``thread_closed``. The session's copy of ``thread`` follows the update."""
    changed = await db.execute(
        update(Thread).where(Thread.id == thread.id, Thread.status != "closed").values(status=status, updated_at=now)
    )
    if changed.rowcount != 1:
        raise ApiError(422, "thread_closed", "The thread is closed.")


@router.post(
    "/correspondence/{thread_id}/messages",
    status_code=201,
    response_model=MessageOut,
    responses=NOT_FOUND
    | IDEMPOTENCY_CONFLICT
    | {422: {"description": "thread_closed / validation_error / idempotency_key_required"}},
)
async def add_message(
    thread_id: RowId, body: MessageCreate, idempotency_key: IdemHeader, auth: AuthDep, db: DbDep, settings: SettingsDep
) -> JSONResponse:
    key = idempotency_key.strip()
    customer_id = auth.customer.id
    thread = await owned_row(db, Thread, customer_id, thread_id)

    async def create():
        now = settings.business_now()
        await set_open_thread_status(db, thread, "sent", now)
        m = Message(thread_id=thread.id, author="customer", body=body.body, created_at=now)
        db.add(m)
        await db.flush()
        return 201, _message_out(m).model_dump(mode="json")

    return await _idempotent(
        db,
        customer_id,
        key,
        _request_hash(f"/correspondence/{thread_id}/messages", body.model_dump(mode="json")),
        create,
    )
