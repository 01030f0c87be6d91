"""The eBOK terminal application: login first, then the resident's sections."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ebok_tui.core.api import ApiError, DemoInfo, EbokClient, Me
from ebok_tui.core.credentials import CredentialStore
from ebok_tui.core.drafts import DraftStore
from ebok_tui.core.i18n import DEFAULT_LANGUAGE, I18n
from ebok_tui.ui.bindings import translate_bindings
from ebok_tui.ui.sections import BY_ID, SECTIONS, load_screen


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

    def __init__(
        self,
        api: EbokClient,
        *,
        lang: str = DEFAULT_LANGUAGE,
        credentials: CredentialStore | None = None,
        drafts: DraftStore | None = None,
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.api = api
        self.i18n = I18n(lang)
        self.credentials = credentials
        self.drafts = drafts
        self.demo = demo
        self.demo_info: DemoInfo | None = None
        self._demo_info_fresh = False  # just fetched: the login screen need not ask again
        self.me: Me | None = None
        self.customer_drafts: DraftStore | None = None  # the logged-in customer's, by server identity
        self.current_section: str | None = None
        translate_bindings(self, self.i18n)

    # --- start ---------------------------------------------------------------------------------
    async def on_mount(self) -> None:
        self.title = self.i18n.t("app.title")
        self.sub_title = self.i18n.t("app.subtitle")
        if self.demo:
            try:
                self.demo_info = await self.api.demo_info()
                self._demo_info_fresh = True
            except ApiError:
                self.demo_info = None
        await self.push_screen(self._login_screen())

    def _login_screen(self, message: str | None = None) -> Screen:
        return load_screen("login")(message=message)

    # --- navigation ----------------------------------------------------------------------------
    async def _replace_top(self, screen: Screen) -> None:
        """Drop everything above the base screen and show ``screen`` there."""
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
        """Called by the login screen once the server accepted the credentials."""
        self.me = me
        await self._bind_drafts(me.customer_number)
        await self.action_open_section("balance")

    async def _bind_drafts(self, customer_number: str) -> None:
        """Key the customer's drafts by the server's identity (``/health`` ``server_id``), not its
        address: the demo server comes back on another port, a real one may move. A server that
        reports no identity (or cannot be asked now) is known by its address, as before."""
        self.customer_drafts = None
        if self.drafts is None:
            return
        server_id = None
        try:
            server_id = (await self.api.health()).server_id
        except ApiError:
            pass
        store = self.drafts.for_account(server_id or f"url:{self.api.base_url.lower()}", customer_number,
                                        self.api.base_url)
        try:
            await asyncio.to_thread(store.adopt_url_drafts, self.api.base_url)
        except Exception:  # never block a login on housekeeping  # noqa: BLE001
            pass
        self.customer_drafts = store

    def session_expired(self) -> None:
        """A call answered 401: the token is gone. Back to login, saying why."""
        if self.me is None:
            return
        self.me = None
        self.current_section = None
        self.api.clear_session()
        self.call_later(self._replace_top, self._login_screen(self.i18n.t("app.session_expired")))

    async def logout(self, *, forget: bool = False) -> None:
        if self.api.token is not None:
            try:
                await asyncio.wait_for(self.api.logout(), timeout=5)
            except (ApiError, TimeoutError):
                pass  # the token is dropped locally either way
        if forget and self.credentials is not None:
            await self.credentials.forget()
        self.me = None
        self.current_section = None
        await self._replace_top(self._login_screen(self.i18n.t("app.logged_out")))

    async def action_logout(self, forget: bool = False) -> None:
        await self.logout(forget=forget)

    async def action_switch_language(self) -> None:
        self.i18n = I18n("en" if self.i18n.lang == "pl" else "pl")
        self.api.lang = self.i18n.lang
        self._bindings = self._merged_bindings.copy()  # back to the catalogue keys, then translate
        translate_bindings(self, self.i18n)
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
        (Not right after start-up, when ``on_mount`` just asked.)"""
        if not self.demo:
            return
        if self._demo_info_fresh:
            self._demo_info_fresh = False
            return
        try:
            self.demo_info = await self.api.demo_info()
        except ApiError:
            pass  # keep what was shown; the server says which passwords are still true next time

    async def action_quit(self) -> None:
        if self.me is not None and self.api.token is not None:
            try:
                await asyncio.wait_for(self.api.logout(), timeout=3)
            except (ApiError, TimeoutError):
                pass
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
