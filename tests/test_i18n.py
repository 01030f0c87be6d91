"""Message catalogues and locale formatting."""

from __future__ import annotations

import ast
import importlib
import json
import re
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from textual.binding import Binding

from ebok_tui.core import i18n
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


# t("a.b"), self.t('a.b'), i18n.t("a.b", ...)
_T_CALL = re.compile(r"""\bt\(\s*f?["']([a-z_]+\.[a-z0-9_.]+)["']""")
# a literal that names a family of keys: "contract.state_" + state
_KEY_PREFIX = re.compile(r"^[a-z_]+\.([a-z0-9_.]*[._])?$")


def test_every_literal_key_used_in_the_code_exists():
    keys = set(load_catalog("pl"))
    missing = []
    for path in ROOT.rglob("*.py"):
        if path.name == "i18n.py":  # its docstring shows an example key
            continue
        text = path.read_text(encoding="utf-8")
        for match in _T_CALL.finditer(text):
            key = match.group(1)
            if "{" in key or key.endswith("."):
                continue
            if key not in keys:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert missing == []


def _ui_classes() -> list[type]:
    """Every Textual class (app, screen, widget) defined in ebok_tui, after importing all its modules."""
    from textual.dom import DOMNode

    for path in sorted((ROOT / "ui").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        importlib.import_module(module.removesuffix(".__init__"))
    found, todo = [], [DOMNode]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("ebok_tui."):
                found.append(sub)
    return found


def binding_problems(classes: list[type], keys: set[str]) -> list[str]:
    """Each binding description (whatever its key's prefix) that is not a catalogue key."""
    return [
        f"{cls.__module__}.{cls.__qualname__}: {binding.key} -> {binding.description!r}"
        for cls in classes
        for binding in cls.__dict__.get("BINDINGS", [])
        if isinstance(binding, Binding) and binding.description and binding.description not in keys
    ]


def test_every_binding_description_is_a_catalogue_key():
    classes = _ui_classes()
    assert {"EbokApp", "SectionScreen", "SubScreen", "BaseModal", "LoginScreen"} <= {c.__name__ for c in classes}
    assert binding_problems(classes, set(load_catalog("pl"))) == []


def test_a_binding_with_a_missing_key_is_reported():
    """The check above fails for a description that is not in the catalogue, whatever its prefix
    (not only ``bind.``): here a section key renamed to one that does not exist."""
    from textual.screen import Screen

    class Renamed(Screen):
        BINDINGS = [
            Binding("1", "app.open_section('balance')", "nav.balance_renamed"),
            Binding("r", "x", "bind.reload"),
        ]

    Renamed.__module__ = "ebok_tui.ui.probe"
    problems = binding_problems([Renamed], set(load_catalog("pl")))
    assert problems == [
        "ebok_tui.ui.probe.test_a_binding_with_a_missing_key_is_reported.<locals>.Renamed: 1 -> 'nav.balance_renamed'"
    ]


def _used_strings() -> tuple[set[str], set[str]]:
    """Every string literal in the client, and every literal start of a key built at run time
    (``f"invoices.status.{s}"``, ``"contract.state_" + state``)."""
    literals: set[str] = set()
    prefixes: set[str] = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
                if _KEY_PREFIX.match(node.value):
                    prefixes.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                start = str(node.values[0].value)
                if _KEY_PREFIX.match(start):
                    prefixes.add(start)
    return literals, prefixes


def test_every_catalogue_key_is_used():
    literals, prefixes = _used_strings()
    unused = [
        key
        for key in sorted(load_catalog("pl"))
        if key not in literals and not any(key.startswith(prefix) for prefix in prefixes)
    ]
    assert unused == []


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


def test_every_code_the_core_reports_has_its_words():
    """Keyring problems, the draft save failure and demo start failures are codes in the core;
    each has its sentence in the catalogues (the catalogues have the same keys in both languages)."""
    from ebok_tui.core.credentials import KeyringProblem

    keys = set(load_catalog("pl"))
    for problem in KeyringProblem:
        assert f"keyring.not_saved.{problem.value}" in keys
        assert f"keyring.not_loaded.{problem.value}" in keys
    assert {k for k in keys if k.startswith("keyring.not_saved.")} == {
        f"keyring.not_saved.{p.value}" for p in KeyringProblem
    }
    assert {"drafts.save_failed", "demo.missing_deps", "demo.start_failed"} <= keys


def test_every_api_error_code_has_its_words_and_no_more():
    """``error.<code>`` exists for exactly the codes the client reports (ApiError.message_code is
    always one of them), ``field.<name>`` for the fields a validation error names."""
    from ebok_tui.core.api import CODES

    keys = set(load_catalog("pl"))
    assert {k.removeprefix("error.") for k in keys if k.startswith("error.")} == set(CODES)
    assert {"field.customer_number", "field.email", "field.value", "field.body"} <= keys


# --- issue 8, point 11: the words a resident reads -----------------------------------------------


def test_key_names_are_written_as_on_the_keyboard():
    """ "Ctrl+S", as on the key caps and in every manual, not "ctrl+s"."""
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
        "Treść może mieć najwyżej 10 000 znaków (teraz: 10 001). Skróć ją."
    )
    assert "at most 10,000 characters" in en.t("thread.reply_too_long", max=en.decimal(10_000, 0))


def test_catalogue_cache_gives_the_parsed_messages_and_survives_damage(tmp_path, monkeypatch):
    """The parsed catalogue is kept as JSON under a digest of the TOML files; the cached copy gives
    exactly what parsing gives, a damaged copy is parsed again and replaced, and an unwritable cache
    folder only means parsing at every start."""
    monkeypatch.setattr(i18n, "_catalog_cache_dir", lambda: tmp_path / "cache")
    i18n.load_catalog.cache_clear()
    try:
        parsed = i18n.load_catalog("en")
        (cached,) = (tmp_path / "cache").glob("en-*.json")
        assert json.loads(cached.read_text(encoding="utf-8")) == parsed

        cached.write_text('{"login.title": 1', encoding="utf-8")  # half a file
        i18n.load_catalog.cache_clear()
        assert i18n.load_catalog("en") == parsed
        assert json.loads(cached.read_text(encoding="utf-8")) == parsed

        cached.write_text(
            '{"login.title": "planted"}', encoding="utf-8"
        )  # a whole cached copy is used, not parsed again
        i18n.load_catalog.cache_clear()
        assert i18n.load_catalog("en") == {"login.title": "planted"}

        monkeypatch.setattr(i18n, "_catalog_cache_dir", lambda: tmp_path / "file" / "cache")
        (tmp_path / "file").write_text("not a folder")
        i18n.load_catalog.cache_clear()
        assert i18n.load_catalog("en") == parsed
    finally:
        i18n.load_catalog.cache_clear()
