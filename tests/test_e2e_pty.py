"""End to end in a real terminal: ``python -m ebok_tui --demo`` in an 80x24 tmux pane, log in with
a demo customer read off the screen, see the balance, quit with ctrl+q, and check that both the
client and its demo server are gone."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (needed for a real terminal)"
)


class Tmux:
    """One private tmux server (own socket, so our environment is the session's environment)."""

    def __init__(self) -> None:
        self.socket = f"ebok-e2e-{uuid.uuid4().hex[:8]}"
        self.session = "ebok"

    def run(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10, check=check
        )
        return result.stdout

    def start(self, command: str) -> None:
        self.run("new-session", "-d", "-s", self.session, "-x", "80", "-y", "24", command)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session, check=False)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)

    def pane_pid(self) -> int:
        return int(self.run("display-message", "-p", "-t", self.session, "#{pane_pid}").strip())

    def kill(self) -> None:
        self.run("kill-server", check=False)


def wait_for(what: str, probe, timeout: float = 60.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(entry.name))
    return out


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found.append(child)
        found.extend(descendants(child))
    return found


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the demo server")
def test_demo_login_balance_quit_in_a_real_terminal(tmp_path):
    exit_file = tmp_path / "exit-code"
    env = {
        "PYTHONPATH": str(REPO),
        "XDG_DATA_HOME": str(tmp_path / "data"),  # drafts stay in the test's directory
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",  # never touch a real keyring
        "EBOK_LANG": "pl",
        "TERM": "xterm-256color",
    }
    env_args = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    command = (
        f"cd {shlex.quote(str(REPO))} && env {env_args} {shlex.quote(sys.executable)} -m ebok_tui --demo; "
        f"echo $? > {shlex.quote(str(exit_file))}; sleep 60"
    )
    tmux = Tmux()
    tmux.start(command)
    try:
        shell = tmux.pane_pid()
        screen = wait_for("the login screen with the demo panel", lambda: (s := tmux.screen()) and "hasło:" in s and s)
        assert "Logowanie" in screen and "Numer klienta" in screen
        match = re.search(r"(\d{5}) · hasło: (\S+)", screen)
        assert match, screen
        number, password = match.groups()

        # the client and the demo server it started
        client = wait_for("the client process", lambda: [p for p in descendants(shell) if "ebok_tui" in cmdline(p)])
        servers = [p for p in descendants(shell) if "ebok_server" in cmdline(p)]
        assert servers, [cmdline(p) for p in descendants(shell)]

        # each step waits until the terminal shows its effect
        shown = screen.count(number)  # the demo panel lists it already
        tmux.keys(number, literal=True)
        wait_for("the number in its field", lambda: tmux.screen().count(number) > shown)
        tmux.keys("Tab")
        tmux.keys(password, literal=True)
        wait_for("the masked password in its field", lambda: "•" * len(password) in tmux.screen())
        tmux.keys("Enter")
        # logged in (the top bar names the customer) and the server's reply drawn (an amount); the
        # transfer data may be below the fold, under the news since the last visit and a notice
        screen = wait_for(
            "the balance screen",
            lambda: (s := tmux.screen()) and f"Klient {number}" in s and re.search(r"\d+,\d\d zł", s) and s,
        )
        assert "Saldo" in screen and f"Klient {number}" in screen
        assert re.search(r"\d+,\d\d zł", screen), screen  # amounts formatted the Polish way

        tmux.keys("C-q")
        code = wait_for("the client to exit", lambda: exit_file.exists() and exit_file.read_text().strip(), 30)
        assert code == "0"
        wait_for("the client process to end", lambda: not any(alive(p) for p in client), 10)
        wait_for("the demo server to stop", lambda: not any(alive(p) for p in servers), 15)
    finally:
        tmux.kill()
