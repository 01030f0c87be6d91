"""One way for every eBOK screen to call the API: a loading indicator while a call is in flight,
errors shown in the screen's banner (or as a notification where it has none), 401 -> back to the
login; and the screen's binding descriptions in the app's language.

Its own module, apart from the screen bases in :mod:`ebok_tui.ui.screens.base`: the login screen,
the app's first, mixes it in without making the section, sub-screen and modal bases (each Textual
screen class costs its creation at import, before the first frame: issue 11).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.binding import ActiveBinding
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import Worker

from ebok_tui.core.api import ApiError, ConnectionFailed, NotFound, RequestTimeout, Unauthorized
from ebok_tui.ui import wording
from ebok_tui.ui.bindings import translate_active
from ebok_tui.ui.messages import CloseCustomerRequested, Finished, SessionExpired
from ebok_tui.ui.widgets.chrome import ErrorBanner
from ebok_tui.ui.widgets.forms import show_field_error

if TYPE_CHECKING:
    from textual.widgets import TextArea  # by name only: the login screen needs no TextArea (start-up)

    from ebok_tui.core.api import EbokClient
    from ebok_tui.core.i18n import I18n
    from ebok_tui.core.session import Session
    from ebok_tui.ui.app import EbokApp


class ApiMixin:
    """Calling the API from a screen: loading indicator, error banner, 401 handling. Also reports
    the screen's binding descriptions in the app's language (every eBOK screen mixes this in)."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translate_active(super().active_bindings, self.ebok.i18n)  # type: ignore[misc]

    @property
    def ebok(self) -> EbokApp:
        return self.app  # type: ignore[attr-defined,return-value]

    @property
    def session(self) -> Session:
        """The resident's session: the client, who is logged in, their drafts, the saved login."""
        return self.ebok.session

    @property
    def api(self) -> EbokClient:
        return self.ebok.session.api

    #: Act-for mode (staff serving a customer): the permission of the access (docs/API.md roles)
    #: each action of this screen needs, or None for an action staff are not offered at all (the
    #: resident's own things: drafts, saved login). Actions not listed are offered to everyone. A
    #: screen with its own ``check_action`` asks :meth:`acting_allows` first.
    ACTING: ClassVar[dict[str, str | None]] = {}

    def acting_allows(self, action: str) -> bool:
        """Whether ``action`` is offered: always to the resident; to staff acting for a customer,
        when the access has the permission :attr:`ACTING` names for it."""
        access = self.ebok.acting
        if access is None or action not in self.ACTING:
            return True
        permission = self.ACTING[action]
        return permission is not None and access.can(permission)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.acting_allows(action)

    @property
    def i18n(self) -> I18n:
        return self.ebok.i18n

    def t(self, key: str, **values: Any) -> str:
        return self.ebok.i18n.t(key, **values)

    def error_message(self, error: ApiError) -> str:
        """The API error in the resident's words."""
        return wording.error_message(self.ebok.i18n, error)

    def field_messages(self, error: ApiError) -> dict[str, str]:
        """Per wrong field (plain name), the resident's words."""
        return wording.field_messages(self.ebok.i18n, error)

    #: The banner shows why the screen's data could not be loaded (kept until a reload works),
    #: rather than why an action failed (cleared once the resident edits a field or comes back).
    _load_error_shown: bool = False

    def on_input_changed(self, event: Input.Changed) -> None:
        self._edited(event.input)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._edited(event.text_area)

    def _edited(self, field: Widget) -> None:
        error = getattr(field, "_ebok_field_error", None)
        if error is not None and field.has_class("-invalid"):
            show_field_error(error, field, None)
        if not self._load_error_shown:
            self.clear_error()

    #: The screen has been shown before (see :meth:`on_screen_resume`).
    _shown_before: bool = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._shown_before:
            # Shown for the first time, just mounted: every widget was styled as it mounted, and
            # Textual's own handler (it runs after this one) would style them all again, a third
            # of the styling a section switch costs (issue 11). Shown again (back from a dialog
            # or a sub-screen) they are styled again, as Textual does.
            self._shown_before = True
            event.refresh_styles = False
            return  # and it has no old action's error to clear
        if not self._load_error_shown:
            self.clear_error()  # back from a dialog or sub-screen: an old action's error is stale

    def _banner(self) -> ErrorBanner | None:
        banners = self.query(ErrorBanner)  # type: ignore[attr-defined]
        return banners.first() if banners else None

    def show_error(self, message: str) -> None:
        banner = self._banner()
        if banner is not None:
            banner.show(message)
        else:
            self.ebok.notify(message, title=self.t("app.error_title"), severity="error", timeout=8)

    def clear_error(self) -> None:
        banner = self._banner()
        if banner is not None:
            banner.clear()

    def finish(self, result: object = None) -> None:
        """From the screen's own worker: close the screen with ``result`` from the screen's message
        queue (dismissing from inside the worker would cancel that worker mid-way)."""
        self.post_message(Finished(result))  # type: ignore[attr-defined]

    def on_finished(self, message: Finished) -> None:  # a mixin: by name, not @on
        self.dismiss(message.result)  # type: ignore[attr-defined]

    def on_api_error(self, error: ApiError) -> bool:
        """Handle an API error specially (e.g. next to a form field). Return True if handled."""
        return False

    def run_api(
        self,
        func: Callable[[], Awaitable[Any]],
        *,
        target: Widget | None = None,
        group: str = "api",
        exclusive: bool = True,
    ) -> Worker[Any]:
        """Run ``func()`` in a worker with a loading indicator over ``target`` (default: the body).

        Errors never escape: 401 → login screen; staff acting for a customer whose access ended
        (404 ``access_not_live``) → the staff shell; other API errors → ``on_api_error`` or the banner.
        Typed input stays where it was, so nothing is lost on failure.
        """

        async def runner() -> Any:
            widget = target if target is not None else self._default_target()
            if widget is not None:
                widget.loading = True
            try:
                result = await func()
            except Unauthorized:
                self.post_message(SessionExpired())  # type: ignore[attr-defined]
                return None
            except NotFound as error:
                if error.code != "access_not_live" or self.ebok.acting is None:
                    self._failed(error, group)
                    return None
                # the access ended elsewhere (account disabled, session ended): back to the staff shell
                self.ebok.notify(self.error_message(error), severity="warning", timeout=8)
                self.post_message(CloseCustomerRequested())  # type: ignore[attr-defined]
                return None
            except ApiError as error:
                self._failed(error, group)
                return None
            else:
                self._load_error_shown = False
                self.clear_error()
                return result
            finally:
                if widget is not None and widget.is_attached:
                    widget.loading = False

        # Pass the coroutine *function*: a worker cancelled before it starts then leaves no
        # never-awaited coroutine behind.
        return self.run_worker(runner, group=group, exclusive=exclusive)  # type: ignore[attr-defined]

    def _failed(self, error: ApiError, group: str) -> None:
        if isinstance(error, (ConnectionFailed, RequestTimeout)):
            self.ebok.check_server_now()  # gone? then say so everywhere and retry in the background
        self._load_error_shown = group == "load"
        if not self.on_api_error(error):
            self.show_error(self.error_message(error))

    def _default_target(self) -> Widget | None:
        bodies = self.query("#body")  # type: ignore[attr-defined]
        return bodies.first() if bodies else None
