"""Fixtures for the server tests only."""

from __future__ import annotations

import httpx
import pytest

from tests.server_proc import ServerInfo, running_server


@pytest.fixture
def api(server_url):
    """httpx client against the shared (session) demo server; use it for read-only checks."""
    with httpx.Client(base_url=server_url + "/api/v1", timeout=15) as c:
        yield c


@pytest.fixture(scope="module")
def own_server(tmp_path_factory) -> ServerInfo:
    """A private demo server for one test module (tests that change data)."""
    with running_server(tmp_path_factory.mktemp("own_server")) as info:
        yield info


@pytest.fixture
def own_api(own_server):
    with httpx.Client(base_url=own_server.api, timeout=15) as c:
        yield c
