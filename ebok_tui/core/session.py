"""One resident's session with one eBOK server (no Textual here): the API client, the customer
who is logged in (``me``), their draft store and the saved-login store, with login, logout and
expiry in one place.

The UI holds one :class:`Session` and reads everything from it; it never binds a draft store or
clears a token itself::

    session = Session(EbokClient(url), credentials=CredentialStore(server_url=url), drafts=DraftStore())
    me = await session.login("10001", password)   # ApiError if refused
    session.drafts                                  # that customer's drafts on that server
    await session.logout()                          # or session.expired() after a 401
"""

from __future__ import annotations

import asyncio

from ebok_tui.core.api import ApiError, EbokClient, Me
from ebok_tui.core.credentials import CredentialStore
from ebok_tui.core.drafts import DraftStore

__all__ = ["Session", "LOGOUT_TIMEOUT"]

#: How long logging out waits for the server before dropping the token locally anyway (s).
LOGOUT_TIMEOUT = 5.0


class Session:
    def __init__(
        self,
        api: EbokClient,
        *,
        credentials: CredentialStore | None = None,
        drafts: DraftStore | None = None,
    ) -> None:
        self.api = api
        #: the saved-login store (OS keyring); None when remembering logins is off
        self.credentials = credentials
        #: where drafts live (unbound: no server or customer yet); bound per customer at login
        self._drafts_root = drafts
        self._me: Me | None = None
        self._drafts: DraftStore | None = None

    @property
    def me(self) -> Me | None:
        """The logged-in customer, as the server last described them (None when logged out)."""
        return self._me

    @property
    def drafts(self) -> DraftStore | None:
        """The logged-in customer's drafts on this server (None when logged out or without a store)."""
        return self._drafts

    @property
    def active(self) -> bool:
        return self._me is not None

    async def login(self, customer_number: str, password: str) -> Me:
        """Log in and fetch who that is. Raises :class:`ApiError` (the session stays logged out)."""
        await self.api.login(customer_number, password)
        try:
            me = await self.api.me()
        except ApiError:
            self.api.clear_session()
            raise
        self.start(me)
        return me

    def start(self, me: Me) -> None:
        """Begin the session of ``me`` (the client already holds their token)."""
        self._me = me
        self._drafts = (
            self._drafts_root.for_account(self.api.base_url, me.customer_number)
            if self._drafts_root is not None
            else None
        )

    def refreshed(self, me: Me) -> None:
        """The server described the same customer again (e.g. after an e-FAKTURA change)."""
        if self._me is not None:
            self._me = me

    def expired(self) -> bool:
        """A call answered 401: the token is gone. True if a session was active (and has ended)."""
        was_active = self.active
        self.api.clear_session()
        self._end()
        return was_active

    async def logout(self, *, forget: bool = False, timeout: float = LOGOUT_TIMEOUT) -> None:
        """End the session on the server (the token is dropped locally whatever the server says,
        or if it does not answer within ``timeout`` s); ``forget`` also removes the saved login."""
        if self.api.token is not None:
            try:
                await asyncio.wait_for(self.api.logout(), timeout=timeout)
            except (ApiError, TimeoutError):
                self.api.clear_session()
        if forget and self.credentials is not None:
            await self.credentials.forget()
        self._end()

    def _end(self) -> None:
        self._me = None
        self._drafts = None
