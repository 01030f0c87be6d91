"""Deterministic demo data (``random.Random(2016)``) anchored to the business "today",
plus a bulk "large customer" for benchmarks."""

from __future__ import annotations

import datetime as dt
import json
import random
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from . import ksef
from .billing import BENCH_SEQ_BASE, build_invoice, compute_balance, iban_for, invoice_number, invoice_specs, line_row
from .db import DEMO_SERVER_ID, SERVER_ID_KEY
from .efaktura import TERMS_VERSION
from .models import (
    EfakturaConsent,
    CustomerVisit,
    ThreadRead,
    Contract,
    Customer,
    Invoice,
    InvoiceLine,
    Message,
    Meta,
    Meter,
    Notice,
    Payment,
    Reading,
    ServicePoint,
    Thread,
    WaterQualityResult,
    WaterZone,
    WaterZoneStreet,
    point_code,
)
from .security import hash_password
from .tariffs import TariffBook, add_tariff
from .units import add_months, fmt_pln, month_bounds

HISTORY_MONTHS = 27  # 24 months + a few older
INVOICE_DAY = 10  # invoices for month M are issued on the 10th of month M+1


def demo_password(customer_number: str) -> str:
    return f"woda-{customer_number}"


@dataclass
class MeterSpec:
    number: str
    location: str
    installed_on: dt.date
    legal_years: int
    start_l: int
    monthly_l: int
    seasonal: str = "normal"  # normal | garden
    diameter_mm: int = 15
    max_daily_l: int = 1500


@dataclass
class PointSpec:
    """One service point with its contract and meters (a customer spec without ``points`` has one,
    made from its own contract fields)."""

    label: str
    address: str
    contract_number: str
    concluded_on: dt.date
    services: list[str]
    meters: list[MeterSpec]
    tariff_group: str | None = None  # None: G1 with one meter, else G2


@dataclass
class CustomerSpec:
    number: str
    full_name: str
    email: str | None
    address: str
    contract_number: str
    concluded_on: dt.date
    services: list[str]
    meters: list[MeterSpec]
    payment_plan: str  # "jan" | "all_paid" | "partial_last"
    efaktura_months_ago: int | None = None
    overpayment: int = 0
    #: ``{invoices}`` is replaced by what the invoices are like when /demo-info is asked
    #: (:func:`describe_invoices`): the data is anchored to the day of seeding and ages with it.
    description_pl: str = ""
    description_en: str = ""
    threads: list[dict] = field(default_factory=list)
    phone: str | None = None
    points: list[PointSpec] | None = None
    customer_type: str = "person"  # person | business | community (KSeF: ksef.py)
    nip: str | None = None
    ksef_offline_latest: bool = False  # the newest KSeF invoice not yet accepted (a failed submission)
    #: days since the resident's last login (the "since your last visit" summary); None: never logged in
    last_visit_days_ago: int | None = None

    def point_specs(self) -> list[PointSpec]:
        if self.points:
            return self.points
        connection = self.address.split(",")[0] + ", Jaworzno"
        return [PointSpec(connection, connection, self.contract_number, self.concluded_on, self.services, self.meters)]


def _specs() -> list[CustomerSpec]:
    """The demo customers, from ``data/demo-customers.toml`` (one table per customer, its meters,
    service points and threads nested in it; a missing key takes the field's default, a missing
    ``email``: none on file)."""
    text = resources.files("ebok_server").joinpath("data/demo-customers.toml").read_text("utf-8")
    return [
        CustomerSpec(
            **{
                "email": None,
                **c,
                "meters": _meters(c),
                "points": [PointSpec(**{**p, "meters": _meters(p)}) for p in c["points"]] if "points" in c else None,
            }
        )
        for c in tomllib.loads(text)["customer"]
    ]


def _meters(table: dict) -> list[MeterSpec]:
    return [MeterSpec(**m) for m in table.get("meters", [])]


def _legal_until(spec: MeterSpec, today: dt.date) -> dt.date:
    if spec.legal_years == 0:  # expiring soon, for the demo
        return add_months(today, 2)
    return spec.installed_on.replace(year=spec.installed_on.year + spec.legal_years)


def _monthly_l(rng: random.Random, spec: MeterSpec, month: int) -> int:
    if spec.seasonal == "garden":
        base = spec.monthly_l * (4 if month in (5, 6, 7, 8, 9) else 0.2)
    else:
        base = spec.monthly_l * (1.15 if month in (6, 7, 8) else 1.0)
    return int(base * rng.uniform(0.8, 1.2))


def _reading_type(rng: random.Random) -> str:
    x = rng.random()
    return "collector" if x < 0.65 else ("self" if x < 0.88 else "estimated")


async def seed_demo(session: AsyncSession, today: dt.date) -> list[dict]:
    """Create the demo customers. Returns the demo-info list (also stored in ``meta``)."""
    rng = random.Random(2016)
    ts = lambda d, h=9, m=0: dt.datetime.combine(d, dt.time(h, m))  # noqa: E731
    seq_by_month: dict[tuple[int, int], int] = {}
    demo: list[dict] = []
    first_month = add_months(today.replace(day=1), -HISTORY_MONTHS)
    book = await TariffBook.load(session)

    for spec in _specs():
        cust = await _add_customer(session, spec, today)
        if cust.efaktura_active:  # the resident confirmed the address in the app, accepting today's terms
            session.add(
                EfakturaConsent(
                    customer_id=cust.id,
                    event="given",
                    email=spec.email,
                    terms_version=TERMS_VERSION,
                    channel="app",
                    at=cust.efaktura_activated_at,
                )
            )
        invoices: list[Invoice] = []
        for pi, ps in enumerate(spec.point_specs(), 1):
            invoices += await _seed_point(session, rng, book, cust, spec, ps, pi, today, first_month, seq_by_month)
            await session.flush()
        await _seed_ksef(cust, spec, invoices)
        # Payments (the plan applies per service point: "jan" leaves each point's last two open).
        by_point: dict[int, list[Invoice]] = {}
        for inv in invoices:
            by_point.setdefault(inv.service_point_id, []).append(inv)
        for inv in invoices:
            same_point = by_point[inv.service_point_id]
            from_end = len(same_point) - 1 - same_point.index(inv)
            if spec.payment_plan == "jan" and from_end in (0, 1):
                continue
            amount = inv.gross
            if spec.payment_plan == "partial_last" and from_end == 0:
                amount = inv.gross // 2
            pay_date = min(inv.issue_date + dt.timedelta(days=rng.randint(2, 13)), today)
            x = rng.random()
            method = "transfer" if x < 0.8 else ("card" if x < 0.93 else "cash")
            reference = {
                "transfer": f"Przelew Klient {spec.number} {inv.number}",
                "card": f"Karta – eBOK {inv.number}",
                "cash": f"Kasa MPWiK {inv.number}",
            }[method]
            session.add(
                Payment(
                    customer_id=cust.id,
                    invoice_id=inv.id,
                    date=pay_date,
                    amount=amount,
                    method=method,
                    reference=reference,
                )
            )
            inv.paid = amount
        if spec.overpayment:
            session.add(
                Payment(
                    customer_id=cust.id,
                    invoice_id=None,
                    date=today - dt.timedelta(days=20),
                    amount=spec.overpayment,
                    method="transfer",
                    reference=f"Przelew Klient {spec.number} nadpłata",
                )
            )

        # Correspondence.
        for th in spec.threads:
            created = ts(today - dt.timedelta(days=th["days_ago"]), 8, 15)
            thread = Thread(
                customer_id=cust.id,
                kind=th["kind"],
                subject=th["subject"],
                status=th["status"],
                contact_phone=th.get("contact_phone"),
                location=th.get("location"),
                created_at=created,
                updated_at=created,
            )
            session.add(thread)
            await session.flush()
            at = created
            for author, body in th["messages"]:
                message = Message(thread_id=thread.id, author=author, body=body, created_at=at)
                session.add(message)
                thread.updated_at = at
                at = at + dt.timedelta(hours=26 if th["days_ago"] > 1 else 2)
            if not th.get("unread"):  # the resident has read the thread's every message
                await session.flush()
                session.add(ThreadRead(thread_id=thread.id, read_message_id=message.id, read_at=thread.updated_at))
        if spec.last_visit_days_ago is not None:
            session.add(
                CustomerVisit(
                    customer_id=cust.id, last_login_at=ts(today - dt.timedelta(days=spec.last_visit_days_ago), 19, 30)
                )
            )

        first_meter = spec.point_specs()[0].meters[0].number
        demo.append(
            {
                "customer_number": spec.number,
                "password": demo_password(spec.number),
                "description_pl": f"{spec.full_name}: {spec.description_pl} "
                f"Umowa {spec.contract_number}, wodomierz {first_meter}.",
                "description_en": f"{spec.full_name}: {spec.description_en} "
                f"Contract {spec.contract_number}, meter {first_meter}.",
            }
        )

    await seed_water_quality(session, today)
    await seed_tariff_change(session, today)
    await _store_demo_info(session, demo)
    # One identity for every demo database (the data is deterministic), so a client's unsent drafts
    # survive restarting the demo on a new port with a fresh database (kept if already set).
    if await session.get(Meta, SERVER_ID_KEY) is None:
        session.add(Meta(key=SERVER_ID_KEY, value=DEMO_SERVER_ID))
    await session.flush()
    return demo


async def _seed_ksef(cust: Customer, spec: CustomerSpec, invoices: list[Invoice]) -> None:
    """The KSeF state of a demo customer's invoices, as if each had been sent on its issue day at
    10:00: a business's or a community's since KSeF accepted (the simulated gateway's number for
    that day), but for ``ksef_offline_latest``: the newest failed and is still offline."""
    for inv in invoices:
        ksef.prepare(inv, cust, iban_for(spec.number))
    in_ksef = [inv for inv in invoices if inv.ksef_status == "pending"]
    newest = max(in_ksef, key=lambda inv: inv.issue_date, default=None)
    for inv in in_ksef:
        inv.ksef_sent_at = dt.datetime.combine(inv.issue_date, dt.time(10))
        if spec.ksef_offline_latest and inv is newest:
            inv.ksef_status = "offline"
            continue
        gateway = ksef.SimulatedKsefGateway(today=lambda day=inv.issue_date: day)
        receipt = await gateway.submit(inv.ksef_file.encode("utf-8"), invoice_number=inv.number)
        inv.ksef_status, inv.ksef_number = "accepted", receipt.ksef_number


def _copied(spec: object, *names: str) -> dict:
    """The fields of a spec that its model row takes as they are (a column of the same name)."""
    return {name: getattr(spec, name) for name in names}


async def _add_customer(session: AsyncSession, spec: CustomerSpec, today: dt.date) -> Customer:
    """A demo (or benchmark) customer's row, password ``woda-<number>``; with e-FAKTURA active since
    ``efaktura_months_ago`` months before ``today`` (activated at 18:30 that day)."""
    efaktura_since = add_months(today, -spec.efaktura_months_ago) if spec.efaktura_months_ago else None
    cust = Customer(
        customer_number=spec.number,
        **_copied(spec, "full_name", "email", "address", "phone", "customer_type", "nip"),
        password_hash=hash_password(demo_password(spec.number)),
        efaktura_active=efaktura_since is not None,
        efaktura_email=spec.email if efaktura_since else None,
        efaktura_activated_at=dt.datetime.combine(efaktura_since, dt.time(18, 30)) if efaktura_since else None,
    )
    session.add(cust)
    await session.flush()
    return cust


async def _add_point(
    session: AsyncSession, cust: Customer, ps: PointSpec, ordinal: int, today: dt.date
) -> tuple[ServicePoint, Contract, list[Meter]]:
    """A customer's ``ordinal``-th service point with its contract and meters (no readings)."""
    point = ServicePoint(
        customer_id=cust.id, code=point_code(cust.customer_number, ordinal), label=ps.label[:100], address=ps.address
    )
    session.add(point)
    await session.flush()
    contract = Contract(
        customer_id=cust.id,
        service_point_id=point.id,
        number=ps.contract_number,
        concluded_on=ps.concluded_on,
        services=",".join(ps.services),
        tariff_group=ps.tariff_group or ("G1" if len(ps.meters) == 1 else "G2"),
        connection_address=ps.address,
    )
    session.add(contract)
    await session.flush()
    meters: list[Meter] = []
    for ms in ps.meters:
        meter = Meter(
            contract_id=contract.id,
            customer_id=cust.id,
            **_copied(ms, "number", "location", "installed_on", "diameter_mm", "max_daily_l"),
            legalisation_valid_until=_legal_until(ms, today),
        )
        session.add(meter)
        meters.append(meter)
    await session.flush()
    return point, contract, meters


async def _seed_point(
    session: AsyncSession,
    rng: random.Random,
    book: TariffBook,
    cust: Customer,
    spec: CustomerSpec,
    ps: PointSpec,
    ordinal: int,
    today: dt.date,
    first_month: dt.date,
    seq_by_month: dict[tuple[int, int], int],
) -> list[Invoice]:
    """One service point of a demo customer: its contract, meters, monthly readings and invoices."""
    point, contract, meters = await _add_point(session, cust, ps, ordinal, today)

    # A point billed since its contract (the older points' contracts precede the history).
    first_billed = ps.concluded_on.replace(day=1)
    # Readings: one per month (28th), HISTORY_MONTHS back; values per meter.
    values_at: dict[tuple[int, int], int] = {}  # (meter_idx, month_idx) -> litres
    for mi, ms in enumerate(ps.meters):
        value = ms.start_l
        for k in range(HISTORY_MONTHS + 1):
            month_start = add_months(first_month, k - 1)
            rdate = month_start.replace(day=28)
            if k > 0:
                value += _monthly_l(rng, ms, month_start.month)
            values_at[(mi, k)] = value
            if rdate >= today or month_start < add_months(first_billed, -1):
                continue  # a point's readings start the month before its first billing month
            installation = k == 0 or month_start == add_months(first_billed, -1)
            rtype = "collector" if installation else _reading_type(rng)
            session.add(
                Reading(
                    meter_id=meters[mi].id,
                    customer_id=cust.id,
                    date=rdate,
                    value_l=value,
                    type=rtype,
                    created_at=dt.datetime.combine(rdate, dt.time(12)),
                )
            )

    # Invoices: billing month k (1..HISTORY_MONTHS) issued on the 10th of the next month.
    efaktura_since = add_months(today, -spec.efaktura_months_ago) if spec.efaktura_months_ago else None
    invoices: list[Invoice] = []
    for k in range(1, HISTORY_MONTHS + 1):
        month_start = add_months(first_month, k - 1)
        issue = add_months(month_start, 1).replace(day=INVOICE_DAY)
        if issue > today or month_start < first_billed:
            continue
        consumption = sum(values_at[(mi, k)] - values_at[(mi, k - 1)] for mi in range(len(ps.meters)))
        key = (issue.year, issue.month)
        seq_by_month[key] = seq_by_month.get(key, 0) + 1
        p_from, p_to = month_bounds(month_start.year, month_start.month)
        inv = build_invoice(
            rates=book.on(contract.tariff_group, p_from),
            customer_id=cust.id,
            service_point_id=point.id,
            number=invoice_number(issue, seq_by_month[key]),
            services=ps.services,
            consumption_l=consumption,
            period_from=p_from,
            period_to=p_to,
            issue_date=issue,
            billing_period=p_from,
            efaktura_active=efaktura_since is not None and issue >= efaktura_since,
        )
        session.add(inv)
        invoices.append(inv)
    return invoices


async def seed_demo_notices(session: AsyncSession, today: dt.date) -> None:
    """The demo's notices (after :func:`seed_demo`): an active failure in 10001's street, a planned
    interruption there and in 10002's street, and a past one."""
    at = lambda days, h: dt.datetime.combine(today + dt.timedelta(days=days), dt.time(h))  # noqa: E731
    for kind, streets, start, end, pl, en in (
        (
            "failure",
            "grunwaldzka",
            at(-1, 6),
            at(1, 16),
            "Awaria sieci wodociągowej na ul. Grunwaldzkiej: możliwe spadki ciśnienia i brak wody. "
            "Beczkowóz stoi przy nr 20.",
            "Water main failure in Grunwaldzka Street: low pressure or no water possible. "
            "A water tanker stands at no. 20.",
        ),
        (
            "planned",
            "grunwaldzka\nmickiewicza",
            at(6, 8),
            at(6, 14),
            "Planowane wyłączenie dostawy wody (wymiana zasuw).",
            "Planned interruption of supply (valve replacement).",
        ),
        (
            "failure",
            "grunwaldzka",
            at(-12, 7),
            at(-12, 15),
            "Awaria przyłącza – usunięta.",
            "Service pipe failure – repaired.",
        ),
    ):
        session.add(
            Notice(
                kind=kind,
                city="Jaworzno",
                streets=streets,
                starts_at=start,
                ends_at=end,
                text_pl=pl,
                text_en=en,
                created_at=start - dt.timedelta(days=3 if kind == "planned" else 0),
                created_by="demo",
            )
        )


#: the demo's supply zones: code, name, streets (as water.street_key gives them; every demo customer's
#: service points are in one: the housing community 10005's three are on Słoneczna)
WATER_ZONES = [
    ("JAW-C", "Strefa Centrum (SUW Byczyna)", ["grunwaldzka", "mickiewicza", "testowa", "młyńska", "słoneczna"]),
    ("JAW-P", "Strefa Południe (SUW Dobra)", ["leśna", "zwycięstwa"]),
]
#: quarterly results per zone (newest first), value * 1000: e_coli, enterococci, nitrates, ph, hardness
WATER_RESULTS = {
    "JAW-C": [(0, 0, 12_400, 7_400, 287_000), (0, 0, 13_100, 7_300, 295_000), (0, 0, 11_800, 7_500, 281_000)],
    "JAW-P": [(0, 0, 21_700, 7_600, 402_000), (0, 0, 23_200, 7_700, 418_000), (2_000, 0, 22_900, 7_600, 409_000)],
}


#: The demo's decided price change: households' (G1) water and sewage, net zloty per m3.
DEMO_NEW_PRICES = {"water": Decimal("6.05"), "sewage": Decimal("8.51")}


async def seed_tariff_change(session: AsyncSession, today: dt.date) -> None:
    """A price change already decided for G1 from the first day of the month after next (the
    tariff screen's "from ..." part; no invoice of the demo is priced by it)."""
    start = add_months(today.replace(day=1), 2)
    for component, price in DEMO_NEW_PRICES.items():
        await add_tariff(
            session, group="G1", component=component, unit="m3", price_net=price, vat_rate=8, valid_from=start
        )


async def seed_water_quality(session: AsyncSession, today: dt.date) -> None:
    """The demo's supply zones and their last three quarterly samples (the oldest sample of JAW-P
    found E. coli, the later ones are clean: the screen shows the newest)."""
    for code, name, streets in WATER_ZONES:
        session.add(WaterZone(code=code, name=name))
        await session.flush()
        session.add_all(WaterZoneStreet(street=street, zone_code=code) for street in streets)
        for k, values in enumerate(WATER_RESULTS[code]):
            sampled_on = add_months(today, -3 * k) - dt.timedelta(days=12)
            for parameter, value in zip(("e_coli", "enterococci", "nitrates", "ph", "hardness"), values, strict=True):
                session.add(
                    WaterQualityResult(zone_code=code, sampled_on=sampled_on, parameter=parameter, value_milli=value)
                )
    await session.flush()


async def _store_demo_info(session: AsyncSession, customers: list[dict]) -> None:
    meta = await session.get(Meta, "demo_info")
    value = json.dumps({"customers": customers}, ensure_ascii=False)
    if meta is None:
        session.add(Meta(key="demo_info", value=value))
    else:
        meta.value = value


INVOICES_PLACEHOLDER = "{invoices}"

_PL_FEMININE = {1: "jedna", 2: "dwie", 3: "trzy", 4: "cztery"}
_EN_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four"}


def _pl_count(n: int) -> str:
    return _PL_FEMININE.get(n, str(n))


def _pl_invoices(n: int) -> str:
    """``faktura`` / ``faktury`` / ``faktur`` for ``n`` (Polish plural forms)."""
    if n == 1:
        return "faktura"
    return "faktury" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "faktur"


def _share(part: int, whole: int, lang: str, pl_one: str, pl_many: str, en: str) -> str:
    """How many of ``whole`` open invoices are e.g. overdue: "po terminie" / "obie po terminie" /
    "jedna po terminie" (and the English)."""
    if lang == "pl":
        if part == whole:
            prefix = "" if whole == 1 else ("obie " if whole == 2 else "wszystkie ")
            return prefix + (pl_one if whole == 1 else pl_many)
        return f"{_pl_count(part)} {pl_one if part == 1 else pl_many}"
    if part == whole:
        return en if whole == 1 else ("both " if whole == 2 else "all ") + en
    return f"{_EN_NUMBERS.get(part, str(part))} {en}"


def describe_invoices(open_count: int, overdue_count: int, partial_count: int, overpayment: int, lang: str) -> str:
    """The demo panel's words for the invoices as they are today, e.g. "dwie faktury do zapłaty
    (jedna po terminie)" / "two invoices to pay (both overdue)" / "wszystko opłacone, nadpłata 50,00 zł"."""
    if open_count == 0:
        if lang == "pl":
            text = "wszystko opłacone"
            return text + (f", nadpłata {fmt_pln(overpayment)}" if overpayment > 0 else "")
        text = "everything paid"
        return text + (f", overpayment PLN {overpayment // 100:,}.{overpayment % 100:02d}" if overpayment > 0 else "")
    if lang == "pl":
        text = f"{_pl_count(open_count)} {_pl_invoices(open_count)} do zapłaty"
    else:
        text = f"{_EN_NUMBERS.get(open_count, str(open_count))} invoice{'' if open_count == 1 else 's'} to pay"
    details = []
    if overdue_count:
        details.append(_share(overdue_count, open_count, lang, "po terminie", "po terminie", "overdue"))
    if partial_count:
        details.append(
            _share(partial_count, open_count, lang, "opłacona częściowo", "opłacone częściowo", "partially paid")
        )
    return text + (f" ({', '.join(details)})" if details else "")


async def demo_descriptions(session: AsyncSession, customers: list[dict], today: dt.date) -> list[dict]:
    """The stored demo entries with ``{invoices}`` filled in from the customer's invoices today."""
    out = []
    for entry in customers:
        entry = dict(entry)
        if INVOICES_PLACEHOLDER in entry["description_pl"] + entry["description_en"]:
            customer = await session.scalar(
                select(Customer).where(Customer.customer_number == entry["customer_number"])
            )
            if customer is not None:
                balance = await compute_balance(session, customer.id, today)
                dues = (
                    await session.execute(
                        select(Invoice.due_date, Invoice.paid).where(
                            Invoice.customer_id == customer.id, Invoice.paid < Invoice.gross
                        )
                    )
                ).all()
                counts = (len(dues), sum(1 for due, _ in dues if due < today), sum(1 for _, paid in dues if paid > 0))
                for lang in ("pl", "en"):
                    key = f"description_{lang}"
                    entry[key] = entry[key].replace(
                        INVOICES_PLACEHOLDER, describe_invoices(*counts, balance.overpayment, lang)
                    )
        out.append(entry)
    return out


async def database_is_empty(session: AsyncSession) -> bool:
    return (await session.scalar(select(func.count()).select_from(Customer))) == 0


async def seed_large_customer(
    session: AsyncSession, customer_number: str = "19999", invoices: int = 10_000, today: dt.date | None = None
) -> Customer:
    """Bulk-insert a customer with ``invoices`` invoices (3 lines each) and payments, for benchmarks.

    Password ``woda-<number>``. Idempotent: returns the existing customer if the number is taken.
    """
    today = today or dt.date.today()
    existing = await session.scalar(select(Customer).where(Customer.customer_number == customer_number))
    if existing is not None:
        return existing
    rng = random.Random(int(customer_number))
    address = "ul. Testowa 1, Jaworzno"
    ps = PointSpec(
        address,
        address,
        f"UM/2000/{customer_number}",
        dt.date(2000, 1, 3),
        ["water", "sewage"],
        [
            MeterSpec(
                f"WM-9{customer_number}00",
                "Węzeł cieplny",
                dt.date(2022, 1, 3),
                10,
                5_000_000,
                0,
                diameter_mm=50,
                max_daily_l=50_000,
            )
        ],
        tariff_group="G3",
    )
    spec = CustomerSpec(
        customer_number,
        "Spółdzielnia Mieszkaniowa „Benchmark”",
        f"bench{customer_number}@example.com",
        "ul. Testowa 1, 43-600 Jaworzno",
        ps.contract_number,
        ps.concluded_on,
        ps.services,
        ps.meters,
        "all_paid",  # unused: the invoices and payments are the bulk rows below
        points=[ps],
    )
    cust = await _add_customer(session, spec, today)
    point, contract, (meter,) = await _add_point(session, cust, ps, 1, today)
    session.add(
        Reading(
            meter_id=meter.id,
            customer_id=cust.id,
            date=today - dt.timedelta(days=30),
            value_l=ps.meters[0].start_l,
            type="collector",
            created_at=dt.datetime.combine(today - dt.timedelta(days=30), dt.time(9)),
        )
    )

    book = await TariffBook.load(session)
    seq_by_month: dict[tuple[int, int], int] = {}
    # a block of the reserved numbers per customer: several benchmark customers never share a number
    seq_base = BENCH_SEQ_BASE + (int(customer_number) % 100) * 1000
    inv_rows = []
    line_specs = []
    span_days = 3650
    for i in range(invoices):
        issue = today - dt.timedelta(days=5 + (i * span_days) // max(invoices, 1))
        key = (issue.year, issue.month)
        seq_by_month[key] = seq_by_month.get(key, seq_base) + 1
        consumption = rng.randint(20_000, 400_000)
        p_from, p_to = month_bounds(*(add_months(issue.replace(day=1), -1).timetuple()[:2]))
        specs = invoice_specs(book.on(contract.tariff_group, p_from), contract.service_list, consumption, False)
        gross = sum(s.gross for s in specs)
        paid = 0 if i < 3 else gross
        inv_rows.append(
            dict(
                customer_id=cust.id,
                service_point_id=point.id,
                number=invoice_number(issue, seq_by_month[key]),
                issue_date=issue,
                due_date=issue + dt.timedelta(days=14),
                period_from=p_from,
                period_to=p_to,
                net=sum(s.net for s in specs),
                vat=sum(s.vat for s in specs),
                gross=gross,
                paid=paid,
                efaktura=False,
            )
        )
        line_specs.append(specs)
    ids: list[int] = []
    batch = 2000
    for start in range(0, len(inv_rows), batch):
        res = await session.execute(
            insert(Invoice).returning(Invoice.id, sort_by_parameter_order=True), inv_rows[start : start + batch]
        )
        ids.extend(r[0] for r in res)
    line_rows = []
    pay_rows = []
    for inv_id, row, specs in zip(ids, inv_rows, line_specs, strict=True):
        line_rows.extend(dict(invoice_id=inv_id, **line_row(pos, spec)) for pos, spec in enumerate(specs, 1))
        if row["paid"]:
            pay_rows.append(
                dict(
                    customer_id=cust.id,
                    invoice_id=inv_id,
                    date=min(row["issue_date"] + dt.timedelta(days=7), today),
                    amount=row["paid"],
                    method="transfer",
                    reference=f"Przelew Klient {customer_number} {row['number']}",
                )
            )
    for start in range(0, len(line_rows), 5000):
        await session.execute(insert(InvoiceLine), line_rows[start : start + 5000])
    for start in range(0, len(pay_rows), 5000):
        await session.execute(insert(Payment), pay_rows[start : start + 5000])
    await session.flush()
    return cust


async def add_demo_entry(session: AsyncSession, customer_number: str, description_pl: str, description_en: str) -> None:
    meta = await session.get(Meta, "demo_info")
    data = json.loads(meta.value)["customers"] if meta else []
    if not any(c["customer_number"] == customer_number for c in data):
        data.append(
            {
                "customer_number": customer_number,
                "password": demo_password(customer_number),
                "description_pl": description_pl,
                "description_en": description_en,
            }
        )
    await _store_demo_info(session, data)
