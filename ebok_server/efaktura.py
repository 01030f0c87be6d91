"""e-FAKTURA (art. 106n VAT act): the terms, the confirmation of an address by a mailed code, and
the consent history. The routes (routes/account.py, routes/staff_act.py) are thin; every rule is here.

* A resident asks for e-FAKTURA at an address, accepting a terms version (:func:`request`): a
  6-digit code goes to *that* address; only its salted SHA-256 is stored, with an expiry
  (:data:`CODE_TTL`) and an attempt count. At most one request per customer (the primary key of
  ``efaktura_pending``): a new request replaces the old one in one upsert.
* :func:`confirm` counts the attempt in one atomic UPDATE (only while fewer than
  :data:`MAX_ATTEMPTS` and not expired), compares in constant time, and on success deletes the
  request and switches e-FAKTURA on (or changes its address) with a history row, in one
  transaction. The fifth wrong code voids the request; so does the expiry.
* Staff acting for a customer record consent given on paper or in person (:func:`staff_set`):
  no code — the resident's signed form (or presence at the counter) is the evidence the law asks
  for, and the staff member's act is in the audit log; the address is mailed a notice instead, so a
  mistyped address comes to light.
* Every change of state appends a row to ``efaktura_consents`` (append-only in the database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .billing import fee_line
from .config import UTILITY_NAME, Settings, iso_ts
from .errors import ApiError
from .mailer import Mailer
from .models import Contract, Customer, EfakturaConsent, EfakturaPending, ServicePoint
from .schemas import EfakturaConsentOut, EfakturaPendingOut, EfakturaStatus, EfakturaTerms
from .tariffs import rates_on
from .throttle import insert_for, reserve

CODE_TTL = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 5
HISTORY_SHOWN = 50

#: The terms of e-FAKTURA, by version (a new version is a new key; old ones stay: the history
#: names the version each consent accepted).
TERMS: dict[str, dict[str, str]] = {
    "2026-11": {
        "pl": (
            "Regulamin e-FAKTURY (wersja 2026-11)\n\n"
            f"1. {UTILITY_NAME} (Dostawca) wystawia i przesyła faktury w formie elektronicznej "
            "(e-FAKTURA) na podstawie art. 106n ustawy o podatku od towarów i usług, po akceptacji "
            "tego regulaminu przez Odbiorcę.\n"
            "2. Faktura w formacie PDF jest udostępniana w eBOK, a zawiadomienie o niej wysyłane "
            "na adres e-mail wskazany i potwierdzony przez Odbiorcę kodem.\n"
            "3. Faktura elektroniczna zastępuje fakturę papierową; Dostawca nie wysyła jej pocztą.\n"
            "4. Opłata za wystawienie faktury jest niższa niż przy fakturze papierowej (stawki w "
            "eBOK, sekcja e-FAKTURA).\n"
            "5. Odbiorca zapewnia działanie skrzynki e-mail i zgłasza zmianę adresu w eBOK; nowy "
            "adres obowiązuje po potwierdzeniu kodem.\n"
            "6. Odbiorca może w każdej chwili wycofać akceptację; od następnego okresu "
            "rozliczeniowego faktury są wysyłane w formie papierowej.\n"
            "7. Dostawca zapisuje datę i sposób akceptacji, zmiany adresu i wycofania akceptacji "
            "oraz przechowuje te dane przez okres przechowywania faktur.\n"
            "8. W sprawach nieuregulowanych stosuje się umowę o zaopatrzenie w wodę i przepisy prawa."
        ),
        "en": (
            "e-FAKTURA terms (version 2026-11)\n\n"
            f"1. {UTILITY_NAME} (the Supplier) issues and sends invoices electronically (e-FAKTURA) "
            "under art. 106n of the Polish VAT act once the Customer accepts these terms.\n"
            "2. The PDF invoice is available in eBOK; a notice of it is sent to the e-mail address "
            "the Customer gave and confirmed with a code.\n"
            "3. The electronic invoice replaces the paper one; the Supplier does not post it.\n"
            "4. The invoice fee is lower than for a paper invoice (the rates are shown in eBOK, "
            "e-FAKTURA section).\n"
            "5. The Customer keeps the mailbox working and changes the address in eBOK; a new "
            "address applies once confirmed with a code.\n"
            "6. The Customer may withdraw the acceptance at any time; from the next billing period "
            "invoices are sent on paper.\n"
            "7. The Supplier records when and how the acceptance was given, the address changed and "
            "the acceptance withdrawn, and keeps these records as long as the invoices.\n"
            "8. Anything not covered here follows the water supply contract and the law."
        ),
    },
}
TERMS_VERSION = "2026-11"


def terms(version: str = TERMS_VERSION) -> EfakturaTerms:
    return EfakturaTerms(version=version, text=TERMS[version])


def _code_hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode("ascii", "replace")).hexdigest()


# ---- state --------------------------------------------------------------------------------------
async def _fees(db: AsyncSession, c: Customer, today: dt.date) -> tuple[int, int]:
    """The billing fee (gross) with and without e-FAKTURA: the tariff in force ``today`` for the
    tariff group of the customer's first service point's contract."""
    group = await db.scalar(
        select(Contract.tariff_group)
        .join(ServicePoint, ServicePoint.id == Contract.service_point_id)
        .where(Contract.customer_id == c.id)
        .order_by(ServicePoint.code)
        .limit(1)
    )
    rates = await rates_on(db, group or "", today)
    return fee_line(rates, True).gross, fee_line(rates, False).gross


async def status(db: AsyncSession, settings: Settings, c: Customer) -> EfakturaStatus:
    pending = await db.scalar(
        select(EfakturaPending).where(
            EfakturaPending.customer_id == c.id,
            EfakturaPending.attempts < MAX_ATTEMPTS,
            EfakturaPending.expires_at > settings.now(),
        )
    )
    history = (
        await db.scalars(
            select(EfakturaConsent)
            .where(EfakturaConsent.customer_id == c.id)
            .order_by(EfakturaConsent.at.desc(), EfakturaConsent.id.desc())
            .limit(HISTORY_SHOWN)
        )
    ).all()
    with_, without = await _fees(db, c, settings.business_today())
    return EfakturaStatus(
        active=c.efaktura_active,
        email=c.efaktura_email if c.efaktura_active else None,
        activated_at=iso_ts(c.efaktura_activated_at) if c.efaktura_active else None,
        fee_with_gross=with_,
        fee_without_gross=without,
        current_fee_gross=with_ if c.efaktura_active else without,
        terms_version=TERMS_VERSION,
        pending=EfakturaPendingOut(
            email=pending.email,
            expires_at=iso_ts(pending.expires_at),
            attempts_left=MAX_ATTEMPTS - pending.attempts,
        )
        if pending
        else None,
        history=[
            EfakturaConsentOut(
                event=h.event, email=h.email, terms_version=h.terms_version, channel=h.channel, at=iso_ts(h.at)
            )
            for h in history
        ],
    )


async def _switch(
    db: AsyncSession,
    settings: Settings,
    c: Customer,
    email: str | None,
    *,
    terms_version: str | None,
    channel: str,
    staff_id: int | None = None,
) -> str:
    """Switch e-FAKTURA on at ``email`` (or change its address), or off (``email`` None), and append
    the history row, in the caller's transaction (not committed). The UPDATE is conditional on the
    state it was decided from, so a parallel change makes it retry with the new state, and the
    history names what really changed. Returns the event recorded."""
    while True:
        await db.refresh(c, ["efaktura_active", "efaktura_email", "efaktura_activated_at"])
        was_active, was_email = c.efaktura_active, c.efaktura_email
        now = settings.business_now()
        if email is None:
            if not was_active:
                raise ApiError(422, "efaktura_not_active", "e-FAKTURA is not active.")
            event, values = "withdrawn", {"efaktura_email": None, "efaktura_activated_at": None}
        else:
            event = "address_changed" if was_active and was_email != email else "given"
            values = {
                "efaktura_email": email,
                "efaktura_activated_at": c.efaktura_activated_at if was_active else now,
            }
        done = await db.execute(
            update(Customer)
            .where(
                Customer.id == c.id,
                Customer.efaktura_active.is_(was_active),
                Customer.efaktura_email.is_not_distinct_from(was_email),
            )
            .values(efaktura_active=email is not None, **values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount == 1:
            break
    db.add(
        EfakturaConsent(
            customer_id=c.id,
            event=event,
            email=email if email is not None else was_email,
            terms_version=terms_version,
            channel=channel,
            staff_id=staff_id,
            at=now,
        )
    )
    await db.flush()
    return event


async def _finish(db: AsyncSession, settings: Settings, c: Customer) -> EfakturaStatus:
    await db.commit()
    await db.refresh(c)
    return await status(db, settings, c)


# ---- resident: request and confirm --------------------------------------------------------------
def _code_mail(code: str, valid_min: int) -> str:
    return (
        "Dzień dobry,\n\n"
        "ten adres podano w eBOK do otrzymywania e-FAKTUR.\n"
        f"Kod potwierdzenia: {code}\n"
        f"Kod jest ważny {valid_min} minut. Wpisz go w eBOK, w sekcji e-FAKTURA. Jeśli to nie Ty, "
        "zignoruj tę wiadomość: bez kodu nic się nie zmieni.\n\n"
        "This address was given in eBOK to receive e-FAKTURA invoices.\n"
        f"Confirmation code: {code}\n"
        f"Valid for {valid_min} minutes: enter it in eBOK, e-FAKTURA section. If this was not you, "
        "ignore this message: without the code nothing changes.\n"
    )


async def request(
    db: AsyncSession, settings: Settings, mailer: Mailer, c: Customer, email: str, terms_version: str
) -> EfakturaStatus:
    """Mail a new code to ``email`` and keep the request (replacing any earlier one); committed."""
    if terms_version != TERMS_VERSION:
        raise ApiError(
            422,
            "efaktura_terms_outdated",
            f"The terms in force are version {TERMS_VERSION}; read and accept them.",
            {"terms_version": f"must be {TERMS_VERSION}"},
        )
    if c.efaktura_active and c.efaktura_email == email:
        raise ApiError(422, "efaktura_same_address", "e-FAKTURA already goes to this address.", {"email": "same"})
    limits = settings.limits
    await reserve(
        db,
        settings,
        "efaktura_code",
        str(c.id),
        limits.efaktura_code_limit,
        limits.efaktura_code_window_s,
        "Too many confirmation codes requested; wait and try again.",
    )
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    values = {
        "email": email,
        "terms_version": terms_version,
        "code_salt": salt,
        "code_hash": _code_hash(salt, code),
        "created_at": settings.now(),
        "expires_at": settings.now() + CODE_TTL,
        "attempts": 0,
    }
    stmt = insert_for(db, EfakturaPending).values(customer_id=c.id, **values)
    await db.execute(stmt.on_conflict_do_update(index_elements=[EfakturaPending.customer_id], set_=values))
    await db.commit()
    mailer.send(email, "eBOK – kod e-FAKTURY / e-FAKTURA code", _code_mail(code, int(CODE_TTL.total_seconds() // 60)))
    return await status(db, settings, c)


def _no_request() -> ApiError:
    return ApiError(422, "efaktura_no_request", "No e-FAKTURA confirmation is pending; request a new code.")


async def confirm(db: AsyncSession, settings: Settings, c: Customer, code: str) -> EfakturaStatus:
    """Check ``code`` against the pending request; on success switch e-FAKTURA on at its address."""
    now = settings.now()
    live = (EfakturaPending.attempts < MAX_ATTEMPTS, EfakturaPending.expires_at > now)
    row = (
        await db.execute(
            update(EfakturaPending)
            .where(EfakturaPending.customer_id == c.id, *live)
            .values(attempts=EfakturaPending.attempts + 1)
            .returning(
                EfakturaPending.email,
                EfakturaPending.terms_version,
                EfakturaPending.code_salt,
                EfakturaPending.code_hash,
                EfakturaPending.attempts,
            )
            .execution_options(synchronize_session=False)
        )
    ).first()
    if row is None:
        void = await db.execute(delete(EfakturaPending).where(EfakturaPending.customer_id == c.id))
        await db.commit()
        if void.rowcount:
            raise ApiError(422, "efaktura_code_expired", "The code has expired or was entered wrong too often.")
        raise _no_request()
    if not hmac.compare_digest(_code_hash(row.code_salt, code), row.code_hash):
        left = MAX_ATTEMPTS - row.attempts
        if left == 0:
            await db.execute(
                delete(EfakturaPending).where(
                    EfakturaPending.customer_id == c.id, EfakturaPending.code_hash == row.code_hash
                )
            )
        await db.commit()
        raise ApiError(
            422, "efaktura_wrong_code", f"Wrong code; {left} attempts left.", {"code": f"wrong ({left} left)"}
        )
    used = await db.execute(
        delete(EfakturaPending).where(EfakturaPending.customer_id == c.id, EfakturaPending.code_hash == row.code_hash)
    )
    if used.rowcount != 1:  # a parallel confirmation used it, or a new request replaced it
        await db.rollback()
        raise _no_request()
    await _switch(db, settings, c, row.email, terms_version=row.terms_version, channel="app")
    return await _finish(db, settings, c)


async def withdraw(db: AsyncSession, settings: Settings, c: Customer) -> EfakturaStatus:
    """Withdraw consent (and drop a pending request); ``efaktura_not_active`` when it was off."""
    await db.execute(delete(EfakturaPending).where(EfakturaPending.customer_id == c.id))
    await _switch(db, settings, c, None, terms_version=None, channel="app")
    return await _finish(db, settings, c)


# ---- staff acting for the customer --------------------------------------------------------------
def _staff_mail(email: str) -> str:
    return (
        "Dzień dobry,\n\n"
        f"w Biurze Obsługi Klienta przyjęliśmy Twoją zgodę na e-FAKTURĘ na adres {email}.\n"
        "Jeśli to pomyłka, skontaktuj się z nami lub wycofaj zgodę w eBOK.\n\n"
        f"At our customer office we recorded your consent to e-FAKTURA at {email}. If this is a "
        "mistake, contact us or withdraw the consent in eBOK.\n"
    )


async def staff_set(
    db: AsyncSession,
    settings: Settings,
    mailer: Mailer,
    c: Customer,
    email: str | None,
    *,
    terms_version: str | None,
    staff_id: int,
) -> EfakturaStatus:
    """Record consent given (``email``) or withdrawn (None) by the resident on paper or in person:
    no code (see the module's docstring); a pending request of the resident is dropped; the new
    address gets a notice. The caller has written the audit entry in this transaction."""
    if email is not None and terms_version != TERMS_VERSION:
        raise ApiError(
            422,
            "efaktura_terms_outdated",
            f"The terms in force are version {TERMS_VERSION}.",
            {"terms_version": f"must be {TERMS_VERSION}"},
        )
    await db.execute(delete(EfakturaPending).where(EfakturaPending.customer_id == c.id))
    await _switch(db, settings, c, email, terms_version=terms_version, channel="staff", staff_id=staff_id)
    result = await _finish(db, settings, c)
    if email is not None:
        mailer.send(email, "eBOK – e-FAKTURA", _staff_mail(email))
    return result
