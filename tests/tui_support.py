"""Helpers for driving the real app against the real reference server in tests: building the app,
logging in, letting it settle, reading what widgets show, snapshot openers, and an in-memory
stand-in for the keyring-backed CredentialStore."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, Group
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static, TextArea
from textual.worker import WorkerCancelled

from ebok_tui.core.api import EbokClient
from ebok_tui.ui.app import EbokApp
from ebok_tui.ui.terminal import Terminal
from ebok_tui.core.credentials import KeyringProblem, SavedLogin, SaveResult
from ebok_tui.core.drafts import DraftStore
from tests.asgi_server import InProcessServer

SIZE = (80, 24)


# --- the app -------------------------------------------------------------------------------------
def make_app(
    server: InProcessServer | str,
    tmp_path: Path | None = None,
    *,
    lang: str = "pl",
    demo: bool = True,
    drafts: bool | None = None,
    credentials: Any = None,
    terminal: Terminal | None = None,
) -> EbokApp:
    """The real app on the real server: ``server`` is the in-process one (``server`` /
    ``fresh_server`` fixtures) or the base URL of a server process.

    Drafts live under ``tmp_path/drafts`` (screens bind the store to the logged-in customer);
    ``drafts`` defaults to "when a tmp_path is given". ``credentials=None``: no keyring (remember-me
    says not saved); pass a ``FakeCredentials`` to stand in for one. ``terminal``: the colours and
    glyphs (default: the full design)."""
    if drafts is None:
        drafts = tmp_path is not None
    if drafts and tmp_path is None:
        raise ValueError("a draft store needs a tmp_path")
    store = DraftStore(tmp_path / "drafts") if drafts and tmp_path is not None else None
    api = server.client(lang=lang) if isinstance(server, InProcessServer) else EbokClient(server, lang=lang)
    return EbokApp(api, lang=lang, credentials=credentials, drafts=store, demo=demo, terminal=terminal)


async def demo_password(app: EbokApp, customer_number: str) -> str:
    info = app.demo_info or await app.api.demo_info()
    for customer in info.customers:
        if customer.customer_number == customer_number:
            return customer.password
    raise LookupError(f"no demo customer {customer_number}")


async def login_as(app: EbokApp, customer_number: str = "10001", section: str | None = None) -> None:
    """Log in through the API (the login screen has its own tests) and open a section."""
    await app.api.login(customer_number, await demo_password(app, customer_number))
    await app.logged_in(await app.api.me())
    if section and section != "balance":
        await app.action_open_section(section)


@asynccontextmanager
async def started(app: EbokApp, *, size: tuple[int, int] = SIZE) -> AsyncIterator[Pilot]:
    """Run ``app`` at ``size``, settled on its first screen (the login screen, or the staff login)."""
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        yield pilot


@asynccontextmanager
async def logged_in(
    app: EbokApp, customer: str = "10001", section: str | None = None, *, size: tuple[int, int] = SIZE
) -> AsyncIterator[Pilot]:
    """Run ``app`` at ``size`` with ``customer`` logged in (``login_as``) on ``section``, settled."""
    async with app.run_test(size=size) as pilot:
        await login_as(app, customer, section)
        await settle(pilot)
        yield pilot


# --- waiting -------------------------------------------------------------------------------------
#: A settle that needs more rounds than this is a loop (a screen that keeps starting work).
SETTLE_ROUNDS = 50


async def settle(pilot: Pilot) -> None:
    """Wait until the app is quiet: every worker (API call) has finished, the app and every widget
    of the current screen have handled their messages, and the screen was laid out and painted
    after that (``pilot.pause()`` ends with the screen's refresh). Repeats while a round started
    more work (a load that opened a screen whose mount starts a load). A worker cancelled on
    purpose (an exclusive page load replaced by a newer one) is not an error. No fixed delays:
    timers (the draft autosave's debounce) are not waited for; wait for their effect instead."""
    app: App = pilot.app
    for _ in range(SETTLE_ROUNDS):
        await pilot.pause()
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        await pilot.pause()
        if _quiet(app):
            return
    raise AssertionError(f"the app did not settle in {SETTLE_ROUNDS} rounds (screen: {app.screen!r})")


#: What a widget (or the screen) has asked Textual to do on its next idle or refresh.
_PENDING = (
    "_layout_required",
    "_repaint_required",
    "_recompose_required",
    "_scroll_required",
    "_refresh_styles_required",
)


def _quiet(app: App) -> bool:
    """No worker left, no message queued, nothing pending on the current screen or its widgets:
    no layout, repaint, recompose or scroll, no callback waiting for the screen's refresh (the
    footer redraws its key bindings that way after a focus change)."""
    if any(not worker.is_finished for worker in app.workers) or not app._message_queue.empty():
        return False
    screen = app.screen
    if screen._dirty_widgets or screen._callbacks:
        return False
    return not any(
        not node._message_queue.empty() or any(getattr(node, flag, False) for flag in _PENDING)
        for node in screen.walk_children(Widget, with_self=True)
    )


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run (``settle``) until ``condition`` holds, for state that arrives by a timer
    (the draft autosave); fail with a clear message at the deadline."""
    deadline = time.monotonic() + timeout
    await settle(pilot)
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (screen: {pilot.app.screen!r})")
        await pilot.pause()
        await settle(pilot)


async def press_settled(pilot: Pilot, *keys: str) -> Screen:
    """Press ``keys`` one at a time, letting the app settle after each (a key that opens a screen or
    starts a load has had its effect before the next); the screen shown then."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)
    return pilot.app.screen


async def open_settled(pilot: Pilot, section: str, *keys: str) -> Screen:
    """Open the resident ``section`` (also in act-for mode), let it settle, then ``press_settled``
    ``keys``; the screen shown then."""
    await pilot.app.action_open_section(section)
    await settle(pilot)
    return await press_settled(pilot, *keys)


def loading(app: App) -> bool:
    return any(w.loading for w in app.screen.query("*"))


# --- input ---------------------------------------------------------------------------------------
async def type_text(pilot: Pilot, text: str) -> None:
    """Type key by key (about 60 ms a key in the pilot: keep it for short, meaningful input)."""
    await pilot.press(*text)


async def paste(pilot: Pilot, text: str) -> None:
    """Put longer text into the focused input at once, as a paste would."""
    focused = pilot.app.focused
    assert focused is not None and hasattr(focused, "insert_text_at_cursor"), focused
    focused.insert_text_at_cursor(text)
    await pilot.pause()


# --- what is shown -------------------------------------------------------------------------------
def plain(renderable: Any, width: int = 78) -> str:
    """A Rich renderable rendered as plain text, ``width`` columns wide."""
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def _plain_text(renderable: Any) -> str | None:
    if isinstance(renderable, str):
        return renderable
    if isinstance(renderable, Content):
        return renderable.plain
    text = getattr(renderable, "plain", None)
    if isinstance(text, str):
        return text
    if isinstance(renderable, Group):
        parts = [_plain_text(item) for item in renderable.renderables]
        if all(part is not None for part in parts):
            return "\n".join(parts)  # type: ignore[arg-type]
    return None


def shown(app: App, selector: str) -> str:
    """The plain text the current screen's ``Static`` at ``selector`` shows (``text_of``)."""
    return text_of(app.screen.query_one(selector, Static))


def options_text(option_list: Any) -> list[str]:
    """The prompts of an ``OptionList``'s options, as plain text."""
    return [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


def text_of(widget: Widget) -> str:
    """The plain text a Static-like widget currently shows (other rich renderables rendered)."""
    content: Any = getattr(widget, "content", None)
    if content is None:
        content = widget.render()
    text = _plain_text(content)
    if text is not None:
        return text
    return plain(content, max(widget.size.width, 40))


# --- snapshots -----------------------------------------------------------------------------------
def opener(customer: str, section: str, *keys: str) -> Callable[[Pilot], Awaitable[None]]:
    """A snapshot ``run_before``: log in as ``customer``, open ``section``, press ``keys``."""

    async def run_before(pilot: Pilot) -> None:
        await login_as(pilot.app, customer, section)
        await settle(pilot)
        await press_settled(pilot, *keys)

    return run_before


#: The languages every screen is snapshotted in.
LANGS = ("pl", "en")


def screens(cases: dict[str, Callable[[Pilot], Awaitable[None]]]) -> pytest.MarkDecorator:
    """Parametrise a snapshot test with ``lang`` and ``run_before`` over ``cases`` (a name: its
    ``run_before``) in both languages; the ids are ``<name>_<lang>``, so a test ``test_screen`` stores
    ``test_screen[<name>_<lang>].svg``."""
    return pytest.mark.parametrize(
        ("lang", "run_before"),
        [pytest.param(lang, run_before, id=f"{name}_{lang}") for name, run_before in cases.items() for lang in LANGS],
    )


def snapshot(
    snap_compare: Callable[..., bool],
    server: InProcessServer | str,
    lang: str,
    run_before: Callable[[Pilot], Awaitable[None]],
    tmp_path: Path | None = None,
    terminal: Terminal | None = None,
) -> bool:
    """Compare an 80x24 snapshot of a fresh app in ``lang`` after ``run_before``, once it has
    settled (``terminal``: its colours and glyphs, default the full design)."""

    async def then_steady(pilot: Pilot) -> None:
        await run_before(pilot)
        await steady(pilot)

    app = make_app(server, tmp_path, lang=lang, terminal=terminal)
    return snap_compare(app, terminal_size=SIZE, run_before=then_steady)


async def steady(pilot: Pilot) -> None:
    """``settle``, with blinking cursors stopped (shown): the blink would pick the cursor's state
    in the snapshot by timing.

    Textual 8.2.8 bug, worked around here only: ``TextArea`` caches its rendered lines under a key
    that holds the cursor position only while ``_cursor_visible and cursor_blink``. A line drawn
    in a blink's "off" phase (key: no cursor) is therefore the same cache entry as the line with
    the cursor shown once ``cursor_blink = False`` (key: no cursor either), and stays without its
    cursor. Under load the 0.5 s blink timer fires before the snapshot, so the thread's reply box
    was captured without its cursor (test_thread_en failed in full runs, never alone).
    Reproduction::

        area = app.query_one(TextArea); area.focus(); await pilot.pause()
        area._toggle_cursor_blink_visible()   # what the blink timer does: cursor off
        area.render_line(0)                    # drawn without the cursor, cached
        area.cursor_blink = False              # cursor shown again ...
        await pilot.pause()
        area.render_line(0)                    # ... but the cached line has no cursor

    ``notify_style_update()`` (public; it clears that cache) makes the text areas draw again."""
    await settle(pilot)
    widgets = list(pilot.app.screen.query("Input, TextArea"))
    for widget in widgets:
        widget.cursor_blink = False
    await settle(pilot)
    for widget in widgets:
        if isinstance(widget, TextArea):
            widget.notify_style_update()
            widget.refresh()
    await settle(pilot)


# --- keyring stand-in ----------------------------------------------------------------------------
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
