"""Request/response models: these define the OpenAPI contract."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Generic, Literal, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, StringConstraints, field_validator

T = TypeVar("T")

CustomerNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
MeterValue = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}(\.[0-9]{1,3})?$")]  # fits int32 litres
MAX_DB_ID = 2_147_483_647  # ids outside 1..MAX_DB_ID cannot exist -> 404 (never a DB overflow)


def _canonical_id(value):
    """Path ids are canonical decimals only: "1.0", "+1", "01", "1_0", " 1" are not invoice 1."""
    if isinstance(value, str) and not re.fullmatch(r"[1-9][0-9]{0,18}", value):
        raise ValueError("not a canonical id")
    return value


# A path id; anything else (non-canonical or out of range) answers 404 like a missing row.
RowId = Annotated[int, Path(ge=1, le=MAX_DB_ID), BeforeValidator(_canonical_id)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=200)]
InvoiceStatus = Literal["paid", "unpaid", "overdue", "partially_paid"]
#: ``?status=`` of the invoice list: one status, or ``to_pay`` (unpaid + partially_paid + overdue).
InvoiceStatusFilter = Literal["to_pay", "paid", "unpaid", "overdue", "partially_paid"]
ThreadKind = Literal["failure_report", "water_quality", "contract_change", "other"]
ThreadStatus = Literal["sent", "in_progress", "answered", "closed"]


# Text no database stores: NUL (PostgreSQL refuses it in text) and unpaired UTF-16 surrogates
# (JSON "\ud800" decodes to one; it cannot be encoded as UTF-8 for either database or for hashing).
UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "must not contain NUL or unpaired surrogate characters"


class Strict(BaseModel):
    """Base of every request body: unknown keys are ignored; no string field may hold text a
    database cannot store (422 ``validation_error`` naming the field, on SQLite and PostgreSQL alike)."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _storable_text(cls, value):
        if isinstance(value, str) and UNSTORABLE_TEXT.search(value):
            raise ValueError(UNSTORABLE_MESSAGE)
        return value


PHONE_SEPARATORS = re.compile(r"[ -]")
PL_PHONE = re.compile(r"(?:\+48)?([0-9]{9})")


def polish_phone(v: str | None) -> str | None:
    """A Polish phone number: 9 digits, optionally after +48, spaces and dashes allowed; stored as
    ``+48 NNN NNN NNN``. Blank means none given."""
    if v is None or not v.strip():
        return None
    m = PL_PHONE.fullmatch(PHONE_SEPARATORS.sub("", v.strip()))
    if m is None:
        raise ValueError("must be a Polish phone number: 9 digits, optionally after +48 (spaces and dashes allowed)")
    d = m.group(1)
    return f"+48 {d[0:3]} {d[3:6]} {d[6:9]}"


def _not_blank(v: str) -> str:
    if not v.strip():
        raise ValueError("must not be blank")
    return v


# ---- errors -------------------------------------------------------------------------------------
class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. `invalid_credentials` (see docs/API.md).")
    message: str = Field(description="English text for logs; clients translate `code`.")
    fields: dict[str, str] | None = Field(None, description="Per-field messages (validation errors only).")


class ErrorOut(BaseModel):
    """The one error body of every 4xx/5xx reply."""

    error: ErrorDetail


# ---- public -------------------------------------------------------------------------------------
class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    today: dt.date
    server_id: str = Field(
        description="Identity of this server's database: stable across restarts and "
        'address changes; "demo" for every demo database'
    )


class DemoCustomer(BaseModel):
    customer_number: str
    password: str | None = Field(description="the demo password, null once it was changed or reset")
    description_pl: str
    description_en: str


class DemoStaff(BaseModel):
    login: str
    password: str
    role: Literal["helpdesk", "clerk", "supervisor"]
    totp_secret: str | None  # base32; add it to an authenticator app (demo only)
    totp_uri: str | None
    description_pl: str
    description_en: str


class DemoInfo(BaseModel):
    customers: list[DemoCustomer]
    staff: list[DemoStaff] = []


class DemoMail(BaseModel):
    id: str
    sender: str = Field(serialization_alias="from", validation_alias="from")
    to: str
    subject: str
    date: str | None
    body: str


class DemoMailbox(BaseModel):
    items: list[DemoMail]


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"


# ---- auth ---------------------------------------------------------------------------------------
Password = Annotated[str, Field(min_length=1, max_length=256)]
NewPassword = Annotated[str, Field(min_length=1, max_length=256)]
OneTimeCodeText = Annotated[str, Field(min_length=1, max_length=100)]


class LoginRequest(Strict):
    customer_number: CustomerNumber
    password: Password


class LoginResponse(BaseModel):
    token: str
    expires_at: str
    idle_timeout_seconds: int
    customer_number: str


class PasswordChangeRequest(Strict):
    current_password: Password
    new_password: NewPassword


class RegisterRequest(Strict):
    """Proof of being the customer: contract number, a meter number on that contract and the gross
    amount (grosze) of one of the customer's last three invoices."""

    contract_number: Annotated[str, Field(min_length=1, max_length=40)]
    meter_number: Annotated[str, Field(min_length=1, max_length=40)]
    invoice_gross: Annotated[int, Field(ge=1, le=100_000_000)]


class CodeConfirmRequest(Strict):
    """Set the password with a one-time code (registration access code or reset code)."""

    customer_number: CustomerNumber
    code: OneTimeCodeText
    new_password: NewPassword


class PasswordResetRequest(Strict):
    customer_number: CustomerNumber
    email: EmailStr


# ---- account ------------------------------------------------------------------------------------
class SinceInvoice(BaseModel):
    id: int
    number: str
    issue_date: dt.date
    gross: int


class SinceReply(BaseModel):
    thread_id: int
    subject: str
    created_at: str


class MeterExpiry(BaseModel):
    number: str
    legalisation_valid_until: dt.date


class SinceLastVisit(BaseModel):
    """What changed since the resident's previous login, and what needs doing now."""

    since: str | None = Field(description="the previous login; null at the first login (no news then)")
    new_invoices: list[SinceInvoice] = Field(description="issued on or after the previous login's day")
    new_replies: list[SinceReply] = Field(description="utility replies after the previous login, newest first")
    new_notices: int = Field(description="notices in force (notices_in_force) that started after the previous login")
    reading_window_until: dt.date | None = Field(
        description="the current billing period's last day while a meter has no self-reading for it; else null"
    )
    legalisation_expiring: list[MeterExpiry] = Field(description="meters whose legalisation ends within 90 days")


class PointBalance(BaseModel):
    """One service point's part of the balance: its invoices not fully paid (the overpayment is the
    customer's, not a point's)."""

    code: str
    label: str
    to_pay: int
    overdue: int


#: ``?service_point=PP-10005-02``: a service point's code
ServicePointCode = Annotated[str, Query(min_length=1, max_length=20)]


class ServicePointOut(BaseModel):
    code: str
    label: str
    address: str
    contract_number: str | None


class Me(BaseModel):
    customer_number: str
    full_name: str
    email: str | None
    address: str
    efaktura_active: bool
    service_points: list[ServicePointOut] = []
    unread_threads: int = Field(description="threads with a utility reply the resident has not opened yet")
    notifications: NotificationPreferences = Field(description="as GET /notification-preferences")


class BalanceOut(BaseModel):
    balance: int
    to_pay: int
    overdue: int
    overpayment: int
    next_due_date: dt.date | None
    next_due_amount: int | None
    overdue_since: dt.date | None
    bank_account: str
    recipient_name: str
    recipient_address: str
    recipient_nip: str
    transfer_title: str
    as_of: dt.date
    # per service point, code order; the points' to_pay and overdue add up to the totals above
    points: list[PointBalance] = []
    notices_in_force: NoticeList = Field(
        description="failures and interruptions in force now at the customer's supply addresses (GET /notices lists every one not yet ended)"
    )
    unread_threads: int = Field(description="threads with a utility reply the resident has not opened yet")
    since_last_visit: SinceLastVisit


# ---- invoices -----------------------------------------------------------------------------------
class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class InvoiceItem(BaseModel):
    id: int
    number: str
    issue_date: dt.date
    due_date: dt.date
    period_from: dt.date
    period_to: dt.date
    gross: int
    paid: int
    status: InvoiceStatus


class InvoicePage(Page[InvoiceItem]):
    years: list[int]


TariffComponent = Literal["water", "sewage", "fee_efaktura", "fee_paper"]


class LineTariff(BaseModel):
    """The tariff row an invoice line was priced by (its group, component and validity period)."""

    tariff_group: str
    component: TariffComponent
    valid_from: dt.date
    valid_to: dt.date | None


class InvoiceLineOut(BaseModel):
    """An invoice line and its calculation: ``quantity`` x ``unit_price_net`` = ``net`` (rounded to
    grosze), ``vat`` = ``vat_rate``% of ``net``, ``gross`` = ``net`` + ``vat``."""

    description: str
    quantity: str
    unit: Literal["m3", "szt"]
    unit_price_net: int
    net: int
    vat_rate: int
    vat: int
    gross: int
    # NULL: priced outside the tariffs table (bulk benchmark data, lines older than revision 0009
    # at another price)
    tariff: LineTariff | None = None


class PaymentItem(BaseModel):
    id: int
    date: dt.date
    amount: int
    method: Literal["transfer", "cash", "card"]
    reference: str
    invoice_number: str | None


class InvoiceTransfer(BaseModel):
    """The transfer that pays what is still open on one invoice (the 2D payment code's data)."""

    amount: int = Field(description="Grosze still to pay on this invoice; 0 when nothing is left to pay.")
    bank_account: str
    recipient_name: str
    recipient_address: str
    recipient_nip: str
    transfer_title: str = Field(description="The invoice number.")


class InvoiceKsef(BaseModel):
    """An invoice issued through KSeF (to a business or a housing community)."""

    status: Literal["pending", "offline", "accepted"] = Field(
        description="accepted: KSeF gave it its number; pending/offline: not accepted yet (the invoice "
        "shows OFFLINE under its verification code)."
    )
    number: str | None = Field(description="The KSeF number NIP-YYYYMMDD-XXXXXXXXXXXX-CC once accepted, else null.")
    url: str = Field(
        description="KSeF's verification link (the QR code): https://qr.ksef.mf.gov.pl/invoice/{seller NIP}/"
        "{issue date DD-MM-YYYY}/{SHA-256 of the invoice file, base64url}."
    )


class InvoiceDetail(InvoiceItem):
    lines: list[InvoiceLineOut]
    net_total: int
    vat_total: int
    gross_total: int
    efaktura: bool
    payments: list[PaymentItem]
    transfer: InvoiceTransfer
    ksef: InvoiceKsef | None = Field(description="The invoice's KSeF data; null for an invoice outside KSeF.")


# ---- readings -----------------------------------------------------------------------------------
class ReadingItem(BaseModel):
    id: int
    date: dt.date
    meter_number: str
    value: str
    type: Literal["collector", "self", "estimated"]
    consumption: str | None


class MeterState(BaseModel):
    number: str
    last_value: str | None
    last_date: dt.date | None
    max_daily_m3: str
    self_reading_submitted: bool
    self_reading_id: int | None = Field(
        description="id of this meter's self-reading in the current period "
        "(to correct it with PUT /readings/{id}), else null"
    )


class ReadingPeriod(BaseModel):
    start: dt.date
    end: dt.date
    self_reading_submitted: bool


class ReadingsOut(BaseModel):
    items: list[ReadingItem]
    meters: list[MeterState]
    period: ReadingPeriod


class ReadingCreate(Strict):
    meter_number: Annotated[str, Field(min_length=1, max_length=40)]
    value: MeterValue


class ReadingCorrection(Strict):
    value: MeterValue


# ---- contract -----------------------------------------------------------------------------------
class MeterOut(BaseModel):
    number: str
    location: str
    installed_on: dt.date
    legalisation_valid_until: dt.date
    diameter_mm: int


class ContractOut(BaseModel):
    number: str
    concluded_on: dt.date
    services: list[Literal["water", "sewage"]]
    tariff_group: str
    connection_address: str
    meters: list[MeterOut]


# ---- tariff ------------------------------------------------------------------------------------
class TariffRateOut(BaseModel):
    """One component's price: net per unit (grosze), VAT rate (%), the gross per unit it makes
    (rounded to grosze; an invoice takes the VAT of a line's whole net) and the validity period."""

    component: TariffComponent
    unit: Literal["m3", "szt"]
    unit_price_net: int
    vat_rate: int
    unit_price_gross: int
    valid_from: dt.date
    valid_to: dt.date | None


class TariffGroupOut(BaseModel):
    tariff_group: str
    points: list[str]  # the customer's service point codes in this group
    rates: list[TariffRateOut]  # in force on ``as_of``
    upcoming: list[TariffRateOut]  # already decided, from a later day (valid_from order)


class TariffOut(BaseModel):
    as_of: dt.date
    efaktura_active: bool  # which of the two fees applies
    groups: list[TariffGroupOut]


# ---- e-FAKTURA ----------------------------------------------------------------------------------
class EfakturaTerms(BaseModel):
    version: str
    text: dict[Literal["pl", "en"], str]


class EfakturaPendingOut(BaseModel):
    email: str
    expires_at: str
    attempts_left: int


class EfakturaConsentOut(BaseModel):
    event: Literal["given", "withdrawn", "address_changed"]
    email: str
    terms_version: str | None
    channel: Literal["app", "staff", "before_history"]
    at: str


class EfakturaStatus(BaseModel):
    active: bool
    email: str | None
    activated_at: str | None
    fee_with_gross: int
    fee_without_gross: int
    current_fee_gross: int
    terms_version: str
    pending: EfakturaPendingOut | None
    history: list[EfakturaConsentOut]


class EfakturaRequest(Strict):
    email: EmailStr
    terms_version: Annotated[str, Field(max_length=20)]


class EfakturaConfirm(Strict):
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$")]


# ---- correspondence -----------------------------------------------------------------------------
class ThreadItem(BaseModel):
    id: int
    kind: ThreadKind
    subject: str
    status: ThreadStatus
    created_at: str
    updated_at: str
    message_count: int
    unread: bool = Field(description="a utility reply newer than the resident's last opening of the thread")


class ThreadPage(Page[ThreadItem]):
    unread: int = Field(description="the customer's threads (all pages) with an unread utility reply")


class MessageOut(BaseModel):
    id: int
    author: Literal["customer", "utility"]
    body: str
    created_at: str


class ThreadDetail(ThreadItem):
    contact_phone: str | None
    location: str | None
    messages: list[MessageOut]


#: A message body (docs/API.md: 1..10000 characters; the client's MESSAGE_BODY_MAX is the same number).
MessageBody = Annotated[str, Field(min_length=1, max_length=10_000)]


class ThreadCreate(Strict):
    kind: ThreadKind
    subject: Annotated[str, Field(min_length=1, max_length=200)]
    body: MessageBody
    contact_phone: Annotated[str | None, Field(max_length=40)] = None
    location: Annotated[str | None, Field(max_length=300)] = None

    _nb_subject = field_validator("subject")(_not_blank)
    _nb_body = field_validator("body")(_not_blank)
    _phone = field_validator("contact_phone")(polish_phone)


class MessageCreate(Strict):
    body: MessageBody

    _nb_body = field_validator("body")(_not_blank)


# ---- notices ------------------------------------------------------------------------------------
class NoticeOut(BaseModel):
    id: int
    kind: Literal["failure", "planned"]
    city: str
    streets: list[str] = Field(description="street names concerned; empty: the whole city")
    starts_at: str
    ends_at: str = Field(description="the expected end")
    active: bool = Field(description="in force now (started, not yet ended)")
    text_pl: str
    text_en: str


class NoticeList(BaseModel):
    emergency_phone: str = Field(description="the utility's emergency number (994)")
    items: list[NoticeOut]


class NoticeCreate(Strict):
    kind: Literal["failure", "planned"]
    city: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    streets: Annotated[list[Annotated[str, StringConstraints(max_length=100)]], Field(max_length=50)] = []
    starts_at: dt.datetime
    ends_at: dt.datetime
    text_pl: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    text_en: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


# ---- water quality and the yearly statement (ebok_server/water.py) -------------------------------
WaterParameter = Literal["e_coli", "enterococci", "nitrates", "ph", "hardness"]


class WaterQualityParameter(BaseModel):
    parameter: WaterParameter
    value: str  # decimal, dot, three places: "7.400"
    unit: str
    limit_min: str | None  # None: no lower limit
    limit_max: str
    ok: bool


class WaterQualitySupply(BaseModel):
    address: str  # the supply address
    zone_code: str | None  # None: no supply zone known for this address
    zone_name: str | None
    sampled_on: dt.date | None
    meets_standards: bool | None  # None: no result to judge
    parameters: list[WaterQualityParameter]


class WaterQualityOut(BaseModel):
    supplies: list[WaterQualitySupply]


class YearMonth(BaseModel):
    month: int
    invoiced: int
    paid: int
    consumption: str  # m³, three decimals


class YearPoint(BaseModel):
    """One service point's part of the year (code order; they add up to the year's totals)."""

    code: str
    label: str
    invoiced: int
    consumption: str


class YearlyOut(BaseModel):
    year: int
    years: list[int]  # years with data, newest first
    complete: bool  # the year is over: the household comparison is given
    months: list[YearMonth]
    invoiced: int
    paid: int
    consumption: str
    household_size: int
    household_size_is_default: bool
    average_household_consumption: str | None
    tap_price_per_m3: int | None  # grosze gross, water + sewage
    bottled_price_per_litre: int  # grosze gross (reference price)
    points: list[YearPoint] = []  # per service point: invoiced and consumption


class HouseholdRequest(Strict):
    household_size: int | None = Field(ge=1, le=20)  # None: back to the default


class HouseholdOut(BaseModel):
    household_size: int
    household_size_is_default: bool


class NotificationPreferences(Strict):
    """Which events also come by e-mail (to the address on file); see docs/API.md "Notifications"."""

    reply: bool = Field(strict=True, description="the utility replied in one of your threads (default: on)")
    invoice: bool = Field(strict=True, description="a new invoice was issued (default: off)")
    notice: bool = Field(
        strict=True, description="a failure or planned interruption of supply at your address (default: on)"
    )
    reading_window: bool = Field(
        strict=True, description="a meter still needs its self-reading this billing period (default: off)"
    )
    legalisation: bool = Field(strict=True, description="a meter's legalisation ends within 90 days (default: on)")
