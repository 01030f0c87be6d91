"""The real eBOK server, in-process: ``create_app(...)`` behind ``httpx.ASGITransport``, its lifespan
run, on its own SQLite file copied from a demo-seeded template (``--seed-demo --today 2026-11-15``).

Client and TUI tests use this instead of a uvicorn subprocess: the same routes, rules and database
code answer, without a port, a process start or a second event loop. A few end-to-end tests still
start the real process (``tests.server_proc``).

Usage (fixtures in ``tests/conftest.py``)::

    async def test_x(server, tmp_path):                 # module-scoped: one database per module
        app = make_app(server, tmp_path)                # the TUI on this server
        async with server.client() as api: ...          # an EbokClient on it
        async with server.http() as http: ...           # a raw httpx.AsyncClient on /api/v1

    async def test_y(fresh_server): ...                  # a database of its own (the test mutates)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Any

import httpx

from ebok_server.__main__ import prepare_database
from ebok_server.app import create_app
from ebok_server.config import Settings
from ebok_tui.core.api import EbokClient

DEMO_TODAY = dt.date(2026, 11, 15)
#: No request leaves the process: the host only fills the URL (and the keyring/draft namespaces).
BASE_URL = "http://ebok.test"


class LifespanASGITransport(httpx.AsyncBaseTransport):
    """``httpx.ASGITransport`` that runs the app's lifespan (tables, engine) around its use.

    The lifespan (Starlette's ``router.lifespan_context``) runs in a task of its own, started by
    the first request in the event loop that sends it (the database engine belongs to that loop),
    and ends in ``aclose()`` (``EbokClient.aclose`` / ``AsyncClient.aclose``). A client nobody
    closes (an app the snapshot plugin runs) ends with its event loop: ``asyncio.run`` and
    pytest-asyncio cancel the tasks left, and the task leaves the lifespan as on shutdown, so the
    engine is disposed in its own loop.
    """

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self._asgi = httpx.ASGITransport(app=self.app)
        self._task: asyncio.Task[None] | None = None
        self._started: asyncio.Future[None] | None = None
        self._stop: asyncio.Event | None = None
        self._serving: set[asyncio.Task[httpx.Response]] = set()

    async def _lifespan(self) -> None:
        assert self._started is not None and self._stop is not None
        try:
            async with self.app.router.lifespan_context(self.app):
                self._started.set_result(None)
                await self._stop.wait()
        except BaseException as error:
            if not self._started.done():
                self._started.set_exception(error)
            raise

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._task is None:
            self._started = asyncio.get_running_loop().create_future()
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(self._lifespan(), name="ebok-server-lifespan")
        await asyncio.shield(self._started)
        # The server serves the request in a task of its own, as a server process would: a client
        # that stops waiting (a worker cancelled by a newer load or by the app's exit) does not
        # cancel the server mid-transaction. Cancelled there, SQLAlchemy handed the connection to
        # a shielded aiosqlite close that never finished (with aiosqlite 0.22 its thread is
        # stopped first), which held SQLite's write lock and hung the event loop's shutdown.
        serving = asyncio.ensure_future(self._asgi.handle_async_request(request))
        self._serving.add(serving)
        serving.add_done_callback(self._served)
        return await asyncio.shield(serving)

    def _served(self, serving: asyncio.Task[httpx.Response]) -> None:
        self._serving.discard(serving)
        if not serving.cancelled():
            serving.exception()  # retrieved: the client that asked for it may have stopped waiting

    async def aclose(self) -> None:
        if self._serving:  # what the server is still doing ends first, as at a server's shutdown
            await asyncio.wait(set(self._serving))
        task, self._task = self._task, None
        if task is not None and self._stop is not None:
            self._stop.set()
            await task


@dataclass
class InProcessServer:
    """One server database (SQLite file) and mail folder; every client gets its own app on it."""

    db_path: Path
    mail_dir: Path
    today: dt.date = DEMO_TODAY
    url: str = BASE_URL
    #: ``serve --reply-deadline-days`` (None: the default, 14)
    reply_deadline_days: int | None = None
    #: the server's wall clock (epoch seconds; None: the real one), for snapshots of code expiry times
    clock: Callable[[], float] | None = None

    @property
    def db_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.db_path}"

    @property
    def api(self) -> str:
        return self.url + "/api/v1"

    def settings(self) -> Settings:
        settings = Settings(db_url=self.db_url, today=self.today, demo=True, mail_dir=self.mail_dir)
        if self.reply_deadline_days is not None:
            settings.extra["reply_deadline_days"] = self.reply_deadline_days
        if self.clock is not None:
            settings.clock = self.clock
        return settings

    def transport(self) -> LifespanASGITransport:
        return LifespanASGITransport(self.settings())

    def client(self, **kwargs: Any) -> EbokClient:
        """An :class:`EbokClient` on this server (``retry_delay``, ``lang``... passed through)."""
        return EbokClient(self.url, transport=self.transport(), **kwargs)

    def http(self) -> httpx.AsyncClient:
        """A plain httpx client with ``base_url`` = the API root (``/api/v1``)."""
        return httpx.AsyncClient(base_url=self.api, transport=self.transport())


def seed_template(folder: Path, today: dt.date = DEMO_TODAY, seed_large: int | None = None) -> Path:
    """A demo-seeded SQLite file under ``folder`` (what ``serve --seed-demo --today`` prepares;
    ``seed_large``: ``--seed-large N``).

    Call it outside an event loop (a sync fixture): it runs its own."""
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "template.db"
    settings = Settings(db_url=f"sqlite+aiosqlite:///{db_path}", today=today, demo=True)
    asyncio.run(prepare_database(settings, seed_demo=True, seed_large=seed_large))
    # The engine is disposed: the last connection closed checkpointed the WAL into the file.
    assert not Path(f"{db_path}-wal").exists() or Path(f"{db_path}-wal").stat().st_size == 0
    return db_path


def server_from_template(template: Path, folder: Path) -> InProcessServer:
    """A server on a copy of ``template`` (its own database and mail folder under ``folder``)."""
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "ebok.db"
    shutil.copyfile(template, db_path)
    mail_dir = folder / "mail"
    mail_dir.mkdir(exist_ok=True)  # as `serve --mail-dir` makes it
    return InProcessServer(db_path=db_path, mail_dir=mail_dir)
