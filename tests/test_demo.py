"""start_demo_server(): the embedded reference server for ``ebok-tui --demo``."""

from __future__ import annotations

import shutil
import sys

import pytest

from ebok_tui.core.api import EbokClient
from ebok_tui.core.demo import DemoServerError, start_demo_server
from ebok_tui.core.i18n import I18n


async def test_demo_server_starts_serves_and_stops():
    server = start_demo_server(today="2026-11-15")
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.is_running()
        assert server.mail_dir.is_dir()
        async with EbokClient(server.url) as api:
            health = await api.health()
            assert health.today.isoformat() == "2026-11-15"
            demo = await api.demo_info()
            first = demo.customers[0]
            await api.login(first.customer_number, first.password)
            assert (await api.me()).customer_number == first.customer_number
    finally:
        server.stop()
    assert not server.is_running()
    assert not server.tmpdir.exists()
    server.stop()  # idempotent


def test_context_manager_and_real_today():
    import datetime as dt
    import urllib.request
    import json

    with start_demo_server() as server:
        with urllib.request.urlopen(server.url + "/api/v1/health", timeout=5) as resp:
            assert json.load(resp)["today"] == dt.date.today().isoformat()
        tmpdir = server.tmpdir
    assert not server.is_running() and not tmpdir.exists()


def test_missing_server_dependencies_are_explained(tmp_path):
    # a Python that has neither the server deps nor this project on its path
    python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    if python == sys.executable:
        pytest.skip("no separate system python3 to simulate a missing install")
    with pytest.raises(DemoServerError) as err:
        start_demo_server(python=python)
    assert err.value.missing_deps
    assert "pip install 'ebok-tui[server]'" in str(err.value)
    assert err.value.code == "missing_deps"
    assert "pip install 'ebok-tui[server]'" in I18n("pl").t(f"demo.{err.value.code}")


def test_server_that_dies_reports_its_stderr():
    with pytest.raises(DemoServerError) as err:
        start_demo_server(extra_args=["--no-such-option"])
    assert not err.value.missing_deps
    assert "exited with code" in str(err.value)
    assert "--no-such-option" in str(err.value)  # argparse's complaint, from the stderr tail


def test_server_that_never_reports_times_out(tmp_path):
    fake = tmp_path / "fake_python.sh"
    fake.write_text("#!/bin/sh\necho 'starting...' \nexec sleep 30\n")
    fake.chmod(0o755)
    with pytest.raises(DemoServerError) as err:
        start_demo_server(python=str(fake), startup_timeout=1)
    assert "within 1 s" in str(err.value)


def test_demo_server_goes_when_the_client_is_killed(tmp_path):
    """A client killed with SIGKILL runs no clean-up; the server notices its stdin closing."""
    import os
    import signal
    import subprocess
    import time

    script = (
        "import sys, time\n"
        "from ebok_tui.core.demo import start_demo_server\n"
        "s = start_demo_server(today='2026-11-15')\n"
        "print(s.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    client = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        server_pid = int(client.stdout.readline())
        os.kill(client.pid, signal.SIGKILL)
        client.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(server_pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.kill(server_pid, signal.SIGKILL)
            pytest.fail("the demo server outlived its killed client")
    finally:
        if client.poll() is None:
            client.kill()
        client.stdout.close()
