"""One resident's session with one eBOK server (no Textual here): the API client, the customer
who is logged in (``me``), their draft store and the saved-login store, with login, logout and
expiry in one place.

The UI holds one :class:`Session` and reads everything from it; it never binds a draft store or
clears a token itself::

    session = Session(EbokClient(url), credentials=CredentialStore(server_url=url), drafts=DraftStore())
    me = await session.login("10001", password)   # ApiError if refused
    session.drafts                                  # that customer's drafts on that server
    await session.logout()                          # or session.expired() after a 401

Drafts are kept per server *identity* (``/health`` ``server_id``), not per address: the demo
server comes back on another port every launch, a real one may move. Logging in asks the server
for it, binds the customer's draft store once, and adopts the drafts an earlier version kept under
the server's URL.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Generic, TypeVar

from ebok_tui.core.api import ApiError

from ebok_tui.core.points import ALL_POINTS, choices_next_to

if TYPE_CHECKING:
    from ebok_tui.core.api import EbokClient, Me, ServicePoint
    from ebok_tui.core.credentials import CredentialStore
    from ebok_tui.core.drafts import DraftStore

__all__ = ["LOGOUT_TIMEOUT", "LoggedIn", "Session"]

MeT = TypeVar("MeT")

#: How long logging out waits for the server before dropping the token locally anyway (s).
LOGOUT_TIMEOUT = 5.0


class LoggedIn(Generic[MeT]):
    """Who is logged in on a session (a customer, or a member of staff): ``me`` as the server
    described them at login, None when logged out."""

    _me: MeT | None = None

    @property
    def me(self) -> MeT | None:
        return self._me

    @property
    def active(self) -> bool:
        return self._me is not None


class Session(LoggedIn["Me"]):  # a string: the reply models load with the first reply
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
        self._drafts: DraftStore | None = None
        #: the service point each customer last chose to see, kept beside the drafts (this run
        #: only without a draft store, e.g. staff acting for a customer)
        self.point_choices = choices_next_to(drafts.root if drafts is not None else None)
        self._points: list[ServicePoint] | None = None

    @property
    def drafts(self) -> DraftStore | None:
        """The customer's drafts on this server (None before login, after logout, or without a
        store). A session that expired (401) keeps them bound, so a screen that leaves because of
        it still saves what was typed; the next login binds the store again."""
        return self._drafts

    async def login(self, customer_number: str, password: str) -> Me:
        """Log in and fetch who that is. Raises :class:`ApiError` (the session stays logged out)."""
        await self.api.login(customer_number, password)
        try:
            me = await self.api.me()
        except ApiError:
            self.api.clear_session()
            raise
        await self.begin(me)
        return me

    async def begin(self, me: Me) -> None:
        """Begin the session of ``me`` (the client already holds their token): ask the server for
        its identity, bind the customer's drafts by it and adopt their URL-keyed drafts."""
        server_id = None
        if self._drafts_root is not None:
            try:
                server_id = (await self.api.health()).server_id
            except ApiError:
                pass  # known by its address for now (see start)
        self.start(me, server_id=server_id)
        if self._drafts is not None:
            try:
                await asyncio.to_thread(self._drafts.adopt_url_drafts, self.api.base_url)
            except Exception:  # never block a login on housekeeping  # noqa: BLE001
                pass

    def start(self, me: Me, *, server_id: str | None = None) -> None:
        """Begin the session of ``me`` (the client already holds their token), their drafts keyed
        by ``server_id``; a server that reports no identity (or could not be asked) is known by
        its address."""
        self._me = me
        self._points = None
        self._drafts = (
            self._drafts_root.for_account(
                server_id or f"url:{self.api.base_url.lower()}", me.customer_number, self.api.base_url
            )
            if self._drafts_root is not None
            else None
        )

    async def service_points(self) -> list[ServicePoint]:
        """The customer's service points: from ``/me`` (no request), else asked once per session
        (staff acting for a customer: the access does not list them)."""
        if self._points is None:
            self._points = list(self._me.service_points) if self._me is not None else []
            if not self._points:
                self._points = await self.api.service_points()
        return self._points

    def chosen_point(self, points: list[ServicePoint]) -> ServicePoint | None:
        """The point the customer last chose among ``points``; None for every point (also when
        they never chose, or the remembered point is no longer theirs)."""
        if self._me is None or len(points) < 2:
            return None
        code = self.point_choices.load(self._me.customer_number)
        return next((p for p in points if p.code == code), None)

    def choose_point(self, point: ServicePoint | None) -> None:
        """Remember ``point`` (None: every point) for the customer at once;
        :meth:`save_point_choices` keeps it across runs."""
        if self._me is not None:
            self.point_choices.remember(self._me.customer_number, point.code if point is not None else ALL_POINTS)

    async def save_point_choices(self) -> None:
        """Write the remembered points off the event loop. Raises OSError when the file cannot be
        written (the choice holds for this run)."""
        await asyncio.to_thread(self.point_choices.write)

    def refreshed(self, me: Me) -> None:
        """The server described the same customer again (e.g. after an e-FAKTURA change)."""
        if self._me is not None:
            self._me = me

    def expired(self) -> bool:
        """A call answered 401: the token is gone. True if a session was active (and has ended)."""
        was_active = self.active
        self.api.clear_session()
        self._me = None  # the drafts stay bound (see ``drafts``)
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
        self._points = None
