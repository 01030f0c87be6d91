"""Start the reference server (``python -m ebok_server``) with demo data, for ``ebok-tui --demo``.

    with start_demo_server() as demo:
        api = EbokClient(demo.url)
        ...

``ebok-tui --demo`` shows its login screen at once and starts the server meanwhile, with
:class:`DemoLauncher` (``await launcher.start()`` gives the URL; the blocking wait for the
server's listening line runs in a worker thread).

The server runs in a subprocess on 127.0.0.1 with a free port, an SQLite database and a mail
directory in a private temporary directory. It is stopped (and the directory removed) by
``stop()``, by leaving the ``with`` block, or at interpreter exit.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import datetime as _dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from typing import Any
from pathlib import Path

__all__ = ["DemoServer", "DemoServerError", "DemoLauncher", "start_demo_server", "LISTENING_PREFIX"]

LISTENING_PREFIX = "EBOK_SERVER_LISTENING "
_STDERR_TAIL_LINES = 40

_live: set[DemoServer] = set()  # strong refs: dropped servers are still stopped at exit


class DemoServerError(RuntimeError):
    """The demo server could not be started. ``str()`` explains why, technically and in English
    (with the server's stderr tail); ``code`` says it for residents: ``"missing_deps"`` when the
    server extras are not installed, else ``"start_failed"`` (worded by the catalogue's
    ``demo.<code>``)."""

    def __init__(self, message: str, *, missing_deps: bool = False) -> None:
        super().__init__(message)
        self.missing_deps = missing_deps
        self.code = "missing_deps" if missing_deps else "start_failed"


class _Pump(threading.Thread):
    """Drains a pipe forever (so the child never blocks on a full pipe), keeping the last lines."""

    def __init__(self, stream, name: str, keep: int, on_line=None) -> None:
        super().__init__(name=name, daemon=True)
        self.stream = stream
        self.tail: collections.deque[str] = collections.deque(maxlen=keep)
        self.on_line = on_line

    def run(self) -> None:
        try:
            for raw in iter(self.stream.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                self.tail.append(line)
                if self.on_line is not None:
                    self.on_line(line)
        except (OSError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError):
                self.stream.close()


class DemoServer:
    def __init__(self, process: subprocess.Popen, tmpdir: Path, url: str, stdout: _Pump, stderr: _Pump) -> None:
        self.process = process
        self.tmpdir = tmpdir
        self.url = url
        self.mail_dir = tmpdir / "mail"
        self._stdout = stdout
        self._stderr = stderr
        self._stopped = False
        self._lock = threading.Lock()

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate (then kill after ``timeout`` s) and remove the temporary directory. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        _terminate(self.process, timeout)
        for pump in (self._stdout, self._stderr):
            pump.join(timeout=1)
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        _live.discard(self)

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"DemoServer(url={self.url!r}, pid={self.pid}, {state})"


def _terminate(process: subprocess.Popen, timeout: float) -> None:
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout)


def _looks_like_missing_deps(stderr: str) -> bool:
    return any(marker in stderr for marker in ("ModuleNotFoundError", "No module named", "ImportError"))


def start_demo_server(
    today: _dt.date | str | None = None,
    extra_args: Sequence[str] = (),
    *,
    startup_timeout: float = 30.0,
    python: str | None = None,
) -> DemoServer:
    """Start ``python -m ebok_server serve ... --seed-demo`` and wait for its listening line.

    ``today`` fixes the server's business date (``--today``). Raises :class:`DemoServerError`
    if the server dies, does not report within ``startup_timeout`` s, or its deps are missing."""
    tmpdir = Path(tempfile.mkdtemp(prefix="ebok-demo-"))  # mode 0700
    (tmpdir / "mail").mkdir(mode=0o700)
    cmd = [
        python or sys.executable,
        "-m",
        "ebok_server",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--db",
        f"sqlite+aiosqlite:///{tmpdir}/demo.db",
        "--seed-demo",
        "--mail-dir",
        f"{tmpdir}/mail",
        # we hold the write end of its stdin: if this process dies, even by SIGKILL, it goes too
        "--exit-on-stdin-eof",
    ]
    if today is not None:
        cmd += ["--today", today.isoformat() if isinstance(today, _dt.date) else str(today)]
    cmd += list(extra_args)

    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env["PYTHONIOENCODING"] = "utf-8"
    try:
        process = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmpdir,
            env=env,
            # Same process group as the client on purpose: when the terminal goes away (SIGHUP
            # to the foreground group, e.g. a closed window or killed tmux session) the server
            # goes too, even though atexit handlers do not run on signals.
        )
    except OSError as exc:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise DemoServerError(f"cannot run {cmd[0]}: {exc}") from exc

    found = threading.Event()
    url_box: list[str] = []

    def on_stdout(line: str) -> None:
        if not found.is_set() and line.startswith(LISTENING_PREFIX):
            url_box.append(line[len(LISTENING_PREFIX) :].strip())
            found.set()

    out = _Pump(process.stdout, "ebok-demo-stdout", 200, on_stdout)
    err = _Pump(process.stderr, "ebok-demo-stderr", _STDERR_TAIL_LINES)
    out.start()
    err.start()

    deadline = time.monotonic() + startup_timeout
    while not found.wait(0.05):
        if process.poll() is not None or time.monotonic() > deadline:
            died = process.poll() is not None
            _terminate(process, 5.0)
            out.join(timeout=1)
            err.join(timeout=1)
            shutil.rmtree(tmpdir, ignore_errors=True)
            tail = "\n".join(err.tail) or "(no output on stderr)"
            if died and _looks_like_missing_deps(tail):
                raise DemoServerError(
                    "The demo server cannot start because its dependencies are missing. "
                    "Install them with: pip install 'ebok-tui[server]'\n\n"
                    f"Server error output:\n{tail}",
                    missing_deps=True,
                )
            what = (
                f"exited with code {process.returncode}"
                if died
                else (f"did not report '{LISTENING_PREFIX.strip()}' within {startup_timeout:.0f} s")
            )
            raise DemoServerError(f"The demo server {what}.\n\nServer error output:\n{tail}")

    server = DemoServer(process, tmpdir, url_box[0], out, err)
    _live.add(server)
    return server


@atexit.register
def _stop_all() -> None:
    for server in list(_live):
        with contextlib.suppress(Exception):
            server.stop()


class DemoLauncher:
    """Starts the demo server without holding up an event loop::

        launcher = DemoLauncher()
        url = await launcher.start()   # DemoServerError if it cannot start
        ...
        launcher.stop()                # also when start() is still running or never ran

    ``kwargs`` go to :func:`start_demo_server`."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._lock = threading.Lock()
        self._stopped = False
        #: the running server, once started
        self.server: DemoServer | None = None

    async def start(self) -> str:
        return await asyncio.to_thread(self._start)

    def _start(self) -> str:
        server = start_demo_server(**self._kwargs)
        with self._lock:
            self.server = server
            stopped = self._stopped
        if stopped:  # stop() came while it was starting: nobody will use it
            server.stop()
            raise DemoServerError("the demo server was stopped while it started")
        return server.url

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            server = self.server
        if server is not None:
            server.stop()
