"""Saving a file the server makes (an invoice PDF, the yearly statement PDF, a CSV export): ask
where, refuse a missing directory, confirm an overwrite, download, write the file atomically and
private (0600), say where it went. The typed path survives every error.

Other areas open the dialog through ``ebok_tui.ui.sections.load_screen("save_pdf")`` with the
download to run, never by importing this module."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from ebok_tui.core.files import default_path, resolve_target, write_private_atomic
from ebok_tui.ui.screens.base import BaseModal, dialog_css


class ConfirmOverwriteModal(BaseModal):
    """ "The file exists. Overwrite?" — nothing is overwritten without an explicit yes."""

    BINDINGS = [
        Binding("t", "answer(True)", "save_pdf.overwrite", show=False),
        Binding("y", "answer(True)", "save_pdf.overwrite", show=False),
        Binding("n", "answer(False)", "bind.cancel", show=False),
    ]

    DEFAULT_CSS = """
    ConfirmOverwriteModal { align: center middle; }
    ConfirmOverwriteModal > Vertical {
        width: 64; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmOverwriteModal #question { height: auto; margin: 0 0 1 0; }
    ConfirmOverwriteModal Horizontal { height: auto; align-horizontal: right; }
    ConfirmOverwriteModal Button { margin: 0 0 0 2; }
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.t("save_pdf.exists", path=str(self.path))), id="question")
            with Horizontal():
                yield Button(
                    self.t("save_pdf.overwrite"), id="overwrite", variant="warning", action="screen.answer(True)"
                )
                yield Button(self.t("bind.cancel"), id="keep", action="screen.answer(False)")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_cancel(self) -> None:
        self.dismiss(False)


class SavePdfModal(BaseModal):
    """Asks for a path and saves there what ``download()`` answers. Dismisses with the saved path
    (str) or None. ``title``: the dialog's heading (default: saving invoice ``filename``)."""

    DEFAULT_CSS = (
        dialog_css("SavePdfModal", 76)
        + """
    SavePdfModal #hint { color: $text-muted; }
    SavePdfModal #message { height: auto; }
    SavePdfModal #message.-error { color: $error; }
    SavePdfModal Horizontal { height: auto; align-horizontal: right; margin: 1 0 0 0; }
    """
    )

    def __init__(
        self,
        download: Callable[[], Awaitable[bytes]],
        filename: str,
        *,
        title: str | None = None,
        home: Path | None = None,
    ) -> None:
        super().__init__()
        self.download = download
        self.filename = filename
        self.title_text = title
        self.home = home

    def compose(self) -> ComposeResult:
        t = self.t
        with Vertical(id="dialog"):
            yield Static(Text(self.title_text or t("save_pdf.title", filename=self.filename)), id="title")
            yield Label(t("save_pdf.path_label"), id="path-label")
            yield Input(default_path(self.filename, self.home), id="path")
            yield Static(t("save_pdf.hint"), id="hint")
            yield Static("", id="message")
            with Horizontal():
                yield Button(t("save_pdf.save"), id="save", variant="primary", action="screen.save")
                yield Button(t("bind.cancel"), id="cancel", action="screen.dismiss")

    def on_mount(self) -> None:
        field = self.query_one("#path", Input)
        field.focus()
        field.cursor_position = len(field.value)

    # --- messages ------------------------------------------------------------------------------
    def say(self, message: str, *, error: bool = False) -> None:
        """A line under the path; an error also marks the path invalid. Paths are shown as typed,
        never parsed as markup."""
        widget = self.query_one("#message", Static)
        widget.update(Text(message))
        widget.set_class(error, "-error")
        self.query_one("#path", Input).set_class(error, "-invalid")

    def show_error(self, message: str) -> None:  # API errors appear in the dialog, not behind it
        self.say(message, error=True)

    def clear_error(self) -> None:
        pass

    # --- saving --------------------------------------------------------------------------------
    @on(Input.Submitted, "#path")
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        text = self.query_one("#path", Input).value
        if not text.strip():
            self.say(self.t("save_pdf.empty"), error=True)
            return
        try:
            path = resolve_target(text, self.filename)
        except (OSError, RuntimeError, ValueError) as error:  # e.g. ~user that does not exist
            self.say(self.t("save_pdf.bad_path", error=str(error)), error=True)
            return
        if not path.parent.is_dir():
            self.say(self.t("save_pdf.no_directory", directory=str(path.parent)), error=True)
            return
        if path.exists() or path.is_symlink():
            self.say("")

            def answered(yes: bool | None) -> None:
                if yes:
                    self.start_save(path)
                else:
                    self.say(self.t("save_pdf.not_overwritten"))
                    self.query_one("#path", Input).focus()

            self.app.push_screen(ConfirmOverwriteModal(path), callback=answered)
            return
        self.start_save(path)

    def start_save(self, path: Path) -> None:
        self.say(self.t("save_pdf.saving"))

        async def fetch_and_write() -> str | None:
            data = await self.download()
            try:
                await asyncio.to_thread(write_private_atomic, path, data)
            except OSError as error:
                reason = error.strerror or str(error)
                self.say(self.t("save_pdf.os_error", path=str(path), error=reason), error=True)
                return None
            self.finish(str(path))
            return str(path)

        self.run_api(fetch_and_write, target=self.query_one("#dialog"), group="save")
