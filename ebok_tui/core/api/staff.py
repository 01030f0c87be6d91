"""The staff side of the eBOK API (docs/API.md "Staff API"): staff login with TOTP, who is logged in,
customer search, and acting for a customer.

Two clients, both on the transport, deadlines, retry policy and error hierarchy of
:class:`~ebok_tui.core.api.client.ApiClient` (the resident's client's connections, shared)::

    staff = StaffClient.sharing(resident_client)
    await staff.login("urzednik", password, totp_code="123456")
    page = await staff.search("wisniewski")
    access = await staff.open_access("10003", "phone_call", verification=Verification(...))
    acting = ActingClient(staff, access)        # the resident screens' EbokClient, for that customer
    await acting.balance()                      # GET /staff/access/{access_id}/balance
    await staff.close_access(access.access_id)

:class:`ActingClient` is an :class:`~ebok_tui.core.api.client.EbokClient` whose resident calls go
to ``/staff/access/{access_id}/…`` with the staff token, so the resident screens serve the
customer with their own code. What only the customer may do (log in, change the password) is
refused locally; e-FAKTURA changes carry the customer's consent, replies are the utility's.
Staff credentials are never stored: the password and code go to the server and nowhere else.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal, TypedDict, Unpack

from pydantic import Field, TypeAdapter

from . import errors as E
from .client import ApiClient, EbokClient, _check_key, _seg
from .models import ApiModel, EFaktura, Me, Message, Notice, Notices, Page, ThreadDetail, TotpSecret

__all__ = [
    "StaffClient",
    "ActingClient",
    "StaffMe",
    "StaffLoginResult",
    "CustomerHit",
    "CustomerSearchPage",
    "Verification",
    "AccessDetails",
    "AccessCustomer",
    "Access",
    "Consent",
    "ACCESS_REASONS",
    "CONSENT_FORMS",
    "CUSTOMER_TYPES",
    "STAFF_ROLES",
    "QueueItem",
    "QueuePage",
    "QueueThread",
    "AuditItem",
    "AuditPage",
    "StaffAccount",
    "StaffAccountCreated",
    "BillingRun",
    "NOTICE_KINDS",
    "REPLY_STATUSES",
    "AUDIT_EXPORT_MAX_BYTES",
]

#: Why a customer is opened (``reason`` of ``POST /staff/customers/{number}/access``).
ACCESS_REASONS = ("phone_call", "counter_visit", "written_request", "complaint_handling", "other")
#: How the customer consented to an e-FAKTURA change (art. 106n of the VAT act: any form).
CONSENT_FORMS = ("written", "phone", "counter", "electronic")
STAFF_ROLES = ("helpdesk", "clerk", "supervisor")
#: A natural person, a business or a housing community (the last two have a NIP; KSeF takes their invoices).
CUSTOMER_TYPES = ("person", "business", "community")
#: What a published notice is: a failure, or a planned interruption of supply.
NOTICE_KINDS = ("failure", "planned")
#: What a staff reply or a status change may set a thread to.
REPLY_STATUSES = ("answered", "in_progress", "closed")
#: The largest audit CSV the client accepts (a whole log of a busy office is far smaller).
AUDIT_EXPORT_MAX_BYTES = 200 * 1024 * 1024


class StaffMe(ApiModel):
    """The logged-in member of staff (``GET /staff/me``)."""

    login: str
    full_name: str
    role: str
    permissions: list[str]
    totp_enabled: bool

    def can(self, permission: str) -> bool:
        return permission in self.permissions


class StaffLoginResult(StaffMe):
    token: str
    expires_at: _dt.datetime
    idle_timeout_seconds: int


class CustomerContact(ApiModel):
    """Who a customer is and how to reach them, as staff see it."""

    customer_number: str
    full_name: str
    address: str
    email: str | None = None
    phone: str | None = None


class CustomerHit(CustomerContact):
    match: str
    """``exact`` (a number), ``prefix`` or ``fragment``."""


class CustomerSearchPage(Page[CustomerHit]):
    truncated: bool
    """A rank stopped at its cap: ask for something more specific."""


class Verification(ApiModel):
    """What a caller on the phone confirmed. The server judges it (enough: the customer number and
    the address or the last invoice's amount) and audits the outcome; the client only sends it."""

    customer_number: bool
    address: bool = False
    last_invoice_amount: bool = False


class AccessDetails(TypedDict, total=False):
    """The keywords an access is opened with besides the customer and the reason (both None by
    default): ``reason_text`` (required for the reason ``other``) and ``verification`` (required
    for ``phone_call``)."""

    reason_text: str | None
    verification: Verification | None


class AccessCustomer(CustomerContact):
    efaktura_active: bool
    customer_type: Literal["person", "business", "community"] = "person"
    nip: str | None = None
    """Ten digits for a business or a housing community, None for a person."""


class Access(ApiModel):
    """An open access to a customer's data (``POST /staff/customers/{number}/access``):
    ``permissions`` are what the member of staff may do for the customer."""

    access_id: int
    reason: str
    reason_text: str | None = None
    opened_at: _dt.datetime
    customer: AccessCustomer
    permissions: list[str]

    def can(self, permission: str) -> bool:
        return permission in self.permissions


class Consent(ApiModel):
    """How the customer consented to an e-FAKTURA change (recorded in the audit log)."""

    form: Literal["written", "phone", "counter", "electronic"]
    note: str | None = Field(default=None, max_length=500)


class QueueItem(ApiModel):
    """A thread in the staff correspondence queue: its age and the regulation deadline."""

    id: int
    customer_number: str
    customer_name: str
    kind: str
    subject: str
    status: str
    created_at: _dt.datetime
    updated_at: _dt.datetime
    age_days: int
    deadline: _dt.date
    overdue: bool
    assignee: str | None = None


QueuePage = Page[QueueItem]


class QueueThread(ThreadDetail):
    customer_number: str
    customer_name: str
    deadline: _dt.date
    overdue: bool
    assignee: str | None = None


class AuditItem(ApiModel):
    id: int
    at: _dt.datetime
    staff_login: str | None = None
    customer_number: str | None = None
    access_id: int | None = None
    resource: str
    action: str
    before: dict[str, Any] | list[Any] | None = None
    after: dict[str, Any] | list[Any] | None = None
    reason: str | None = None
    reason_text: str | None = None
    source: str | None = None
    hash: str


AuditPage = Page[AuditItem]


class StaffAccount(ApiModel):
    login: str
    full_name: str
    role: str
    totp_enabled: bool
    disabled: bool
    created_at: _dt.datetime


class StaffAccountCreated(StaffAccount, TotpSecret):
    """A new account with its TOTP secret and ``otpauth://`` URI: shown once, never again."""


class BillingRun(ApiModel):
    period: str
    issued: int
    gross_total: int


class StaffClient(ApiClient):
    """A member of staff's client (``/staff/…``). Holds the staff token after login."""

    # --- auth -------------------------------------------------------------------------------
    async def login(self, login: str, password: str, totp_code: str | None = None) -> StaffLoginResult:
        """Log in and keep the token. Raises InvalidCredentials (code ``invalid_credentials``,
        ``totp_required`` or ``invalid_totp``) / RateLimited / ValidationFailed."""
        body: dict[str, Any] = {"login": login, "password": password}
        if totp_code:
            body["totp_code"] = totp_code
        result: StaffLoginResult = await self._call(
            "POST", "staff/auth/login", StaffLoginResult, auth=False, json_body=body, login=True
        )
        self._token = result.token
        return result

    async def logout(self) -> None:
        """Revoke the token server-side (its open accesses end with it). The local token is
        cleared even if the call fails; an already expired session (401) counts as logged out."""
        await self._revoke("staff/auth/logout")

    async def me(self) -> StaffMe:
        return await self._call("GET", "staff/me", StaffMe)

    # --- search -----------------------------------------------------------------------------
    async def search(self, q: str, offset: int = 0, limit: int = 20) -> CustomerSearchPage:
        """Customers matching ``q`` (number, invoice or meter number, part of name, address,
        e-mail or phone; diacritics and case do not matter). ValidationFailed when ``q`` has no
        word of 3+ characters."""
        return await self._call(
            "GET", "staff/customers", CustomerSearchPage, params={"q": q, "offset": offset, "limit": limit}
        )

    # --- acting for a customer ------------------------------------------------------------------
    async def open_access(self, customer_number: str, reason: str, **details: Unpack[AccessDetails]) -> Access:
        """Open the customer for ``reason`` (one of :data:`ACCESS_REASONS`; the :class:`AccessDetails`
        ``reason_text`` is required for ``other``, ``verification`` for ``phone_call``). Forbidden
        ``verification_failed`` when the caller did not pass (nothing is opened)."""
        body: dict[str, Any] = {"reason": reason, "reason_text": details.get("reason_text")}
        verification = details.get("verification")
        if verification is not None:
            body["verification"] = verification.model_dump()
        return await self._call("POST", f"staff/customers/{_number(customer_number)}/access", Access, json_body=body)

    async def close_access(self, access_id: int) -> None:
        """End the access. NotFound ``access_not_live`` when it had already ended."""
        await self._call("POST", f"staff/access/{int(access_id)}/close", None)

    # --- correspondence queue ------------------------------------------------------------------
    async def queue(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        assignee: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> QueuePage:
        """Every customer's threads, overdue first (``assignee``: a login, ``me`` or ``none``)."""
        params: dict[str, Any] = {"offset": offset, "limit": limit}
        for name, value in (("status", status), ("kind", kind), ("assignee", assignee)):
            if value:
                params[name] = value
        return await self._call("GET", "staff/queue", QueuePage, params=params)

    async def queue_thread(self, id: int) -> QueueThread:
        return await self._call("GET", f"staff/queue/{_seg(id)}", QueueThread)

    async def take(self, id: int) -> QueueThread:
        """Assign the thread to me. Conflict ``already_taken`` when someone else has it."""
        return await self._call("POST", f"staff/queue/{_seg(id)}/take", QueueThread)

    async def assign(self, id: int, login: str | None) -> QueueThread:
        """(Supervisor) assign the thread to ``login``, or to nobody."""
        return await self._call("POST", f"staff/queue/{_seg(id)}/assign", QueueThread, json_body={"login": login})

    async def queue_reply(self, id: int, body: str, status: str = "answered") -> Message:
        """The utility's reply (the resident sees it), setting the thread's status."""
        return await self._call(
            "POST", f"staff/queue/{_seg(id)}/replies", Message, json_body={"body": body, "status": status}
        )

    async def set_status(self, id: int, status: str) -> QueueThread:
        return await self._call("POST", f"staff/queue/{_seg(id)}/status", QueueThread, json_body={"status": status})

    # --- supervisor -----------------------------------------------------------------------------
    @staticmethod
    def _audit_filters(customer_number: str | None, staff_login: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if customer_number:
            params["customer_number"] = _number(customer_number)
        if staff_login:
            params["staff_login"] = staff_login.strip()
        return params

    async def audit(
        self, *, customer_number: str | None = None, staff_login: str | None = None, offset: int = 0, limit: int = 50
    ) -> AuditPage:
        """The audit log, newest first, filtered by customer and/or member of staff."""
        params = self._audit_filters(customer_number, staff_login) | {"offset": offset, "limit": limit}
        return await self._call("GET", "staff/audit", AuditPage, params=params)

    async def audit_export(
        self,
        *,
        customer_number: str | None = None,
        staff_login: str | None = None,
        max_bytes: int = AUDIT_EXPORT_MAX_BYTES,
    ) -> bytes:
        """The matching entries as CSV (UTF-8), oldest first; the export itself is its last row."""
        resp, data = await self._exchange(
            "GET",
            "staff/audit/export",
            params=self._audit_filters(customer_number, staff_login),
            deadline=self.pdf_deadline,
            max_bytes=max_bytes,
            too_large="response_too_large",
            content_type="text/csv",
        )
        if not resp.is_success:
            raise self._error_from_response(resp, data, login=False)
        return data

    async def accounts(self) -> list[StaffAccount]:
        return await self._call("GET", "staff/accounts", _ACCOUNTS)

    async def add_account(
        self, login: str, full_name: str, role: str, password: str, *, totp: bool = True
    ) -> StaffAccountCreated:
        """A new staff account; its TOTP secret comes back once. Conflict ``login_taken``,
        ValidationFailed ``weak_password``."""
        body = {"login": login, "full_name": full_name, "role": role, "password": password, "totp": totp}
        return await self._call("POST", "staff/accounts", StaffAccountCreated, json_body=body)

    async def disable_account(self, login: str) -> StaffAccount:
        """Disable the account: its sessions and open accesses end."""
        return await self._call("POST", f"staff/accounts/{_seg(login)}/disable", StaffAccount)

    async def notices(self) -> Notices:
        """Every notice not ended more than 30 days ago, newest start first (permission ``notices``)."""
        return await self._call("GET", "staff/notices", Notices)

    async def publish_notice(
        self,
        *,
        kind: str,
        city: str,
        streets: list[str],
        starts_at: _dt.datetime,
        ends_at: _dt.datetime,
        text_pl: str,
        text_en: str,
    ) -> Notice:
        """Publish a notice for ``city`` (``streets`` empty: the whole city); audited by the server.
        ValidationFailed with per-field problems (``ends_at`` not after ``starts_at``...)."""
        body = {
            "kind": kind,
            "city": city,
            "streets": streets,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "text_pl": text_pl,
            "text_en": text_en,
        }
        return await self._call("POST", "staff/notices", Notice, json_body=body)

    async def billing_run(self, period: str) -> BillingRun:
        """Issue the invoices of billing period ``YYYY-MM`` (once per customer and period)."""
        return await self._call("POST", "staff/billing/run", BillingRun, json_body={"period": period})


class ActingClient(EbokClient):
    """The resident's client for the customer of ``access``, on the staff member's session: every
    resident call goes to ``/staff/access/{access_id}/…`` with the staff token (public calls such as
    ``health`` stay where they are). Made from the staff client, on its connections."""

    def __init__(self, staff: StaffClient, access: Access) -> None:
        super().__init__(**self.shared_settings(staff))
        self.staff = staff
        self.access = access
        self._prefix = f"staff/access/{int(access.access_id)}/"
        self._token = staff.token
        c = access.customer
        self._customer_number = c.customer_number
        self._me = Me(
            customer_number=c.customer_number,
            full_name=c.full_name,
            email=c.email,
            address=c.address,
            efaktura_active=c.efaktura_active,
        )

    async def _exchange(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Any:
        return await super()._exchange(method, self._prefix + path if auth else path, auth=auth, **kwargs)

    def clear_session(self) -> None:
        """A 401: the staff session is gone (the app ends it); this client can do nothing more."""
        super().clear_session()
        self.staff.clear_session()

    # --- what only the customer may do ------------------------------------------------------------
    async def login(self, customer_number: str, password: str) -> Any:
        raise E.Forbidden(detail="acting for a customer: the customer logs in themselves")

    async def logout(self) -> None:
        """Acting ends with :meth:`StaffClient.close_access`; nothing to revoke here."""
        self._token = None

    async def change_password(self, current: str, new: str) -> None:
        raise E.Forbidden(detail="acting for a customer: only the customer changes the password")

    async def correct_reading(self, id: Any, value: Any) -> Any:
        # The staff API registers readings (POST readings) but has no correction route: a wrong
        # reading is corrected by registering the right one or by the back office.
        raise E.Forbidden(detail="acting for a customer: readings are registered, not corrected")

    # --- the customer, as the access described them -------------------------------------------------
    async def me(self) -> Me:
        """The customer (no request: the access holds them; e-FAKTURA kept current below)."""
        return self._me

    def _efaktura_seen(self, status: EFaktura) -> EFaktura:
        if status.active != self._me.efaktura_active:
            self._me = self._me.model_copy(update={"efaktura_active": status.active})
        return status

    async def efaktura(self) -> EFaktura:
        return self._efaktura_seen(await super().efaktura())

    async def efaktura_request(self, email: str, terms_version: str) -> EFaktura:
        raise E.Forbidden(detail="acting for a customer: consent is recorded with efaktura_record, no code")

    async def efaktura_confirm(self, code: str) -> EFaktura:
        raise E.Forbidden(detail="acting for a customer: consent is recorded with efaktura_record, no code")

    async def efaktura_record(self, email: str, terms_version: str, *, consent: Consent) -> EFaktura:
        """Record the customer's consent to e-FAKTURA at ``email`` (given on paper or in person,
        accepting the terms ``terms_version``): no code; the server mails the address a notice."""
        body = {"active": True, "email": email, "terms_version": terms_version, "consent": consent.model_dump()}
        return self._efaktura_seen(await self._call("PUT", "efaktura", EFaktura, json_body=body))

    async def efaktura_withdraw(self, *, consent: Consent | None = None) -> EFaktura:
        """Switch e-FAKTURA off with the customer's ``consent`` (ValidationFailed
        ``efaktura_not_active`` when it was off)."""
        if consent is None:
            raise ValueError("an e-FAKTURA change for a customer needs their consent")
        body = {"active": False, "consent": consent.model_dump()}
        return self._efaktura_seen(await self._call("PUT", "efaktura", EFaktura, json_body=body))

    async def reply_thread(
        self, id: Any, body: str, idempotency_key: str | None = None, *, status: str = "answered"
    ) -> Message:
        """The utility's reply in one of the customer's threads (author ``utility``), setting its
        status (``answered``, ``in_progress`` or ``closed``). ValidationFailed ``thread_closed``."""
        return await self._call(
            "POST", f"correspondence/{_seg(id)}/replies", Message, json_body={"body": body, "status": status}
        )

    async def contact_change(
        self,
        *,
        full_name: str | None = None,
        address: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        note: str | None = None,
        idempotency_key: str,
    ) -> ThreadDetail:
        """Record the customer's request to change their contact data (a ``contract_change`` thread
        of the customer; the back office makes the change). Only the given fields are sent."""
        wanted = {"full_name": full_name, "address": address, "email": email, "phone": phone, "note": note}
        return await self._call(
            "POST",
            "contact-change",
            ThreadDetail,
            json_body={k: v for k, v in wanted.items() if v},
            idempotency_key=_check_key(idempotency_key),
        )

    async def set_customer_type(self, customer_type: str, nip: str | None, reason: str) -> AccessCustomer:
        """Make the customer a natural person, a business or a housing community (with its
        ``nip``), saying why (the audit log keeps it); :attr:`access` then describes them so.
        ValidationFailed ``nip_required``, ``invalid_nip``, ``nip_not_allowed``; Conflict
        ``customer_changed`` when someone changed it meanwhile."""
        body = {"customer_type": customer_type, "nip": nip or None, "reason": reason}
        customer = await self._call("PUT", "customer-type", AccessCustomer, json_body=body)
        self.access = self.access.model_copy(update={"customer": customer})
        return customer


def _number(customer_number: str) -> str:
    text = str(customer_number).strip()
    if not (len(text) == 5 and text.isascii() and text.isdigit()):
        raise E.NotFound(detail="a customer number has 5 digits")
    return text


_ACCOUNTS = TypeAdapter(list[StaffAccount])
