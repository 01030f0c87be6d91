"""Copying never claims what it cannot know: OSC 52 is "sent (if your terminal allows it)" with the
text shown; a local clipboard tool (wl-copy/xclip/xsel) is used when there is one, and then the
message says copied. Over SSH the tool would fill the wrong desktop's clipboard: not used."""

from __future__ import annotations

import stat

import pytest

from ebok_tui.ui.clipboard import local_tool
from tests.tui_support import logged_in, make_app, press_settled


def _messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_copy_says_sent_and_shows_the_text(server, monkeypatch):
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    app = make_app(server)
    async with logged_in(app, "10001") as pilot:
        await press_settled(pilot, "c")
        assert app.clipboard == "86109010147000000000010001"
        (said,) = _messages(app)
        assert "jeśli terminal na to pozwala" in said and "86109010147000000000010001" in said
        assert "jest w schowku" not in said


async def test_a_local_tool_copies_and_then_it_says_copied(server, monkeypatch, tmp_path):
    out = tmp_path / "clip.txt"
    tool = tmp_path / "wl-copy"
    tool.write_text(f"#!/bin/sh\ncat > {out}\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    app = make_app(server)
    async with logged_in(app, "10001") as pilot:
        await press_settled(pilot, "t")
        assert out.read_text() == "Saldo 10001 na 15.11.2026"
        (said,) = _messages(app)
        assert said.startswith("Skopiowano do schowka (wl-copy)")


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"DISPLAY": ":0", "SSH_CONNECTION": "10.0.0.1 5 10.0.0.2 22"},
        {"WAYLAND_DISPLAY": "w", "SSH_TTY": "/dev/pts/1"},
    ],
)
def test_no_local_tool_without_a_desktop_or_over_ssh(environ):
    assert local_tool(environ) is None
