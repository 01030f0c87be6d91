"""KSeF (Krajowy System e-Faktur): since 2026 an invoice to a business or a housing community is
issued through the national e-invoicing system; an invoice to a natural person stays outside it.

The rules in one place: the NIP checksum; which invoices KSeF takes; the invoice file (an
FA(3)-shaped XML made deterministically from the invoice, stored as made so that its SHA-256 stays
reproducible); the KSeF number's format and checksum; the verification link printed as a QR code.

Submission goes through a :class:`KsefGateway`. A utility connected to the real KSeF implements it
(the API's online session, its own credentials); the reference server uses
:class:`SimulatedKsefGateway`, which makes no network call and answers deterministically. An
invoice is ``pending`` when issued, ``accepted`` with its KSeF number once a gateway took it, or
``offline`` when a submission failed: :func:`submit_pending` (``ebok-server ksef submit``, and the
billing run after it has issued) sends pending and offline ones again and never an accepted one.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .config import KSEF_FROM, UTILITY_ADDRESS, UTILITY_NAME, UTILITY_NIP
from .errors import ApiError
from .models import Customer, Invoice

NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
CUSTOMER_TYPES = ("person", "business", "community")
#: the production verification address (KSeF's "KOD I"); the test environment's is qr-test.ksef.mf.gov.pl
QR_BASE = "https://qr.ksef.mf.gov.pl/invoice"
#: FA(3), the structure of the invoice file KSeF takes since 2026-02-01
FA3_NAMESPACE = "http://crd.gov.pl/wzor/2025/06/25/13775/"
KSEF_NUMBER = re.compile(r"(\d{10})-(\d{8})-([0-9A-F]{12})-([0-9A-F]{2})")
UNITS = {"m3": "m3", "szt": "szt."}


def nip_is_valid(nip: str) -> bool:
    """A Polish NIP: 10 digits, the last one the weighted sum of the first nine modulo 11 (a sum
    giving 10 makes no valid NIP). The one place the checksum is checked."""
    if len(nip) != 10 or not nip.isascii() or not nip.isdigit():
        return False
    check = sum(int(d) * w for d, w in zip(nip, NIP_WEIGHTS, strict=False)) % 11
    return check != 10 and check == int(nip[9])


def customer_nip(customer_type: str, nip: str | None) -> str | None:
    """The NIP a customer of ``customer_type`` is stored with: ten digits for a business or a
    housing community (typed with spaces or dashes too), none for a person. Refused with 422:
    ``nip_required`` (a non-person without one), ``invalid_nip`` (not ten digits or a wrong check
    digit), ``nip_not_allowed`` (a person with one). The database's CHECK ``ck_customers_nip``
    holds the same rule."""
    digits = re.sub(r"[\s-]", "", nip or "")
    if customer_type == "person":
        if digits:
            raise ApiError(422, "nip_not_allowed", "A natural person is stored without a NIP.")
        return None
    if not digits:
        raise ApiError(422, "nip_required", "A business or a housing community needs its NIP.")
    if not nip_is_valid(digits):
        raise ApiError(422, "invalid_nip", "Not a valid NIP: ten digits with the right check digit.")
    return digits


def in_ksef(customer_type: str, issue_date: dt.date) -> bool:
    """Whether an invoice goes through KSeF: a business's or a community's issued since
    :data:`~ebok_server.config.KSEF_FROM`, never a person's."""
    return customer_type != "person" and issue_date >= KSEF_FROM


# --- the KSeF number --------------------------------------------------------------------------


def crc8(data: bytes) -> int:
    """CRC-8 as the KSeF number's checksum: polynomial 0x07, initial value 0x00, no reflection,
    no final XOR (CIRFMF/ksef-api, faktury/numer-ksef.md)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def ksef_number(nip: str, accepted_on: dt.date, technical: str) -> str:
    """``NIP-YYYYMMDD-XXXXXXXXXXXX-CC``: the seller's NIP, the day KSeF accepted the invoice, 12
    upper-case hex digits, and the CRC-8 of the first 32 characters as two upper-case hex digits."""
    data = f"{nip}-{accepted_on:%Y%m%d}-{technical}"
    return f"{data}-{crc8(data.encode('ascii')):02X}"


def ksef_number_is_valid(number: str) -> bool:
    """35 characters in the pattern, a valid NIP and date, and the right checksum."""
    m = KSEF_NUMBER.fullmatch(number)
    if m is None or not nip_is_valid(m[1]):
        return False
    try:
        dt.datetime.strptime(m[2], "%Y%m%d")
    except ValueError:
        return False
    return int(m[4], 16) == crc8(number[:32].encode("ascii"))


# --- the invoice file -------------------------------------------------------------------------


def _amount(grosze: int) -> str:
    sign = "-" if grosze < 0 else ""
    return f"{sign}{abs(grosze) // 100}.{abs(grosze) % 100:02d}"


def _quantity(milli: int) -> str:
    return f"{milli // 1000}.{milli % 1000:03d}"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = text
    return el


def _party(parent: ET.Element, tag: str, nip: str, name: str, address: str) -> ET.Element:
    party = _add(parent, tag)
    ident = _add(party, "DaneIdentyfikacyjne")
    _add(ident, "NIP", nip)
    _add(ident, "Nazwa", name)
    addr = _add(party, "Adres")
    _add(addr, "KodKraju", "PL")
    _add(addr, "AdresL1", address)
    return party


def invoice_file(invoice: Invoice, customer: Customer, account: str) -> bytes:
    """The invoice as KSeF takes it: an FA(3)-shaped XML (UTF-8, no BOM), made only from the
    invoice, its lines and the parties' data, so the same invoice always gives the same bytes.
    ``account``: the customer's individual account for the transfer."""
    root = ET.Element("Faktura", xmlns=FA3_NAMESPACE)
    head = _add(root, "Naglowek")
    _add(head, "KodFormularza", "FA", kodSystemowy="FA (3)", wersjaSchemy="1-0E")
    _add(head, "WariantFormularza", "3")
    _add(head, "DataWytworzeniaFa", f"{invoice.issue_date.isoformat()}T00:00:00Z")
    _add(head, "SystemInfo", "ebok-server")
    _party(root, "Podmiot1", UTILITY_NIP, UTILITY_NAME, UTILITY_ADDRESS)
    buyer = _party(root, "Podmiot2", customer.nip or "", customer.full_name, customer.address)
    _add(buyer, "NrKlienta", customer.customer_number)
    _add(buyer, "JST", "2")
    _add(buyer, "GV", "2")
    fa = _add(root, "Fa")
    _add(fa, "KodWaluty", "PLN")
    _add(fa, "P_1", invoice.issue_date.isoformat())
    _add(fa, "P_2", invoice.number)
    period = _add(fa, "OkresFa")
    _add(period, "P_6_Od", invoice.period_from.isoformat())
    _add(period, "P_6_Do", invoice.period_to.isoformat())
    _add(fa, "P_13_2", _amount(invoice.net))  # net at the reduced rate (8 %: water and sewage)
    _add(fa, "P_14_2", _amount(invoice.vat))
    _add(fa, "P_15", _amount(invoice.gross))
    notes = _add(fa, "Adnotacje")
    for tag, value in (("P_16", "2"), ("P_17", "2"), ("P_18", "2"), ("P_18A", "2")):
        _add(notes, tag, value)
    _add(_add(notes, "Zwolnienie"), "P_19N", "1")
    _add(_add(notes, "NoweSrodkiTransportu"), "P_22N", "1")
    _add(notes, "P_23", "2")
    _add(_add(notes, "PMarzy"), "P_PMarzyN", "1")
    _add(fa, "RodzajFaktury", "VAT")
    for line in invoice.lines:
        row = _add(fa, "FaWiersz")
        _add(row, "NrWierszaFa", str(line.position))
        _add(row, "P_7", line.description)
        _add(row, "P_8A", UNITS.get(line.unit, line.unit))
        _add(row, "P_8B", _quantity(line.quantity_milli))
        _add(row, "P_9A", _amount(line.unit_price_net))
        _add(row, "P_11", _amount(line.net))
        _add(row, "P_12", str(line.vat_rate))
    pay = _add(fa, "Platnosc")
    due = _add(pay, "TerminPlatnosci")
    _add(due, "Termin", invoice.due_date.isoformat())
    _add(pay, "FormaPlatnosci", "6")  # transfer
    _add(_add(pay, "RachunekBankowy"), "NrRB", account[2:])
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def sha256_b64url(data: bytes) -> str:
    """The file's SHA-256 as KSeF writes it: base64url without padding (43 characters)."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def verification_url(seller_nip: str, issue_date: dt.date, sha256: str) -> str:
    """KSeF's verification link (KOD I): the seller's NIP, the issue date (P_1) as DD-MM-YYYY, the
    file's hash (CIRFMF/ksef-api, kody-qr.md)."""
    return f"{QR_BASE}/{seller_nip}/{issue_date:%d-%m-%Y}/{sha256}"


def prepare(invoice: Invoice, customer: Customer, account: str) -> None:
    """Make a newly built invoice a KSeF one when it is (:func:`in_ksef`): its file, the file's
    hash, status ``pending``. Others stay ``none``."""
    if not in_ksef(customer.customer_type, invoice.issue_date):
        invoice.ksef_status = "none"
        return
    data = invoice_file(invoice, customer, account)
    invoice.ksef_file = data.decode("utf-8")
    invoice.ksef_sha256 = sha256_b64url(data)
    invoice.ksef_status = "pending"


# --- submission -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KsefReceipt:
    """KSeF's answer to an accepted invoice."""

    ksef_number: str
    accepted_on: dt.date


class KsefUnavailable(Exception):
    """The submission did not go through (KSeF unreachable or failing): the invoice stays offline
    and is sent again later."""


class KsefGateway(Protocol):
    """What sends an invoice file to KSeF. A real implementation opens the API's online session
    with the utility's credentials, sends the (encrypted) file and waits for the KSeF number."""

    async def submit(self, xml: bytes, *, invoice_number: str) -> KsefReceipt:
        """Send one invoice file; the receipt on acceptance, :class:`KsefUnavailable` otherwise."""
        ...


class SimulatedKsefGateway:
    """The reference gateway: no network. It checks that the file is XML with the seller's NIP and
    accepts it on ``today()``; the number's 12 hex digits are the start of the file's SHA-256, so
    the same file always gets the same number. ``available=False`` simulates an outage."""

    def __init__(self, today: Callable[[], dt.date] = dt.date.today, available: bool = True) -> None:
        self.today = today
        self.available = available

    async def submit(self, xml: bytes, *, invoice_number: str) -> KsefReceipt:
        if not self.available:
            raise KsefUnavailable("KSeF is not available (simulated outage)")
        root = ET.fromstring(xml)
        nip = root.findtext(
            f"{{{FA3_NAMESPACE}}}Podmiot1/{{{FA3_NAMESPACE}}}DaneIdentyfikacyjne/{{{FA3_NAMESPACE}}}NIP"
        )
        number = root.findtext(f"{{{FA3_NAMESPACE}}}Fa/{{{FA3_NAMESPACE}}}P_2")
        if nip is None or not nip_is_valid(nip) or number != invoice_number:
            raise ValueError("not an invoice file of this seller")
        accepted_on = self.today()
        technical = hashlib.sha256(xml).hexdigest()[:12].upper()
        return KsefReceipt(ksef_number(nip, accepted_on, technical), accepted_on)


def gateway_for(settings) -> KsefGateway:
    """The settings' gateway, or the simulated one accepting on the business date."""
    return settings.ksef_gateway or SimulatedKsefGateway(settings.business_today)


@dataclass
class SubmitResult:
    accepted: list[str]  # invoice numbers
    offline: list[str]


async def submit_pending(session: AsyncSession, gateway: KsefGateway, now: dt.datetime) -> SubmitResult:
    """Send every pending or offline invoice, oldest first, committing after each: accepted ones
    get their KSeF number, a failed one is left ``offline``. An accepted invoice is never sent
    again: only pending and offline ones are read, and the update only changes a row still not
    accepted (a parallel run may have sent it; the unique KSeF number refuses a second one)."""
    rows = (
        await session.execute(
            select(Invoice.id, Invoice.number, Invoice.ksef_file)
            .where(Invoice.ksef_status.in_(("pending", "offline")))
            .order_by(Invoice.id)
        )
    ).all()
    result = SubmitResult([], [])
    not_accepted = Invoice.ksef_status.in_(("pending", "offline"))
    for invoice_id, number, file in rows:
        try:
            receipt = await gateway.submit(file.encode("utf-8"), invoice_number=number)
        except KsefUnavailable:
            await session.execute(
                update(Invoice)
                .where(Invoice.id == invoice_id, not_accepted)
                .values(ksef_status="offline", ksef_sent_at=now)
            )
            await session.commit()
            result.offline.append(number)
            continue
        if not ksef_number_is_valid(receipt.ksef_number):
            raise ValueError(f"the gateway answered a malformed KSeF number for {number}: {receipt.ksef_number!r}")
        await session.execute(
            update(Invoice)
            .where(Invoice.id == invoice_id, not_accepted)
            .values(ksef_status="accepted", ksef_number=receipt.ksef_number, ksef_sent_at=now)
        )
        await session.commit()
        result.accepted.append(number)
    return result
