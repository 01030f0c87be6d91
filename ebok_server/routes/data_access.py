"""The resident's "who viewed my data" (GDPR Art. 15): dates and purposes of staff access to their
data, from the audit log — never who the member of staff was."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..config import iso_ts
from ..deps import AUTH, DB, Auth
from ..staff_models import AuditEntry, CustomerAccess
from ..staff_schemas import DataAccessItem, DataAccessOut

router = APIRouter(tags=["account"])


@router.get("/account/data-access", response_model=DataAccessOut)
async def data_access(auth: Auth = AUTH, db: AsyncSession = DB) -> DataAccessOut:
    """One item per staff access to the caller's data, newest first: when, why (the reason given
    when the customer was opened), which parts were viewed and whether anything was changed."""
    rows = (await db.execute(
        select(CustomerAccess.id, CustomerAccess.opened_at, CustomerAccess.reason, CustomerAccess.reason_text,
               AuditEntry.resource, AuditEntry.action)
        .join(AuditEntry, AuditEntry.access_id == CustomerAccess.id)
        .where(CustomerAccess.customer_id == auth.customer.id, AuditEntry.customer_id == auth.customer.id)
        .order_by(CustomerAccess.opened_at.desc(), CustomerAccess.id.desc(), AuditEntry.id))).all()
    items: dict[int, DataAccessItem] = {}
    for acc_id, opened_at, reason, reason_text, resource, action in rows:
        item = items.get(acc_id)
        if item is None:
            item = items[acc_id] = DataAccessItem(
                date=opened_at.date(), opened_at=iso_ts(opened_at), purpose=reason,
                purpose_text=reason_text if reason == "other" else None, resources=[], changed=False)
        kind = resource.split(":", 1)[0]
        if kind not in item.resources:
            item.resources.append(kind)
        item.changed |= action == "change"
    return DataAccessOut(items=list(items.values()))
