"""Request/response models of the staff API and of the resident's "who viewed my data"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints, model_validator

from .schemas import MessageBody, Page, Strict

StaffLogin = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")]
StaffRole = Literal["helpdesk", "clerk", "supervisor"]
AccessReason = Literal["phone_call", "counter_visit", "written_request", "complaint_handling", "other"]
ConsentForm = Literal["written", "phone", "counter", "electronic"]
CustomerType = Literal["person", "business", "community"]  # ksef.CUSTOMER_TYPES


class StaffLoginRequest(Strict):
    login: StaffLogin
    password: Annotated[str, Field(min_length=1, max_length=200)]
    totp_code: Annotated[str | None, Field(max_length=10)] = None


class StaffMe(BaseModel):
    login: str
    full_name: str
    role: StaffRole
    permissions: list[str]
    totp_enabled: bool


class StaffLoginResponse(StaffMe):
    token: str
    expires_at: str
    idle_timeout_seconds: int


class CustomerHit(BaseModel):
    customer_number: str
    full_name: str
    address: str
    email: str | None
    phone: str | None
    match: Literal["exact", "prefix", "fragment"]


class CustomerSearchPage(Page[CustomerHit]):
    truncated: bool


class Verification(Strict):
    """The phone checklist: what the caller confirmed correctly."""

    customer_number: bool
    address: bool = False
    last_invoice_amount: bool = False

    @property
    def passed(self) -> bool:
        return self.customer_number and (self.address or self.last_invoice_amount)


class AccessOpen(Strict):
    reason: AccessReason
    reason_text: Annotated[str | None, Field(max_length=500)] = None
    verification: Verification | None = None

    @model_validator(mode="after")
    def _needs(self):
        if self.reason == "other" and not (self.reason_text or "").strip():
            raise ValueError("reason 'other' needs reason_text")
        if self.reason == "phone_call" and self.verification is None:
            raise ValueError("a phone call needs the verification checklist")
        return self


class AccessCustomer(BaseModel):
    customer_number: str
    full_name: str
    address: str
    email: str | None
    phone: str | None
    efaktura_active: bool
    customer_type: CustomerType
    nip: str | None


class AccessOut(BaseModel):
    access_id: int
    reason: AccessReason
    reason_text: str | None
    opened_at: str
    customer: AccessCustomer
    permissions: list[str]


class Consent(Strict):
    form: ConsentForm
    note: Annotated[str | None, Field(max_length=500)] = None


class StaffEfaktura(Strict):
    active: bool
    email: EmailStr | None = None
    # The terms version the resident accepted (on the signed form); needed when switching on.
    terms_version: Annotated[str | None, Field(max_length=20)] = None
    consent: Consent

    @model_validator(mode="after")
    def _email(self):
        if self.active and (self.email is None or self.terms_version is None):
            raise ValueError("switching e-FAKTURA on needs the e-mail address and the accepted terms version")
        return self


class StaffReply(Strict):
    body: MessageBody
    status: Literal["in_progress", "answered", "closed"] = "answered"


class ContactChange(Strict):
    full_name: Annotated[str | None, Field(max_length=200)] = None
    address: Annotated[str | None, Field(max_length=300)] = None
    email: EmailStr | None = None
    phone: Annotated[str | None, Field(max_length=40)] = None
    note: Annotated[str | None, Field(max_length=2000)] = None

    @model_validator(mode="after")
    def _something(self):
        if not any((self.full_name, self.address, self.email, self.phone)):
            raise ValueError("name at least one of full_name, address, email, phone")
        return self


class CustomerTypeChange(Strict):
    """A natural person, a business or a housing community, and the NIP of the last two (checked by
    ``ksef.customer_nip``), with why it changes (recorded in the audit log)."""

    customer_type: CustomerType
    nip: Annotated[str | None, Field(max_length=20)] = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class AuditItem(BaseModel):
    id: int
    at: str
    staff_login: str | None
    customer_number: str | None
    access_id: int | None
    resource: str
    action: Literal["view", "change"]
    before: dict | list | None
    after: dict | list | None
    reason: str | None
    reason_text: str | None
    source: str | None
    hash: str


class StaffAccountOut(BaseModel):
    login: str
    full_name: str
    role: StaffRole
    totp_enabled: bool
    disabled: bool
    created_at: str


class StaffAccountCreate(Strict):
    login: StaffLogin
    full_name: Annotated[str, Field(min_length=1, max_length=200)]
    role: StaffRole
    password: Annotated[str, Field(min_length=12, max_length=200)]
    totp: bool = True


class StaffAccountCreated(StaffAccountOut):
    totp_secret: str | None
    totp_uri: str | None


# ---- resident: who viewed my data -----------------------------------------------------------------
class DataAccessItem(BaseModel):
    date: dt.date
    opened_at: str
    purpose: AccessReason | Literal["correspondence"]
    purpose_text: str | None
    resources: list[str]
    changed: bool


class DataAccessOut(BaseModel):
    items: list[DataAccessItem]
