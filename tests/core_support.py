"""Helpers for the login / balance / account screen tests: what a widget shows, waiting for the
app to settle, and an in-memory stand-in for the keyring-backed CredentialStore."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console, Group
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.worker import WorkerCancelled

from ebok_tui.credentials import KeyringProblem, SavedLogin, SaveResult


def _plain(renderable: Any) -> str | None:
    if isinstance(renderable, str):
        return renderable
    if isinstance(renderable, Content):
        return renderable.plain
    plain = getattr(renderable, "plain", None)
    if isinstance(plain, str):
        return plain
    if isinstance(renderable, Group):
        parts = [_plain(item) for item in renderable.renderables]
        if all(part is not None for part in parts):
            return "\n".join(parts)  # type: ignore[arg-type]
    return None


def text_of(widget: Widget) -> str:
    """The plain text a Static-like widget currently shows (other rich renderables rendered)."""
    content: Any = getattr(widget, "content", None)
    if content is None:
        content = widget.render()
    plain = _plain(content)
    if plain is not None:
        return plain
    if isinstance(content, str):
        return content
    if isinstance(content, Content):
        return content.plain
    plain = getattr(content, "plain", None)
    if isinstance(plain, str):
        return plain
    console = Console(width=max(widget.size.width, 40), file=io.StringIO(), color_system=None, record=True)
    console.print(content)
    return console.export_text()


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` while letting the app run; fail with a clear message on timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (screen: {pilot.app.screen!r})")
        await pilot.pause(0.05)


async def settle(pilot: Pilot) -> None:
    """Let pending messages and workers finish (API calls, screen switches)."""
    app: App = pilot.app
    for _ in range(3):
        await pilot.pause()
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one
            pass
    await pilot.pause()


def loading(app: App) -> bool:
    return any(w.loading for w in app.screen.query("*"))


async def type_text(pilot: Pilot, text: str) -> None:
    """Type key by key (about 60 ms a key in the pilot: keep it for short, meaningful input)."""
    await pilot.press(*text)


async def paste(pilot: Pilot, text: str) -> None:
    """Put longer text into the focused input at once, as a paste would."""
    focused = pilot.app.focused
    assert focused is not None and hasattr(focused, "insert_text_at_cursor"), focused
    focused.insert_text_at_cursor(text)
    await pilot.pause()


class FakeCredentials:
    """Behaves like ``CredentialStore`` (async load/save/forget/describe_backend, ``last_problem``)."""

    def __init__(
        self,
        saved: SavedLogin | None = None,
        *,
        save_problem: KeyringProblem | None = None,
        backend: str | None = "Test Keyring",
    ) -> None:
        self.saved = saved
        self.save_problem = save_problem
        self.backend = backend
        self.last_problem: KeyringProblem | None = None
        self.calls: list[tuple[str, ...]] = []

    async def load(self) -> SavedLogin | None:
        await asyncio.sleep(0)
        self.calls.append(("load",))
        return self.saved

    async def save(self, customer_number: str, password: str) -> SaveResult:
        self.calls.append(("save", customer_number, password))
        if self.save_problem is not None:
            self.last_problem = self.save_problem
            return SaveResult(False, self.save_problem)
        self.saved = SavedLogin(customer_number, password)
        return SaveResult(True)

    async def forget(self) -> SaveResult:
        self.calls.append(("forget",))
        self.saved = None
        return SaveResult(True)

    async def describe_backend(self) -> str | None:
        return self.backend
