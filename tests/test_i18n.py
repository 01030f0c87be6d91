"""Message catalogues and locale formatting."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from ebok_tui.core.i18n import LANGUAGES, I18n, load_catalog

ROOT = Path(__file__).resolve().parent.parent / "ebok_tui"


def test_every_language_has_the_same_keys():
    pl, en = (set(load_catalog(lang)) for lang in LANGUAGES)
    assert pl - en == set(), f"missing in English: {sorted(pl - en)}"
    assert en - pl == set(), f"missing in Polish: {sorted(en - pl)}"


def test_placeholders_match_between_languages():
    field = re.compile(r"{(\w+)}")
    pl, en = load_catalog("pl"), load_catalog("en")
    for key in pl:
        assert set(field.findall(pl[key])) == set(field.findall(en[key])), key


# t("a.b"), self.t('a.b'), i18n.t("a.b", ...), and Binding descriptions like "bind.reload"
_T_CALL = re.compile(r"""\bt\(\s*f?["']([a-z_]+\.[a-z0-9_.]+)["']""")
_BINDING = re.compile(r"""Binding\([^)]*?["'](bind\.[a-z_]+)["']""")


def test_every_literal_key_used_in_the_code_exists():
    keys = set(load_catalog("pl"))
    missing = []
    for path in ROOT.rglob("*.py"):
        if path.name == "i18n.py":  # its docstring shows an example key
            continue
        text = path.read_text(encoding="utf-8")
        for match in [*_T_CALL.finditer(text), *_BINDING.finditer(text)]:
            key = match.group(1)
            if "{" in key or key.endswith("."):
                continue
            if key not in keys:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert missing == []


def test_polish_catalogue_uses_polish_letters():
    text = " ".join(load_catalog("pl").values())
    assert re.search("[ąćęłńóśźż]", text)


@pytest.mark.parametrize(
    ("grosze", "pl", "en"),
    [
        (0, "0,00 zł", "PLN 0.00"),
        (5, "0,05 zł", "PLN 0.05"),
        (233, "2,33 zł", "PLN 2.33"),
        (123456, "1 234,56 zł", "PLN 1,234.56"),
        (-123456, "-1 234,56 zł", "-PLN 1,234.56"),
        (123456789, "1 234 567,89 zł", "PLN 1,234,567.89"),
    ],
)
def test_money(grosze, pl, en):
    assert I18n("pl").money(grosze) == pl
    assert I18n("en").money(grosze) == en


def test_dates_and_volumes():
    assert I18n("pl").date(date(2026, 3, 5)) == "05.03.2026"
    assert I18n("en").date(date(2026, 3, 5)) == "5 Mar 2026"
    assert I18n("pl").date(None) == "—"
    assert I18n("pl").volume(Decimal("1234.5")) == "1 234,500 m³"
    assert I18n("en").volume("12.345") == "12.345 m³"
    assert I18n("pl").month(date(2026, 11, 1)) == "11.2026"
    stamp = datetime(2026, 11, 15, 10, 30, tzinfo=timezone.utc)
    assert I18n("pl").datetime(stamp).startswith(I18n("pl").date(stamp.astimezone().date()))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("123,456", Decimal("123.456")),
        ("123.456", Decimal("123.456")),
        (" 1 234,5 ", Decimal("1234.5")),
        ("12 m³", Decimal("12")),
        ("", None),
        ("abc", None),
        ("1,2,3", None),
        ("1.234,5", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_decimal(text, value):
    assert I18n("pl").parse_decimal(text) == value


def test_missing_key_falls_back_to_polish_then_key():
    assert I18n("en").t("no.such.key") == "no.such.key"
    assert I18n("pl").t("app.customer", number="10001") == "Klient 10001"
    assert I18n("en").t("app.customer", number="10001") == "Customer 10001"
    # a wrong placeholder never raises
    assert I18n("pl").t("app.customer") == "Klient {number}"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        I18n("de")


def test_label_falls_back_to_the_given_text_for_unknown_codes():
    assert I18n("pl").label("nav.balance", "balance") == "Saldo"
    assert I18n("en").label("nav.balance", "balance") == "Balance"
    assert I18n("pl").label("invoices.status.refunded", "refunded") == "refunded"


# --- issue 8, point 11: the words a resident reads -----------------------------------------------


def test_key_names_are_written_as_on_the_keyboard():
    """"Ctrl+S", as on the key caps and in every manual, not "ctrl+s"."""
    for lang in LANGUAGES:
        lower = {k: v for k, v in load_catalog(lang).items() if re.search(r"\bctrl\+", v)}
        assert lower == {}, lang


def test_one_polish_term_for_overdue():
    pl = load_catalog("pl")
    assert [k for k, v in pl.items() if "przeterminowan" in v] == []
    assert pl["invoices.status.overdue"] == pl["invoices.status_full.overdue"] == "po terminie"


def test_full_name_and_case_statuses_in_polish():
    pl = load_catalog("pl")
    assert pl["account.full_name"] == "Imię i nazwisko"
    # "sprawa" is feminine: "sprawa wysłana / w realizacji / z odpowiedzią / zamknięta"
    statuses = [pl[f"correspondence.status_{s}"] for s in ("sent", "in_progress", "answered", "closed")]
    assert statuses == ["wysłana", "w realizacji", "z odpowiedzią", "zamknięta"]
    assert I18n("pl").t("thread.state", status=statuses[3]) == "sprawa zamknięta"


def test_natural_english_for_cases_and_meter_readers():
    en = load_catalog("en")
    assert [k for k, v in en.items() if re.search(r"\bmatters?\b", v, re.I)] == []
    assert en["readings.type.collector"] == "meter reader"
    assert en["thread.title"] == "Case" and en["correspondence.pager"].startswith("Cases ")


def test_ten_thousand_has_its_thousands_separator():
    pl, en = I18n("pl"), I18n("en")
    assert pl.t("compose.body_too_long", max=pl.decimal(10_000, 0), length=pl.decimal(10_001, 0)) == (
        "Treść może mieć najwyżej 10 000 znaków (teraz: 10 001). Skróć ją.")
    assert "at most 10,000 characters" in en.t("thread.reply_too_long", max=en.decimal(10_000, 0))
