"""A private PostgreSQL instance (``initdb`` + ``pg_ctl`` in a temporary folder, on a port of its own)
for tests and benchmarks that restart the database: restarting the shared cluster would break every
other test run on this machine.

    with private_postgres() as pg:       # skips nothing by itself: check available() first
        pg.url                           # postgresql+asyncpg://postgres@127.0.0.1:PORT/postgres
        pg.restart()                     # pg_ctl restart -m fast (drops every connection)

Run as root, the server runs as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def available() -> str | None:
    """None when a private instance can be started here, else the reason why not."""
    if _bin_dir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres user to run PostgreSQL as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostgres:
    def __init__(self, settings: dict[str, str] | None = None, root: Path | None = None) -> None:
        """``root``: a folder to keep the cluster in between runs (the benchmark's data); default a
        new temporary folder. It must be reachable by the postgres user when run as root."""
        self.bin = _bin_dir()
        assert self.bin is not None, available()
        # /tmp itself: pytest's tmp_path is below a root-only folder the postgres user cannot enter
        if root is None:
            self.root = Path(tempfile.mkdtemp(prefix="ebok-pg-"))
        else:
            self.root = root
            root.mkdir(parents=True, exist_ok=True)
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = _free_port()
        self.settings = {"listen_addresses": "127.0.0.1", "unix_socket_directories": str(self.root), **(settings or {})}
        self._user = None
        if os.geteuid() == 0:
            self._user = pwd.getpwnam("postgres")
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 120) -> None:
        kwargs = {}
        if self._user is not None:
            uid, gid = self._user.pw_uid, self._user.pw_gid

            def demote() -> None:
                os.setgid(gid)
                os.setuid(uid)

            kwargs["preexec_fn"] = demote
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        # no pipes: the postmaster pg_ctl starts would inherit them and keep them open
        with open(self.root / "ctl.log", "ab") as out:
            subprocess.run(
                args,
                check=True,
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                env=env,
                cwd=self.root,
                **kwargs,
            )

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            self._run(
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        options = " ".join(f"-c {k}={v}" for k, v in {"port": str(self.port), **self.settings}.items())
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """A fast restart: every connection is cut, the data stays."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "restart")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def private_postgres(settings: dict[str, str] | None = None):
    pg = PrivatePostgres(settings)
    try:
        pg.start()
        yield pg
    finally:
        pg.remove()
