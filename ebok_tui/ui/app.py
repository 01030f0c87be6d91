"""The eBOK terminal application: login first, then the resident's sections — or, for staff
(``--staff``, or from the login screen), the staff login, then the staff sections the role may
open (``ebok_tui.ui.staff_sections``) and, once a customer is opened, the resident's sections for
that customer ("act-for" mode: ``session`` is then the customer's acting session, every screen
shows who is being served, and closing the customer or logging out ends the access).

The app watches the server from start to exit: a light ``GET /health`` every ``health_interval``
seconds, and at once after any call fails to reach the server (``check_server_now``). While the
server does not answer, ``server_problem`` holds a message naming its address (every screen shows
it in its :class:`~ebok_tui.ui.screens.base.ServerStatus` line) and the check is retried after
``retry_delays`` (1, 2, 4... 30 s, the last one repeating). When the server answers again the
message goes and the current screen reloads by itself. The checks are timers, not workers, so
they never hold up "wait for the workers" in tests or on exit.

When the terminal goes away (an SSH connection cut, a terminal window closed: SIGHUP), the app
ends the session on the server (the token is revoked, not left valid until it expires) and exits;
nothing more is drawn, as there is nobody to draw for.

Start-up: the login screen is the first frame, with nothing awaited before it. The first health
check waits for that frame (``on_ready``: the check's first request loads the HTTP stack). In a
demo, the demo logins are asked for after it too (``demo_loading`` says they are coming, and the
login screen's panel says so); with ``server_start`` (``ebok-tui --demo``) the embedded server is
started meanwhile, and the client's requests wait until it is up — so logging in works as soon as
the server does. The program (``ebok_tui.__main__``) holds Python's garbage collector off until
that frame; ``on_ready`` turns it back on once the frame is out.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import os
import signal
from collections.abc import Awaitable, Callable, Iterable
from types import ModuleType
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer

from ebok_tui.core.api import ApiError, ConnectionFailed, RequestTimeout
from ebok_tui.core.i18n import DEFAULT_LANGUAGE, I18n
from ebok_tui.core.session import Session
from ebok_tui.ui.messages import (
    CloseCustomerRequested,
    CustomerOpened,
    LoggedIn,
    LogoutRequested,
    SessionExpired,
    StaffLoggedIn,
)
from ebok_tui.ui.sections import BY_ID, SECTIONS, load_screen
from ebok_tui.ui.terminal import TEXTUAL_NO_COLOR_FILTERS, Terminal

#: The resident sections staff open for a customer (the account screen is the resident's own:
#: password, saved login, who viewed their data).
ACTING_SECTIONS = frozenset(s.id for s in SECTIONS) - {"account"}

if TYPE_CHECKING:
    from ebok_tui.core.api import DemoInfo, EbokClient, Me
    from ebok_tui.core.credentials import CredentialStore
    from ebok_tui.core.drafts import DraftStore
    from ebok_tui.core.api.staff import Access
    from ebok_tui.core.staff_session import StaffSession


def _staff_nav() -> ModuleType:
    """The staff navigation (``ebok_tui.ui.staff_sections``), imported on first use: a resident's
    app never needs it, and its start is measured (issue 11)."""
    from ebok_tui.ui import staff_sections

    return staff_sections


def resume_garbage_collection() -> None:
    """After the first frame: collect what the start-up left (the imports' objects are frozen, so
    this scans only what was made since) and let the collector run as usual again."""
    gc.collect()
    gc.enable()


class EbokApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "eBOK"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "bind.quit", priority=True),
        Binding("ctrl+p", "command_palette", "bind.palette", priority=True, show=False),
        # demo only: the mail the demo server "sent", from any screen (the login screen shows it)
        Binding("ctrl+o", "demo_mail", "bind.demo_mail", show=False),
        # act-for mode only (check_action): end the access, back to the staff shell (the banner
        # on every act-for screen names the key)
        Binding("ctrl+f", "close_customer", "staff.bind_close_customer", priority=True, show=False),
        # key help for the current screen (a focused input still gets its "?")
        Binding("f1", "help", "help.open", show=False),
        Binding("question_mark", "help", "help.open", show=False),
        # Tab moves the focus before the keys behind it are handed out. Textual binds it on the
        # screen, reached only once the key has bubbled up from the focused field through its
        # containers, one message queue at a time - while the keys that came with it (a fast
        # typist, a password manager typing "number{TAB}password") already went to the field
        # being left: the login form lost the password. A priority binding is checked first.
        Binding("tab", "focus_next", show=False, priority=True),
        Binding("shift+tab", "focus_previous", show=False, priority=True),
        # Enter in a field of the screen's EnterMovesOn table moves on the same way (widgets/enter.py)
        Binding("enter", "enter_moves_on", show=False, priority=True),
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
    #: The customer's threads with an unread utility reply, as the last balance or correspondence
    #: reply said (the navigation bar shows it next to the correspondence section).
    unread_threads: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        api: EbokClient,
        *,
        lang: str = DEFAULT_LANGUAGE,
        credentials: CredentialStore | None = None,
        drafts: DraftStore | None = None,
        demo: bool = False,
        staff: bool = False,
        terminal: Terminal | None = None,
        server_start: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        """``server_start`` (a demo whose server is starting): awaited after the first frame, it
        gives the server's URL, which ``api`` (an ``EbokClient.awaiting_address()``) then uses."""
        super().__init__()
        #: colours and glyphs (``ebok_tui.ui.terminal.detect()`` in a real terminal; the full
        #: design by default, as in tests)
        self.terminal = terminal or Terminal("truecolor", "unicode")
        self.terminal.apply(self)
        self._terminal_filters = self.terminal.filters()
        #: the client, who is logged in, their drafts and the saved login (screens read it as
        #: ``self.session``; the app alone starts and ends it). In act-for mode it is the acting
        #: session of the customer staff serve; the resident's own session waits in ``_resident``.
        self.session = Session(api, credentials=credentials, drafts=drafts)
        self._resident = self.session
        self._staff: StaffSession | None = None  # made by ``staff`` on first use
        #: the first screen is the staff login (``--staff``, or chosen on the login screen)
        self.staff_mode = staff
        self.current_staff_section: str | None = None
        self.i18n = I18n(lang)
        self.demo = demo
        self.set_reactive(EbokApp.demo_loading, demo)
        self._server_start = server_start
        self.current_section: str | None = None
        #: the resident closed the balance's "since your last visit" panel (until the next login)
        self.news_dismissed = False
        self.health_interval = self.HEALTH_INTERVAL
        self._too_small_notice: Screen | None = None  # shown while the terminal is below MIN_SIZE
        self.retry_delays = self.RETRY_DELAYS
        self._server_timer: Timer | None = None
        self._server_checking = False
        self._server_failures = 0
        #: The server's business date, from its last health check (None until one answered).
        self.server_today: dt.date | None = None
        self._hung_up = False
        self._started = False  # the login screen is up: the size notice may go over it

    def get_line_filters(self) -> list[LineFilter]:
        filters = super().get_line_filters()
        if self.terminal.no_color:
            filters = [f for f in filters if not isinstance(f, TEXTUAL_NO_COLOR_FILTERS)]
        return [*filters, *self._terminal_filters]

    @property
    def api(self) -> EbokClient:
        return self.session.api

    @property
    def me(self) -> Me | None:
        return self.session.me

    @property
    def staff(self) -> StaffSession:
        """The member of staff (nothing of it is ever stored) and the customer being served, made
        on first use: a resident's app never loads the staff client and its reply models (pydantic),
        which keeps them off the login screen's start (bench/bench_client.py)."""
        if self._staff is None:
            from ebok_tui.core.api.staff import StaffClient
            from ebok_tui.core.staff_session import StaffSession

            self._staff = StaffSession(StaffClient.sharing(self._resident.api))
        return self._staff

    @property
    def acting(self) -> Access | None:
        """The access of the customer staff are serving (None outside act-for mode)."""
        return self.staff.access if self.session is not self._resident else None

    def section_available(self, section_id: str) -> bool:
        """Whether the resident section ``section_id`` is offered (all of them to the resident;
        to staff acting for a customer, not the customer's own account screen)."""
        return section_id in BY_ID and (self.acting is None or section_id in ACTING_SECTIONS)

    # --- start ---------------------------------------------------------------------------------
    async def on_mount(self) -> None:
        self.title = self.i18n.t("app.title")
        self.sub_title = self.i18n.t("app.subtitle")
        self._handle_hangup()
        self._started = True
        self._fit_check(self.size.width, self.size.height)

    # --- a terminal smaller than the layout ------------------------------------------------------
    #: Every screen is laid out for this many columns and lines.
    MIN_SIZE = (80, 24)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_check(event.size.width, event.size.height)

    def _fit_check(self, width: int, height: int) -> None:
        """Below 80x24 a notice with the current and the needed size covers the app (nothing is
        shown cut: no amount loses its last digits); it goes when the window is large enough."""
        if not self._started:
            return
        too_small = width < self.MIN_SIZE[0] or height < self.MIN_SIZE[1]
        notice = self._too_small_notice
        if too_small and (notice is None or notice not in self.screen_stack) and self.screen_stack:
            # imported only when needed: a start in a large enough terminal never loads it
            self._too_small_notice = load_screen("too_small")()
            self.push_screen(self._too_small_notice)
        elif not too_small and notice is not None and self.screen is notice:
            self.pop_screen()
            self._too_small_notice = None

    # --- the terminal went away --------------------------------------------------------------------
    def _handle_hangup(self) -> None:
        """On SIGHUP (a real terminal only: headless test apps leave the process's signals alone)
        end the session on the server and exit, instead of Python's default of dying on the spot
        with the token still valid."""
        if self.is_headless or not hasattr(signal, "SIGHUP"):
            return
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._terminal_hung_up)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # no signals in this loop or thread: the default stays

    def _terminal_hung_up(self) -> None:
        if self._hung_up:
            return
        self._hung_up = True
        # Writes to a hung-up terminal fail (EIO) and would end Textual's writer thread, after
        # which its bounded queue blocks the app; what is left to draw goes nowhere instead.
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            try:
                os.dup2(devnull, fd)
            except OSError:
                pass
        os.close(devnull)
        self.run_worker(self._end_after_hangup, group="hangup", exclusive=True)

    async def _end_after_hangup(self) -> None:
        if self.session.active:
            await self.session.logout(timeout=3)
        self.exit()

    def on_ready(self) -> None:
        """The first frame (the login screen) is being drawn: now reach for the server."""
        if not gc.isenabled():  # the program held the collector off for the start-up (__main__)
            self.screen.call_after_refresh(resume_garbage_collection)
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

    def get_default_screen(self) -> Screen:
        """The login screen is the first screen itself, not pushed over Textual's empty default
        one: that screen would be made, styled and laid out for nothing before the first frame
        (start-up speed, issue 11)."""
        screen = self._login_screen()
        # Textual 8.2.8 gives its first screen no result callback, as push_screen and switch_screen
        # give theirs, yet switch_screen pops one from the screen it replaces: switching away from
        # the first screen raises IndexError. Reproduction: an App whose on_mount calls
        # ``self.switch_screen(Screen())``. Worked around here alone: the same empty callback
        # switch_screen gives.
        screen._push_result_callback(screen, None)
        return screen

    def _login_screen(self, message: str | None = None) -> Screen:
        if self.staff_mode:
            return _staff_nav().load_staff_screen("staff_login")(message=message)
        return load_screen("login")(message=message)

    async def action_login_as(self, who: str) -> None:
        """Switch the first screen between the resident's (``resident``) and staff (``staff``) login."""
        self.staff_mode = who == "staff"
        await self._replace_top(self._login_screen())

    # --- navigation ----------------------------------------------------------------------------
    async def _replace_top(self, screen: Screen) -> None:
        """Drop every screen pushed over the current one and show ``screen`` in its place.

        The app's stack holds one screen (the login, a section) with its dialogs and sub-screens
        over it. Not Textual's screen modes: a mode keeps its own stack while another is shown,
        but opening a section here must show it fresh (its data reloaded, nothing left pushed on
        it) and logging out must drop every screen that holds the customer's data; with modes
        each switch would be remove_mode + add_mode + switch_mode, this function again in other
        words."""
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.switch_screen(screen)

    async def action_open_section(self, section_id: str) -> None:
        if self.me is None or not self.section_available(section_id):
            return
        self.current_section = section_id
        await self._replace_top(BY_ID[section_id].load()())

    async def logged_in(self, me: Me) -> None:
        """``me`` has logged in (their token is in the client): start the session (their drafts
        bound by the server's identity), open the balance."""
        await self.session.begin(me)
        self._new_customer()
        await self.action_open_section("balance")

    def _new_customer(self) -> None:
        """What the screens learnt about the previous customer does not carry over; the unread count
        starts as ``/me`` said (the balance and correspondence replies update it)."""
        me = self.session.me
        self.unread_threads = me.unread_threads if me is not None else 0
        self.news_dismissed = False

    @on(LoggedIn)
    async def _logged_in(self, message: LoggedIn) -> None:
        self._new_customer()
        await self.action_open_section("balance")

    # --- staff ---------------------------------------------------------------------------------
    async def action_open_staff_section(self, section_id: str) -> None:
        section = _staff_nav().STAFF_BY_ID.get(section_id)
        if section is None or not self.staff.can(section.permission) or self.acting is not None:
            return
        self.current_staff_section = section_id
        await self._replace_top(section.load()())

    def staff_sections(self) -> list:
        """The staff sections the logged-in member of staff's role may open."""
        return [s for s in _staff_nav().STAFF_SECTIONS if self.staff.can(s.permission)]

    @on(StaffLoggedIn)
    async def _staff_logged_in(self) -> None:
        first = next(iter(self.staff_sections()), None)
        if first is not None:
            await self.action_open_staff_section(first.id)

    @on(CustomerOpened)
    async def _customer_opened(self) -> None:
        """Serve the customer the staff session just opened: the resident screens on their acting
        session, from the balance."""
        acting = self.staff.acting
        if acting is None:
            return
        self.session = acting
        self._new_customer()
        await self.action_open_section("balance")

    @on(CloseCustomerRequested)
    async def _close_requested(self) -> None:
        await self.action_close_customer()

    async def action_close_customer(self) -> None:
        """End the access on the server and go back to the staff section last used."""
        if self.acting is None:
            return
        number = self.acting.customer.customer_number
        self.session = self._resident
        self.current_section = None
        await self.staff.close_customer()
        self.notify(self.i18n.t("staff.customer_closed", number=number), timeout=4)
        await self.action_open_staff_section(self.current_staff_section or "search")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_customer":
            return self.acting is not None
        if action == "enter_moves_on":  # only from a field the screen's table lists
            enter_target = getattr(self.screen, "enter_target", None)
            return enter_target is not None and enter_target() is not None
        return True

    def action_enter_moves_on(self) -> None:
        self.screen.enter_moves_on()  # type: ignore[attr-defined]  # check_action: an EnterMovesOn

    @on(SessionExpired)
    async def _session_expired(self) -> None:
        """Back to login, saying why (once, however many calls answered 401)."""
        if self.staff_mode:
            self.session = self._resident
            self.current_section = self.current_staff_section = None
            if self.staff.expired():
                await self._replace_top(self._login_screen(self.i18n.t("app.session_expired")))
            return
        if self.session.expired():
            self.current_section = None
            await self._replace_top(self._login_screen(self.i18n.t("app.session_expired")))

    @on(LogoutRequested)
    async def _logout_requested(self, message: LogoutRequested) -> None:
        await self.logout(forget=message.forget)

    async def logout(self, *, forget: bool = False) -> None:
        if self.staff_mode:  # staff: the customer is closed first, nothing was saved to forget
            self.session = self._resident
            self.current_staff_section = None
            await self.staff.logout()
        else:
            await self.session.logout(forget=forget)
        self.current_section = None
        await self._replace_top(self._login_screen(self.i18n.t("app.logged_out")))

    async def action_logout(self, forget: bool = False) -> None:
        await self.logout(forget=forget)

    async def action_switch_language(self) -> None:
        self.i18n = I18n("en" if self.i18n.lang == "pl" else "pl")
        for session in {self.session, self._resident}:
            session.api.lang = self.i18n.lang
        if self._staff is not None:
            self._staff.api.lang = self.i18n.lang
        self.title = self.i18n.t("app.title")
        if self.me is not None and self.current_section:
            await self._replace_top(BY_ID[self.current_section].load()())
        elif self._staff is not None and self._staff.active and self.current_staff_section:
            await self._replace_top(_staff_nav().STAFF_BY_ID[self.current_staff_section].load()())
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
        if self.staff.active:
            await self.staff.logout(timeout=3)  # closes the customer being served first
        elif self.session.active:
            await self.session.logout(timeout=3)
        self.exit()

    def action_help(self) -> None:
        """Key help for the screen the user is on (not for the help itself)."""
        help_screen = load_screen("help")
        if not isinstance(self.screen, help_screen):
            self.push_screen(help_screen.for_screen(self.screen, self.i18n))  # type: ignore[attr-defined]

    # --- command palette -----------------------------------------------------------------------
    def action_command_palette(self) -> None:
        """Textual's command palette, worded in the app's language."""
        from ebok_tui.ui.palette import EbokCommandPalette

        if self.use_command_palette and not EbokCommandPalette.is_open(self):
            self.push_screen(EbokCommandPalette(self.i18n))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        t = self.i18n.t
        if self.staff.active and self.acting is None:
            for staff_section in self.staff_sections():
                name = t(staff_section.label_key)
                yield SystemCommand(
                    t("cmd.open_section", section=name),
                    t("cmd.open_section_help", section=name),
                    lambda s=staff_section.id: self.run_action(f"open_staff_section('{s}')"),
                )
        if self.acting is not None:
            yield SystemCommand(t("staff.cmd_close"), t("staff.cmd_close_help"), self.action_close_customer)
        if self.staff.active:
            yield SystemCommand(t("cmd.logout"), t("staff.cmd_logout_help"), self.action_logout)
        if self.me is not None:
            for section in SECTIONS:
                if not self.section_available(section.id):
                    continue
                name = t(section.label_key)
                yield SystemCommand(
                    t("cmd.open_section", section=name),
                    t("cmd.open_section_help", section=name),
                    lambda s=section.id: self.run_action(f"open_section('{s}')"),
                )
            if self.acting is None:
                yield SystemCommand(t("cmd.logout"), t("cmd.logout_help"), self.action_logout)
                yield SystemCommand(
                    t("cmd.logout_forget"), t("cmd.logout_forget_help"), lambda: self.run_action("logout(True)")
                )
        if self.demo:
            yield SystemCommand(t("cmd.demo_mail"), t("cmd.demo_mail_help"), self.action_demo_mail)
        yield SystemCommand(t("help.open"), t("help.open_help"), self.action_help)
        yield SystemCommand(t("cmd.language"), t("cmd.language_help"), self.action_switch_language)
        yield SystemCommand(t("cmd.quit"), t("cmd.quit_help"), self.action_quit)
