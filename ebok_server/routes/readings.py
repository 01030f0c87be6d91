from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import Select, bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..billing import point_id
from ..config import Settings
from ..deps import AuthDep, DbDep, SettingsDep, owned_row
from ..errors import NOT_FOUND, ApiError
from ..models import Contract, Customer, Invoice, Meter, Reading
from ..schemas import (
    MeterState,
    ReadingCorrection,
    ReadingCreate,
    ReadingItem,
    ReadingPeriod,
    ReadingsOut,
    ServicePointCode,
)
from ..units import add_months, fmt_milli, month_bounds, parse_milli

router = APIRouter(tags=["readings"])


def _already_submitted() -> ApiError:
    return ApiError(
        422, "reading_already_submitted", "A self-reading for this meter was already submitted in this billing period."
    )


async def _self_reading_exists(db: AsyncSession, meter_id: int, period) -> bool:
    return bool(
        await db.scalar(
            select(
                exists().where(Reading.meter_id == meter_id, Reading.type == "self", Reading.billing_period == period)
            )
        )
    )


class ReadingsQuery(BaseModel):
    """The parameters of ``GET /readings``, also those of staff's twin for a customer."""

    months: Annotated[int, Query(ge=1, le=120)] = 24
    service_point: ServicePointCode | None = None


ReadingsParams = Annotated[ReadingsQuery, Query()]


@router.get("/readings", response_model=ReadingsOut)
async def list_readings(auth: AuthDep, db: DbDep, settings: SettingsDep, q: ReadingsParams) -> ReadingsOut:
    return await readings_of(db, auth.customer, settings, q)


@functools.cache
def _statements(point: bool) -> tuple[Select, Select]:
    """The customer's meters and their readings (of the meters of service point :point only, with
    ``point``), built once (building a statement and its cache key costs about as much CPU as
    running it); :customer_id and :point are bound per call."""
    mine = [Meter.customer_id == bindparam("customer_id")]
    if point:
        at_point = Contract.service_point_id == point_id(bindparam("customer_id"), bindparam("point"))
        mine.append(Meter.contract_id.in_(select(Contract.id).where(at_point)))
    meters = select(Meter).where(*mine).order_by(Meter.id)
    readings = (
        select(Reading)
        .where(Reading.customer_id == bindparam("customer_id"), Reading.meter_id.in_(select(Meter.id).where(*mine)))
        .order_by(Reading.meter_id, Reading.date, Reading.id)
    )
    return meters, readings


async def readings_of(db: AsyncSession, customer: Customer, settings: Settings, q: ReadingsQuery) -> ReadingsOut:
    """The customer's meters and readings (the resident's own, or staff acting for the customer);
    ``q.service_point``: only the meters of that point's contract (a code not among the customer's
    points: none)."""
    today = settings.business_today()
    start, end = month_bounds(today.year, today.month)
    since = add_months(today, -q.months)
    meters_stmt, readings_stmt = _statements(q.service_point is not None)
    values = {"customer_id": customer.id, "point": q.service_point}
    meters = (await db.scalars(meters_stmt, values)).all()
    by_meter = {m.id: m for m in meters}
    readings = (await db.scalars(readings_stmt, values)).all()
    items: list[tuple[Reading, int | None]] = []
    prev: dict[int, int] = {}
    last: dict[int, Reading] = {}
    self_this_period: dict[int, int] = {}  # meter id -> id of its self-reading in the current period
    for r in readings:
        consumption = r.value_l - prev[r.meter_id] if r.meter_id in prev else None
        prev[r.meter_id] = r.value_l
        last[r.meter_id] = r
        if r.type == "self" and start <= r.date <= end:
            self_this_period[r.meter_id] = r.id
        if r.date >= since:
            items.append((r, consumption))
    items.sort(key=lambda x: (x[0].date, x[0].id), reverse=True)
    return ReadingsOut(
        items=[
            ReadingItem(
                id=r.id,
                date=r.date,
                meter_number=by_meter[r.meter_id].number,
                value=fmt_milli(r.value_l),
                type=r.type,
                consumption=fmt_milli(c) if c is not None else None,
            )
            for r, c in items
        ],
        meters=[
            MeterState(
                number=m.number,
                last_value=fmt_milli(last[m.id].value_l) if m.id in last else None,
                last_date=last[m.id].date if m.id in last else None,
                max_daily_m3=fmt_milli(m.max_daily_l),
                self_reading_submitted=m.id in self_this_period,
                self_reading_id=self_this_period.get(m.id),
            )
            for m in meters
        ],
        period=ReadingPeriod(
            start=start, end=end, self_reading_submitted=bool(meters) and all(m.id in self_this_period for m in meters)
        ),
    )


def _check_value(meter: Meter, value: int, previous: Reading | None, today: dt.date) -> int | None:
    """Consumption since ``previous`` (None without one), or 422 ``reading_below_last`` /
    ``reading_implausible`` (checked in that order)."""
    if previous is None:
        return None
    if value < previous.value_l:
        raise ApiError(
            422,
            "reading_below_last",
            f"Reading is lower than the last reading ({fmt_milli(previous.value_l)}).",
            {"value": f"must be at least {fmt_milli(previous.value_l)}"},
        )
    days = max(1, (today - previous.date).days)
    max_consumption = meter.max_daily_l * days
    consumption = value - previous.value_l
    if consumption > max_consumption:
        raise ApiError(
            422,
            "reading_implausible",
            f"Consumption {fmt_milli(consumption)} m3 exceeds the plausible maximum "
            f"{fmt_milli(max_consumption)} m3 for {days} day(s).",
            {"value": f"must be at most {fmt_milli(previous.value_l + max_consumption)}"},
        )
    return consumption


def _window_closed(why: str) -> ApiError:
    return ApiError(422, "reading_window_closed", f"This reading can no longer be corrected: {why}.")


@router.post(
    "/readings",
    status_code=201,
    response_model=ReadingItem,
    responses={
        422: {
            "description": "unknown_meter / reading_below_last / reading_implausible / "
            "reading_already_submitted / validation_error"
        }
    },
)
async def submit_reading(body: ReadingCreate, auth: AuthDep, db: DbDep, settings: SettingsDep) -> ReadingItem:
    return await submit_reading_for(db, auth.customer, body, settings)


async def submit_reading_for(
    db: AsyncSession, customer: Customer, body: ReadingCreate, settings: Settings
) -> ReadingItem:
    """Record the customer's self-reading for this billing period (one per meter: the database's
    unique index decides races); commits, together with whatever the caller added to the session."""
    today = settings.business_today()
    value = parse_milli(body.value)
    meter = await db.scalar(
        select(Meter).where(Meter.customer_id == customer.id, Meter.number == body.meter_number.strip())
    )
    if meter is None:
        raise ApiError(422, "unknown_meter", "No such meter on your contract.", {"meter_number": "unknown meter"})
    period = today.replace(day=1)
    if await _self_reading_exists(db, meter.id, period):  # the usual case; the constraint decides races
        raise _already_submitted()
    last = await db.scalar(
        select(Reading).where(Reading.meter_id == meter.id).order_by(Reading.date.desc(), Reading.id.desc()).limit(1)
    )
    consumption = _check_value(meter, value, last, today)
    reading = Reading(
        meter_id=meter.id,
        customer_id=customer.id,
        date=today,
        value_l=value,
        type="self",
        billing_period=period,
        created_at=settings.business_now(),
    )
    db.add(reading)
    meter_id = meter.id  # the rollback below expires the ORM objects: no lazy loads after it
    try:
        await db.commit()
    except IntegrityError:
        # A parallel submission for this meter won (unique index uq_readings_self_per_period).
        await db.rollback()
        if await _self_reading_exists(db, meter_id, period):
            raise _already_submitted() from None
        raise  # pragma: no cover - some other constraint: a bug
    return ReadingItem(
        id=reading.id,
        date=reading.date,
        meter_number=meter.number,
        value=fmt_milli(value),
        type="self",
        consumption=fmt_milli(consumption) if consumption is not None else None,
    )


@router.put(
    "/readings/{reading_id}",
    response_model=ReadingItem,
    responses=NOT_FOUND
    | {422: {"description": "reading_window_closed / reading_below_last / reading_implausible / validation_error"}},
)
async def correct_reading(
    reading_id: int, body: ReadingCorrection, auth: AuthDep, db: DbDep, settings: SettingsDep
) -> ReadingItem:
    """Correct the customer's own self-reading of the current billing period, until the period is
    billed: the same row gets the new value and today's date (never a second reading)."""
    today = settings.business_today()
    value = parse_milli(body.value)
    reading = await owned_row(db, Reading, auth.customer.id, reading_id)
    start, end = month_bounds(today.year, today.month)
    if reading.type != "self":
        raise _window_closed("only a self-reading can be corrected")
    if not start <= reading.date <= end:
        raise _window_closed("it belongs to an earlier billing period")
    meter = await db.get(Meter, reading.meter_id)
    newer = await db.scalar(
        select(func.count())
        .select_from(Reading)
        .where(
            Reading.meter_id == meter.id,
            Reading.id != reading.id,
            (Reading.date > reading.date) | ((Reading.date == reading.date) & (Reading.id > reading.id)),
        )
    )
    if newer:
        raise _window_closed("a later reading of this meter exists")
    previous = await db.scalar(
        select(Reading)
        .where(
            Reading.meter_id == meter.id,
            Reading.id != reading.id,
            (Reading.date < reading.date) | ((Reading.date == reading.date) & (Reading.id < reading.id)),
        )
        .order_by(Reading.date.desc(), Reading.id.desc())
        .limit(1)
    )
    consumption = _check_value(meter, value, previous, today)
    # One statement: the row changes only while no invoice covers its period (a billing run that
    # committed first wins, and the correction is refused instead of silently missing the invoice).
    billed = select(Invoice.id).where(
        Invoice.customer_id == auth.customer.id, Invoice.period_from <= Reading.date, Invoice.period_to >= Reading.date
    )
    result = await db.execute(
        update(Reading)
        .where(Reading.id == reading.id, ~billed.exists())
        .values(value_l=value, date=today)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await db.rollback()
        raise _window_closed("the invoice for this billing period was already issued")
    await db.commit()
    return ReadingItem(
        id=reading.id,
        date=today,
        meter_number=meter.number,
        value=fmt_milli(value),
        type="self",
        consumption=fmt_milli(consumption) if consumption is not None else None,
    )
