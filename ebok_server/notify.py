"""Notifications and unread markers (issue 12 feature 6): the read state of threads, the resident's
visits and the "since your last visit" summary, e-mail preferences and the notification outbox.

A notification mail is owed when its event is created: :func:`enqueue` inserts an outbox row in the
event's own transaction (unique per customer, kind and event: a retried or parallel event creation
cannot owe two mails). :func:`deliver` runs after the commit; it claims each unsent row with one
conditional UPDATE before sending, so two deliveries never send the same row.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import bindparam, case, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .billing import fmt_pln, month_bounds
from .config import iso_ts, utcnow
from .mailer import Mailer
from .models import (
    Customer,
    CustomerVisit,
    Invoice,
    MailOutbox,
    Message,
    Meter,
    NotificationPreference,
    Reading,
    Thread,
    ThreadRead,
)
from .schemas import MeterExpiry, NoticeList, SinceInvoice, SinceLastVisit, SinceReply
from .throttle import insert_for

log = logging.getLogger("ebok_server.notify")

#: The kinds of notification mails and their defaults (no preference row): a reply answers what the
#: resident asked and is awaited, so it is mailed unless refused; invoices come on paper or by
#: e-FAKTURA already, so their mail is opt-in.
DEFAULTS: dict[str, bool] = {"reply": True, "invoice": False}
KINDS = tuple(DEFAULTS)
LEGALISATION_WARNING_DAYS = 90
#: Logins less than this apart are one visit: "since your last visit" starts before all of them.
VISIT_GAP = dt.timedelta(hours=1)


# ---- read state -----------------------------------------------------------------------------------
def unread_condition():
    """SQL: ``Thread`` has a utility message above the resident's read mark (outer-joined ``ThreadRead``)."""
    return exists().where(
        Message.thread_id == Thread.id,
        Message.author == "utility",
        Message.id > func.coalesce(ThreadRead.read_message_id, 0),
    )


# Statements of the balance's and the correspondence list's every call, built once (building a
# statement and its cache key costs about as much CPU as running it); values bound per call.
_UNREAD_COUNT = (
    select(func.count())
    .select_from(Thread)
    .outerjoin(ThreadRead, ThreadRead.thread_id == Thread.id)
    .where(Thread.customer_id == bindparam("customer_id"), unread_condition())
)
_PREVIOUS_VISIT = select(CustomerVisit.previous_login_at).where(CustomerVisit.customer_id == bindparam("customer_id"))
# each meter with whether the period's self-reading is in
_METERS_READ = (
    select(
        Meter,
        exists()
        .where(
            Reading.meter_id == Meter.id,
            Reading.customer_id == bindparam("customer_id"),
            Reading.type == "self",
            Reading.billing_period == bindparam("period"),
        )
        .correlate(Meter),
    )
    .where(Meter.customer_id == bindparam("customer_id"))
    .order_by(Meter.id)
)


async def unread_count(db: AsyncSession, customer_id: int) -> int:
    return await db.scalar(_UNREAD_COUNT, {"customer_id": customer_id})


async def mark_read(db: AsyncSession, thread_id: int, message_id: int, now: dt.datetime) -> None:
    """The resident has seen ``thread_id`` up to ``message_id``: one upsert, never moving the mark back
    (an older page answered after a newer one)."""
    stmt = insert_for(db, ThreadRead).values(thread_id=thread_id, read_message_id=message_id, read_at=now)
    newer = stmt.excluded.read_message_id > ThreadRead.read_message_id
    await db.execute(
        stmt.on_conflict_do_update(
            index_elements=[ThreadRead.thread_id],
            set_={
                "read_message_id": case((newer, stmt.excluded.read_message_id), else_=ThreadRead.read_message_id),
                "read_at": stmt.excluded.read_at,
            },
        )
    )


# ---- visits -------------------------------------------------------------------------------------
async def record_login(db: AsyncSession, customer_id: int, now: dt.datetime) -> None:
    """One upsert: this login becomes the last one; when it starts a new visit (``VISIT_GAP`` or more
    after the last login) the last login becomes the previous visit. Logins closer together are one
    visit (logging in again after a closed terminal keeps the news); never backwards (of parallel
    logins, one not after the stored last login changes nothing)."""
    stmt = insert_for(db, CustomerVisit).values(customer_id=customer_id, last_login_at=now, previous_login_at=None)
    new_visit = CustomerVisit.last_login_at <= now - VISIT_GAP
    await db.execute(
        stmt.on_conflict_do_update(
            index_elements=[CustomerVisit.customer_id],
            set_={
                "previous_login_at": case(
                    (new_visit, CustomerVisit.last_login_at), else_=CustomerVisit.previous_login_at
                ),
                "last_login_at": stmt.excluded.last_login_at,
            },
            where=stmt.excluded.last_login_at > CustomerVisit.last_login_at,
        )
    )


async def since_last_visit(db: AsyncSession, customer_id: int, today: dt.date, notices: NoticeList) -> SinceLastVisit:
    """News since the previous login (invoices issued on or after its day, utility replies after it,
    notices in force started after it) and what needs doing now (a self-reading still missing in
    this billing period, meter legalisations ending within 90 days)."""
    since = await db.scalar(_PREVIOUS_VISIT, {"customer_id": customer_id})
    invoices: list[SinceInvoice] = []
    replies: list[SinceReply] = []
    new_notices = 0
    if since is not None:
        rows = await db.scalars(
            select(Invoice)
            .where(Invoice.customer_id == customer_id, Invoice.issue_date >= since.date())
            .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
            .limit(20)
        )
        invoices = [SinceInvoice(id=i.id, number=i.number, issue_date=i.issue_date, gross=i.gross) for i in rows]
        reply_rows = await db.execute(
            select(Thread.id, Thread.subject, Message.created_at)
            .join(Message, Message.thread_id == Thread.id)
            .where(Thread.customer_id == customer_id, Message.author == "utility", Message.created_at > since)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(20)
        )
        replies = [SinceReply(thread_id=t, subject=s, created_at=iso_ts(at)) for t, s, at in reply_rows]
        new_notices = sum(1 for n in notices.items if dt.datetime.fromisoformat(n.starts_at.removesuffix("Z")) > since)
    start, end = month_bounds(today.year, today.month)
    rows = (await db.execute(_METERS_READ, {"customer_id": customer_id, "period": start})).all()
    meters = [m for m, _read in rows]
    horizon = today + dt.timedelta(days=LEGALISATION_WARNING_DAYS)
    return SinceLastVisit(
        since=iso_ts(since),
        new_invoices=invoices,
        new_replies=replies,
        new_notices=new_notices,
        reading_window_until=end if not all(read for _m, read in rows) else None,
        legalisation_expiring=[
            MeterExpiry(number=m.number, legalisation_valid_until=m.legalisation_valid_until)
            for m in meters
            if m.legalisation_valid_until <= horizon
        ],
    )


# ---- preferences ----------------------------------------------------------------------------------
async def preferences(db: AsyncSession, customer_id: int) -> dict[str, bool]:
    rows = await db.execute(
        select(NotificationPreference.kind, NotificationPreference.enabled).where(
            NotificationPreference.customer_id == customer_id
        )
    )
    return DEFAULTS | {kind: enabled for kind, enabled in rows if kind in DEFAULTS}


async def set_preferences(db: AsyncSession, customer_id: int, wanted: dict[str, bool]) -> None:
    for kind, enabled in wanted.items():
        stmt = insert_for(db, NotificationPreference).values(customer_id=customer_id, kind=kind, enabled=enabled)
        await db.execute(
            stmt.on_conflict_do_update(
                index_elements=[NotificationPreference.customer_id, NotificationPreference.kind],
                set_={"enabled": stmt.excluded.enabled},
            )
        )


# ---- outbox -----------------------------------------------------------------------------------------
async def enqueue(db: AsyncSession, customer_id: int, kind: str, event_id: int) -> None:
    """Owe ``customer_id`` a ``kind`` mail for ``event_id`` if the customer has an address on file and
    wants that kind; in the caller's transaction. A second call for the same event adds nothing."""
    enabled = (await preferences(db, customer_id))[kind]
    email = await db.scalar(select(Customer.email).where(Customer.id == customer_id))
    if not enabled or not email:
        return
    stmt = insert_for(db, MailOutbox).values(customer_id=customer_id, kind=kind, event_id=event_id, created_at=utcnow())
    await db.execute(stmt.on_conflict_do_nothing(index_elements=["customer_id", "kind", "event_id"]))


async def _compose(db: AsyncSession, row: MailOutbox) -> tuple[str, str] | None:
    """Subject and body of an outbox row's mail; None when its event is gone."""
    if row.kind == "reply":
        found = (
            await db.execute(
                select(Thread.subject).join(Message, Message.thread_id == Thread.id).where(Message.id == row.event_id)
            )
        ).first()
        if found is None:
            return None
        return (
            "eBOK – odpowiedź w Twojej sprawie / a reply to your message",
            f"Dzień dobry,\n\nodpowiedzieliśmy w sprawie „{found[0]}”. Odpowiedź przeczytasz w eBOK "
            "(Korespondencja).\n\n"
            f'We replied in your case "{found[0]}". Read the reply in eBOK (Correspondence).\n\n'
            "Powiadomienia wyłączysz w eBOK: Konto. / Turn notifications off in eBOK: Account.\n",
        )
    inv = await db.get(Invoice, row.event_id)
    if inv is None:
        return None
    amount = fmt_pln(inv.gross)
    return (
        f"eBOK – nowa faktura / new invoice {inv.number}",
        f"Dzień dobry,\n\nwystawiliśmy fakturę {inv.number} na {amount} zł, termin płatności "
        f"{inv.due_date.isoformat()}. Fakturę zobaczysz w eBOK (Faktury).\n\n"
        f"We issued invoice {inv.number} for {amount} PLN, due {inv.due_date.isoformat()}. "
        "See it in eBOK (Invoices).\n\n"
        "Powiadomienia wyłączysz w eBOK: Konto. / Turn notifications off in eBOK: Account.\n",
    )


async def deliver(db: AsyncSession, mailer: Mailer, limit: int = 200) -> int:
    """Send the unsent outbox mails (oldest first, at most ``limit``); returns how many were sent.
    Each row is claimed by one conditional UPDATE and committed before its mail goes out, so a
    parallel delivery skips it; a mail the mailer fails to send is released for the next delivery."""
    ids = (
        await db.scalars(select(MailOutbox.id).where(MailOutbox.sent_at.is_(None)).order_by(MailOutbox.id).limit(limit))
    ).all()
    sent = 0
    for row_id in ids:
        claimed = await db.execute(
            update(MailOutbox).where(MailOutbox.id == row_id, MailOutbox.sent_at.is_(None)).values(sent_at=utcnow())
        )
        await db.commit()
        if claimed.rowcount != 1:
            continue  # another delivery has it
        row = await db.get(MailOutbox, row_id)
        to = await db.scalar(select(Customer.email).where(Customer.id == row.customer_id))
        mail = await _compose(db, row)
        if mail is None or not to:
            continue  # the event or the address went away: nothing to send, the row stays claimed
        try:
            mailer.send(to, *mail)
        except Exception:
            log.exception("notification mail %s not sent; released for the next delivery", row_id)
            await db.execute(update(MailOutbox).where(MailOutbox.id == row_id).values(sent_at=None))
            await db.commit()
            continue
        sent += 1
    return sent
