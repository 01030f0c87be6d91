"""``ebok-tui --demo`` (issue 11): the login screen comes at once, before the embedded server is
up; the demo panel says the server is starting and fills in when it is ready; a login sent
meanwhile goes through as soon as the server does. The server's start is held on an event the test
releases (the app gets it as ``server_start``, like ``DemoLauncher.start``); the server behind it
is the real one, in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from ebok_tui.core.api import EbokClient
from ebok_tui.ui.app import EbokApp
from ebok_tui.ui.screens.auth.login import LoginScreen
from ebok_tui.ui.screens.billing.balance import BalanceScreen
from tests.asgi_server import InProcessServer
from tests.tui_support import SIZE, loading, type_text, wait_until

#: Pauses (each a full round of the app's message queues and a repaint) before a state that needs
#: no network must be there.
ROUNDS = 100


class HeldStart:
    """``server_start`` for the app: it returns the server's URL once the test releases it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.called = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self) -> str:
        self.called.set()
        await self.release.wait()
        return self.url


def demo_app(server: InProcessServer, start: HeldStart) -> EbokApp:
    api = EbokClient.awaiting_address(transport=server.transport(), lang="pl")
    return EbokApp(api, lang="pl", credentials=None, drafts=None, demo=True, server_start=start)


async def until(pilot: Pilot, condition: Callable[[], bool]) -> None:
    """Let the app run until ``condition`` holds (not waiting for workers: one is held)."""
    for _ in range(ROUNDS):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"not reached in {ROUNDS} rounds (screen: {pilot.app.screen!r})")


def panel_lines(app: EbokApp) -> list[str]:
    panel = app.screen.query_one("#demo-panel", OptionList)
    return [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]


async def test_the_login_screen_comes_first_and_the_demo_panel_fills_in(server):
    start = HeldStart(server.url)
    app = demo_app(server, start)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, start.called.is_set)  # after the first frame
        assert isinstance(app.screen, LoginScreen)
        assert panel_lines(app) == ["Serwer demonstracyjny uruchamia się…"]
        assert app.demo_loading and app.demo_info is None
        assert app.server_problem is None  # a server that is starting is not "lost"
        start.release.set()
        await wait_until(pilot, lambda: not app.demo_loading)
        lines = panel_lines(app)
        assert len(lines) == 6 and lines[0].startswith("10001 · hasło: woda-10001")
        assert "TRYB DEMO" in str(app.screen.query_one("TopBar").render())
        assert app.server_problem is None


async def test_a_login_sent_while_the_server_starts_goes_through_when_it_is_up(server):
    start = HeldStart(server.url)
    app = demo_app(server, start)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, start.called.is_set)
        app.screen.query_one("#customer-number", Input).focus()
        await type_text(pilot, "10001")
        await pilot.press("tab")
        await type_text(pilot, "woda-10001")
        await pilot.press("enter")
        await until(pilot, lambda: loading(app))  # sent, waiting for the server
        assert isinstance(app.screen, LoginScreen) and app.me is None
        start.release.set()
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))
        assert app.me is not None and app.me.customer_number == "10001"


async def test_a_demo_server_that_cannot_start_ends_the_app_with_the_reason(server):
    class Failing(HeldStart):
        async def __call__(self) -> str:
            from ebok_tui.core.demo import DemoServerError

            raise DemoServerError("The demo server exited with code 1.", missing_deps=True)

    app = demo_app(server, Failing(server.url))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 2
