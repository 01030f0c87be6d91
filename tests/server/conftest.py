"""Fixtures for the server tests only."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import httpx
import pytest

from tests.server_proc import ServerInfo, start_server_info, stop_server

PRIVATE_SERVERS = 3  # modules that change data each get their own server (started in parallel)


@pytest.fixture
def api(server_url):
    """httpx client against the shared (session) demo server; use it for read-only checks."""
    with httpx.Client(base_url=server_url + "/api/v1", timeout=15) as c:
        yield c


class _ServerPool:
    def __init__(self, tmp_path_factory, n: int):
        self._executor = ThreadPoolExecutor(max_workers=n)
        self._futures: list[Future[ServerInfo]] = [
            self._executor.submit(start_server_info, tmp_path_factory.mktemp(f"own_server{i}")) for i in range(n)]
        self._all = list(self._futures)
        self._factory = tmp_path_factory

    def take(self) -> ServerInfo:
        if self._futures:
            return self._futures.pop(0).result()
        return start_server_info(self._factory.mktemp("own_server_extra"))

    def close(self) -> None:
        for f in self._all:
            try:
                stop_server(f.result().proc)
            except Exception:  # noqa: BLE001 - a server that failed to start has nothing to stop
                pass
        self._executor.shutdown()


@pytest.fixture(scope="session")
def _server_pool(tmp_path_factory):
    pool = _ServerPool(tmp_path_factory, PRIVATE_SERVERS)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def own_server(_server_pool) -> ServerInfo:
    """A private demo server (``--seed-demo --today 2026-11-15``) for one test module (tests that change data)."""
    info = _server_pool.take()
    yield info
    stop_server(info.proc)


@pytest.fixture
def own_api(own_server):
    with httpx.Client(base_url=own_server.api, timeout=15) as c:
        yield c
