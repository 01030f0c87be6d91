"""Benchmark: the client's start-up, idle memory, ``--demo`` start and section switches, in a real
pseudo-terminal (80×24), side by side with a minimal Textual app in the same run.

    python bench/bench_client.py [--runs 9] [--settle 3] [--rounds 5]

What it measures (every figure is a median over ``--runs`` launches, the two apps alternating so
that a busy machine slows both alike):

* **first screen**: from spawning ``python`` to the first frame that shows the app's first screen
  (for ``ebok-tui --server URL`` the login form's "Numer klienta", for the minimal app its one
  label), detected in the pty's output with the escape sequences stripped;
  beside it the processor time the process has used by that frame (all threads, from
  ``/proc/PID/task/*/schedstat``), which a busy machine distorts far less than the wall time;
* **idle memory**: the resident set (``VmRSS``) of the app's process ``--settle`` seconds after
  that frame (its first health check done);
* **--demo**: time to the login screen and time until the demo panel shows the demo logins (the
  embedded server has started and answered ``/demo-info``);
* **section switch**: logged in as demo customer 10001, the time from writing a section key
  (``1``…``7``) to the pty until that section's data (a string from the server's reply, e.g. the
  contract number) is on the screen; ``--rounds`` rounds over all seven sections, median per
  section and overall.

It prints each value, the ratio against the minimal app, and the targets of issue 11
(first screen ≤ 1.3× the minimal app, idle memory ≤ minimal app + 15 MB, section switch ≤ 100 ms
key→data). Nothing is asserted: the figures depend on the machine and its load, the ratios in
one run are what count. Only loopback servers are used (a private demo server on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import atexit
import fcntl
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ebok_tui.core.demo import start_demo_server  # noqa: E402

COLUMNS, LINES = 80, 24
TARGET_START_RATIO = 1.3
TARGET_EXTRA_MB = 15.0
TARGET_SWITCH_MS = 100.0

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Label

class Minimal(App):
    def compose(self):
        yield Label("minimal-textual-ready")

Minimal().run()
"""
MINIMAL_MARKER = "minimal-textual-ready"

#: A second reference: the same widgets as a login form (two inputs, a checkbox, two buttons, a
#: footer) in plain Textual, nothing else. It shows what those widgets alone cost to start.
FORM_APP = """
from textual.app import App
from textual.widgets import Button, Checkbox, Footer, Input, Label

class Form(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    def compose(self):
        yield Label("form-textual-ready")
        yield Input(placeholder="number")
        yield Input(placeholder="password", password=True)
        yield Checkbox("remember")
        yield Button("Log in")
        yield Button("Register")
        yield Footer()

Form().run()
"""
FORM_MARKER = "form-textual-ready"
LOGIN_MARKER = "Numer klienta"  # the login form's first label (--lang pl)
DEMO_INFO_MARKER = "woda-10001"  # the demo panel lists customer 10001 with its password

#: What each section shows from the server's reply for demo customer 10001 (never in the chrome).
SECTION_MARKERS = {
    "2": ("invoices", "FV/2026/11/000001"),
    "3": ("readings", "WM-1234567"),
    "4": ("contract", "UM/2015/00123"),
    "5": ("efaktura", "2,33 zł"),
    "6": ("correspondence", "Pytanie o fakt"),
    "7": ("account", "43-600 Jaworzno"),
    "1": ("balance", "Do zapłaty"),  # drawn with the reply (the IBAN is below the fold with a notice)
}

_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI (cursor, colours, modes)
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    rb"|\x1bP[^\x1b]*\x1b\\"  # DCS
    rb"|\x1b[@-Z\\-_]"  # other two-byte escapes
    rb"|\x1b[()][A-Za-z0-9]"  # charset selection
)


def visible(raw: bytes) -> str:
    """What the terminal would print, in order, without the escape sequences (good enough to find
    one run of text: Textual writes a line's segments one after another)."""
    return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")


#: The compiled bytecode of every program the benchmark starts (see ``PtyApp``); removed at exit.
BYTECODE_CACHE = tempfile.mkdtemp(prefix="ebok-bench-pyc-")
atexit.register(shutil.rmtree, BYTECODE_CACHE, True)
APP_CACHE = tempfile.mkdtemp(prefix="ebok-bench-cache-")
atexit.register(shutil.rmtree, APP_CACHE, True)


@dataclass
class PtyApp:
    """A program in a fresh 80×24 pseudo-terminal; its output is collected as it arrives."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    started: float = 0.0
    output: bytearray = field(default_factory=bytearray)

    def __post_init__(self) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", **self.env}
        env.pop("TEXTUAL", None)
        # Every program runs from compiled bytecode, as an installed one does (pip writes the .pyc
        # files at install): PYTHONDONTWRITEBYTECODE, set in some CI images, would make each start
        # compile this checkout's modules again while Textual's came compiled from site-packages.
        # The cache goes to a private folder (the warm-up runs fill it), not into the checkout.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = BYTECODE_CACHE
        # The app's own cache (its parsed message catalogues) in a private folder too, filled by
        # the warm-up run: another checkout's tests or app in the user's cache would replace it.
        env["XDG_CACHE_HOME"] = APP_CACHE
        self.master = master
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=ROOT,
            start_new_session=True,  # its own process group: stop() ends it and its children
            close_fds=True,
        )
        os.close(slave)

    def pump(self, timeout: float) -> bool:
        """Read what is there (waiting at most ``timeout`` s). False once the program has gone."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return False
        if not data:
            return False
        self.output += data
        return True

    def wait_for(self, marker: str, *, since: int = 0, timeout: float = 60.0) -> float:
        """Seconds from start until ``marker`` shows in the output after byte ``since``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if marker in visible(bytes(self.output[since:])):
                return time.perf_counter() - self.started
            if not self.pump(0.005):
                break
        tail = visible(bytes(self.output[-2000:]))
        raise RuntimeError(f"{self.argv[1:3]}: {marker!r} not shown within {timeout:g} s; last output: {tail!r}")

    def idle(self, seconds: float) -> None:
        """Keep draining the output (a blinking cursor) for ``seconds``."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end and self.pump(min(0.05, end - time.perf_counter())):
            pass

    def keys(self, text: str) -> None:
        os.write(self.master, text.encode())

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        os.close(self.master)


def ebok_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "ebok_tui", "--lang", "pl", *args]


def env_for_client() -> dict[str, str]:
    # this checkout first, whatever is installed
    return {"PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


#: Where the app asks a desktop keyring for the saved login at start (the resident's own desktop):
#: naming the backend makes it ask even with no D-Bus session bus, as it does on a desktop.
WITH_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"}


def keyring_situation() -> str:
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS") or os.environ.get("PYTHON_KEYRING_BACKEND"):
        return "a D-Bus session bus or a chosen keyring backend: the app asks the keyring"
    return "no D-Bus session bus (as in an SSH login): the app does not load keyring"


def cpu_seconds(pid: int) -> float:
    """Processor time the process has used so far, all its threads (``/proc/PID/task/*/schedstat``,
    nanoseconds): unlike the wall time it hardly depends on what else the machine is doing."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that ended meanwhile
    return total / 1e9


def start_and_idle(
    argv: list[str], marker: str, settle: float, extra_env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Seconds to the first frame, resident MB after ``settle`` s, processor seconds at that frame."""
    app = PtyApp(argv, {**env_for_client(), **(extra_env or {})})
    try:
        first = app.wait_for(marker)
        cpu = cpu_seconds(app.process.pid)
        app.idle(settle)
        return first, app.rss_mb(), cpu
    finally:
        app.stop()


def med(values: list[float]) -> float:
    return statistics.median(values)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def bench_start(url: str, runs: int, settle: float) -> tuple[float, float]:
    minimal: list[tuple[float, float, float]] = []
    ebok: list[tuple[float, float, float]] = []
    desktop: list[tuple[float, float, float]] = []
    form: list[tuple[float, float, float]] = []
    start_and_idle([sys.executable, "-c", MINIMAL_APP], MINIMAL_MARKER, 0.5)  # warm the file cache
    start_and_idle([sys.executable, "-c", FORM_APP], FORM_MARKER, 0.5)
    start_and_idle(ebok_argv("--server", url), LOGIN_MARKER, 0.5)
    for _ in range(runs):
        minimal.append(start_and_idle([sys.executable, "-c", MINIMAL_APP], MINIMAL_MARKER, settle))
        form.append(start_and_idle([sys.executable, "-c", FORM_APP], FORM_MARKER, settle))
        ebok.append(start_and_idle(ebok_argv("--server", url), LOGIN_MARKER, settle))
        desktop.append(start_and_idle(ebok_argv("--server", url), LOGIN_MARKER, settle, WITH_KEYRING))
    m_first, m_rss = med([f for f, _, _ in minimal]), med([r for _, r, _ in minimal])
    e_first, e_rss = med([f for f, _, _ in ebok]), med([r for _, r, _ in ebok])
    d_rss = med([r for _, r, _ in desktop])
    f_first, f_rss = med([f for f, _, _ in form]), med([r for _, r, _ in form])
    ratio = e_first / m_first
    extra = e_rss - m_rss
    print(
        f"\nFirst screen, median of {runs} (all: minimal {fmt_list(minimal, 0)}; form {fmt_list(form, 0)};"
        f" ebok-tui {fmt_list(ebok, 0)})"
    )
    print(f"  minimal Textual app     {m_first * 1000:7.0f} ms")
    print(f"  Textual login form      {f_first * 1000:7.0f} ms   ratio {f_first / m_first:.2f}x   (its widgets alone)")
    print(
        f"  ebok-tui login screen   {e_first * 1000:7.0f} ms   ratio {ratio:.2f}x   target <= {TARGET_START_RATIO}x  {verdict(ratio <= TARGET_START_RATIO)}"
    )
    m_cpu, f_cpu, e_cpu = (med([c for _, _, c in runs_]) for runs_ in (minimal, form, ebok))
    print(
        f"  processor time to that frame (less sensitive to load): minimal {m_cpu * 1000:.0f} ms,"
        f" form {f_cpu * 1000:.0f} ms ({f_cpu / m_cpu:.2f}x), ebok-tui {e_cpu * 1000:.0f} ms ({e_cpu / m_cpu:.2f}x)"
    )
    print(f"Idle memory (VmRSS {settle:g} s after the first screen), median of {runs}")
    print(f"  minimal Textual app     {m_rss:7.1f} MB")
    print(f"  Textual login form      {f_rss:7.1f} MB   +{f_rss - m_rss:.1f} MB")
    print(
        f"  ebok-tui login screen   {e_rss:7.1f} MB   +{extra:.1f} MB      target <= +{TARGET_EXTRA_MB:g} MB  {verdict(extra <= TARGET_EXTRA_MB)}"
    )
    print(f"    ({keyring_situation()})")
    print(
        f"  ebok-tui, keyring asked {d_rss:7.1f} MB   +{d_rss - m_rss:.1f} MB      (a desktop: the saved login is read)"
    )
    return m_first, ratio


def fmt_list(pairs: list[tuple[float, float, float]], index: int) -> str:
    return " ".join(f"{p[index] * 1000:.0f}" for p in pairs) + " ms"


def bench_demo(runs: int, minimal_first: float) -> None:
    login: list[float] = []
    info: list[float] = []
    for _ in range(runs):
        app = PtyApp(ebok_argv("--demo"), env_for_client())
        try:
            login.append(app.wait_for(LOGIN_MARKER))
            info.append(app.wait_for(DEMO_INFO_MARKER, timeout=90))
        finally:
            app.stop()
    ratio = med(login) / minimal_first
    print(f"\n--demo, median of {runs} (login: {' '.join(f'{v * 1000:.0f}' for v in login)} ms)")
    print(f"  login screen shown      {med(login) * 1000:7.0f} ms   ratio {ratio:.2f}x the minimal app")
    print(f"  demo logins shown       {med(info) * 1000:7.0f} ms   (embedded server started and asked)")


def bench_switch(url: str, rounds: int) -> None:
    app = PtyApp(ebok_argv("--server", url), env_for_client())
    per_section: dict[str, list[float]] = {name: [] for name, _ in SECTION_MARKERS.values()}
    try:
        app.wait_for(LOGIN_MARKER)
        app.idle(2.0)  # the first health check and the keyring prefill are done
        mark = len(app.output)
        app.keys("10001\t")
        app.idle(0.5)
        app.keys("woda-10001\r")
        app.wait_for("Do zapłaty", since=mark, timeout=90)  # the balance after login
        app.idle(1.0)
        for _ in range(rounds):
            for key, (name, marker) in SECTION_MARKERS.items():
                mark = len(app.output)
                pressed = time.perf_counter()
                app.keys(key)
                app.wait_for(marker, since=mark, timeout=30)
                per_section[name].append(time.perf_counter() - pressed)
                app.idle(0.3)  # let the screen settle (nothing pending) before the next key
    finally:
        app.stop()
    everything = [v for values in per_section.values() for v in values]
    print(f"\nSection switch key -> data on the screen, {rounds} rounds (median per section)")
    for name, values in per_section.items():
        print(f"  {name:16} {med(values) * 1000:7.1f} ms")
    overall = med(everything) * 1000
    print(
        f"  all sections     {overall:7.1f} ms   target <= {TARGET_SWITCH_MS:g} ms  {verdict(overall <= TARGET_SWITCH_MS)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=9, help="launches per app (medians; a start varies by +-30 ms on a 2-core VM)"
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after the first screen before RSS")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over the seven sections")
    args = parser.parse_args()

    print(f"bench_client: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    started = time.perf_counter()
    server = start_demo_server()  # loopback, private temporary database
    try:
        print(f"local server {server.url}")
        minimal_first, _ = bench_start(server.url, args.runs, args.settle)
        bench_demo(args.runs, minimal_first)
        bench_switch(server.url, args.rounds)
    finally:
        server.stop()
    print(f"\nfinished in {time.perf_counter() - started:.0f} s, load {os.getloadavg()}")


if __name__ == "__main__":
    main()
