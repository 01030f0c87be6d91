"""Helpers for driving the real app against the real reference server in tests."""

from __future__ import annotations

from pathlib import Path

from ebok_tui.api import EbokClient
from ebok_tui.app import EbokApp
from ebok_tui.drafts import DraftStore

SIZE = (80, 24)


def make_app(server_url: str, tmp_path: Path, *, lang: str = "pl", demo: bool = True) -> EbokApp:
    """An app on the real server; drafts under tmp_path; no keyring (remember-me says not saved)."""
    api = EbokClient(server_url, lang=lang)
    drafts = DraftStore(tmp_path / "drafts")  # screens bind it to the logged-in customer
    return EbokApp(api, lang=lang, credentials=None, drafts=drafts, demo=demo)


async def demo_password(app: EbokApp, customer_number: str) -> str:
    info = app.demo_info or await app.api.demo_info()
    for customer in info.customers:
        if customer.customer_number == customer_number:
            return customer.password
    raise LookupError(f"no demo customer {customer_number}")


async def login_as(app: EbokApp, customer_number: str = "10001", section: str | None = None) -> None:
    """Log in through the API (the login screen has its own tests) and open a section."""
    await app.api.login(customer_number, await demo_password(app, customer_number))
    await app.logged_in(await app.api.me())
    if section and section != "balance":
        await app.action_open_section(section)
