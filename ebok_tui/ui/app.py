"""The eBOK terminal application: login first, then the resident's sections.

The app watches the server from start to exit: a light ``GET /health`` every ``health_interval``
seconds, and at once after any call fails to reach the server (``check_server_now``). While the
server does not answer, ``server_problem`` holds a message naming its address (every screen shows
it in its :class:`~ebok_tui.ui.screens.base.ServerStatus` line) and the check is retried after
``retry_delays`` (1, 2, 4... 30 s, the last one repeating). When the server answers again the
message goes and the current screen reloads by itself. The checks are timers, not workers, so
they never hold up "wait for the workers" in tests or on exit.

Start-up: the login screen is the first frame, with nothing awaited before it. The first health
check waits for that frame (``on_ready``: the check's first request loads the HTTP stack). In a
demo, the demo logins are asked for after it too (``demo_loading`` says they are coming, and the
login screen's panel says so); with ``server_start`` (``ebok-tui --demo``) the embedded server is
started meanwhile, and the client's requests wait until it is up — so logging in works as soon as
the server does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer

from ebok_tui.core.api import ApiError, ConnectionFailed, RequestTimeout
from ebok_tui.core.i18n import DEFAULT_LANGUAGE, I18n
from ebok_tui.core.session import Session
from ebok_tui.ui.messages import LoggedIn, LogoutRequested, SessionExpired
from ebok_tui.ui.sections import BY_ID, SECTIONS, load_screen

if TYPE_CHECKING:
    from ebok_tui.core.api import DemoInfo, EbokClient, Me
    from ebok_tui.core.credentials import CredentialStore
    from ebok_tui.core.drafts import DraftStore


class EbokApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "eBOK"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "bind.quit", priority=True),
        Binding("ctrl+p", "command_palette", "bind.palette", priority=True, show=False),
        # demo only: the mail the demo server "sent", from any screen (the login screen shows it)
        Binding("ctrl+o", "demo_mail", "bind.demo_mail", show=False),
    ]

    #: Seconds between health checks while the server answers.
    HEALTH_INTERVAL = 15.0
    #: Seconds before each next check while it does not (the last delay repeats).
    RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)

    #: Why the server cannot be used right now (naming its address), or None while it answers.
    server_problem: reactive[str | None] = reactive(None, init=False)
    #: The demo logins (``/demo-info``), once asked (None when not a demo or not known).
    demo_info: reactive[DemoInfo | None] = reactive(None, init=False)
    #: A demo whose logins are still coming (its server starting, or the first ``/demo-info``).
    demo_loading: reactive[bool] = reactive(False, init=False)

    def __init__(
        self,
        api: EbokClient,
        *,
        lang: str = DEFAULT_LANGUAGE,
        credentials: CredentialStore | None = None,
        drafts: DraftStore | None = None,
        demo: bool = False,
        server_start: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        """``server_start`` (a demo whose server is starting): awaited after the first frame, it
        gives the server's URL, which ``api`` (an ``EbokClient.awaiting_address()``) then uses."""
        super().__init__()
        #: the client, who is logged in, their drafts and the saved login (screens read it as
        #: ``self.session``; the app alone starts and ends it)
        self.session = Session(api, credentials=credentials, drafts=drafts)
        self.i18n = I18n(lang)
        self.demo = demo
        self.set_reactive(EbokApp.demo_loading, demo)
        self._server_start = server_start
        self.current_section: str | None = None
        self.health_interval = self.HEALTH_INTERVAL
        self.retry_delays = self.RETRY_DELAYS
        self._server_timer: Timer | None = None
        self._server_checking = False
        self._server_failures = 0
        #: The server's business date, from its last health check (None until one answered).
        self.server_today: dt.date | None = None

    @property
    def api(self) -> EbokClient:
        return self.session.api

    @property
    def me(self) -> Me | None:
        return self.session.me

    # --- start ---------------------------------------------------------------------------------
    async def on_mount(self) -> None:
        self.title = self.i18n.t("app.title")
        self.sub_title = self.i18n.t("app.subtitle")
        await self.push_screen(self._login_screen())

    def on_ready(self) -> None:
        """The first frame (the login screen) is on the terminal: now reach for the server."""
        if self.demo:
            self.run_worker(self._start_demo(), group="demo-start", exclusive=True)
        else:
            self.check_server_now()  # the login screen says so at once when the server is not there

    async def _start_demo(self) -> None:
        """Start the embedded server (if ``server_start``), then ask for the demo logins."""
        if self._server_start is not None:
            try:
                url = await self._server_start()
            except Exception as error:  # noqa: BLE001 - DemoServerError, or any reason it did not start
                self.api.address_failed(str(error))
                code = getattr(error, "code", "start_failed")
                self.exit(return_code=2, message=Text(f"ebok-tui: {self.i18n.t(f'demo.{code}')}\n{error}"))
                return
            self.api.set_address(url)
        self.check_server_now()
        try:
            self.demo_info = await self.api.demo_info()
        except ApiError:
            self.demo_info = None
        finally:
            self.demo_loading = False

    # --- is the server there? ------------------------------------------------------------------
    def check_server_now(self) -> None:
        """Check the server soon (a call just failed to reach it, or the app started)."""
        if not self._server_checking:
            self._schedule_server_check(0)

    def _schedule_server_check(self, delay: float) -> None:
        if self._server_timer is not None:
            self._server_timer.stop()
        # a zero-delay Textual timer divides by zero: "now" is a hundredth of a second
        self._server_timer = self.set_timer(max(delay, 0.01), self._check_server, name="server-check")

    async def _check_server(self) -> None:
        self._server_timer = None
        self._server_checking = True
        try:
            self.server_today = await self.api.ping()  # no reply models: idle stays light
        except (ConnectionFailed, RequestTimeout):
            reachable = False
        except ApiError:
            reachable = True  # it answered, if oddly: the server is there
        else:
            reachable = True
        finally:
            self._server_checking = False
        if not self.is_running:
            return
        if reachable:
            was_lost = self.server_problem is not None
            self._server_failures = 0
            self.server_problem = None
            self._schedule_server_check(self.health_interval)
            if was_lost:
                self._server_back()
        else:
            delay = self.retry_delays[min(self._server_failures, len(self.retry_delays) - 1)]
            self._server_failures += 1
            self.server_problem = self.i18n.t("app.server_lost", server=self.api.base_url)
            self._schedule_server_check(delay)

    def _server_back(self) -> None:
        """The server answers again: say so and reload the screen the resident is looking at (the
        topmost one that loads data, i.e. has ``action_reload``: not a dialog, not the login)."""
        self.notify(self.i18n.t("app.server_back", server=self.api.base_url), timeout=4)
        for screen in reversed(self.screen_stack):
            reload = getattr(screen, "action_reload", None)
            if callable(reload):
                reload()
                break

    def _login_screen(self, message: str | None = None) -> Screen:
        return load_screen("login")(message=message)

    # --- navigation ----------------------------------------------------------------------------
    async def _replace_top(self, screen: Screen) -> None:
        """Drop everything above the base screen and show ``screen`` there.

        Not Textual's screen modes: a mode keeps its own stack while another is shown, but opening
        a section here must show it fresh (its data reloaded, nothing left pushed on it) and
        logging out must drop every screen that holds the customer's data; with modes each switch
        would be remove_mode + add_mode + switch_mode, this function again in other words."""
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        if len(self.screen_stack) == 2:
            await self.switch_screen(screen)
        else:
            await self.push_screen(screen)

    async def action_open_section(self, section_id: str) -> None:
        if self.me is None or section_id not in BY_ID:
            return
        self.current_section = section_id
        await self._replace_top(BY_ID[section_id].load()())

    async def logged_in(self, me: Me) -> None:
        """``me`` has logged in (their token is in the client): start the session (their drafts
        bound by the server's identity), open the balance."""
        await self.session.begin(me)
        await self.action_open_section("balance")

    @on(LoggedIn)
    async def _logged_in(self, message: LoggedIn) -> None:
        await self.action_open_section("balance")

    @on(SessionExpired)
    async def _session_expired(self) -> None:
        """Back to login, saying why (once, however many calls answered 401)."""
        if self.session.expired():
            self.current_section = None
            await self._replace_top(self._login_screen(self.i18n.t("app.session_expired")))

    @on(LogoutRequested)
    async def _logout_requested(self, message: LogoutRequested) -> None:
        await self.logout(forget=message.forget)

    async def logout(self, *, forget: bool = False) -> None:
        await self.session.logout(forget=forget)
        self.current_section = None
        await self._replace_top(self._login_screen(self.i18n.t("app.logged_out")))

    async def action_logout(self, forget: bool = False) -> None:
        await self.logout(forget=forget)

    async def action_switch_language(self) -> None:
        self.i18n = I18n("en" if self.i18n.lang == "pl" else "pl")
        self.api.lang = self.i18n.lang
        self.title = self.i18n.t("app.title")
        if self.me is not None and self.current_section:
            await self._replace_top(BY_ID[self.current_section].load()())
        else:
            await self._replace_top(self._login_screen())

    def action_demo_mail(self) -> None:
        """Show the demo mailbox over the current screen (Esc returns to it, typing intact)."""
        screen_class = load_screen("demo_mail")
        if self.demo and not isinstance(self.screen, screen_class):
            self.push_screen(screen_class())

    async def refresh_demo_info(self) -> None:
        """Ask the demo server again: a password changed or reset in the demo is no longer shown.
        (Not while the first answer is still coming, see ``_start_demo``.)"""
        if not self.demo or self.demo_loading:
            return
        try:
            self.demo_info = await self.api.demo_info()
        except ApiError:
            pass  # keep what was shown; the server says which passwords are still true next time

    async def action_quit(self) -> None:
        if self.session.active:
            await self.session.logout(timeout=3)
        self.exit()

    # --- command palette -----------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        t = self.i18n.t
        if self.me is not None:
            for section in SECTIONS:
                name = t(section.label_key)
                yield SystemCommand(
                    t("cmd.open_section", section=name),
                    t("cmd.open_section_help", section=name),
                    lambda s=section.id: self.run_action(f"open_section('{s}')"),
                )
            yield SystemCommand(t("cmd.logout"), t("cmd.logout_help"), self.action_logout)
            yield SystemCommand(
                t("cmd.logout_forget"), t("cmd.logout_forget_help"), lambda: self.run_action("logout(True)")
            )
        if self.demo:
            yield SystemCommand(t("cmd.demo_mail"), t("cmd.demo_mail_help"), self.action_demo_mail)
        yield SystemCommand(t("cmd.language"), t("cmd.language_help"), self.action_switch_language)
        yield SystemCommand(t("cmd.quit"), t("cmd.quit_help"), self.action_quit)
