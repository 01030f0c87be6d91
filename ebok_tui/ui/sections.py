"""Navigation: the sections a logged-in resident can open, in order, and every other screen one
screen opens from another — all named by import path ("module:Class").

Screens never import each other: a screen opens another with ``load_screen(name)`` (or the app
with ``Section.load()``), which imports the module only then, so start-up stays quick. An import
error in a screen module surfaces when that screen is first opened.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, ClassVar, NamedTuple

if TYPE_CHECKING:
    from textual.screen import Screen

_SCREENS = "ebok_tui.ui.screens"


def _load(target: str) -> type[Screen]:
    module, _, cls = target.partition(":")
    return getattr(import_module(module), cls)


class Opens:
    """What a navigation entry shares (resident and staff sections): its label's catalogue key,
    ``LABEL_PREFIX`` + id, and the screen class it opens, imported on first use."""

    __slots__ = ()
    LABEL_PREFIX: ClassVar[str] = "nav."
    id: str
    target: str  # "module:Class"

    @property
    def label_key(self) -> str:
        return f"{self.LABEL_PREFIX}{self.id}"

    def load(self) -> type[Screen]:
        return _load(self.target)


class _SectionFields(NamedTuple):
    id: str
    key: str  # the key that opens it
    target: str  # "module:Class"


class Section(_SectionFields, Opens):
    """A resident section: immutable fields (a NamedTuple, not a frozen dataclass: Python 3.11
    compiles six methods for each frozen dataclass at import, before the login screen's first
    frame), the behaviour of :class:`Opens`."""

    __slots__ = ()


SECTIONS: tuple[Section, ...] = (
    Section("balance", "1", f"{_SCREENS}.billing.balance:BalanceScreen"),
    Section("invoices", "2", f"{_SCREENS}.billing.invoices:InvoicesScreen"),
    Section("readings", "3", f"{_SCREENS}.readings.readings:ReadingsScreen"),
    Section("contract", "4", f"{_SCREENS}.contract.contract:ContractScreen"),
    Section("efaktura", "5", f"{_SCREENS}.contract.efaktura:EFakturaScreen"),
    Section("correspondence", "6", f"{_SCREENS}.correspondence.correspondence:CorrespondenceScreen"),
    Section("account", "7", f"{_SCREENS}.account.account:AccountScreen"),
)

BY_ID = {s.id: s for s in SECTIONS}


class ScreenTable(dict[str, str]):
    """Name → "module:Class" of the screens one screen opens from another (resident and staff)."""

    def load(self, name: str) -> type[Screen]:
        """The screen class named ``name``, imported on first use."""
        return _load(self[name])


#: Screens and dialogs opened from another screen (not from the navigation bar).
SCREENS = ScreenTable(
    {
        "login": f"{_SCREENS}.auth.login:LoginScreen",
        "register": f"{_SCREENS}.auth.register:RegisterScreen",
        "password_reset": f"{_SCREENS}.auth.password_reset:PasswordResetScreen",
        "demo_mail": f"{_SCREENS}.auth.demo_mail:DemoMailScreen",
        "invoice_detail": f"{_SCREENS}.billing.invoice_detail:InvoiceDetailScreen",
        "save_pdf": f"{_SCREENS}.billing.save_pdf:SavePdfModal",
        "notices": f"{_SCREENS}.notices.notices:NoticesScreen",
        "water": f"{_SCREENS}.water.water:WaterYearScreen",
        "tariff": f"{_SCREENS}.contract.tariff:TariffScreen",
        "submit_reading": f"{_SCREENS}.readings.submit_reading:SubmitReadingModal",
        "thread": f"{_SCREENS}.correspondence.thread:ThreadScreen",
        "compose": f"{_SCREENS}.correspondence.compose:ComposeScreen",
        "help": f"{_SCREENS}.help:HelpScreen",
        "too_small": f"{_SCREENS}.too_small:TooSmallScreen",
    }
)

#: The screen class named ``name`` in :data:`SCREENS`, imported on first use.
load_screen = SCREENS.load
