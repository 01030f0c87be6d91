"""The server goes away and comes back: a real server subprocess is killed mid-session and started
again on the same port with the same database. The app must say so at once, naming the server, and
carry on by itself (no key press) when the server answers again."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
from textual.widgets import Static

from ebok_tui.ui.screens.auth.login import LoginScreen
from ebok_tui.ui.widgets.chrome import ErrorBanner, ServerStatus
from ebok_tui.ui.screens.billing.balance import BalanceScreen
from tests.server_proc import ServerInfo, start_server_info, stop_server
from tests.tui_support import SIZE, logged_in, make_app, settle, text_of, wait_until


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve_on(tmp_path) -> Iterator[Callable[..., ServerInfo]]:
    """``serve_on(name, port, db_url=None)`` starts a server subprocess on ``port`` (its files under
    ``tmp_path/name``); every server started is stopped when the test ends."""
    started: list[ServerInfo] = []

    def serve(name: str, port: int, db_url: str | None = None) -> ServerInfo:
        started.append(start_server_info(tmp_path / name, "--port", str(port), db_url=db_url))
        return started[-1]

    yield serve
    for server in started:
        stop_server(server.proc)


def kill(server: ServerInfo) -> None:
    server.proc.kill()  # no clean shutdown: the server is simply gone
    server.proc.wait(timeout=10)


async def test_server_lost_mid_session_and_back_without_a_key(tmp_path, serve_on):
    port = free_port()
    first = serve_on("first", port)
    app = make_app(first.url, tmp_path)
    app.health_interval = 0.3  # a light GET /health, often, so the test is quick
    app.retry_delays = (0.2, 0.4)
    async with logged_in(app, "10001") as pilot:
        screen = app.screen
        assert isinstance(screen, BalanceScreen)
        status = screen.query_one(ServerStatus)
        assert not status.display
        loaded = screen.balance

        kill(first)
        await wait_until(pilot, lambda: app.server_problem is not None)
        await pilot.pause()
        message = text_of(status)
        assert status.display and first.url in message
        assert "internet" not in message
        assert "sam wznowi" in message  # says it keeps trying by itself

        serve_on("second", port, db_url=first.db_url)
        # no key is pressed: the app notices, clears the message and reloads the screen
        await wait_until(pilot, lambda: app.server_problem is None and screen.balance is not loaded, 30)
        await settle(pilot)
        assert app.screen is screen and not status.display
        assert "237,48 zł" in text_of(screen.query_one("#balance-summary", Static))
        assert not screen.query_one(ErrorBanner).display
        assert not screen.query_one("#qr-panel").has_class("-hidden")  # the QR fits again


async def test_a_failed_call_reports_the_loss_at_once_and_recovery_reloads(tmp_path, serve_on):
    """With the background check far away, the failed call itself triggers the check."""
    port = free_port()
    first = serve_on("first", port)
    app = make_app(first.url, tmp_path, lang="en")
    app.health_interval = 3600
    app.retry_delays = (0.2,)
    async with logged_in(app, "10004", "invoices") as pilot:
        screen = app.screen
        kill(first)
        await pilot.press("r")
        await wait_until(pilot, lambda: app.server_problem is not None)
        await settle(pilot)
        assert first.url in text_of(screen.query_one(ServerStatus))
        assert screen.query_one(ErrorBanner).display  # the failed reload says why, too
        assert screen.query_one("#invoices").row_count == 0
        serve_on("second", port, db_url=first.db_url)
        await wait_until(pilot, lambda: app.server_problem is None and screen.query_one("#invoices").row_count > 0, 30)
        await settle(pilot)
        assert not screen.query_one(ErrorBanner).display
        assert any("answering again" in str(n.message) for n in app._notifications)


async def test_login_screen_says_the_server_is_not_there_before_any_key(tmp_path, serve_on):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = make_app(url, tmp_path, demo=False)
    app.retry_delays = (0.2,)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen) and app.server_problem is not None)
        await pilot.pause()
        status = app.screen.query_one(ServerStatus)
        assert status.display and url in text_of(status)
        assert status.region.height >= 2 and status.region.right <= 80  # whole message, wrapped, on screen
        serve_on("late", port)
        await wait_until(pilot, lambda: app.server_problem is None, 30)
        await pilot.pause()
        assert not status.display
