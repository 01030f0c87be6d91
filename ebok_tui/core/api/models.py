"""Pydantic v2 models of every eBOK API v1 reply (see docs/API.md).

Conventions (mirroring the contract):

* money is ``int`` **grosze** (``12345`` == 123,45 zł) -- never float;
* dates are :class:`datetime.date`, timestamps timezone-aware :class:`datetime.datetime`;
* meter values and volumes are :class:`decimal.Decimal` (the server sends strings like ``"1.500"``).

Models ignore unknown fields (a newer server may add some) but the client validates replies in
**strict** mode, so a wrong type (``"123"`` for an amount, ``1.5`` for grosze, ``"true"`` for a bool)
is rejected and surfaces as :class:`ebok_tui.core.api.errors.ProtocolError`. Constructing models by hand
(e.g. in UI tests) uses pydantic's normal lax mode, so ``Balance(as_of="2026-11-15", ...)`` works.

Enumerated strings (invoice status, payment method, reading type, thread kind/status, message
author) are plain ``str`` so a server that adds a value does not break old clients; the known
values are listed in the ``*_VALUES`` constants below.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "ApiModel",
    "ObjectId",
    "Health",
    "DemoCustomer",
    "DemoInfo",
    "DemoStaff",
    "DemoMail",
    "DemoMailbox",
    "LoginResult",
    "Accepted",
    "Me",
    "Balance",
    "PointBalance",
    "ServicePoint",
    "SinceInvoice",
    "SinceReply",
    "MeterExpiry",
    "SinceLastVisit",
    "NotificationPreferences",
    "Page",
    "InvoiceSummary",
    "InvoicePage",
    "InvoiceLine",
    "InvoiceDetail",
    "InvoiceTransfer",
    "InvoiceKsef",
    "Payment",
    "PaymentPage",
    "Reading",
    "ReadingMeter",
    "BillingPeriod",
    "ReadingsInfo",
    "Meter",
    "Contract",
    "LineTariff",
    "TariffRate",
    "TariffGroup",
    "Tariff",
    "TARIFF_COMPONENTS",
    "EFaktura",
    "EFakturaPending",
    "EFakturaConsent",
    "EFakturaTerms",
    "Notice",
    "Notices",
    "Thread",
    "ThreadPage",
    "Message",
    "ThreadDetail",
    "DataAccessItem",
    "DataAccess",
    "WaterQualityParameter",
    "WaterQualitySupply",
    "WaterQuality",
    "YearMonth",
    "Yearly",
    "YearPoint",
    "Household",
    "EXPORT_KINDS",
    "DATA_ACCESS_PURPOSES",
    "INVOICE_STATUSES",
    "INVOICE_FILTERS",
    "THREAD_KINDS",
]

INVOICE_STATUSES = ("paid", "unpaid", "overdue", "partially_paid")
#: ``status`` filter values of ``GET /invoices``, in the order a resident wants them: ``to_pay`` is
#: everything still to pay (unpaid + partially_paid + overdue), then the single statuses.
INVOICE_FILTERS = ("to_pay", "overdue", "unpaid", "partially_paid", "paid")
THREAD_KINDS = ("failure_report", "water_quality", "contract_change", "other")

#: Object ids are opaque to the client: it only passes them back in URLs.
ObjectId = int | str


class ApiModel(BaseModel):
    """Base of all reply models: unknown fields ignored, instances immutable. A model's validator
    is built when the model is first used, not when this module is imported (start-up: the login
    screen needs one or two of them)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


# --- public -----------------------------------------------------------------------------------


class Health(ApiModel):
    status: str
    version: str
    today: _dt.date
    server_id: str | None = None
    """The server database's stable identity (drafts are kept per server by it); None from an old
    server that does not report one."""


class DemoDescribed(ApiModel):
    """A demo login's description for the demo panel, in both languages."""

    description_pl: str = ""
    description_en: str = ""

    def description(self, lang: str = "pl") -> str:
        return self.description_en if lang == "en" else self.description_pl


class DemoCustomer(DemoDescribed):
    customer_number: str
    password: str | None = None
    """None once the demo password was changed or reset (the server no longer shows it)."""


class TotpSecret(ApiModel):
    """A staff account's second factor where the server shows it (a new account, once; a demo
    account): the base32 secret and its ``otpauth://`` URI for an authenticator app, None when the
    account has no TOTP."""

    totp_secret: str | None = None
    totp_uri: str | None = None


class DemoStaff(DemoDescribed, TotpSecret):
    """A demo staff account (``GET /demo-info``): login, password, role and, when the account has a
    second factor, its TOTP secret (demo only)."""

    login: str
    password: str
    role: str


class DemoInfo(ApiModel):
    customers: list[DemoCustomer]
    staff: list[DemoStaff] = []


class DemoMail(ApiModel):
    """A mail the demo server "sent" (``GET /demo/mail``)."""

    id: str
    sender: str = Field(alias="from")
    to: str
    subject: str
    date: _dt.datetime | None = None
    body: str


class DemoMailbox(ApiModel):
    items: list[DemoMail]


# --- auth -------------------------------------------------------------------------------------


class LoginResult(ApiModel):
    token: str = Field(repr=False)
    expires_at: _dt.datetime
    idle_timeout_seconds: int
    customer_number: str


class Accepted(ApiModel):
    """Reply of register / password reset: always ``{"status": "accepted"}``."""

    status: str


# --- account ----------------------------------------------------------------------------------


class PointBalance(ApiModel):
    """One service point's part of the balance (its invoices not fully paid)."""

    code: str
    label: str
    to_pay: int
    overdue: int


class ServicePoint(ApiModel):
    """A point of supply (punkt poboru): its own address, contract, meters and invoices."""

    code: str
    label: str
    address: str
    contract_number: str | None = None


#: ``GET /service-points`` answers a bare list (the client's ``_call`` takes an adapter by name).
SERVICE_POINTS = TypeAdapter(list[ServicePoint])


class PaymentRecipient(ApiModel):
    """The payee and title of a transfer, shared by ``Balance`` (paying everything) and
    ``InvoiceTransfer`` (paying one invoice)."""

    bank_account: str
    recipient_name: str
    recipient_address: str
    recipient_nip: str
    transfer_title: str


class UnreadThreads(ApiModel):
    """The navigation bar's unread count, sent with both ``/me`` and ``/balance``."""

    unread_threads: int = 0
    """Threads with a utility reply the resident has not opened yet (0: also a server without it)."""


class Me(UnreadThreads):
    customer_number: str
    full_name: str
    email: str | None = None
    address: str
    efaktura_active: bool
    service_points: list[ServicePoint] = []
    """The customer's service points (empty from an older server, or staff acting for them)."""
    notifications: NotificationPreferences | None = None
    """Which events also come by e-mail (the account screen shows them; None: an older server)."""


class Balance(PaymentRecipient, UnreadThreads):
    balance: int
    """``overpayment - to_pay`` in grosze; negative means money owed."""
    to_pay: int
    overdue: int
    overpayment: int
    next_due_date: _dt.date | None = None
    next_due_amount: int | None = None
    overdue_since: _dt.date | None = None
    """Earliest due date among the overdue invoices (``None`` when nothing is overdue)."""
    as_of: _dt.date
    notices_in_force: Notices | None = None
    """Failures and interruptions in force at the resident's supply addresses (None: a server
    without notices)."""
    points: list[PointBalance] = []
    """Per service point (code order), adding up to ``to_pay`` and ``overdue``."""
    since_last_visit: SinceLastVisit | None = None
    """News since the previous login and what needs doing now (None: a server without it)."""


class SinceInvoice(ApiModel):
    id: ObjectId
    number: str
    issue_date: _dt.date
    gross: int


class SinceReply(ApiModel):
    thread_id: ObjectId
    subject: str
    created_at: _dt.datetime


class MeterExpiry(ApiModel):
    number: str
    legalisation_valid_until: _dt.date


class SinceLastVisit(ApiModel):
    since: _dt.datetime | None = None
    """The previous login (None at the first: no news then)."""
    new_invoices: list[SinceInvoice] = []
    new_replies: list[SinceReply] = []
    new_notices: int = 0
    reading_window_until: _dt.date | None = None
    """The current billing period's last day while a self-reading is still missing."""
    legalisation_expiring: list[MeterExpiry] = []

    @property
    def is_empty(self) -> bool:
        return not (
            self.new_invoices
            or self.new_replies
            or self.new_notices
            or self.reading_window_until
            or self.legalisation_expiring
        )


class NotificationPreferences(ApiModel):
    """Which events also come by e-mail: ``reply`` a utility reply, ``invoice`` a new invoice,
    ``notice`` a failure or planned interruption at the resident's address, ``reading_window`` a
    meter still to be read this period, ``legalisation`` a meter's legalisation ending within 90
    days. The last three default to the server's defaults when an older server does not know them."""

    reply: bool
    invoice: bool
    notice: bool = True
    reading_window: bool = False
    legalisation: bool = True


# --- pages ------------------------------------------------------------------------------------

T = TypeVar("T")


class Page(ApiModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int

    @property
    def end(self) -> int:
        """The position after this page's last item (the "last" of "items first-last of total")."""
        return self.offset + len(self.items)

    def can_move(self, step: int) -> bool:
        """Whether there is a page before (``step`` < 0) or after (``step`` > 0) this one."""
        return self.offset > 0 if step < 0 else self.end < self.total


# --- invoices and payments --------------------------------------------------------------------


class InvoiceSummary(ApiModel):
    id: ObjectId
    number: str
    issue_date: _dt.date
    due_date: _dt.date
    period_from: _dt.date
    period_to: _dt.date
    gross: int
    paid: int
    status: str

    @property
    def outstanding(self) -> int:
        return max(self.gross - self.paid, 0)


class InvoicePage(Page[InvoiceSummary]):
    years: list[int] = []


class LineTariff(ApiModel):
    """The tariff row that priced an invoice line."""

    tariff_group: str
    component: str  # one of TARIFF_COMPONENTS (an unknown one is shown as sent)
    valid_from: _dt.date
    valid_to: _dt.date | None = None


class InvoiceLine(ApiModel):
    """A line and its calculation: quantity x unit_price_net = net; VAT vat_rate% of net = vat;
    gross = net + vat."""

    description: str
    quantity: Decimal
    unit: str
    unit_price_net: int
    net: int
    vat_rate: int
    vat: int
    gross: int
    tariff: LineTariff | None = None
    """``None``: priced outside the tariffs, or a server older than the tariffs."""


class Payment(ApiModel):
    id: ObjectId
    date: _dt.date
    amount: int
    method: str
    reference: str | None = None
    invoice_number: str | None = None


PaymentPage = Page[Payment]


class InvoiceTransfer(PaymentRecipient):
    """The transfer paying what is still open on one invoice (its 2D payment code's data)."""

    amount: int
    """Grosze still to pay on this invoice; 0 when nothing is left to pay."""


class InvoiceKsef(ApiModel):
    """An invoice issued through KSeF (to a business or a housing community)."""

    status: str
    """``accepted`` (it has its KSeF number), ``pending`` or ``offline`` (not accepted yet)."""
    number: str | None = None
    url: str
    """KSeF's verification link, shown as a QR code."""

    @property
    def accepted(self) -> bool:
        return self.status == "accepted" and self.number is not None


class InvoiceDetail(InvoiceSummary):
    lines: list[InvoiceLine]
    net_total: int
    vat_total: int
    gross_total: int
    efaktura: bool
    payments: list[Payment] = []
    transfer: InvoiceTransfer | None = None
    """``None`` from a server older than the pay-one-invoice transfer."""
    ksef: InvoiceKsef | None = None
    """``None`` for an invoice outside KSeF (to a person), and from a server without KSeF."""


# --- readings ---------------------------------------------------------------------------------


class Reading(ApiModel):
    id: ObjectId
    date: _dt.date
    meter_number: str
    value: Decimal
    type: str
    consumption: Decimal | None = None


class ReadingMeter(ApiModel):
    """A meter as seen by the readings screen (last reading, plausibility limit)."""

    number: str
    last_value: Decimal | None = None
    last_date: _dt.date | None = None
    max_daily_m3: Decimal
    self_reading_submitted: bool | None = None
    """Whether this meter already has a self-reading in the current billing period."""
    self_reading_id: ObjectId | None = None
    """That self-reading's id (it can be corrected until the period is billed), else None."""


class BillingPeriod(ApiModel):
    start: _dt.date
    end: _dt.date
    self_reading_submitted: bool


class ReadingsInfo(ApiModel):
    items: list[Reading]
    meters: list[ReadingMeter]
    period: BillingPeriod


# --- contract ---------------------------------------------------------------------------------


class Meter(ApiModel):
    """A meter as listed on the contract."""

    number: str
    location: str | None = None
    installed_on: _dt.date | None = None
    legalisation_valid_until: _dt.date | None = None
    diameter_mm: int | None = None


class Contract(ApiModel):
    number: str
    concluded_on: _dt.date
    services: list[str]
    tariff_group: str
    connection_address: str
    meters: list[Meter]


# --- tariff -----------------------------------------------------------------------------------

#: the tariff's components, in the order the server lists them
TARIFF_COMPONENTS = ("water", "sewage", "fee_efaktura", "fee_paper")


class TariffRate(ApiModel):
    component: str
    unit: str
    unit_price_net: int
    vat_rate: int
    unit_price_gross: int
    valid_from: _dt.date
    valid_to: _dt.date | None = None


class TariffGroup(ApiModel):
    tariff_group: str
    points: list[str]
    rates: list[TariffRate]
    upcoming: list[TariffRate] = []


class Tariff(ApiModel):
    as_of: _dt.date
    efaktura_active: bool
    groups: list[TariffGroup]


# --- e-FAKTURA --------------------------------------------------------------------------------


class EFakturaPending(ApiModel):
    """A request waiting for the code mailed to ``email``."""

    email: str
    expires_at: _dt.datetime
    attempts_left: int


class EFakturaConsent(ApiModel):
    """One entry of the consent history: ``event`` given / address_changed / withdrawn, ``channel``
    app (the resident confirmed a code) / staff (recorded at the office) / before_history."""

    event: Literal["given", "address_changed", "withdrawn"]
    email: str
    terms_version: str | None = None
    channel: Literal["app", "staff", "before_history"]
    at: _dt.datetime


class EFaktura(ApiModel):
    active: bool
    email: str | None = None
    activated_at: _dt.datetime | None = None
    fee_with_gross: int
    fee_without_gross: int
    current_fee_gross: int
    terms_version: str
    pending: EFakturaPending | None = None
    history: list[EFakturaConsent] = []


class EFakturaTerms(ApiModel):
    """The e-FAKTURA terms in force: ``text`` by language (``pl``, ``en``)."""

    version: str
    text: dict[str, str]


# --- notices --------------------------------------------------------------------------------


class Notice(ApiModel):
    """A failure or planned interruption of supply at one of the resident's supply addresses."""

    id: ObjectId
    kind: Literal["failure", "planned"]
    city: str
    streets: list[str] = []
    starts_at: _dt.datetime
    ends_at: _dt.datetime
    """The expected end."""
    active: bool
    text_pl: str
    text_en: str

    def text(self, lang: str) -> str:
        return self.text_pl if lang == "pl" else self.text_en


class Notices(ApiModel):
    emergency_phone: str
    items: list[Notice]

    @property
    def active(self) -> list[Notice]:
        return [n for n in self.items if n.active]


# --- correspondence ---------------------------------------------------------------------------


class Thread(ApiModel):
    id: ObjectId
    kind: str
    subject: str
    status: str
    created_at: _dt.datetime
    updated_at: _dt.datetime
    message_count: int
    unread: bool = False
    """A utility reply newer than the resident's last opening of the thread."""


class ThreadPage(Page[Thread]):
    unread: int = 0
    """The customer's unread threads (all pages)."""


class Message(ApiModel):
    id: ObjectId
    author: str
    body: str
    created_at: _dt.datetime


class ThreadDetail(Thread):
    contact_phone: str | None = None
    location: str | None = None
    messages: list[Message]


# --- who viewed my data -----------------------------------------------------------------------

#: why staff looked at the customer's data (the reason given when they opened it, or work on the
#: customer's correspondence from the staff queue)
DATA_ACCESS_PURPOSES = (
    "phone_call",
    "counter_visit",
    "written_request",
    "complaint_handling",
    "other",
    "correspondence",
)


class DataAccessItem(ApiModel):
    """One staff access to the customer's data: when, why, what was looked at, whether anything was
    changed. Never who."""

    date: _dt.date
    opened_at: _dt.datetime
    purpose: str
    purpose_text: str | None = None
    resources: list[str]
    changed: bool


class DataAccess(ApiModel):
    items: list[DataAccessItem]


# --- water quality and the yearly statement ----------------------------------------------------

#: what ``EbokClient.export_csv`` can export
EXPORT_KINDS = ("invoices", "payments", "readings")


class WaterQualityParameter(ApiModel):
    parameter: str  # e_coli | enterococci | nitrates | ph | hardness (unknown ones shown as sent)
    value: Decimal
    unit: str
    limit_min: Decimal | None = None
    limit_max: Decimal
    ok: bool


class WaterQualitySupply(ApiModel):
    address: str
    zone_code: str | None = None
    zone_name: str | None = None
    sampled_on: _dt.date | None = None
    meets_standards: bool | None = None
    parameters: list[WaterQualityParameter]


class WaterQuality(ApiModel):
    supplies: list[WaterQualitySupply]


class YearMonth(ApiModel):
    month: int
    invoiced: int
    paid: int
    consumption: Decimal  # m³


class YearPoint(ApiModel):
    """One service point's part of a year (they add up to the year's totals)."""

    code: str
    label: str
    invoiced: int
    consumption: Decimal  # m³


class Yearly(ApiModel):
    year: int
    years: list[int]
    complete: bool
    months: list[YearMonth]
    invoiced: int
    paid: int
    consumption: Decimal
    household_size: int
    household_size_is_default: bool
    average_household_consumption: Decimal | None = None
    tap_price_per_m3: int | None = None
    bottled_price_per_litre: int
    points: list[YearPoint] = []


class Household(ApiModel):
    household_size: int
    household_size_is_default: bool
