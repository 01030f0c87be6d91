"""KSeF (ebok_server/ksef.py): the number's format and checksum, the NIP checksum, the invoice file
and its hash, the demo's KSeF invoices, and submission: the billing run sends the invoices to
businesses and communities, a failure leaves them offline, ``ebok-server ksef submit`` sends them
again and never an accepted one. In-process against real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pyotp
import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ebok_server import ksef
from ebok_server.__main__ import main as cli_main, prepare_database
from ebok_server.billing import iban_for, issue_invoices
from ebok_server.config import KSEF_FROM, UTILITY_NIP, Settings
from ebok_server.db import make_engine, make_sessionmaker
from ebok_server.models import Customer, Invoice
from ebok_server.schema import ensure_schema
from ebok_server.seed import seed_demo

from tests.asgi_server import LifespanASGITransport
from tests.staff_support import DEMO_STAFF

from .helpers import assert_error, bearer, login

TODAY = dt.date(2026, 11, 15)
#: the specification's example (CIRFMF/ksef-api, faktury/numer-ksef.md)
SPEC_EXAMPLE = "5265877635-20250826-0100001AF629-AF"


def test_the_ksef_number_checksum_is_the_specifications_crc8():
    assert ksef.crc8(b"123456789") == 0xF4  # CRC-8 (poly 0x07, init 0): the catalogue's check value
    assert ksef.ksef_number("5265877635", dt.date(2025, 8, 26), "0100001AF629") == SPEC_EXAMPLE
    assert ksef.ksef_number_is_valid(SPEC_EXAMPLE)
    for bad in (
        SPEC_EXAMPLE[:-2] + "AE",  # checksum
        SPEC_EXAMPLE.replace("0100001AF629", "0100001AF628"),  # a changed digit
        SPEC_EXAMPLE.lower(),  # hex is upper case
        SPEC_EXAMPLE + "0",  # 36 characters
        "5265877636-20250826-0100001AF629-" + f"{ksef.crc8(b'5265877636-20250826-0100001AF629'):02X}",  # NIP
        "5265877635-20250231-0100001AF629-" + f"{ksef.crc8(b'5265877635-20250231-0100001AF629'):02X}",  # date
        "",
    ):
        assert not ksef.ksef_number_is_valid(bad), bad


def test_nip_checksum():
    assert ksef.nip_is_valid(UTILITY_NIP) and ksef.nip_is_valid("5265877635")
    for bad in ("5265877634", "526587763", "52658776355", "526587763a", "５２６５８７７６３５", "1234567890"):
        assert not ksef.nip_is_valid(bad), bad  # 123456789 sums to 10 mod 11: no NIP ends it


def test_the_verification_link_and_hash():
    # the specification's example link (test environment there, production address here)
    url = ksef.verification_url("1111111111", dt.date(2026, 2, 1), "UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE")
    assert url == "https://qr.ksef.mf.gov.pl/invoice/1111111111/01-02-2026/UtQp9Gpc51y-u3xApZjIjgkpZ01js-J8KflSPW8WzIE"
    assert ksef.sha256_b64url(b"") == "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"


async def _seeded(url: str):
    engine = make_engine(url)
    await ensure_schema(engine, upgrade=False)
    sm = make_sessionmaker(engine)
    async with sm() as s:
        await seed_demo(s, TODAY)
        await s.commit()
    return engine, sm


async def _invoices(s, number: str) -> list[Invoice]:
    customer = await s.scalar(select(Customer).where(Customer.customer_number == number))
    return list(
        (
            await s.scalars(
                select(Invoice)
                .where(Invoice.customer_id == customer.id)
                .options(selectinload(Invoice.lines))
                .order_by(Invoice.issue_date, Invoice.id)
            )
        ).all()
    )


async def test_the_demos_ksef_invoices(fresh_db_url):
    engine, sm = await _seeded(fresh_db_url)
    async with sm() as s:
        for number in ("10001", "10002", "10003", "10004"):  # persons: outside KSeF
            assert {i.ksef_status for i in await _invoices(s, number)} == {"none"}
        community, company = await _invoices(s, "10005"), await _invoices(s, "10006")
        assert {i.ksef_status for i in community if i.issue_date < KSEF_FROM} == {"none"}
        assert {i.ksef_status for i in community if i.issue_date >= KSEF_FROM} == {"accepted"}
        assert [i.ksef_status for i in company] == ["accepted"] * 4 + ["offline"]
        offline = company[-1]
        assert offline.ksef_number is None and offline.ksef_file and offline.ksef_sent_at is not None
        for customer_number, invoices in (("10005", community), ("10006", company)):
            customer = await s.scalar(select(Customer).where(Customer.customer_number == customer_number))
            for inv in invoices:
                if inv.ksef_status == "none":
                    assert inv.ksef_file is inv.ksef_sha256 is inv.ksef_number is None
                    continue
                # the stored file is the invoice's, byte for byte, and the hash is the file's
                data = ksef.invoice_file(inv, customer, iban_for(customer_number))
                assert inv.ksef_file.encode("utf-8") == data
                assert inv.ksef_sha256 == ksef.sha256_b64url(data) and len(inv.ksef_sha256) == 43
                assert f"<P_2>{inv.number}</P_2>" in inv.ksef_file and f"<NIP>{customer.nip}</NIP>" in inv.ksef_file
                if inv.ksef_status == "accepted":
                    assert ksef.ksef_number_is_valid(inv.ksef_number)
                    assert inv.ksef_number.startswith(f"{UTILITY_NIP}-{inv.issue_date:%Y%m%d}-")
    await engine.dispose()


async def test_billing_run_submits_failure_leaves_offline_and_submit_retries_once(fresh_db_url, capsys):
    engine, sm = await _seeded(fresh_db_url)
    async with sm() as s:
        issued = await issue_invoices(s, 2026, 11, TODAY)
        await s.commit()
        by_status = {i.number: i.ksef_status for i in issued}
        assert sorted(by_status.values()) == ["none"] * 4 + ["pending"] * 4  # 10005's three points, 10006
        down = ksef.SimulatedKsefGateway(lambda: TODAY, available=False)
        result = await ksef.submit_pending(s, down, dt.datetime(2026, 11, 15, 6))
        assert result.accepted == [] and len(result.offline) == 5  # the four and the demo's offline one
        company = await _invoices(s, "10006")
        assert [i.ksef_status for i in company][-2:] == ["offline", "offline"]
        accepted_before = {
            i.id: (i.ksef_number, i.ksef_sent_at) for i in company + await _invoices(s, "10005") if i.ksef_number
        }

    # `ebok-server ksef submit` (the simulated KSeF is up): the five are accepted, on the business date
    assert await asyncio.to_thread(cli_main, ["ksef", "submit", "--db", fresh_db_url, "--today", "2026-11-16"]) == 0
    assert "KSeF: 5 accepted, 0 offline" in capsys.readouterr().out
    async with sm() as s:
        company = await _invoices(s, "10006")
        assert {i.ksef_status for i in company} == {"accepted"}
        assert company[-1].ksef_number.startswith(f"{UTILITY_NIP}-20261116-")
        # the invoices accepted before were not sent again: the same number, the same sending time
        everyone = {i.id: i for i in company + await _invoices(s, "10005")}
        assert {k: (everyone[k].ksef_number, everyone[k].ksef_sent_at) for k in accepted_before} == accepted_before
        numbers = [i.ksef_number for i in everyone.values() if i.ksef_number]
        assert len(set(numbers)) == len(numbers) and all(ksef.ksef_number_is_valid(n) for n in numbers)
    # nothing left: a second run sends nothing
    assert await asyncio.to_thread(cli_main, ["ksef", "submit", "--db", fresh_db_url, "--today", "2026-11-16"]) == 0
    assert "accepted" not in capsys.readouterr().out

    # the database refuses a KSeF number twice
    with pytest.raises(IntegrityError):
        async with sm() as s:
            first, second = (i for i in company[:2])
            await s.execute(update(Invoice).where(Invoice.id == second.id).values(ksef_number=first.ksef_number))
            await s.commit()
    await engine.dispose()


async def test_staff_set_the_customer_type_and_only_new_invoices_go_to_ksef(fresh_db_url):
    """A clerk makes person 10001 a business (a helpdesk operator may not): a NIP is required and
    checked, the change is audited with its reason; the invoices already issued stay outside KSeF,
    the next billing run's goes through it. Back to a person: the NIP goes."""
    settings = Settings(db_url=fresh_db_url, today=TODAY)
    await prepare_database(settings, seed_demo=True, seed_large=None)  # with the demo staff
    engine = make_engine(fresh_db_url)
    sm = make_sessionmaker(engine)
    transport = LifespanASGITransport(settings)
    async with httpx.AsyncClient(transport=transport, base_url="http://ebok.test/api/v1") as c:

        async def staff(login_name: str) -> tuple[dict[str, str], str]:
            password, secret = DEMO_STAFF[login_name]
            body = {
                "login": login_name,
                "password": password,
                "totp_code": pyotp.TOTP(secret).now() if secret else None,
            }
            h = bearer((await c.post("/staff/auth/login", json=body)).json()["token"])
            r = await c.post("/staff/customers/10001/access", json={"reason": "counter_visit"}, headers=h)
            assert r.status_code == 201, r.text
            assert (r.json()["customer"]["customer_type"], r.json()["customer"]["nip"]) == ("person", None)
            return h, f"/staff/access/{r.json()['access_id']}/customer-type"

        h, url = await staff("pomoc")
        change = {"customer_type": "business", "nip": "526-587-76-35", "reason": "Wpis do CEIDG okazany w BOK"}
        assert_error(await c.put(url, json=change, headers=h), 403, "forbidden")
        h, url = await staff("urzednik")
        for body, code in (
            (change | {"nip": "5265877634"}, "invalid_nip"),
            (change | {"nip": "52658776"}, "invalid_nip"),
            (change | {"nip": None}, "nip_required"),
            (change | {"customer_type": "person"}, "nip_not_allowed"),
            (change | {"reason": "  "}, "validation_error"),
            (change | {"customer_type": "company"}, "validation_error"),
        ):
            assert_error(await c.put(url, json=body, headers=h), 422, code)
        r = await c.put(url, json=change, headers=h)
        assert r.status_code == 200, r.text
        assert (r.json()["customer_type"], r.json()["nip"]) == ("business", "5265877635")
        again = await c.put(url, json=change, headers=h)  # nothing changes: nothing recorded
        assert again.status_code == 200 and again.json() == r.json()

        async with sm() as s:
            before = await _invoices(s, "10001")
            assert before and {i.ksef_status for i in before} == {"none"}  # issued as to a person
            cid = await s.scalar(select(Customer.id).where(Customer.customer_number == "10001"))
            (issued,) = [i for i in await issue_invoices(s, 2026, 11, TODAY) if i.customer_id == cid]
            await s.commit()
            assert issued.ksef_status == "pending" and "<NIP>5265877635</NIP>" in issued.ksef_file
            assert {i.ksef_status for i in await _invoices(s, "10001") if i.id != issued.id} == {"none"}

        r = await c.put(url, json={"customer_type": "person", "reason": "Pomyłka przy zmianie"}, headers=h)
        assert (r.json()["customer_type"], r.json()["nip"]) == ("person", None)
        async with sm() as s:  # the KSeF invoice issued meanwhile stays one (it is sent all the same)
            assert (await s.get(Invoice, issued.id)).ksef_status == "pending"

        sup, _ = await staff("kierownik")
        entries = (await c.get("/staff/audit", params={"customer_number": "10001"}, headers=sup)).json()["items"]
        changes = [(e["staff_login"], e["before"], e["after"]) for e in entries if e["resource"] == "customer_type"]
        assert changes == [
            (
                "urzednik",
                {"customer_type": "business", "nip": "5265877635"},
                {"customer_type": "person", "nip": None, "reason": "Pomyłka przy zmianie"},
            ),
            (
                "urzednik",
                {"customer_type": "person", "nip": None},
                {"customer_type": "business", "nip": "5265877635", "reason": "Wpis do CEIDG okazany w BOK"},
            ),
        ]
    await engine.dispose()


def _ksef_invoices(api, h) -> list[dict]:
    """The customer's invoices in detail, newest first."""
    items = api.get("/invoices", params={"limit": 50}, headers=h).json()["items"]
    return [api.get(f"/invoices/{i['id']}", headers=h).json() for i in items]


def test_the_invoice_detail_carries_ksef_and_the_act_for_twin_the_same(api):
    """The demo server: 10006's newest invoice offline (no number, the link all the same), the
    others accepted; the link is the seller's NIP, the issue date and the file's hash; a person's
    invoice has none."""
    h = bearer(login(api, "10006"))
    details = _ksef_invoices(api, h)
    assert [d["ksef"]["status"] for d in details] == ["offline"] + ["accepted"] * 4
    assert details[0]["ksef"]["number"] is None
    for d in details:
        day, month, year = d["issue_date"][8:], d["issue_date"][5:7], d["issue_date"][:4]
        prefix = f"https://qr.ksef.mf.gov.pl/invoice/{UTILITY_NIP}/{day}-{month}-{year}/"
        assert d["ksef"]["url"].startswith(prefix) and len(d["ksef"]["url"]) == len(prefix) + 43
        if d["ksef"]["number"]:
            assert ksef.ksef_number_is_valid(d["ksef"]["number"])
            assert d["ksef"]["number"][11:19] == f"{year}{month}{day}"  # accepted on its issue day
    assert len({d["ksef"]["url"] for d in details}) == len(details)
    person = bearer(login(api, "10001"))
    assert {d["ksef"] is None for d in _ksef_invoices(api, person)} == {True}

    r = api.post("/staff/auth/login", json={"login": "pomoc", "password": "pomoc-demo-2026"})  # helpdesk
    staff = bearer(r.json()["token"])
    r = api.post("/staff/customers/10006/access", json={"reason": "counter_visit"}, headers=staff)
    assert r.status_code == 201, r.text
    twin = api.get(f"/staff/access/{r.json()['access_id']}/invoices/{details[0]['id']}", headers=staff).json()
    assert twin["ksef"] == details[0]["ksef"]


def _pdf_page(data: bytes):
    """The PDF's first page rendered at 200 dpi (pypdfium2: PDFium, the PDF engine of Chrome) and its text."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    page = doc[0]
    image = page.render(scale=200 / 72, grayscale=True).to_pil()
    text = page.get_textpage().get_text_bounded()
    return image, text


def test_the_pdf_shows_the_verification_qr_with_the_number_or_offline(api):
    """The QR code drawn on the invoice PDF, rendered to pixels, decodes (zxing-cpp) to the exact
    verification link; the KSeF number is printed beneath it, or OFFLINE; a person's PDF has none."""
    import zxingcpp

    h = bearer(login(api, "10006"))
    offline, accepted = _ksef_invoices(api, h)[:2]
    for detail, label in ((offline, "OFFLINE"), (accepted, accepted["ksef"]["number"])):
        r = api.get(f"/invoices/{detail['id']}/pdf", headers=h)
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        image, text = _pdf_page(r.content)
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert [c.text for c in codes] == [detail["ksef"]["url"]]
        lines = [line.strip() for line in text.splitlines()]
        assert label in lines and "KSeF" in text and "NIP 6322000606" in text  # the buyer's NIP too
        assert ("OFFLINE" in lines) == (label == "OFFLINE")
    person = bearer(login(api, "10001"))
    first = api.get("/invoices", params={"limit": 1}, headers=person).json()["items"][0]
    image, text = _pdf_page(api.get(f"/invoices/{first['id']}/pdf", headers=person).content)
    assert zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode) == [] and "KSeF" not in text
