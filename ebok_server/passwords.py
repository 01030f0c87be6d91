"""Password rules after NIST SP 800-63B (5.1.1.2): a minimum length, long passphrases allowed, no
composition rules, and a check against passwords that are known, common or guessable from context.

The common-password list is ``data/common-passwords.txt`` (8,354 entries of 8+ characters from the
20,000 most common passwords of breach corpora as shipped by Django; see that file's header).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

MIN_LENGTH = 8
MAX_LENGTH = 256  # long passphrases welcome (NIST: at least 64)

# Context words a resident of this utility would be tempted to use (lower case, no diacritics).
_CONTEXT_WORDS = ("ebok", "mpwik", "wodociag", "haslo", "password", "jaworzno")
_DEMO_STYLE = re.compile(r"^\W*(woda|water|ebok|mpwik|haslo|password)\W*\d*\W*$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("ebok_server").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _fold(text: str) -> str:
    """Lower case without diacritics (``Hasło`` -> ``haslo``)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _monotonous(text: str) -> bool:
    """One repeated character or block (``aaaaaaaa``, ``abcabcabc``) or a plain run (``12345678``)."""
    n = len(text)
    for size in range(1, n // 2 + 1):
        if n % size == 0 and text[:size] * (n // size) == text:
            return True
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return len(steps) == 1 and steps <= {1, -1}


def password_problem(password: str, customer_number: str | None = None, current: str | None = None) -> str | None:
    """Why ``password`` is not acceptable (an English message for ``fields.new_password``), or None."""
    if len(password) < MIN_LENGTH:
        return f"too short: at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"too long: at most {MAX_LENGTH} characters"
    if current is not None and password == current:
        return "same as the current password"
    folded = _fold(password)
    stripped = re.sub(r"[\W_]+", "", folded)
    if customer_number and customer_number in password:
        return "contains the customer number"
    if _DEMO_STYLE.match(folded):
        return "too easy to guess"
    common = common_passwords()
    if folded in common or stripped in common or _monotonous(folded):
        return "too common"
    # A context word with only digits/punctuation around it (``Ebok2026!``, ``mpwik-123``).
    for word in _CONTEXT_WORDS:
        if word in stripped and len(re.sub(r"\d", "", stripped.replace(word, ""))) < 3:
            return "too easy to guess"
    return None
