"""Start-up laziness of the client layer (issue 11): ``ebok_tui.core.api`` exports every public
name of its modules but imports each module only when one of its names is used, and the client
imports httpx only with its first request, pydantic and the reply models with its first reply
read into a model. The login screen's
start path loads none of them; a client of a server that is still starting waits for its address.
"""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import ebok_tui.core.api as api_package
from ebok_tui.core.api import ConnectionFailed, EbokClient
from tests.asgi_server import InProcessServer

REPO_ROOT = Path(__file__).resolve().parent.parent

#: What the first frame must not wait for.
HEAVY = ("httpx", "pydantic", "ebok_tui.core.api.models", "keyring", "segno", "fpdf")


def test_every_public_name_is_exported_from_its_own_module():
    seen: dict[str, str] = {}
    for module_name in api_package._MODULES:
        module = importlib.import_module(f"ebok_tui.core.api.{module_name}")
        for name in module.__all__:
            assert name not in seen, f"{name} is public in both {seen.get(name)} and {module_name}"
            seen[name] = module_name
            assert getattr(api_package, name) is getattr(module, name)
    assert set(seen) <= set(dir(api_package))
    modules = {p.stem for p in Path(api_package.__file__).parent.glob("*.py")} - {"__init__"}
    assert modules == set(api_package._MODULES)  # a new module is listed, or its names are not found


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        api_package.Nope  # noqa: B018
    with pytest.raises(ImportError):
        exec("from ebok_tui.core.api import Nope", {})


def loaded_after(code: str) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.split()


def test_the_login_screens_start_path_loads_no_http_stack_models_or_keyring():
    code = (
        "from ebok_tui.core.api import EbokClient, ApiError\n"
        "from ebok_tui.core.credentials import CredentialStore\n"
        "from ebok_tui.core.drafts import DraftStore\n"
        "import ebok_tui.ui.app, ebok_tui.ui.screens.auth.login\n"
        "EbokClient('http://127.0.0.1:9'); CredentialStore(server_url='http://127.0.0.1:9')\n"
    )
    assert loaded_after(code) == []


def test_the_first_reply_read_into_a_model_loads_pydantic_and_the_models():
    code = (
        "import asyncio, httpx\n"
        "from ebok_tui.core.api import EbokClient\n"
        "reply = {'status': 'ok', 'version': '1', 'today': '2026-11-15', 'server_id': 'x'}\n"
        "transport = httpx.MockTransport(lambda request: httpx.Response(200, json=reply))\n"
        "async def main():\n"
        "    async with EbokClient('http://ebok.test', transport=transport) as api:\n"
        "        assert (await api.ping()).isoformat() == '2026-11-15'\n"
        "        import sys; assert 'pydantic' not in sys.modules\n"
        "        assert (await api.health()).today.isoformat() == '2026-11-15'\n"
        "asyncio.run(main())\n"
    )
    assert loaded_after(code) == ["httpx", "pydantic", "ebok_tui.core.api.models"]


def test_the_background_health_check_loads_httpx_only():
    code = (
        "import asyncio\n"
        "from ebok_tui.core.api import EbokClient, ConnectionFailed\n"
        "async def main():\n"
        "    async with EbokClient('http://127.0.0.1:9', retry_delay=0) as api:\n"
        "        try:\n"
        "            await api.ping()\n"
        "        except ConnectionFailed:\n"
        "            pass\n"
        "asyncio.run(main())\n"
    )
    assert loaded_after(code) == ["httpx"]


async def test_ping_gives_the_servers_date(server: InProcessServer):
    async with server.client() as api:
        assert await api.ping() == server.today == (await api.health()).today


async def test_a_client_awaiting_its_address_waits_then_uses_it(server: InProcessServer):
    api = EbokClient.awaiting_address(transport=server.transport())
    try:
        assert not api.address_known
        health = asyncio.ensure_future(api.health())
        await asyncio.sleep(0)  # let it start: it waits for the address, it does not fail
        for _ in range(5):
            await asyncio.sleep(0)
        assert not health.done()
        api.set_address(server.url)
        assert (await health).status == "ok"
        assert api.address_known and api.base_url == server.url
        with pytest.raises(RuntimeError):
            api.set_address("http://elsewhere.test")
    finally:
        await api.aclose()


async def test_a_client_whose_server_never_comes_fails_as_not_connected():
    api = EbokClient.awaiting_address()
    try:
        waiting = asyncio.ensure_future(api.health())
        await asyncio.sleep(0)
        api.address_failed("the demo server exited with code 1")
        with pytest.raises(ConnectionFailed, match="exited with code 1"):
            await waiting
        with pytest.raises(ConnectionFailed):
            await api.demo_info()
    finally:
        await api.aclose()
