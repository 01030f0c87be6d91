"""What the UI-free core reports by code, in the resident's language (from the catalogues).

The core never words anything for residents: an API error carries its code, a keyring outcome
its :class:`~ebok_tui.core.credentials.KeyringProblem`; this module turns them into sentences."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ebok_tui.core.credentials import KeyringProblem, SaveResult
    from ebok_tui.core.i18n import I18n


def keyring_saved(i18n: I18n, result: SaveResult) -> str:
    """The outcome of saving a login in the keyring."""
    if result.saved or result.reason is None:
        return i18n.t("keyring.saved")
    return i18n.t(f"keyring.not_saved.{result.reason.value}")


def keyring_not_loaded(i18n: I18n, problem: KeyringProblem) -> str:
    """Why the remembered login could not be read."""
    return i18n.t(f"keyring.not_loaded.{problem.value}")
