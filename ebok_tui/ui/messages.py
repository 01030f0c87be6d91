"""What screens tell the app. A screen never switches screens or ends the session itself: it posts
one of these (they bubble from the screen to the app), and the app acts on it from its own queue —
so the screen that is being replaced is never the one running the switch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from ebok_tui.core.api import Me


class LoggedIn(Message):
    """The server accepted the credentials; ``me`` is who logged in (the session already holds them)."""

    def __init__(self, me: Me) -> None:
        super().__init__()
        self.me = me


class LogoutRequested(Message):
    """The resident asked to log out; ``forget`` also removes the saved login."""

    def __init__(self, forget: bool = False) -> None:
        super().__init__()
        self.forget = forget


class SessionExpired(Message):
    """A call answered 401: the token is gone."""


class Finished(Message):
    """A screen's own worker finished its job: the screen dismisses itself with ``result`` when
    it handles this — from its message queue, not from inside the worker the dismissal cancels."""

    bubble = False

    def __init__(self, result: object = None) -> None:
        super().__init__()
        self.result = result


class StaffLoggedIn(Message):
    """A member of staff logged in (the app's staff session already holds them)."""


class CustomerOpened(Message):
    """Staff opened a customer (the staff session holds the access): serve them in act-for mode."""


class CloseCustomerRequested(Message):
    """Staff finished with the customer being served: close the access, back to the staff shell."""
