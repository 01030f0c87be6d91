"""Notifications and unread markers (issue 12 feature 6): the read state of threads, the resident's
visits and the "since your last visit" summary, e-mail preferences and the notification outbox.

Mails are owed in two ways. A reply or an invoice owes its mail when the event is created:
:func:`enqueue` inserts an outbox row in the event's own transaction. A notice, an open reading
window or a meter's legalisation ending soon is no single event anybody creates, so the scheduled
job :func:`run_due` (``ebok-server notify run``, and every ``Settings.notify_interval_s`` inside the
server) finds what is owed and inserts those rows. Either way the outbox row is unique per customer,
kind and event (``INSERT … ON CONFLICT DO NOTHING``): a retried, repeated or parallel run cannot owe
two mails. :func:`deliver` runs after the commit; it claims unsent rows with a conditional UPDATE
(a few at a time) before sending, so two deliveries (two requests, two job runs, N server processes) never
send the same row, and no transaction is open while the mailer works.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from zoneinfo import ZoneInfo
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, case, exists, false, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .config import Settings, iso_ts, utcnow
from .mailer import Mailer
from .notices import notices_by_customer
from .models import (
    Customer,
    CustomerVisit,
    Invoice,
    MailOutbox,
    Message,
    Meter,
    Notice,
    NotificationPreference,
    Reading,
    Thread,
    ThreadRead,
)
from .schemas import MeterExpiry, NoticeList, SinceInvoice, SinceLastVisit, SinceReply
from .throttle import insert_for
from .units import fmt_pln, month_bounds

log = logging.getLogger("ebok_server.notify")

#: The kinds of notification mails and their defaults (no preference row):
#: - ``reply`` on: it answers what the resident asked and is awaited;
#: - ``invoice`` off: invoices come on paper or by e-FAKTURA already;
#: - ``notice`` on: a failure or a planned interruption of supply at the resident's own address is
#:   rare and matters at once (fill a kettle, find the water tanker) — the resident may not log in in time;
#: - ``reading_window`` off: it would come every month for every meter, and the balance already
#:   says it at login; a reminder for those who ask for it;
#: - ``legalisation`` on: once in five years or so, and the meter's replacement needs the resident
#:   to let the fitter in, so they should hear of it well before the date.
DEFAULTS: dict[str, bool] = {
    "reply": True,
    "invoice": False,
    "notice": True,
    "reading_window": False,
    "legalisation": True,
}
KINDS = tuple(DEFAULTS)
#: Owed and delivered by the request that creates the event (the others: the scheduled job's).
EVENT_KINDS = ("reply", "invoice")
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
    unread = await db.scalar(select(exists().where(Meter.customer_id == customer_id, reading_window_open(start))))
    expiring = await db.scalars(
        select(Meter).where(Meter.customer_id == customer_id, legalisation_expiring(today)).order_by(Meter.id)
    )
    return SinceLastVisit(
        since=iso_ts(since),
        new_invoices=invoices,
        new_replies=replies,
        new_notices=new_notices,
        reading_window_until=end if unread else None,
        legalisation_expiring=[
            MeterExpiry(number=m.number, legalisation_valid_until=m.legalisation_valid_until) for m in expiring
        ],
    )


def reading_window_open(period_start: dt.date):
    """SQL: ``Meter`` has no self-reading in the billing period starting ``period_start`` (the
    current one: its self-reading window is open). The one rule of the summary and the mails."""
    return ~exists().where(Reading.meter_id == Meter.id, Reading.type == "self", Reading.billing_period == period_start)


def legalisation_expiring(today: dt.date):
    """SQL: ``Meter``'s legalisation ends within ``LEGALISATION_WARNING_DAYS`` of ``today`` (or has
    ended). The one rule of the summary and the mails."""
    return Meter.legalisation_valid_until <= today + dt.timedelta(days=LEGALISATION_WARNING_DAYS)


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
async def enqueue(db: AsyncSession, customer_id: int, kind: str, event_id: int | str) -> None:
    """Owe ``customer_id`` a ``kind`` mail for ``event_id`` if the customer has an address on file and
    wants that kind; in the caller's transaction. A second call for the same event adds nothing."""
    enabled = (await preferences(db, customer_id))[kind]
    email = await db.scalar(select(Customer.email).where(Customer.id == customer_id))
    if not enabled or not email:
        return
    await _owe(db, kind, [(customer_id, str(event_id))])


async def _owe(db: AsyncSession, kind: str, events: list[tuple[int, str]]) -> int:
    """Insert an outbox row per ``(customer id, event id)`` unless one is there (``ON CONFLICT DO
    NOTHING``: the unique key decides, never a check first); returns how many were new (the rows
    RETURNING gives back: only the inserted ones)."""
    if not events:
        return 0
    now = utcnow()
    stmt = (
        insert_for(db, MailOutbox)
        .on_conflict_do_nothing(index_elements=["customer_id", "kind", "event_id"])
        .returning(MailOutbox.id)
    )
    rows = [{"customer_id": c, "kind": kind, "event_id": e, "created_at": now} for c, e in events]
    return len((await db.execute(stmt, rows)).all())


def wanting(kind: str):
    """SQL: the ids of the customers who have an e-mail address and want ``kind`` mails (their
    preference row, else the kind's default)."""
    pref = NotificationPreference
    default = true() if DEFAULTS[kind] else false()
    return (
        select(Customer.id)
        .outerjoin(pref, and_(pref.customer_id == Customer.id, pref.kind == kind))
        .where(Customer.email.is_not(None), Customer.email != "", func.coalesce(pref.enabled, default))
    )


async def _due_notices(db: AsyncSession, now: dt.datetime) -> list[tuple[int, str]]:
    """Every notice not yet ended (in force, or planned: a planned interruption is worth knowing
    before it starts) for each customer it concerns; event: the notice's id."""
    return [(c, str(n.id)) for c, n in await notices_by_customer(db, wanting("notice"), now)]


async def _due_reading_windows(db: AsyncSession, now: dt.datetime) -> list[tuple[int, str]]:
    """Every meter without a self-reading in the current billing period (its window is open);
    event: "meter id/YYYY-MM" (one mail per meter and period)."""
    start, _ = month_bounds(now.year, now.month)
    rows = await db.execute(
        select(Meter.customer_id, Meter.id)
        .where(Meter.customer_id.in_(wanting("reading_window")), reading_window_open(start))
        .order_by(Meter.id)
    )
    return [(c, f"{m}/{start:%Y-%m}") for c, m in rows]


async def _due_legalisations(db: AsyncSession, now: dt.datetime) -> list[tuple[int, str]]:
    """Every meter whose legalisation ends within ``LEGALISATION_WARNING_DAYS``; event: "meter
    id/valid-until date" (a new legalisation date is a new event)."""
    rows = await db.execute(
        select(Meter.customer_id, Meter.id, Meter.legalisation_valid_until)
        .where(Meter.customer_id.in_(wanting("legalisation")), legalisation_expiring(now.date()))
        .order_by(Meter.id)
    )
    return [(c, f"{m}/{until.isoformat()}") for c, m, until in rows]


#: The kinds the scheduled job finds; the others (:data:`EVENT_KINDS`) are owed by the request that
#: creates their event.
SCHEDULED = {"notice": _due_notices, "reading_window": _due_reading_windows, "legalisation": _due_legalisations}


@dataclass
class RunResult:
    owed: dict[str, int]  # new outbox rows per kind
    sent: int  # mails sent from the whole outbox (this run's rows and any left before)


async def run_due(db: AsyncSession, mailer: Mailer, now: dt.datetime) -> RunResult:
    """The scheduled job: owe the mails of :data:`SCHEDULED` due at ``now`` (business time), one
    commit per kind, then deliver the whole outbox (rows the command line left, mails a failed
    mailer released). A second run, or one in parallel (another process), owes nothing twice and
    sends nothing twice (the unique outbox key and :func:`deliver`'s claim)."""
    owed: dict[str, int] = {}
    for kind, find in SCHEDULED.items():
        owed[kind] = await _owe(db, kind, await find(db, now))
        await db.commit()
    return RunResult(owed=owed, sent=await deliver(db, mailer, kinds=KINDS, limit=None))


async def unsent(db: AsyncSession) -> int:
    """How many outbox mails wait to be sent."""
    return await db.scalar(select(func.count()).select_from(MailOutbox).where(MailOutbox.sent_at.is_(None)))


async def run_periodically(sessions: async_sessionmaker, mailer: Mailer, settings: Settings) -> None:
    """The server's own schedule: :func:`run_due` every ``settings.notify_interval_s`` seconds (the
    first one interval after the start), until cancelled. Every server process runs it; with N
    processes (``--workers``) they share the work and still send each mail once, as two parallel
    runs do. A failed run is logged and the next one tries again."""
    while True:
        await asyncio.sleep(settings.notify_interval_s)
        try:
            async with sessions() as db:
                result = await run_due(db, mailer, settings.business_now())
        except Exception:
            log.exception("scheduled notification run failed; the next one tries again")
            continue
        if result.sent or any(result.owed.values()):
            log.info("scheduled notifications: owed %s, sent %d", result.owed, result.sent)


_SIGNATURE = "Powiadomienia wyłączysz w eBOK: Konto. / Turn notifications off in eBOK: Account.\n"


#: The utility's zone: a mail to a resident gives times as their clocks show them (stored in UTC).
MAIL_ZONE = ZoneInfo("Europe/Warsaw")


def _stamp(at: dt.datetime) -> str:
    """``at`` (UTC, naive as the database returns it on SQLite) on the resident's clock."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(MAIL_ZONE).strftime("%d.%m.%Y %H:%M")


async def _compose(db: AsyncSession, kind: str, event_id: str) -> tuple[str, str] | None:
    """Subject and body of the mail of an outbox row's ``kind`` and ``event_id``; None when its event
    is gone (or over: a reading entered, a meter legalised again since)."""
    if kind == "reply":
        found = (
            await db.execute(
                select(Thread.subject).join(Message, Message.thread_id == Thread.id).where(Message.id == int(event_id))
            )
        ).first()
        if found is None:
            return None
        return (
            "eBOK – odpowiedź w Twojej sprawie / a reply to your message",
            f"Dzień dobry,\n\nodpowiedzieliśmy w sprawie „{found[0]}”. Odpowiedź przeczytasz w eBOK "
            "(Korespondencja).\n\n"
            f'We replied in your case "{found[0]}". Read the reply in eBOK (Correspondence).\n\n' + _SIGNATURE,
        )
    if kind == "invoice":
        inv = await db.get(Invoice, int(event_id))
        if inv is None:
            return None
        amount = fmt_pln(inv.gross)
        return (
            f"eBOK – nowa faktura / new invoice {inv.number}",
            f"Dzień dobry,\n\nwystawiliśmy fakturę {inv.number} na {amount} zł, termin płatności "
            f"{inv.due_date.isoformat()}. Fakturę zobaczysz w eBOK (Faktury).\n\n"
            f"We issued invoice {inv.number} for {amount} PLN, due {inv.due_date.isoformat()}. "
            "See it in eBOK (Invoices).\n\n" + _SIGNATURE,
        )
    if kind == "notice":
        notice = await db.get(Notice, int(event_id))
        if notice is None:
            return None
        pl, en = ("Awaria", "Failure") if notice.kind == "failure" else ("Planowane wyłączenie", "Planned interruption")
        where = notice.city + (": " + ", ".join(notice.streets.splitlines()) if notice.streets else "")
        when = f"{_stamp(notice.starts_at)} – {_stamp(notice.ends_at)}"
        return (
            f"eBOK – {pl.lower()} wody / {en.lower()} of water supply",
            f"Dzień dobry,\n\n{pl} pod Twoim adresem ({where}), {when}.\n{notice.text_pl}\n"
            "Komunikaty zobaczysz w eBOK (Komunikaty). Numer alarmowy: 994.\n\n"
            f"{en} at your address ({where}), {when}.\n{notice.text_en}\n"
            "See the notices in eBOK (Notices). Emergency number: 994.\n\n" + _SIGNATURE,
        )
    meter_id, _, key = event_id.partition("/")
    meter = await db.get(Meter, int(meter_id))
    if meter is None:
        return None
    if kind == "reading_window":
        start, end = month_bounds(*map(int, key.split("-")))
        if not await db.scalar(select(exists().where(Meter.id == meter.id, reading_window_open(start)))):
            return None
        return (
            f"eBOK – podaj odczyt wodomierza / enter your meter reading {meter.number}",
            f"Dzień dobry,\n\nodczyt wodomierza {meter.number} ({meter.location}) za ten okres podasz w eBOK "
            f"(Odczyty) do {end.isoformat()}.\n\n"
            f"Enter the reading of meter {meter.number} ({meter.location}) for this period in eBOK "
            f"(Readings) by {end.isoformat()}.\n\n" + _SIGNATURE,
        )
    until = dt.date.fromisoformat(key)
    if meter.legalisation_valid_until != until:
        return None
    return (
        f"eBOK – legalizacja wodomierza / meter legalisation {meter.number}",
        f"Dzień dobry,\n\nlegalizacja wodomierza {meter.number} ({meter.location}) jest ważna do "
        f"{until.isoformat()}. Skontaktujemy się, by umówić jego wymianę.\n\n"
        f"The legalisation of meter {meter.number} ({meter.location}) is valid until {until.isoformat()}. "
        "We will contact you to arrange its replacement.\n\n" + _SIGNATURE,
    )


#: Rows one delivery claims together (one UPDATE, one commit): fewer commits than one per mail,
#: and at most this many mails lost (claimed, never sent) if the process dies while sending them
#: (a server that stops normally gives back those it has not sent).
CLAIM_BATCH = 20


async def deliver(
    db: AsyncSession, mailer: Mailer, *, kinds: tuple[str, ...] = EVENT_KINDS, limit: int | None = 200
) -> int:
    """Send the unsent outbox mails of ``kinds`` (oldest first; at most ``limit`` looked at, None:
    all of them, in one pass); returns how many were sent. A request that created an event delivers
    :data:`EVENT_KINDS` only (the job's backlog of notices never slows a staff reply down); the job
    delivers every kind.

    At most once: :data:`CLAIM_BATCH` rows at a time are claimed by one conditional UPDATE (``sent_at``
    set where it is still empty, RETURNING the rows this delivery won), committed with the reads that
    compose their mails before any mail goes out, so a parallel delivery (another request, job run or
    process) skips them and no transaction stays open while mailing. The mailer runs in a worker
    thread (a slow mail server does not stop the event loop). A mail the mailer fails to send is
    released for the next delivery (this pass does not come back to it)."""
    sent = 0
    after = 0
    while limit is None or limit > 0:
        batch = CLAIM_BATCH if limit is None else min(limit, CLAIM_BATCH)
        ids = (
            await db.scalars(
                select(MailOutbox.id)
                .where(MailOutbox.sent_at.is_(None), MailOutbox.id > after, MailOutbox.kind.in_(kinds))
                .order_by(MailOutbox.id)
                .limit(batch)
            )
        ).all()
        if limit is not None:
            limit -= batch
        if ids:
            sent += await _deliver_batch(db, mailer, ids)
        else:
            await db.commit()
        if len(ids) < batch:
            break
        after = ids[-1]
    return sent


async def _deliver_batch(db: AsyncSession, mailer: Mailer, ids: list[int]) -> int:
    claimed = await db.execute(
        update(MailOutbox)
        .where(MailOutbox.id.in_(ids), MailOutbox.sent_at.is_(None))
        .values(sent_at=utcnow())
        .returning(MailOutbox.id, MailOutbox.customer_id, MailOutbox.kind, MailOutbox.event_id)
    )
    mails = []
    for row_id, customer_id, kind, event_id in sorted(claimed.all()):  # rows another delivery has are not here
        to = await db.scalar(select(Customer.email).where(Customer.id == customer_id))
        mail = await _compose(db, kind, event_id)
        if mail is not None and to:  # else the event or the address went away: the row stays claimed, unsent
            mails.append((row_id, to, mail))
    await db.commit()
    done = 0
    failed: list[int] = []
    try:
        for row_id, to, (subject, body) in mails:
            try:
                await asyncio.to_thread(mailer.send, to, subject, body)
            except Exception:
                log.exception("notification mail %s not sent; released for the next delivery", row_id)
                failed.append(row_id)
            done += 1
    except asyncio.CancelledError:
        # the server stops: the mails not yet given to the mailer go back to the outbox (the one the
        # mailer's thread has may still go out: it stays claimed, never twice)
        failed += [row_id for row_id, *_ in mails[done + 1 :]]
        raise
    finally:
        if failed:
            await db.execute(update(MailOutbox).where(MailOutbox.id.in_(failed)).values(sent_at=None))
            await db.commit()
    return done - len(failed)
