"""Words for tariff rows shared by the tariff screen and the invoice line calculation: a
component's name and a validity period."""

from __future__ import annotations

import datetime as dt

from ebok_tui.core.i18n import I18n


def component_label(i18n: I18n, component: str) -> str:
    """``water`` -> "Woda" (an unknown component as the server sent it)."""
    return i18n.label(f"tariff.component.{component}", component)


def unit_label(i18n: I18n, unit: str) -> str:
    return i18n.label(f"invoice_detail.unit.{unit}", unit)


def validity(i18n: I18n, valid_from: dt.date, valid_to: dt.date | None) -> str:
    """ "01.01.2015–31.12.2026", or "od 01.01.2015" when open-ended."""
    if valid_to is None:
        return i18n.t("tariff.valid_open", start=i18n.date(valid_from))
    return f"{i18n.date(valid_from)}–{i18n.date(valid_to)}"
