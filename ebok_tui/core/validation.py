"""Shape checks of what a resident types, shared by every form that asks for it (no textual here).

Deliberately loose where the server does the real check: an e-mail only has to look like
something@something.tld without spaces.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

CUSTOMER_NUMBER = re.compile(r"\d{5}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
EMAIL_MAX_LENGTH = 254
#: The shortest new password the client accepts (the server's own rules refuse weak ones).
PASSWORD_MIN_LENGTH = 8
#: The longest message body the server accepts (docs/API.md), in characters.
MESSAGE_BODY_MAX = 10_000
PHONE_SEPARATORS = re.compile(r"[ -]")
PL_PHONE = re.compile(r"(?:\+48)?[0-9]{9}")  # as the server checks it (docs/API.md, contact_phone)
NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)


def valid_customer_number(text: str) -> bool:
    return CUSTOMER_NUMBER.fullmatch(text) is not None


def email_problem(text: str) -> str | None:
    """``"empty"``, ``"invalid"``, or None when the (stripped) text looks like an e-mail address."""
    text = text.strip()
    if not text:
        return "empty"
    if EMAIL.fullmatch(text) is None or len(text) > EMAIL_MAX_LENGTH:
        return "invalid"
    return None


_AMOUNT = re.compile(r"(\d{1,7})(?:[.,](\d{1,2}))?")


def parse_amount_grosze(text: str) -> int | None:
    """``"123,45"`` / ``"123.45 zł"`` / ``"1 234,5"`` -> grosze (12345 / 12345 / 123450); None when
    it is not a positive amount in złoty with at most two decimals."""
    cleaned = re.sub(r"\s+|zł$|zl$|PLN$", "", text.strip(), flags=re.I).replace("\u00a0", "")
    m = _AMOUNT.fullmatch(cleaned)
    if m is None:
        return None
    grosze = int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))
    return grosze or None


def phone_problem(text: str) -> str | None:
    """``"invalid"``, or None when the text is empty or a Polish phone number: 9 digits, optionally
    after +48, spaces and dashes allowed."""
    text = text.strip()
    if not text or PL_PHONE.fullmatch(PHONE_SEPARATORS.sub("", text)):
        return None
    return "invalid"


_LOCAL_DATETIME = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2})[:.](\d{2})")


def parse_local_datetime(text: str) -> _dt.datetime | None:
    """``DD.MM.YYYY HH:MM`` in this computer's time zone, as an aware datetime (None: not that
    shape, or no such day or time)."""
    m = _LOCAL_DATETIME.fullmatch(text.strip())
    if m is None:
        return None
    day, month, year, hour, minute = (int(g) for g in m.groups())
    try:
        return _dt.datetime(year, month, day, hour, minute).astimezone()
    except ValueError:
        return None


def _parse_problem(text: str, parse: Callable[[str], object | None]) -> str | None:
    """``"empty"``, ``"invalid"`` (``parse`` answers None) or None."""
    if not text.strip():
        return "empty"
    return None if parse(text) is not None else "invalid"


def datetime_problem(text: str) -> str | None:
    """``"empty"``, ``"invalid"`` (see :func:`parse_local_datetime`) or None."""
    return _parse_problem(text, parse_local_datetime)


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_PL_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def parse_date(text: str) -> _dt.date | None:
    """A date as a resident types it: ``31.12.2025`` (Polish) or ``2025-12-31`` (ISO); None if it is
    neither or no such day."""
    text = text.strip()
    if m := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _PL_DATE.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        return None
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def date_problem(text: str) -> str | None:
    """``"empty"``, ``"invalid"`` (not a date of either form, or no such day), or None."""
    return _parse_problem(text, parse_date)


def household_problem(text: str) -> str | None:
    """Persons in a household: empty (the server's default) or a whole number 1..20 (``"invalid"``)."""
    text = text.strip()
    if not text:
        return None
    return None if text.isascii() and text.isdigit() and 1 <= int(text) <= 20 else "invalid"


def nip_is_valid(nip: str) -> bool:
    """Polish tax id: 10 digits, the last one the weighted sum of the first nine mod 11 (a sum
    giving 10 is never issued)."""
    if not re.fullmatch(r"[0-9]{10}", nip):
        return False
    check = sum(int(d) * w for d, w in zip(nip[:9], NIP_WEIGHTS, strict=True)) % 11
    return check == int(nip[9])


def nip_digits(text: str) -> str:
    """A NIP as typed (``526-587-76-35``, ``526 587 76 35``) as its digits."""
    return PHONE_SEPARATORS.sub("", text.strip())


def nip_problem(text: str) -> str | None:
    """``"empty"``, ``"invalid"`` (not 10 digits with the right check digit), or None."""
    digits = nip_digits(text)
    if not digits:
        return "empty"
    return None if nip_is_valid(digits) else "invalid"
