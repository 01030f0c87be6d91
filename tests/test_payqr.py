"""The ZBP 2D transfer-code payload and its QR rendering (pure functions, no app)."""

from __future__ import annotations

import pytest

from ebok_tui.core.payqr import (
    MAX_AMOUNT_GROSZE,
    PaymentQRError,
    build_payload,
    format_account,
    half_block_lines,
    make_qr,
    normalize_account,
)

IBAN = "PL61109010140000071219812874"


def test_payload_exact() -> None:
    payload = build_payload(
        account=IBAN,
        amount_grosze=12345,
        recipient="MPWiK Sp. z o.o.",
        title="Klient 10001 FV/2026/11/000123",
        nip="6320001234",
    )
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


def test_payload_without_valid_nip_leaves_it_empty() -> None:
    payload = build_payload(account=IBAN, amount_grosze=100, recipient="MPWiK", title="T", nip="12")
    assert payload.startswith("|PL|61109010140000071219812874|000100|MPWiK|T|||")


@pytest.mark.parametrize("amount", [0, -5, MAX_AMOUNT_GROSZE + 1])
def test_amount_out_of_range(amount: int) -> None:
    with pytest.raises(PaymentQRError):
        build_payload(account=IBAN, amount_grosze=amount, recipient="MPWiK", title="T")


def test_amount_limit_is_six_digits() -> None:
    payload = build_payload(account=IBAN, amount_grosze=MAX_AMOUNT_GROSZE, recipient="MPWiK", title="T")
    assert payload.split("|")[3] == "999999"


@pytest.mark.parametrize(
    "account",
    ["", "PL6110901014000007121981287", "PL62109010140000071219812874", "DE89370400440532013000", "PL61x09010140000071219812874"],
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
    payload = build_payload(
        account=IBAN, amount_grosze=12345, recipient="MPWiK Sp. z o.o.", title="Klient 10001 FV/2026/11/000123",
        nip="6320001234",
    )
    qr = make_qr(payload)
    assert qr.error == "L"
    assert qr.mode == "byte"
    assert not qr.is_micro
    # 98 bytes in byte mode at level L: version 5 (4 holds 78, 5 holds 106)
    assert len(payload.encode("utf-8")) == 98
    assert qr.version == 5
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
    assert make_qr(polish_payload).mode == "byte"


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
    size = len(qr.matrix) + 4
    assert len(lines) == (size + 1) // 2
    assert {len(line) for line in lines} == {size}
    assert set("".join(lines)) <= {" ", "▀", "▄", "█"}


def test_half_block_lines_round_trip_to_the_symbol() -> None:
    """Reading the drawn characters back gives exactly the QR matrix inside a 2-module quiet zone."""
    payload = build_payload(
        account=IBAN, amount_grosze=23748, recipient="MPWiK Sp. z o.o.", title="Klient 10001 FV/2026/11/000001",
        nip="6320001234",
    )
    qr = make_qr(payload)
    lines = half_block_lines(qr.matrix)
    top = {" ": 0, "▄": 0, "▀": 1, "█": 1}
    bottom = {" ": 0, "▀": 0, "▄": 1, "█": 1}
    rows = []
    for line in lines:
        rows.append([top[ch] for ch in line])
        rows.append([bottom[ch] for ch in line])
    size = len(qr.matrix)
    assert all(not any(row) for row in rows[:2] + rows[2 + size :])  # quiet zone above and below
    inner = [row[2 : 2 + size] for row in rows[2 : 2 + size]]
    assert inner == [[1 if m else 0 for m in row] for row in qr.matrix]
    assert all(row[:2] == [0, 0] and row[2 + size :] == [0, 0] for row in rows)  # left and right
