"""The session (ebok_tui.core.session) against the real demo server: login binds the customer's
drafts by the server's identity (adopting URL-keyed ones), a refused login leaves it logged out,
expiry and logout end it and drop the token (expiry keeps the drafts bound)."""

from __future__ import annotations

import pytest

from ebok_tui.core.api import EbokClient, InvalidCredentials, Unauthorized
from ebok_tui.core import drafts as drafts_mod
from ebok_tui.core.drafts import DraftStore, new_draft
from ebok_tui.core.session import Session
from tests.fixtures_client import demo_password


async def test_login_binds_the_customer_and_their_drafts(server_url, tmp_path):
    root = DraftStore(tmp_path / "drafts")
    async with EbokClient(server_url) as api:
        session = Session(api, drafts=root)
        assert not session.active and session.me is None and session.drafts is None
        server_id = (await api.health()).server_id
        assert server_id
        # a draft an earlier version kept under the server's URL
        legacy = DraftStore(root.root, server_id="x", customer_number="10002", server_url=api.base_url)
        legacy.path = root.root / f"{drafts_mod._url_key(api.base_url, '10002')}.json"
        old = new_draft("other", "Sprzed zmiany", "Treść")
        legacy.save(old)
        me = await session.login("10002", demo_password("10002"))
        assert session.active and session.me == me and me.customer_number == "10002"
        assert session.drafts is not None and session.drafts.customer_number == "10002"
        assert session.drafts.server_id == server_id and session.drafts.root == root.root
        assert session.drafts.server_url == api.base_url
        assert [d["id"] for d in session.drafts.load()] == [old["id"]] and not legacy.path.exists()
        session.drafts.save(new_draft("other", "Temat", "Treść"))
        assert len(DraftStore(root.root, server_id=server_id, customer_number="10002").load()) == 2
        await session.logout()
        assert not session.active and session.drafts is None and api.token is None


async def test_refused_login_stays_logged_out(server_url, tmp_path):
    async with EbokClient(server_url) as api:
        session = Session(api, drafts=DraftStore(tmp_path))
        with pytest.raises(InvalidCredentials):
            await session.login("19998", "not-the-password")  # no such customer
        assert not session.active and session.drafts is None and api.token is None


async def test_expiry_ends_the_session_once(server_url, tmp_path):
    async with EbokClient(server_url) as api:
        session = Session(api, drafts=DraftStore(tmp_path))
        await session.login("10002", demo_password("10002"))
        drafts = session.drafts
        assert session.expired() is True  # a session was active: the UI goes back to login
        assert session.expired() is False  # a second 401 changes nothing
        assert not session.active and api.token is None
        assert session.drafts is drafts is not None  # a screen leaving because of the 401 still saves
        with pytest.raises(Unauthorized):
            await api.me()


async def test_refreshed_only_while_logged_in(server_url, tmp_path):
    async with EbokClient(server_url) as api:
        session = Session(api)
        me = await session.login("10002", demo_password("10002"))
        assert session.drafts is None  # no draft store given
        session.refreshed(me.model_copy(update={"full_name": "Nowe Nazwisko"}))
        assert session.me is not None and session.me.full_name == "Nowe Nazwisko"
        await session.logout()
        session.refreshed(me)
        assert session.me is None
