"""Opening a section costs one round trip to the server (issue 11): every request the app sends is
counted by a transport in front of the real (in-process) server, from the section key to the
screen showing its data. The app's background health check is pushed an hour away, so that every
request counted is the section's."""

from __future__ import annotations

import httpx
import pytest

from ebok_tui.core.api import EbokClient
from ebok_tui.ui.app import EbokApp
from ebok_tui.ui.sections import BY_ID, SECTIONS
from tests.asgi_server import InProcessServer
from tests.tui_support import login_as, settle, started


class CountingTransport(httpx.AsyncBaseTransport):
    """Passes every request to the real server and notes its method and path."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path.removeprefix('/api/v1')}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def since(self, start: int) -> list[str]:
        return self.requests[start:]


#: The one request each section's data comes from (none for the account: the app holds it).
EXPECTED: dict[str, list[str]] = {
    "balance": ["GET /balance"],
    "invoices": ["GET /invoices"],
    "readings": ["GET /readings"],
    "contract": ["GET /contract"],
    "efaktura": ["GET /efaktura"],
    "correspondence": ["GET /correspondence"],
    "account": ["GET /account/data-access"],
}


def test_every_section_is_listed():
    assert set(EXPECTED) == {s.id for s in SECTIONS}


@pytest.mark.parametrize("section", list(EXPECTED))
async def test_a_section_opens_with_at_most_one_round_trip(server: InProcessServer, tmp_path, section):
    transport = CountingTransport(server.transport())
    api = EbokClient(server.url, transport=transport, lang="pl")
    app = EbokApp(api, lang="pl", credentials=None, drafts=None, demo=True)
    app.health_interval = 3600.0
    async with started(app) as pilot:
        await login_as(app, "10001", section="account" if section == "balance" else "balance")
        await settle(pilot)
        start = len(transport.requests)
        await pilot.press(BY_ID[section].key)
        await settle(pilot)
        assert type(app.screen).__name__ == BY_ID[section].target.rpartition(":")[2]
        assert transport.since(start) == EXPECTED[section]
