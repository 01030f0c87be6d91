"""A shared SSH host with no usable keyring: the real CredentialStore refuses every non-OS backend,
login still works with "remember me" ticked, the resident is told plainly, and nothing is written
to disk anywhere under HOME / XDG folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from keyring.backends import fail, null
from keyrings.alt.file import PlaintextKeyring

from ebok_tui.core.credentials import CredentialStore
from ebok_tui.ui.screens.billing.balance import BalanceScreen
from tests.tui_support import SIZE, make_app, settle, text_of, type_text, wait_until


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring, PlaintextKeyring], ids=["fail", "null", "plaintext"])
async def test_login_with_remember_me_and_no_secure_keyring(server, tmp_path, monkeypatch, backend):
    home = tmp_path / "home"
    for name, sub in (
        ("HOME", ""),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(home / sub))
    store = CredentialStore(server_url=server.url, backend=backend())
    app = make_app(server, lang="en", credentials=store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "no secure keyring" in text_of(screen.query_one("#keyring-status"))
        screen.query_one("#customer-number").focus()
        await type_text(pilot, "10003")
        screen.query_one("#password").focus()
        await type_text(pilot, "woda-10003")
        remember = screen.query_one("#remember")
        remember.value = True  # the resident asks to be remembered anyway
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BalanceScreen))
        await settle(pilot)
        assert app.me is not None and app.me.customer_number == "10003"
        assert await store.load() is None
        said = [n.message for n in app._notifications]
        assert any(m.startswith("Password not saved: no secure keyring") for m in said), said
    assert files_under(home) == [], "nothing may be written to disk without a secure keyring"
    assert os.environ["HOME"] == str(home)
