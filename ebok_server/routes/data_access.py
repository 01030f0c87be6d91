"""The resident's "who viewed my data" (GDPR Art. 15): dates and purposes of staff access to their
data, from the audit log — never who the member of staff was."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from sqlalchemy import select

from ..config import iso_ts
from ..deps import AuthDep, DbDep
from ..staff_models import AuditEntry, CustomerAccess
from ..staff_schemas import DataAccessItem, DataAccessOut

router = APIRouter(tags=["account"])


@router.get("/account/data-access", response_model=DataAccessOut)
async def data_access(auth: AuthDep, db: DbDep) -> DataAccessOut:
    """One item per staff access to the caller's data (and one per day of work on their
    correspondence from the staff queue), newest first: when, why (the reason given when the
    customer was opened, or ``correspondence``), which parts were viewed and whether anything was
    changed."""
    rows = (
        await db.execute(
            select(
                CustomerAccess.id,
                CustomerAccess.opened_at,
                CustomerAccess.reason,
                CustomerAccess.reason_text,
                AuditEntry.resource,
                AuditEntry.action,
            )
            .join(AuditEntry, AuditEntry.access_id == CustomerAccess.id)
            .where(CustomerAccess.customer_id == auth.customer.id, AuditEntry.customer_id == auth.customer.id)
            .order_by(CustomerAccess.opened_at.desc(), CustomerAccess.id.desc(), AuditEntry.id)
        )
    ).all()
    items: dict[object, DataAccessItem] = {}

    def note(key: object, at: dt.datetime, purpose: str, purpose_text: str | None, resource: str, action: str) -> None:
        """Count one audited access under ``key``: the first one seen makes the item; each kind of
        data is listed once; any change marks the item changed."""
        item = items.get(key)
        if item is None:
            item = items[key] = DataAccessItem(
                date=at.date(),
                opened_at=iso_ts(at),
                purpose=purpose,
                purpose_text=purpose_text,
                resources=[],
                changed=False,
            )
        kind = resource.split(":", 1)[0]
        if kind not in item.resources:
            item.resources.append(kind)
        item.changed |= action == "change"

    for acc_id, opened_at, reason, reason_text, resource, action in rows:
        note(acc_id, opened_at, reason, reason_text if reason == "other" else None, resource, action)
    # Work on the customer's correspondence from the staff queue (no access opened): one item per day.
    queue = (
        await db.execute(
            select(AuditEntry.at, AuditEntry.resource, AuditEntry.action)
            .where(AuditEntry.customer_id == auth.customer.id, AuditEntry.access_id.is_(None))
            .order_by(AuditEntry.id)
        )
    ).all()
    for at, resource, action in queue:
        note(("queue", at.date()), at, "correspondence", None, resource, action)
    ordered = sorted(items.values(), key=lambda i: i.opened_at, reverse=True)
    return DataAccessOut(items=ordered)
