"""Copying, honestly. The app sends the text to the terminal's clipboard (OSC 52), which many
terminals and tmux by default silently ignore, so the app never claims it arrived: it says it was
*sent* "if your terminal allows it" and shows the text, so it can be selected with the mouse.
When the app runs on the user's own desktop (not over SSH) and ``wl-copy``, ``xclip`` or
``xsel`` is there, it also copies with that tool, and then it can say the text is in the
clipboard, because the tool said so."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ebok_tui.ui.app import EbokApp

#: (environment variable that must be set, command)
_TOOLS = (
    ("WAYLAND_DISPLAY", ["wl-copy"]),
    ("DISPLAY", ["xclip", "-selection", "clipboard"]),
    ("DISPLAY", ["xsel", "--clipboard", "--input"]),
)


def local_tool(environ: dict[str, str] | None = None) -> list[str] | None:
    """A clipboard command for this desktop, or None (over SSH the desktop is not this one)."""
    env = os.environ if environ is None else environ
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return None
    for variable, command in _TOOLS:
        if env.get(variable) and shutil.which(command[0]):
            return command
    return None


def copy(app: EbokApp, text: str) -> str:
    """Copy ``text``; return what to tell the user (with the text in it)."""
    app.copy_to_clipboard(text)
    command = local_tool()
    if command is not None:
        try:
            subprocess.run(command, input=text.encode(), timeout=2, check=True, capture_output=True)
        except (OSError, subprocess.SubprocessError):
            pass
        else:
            return app.i18n.t("clipboard.copied", tool=command[0], text=text)
    return app.i18n.t("clipboard.sent", text=text)
