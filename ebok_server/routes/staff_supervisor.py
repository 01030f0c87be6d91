"""Supervisor extras (docs/API.md "Staff API"): the audit log as CSV, and the monthly billing run.

Both are staff actions recorded in the audit log themselves (no customer: they concern many).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, StringConstraints
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .. import audit, ksef
from ..billing import issue_invoices
from ..config import iso_ts
from ..csv_export import cell
from ..downloads import CSV_MEDIA_TYPE, attachment, csv_responses
from ..deps import DbDep, MailerDep, SettingsDep
from ..errors import ApiError
from ..models import Customer
from ..notify import deliver
from ..schemas import Strict
from ..staff import CanAudit, CanBill
from ..staff_models import AuditEntry, StaffAccount
from ..throttle import source_address
from ..units import add_months
from .staff import audit_filters

router = APIRouter(prefix="/staff", tags=["staff: supervisor"])

CSV_COLUMNS = (
    "id",
    "at",
    "staff_login",
    "customer_number",
    "access_id",
    "resource",
    "action",
    "before",
    "after",
    "reason",
    "reason_text",
    "source",
    "prev_hash",
    "hash",
)
EXPORT_BATCH = 2000


async def _csv_rows(sessionmaker: async_sessionmaker[AsyncSession], conds: list, upto: int) -> AsyncIterator[str]:
    """The CSV text in batches, oldest entry first, up to entry ``upto`` (the export's own entry is
    the last one): a session of its own, as the response streams after the request's session closed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    last = 0
    async with sessionmaker() as db:
        while True:
            rows = (
                await db.execute(
                    select(AuditEntry, StaffAccount.login, Customer.customer_number)
                    .outerjoin(StaffAccount, StaffAccount.id == AuditEntry.staff_id)
                    .outerjoin(Customer, Customer.id == AuditEntry.customer_id)
                    .where(*conds, AuditEntry.id > last, AuditEntry.id <= upto)
                    .order_by(AuditEntry.id)
                    .limit(EXPORT_BATCH)
                )
            ).all()
            for e, login, number in rows:
                writer.writerow(
                    [
                        cell(v)
                        for v in (
                            e.id,
                            iso_ts(e.at),
                            login,
                            number,
                            e.access_id,
                            e.resource,
                            e.action,
                            e.before,
                            e.after,
                            e.reason,
                            e.reason_text,
                            e.source,
                            e.prev_hash,
                            e.hash,
                        )
                    ]
                )
            yield out.getvalue()
            out.seek(0)
            out.truncate()
            if len(rows) < EXPORT_BATCH:
                return
            last = rows[-1][0].id
            db.expunge_all()


@router.get(
    "/audit/export",
    response_class=StreamingResponse,
    responses=csv_responses("The matching entries as CSV, oldest first"),
)
async def audit_export(
    request: Request,
    auth: CanAudit,
    db: DbDep,
    customer_number: Annotated[str | None, Query(pattern=r"^[0-9]{5}$")] = None,
    staff_login: Annotated[str | None, Query(max_length=64)] = None,
) -> StreamingResponse:
    """Every entry matching the filters of ``GET /staff/audit``, oldest first, as CSV (UTF-8, CRLF,
    a header row). The export is itself recorded first (resource ``audit_export``, the filters in
    ``after``) and is the file's last row."""
    filters = {"customer_number": customer_number, "staff_login": staff_login}
    entry = await audit.append(
        db,
        staff_id=auth.account.id,
        resource="audit_export",
        action="view",
        after={k: v for k, v in filters.items() if v is not None},
        reason="audit",
        source=source_address(request),
    )
    upto = entry.id
    await db.commit()
    conds = audit_filters(customer_number, staff_login)
    # the export's own entry is listed whatever the filters
    conds = [(AuditEntry.id == upto) | and_(*conds)] if conds else []
    name = f"audit-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}.csv"
    return StreamingResponse(
        _csv_rows(request.app.state.sessionmaker, conds, upto),
        media_type=CSV_MEDIA_TYPE,
        headers=attachment(name),
    )


# ---- billing run ---------------------------------------------------------------------------------
class BillingRun(Strict):
    period: Annotated[str, StringConstraints(pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$")]


class BillingRunOut(BaseModel):
    period: str
    issued: int
    gross_total: int  # grosze


@router.post(
    "/billing/run",
    response_model=BillingRunOut,
    responses={422: {"description": "period_not_closed / validation_error"}},
)
async def billing_run(
    body: BillingRun, request: Request, auth: CanBill, db: DbDep, settings: SettingsDep, mailer: MailerDep
) -> BillingRunOut:
    """Issue the invoices of a finished billing period to every customer with a contract who has none
    for it yet (the code of ``ebok-server issue-invoices``). Running it again, also in parallel,
    issues nothing twice: the database allows one billing-run invoice per customer and period (and
    one notification mail per invoice)."""
    year, month = (int(x) for x in body.period.split("-"))
    today = settings.business_today()
    if dt.date(year, month, 1) > add_months(today.replace(day=1), -1):
        raise ApiError(
            422, "period_not_closed", "Only a billing period that has ended can be invoiced.", {"period": "not ended"}
        )
    issued = await issue_invoices(db, year, month, today)
    gross = sum(inv.gross for inv in issued)
    await audit.append(
        db,
        staff_id=auth.account.id,
        resource=f"billing_run:{body.period}",
        action="change",
        after={"issued": len(issued), "gross_total": gross},
        reason="billing",
        source=source_address(request),
    )
    await db.commit()
    # the new invoices to businesses and communities (and any left offline before) go to KSeF; a
    # failure leaves them offline for `ebok-server ksef submit`, the run itself has succeeded
    await ksef.submit_pending(db, ksef.gateway_for(settings), settings.business_now())
    await deliver(db, mailer)
    return BillingRunOut(period=body.period, issued=len(issued), gross_total=gross)
