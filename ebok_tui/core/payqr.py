"""Payment QR code in the Polish banks' 2D transfer-code format (no Textual here).

Związek Banków Polskich, "Rekomendacja dotycząca kodu 2D" for domestic transfers: one line of
nine ``|``-separated fields, encoded as a QR code (UTF-8, error correction level L)::

    NIP|PL|ACCOUNT(26 digits)|AMOUNT(6 digits, grosze)|RECIPIENT(<=20)|TITLE(<=32)|||

* recipient NIP: 10 digits with a valid check digit; required when the recipient is a company
  (``company=True``), else optional (empty);
* country code: ``PL``;
* the 26-digit NRB account number (no ``PL`` prefix, no spaces);
* the amount in grosze, zero-padded to 6 digits (so at most 9 999,99 zł); ``000000`` means the
  payer types the amount in the banking app;
* recipient name, at most 20 characters; transfer title, at most 32 characters (counted after
  Unicode NFC normalisation, so "ą" typed as "a" + combining ogonek is one character);
* three reserved fields, left empty.

The recommendation's own examples, which :func:`build_payload` reproduces exactly::

    1234567890|PL|92124012340001567890123456|001200|Odbiorca 1|FV 1234/34/2012|||
    |PL|92124012340001567890123456|001200|Odbiorca 1|Przelew ekspress|||

A banking app scanning the code pre-fills the transfer form. The symbol carries the text in byte
mode (UTF-8), except runs of six or more digits (the NIP, the account number, the amount), which
use QR numeric mode: any reader decodes the same text, and the symbol stays at version 4
(33×33 modules) for the utility's name and a title of up to 26 bytes. With the 4-module quiet zone
the QR standard requires, that is 41×21 terminal cells: the rendering helper draws the symbol with
half-block characters, two QR rows per terminal line.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from collections.abc import Sequence

import segno
from segno import consts

from ebok_tui.core.validation import nip_is_valid

__all__ = [
    "MAX_AMOUNT_GROSZE",
    "AMOUNT_ENTERED_BY_PAYER",
    "RECIPIENT_MAX",
    "TITLE_MAX",
    "QUIET_ZONE",
    "PaymentQRError",
    "normalize_account",
    "nip_is_valid",
    "format_account",
    "build_payload",
    "make_qr",
    "make_link_qr",
    "half_block_lines",
]

MAX_AMOUNT_GROSZE = 999_999
#: Amount ``000000``: the banking app asks the payer for the amount.
AMOUNT_ENTERED_BY_PAYER = 0
RECIPIENT_MAX = 20
TITLE_MAX = 32
#: Light modules around the symbol on every side (ISO/IEC 18004 requires four).
QUIET_ZONE = 4
#: Digit runs at least this long go into a numeric-mode segment (3⅓ bits a digit instead of 8;
#: below six the extra segment headers cost more than they save).
NUMERIC_RUN_MIN = 6


_SEPARATOR = "|"


class PaymentQRError(ValueError):
    """The transfer cannot be expressed as a 2D code (bad account, amount out of range...)."""


def _iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check of ``PL`` + 26 digits."""
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def normalize_account(account: str) -> str:
    """The 26-digit NRB from an IBAN or NRB in any spacing (``PL61 1090 ...`` → ``6110 90...``).

    Raises :class:`PaymentQRError` when it is not 26 digits with valid check digits."""
    cleaned = re.sub(r"[\s-]", "", account or "").upper()
    if cleaned.startswith("PL"):
        cleaned = cleaned[2:]
    if not re.fullmatch(r"\d{26}", cleaned):
        raise PaymentQRError(f"not a Polish account number: {account!r}")
    if not _iban_valid("PL" + cleaned):
        raise PaymentQRError(f"wrong check digits in account number: {account!r}")
    return cleaned


def format_account(account: str) -> str:
    """``PL61109010140000071219812874`` → ``PL61 1090 1014 0000 0712 1981 2874``.

    Anything that is not a Polish account number is returned unchanged (shown as the server sent it)."""
    cleaned = re.sub(r"\s", "", account or "").upper()
    if re.fullmatch(r"PL\d{26}", cleaned) or re.fullmatch(r"\d{26}", cleaned):
        return " ".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))
    return account


def _text_field(value: str, limit: int) -> str:
    """One free-text field: NFC-normalised, no separators or control characters, single spaces,
    cut to ``limit`` characters."""
    value = unicodedata.normalize("NFC", value)
    value = value.replace(_SEPARATOR, " ")
    value = "".join(ch if ch.isprintable() else " " for ch in value)
    value = " ".join(value.split())
    return value[:limit].rstrip()


def build_payload(
    *,
    account: str,
    amount_grosze: int,
    recipient: str,
    title: str,
    nip: str = "",
    company: bool = False,
    verify_nip: bool = True,
    country: str = "PL",
) -> str:
    """The ZBP 2D-code text for one transfer.

    ``amount_grosze`` 0 (:data:`AMOUNT_ENTERED_BY_PAYER`) leaves the amount to the payer.
    ``company``: the recipient is a company, so its NIP is required. ``verify_nip=False`` skips
    only the check digit (the recommendation's own example NIP ``1234567890`` fails it).

    Raises :class:`PaymentQRError` for an invalid account, an amount that is not 0..999 999 grosze,
    a NIP that is not 10 digits with a valid check digit, a company recipient without a NIP, or
    an empty recipient name/title."""
    nrb = normalize_account(account)
    if isinstance(amount_grosze, bool) or not isinstance(amount_grosze, int):
        raise PaymentQRError("amount must be an integer number of grosze")
    if not 0 <= amount_grosze <= MAX_AMOUNT_GROSZE:
        raise PaymentQRError(f"amount out of range for the 2D code: {amount_grosze}")
    nip_digits = re.sub(r"[\s-]", "", nip or "")
    if nip_digits:
        if not re.fullmatch(r"\d{10}", nip_digits):
            raise PaymentQRError(f"a NIP has 10 digits: {nip!r}")
        if verify_nip and not nip_is_valid(nip_digits):
            raise PaymentQRError(f"wrong check digit in NIP: {nip!r}")
    elif company:
        raise PaymentQRError("a company recipient needs its NIP")
    recipient_field = _text_field(recipient, RECIPIENT_MAX)
    title_field = _text_field(title, TITLE_MAX)
    if not recipient_field or not title_field:
        raise PaymentQRError("recipient name and transfer title are required")
    fields = [
        nip_digits,
        country,
        nrb,
        f"{amount_grosze:06d}",
        recipient_field,
        title_field,
        "",
        "",
        "",
    ]
    return _SEPARATOR.join(fields)


def _segments(payload: str) -> list[tuple[str, int]]:
    """Byte-mode segments with numeric-mode ones for runs of ``NUMERIC_RUN_MIN`` or more ASCII digits."""
    segments: list[tuple[str, int]] = []
    position = 0
    for run in re.finditer(rf"[0-9]{{{NUMERIC_RUN_MIN},}}", payload):
        if run.start() > position:
            segments.append((payload[position : run.start()], consts.MODE_BYTE))
        segments.append((run.group(), consts.MODE_NUMERIC))
        position = run.end()
    if position < len(payload) or not segments:
        segments.append((payload[position:], consts.MODE_BYTE))
    return segments


def make_qr(payload: str) -> segno.QRCode:
    """Encode as the recommendation asks: QR (not Micro QR), UTF-8, level L; long digit runs in
    numeric mode (see the module docstring)."""
    # segno takes a list of (text, mode) segments (segno.encoder.prepare_data); its hint names only str/bytes/int
    segments: Any = _segments(payload)
    return segno.make(segments, error="l", encoding="utf-8", micro=False, boost_error=False)


def make_link_qr(url: str) -> segno.QRCode:
    """A link as a QR code (not Micro QR, level L, as small as the link allows): KSeF's
    verification link, about 100 characters, fits version 5 (37×37 modules)."""
    return segno.make(url, error="l", micro=False, boost_error=False)


def half_block_lines(matrix: Sequence[Sequence[int]], border: int = QUIET_ZONE) -> list[str]:
    """Two matrix rows per text line with ``▀ ▄ █`` and space; ``█`` parts are the dark modules.

    Draw the result dark-on-light (e.g. black on white) so the quiet zone is light on any
    terminal background. ``border`` light modules are added on every side."""
    size = len(matrix[0]) if matrix else 0
    width = size + 2 * border
    light_row = [0] * width
    rows = [light_row] * border
    rows += [[0] * border + [1 if m else 0 for m in row] + [0] * border for row in matrix]
    rows += [light_row] * border
    if len(rows) % 2:
        rows.append(light_row)
    glyphs = {(0, 0): " ", (1, 0): "▀", (0, 1): "▄", (1, 1): "█"}
    return [
        "".join(glyphs[(top[x], bottom[x])] for x in range(width))
        for top, bottom in zip(rows[0::2], rows[1::2], strict=True)
    ]
