"""Fixtures for the server tests only.

Every test that touches a database runs twice, against SQLite and against PostgreSQL (the
session-scoped ``backend`` param; PostgreSQL is skipped with the reason when ``EBOK_TEST_PG_URL``
is not set). Each server and each in-process test gets an empty database of its own
(``tests/databases.py``). pytest groups the tests by backend, so each backend's shared server and
private servers start once.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import httpx
import pytest

from tests.databases import PG_SKIP_REASON, PG_URL, create_database, drop_database
from tests.server_proc import ServerInfo, start_server_info, stop_server

PRIVATE_SERVERS = 3  # per backend: modules that change data each get their own server (started in parallel)


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason=PG_SKIP_REASON))],
)
def backend(request) -> str:
    """The database the test runs against: ``sqlite`` or ``postgresql``."""
    return request.param


def _start(backend: str, tmp_path, *args: str, **kwargs) -> ServerInfo:
    """A server on a fresh database of ``backend`` (dropped by :func:`_stop`)."""
    db_url = create_database(backend, tmp_path)
    try:
        return start_server_info(tmp_path, *args, db_url=db_url, **kwargs)
    except BaseException:
        drop_database(db_url)
        raise


def _stop(info: ServerInfo) -> None:
    stop_server(info.proc)
    drop_database(info.db_url)


@pytest.fixture(scope="session")
def start_backend_server(backend, tmp_path_factory):
    """``start(*args, **kwargs) -> ServerInfo``: a server on a fresh ``backend`` database, stopped
    (and its database dropped) at the end of the session unless stopped earlier with ``stop``."""
    started: list[ServerInfo] = []

    def start(*args: str, **kwargs) -> ServerInfo:
        info = _start(backend, tmp_path_factory.mktemp(f"{backend}_server"), *args, **kwargs)
        started.append(info)
        return info

    yield start
    for info in started:
        _stop(info)


@pytest.fixture(scope="session")
def shared_server(backend, request, start_backend_server) -> ServerInfo:
    """The read-only demo server of this backend (on SQLite: the session's ``ebok_server``)."""
    if backend == "sqlite":
        return request.getfixturevalue("ebok_server")
    return start_backend_server()


@pytest.fixture(scope="session")
def server_url(shared_server) -> str:
    return shared_server.url


@pytest.fixture
def api(server_url):
    """httpx client against the shared (session) demo server; use it for read-only checks."""
    with httpx.Client(base_url=server_url + "/api/v1", timeout=15) as c:
        yield c


@pytest.fixture
def fresh_db_url(backend, tmp_path) -> str:
    """An empty database of this backend for one test (in-process app or a server of its own)."""
    url = create_database(backend, tmp_path)
    yield url
    drop_database(url)


class _ServerPool:
    def __init__(self, backend: str, tmp_path_factory, n: int):
        self._backend = backend
        self._factory = tmp_path_factory
        self._executor = ThreadPoolExecutor(max_workers=n)
        self._started: list[ServerInfo] = []
        self._futures: list[Future[ServerInfo]] = [self._executor.submit(self._new) for _ in range(n)]

    def _new(self) -> ServerInfo:
        info = _start(self._backend, self._factory.mktemp(f"own_{self._backend}_server"))
        self._started.append(info)
        return info

    def take(self) -> ServerInfo:
        if self._futures:
            return self._futures.pop(0).result()
        return self._new()

    def close(self) -> None:
        self._executor.shutdown()  # waits for servers still starting
        for info in self._started:
            _stop(info)  # idempotent for the servers own_server already stopped


@pytest.fixture(scope="session")
def _server_pool(backend, tmp_path_factory):
    pool = _ServerPool(backend, tmp_path_factory, PRIVATE_SERVERS)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def own_server(_server_pool) -> ServerInfo:
    """A private demo server (``--seed-demo --today 2026-11-15``) for one test module (tests that change data)."""
    info = _server_pool.take()
    yield info
    _stop(info)


@pytest.fixture
def own_api(own_server):
    with httpx.Client(base_url=own_server.api, timeout=15) as c:
        yield c
