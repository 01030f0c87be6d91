"""Notices of failures and planned interruptions (docs/API.md "Notices"): the resident's own
(``GET /notices``, matched to the supply addresses by ``notices.notices_for_customer``), and a
supervisor's list and publication (``/staff/notices``, audited)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit
from ..config import Settings, iso_ts
from ..deps import AuthDep, DbDep, SettingsDep
from ..errors import ApiError
from ..models import Customer, Notice
from ..notices import check_notice, new_notice, normalise_streets, notices_for_customer
from ..schemas import NoticeCreate, NoticeList, NoticeOut
from ..staff import CanPublish
from ..throttle import source_address

router = APIRouter(tags=["notices"])

EMERGENCY_PHONE = "994"
#: How long after its end a notice is still listed to staff.
STAFF_LIST_DAYS = 30


def notice_out(n: Notice, now: dt.datetime) -> NoticeOut:
    return NoticeOut(
        id=n.id,
        kind=n.kind,
        city=n.city,
        streets=normalise_streets(n.streets),
        starts_at=iso_ts(n.starts_at),
        ends_at=iso_ts(n.ends_at),
        active=n.starts_at <= now < n.ends_at,
        text_pl=n.text_pl,
        text_en=n.text_en,
    )


async def notices_of(db: AsyncSession, customer: Customer, settings: Settings) -> NoticeList:
    now = settings.business_now()
    found = await notices_for_customer(db, customer.id, now)
    return NoticeList(emergency_phone=EMERGENCY_PHONE, items=[notice_out(n, now) for n in found])


async def notices_in_force(db: AsyncSession, customer: Customer, settings: Settings) -> NoticeList:
    """The notices in force now (started, not ended) at the customer's supply addresses: what the
    balance screen shows above the figures, in the balance's own reply (one round trip)."""
    everything = await notices_of(db, customer, settings)
    return NoticeList(emergency_phone=everything.emergency_phone, items=[n for n in everything.items if n.active])


@router.get("/notices", response_model=NoticeList)
async def my_notices(auth: AuthDep, db: DbDep, settings: SettingsDep) -> NoticeList:
    """Failures and planned interruptions not yet ended at the resident's supply addresses, those in
    force first, and the emergency number."""
    return await notices_of(db, auth.customer, settings)


def _naive_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


@router.get("/staff/notices", response_model=NoticeList, tags=["staff: supervisor"])
async def staff_notices(auth: CanPublish, db: DbDep, settings: SettingsDep) -> NoticeList:
    """Every notice not ended more than 30 days ago, newest start first."""
    now = settings.business_now()
    rows = await db.scalars(
        select(Notice)
        .where(Notice.ends_at > now - dt.timedelta(days=STAFF_LIST_DAYS))
        .order_by(Notice.starts_at.desc(), Notice.id.desc())
    )
    return NoticeList(emergency_phone=EMERGENCY_PHONE, items=[notice_out(n, now) for n in rows])


@router.post(
    "/staff/notices",
    response_model=NoticeOut,
    status_code=201,
    tags=["staff: supervisor"],
    responses={422: {"description": "validation_error"}},
)
async def publish_notice(
    body: NoticeCreate, request: Request, auth: CanPublish, db: DbDep, settings: SettingsDep
) -> NoticeOut:
    """Publish a notice (supervisor); recorded in the audit log (resource ``notice:{id}``)."""
    starts, ends = _naive_utc(body.starts_at), _naive_utc(body.ends_at)
    problems = check_notice(body.kind, body.city, starts, ends, body.text_pl, body.text_en)
    if problems:
        raise ApiError(422, "validation_error", "The notice is not valid.", problems)
    notice = new_notice(
        kind=body.kind,
        city=body.city,
        streets=body.streets,
        starts_at=starts,
        ends_at=ends,
        text_pl=body.text_pl,
        text_en=body.text_en,
        created_at=settings.business_now(),
        created_by=auth.account.login,
    )
    db.add(notice)
    await db.flush()
    out = notice_out(notice, settings.business_now())
    await audit.append(
        db,
        staff_id=auth.account.id,
        resource=f"notice:{notice.id}",
        action="change",
        after=out.model_dump(include={"kind", "city", "streets", "starts_at", "ends_at"}),
        reason="notice",
        source=source_address(request),
    )
    await db.commit()
    return out
