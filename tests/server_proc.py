"""Start the real eBOK server as a subprocess (``--port 0``) and read its LISTENING line.

Usage::

    with running_server(tmp_path) as srv:            # --seed-demo --today 2026-11-15
        httpx.get(srv.api + "/health")              # srv.url, srv.mail_dir, srv.db_url, srv.cli(...)

    running_server(tmp_path, "--seed-large", "10000")   # extra args are added to the defaults
    running_server(tmp_path, seed_demo=False)           # empty database, no /demo-info

or ``url, proc = start_server(tmp_path, ...)`` (then ``stop_server(proc)``).
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LISTENING = "EBOK_SERVER_LISTENING "
DEFAULT_TODAY = "2026-11-15"
#: ``python -m ebok_server`` with the tests' cheaper argon2 parameters (tests/argon2_cost.py)
SERVER_MODULE = "tests.argon2_cost"


@dataclass
class ServerInfo:
    url: str  # e.g. http://127.0.0.1:43210 (API is under /api/v1)
    proc: subprocess.Popen
    db_url: str
    mail_dir: Path

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a staff CLI subcommand (``reply``, ``issue-invoices``) against this server's database."""
        cmd = [sys.executable, "-m", SERVER_MODULE, args[0], "--db", self.db_url, *args[1:]]
        return subprocess.run(cmd, cwd=REPO_ROOT, env=_env(), capture_output=True, text=True, timeout=60, check=check)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def start_server_info(
    tmp_path: Path, *extra_args: str, db_url: str | None = None, seed_demo: bool = True, timeout: float = 30.0
) -> ServerInfo:
    """Start the server with ``--seed-demo --today 2026-11-15`` plus ``extra_args``.

    Defaults are only added when absent from ``extra_args`` (``seed_demo=False`` omits ``--seed-demo``).
    A temp SQLite DB and mail dir are created under ``tmp_path`` unless ``--db``/``db_url`` or
    ``--mail-dir`` are given.
    """
    tmp_path = Path(tmp_path)
    tmp_path.mkdir(parents=True, exist_ok=True)
    args = list(extra_args)
    if seed_demo and "--seed-demo" not in args:
        args.append("--seed-demo")
    if "--today" not in args:
        args += ["--today", DEFAULT_TODAY]
    if db_url is None and "--db" not in args:
        db_url = f"sqlite+aiosqlite:///{tmp_path / 'ebok.db'}"
    if db_url is not None:
        args += ["--db", db_url]
    else:
        db_url = args[args.index("--db") + 1]
    if "--mail-dir" in args:
        mail_dir = Path(args[args.index("--mail-dir") + 1])
    else:
        mail_dir = tmp_path / "mail"
        args += ["--mail-dir", str(mail_dir)]
    cmd = [sys.executable, "-m", SERVER_MODULE, "serve", "--host", "127.0.0.1", "--port", "0", *args]
    stderr_path = tmp_path / "server.stderr.log"
    stderr_file = open(stderr_path, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        cmd, cwd=REPO_ROOT, env=_env(), stdout=subprocess.PIPE, stderr=stderr_file, text=True, bufsize=1
    )
    proc._ebok_stderr = stderr_file  # type: ignore[attr-defined]
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(remaining, 0.01))
        except queue.Empty:
            line = ""
        if line and line.startswith(LISTENING):
            return ServerInfo(url=line[len(LISTENING) :].strip(), proc=proc, db_url=db_url, mail_dir=mail_dir)
        if line is None or remaining <= 0:
            stop_server(proc)
            raise RuntimeError(
                f"ebok-server did not start (rc={proc.returncode}):\n" + stderr_path.read_text(errors="replace")[-4000:]
            )


def start_server(tmp_path: Path, *extra_args: str, **kwargs) -> tuple[str, subprocess.Popen]:
    """Start the server; returns ``(base_url, popen)``. Stop it with ``stop_server(popen)``."""
    info = start_server_info(tmp_path, *extra_args, **kwargs)
    return info.url, info.proc


def stop_server(proc: subprocess.Popen, timeout: float = 10.0) -> int | None:
    if proc.poll() is None:
        proc.terminate()  # SIGTERM: uvicorn shuts down cleanly
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
    f = getattr(proc, "_ebok_stderr", None)
    if f is not None:
        f.close()
    return proc.returncode


@contextlib.contextmanager
def running_server(tmp_path: Path, *extra_args: str, **kwargs):
    """Context manager yielding a :class:`ServerInfo`; the server is stopped on exit."""
    info = start_server_info(tmp_path, *extra_args, **kwargs)
    try:
        yield info
    finally:
        stop_server(info.proc)


@contextlib.contextmanager
def aged_server(tmp_path: Path, today: str = "2026-11-25"):
    """Context manager yielding a :class:`ServerInfo`: the demo data seeded on 2026-11-15 (a first
    server, stopped), served again from the same database on ``today``."""
    seeded = start_server_info(tmp_path / "seeded")
    stop_server(seeded.proc)
    with running_server(tmp_path / "later", "--today", today, db_url=seeded.db_url) as later:
        yield later


def child_pids(pid: int) -> set[int]:
    """The process ids whose parent is ``pid`` (read from /proc: Linux), e.g. a server's workers."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found
