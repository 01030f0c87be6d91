"""The ZBP 2D transfer-code payload and its QR rendering (pure functions, no app)."""

from __future__ import annotations

import unicodedata

import pytest

from ebok_tui.core.payqr import (
    AMOUNT_ENTERED_BY_PAYER,
    MAX_AMOUNT_GROSZE,
    QUIET_ZONE,
    PaymentQRError,
    build_payload,
    format_account,
    half_block_lines,
    make_qr,
    nip_is_valid,
    normalize_account,
)
from tests.qr_support import modules, scan, utility_payload

IBAN = "PL61109010140000071219812874"


def test_the_recommendations_published_examples() -> None:
    """ZBP's examples, byte for byte: a company recipient with NIP 1234567890 (a made-up NIP whose
    check digit is wrong, so only its format is checked here) and one without a NIP."""
    examples = [
        (
            {"title": "FV 1234/34/2012", "nip": "1234567890", "company": True, "verify_nip": False},
            "1234567890|PL|92124012340001567890123456|001200|Odbiorca 1|FV 1234/34/2012|||",
        ),
        ({"title": "Przelew ekspress"}, "|PL|92124012340001567890123456|001200|Odbiorca 1|Przelew ekspress|||"),
    ]
    for fields, expected in examples:
        payload = build_payload(
            account="92124012340001567890123456", amount_grosze=1200, recipient="Odbiorca 1", **fields
        )
        assert payload == expected
        assert scan(half_block_lines(make_qr(payload).matrix)) == [payload]


def test_payload_exact() -> None:
    payload = utility_payload(IBAN, 12345, "Klient 10001 FV/2026/11/000123")
    assert payload == (
        "6320001234|PL|61109010140000071219812874|012345|MPWiK Sp. z o.o.|Klient 10001 FV/2026/11/000123|||"
    )
    assert payload.count("|") == 8


def test_payload_truncates_and_sanitizes_text_fields() -> None:
    payload = build_payload(
        account="PL61 1090 1014 0000 0712 1981 2874",
        amount_grosze=1,
        recipient="Miejskie Przedsiębiorstwo Wodociągów i Kanalizacji",
        title="Opłata | za\twodę  i ścieki za listopad 2026 r.",
        nip="632-000-12-34",
    )
    fields = payload.split("|")
    assert len(fields) == 9
    assert fields[0] == "6320001234"
    assert fields[3] == "000001"
    assert fields[4] == "Miejskie Przedsiębio"  # 20 characters
    assert len(fields[4]) == 20
    assert fields[5] == "Opłata za wodę i ścieki za listo"
    assert len(fields[5]) == 32
    assert fields[6:] == ["", "", ""]


def test_nip_check_digit() -> None:
    assert nip_is_valid("6320001234")  # the reference server's utility
    assert nip_is_valid("5260250274")
    assert not nip_is_valid("6320001235")
    assert not nip_is_valid("1234567890")  # weighted sum mod 11 is 10: never issued
    assert not nip_is_valid("632000123")
    assert not nip_is_valid("632000123x")


@pytest.mark.parametrize("nip", ["12", "6320001235", "1234567890", "632-000-12-3x"])
def test_a_wrong_nip_is_refused_not_dropped(nip: str) -> None:
    with pytest.raises(PaymentQRError):
        build_payload(account=IBAN, amount_grosze=100, recipient="MPWiK", title="T", nip=nip)


def test_a_company_recipient_needs_its_nip() -> None:
    with pytest.raises(PaymentQRError, match="NIP"):
        build_payload(account=IBAN, amount_grosze=100, recipient="MPWiK Sp. z o.o.", title="T", company=True)
    payload = build_payload(
        account=IBAN, amount_grosze=100, recipient="MPWiK Sp. z o.o.", title="T", nip="632 000 12 34", company=True
    )
    assert payload.startswith("6320001234|PL|")
    # a private person may be paid without one
    assert build_payload(account=IBAN, amount_grosze=100, recipient="Jan Kowalski", title="T").startswith("|PL|")


def test_amount_zero_lets_the_payer_enter_it() -> None:
    payload = build_payload(account=IBAN, amount_grosze=AMOUNT_ENTERED_BY_PAYER, recipient="MPWiK", title="T")
    assert payload.split("|")[3] == "000000"


@pytest.mark.parametrize("amount", [-1, -5, MAX_AMOUNT_GROSZE + 1])
def test_amount_out_of_range(amount: int) -> None:
    with pytest.raises(PaymentQRError):
        build_payload(account=IBAN, amount_grosze=amount, recipient="MPWiK", title="T")


def test_field_lengths_are_counted_after_nfc_normalisation() -> None:
    """ "Wodociągi" typed with a combining ogonek is 10 code points but 9 characters: the name
    still fits 20 characters whole, and a cut never leaves a bare combining mark behind."""
    decomposed = unicodedata.normalize("NFD", "Wodociągi Jaworzno A")
    assert len(decomposed) == 21
    payload = build_payload(
        account=IBAN,
        amount_grosze=1,
        recipient=decomposed,
        title=unicodedata.normalize("NFD", "Opłata za wodę i ścieki, listopad"),
    )
    fields = payload.split("|")
    assert fields[4] == "Wodociągi Jaworzno A"
    assert fields[5] == "Opłata za wodę i ścieki, listopa"
    assert len(fields[5]) == 32
    assert payload == unicodedata.normalize("NFC", payload)


def test_amount_limit_is_six_digits() -> None:
    payload = build_payload(account=IBAN, amount_grosze=MAX_AMOUNT_GROSZE, recipient="MPWiK", title="T")
    assert payload.split("|")[3] == "999999"


@pytest.mark.parametrize(
    "account",
    [
        "",
        "PL6110901014000007121981287",
        "PL62109010140000071219812874",
        "DE89370400440532013000",
        "PL61x09010140000071219812874",
    ],
)
def test_bad_account(account: str) -> None:
    with pytest.raises(PaymentQRError):
        normalize_account(account)


def test_account_forms() -> None:
    assert normalize_account(IBAN) == "61109010140000071219812874"
    assert normalize_account("61 1090 1014 0000 0712 1981 2874") == "61109010140000071219812874"
    assert format_account(IBAN) == "PL61 1090 1014 0000 0712 1981 2874"
    assert format_account("61109010140000071219812874") == "6110 9010 1400 0007 1219 8128 74"
    assert format_account("weird") == "weird"


def test_qr_encoding_parameters_and_matrix() -> None:
    payload = utility_payload(IBAN, 12345, "Klient 10001 FV/2026/11/000123")
    qr = make_qr(payload)
    assert qr.error == "L"
    assert not qr.is_micro
    # 98 bytes: in byte mode alone that is version 5 (4 holds 78 bytes); the NIP, account and
    # amount in numeric mode bring it down to version 4 (33x33)
    assert len(payload.encode("utf-8")) == 98
    assert qr.version == 5
    short = utility_payload(IBAN, 12345, "Saldo 10001 na 15.11.2026")
    assert make_qr(short).version == 4
    assert scan(half_block_lines(make_qr(short).matrix)) == [short]
    size = 17 + 4 * qr.version
    assert len(qr.matrix) == size
    assert all(len(row) == size for row in qr.matrix)
    # the same payload gives the same symbol (deterministic, mask chosen by the encoder)
    assert make_qr(payload).matrix == qr.matrix


def test_qr_utf8_diacritics_grow_the_symbol() -> None:
    ascii_payload = build_payload(account=IBAN, amount_grosze=1, recipient="Zaklad", title="Oplata za wode x" * 2)
    polish_payload = build_payload(account=IBAN, amount_grosze=1, recipient="Zakład", title="Opłata za wodę ż" * 2)
    assert len(polish_payload) == len(ascii_payload)
    assert len(polish_payload.encode("utf-8")) > len(ascii_payload.encode("utf-8"))
    assert make_qr(polish_payload).version >= make_qr(ascii_payload).version
    assert scan(half_block_lines(make_qr(polish_payload).matrix)) == [polish_payload]


def test_half_block_rendering() -> None:
    matrix = [
        [1, 0, 1],
        [1, 1, 0],
        [0, 1, 1],
    ]
    lines = half_block_lines(matrix, border=1)
    # 3 rows + 2 border = 5 rows → 3 lines (the last padded with a light row), width 3 + 2
    assert len(lines) == 3
    assert all(len(line) == 5 for line in lines)
    # row0 (border) over row1 [0,1,0,1,0] → " ▄ ▄ "
    assert lines[0] == " ▄ ▄ "
    # row2 [0,1,1,0,0] over row3 [0,0,1,1,0] → " ▀█▄ "
    assert lines[1] == " ▀█▄ "
    # row4 (border) over the padding row → blank
    assert lines[2] == "     "


def test_half_block_real_qr_size() -> None:
    qr = make_qr("6320001234|PL|61109010140000071219812874|012345|MPWiK|T|||")
    lines = half_block_lines(qr.matrix)
    size = len(qr.matrix) + 2 * QUIET_ZONE
    assert QUIET_ZONE == 4  # ISO/IEC 18004
    assert len(lines) == (size + 1) // 2
    assert {len(line) for line in lines} == {size}
    assert set("".join(lines)) <= {" ", "▀", "▄", "█"}


def test_half_block_lines_round_trip_to_the_symbol() -> None:
    """Reading the drawn characters back gives exactly the QR matrix inside a 4-module quiet zone."""
    payload = utility_payload(IBAN, 23748, "Klient 10001 FV/2026/11/000001")
    qr = make_qr(payload)
    lines = half_block_lines(qr.matrix)
    rows = modules(lines)
    size, q = len(qr.matrix), 4
    assert all(not any(row) for row in rows[:q] + rows[q + size :])  # quiet zone above and below
    inner = [row[q : q + size] for row in rows[q : q + size]]
    assert inner == [[1 if m else 0 for m in row] for row in qr.matrix]
    assert all(row[:q] == [0] * q and row[q + size :] == [0] * q for row in rows)  # left and right
    assert scan(lines) == [payload]
