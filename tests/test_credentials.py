"""CredentialStore: OS keyring only, never a file, never an exception, never a hang.

The ``keyring_os`` tests talk to a real Secret Service (gnome-keyring) over D-Bus, e.g.::

    dbus-run-session -- bash -c 'echo -n "" | gnome-keyring-daemon --unlock --components=secrets \
        >/dev/null; pytest tests/test_credentials.py -v'

They use gnome-keyring's in-memory ``session`` collection when it exists (always unlocked,
nothing on disk), else the default collection; they skip, saying why, when no Secret Service
is reachable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringLocked, PasswordDeleteError
from keyrings.alt.file import PlaintextKeyring

from ebok_tui.core.credentials import (
    CredentialStore,
    KeyringProblem,
    SavedLogin,
    SaveResult,
    _no_keyring_here,
    is_secure_backend,
)
from ebok_tui.core.i18n import I18n
from ebok_tui.ui.wording import keyring_saved

URL = "http://127.0.0.1:8000"
PL, EN = I18n("pl"), I18n("en")


# --- fakes (duck-typed on purpose: subclassing KeyringBackend would register them globally) ----


class MemoryBackend:
    """An in-memory stand-in for an OS keyring (priority 5)."""

    priority = 5

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}
        self.calls: list[str] = []
        self.threads: set[str] = set()

    def get_password(self, service, username):
        self.calls.append("get")
        self.threads.add(threading.current_thread().name)
        return self.data.get((service, username))

    def set_password(self, service, username, password):
        self.calls.append("set")
        self.threads.add(threading.current_thread().name)
        self.data[(service, username)] = password

    def delete_password(self, service, username):
        self.calls.append("delete")
        try:
            del self.data[(service, username)]
        except KeyError:
            raise PasswordDeleteError("no such password") from None


class LowPriorityBackend(MemoryBackend):
    priority = 0.9


class NotViableBackend(MemoryBackend):
    @property
    def priority(self):
        raise RuntimeError("daemon not running")


class HangingBackend(MemoryBackend):
    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service, username):
        self.release.wait(30)
        return None

    def set_password(self, service, username, password):
        self.release.wait(30)

    delete_password = set_password


class RaisingBackend(MemoryBackend):
    def __init__(self, exc: Exception) -> None:
        super().__init__()
        self.exc = exc

    def get_password(self, service, username):
        raise self.exc

    def set_password(self, service, username, password):
        raise self.exc

    def delete_password(self, service, username):
        raise self.exc


# --- isolation: prove nothing is written to disk ----------------------------------------------


@pytest.fixture
def isolated_home(tmp_path, monkeypatch) -> list[Path]:
    dirs = {name: tmp_path / name for name in ("home", "data", "config", "cache", "state")}
    for d in dirs.values():
        d.mkdir()
    monkeypatch.setenv("HOME", str(dirs["home"]))
    monkeypatch.setenv("XDG_DATA_HOME", str(dirs["data"]))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(dirs["config"]))
    monkeypatch.setenv("XDG_CACHE_HOME", str(dirs["cache"]))
    monkeypatch.setenv("XDG_STATE_HOME", str(dirs["state"]))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    import keyring.core

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # re-detect under this environment
    return list(dirs.values())


def files_under(dirs: list[Path]) -> list[Path]:
    return [p for d in dirs for p in d.rglob("*")]


# --- refused backends -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_backend",
    [PlaintextKeyring, fail.Keyring, null.Keyring, LowPriorityBackend, NotViableBackend],
    ids=["keyrings.alt-plaintext", "fail", "null", "priority<1", "not-viable"],
)
async def test_insecure_backends_refused_and_nothing_written(isolated_home, make_backend):
    backend = make_backend()
    if isinstance(backend, PlaintextKeyring):
        # where it *would* write: inside our isolated dirs
        assert str(backend.file_path).startswith(str(isolated_home[1]))
    store = CredentialStore(server_url=URL, backend=backend)
    result = await store.save("10001", "tajne-haslo")
    assert isinstance(result, SaveResult)
    assert not result.saved and not result
    assert result.reason is KeyringProblem.NO_SECURE_KEYRING
    assert "tajne-haslo" not in (result.detail or "")
    assert "bezpiecznego magazynu haseł" in keyring_saved(PL, result)
    assert "no secure keyring available" in keyring_saved(EN, result)
    assert await store.load() is None
    assert store.last_problem is KeyringProblem.NO_SECURE_KEYRING
    assert not (await store.forget()).saved
    assert await store.describe_backend() is None
    assert not is_secure_backend(backend)
    if isinstance(backend, MemoryBackend):
        assert backend.calls == []  # never even asked
    assert files_under(isolated_home) == []


async def test_default_backend_plaintext_via_env_is_refused(isolated_home, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    store = CredentialStore(server_url=URL)  # no injection: keyring.get_keyring()
    result = await store.save("10001", "tajne-haslo")
    assert not result.saved and result.reason is KeyringProblem.NO_SECURE_KEYRING
    assert await store.load() is None
    assert files_under(isolated_home) == []


async def test_chainer_without_os_backend_is_refused(isolated_home, monkeypatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PlaintextKeyring(), fail.Keyring()])
    store = CredentialStore(server_url=URL, backend=chainer.ChainerBackend())
    result = await store.save("10001", "tajne-haslo")
    assert not result.saved and result.reason is KeyringProblem.NO_SECURE_KEYRING
    assert files_under(isolated_home) == []


async def test_chainer_uses_only_its_os_backend(isolated_home, monkeypatch):
    os_backend = MemoryBackend()
    plaintext = PlaintextKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plaintext, os_backend])
    store = CredentialStore(server_url=URL, backend=chainer.ChainerBackend())
    assert (await store.save("10001", "tajne-haslo")).saved
    assert await store.load() == SavedLogin("10001", "tajne-haslo")
    assert len(os_backend.data) == 1
    assert files_under(isolated_home) == []  # the plaintext member was never used


# --- no session bus: no keyring can answer, and keyring is not even loaded -----------------------


def test_no_session_bus_is_known_without_keyring(tmp_path):
    """An SSH login on a shared helpdesk host: no D-Bus session bus, so no Secret Service or
    KWallet can answer; the store says so without importing keyring (its backends cost some
    10 MB per operator's process)."""
    runtime = tmp_path / "run"
    runtime.mkdir()
    probe = (
        "import asyncio, sys\n"
        "from ebok_tui.core.credentials import CredentialStore, KeyringProblem\n"
        "store = CredentialStore(server_url='https://ebok.example.pl')\n"
        "assert asyncio.run(store.load()) is None\n"
        "assert store.last_problem is KeyringProblem.NO_SECURE_KEYRING, store.last_problem\n"
        "assert not asyncio.run(store.save('10001', 'tajne-haslo')).saved\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('keyring', 'secretstorage', 'jeepney')))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")}
    env.update(XDG_RUNTIME_DIR=str(runtime), XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "env, may",
    [
        ({}, False),
        ({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}, True),
        ({"PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"}, True),
        ({"XDG_RUNTIME_DIR": "RUNTIME_WITH_BUS"}, True),
        ({"XDG_RUNTIME_DIR": "RUNTIME_WITHOUT_BUS"}, False),
        ({"XDG_CONFIG_HOME": "CONFIG_WITH_KEYRINGRC"}, True),
    ],
)
def test_when_a_keyring_may_answer(tmp_path, env, may):
    with_bus = tmp_path / "with"
    with_bus.mkdir()
    (with_bus / "bus").touch()
    (tmp_path / "without").mkdir()
    (tmp_path / "config" / "python_keyring").mkdir(parents=True)
    (tmp_path / "config" / "python_keyring" / "keyringrc.cfg").write_text("[backend]\n")
    places = {
        "RUNTIME_WITH_BUS": str(with_bus),
        "RUNTIME_WITHOUT_BUS": str(tmp_path / "without"),
        "CONFIG_WITH_KEYRINGRC": str(tmp_path / "config"),
    }
    env = {k: places.get(v, v) for k, v in env.items()}
    env.setdefault("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    if sys.platform in ("darwin", "win32"):
        may = True
    assert (_no_keyring_here(env) is None) is may


# --- round trip with an acceptable backend ----------------------------------------------------


async def test_round_trip_in_worker_thread(isolated_home):
    backend = MemoryBackend()
    store = CredentialStore(server_url=URL, backend=backend)
    assert await store.load() is None
    result = await store.save("10001", "zażółć gęślą jaźń")
    assert result.saved and result.reason is None
    assert "zapisane" in keyring_saved(PL, result) and "saved" in keyring_saved(EN, result)
    saved = await store.load()
    assert saved == SavedLogin("10001", "zażółć gęślą jaźń")
    assert "zażółć" not in repr(saved)
    assert threading.current_thread().name not in backend.threads  # keyring calls off the event loop

    # only the last customer is kept
    await store.save("10002", "inne-haslo")
    assert await store.load() == SavedLogin("10002", "inne-haslo")
    assert len(backend.data) == 1

    assert (await store.forget()).saved
    assert await store.load() is None
    assert (await store.forget()).saved  # forgetting nothing is fine
    assert files_under(isolated_home) == []


async def test_entries_namespaced_by_server_url():
    backend = MemoryBackend()
    real = CredentialStore(server_url="https://ebok.example.pl/", backend=backend)
    demo = CredentialStore(server_url="http://127.0.0.1:40001", backend=backend)
    same_as_real = CredentialStore(server_url="HTTPS://EBOK.example.pl/api/v1", backend=backend)
    await real.save("10001", "prawdziwe")
    await demo.save("10001", "woda-10001")
    assert (await real.load()).password == "prawdziwe"
    assert (await demo.load()).password == "woda-10001"
    assert (await same_as_real.load()).password == "prawdziwe"
    await demo.forget()
    assert (await real.load()).password == "prawdziwe"
    assert {svc for svc, _ in backend.data} == {"ebok-tui:https://ebok.example.pl"}


async def test_unreadable_entry_is_ignored():
    backend = MemoryBackend()
    store = CredentialStore(server_url=URL, backend=backend)
    backend.data[(store.keyring_service, "saved-login")] = "not json"
    assert await store.load() is None


# --- misbehaving backends ---------------------------------------------------------------------


async def test_hanging_backend_times_out_quickly():
    backend = HangingBackend()
    store = CredentialStore(server_url=URL, backend=backend, timeout=0.3)
    try:
        start = time.monotonic()
        result = await store.save("10001", "pw")
        assert time.monotonic() - start < 1.0
        assert not result.saved and result.reason is KeyringProblem.TIMEOUT
        assert "nie odpowiada" in keyring_saved(PL, result) and "not responding" in keyring_saved(EN, result)

        start = time.monotonic()  # while the first call is still stuck, fail fast
        assert await store.load() is None
        assert store.last_problem is KeyringProblem.TIMEOUT
        assert time.monotonic() - start < 0.2
    finally:
        backend.release.set()
    # once the backend recovers, the store works again
    for _ in range(50):
        if store._hung is None or not store._hung.is_alive():
            break
        time.sleep(0.02)
    assert (await store.save("10001", "pw")).saved


@pytest.mark.parametrize(
    "exc, reason",
    [
        (RuntimeError("dbus exploded"), KeyringProblem.ERROR),
        (KeyringLocked("Failed to unlock the collection!"), KeyringProblem.LOCKED),
        (OSError("no such file"), KeyringProblem.ERROR),
    ],
)
async def test_raising_backend_not_saved_never_raises(exc, reason):
    store = CredentialStore(server_url=URL, backend=RaisingBackend(exc))
    result = await store.save("10001", "pw")
    assert not result.saved and result.reason is reason
    assert keyring_saved(PL, result) and keyring_saved(EN, result)
    assert await store.load() is None and store.last_problem is reason
    assert not (await store.forget()).saved


async def test_all_reasons_have_distinct_messages():
    pl = {keyring_saved(PL, SaveResult(False, p)) for p in KeyringProblem}
    en = {keyring_saved(EN, SaveResult(False, p)) for p in KeyringProblem}
    assert len(pl) == len(en) == len(KeyringProblem)
    assert all(m.startswith("Hasło nie zostało zapisane") for m in pl)
    assert all(m.startswith("Password not saved") for m in en)


async def test_describe_backend_for_injected_backend():
    store = CredentialStore(server_url=URL, backend=MemoryBackend())
    assert await store.describe_backend() == "MemoryBackend"


# --- the real OS keyring ----------------------------------------------------------------------

SESSION_COLLECTION = "/org/freedesktop/secrets/collection/session"


def _no_os_keyring(reason: str):
    """Skip, saying why; in CI (EBOK_REQUIRE_OS_KEYRING=1, set by .ci/run) fail instead."""
    if os.environ.get("EBOK_REQUIRE_OS_KEYRING") == "1":
        pytest.fail(f"EBOK_REQUIRE_OS_KEYRING=1 but {reason}")
    pytest.skip(reason)


def secret_service_backend():
    """A real ``keyring.backends.SecretService.Keyring``, or skip (fail in CI) with the reason.

    Uses the default collection (the "login" keyring, as the app does) when it is unlocked, else
    gnome-keyring's in-memory "session" collection.
    """
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        _no_os_keyring("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset): no Secret Service to test against")
    try:
        import secretstorage
        from keyring.backends import SecretService
    except ImportError as exc:  # pragma: no cover
        _no_os_keyring(f"secretstorage not installed: {exc}")
    try:
        priority = SecretService.Keyring.priority
    except Exception as exc:
        _no_os_keyring(f"Secret Service not reachable on D-Bus: {exc}")
    if priority < 1:  # pragma: no cover
        _no_os_keyring(f"Secret Service backend priority {priority} < 1")
    backend = SecretService.Keyring()
    conn = secretstorage.dbus_init()
    try:
        try:
            default_usable = not secretstorage.get_default_collection(conn).is_locked()
        except Exception:
            default_usable = False
        if not default_usable:
            paths = {c.collection_path for c in secretstorage.get_all_collections(conn)}
            if SESSION_COLLECTION not in paths:
                _no_os_keyring("the Secret Service has no unlocked default collection and no session collection")
            backend.preferred_collection = SESSION_COLLECTION
    finally:
        conn.close()
    return backend


@pytest.mark.keyring_os
async def test_os_keyring_round_trip(isolated_home):
    backend = secret_service_backend()
    store = CredentialStore(service="ebok-tui-test", server_url=f"http://127.0.0.1:{os.getpid()}", backend=backend)
    try:
        result = await store.save("10001", "zażółć-gęślą-jaźń")
        assert result.saved, result.detail
        assert await store.load() == SavedLogin("10001", "zażółć-gęślą-jaźń")
        await store.save("10004", "drugie-haslo")
        assert await store.load() == SavedLogin("10004", "drugie-haslo")
        described = await store.describe_backend()
        assert described is not None and described.startswith("Secret Service")
        assert (await store.forget()).saved
        assert await store.load() is None
    finally:
        await store.forget()
    assert files_under(isolated_home) == []


@pytest.mark.keyring_os
async def test_os_keyring_entries_are_namespaced(isolated_home):
    backend = secret_service_backend()
    a = CredentialStore(service="ebok-tui-test", server_url="http://127.0.0.1:1", backend=backend)
    b = CredentialStore(service="ebok-tui-test", server_url="http://127.0.0.1:2", backend=backend)
    try:
        assert (await a.save("10001", "haslo-a")).saved
        assert (await b.save("10002", "haslo-b")).saved
        assert (await a.load()) == SavedLogin("10001", "haslo-a")
        assert (await b.load()) == SavedLogin("10002", "haslo-b")
    finally:
        await a.forget()
        await b.forget()
    assert await a.load() is None and await b.load() is None


@pytest.mark.keyring_os
async def test_os_default_backend_never_raises(isolated_home):
    """Whatever ``keyring.get_keyring()`` picks on this machine (maybe a locked login keyring),
    save/load/forget answer within the timeout and never raise or write files."""
    secret_service_backend()  # skip when there is no Secret Service at all
    store = CredentialStore(service="ebok-tui-test", server_url="http://127.0.0.1:3", timeout=3)
    start = time.monotonic()
    result = await store.save("10001", "pw-default")
    try:
        assert isinstance(result, SaveResult)
        if result.saved:
            assert await store.load() == SavedLogin("10001", "pw-default")
        else:
            assert result.reason in (
                KeyringProblem.LOCKED,
                KeyringProblem.TIMEOUT,
                KeyringProblem.ERROR,
                KeyringProblem.NO_SECURE_KEYRING,
            )
    finally:
        await store.forget()
    assert time.monotonic() - start < 12
    assert files_under(isolated_home) == []
