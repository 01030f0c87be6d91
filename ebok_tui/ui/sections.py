"""The sections a logged-in resident can open, in navigation order.

Each section is one screen module in ``ebok_tui/screens/``; it is imported only when opened, so
start-up stays quick and a broken screen cannot take the others down.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class Section:
    id: str
    key: str  # the key that opens it
    target: str  # "module:Class"

    @property
    def label_key(self) -> str:
        return f"nav.{self.id}"

    def load(self) -> type[Screen]:
        module, _, cls = self.target.partition(":")
        return getattr(import_module(module), cls)


SECTIONS: tuple[Section, ...] = (
    Section("balance", "1", "ebok_tui.ui.screens.billing.balance:BalanceScreen"),
    Section("invoices", "2", "ebok_tui.ui.screens.billing.invoices:InvoicesScreen"),
    Section("readings", "3", "ebok_tui.ui.screens.readings.readings:ReadingsScreen"),
    Section("contract", "4", "ebok_tui.ui.screens.contract.contract:ContractScreen"),
    Section("efaktura", "5", "ebok_tui.ui.screens.contract.efaktura:EFakturaScreen"),
    Section("correspondence", "6", "ebok_tui.ui.screens.correspondence.correspondence:CorrespondenceScreen"),
    Section("account", "7", "ebok_tui.ui.screens.account.account:AccountScreen"),
)

BY_ID = {s.id: s for s in SECTIONS}
