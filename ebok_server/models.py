"""ORM models. Money is integer grosze; meter values/volumes are integer litres (m3 * 1000)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    # e-FAKTURA is either fully on (address and activation time) or fully off: never half of each.
    __table_args__ = (
        CheckConstraint(
            "(efaktura_active AND efaktura_email IS NOT NULL AND efaktura_activated_at IS NOT NULL) OR "
            "(NOT efaktura_active AND efaktura_email IS NULL AND efaktura_activated_at IS NULL)",
            name="ck_customers_efaktura_state",
        ),
        CheckConstraint("customer_type IN ('person', 'business', 'community')", name="ck_customers_customer_type"),
        # a business or a housing community has a NIP (its checksum: ksef.nip_is_valid), a person none
        CheckConstraint(
            "(customer_type = 'person' AND nip IS NULL) OR "
            "(customer_type <> 'person' AND nip IS NOT NULL AND length(nip) = 10)",
            name="ck_customers_nip",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(5), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))  # contact phone (staff search)
    # None: no online access yet (the customer registers with proof; docs/API.md "Registration").
    password_hash: Mapped[str | None] = mapped_column(String(200))
    efaktura_active: Mapped[bool] = mapped_column(Boolean, default=False)
    efaktura_email: Mapped[str | None] = mapped_column(String(320))
    efaktura_activated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # person | business | community: invoices to a business or a community go through KSeF (ksef.py)
    customer_type: Mapped[str] = mapped_column(String(10), default="person", server_default="person")
    nip: Mapped[str | None] = mapped_column(String(10))

    service_points: Mapped[list[ServicePoint]] = relationship(back_populates="customer", order_by="ServicePoint.code")


def point_code(customer_number: str, ordinal: int) -> str:
    """A service point's code: ``PP-10005-02`` for the customer's second point."""
    return f"PP-{customer_number}-{ordinal:02d}"


class ServicePoint(Base):
    """A service point (punkt poboru): one supply connection of a customer, with its own contract,
    meters and invoices. A house has one; a housing community several (buildings, a garden
    connection). ``code`` is ``PP-<customer number>-NN``."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(100))  # short name, e.g. "Budynek A"
    address: Mapped[str] = mapped_column(String(300))

    customer: Mapped[Customer] = relationship(back_populates="service_points")
    contract: Mapped[Contract | None] = relationship(back_populates="service_point", uselist=False)


class Contract(Base):
    __tablename__ = "contracts"
    # One contract per service point (a customer has one per point: several for a community).
    __table_args__ = (UniqueConstraint("service_point_id", name="uq_contracts_service_point"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    concluded_on: Mapped[dt.date] = mapped_column(Date)
    services: Mapped[str] = mapped_column(String(100))  # comma separated: "water,sewage"
    tariff_group: Mapped[str] = mapped_column(String(10))
    connection_address: Mapped[str] = mapped_column(String(300))

    service_point: Mapped[ServicePoint] = relationship(back_populates="contract")
    meters: Mapped[list[Meter]] = relationship(back_populates="contract", order_by="Meter.id")

    @property
    def service_list(self) -> list[str]:
        return [s for s in self.services.split(",") if s]


class Meter(Base):
    __tablename__ = "meters"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    location: Mapped[str] = mapped_column(String(200))
    installed_on: Mapped[dt.date] = mapped_column(Date)
    legalisation_valid_until: Mapped[dt.date] = mapped_column(Date)
    diameter_mm: Mapped[int] = mapped_column(Integer)
    max_daily_l: Mapped[int] = mapped_column(Integer, default=1500)

    contract: Mapped[Contract] = relationship(back_populates="meters")


def _billing_period(context) -> dt.date:
    """Column default: the billing period (calendar month, as its first day) of the row's ``date``."""
    return context.get_current_parameters()["date"].replace(day=1)


SELF_READING = text("type = 'self'")


class Reading(Base):
    __tablename__ = "readings"
    __table_args__ = (
        Index("ix_readings_meter_date", "meter_id", "date"),
        # One self-reading per meter per billing period, enforced by the database (parallel
        # submissions cannot both pass a check-then-insert). Partial index: SQLite and PostgreSQL.
        Index(
            "uq_readings_self_per_period",
            "meter_id",
            "billing_period",
            unique=True,
            sqlite_where=SELF_READING,
            postgresql_where=SELF_READING,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    value_l: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))  # collector | self | estimated
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    billing_period: Mapped[dt.date] = mapped_column(Date, default=_billing_period)  # first day of date's month


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_customer_issue", "customer_id", "issue_date"),
        # The monthly billing run issues at most one invoice per service point and period (NULL
        # period: an invoice outside the run, e.g. the benchmark customer's bulk data).
        UniqueConstraint("service_point_id", "billing_period", name="uq_invoices_point_billing_period"),
        CheckConstraint("ksef_status IN ('none', 'pending', 'offline', 'accepted')", name="ck_invoices_ksef_status"),
        # an invoice in KSeF has its file and the file's hash; KSeF's number exactly when accepted
        CheckConstraint(
            "(ksef_status = 'none') = (ksef_file IS NULL) AND (ksef_file IS NULL) = (ksef_sha256 IS NULL)",
            name="ck_invoices_ksef_file",
        ),
        CheckConstraint("(ksef_status = 'accepted') = (ksef_number IS NOT NULL)", name="ck_invoices_ksef_number"),
        # KSeF gives a number once: the database refuses a second invoice with it
        Index("uq_invoices_ksef_number", "ksef_number", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    # the point whose supply the invoice bills (NULL only for a customer without a service point)
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    issue_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    net: Mapped[int] = mapped_column(Integer)
    vat: Mapped[int] = mapped_column(Integer)
    gross: Mapped[int] = mapped_column(Integer)
    paid: Mapped[int] = mapped_column(Integer, default=0)  # denormalised sum of allocated payments
    efaktura: Mapped[bool] = mapped_column(Boolean, default=False)
    billing_period: Mapped[dt.date | None] = mapped_column(Date)  # set by the billing run: first day of the period
    # KSeF (ksef.py): none (a person's invoice, or issued before KSeF) | pending (to be sent) |
    # offline (a submission failed: sent again by ``ebok-server ksef submit``) | accepted
    ksef_status: Mapped[str] = mapped_column(String(10), default="none", server_default="none")
    ksef_number: Mapped[str | None] = mapped_column(String(35))  # NIP-YYYYMMDD-XXXXXXXXXXXX-CC
    # the invoice file (FA(3)-shaped XML, UTF-8), stored as made at issue: the legal invoice, and
    # what the hash and the verification link stand for even if the customer's data change later
    ksef_file: Mapped[str | None] = mapped_column(Text)
    ksef_sha256: Mapped[str | None] = mapped_column(String(43))  # SHA-256 of ksef_file's bytes, base64url
    ksef_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    lines: Mapped[list[InvoiceLine]] = relationship(order_by="InvoiceLine.position")


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # water | sewage | fee
    description: Mapped[str] = mapped_column(String(200))
    quantity_milli: Mapped[int] = mapped_column(Integer)  # quantity * 1000
    unit: Mapped[str] = mapped_column(String(10))
    unit_price_net: Mapped[int] = mapped_column(Integer)
    net: Mapped[int] = mapped_column(Integer)
    vat_rate: Mapped[int] = mapped_column(Integer)
    vat: Mapped[int] = mapped_column(Integer)
    gross: Mapped[int] = mapped_column(Integer)
    # the tariff row the line was priced by (NULL: a line priced outside the tariffs, e.g. bulk data)
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id", ondelete="RESTRICT"))


#: A tariff's components: the price per m3 of water and of sewage, and the monthly billing fee with
#: and without e-FAKTURA (an invoice line of kind ``fee`` is priced by one of the two).
TARIFF_COMPONENTS = ("water", "sewage", "fee_efaktura", "fee_paper")


class Tariff(Base):
    """The price of one component of a tariff group's tariff over ``[valid_from, valid_to]``
    (``valid_to`` NULL: open). Net price in zloty with grosze (``Numeric(10, 2)``: an invoice line's
    unit price is whole grosze), VAT rate in percent.

    At most one price per group, component and day: the unique open row (``valid_to IS NULL``, a
    partial unique index) and the unique start together with :func:`ebok_server.tariffs.add_tariff`
    (the only writer, which closes the open row in the same transaction and only appends after it)
    keep the periods of a group's component from overlapping."""

    __tablename__ = "tariffs"
    __table_args__ = (
        UniqueConstraint("tariff_group", "component", "valid_from", name="uq_tariffs_group_component_from"),
        Index(
            "uq_tariffs_group_component_open",
            "tariff_group",
            "component",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        CheckConstraint("component IN ('water', 'sewage', 'fee_efaktura', 'fee_paper')", name="ck_tariffs_component"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_tariffs_period"),
        CheckConstraint("price_net >= 0 AND vat_rate BETWEEN 0 AND 100", name="ck_tariffs_price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tariff_group: Mapped[str] = mapped_column(String(10))
    component: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10))
    price_net: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    vat_rate: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class InvoiceCounter(Base):
    """Last invoice sequence number per numbering prefix (``FV/2026/11/``), advanced atomically."""

    __tablename__ = "invoice_counters"

    prefix: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_customer_date", "customer_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(10))  # transfer | cash | card
    reference: Mapped[str] = mapped_column(String(100))


class BearerSession:
    """The columns of a login that a bearer token names (resident ``AuthSession`` and staff
    ``StaffSession``): only the token's SHA-256 is stored."""

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AuthSession(BearerSession, Base):
    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)


class LoginThrottle(Base):
    """Progressive login delay per customer number (also numbers with no customer: same answers).

    ``attempts`` counts attempts since the last success (or since ``reset_after`` of quiet);
    ``next_at_ms`` is the earliest epoch millisecond the next attempt may start. One atomic upsert
    reserves an attempt before the password is verified (``throttle.reserve_login``)."""

    __tablename__ = "login_throttle"

    customer_number: Mapped[str] = mapped_column(String(5), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    next_at_ms: Mapped[int] = mapped_column(BigInteger)
    # indexed: the cleanup every minute (throttle._cleanup) deletes rows quiet since login_reset_after_s;
    # under a spray over many customer numbers the table is large and the scan held the write lock
    last_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)


class RateCounter(Base):
    """Fixed-window counter: ``count`` reserved slots of ``scope`` for ``key`` in window number
    ``window`` (epoch seconds // window length). Incremented by an atomic upsert that refuses to
    pass the limit (``throttle.reserve``)."""

    __tablename__ = "rate_counters"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger, index=True)


class OneTimeCode(Base):
    """A live single-use code (registration access code or password-reset code). At most one per
    customer and purpose (primary key): a newer request replaces it, use deletes it. Only the
    SHA-256 of the code is stored (the code has >= 128 random bits)."""

    __tablename__ = "one_time_codes"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10), primary_key=True)  # register | reset
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger)


class PendingLetter(Base):
    """A letter for the staff side to print and post (customer without an e-mail address on file).
    One per customer and kind: a newer request replaces the unsent letter. The body holds the access
    code in clear (it has to be printed); staff delete the row once the letter is posted."""

    __tablename__ = "pending_letters"
    __table_args__ = (UniqueConstraint("customer_id", "kind", name="uq_pending_letter_customer_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # access_code
    recipient: Mapped[str] = mapped_column(String(500))  # name and postal address
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_customer_updated", "customer_id", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    location: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)

    messages: Mapped[list[Message]] = relationship(order_by="Message.id")


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(10))  # customer | utility
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("customer_id", "key", name="uq_idempotency_customer_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Notice(Base):
    """A failure or a planned interruption of supply for a city, or some of its streets
    (``streets``: street names, one per line, without "ul."/house numbers; empty: the whole city).
    Matched to a customer's supply addresses by ``notices.notices_for_customer`` only."""

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint("kind IN ('failure', 'planned')", name="ck_notices_kind"),
        CheckConstraint("ends_at > starts_at", name="ck_notices_period"),
        Index("ix_notices_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # failure | planned
    city: Mapped[str] = mapped_column(String(100))
    streets: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)  # the expected end
    text_pl: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100))  # staff login, or "cli"


class Meta(Base):
    """Key/value store (e.g. demo flag)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class WaterZone(Base):
    """A water supply zone (strefa zaopatrzenia): the area one treatment plant supplies."""

    __tablename__ = "water_zones"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class WaterZoneStreet(Base):
    """Which zone supplies a street (normalised by ``water.street_key``: lower case, no "ul.")."""

    __tablename__ = "water_zone_streets"

    street: Mapped[str] = mapped_column(String(100), primary_key=True)
    zone_code: Mapped[str] = mapped_column(ForeignKey("water_zones.code", ondelete="CASCADE"), index=True)


class WaterQualityResult(Base):
    """One laboratory result of a zone's sample: ``value_milli`` is the value * 1000 in the unit of
    ``water.PARAMETERS[parameter]``. One result per zone, day and parameter."""

    __tablename__ = "water_quality_results"
    __table_args__ = (
        UniqueConstraint("zone_code", "sampled_on", "parameter", name="uq_water_quality_zone_day_parameter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_code: Mapped[str] = mapped_column(ForeignKey("water_zones.code", ondelete="CASCADE"))
    sampled_on: Mapped[dt.date] = mapped_column(Date)
    parameter: Mapped[str] = mapped_column(String(20))  # hardness | nitrates | ph | e_coli | enterococci
    value_milli: Mapped[int] = mapped_column(Integer)


class HouseholdSize(Base):
    """Persons in the customer's household, as the resident gave it (the yearly comparison,
    water.py); no row: ``water.DEFAULT_HOUSEHOLD_SIZE``. A table of its own, so that no revision
    has to rebuild ``customers`` (on SQLite with its search triggers)."""

    __tablename__ = "household_sizes"
    __table_args__ = (CheckConstraint("persons BETWEEN 1 AND 20", name="ck_household_sizes_persons"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    persons: Mapped[int] = mapped_column(Integer)


class EfakturaPending(Base):
    """A resident's request to switch e-FAKTURA on or change its address, waiting for the 6-digit
    code mailed to that address (efaktura.py). The customer is the primary key: at most one pending
    request, and a new one replaces it in one upsert. Only a salted SHA-256 of the code is stored."""

    __tablename__ = "efaktura_pending"
    __table_args__ = (CheckConstraint("attempts >= 0", name="ck_efaktura_pending_attempts"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    terms_version: Mapped[str] = mapped_column(String(20))
    code_salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer)


class EfakturaConsent(Base):
    """The history of e-FAKTURA consent (art. 106n VAT act): given, withdrawn, address changed, with
    the terms version accepted and the channel (``app``: the resident confirmed a code; ``staff``:
    recorded by ``staff_id`` acting for the customer; ``before_history``: on before this table
    existed, revision 0011). Append-only in the database (triggers, revision 0011); the foreign key
    keeps a customer with history from being deleted."""

    __tablename__ = "efaktura_consents"
    __table_args__ = (
        CheckConstraint("event IN ('given', 'withdrawn', 'address_changed')", name="ck_efaktura_consents_event"),
        CheckConstraint("channel IN ('app', 'staff', 'before_history')", name="ck_efaktura_consents_channel"),
        CheckConstraint("(channel = 'staff') = (staff_id IS NOT NULL)", name="ck_efaktura_consents_staff"),
        CheckConstraint(
            "channel = 'before_history' OR terms_version IS NOT NULL OR event = 'withdrawn'",
            name="ck_efaktura_consents_terms",
        ),
        Index("ix_efaktura_consents_customer_at", "customer_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    event: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(320))
    terms_version: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the history outlives staff accounts
    at: Mapped[dt.datetime] = mapped_column(DateTime)


class ThreadRead(Base):
    """How far the resident has read a thread: the highest message id the thread had when the
    resident last opened it (staff acting for the customer do not move it). The thread is unread
    while it has a utility message above that id; no row: every utility message is unread."""

    __tablename__ = "thread_reads"

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    read_message_id: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[dt.datetime] = mapped_column(DateTime)


class CustomerVisit(Base):
    """The resident's visits: the latest login and the last login of the visit before it (the "since
    your last visit" summary starts at ``previous_login_at``). Both move in one upsert at login
    (``notify.record_login``; logins less than an hour apart are one visit)."""

    __tablename__ = "customer_visits"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    last_login_at: Mapped[dt.datetime] = mapped_column(DateTime)
    previous_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class NotificationPreference(Base):
    """The resident's choice to get an e-mail for a kind of event (``notify.KINDS``); no row: the
    kind's default (``notify.DEFAULTS``)."""

    __tablename__ = "notification_preferences"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # notify.KINDS
    enabled: Mapped[bool] = mapped_column(Boolean)


class MailOutbox(Base):
    """An e-mail owed to a customer for an event, inserted in the transaction that creates the event
    or by the scheduled job (``notify.run_due``). ``event_id`` names the event as text (``notify.KINDS``:
    a staff reply: the message id; an invoice, a notice: its id; a reading window: "meter id/YYYY-MM";
    a legalisation: "meter id/valid-until date"). The unique key makes it at most one mail per
    customer, kind and event; ``sent_at`` is set by the one delivery that claims the row."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        UniqueConstraint("customer_id", "kind", "event_id", name="uq_mail_outbox_event"),
        Index("ix_mail_outbox_unsent", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # notify.KINDS
    event_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
