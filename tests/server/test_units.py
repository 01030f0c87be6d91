"""Unit tests of pure server logic (no HTTP): expiry, money, IBAN, PDF fallback."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from ebok_server.billing import div_round, fee_line, iban_for, iban_is_valid, invoice_status
from ebok_server.pdf import render_invoice_pdf, transliterate
from ebok_server.tariffs import Rate, TariffBook
from ebok_server.security import (
    hash_password,
    new_token,
    session_expires_at,
    session_is_expired,
    token_hash,
    verify_password,
)
from ebok_server.units import fmt_milli, fmt_pln, parse_milli

T0 = dt.datetime(2026, 11, 15, 8, 0, 0)


def test_idle_expiry():
    assert not session_is_expired(T0, T0, T0 + dt.timedelta(minutes=29, seconds=59))
    assert session_is_expired(T0, T0, T0 + dt.timedelta(minutes=30))


def test_activity_extends_idle_window_but_not_beyond_absolute():
    created = T0
    last = T0 + dt.timedelta(hours=11, minutes=50)
    assert session_expires_at(created, last) == T0 + dt.timedelta(hours=12)
    assert not session_is_expired(created, last, T0 + dt.timedelta(hours=11, minutes=59))
    assert session_is_expired(created, last, T0 + dt.timedelta(hours=12))
    last = T0 + dt.timedelta(hours=1)
    assert session_expires_at(created, last) == T0 + dt.timedelta(hours=1, minutes=30)


def test_tokens_are_random_and_hashed():
    a, b = new_token(), new_token()
    assert a != b and len(a) >= 43
    assert token_hash(a) != a and len(token_hash(a)) == 64


def test_password_hash_is_argon2id_and_dummy_verify_fails():
    h = hash_password("woda-12345")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "woda-12345")
    assert not verify_password(h, "wrong")
    assert not verify_password(None, "woda-12345")


def test_production_argon2_parameters(tmp_path):
    """The suite hashes cheaply (tests/argon2_cost.py); a plain server process does not: a staff
    account made by ``python -m ebok_server`` (no test code loaded) is hashed with argon2id at
    OWASP's parameters (t=2, 19 MiB, 1 lane; ebok_server/security.py), and so is every stored password."""
    import sqlite3
    import subprocess
    import sys

    from tests.server_proc import REPO_ROOT, _env

    db = tmp_path / "prod.db"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ebok_server",
            "staff",
            "--db",
            f"sqlite+aiosqlite:///{db}",
            "add",
            "anna",
            "--name",
            "Anna",
            "--role",
            "helpdesk",
            "--password",
            "dluga-fraza-na-probe",
            "--no-totp",
        ],
        cwd=REPO_ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT password_hash FROM staff_accounts").fetchone()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), stored
    # and this process (the tests') hashes with the cheap test parameters, not by accident the other way
    assert hash_password("x").startswith("$argon2id$v=19$m=1024,t=1,p=1$")


def test_fee_lines():
    """The initial tariff's fee (0,93 / 2,16 zl net + 8%) is the old 1,00 / 2,33 zl gross."""
    rows = [
        Rate(i, "G1", c, "szt", net, 8, dt.date(2015, 1, 1), None)
        for i, (c, net) in enumerate((("fee_efaktura", 93), ("fee_paper", 216)))
    ]
    rates = TariffBook(rows).on("G1", dt.date(2026, 1, 1))
    with_ef, without = fee_line(rates, True), fee_line(rates, False)
    assert with_ef.gross == 100 and with_ef.net + with_ef.vat == 100
    assert without.gross == 233 and without.net + without.vat == 233
    assert without.net == 216 and without.vat == 17


def test_money_and_volume_formatting():
    assert div_round(5, 2) == 3 and div_round(4, 2) == 2
    assert fmt_milli(12345) == "12.345" and fmt_milli(5) == "0.005"
    assert parse_milli("130.5") == 130500 and parse_milli("7") == 7000
    assert fmt_pln(1234567) == "12 345,67 zł"


@pytest.mark.parametrize("number", ["10001", "10002", "19999", "00000", "99999"])
def test_iban_check_digits(number):
    iban = iban_for(number)
    assert iban_is_valid(iban)
    assert len(iban) == 28 and iban.endswith(number)
    bad = iban[:-1] + str((int(iban[-1]) + 1) % 10)
    assert not iban_is_valid(bad)


def test_known_valid_iban():
    assert iban_is_valid("PL61109010140000071219812874")


def test_invoice_status_precedence():
    d = dt.date(2026, 11, 15)
    assert invoice_status(100, 100, d, d) == "paid"
    assert invoice_status(100, 0, d, d) == "unpaid"  # due today is not overdue yet
    assert invoice_status(100, 50, d, d) == "partially_paid"
    assert invoice_status(100, 50, d - dt.timedelta(days=1), d) == "overdue"


def _line(description: str, quantity: str, unit: str, unit_price_net: int, net: int, vat: int, gross: int):
    """An invoice line as ``render_invoice_pdf`` reads it (VAT 8 %)."""
    return SimpleNamespace(
        description=description,
        quantity=quantity,
        unit=unit,
        unit_price_net=unit_price_net,
        net=net,
        vat_rate=8,
        vat=vat,
        gross=gross,
    )


def _invoice_pdf(lines: list, efaktura: bool, customer: SimpleNamespace) -> bytes:
    """``render_invoice_pdf`` with the core font (no Unicode font) of FV/2026/11/000001 (October,
    due 24.11.2026) with ``lines``; the totals are theirs."""
    detail = SimpleNamespace(
        number="FV/2026/11/000001",
        issue_date=dt.date(2026, 11, 10),
        due_date=dt.date(2026, 11, 24),
        period_from=dt.date(2026, 10, 1),
        period_to=dt.date(2026, 10, 31),
        lines=lines,
        net_total=sum(line.net for line in lines),
        vat_total=sum(line.vat for line in lines),
        gross_total=sum(line.gross for line in lines),
        efaktura=efaktura,
        ksef=None,
    )
    return render_invoice_pdf(detail, customer, font_path=None)


def test_pdf_without_unicode_font_does_not_crash_on_polish():
    assert transliterate("Odprowadzanie ścieków, Łódź, żółć") == "Odprowadzanie sciekow, Lodz, zolc"
    customer = SimpleNamespace(full_name="Paweł Wójcik", customer_number="10009", address="ul. Źródlana 1", nip=None)
    data = _invoice_pdf([_line("Odprowadzanie ścieków", "1.000", "m3", 824, 824, 66, 890)], True, customer)
    assert data.startswith(b"%PDF")


def _pdf_strings(data: bytes) -> list[str]:
    """The text-showing strings of a core-font PDF's (deflated) page content."""
    import re
    import zlib

    found: list[str] = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            content = stream
        found += [s.decode("latin-1") for s in re.findall(rb"\((.*?)\) ?Tj", content)]
    return found


def test_pdf_numbers_are_written_the_polish_way():
    """A Polish reader sees "7.887" and "1.000 szt" as thousands: the PDF says "7,887 m³" and "1 szt"."""
    lines = [
        _line("Dostawa wody", "7.887", "m3", 587, 4630, 370, 5000),
        _line("Opłata abonamentowa (za rozliczenie)", "1.000", "szt", 216, 216, 17, 233),
        _line("Dostawa wody", "1234.500", "m3", 587, 724_652, 57_972, 782_624),
    ]
    customer = SimpleNamespace(full_name="Jan Kowalski", customer_number="10001", address="ul. Wodna 2", nip=None)
    shown = _pdf_strings(_invoice_pdf(lines, False, customer))
    assert "7,887" in shown and "1" in shown and "1 234,500" in shown
    assert "7.887" not in shown and "1.000" not in shown
    assert "50,00 zl" in shown and "7 826,24 zl" in shown  # transliterated core font: zł -> zl
    assert any("Do zaplaty: 7 878,57 zl" in s for s in shown)
    assert any("Termin platnosci: 24.11.2026" in s for s in shown)
    assert not any("2026-11-24" in s for s in shown)


def test_database_errors_do_not_carry_parameters(fresh_db_url):
    """A failing statement's message must not include its bound values (hashes, e-mails)."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from ebok_server.db import make_engine

    async def run() -> str:
        engine = make_engine(fresh_db_url)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT * FROM no_such_table WHERE secret = :s"), {"s": "hash-s3cret"})
        except DBAPIError as error:
            return str(error)
        finally:
            await engine.dispose()
        raise AssertionError("the statement should have failed")

    message = asyncio.run(run())
    assert "no_such_table" in message
    assert "hash-s3cret" not in message
