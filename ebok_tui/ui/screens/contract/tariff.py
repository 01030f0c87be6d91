"""Taryfa (tariff): the prices in force for the tariff group of each of the resident's service
points (water and sewage per m³, the monthly billing fee with and without e-FAKTURA: net, VAT,
gross, validity period) and the price changes already decided. Opened from the contract screen
(``t``)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ebok_tui.core.api import Tariff, TariffGroup, TariffRate
from ebok_tui.ui.screens.base import TextScreen
from ebok_tui.ui.widgets.tariff import component_label, validity


class TariffScreen(TextScreen):
    SECTION = "contract"
    TITLE_KEY = "tariff.title"
    SCROLL_ID = "tariff"

    async def load(self) -> None:
        self.show(self.render_tariff(await self.api.tariff()))
        self.call_after_refresh(self.query_one("#tariff").focus)

    # --- rendering -----------------------------------------------------------------------------
    def render_tariff(self, tariff: Tariff) -> Group:
        t = self.t
        parts: list[Text | Table] = []
        if not tariff.groups:
            parts.append(Text(t("tariff.none"), style="dim"))
        for group in tariff.groups:
            parts.extend(self._group_parts(group, tariff.efaktura_active))
        fee = "fee_efaktura" if tariff.efaktura_active else "fee_paper"
        parts.append(Text(t("tariff.your_fee", fee=component_label(self.i18n, fee)), style="dim"))
        parts.append(Text(t("tariff.rounding"), style="dim"))
        return Group(*parts)

    def _group_parts(self, group: TariffGroup, efaktura_active: bool) -> list[Text | Table]:
        t = self.t
        head = Text(t("tariff.group", group=group.tariff_group), style="bold underline")
        points = Text(t("tariff.points", points=", ".join(group.points)))  # server data: never markup
        table = Table(
            box=None, pad_edge=False, show_edge=False, header_style="bold", padding=(0, 1), collapse_padding=True
        )
        table.add_column(t("tariff.col_component"), no_wrap=True)
        table.add_column(t("tariff.col_net"), justify="right", no_wrap=True)
        table.add_column(t("tariff.col_vat"), justify="right", no_wrap=True)
        table.add_column(t("tariff.col_gross"), justify="right", no_wrap=True)
        table.add_column(t("tariff.col_valid"), no_wrap=True)
        mine = "fee_efaktura" if efaktura_active else "fee_paper"
        for rate in group.rates:
            style = "bold" if rate.component == mine else ""
            table.add_row(
                Text(component_label(self.i18n, rate.component), style=style),
                self._price(rate.unit_price_net, rate.unit),
                f"{rate.vat_rate}%",
                self._price(rate.unit_price_gross, rate.unit),
                validity(self.i18n, rate.valid_from, rate.valid_to),
            )
        parts: list[Text | Table] = [head, points, table]
        for start in sorted({r.valid_from for r in group.upcoming}):
            changes = [self._change(r) for r in group.upcoming if r.valid_from == start]
            parts.append(Text(t("tariff.upcoming", date=self.i18n.date(start)) + " " + "; ".join(changes)))
        parts.append(Text(""))
        return parts

    def _price(self, grosze: int, unit: str) -> str:
        return self.t(
            "tariff.per_unit", price=self.i18n.money(grosze), unit=self.i18n.label(f"tariff.unit.{unit}", unit)
        )

    def _change(self, rate: TariffRate) -> str:
        return self.t(
            "tariff.change",
            component=component_label(self.i18n, rate.component),
            net=self._price(rate.unit_price_net, rate.unit),
            gross=self._price(rate.unit_price_gross, rate.unit),
        )
