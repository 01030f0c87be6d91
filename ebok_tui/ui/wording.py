"""What the UI-free core reports by code, in the resident's language (from the catalogues).

The core never words anything for residents: an API error carries its code (``error.<code>``)
and the fields it concerns (``field.<name>``), a keyring outcome its
:class:`~ebok_tui.core.credentials.KeyringProblem`; this module turns them into sentences."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ebok_tui.core.api import RateLimited
from ebok_tui.core.credentials import KeyringProblem

if TYPE_CHECKING:
    from ebok_tui.core.api import ApiError
    from ebok_tui.core.credentials import SaveResult
    from ebok_tui.core.i18n import I18n


def error_message(i18n: I18n, error: ApiError) -> str:
    """What went wrong and what to do, for residents. A transport error names the server it could
    not reach (``{where}``: " (address)"), since it may be on this computer or in the office."""
    text = i18n.t(f"error.{error.message_code}", where=f" ({error.server})" if error.server else "")
    if isinstance(error, RateLimited) and error.retry_after:
        text = f"{text} {wait_text(i18n, error.retry_after)}"
    return text


def wait_text(i18n: I18n, seconds: int) -> str:
    """``Możesz spróbować ponownie za 2 min.`` / ``You can try again in 45 s.``"""
    amount = f"{seconds} s" if seconds < 90 else f"{(seconds + 59) // 60} min"
    return i18n.t("retry.again", amount=amount)


def field_messages(i18n: I18n, error: ApiError) -> dict[str, str]:
    """Per wrong field (plain name): the error's own sentence for the field its code concerns,
    else the field's sentence, else the server's text for it."""
    return {
        name: error_message(i18n, error) if code else i18n.label(f"field.{name}", error.field_text(name) or "")
        for name, code in error.field_problems().items()
    }


def _ssh_without_dbus() -> bool:
    """Logged in over SSH with no D-Bus session: a desktop keyring cannot be there at all."""
    return bool(os.environ.get("SSH_CONNECTION")) and not os.environ.get("DBUS_SESSION_BUS_ADDRESS")


def keyring_saved(i18n: I18n, result: SaveResult) -> str:
    """The outcome of saving a login in the keyring."""
    if result.saved or result.reason is None:
        return i18n.t("keyring.saved")
    if result.reason is KeyringProblem.NO_SECURE_KEYRING and _ssh_without_dbus():
        return i18n.t("keyring.over_ssh")
    return i18n.t(f"keyring.not_saved.{result.reason.value}")


def keyring_not_loaded(i18n: I18n, problem: KeyringProblem) -> str:
    """Why the remembered login could not be read."""
    if problem is KeyringProblem.NO_SECURE_KEYRING and _ssh_without_dbus():
        return i18n.t("keyring.over_ssh")
    return i18n.t(f"keyring.not_loaded.{problem.value}")
