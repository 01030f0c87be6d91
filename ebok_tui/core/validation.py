"""Shape checks of what a resident types, shared by every form that asks for it (no textual here).

Deliberately loose where the server does the real check: an e-mail only has to look like
something@something.tld without spaces.
"""

from __future__ import annotations

import re

CUSTOMER_NUMBER = re.compile(r"\d{5}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
EMAIL_MAX_LENGTH = 254


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
