"""One member of staff's session with one eBOK server (no Textual here): the staff client, who is
logged in and what they may do, and the customer being served (the open access), with login,
logout, expiry and opening/closing a customer in one place.

    staff = StaffSession(StaffClient.sharing(api))
    me = await staff.login("urzednik", password, "123456")   # ApiError if refused
    acting = await staff.open_customer("10001", "phone_call", verification=Verification(...))
    acting.api.balance()                                      # a resident Session for the customer
    await staff.close_customer()                              # ends the access on the server
    await staff.logout()                                      # closes the customer first

Staff credentials are never stored: no keyring, no file. The acting session is a resident
:class:`~ebok_tui.core.session.Session` without saved login or drafts (those are the resident's),
so the resident screens serve the customer with their own code.
"""

from __future__ import annotations

import asyncio
from typing import Unpack

from ebok_tui.core.api import ApiError, NotFound
from ebok_tui.core.api.staff import Access, AccessCustomer, AccessDetails, ActingClient, StaffClient, StaffMe
from ebok_tui.core.session import LOGOUT_TIMEOUT, LoggedIn, Session

__all__ = ["StaffSession"]


class StaffSession(LoggedIn[StaffMe]):
    def __init__(self, api: StaffClient) -> None:
        self.api = api
        self._access: Access | None = None
        self._acting: Session | None = None

    def can(self, permission: str) -> bool:
        """Whether the logged-in member of staff's role has ``permission`` (docs/API.md roles)."""
        return self._me is not None and self._me.can(permission)

    @property
    def access(self) -> Access | None:
        """The open access: the customer being served, why, and what may be done for them."""
        return self._access

    @property
    def acting(self) -> Session | None:
        """The resident session of the customer being served (None when nobody is)."""
        return self._acting

    async def set_customer_type(self, customer_type: str, nip: str | None, reason: str) -> AccessCustomer:
        """Change the type (and NIP) of the customer being served (:meth:`ActingClient.set_customer_type`);
        :attr:`access` describes them so from then on."""
        if self._acting is None or not isinstance(self._acting.api, ActingClient):
            raise RuntimeError("no customer is being served")
        client = self._acting.api
        customer = await client.set_customer_type(customer_type, nip, reason)
        self._access = client.access
        return customer

    async def login(self, login: str, password: str, totp_code: str | None = None) -> StaffMe:
        """Log in. Raises :class:`ApiError` (InvalidCredentials with ``totp_required`` /
        ``invalid_totp``, RateLimited...); the session stays logged out."""
        result = await self.api.login(login, password, totp_code)
        self._me = StaffMe.model_validate(result.model_dump(include=set(StaffMe.model_fields)))
        return self._me

    async def open_customer(self, customer_number: str, reason: str, **details: Unpack[AccessDetails]) -> Session:
        """Open ``customer_number`` for ``reason`` (and the :class:`AccessDetails` of
        :meth:`StaffClient.open_access`) and return the resident session acting for them (an open
        customer is closed first). Raises :class:`ApiError` (Forbidden ``verification_failed``:
        nothing opened)."""
        if self._access is not None:
            await self.close_customer()
        access = await self.api.open_access(customer_number, reason, **details)
        client = ActingClient(self.api, access)
        acting = Session(client)
        acting.start(await client.me())
        self._access, self._acting = access, acting
        return acting

    async def close_customer(self, *, timeout: float = LOGOUT_TIMEOUT) -> None:
        """End the access on the server (already ended counts as closed; a server that does not
        answer within ``timeout`` s leaves it to end with the staff session)."""
        access, self._access, self._acting = self._access, None, None
        if access is None or self.api.token is None:
            return
        try:
            await asyncio.wait_for(self.api.close_access(access.access_id), timeout=timeout)
        except NotFound:
            pass  # access_not_live: it ended already
        except (ApiError, TimeoutError):
            pass  # ends with the staff session (logout, or the 15-minute idle timeout)

    def expired(self) -> bool:
        """A call answered 401: the staff token is gone (and with it any open access). True if a
        session was active (and has ended)."""
        was_active = self.active
        self.api.clear_session()
        self._me = None
        self._access = self._acting = None
        return was_active

    async def logout(self, *, timeout: float = LOGOUT_TIMEOUT) -> None:
        """Close the customer, then end the session on the server (the token is dropped locally
        whatever the server says, or if it does not answer within ``timeout`` s)."""
        await self.close_customer(timeout=timeout)
        if self.api.token is not None:
            try:
                await asyncio.wait_for(self.api.logout(), timeout=timeout)
            except (ApiError, TimeoutError):
                self.api.clear_session()
        self._me = None
