"""Remember the last login (customer number + password) in the **OS keyring only**.

* Nothing is ever written to disk by this module: backends that are not a real OS keyring are
  refused (``keyring``'s fail/null backends, every ``keyrings.alt`` backend -- plaintext or
  "encrypted" files --, a chainer with no usable OS backend, anything with priority < 1).
* Every keyring call runs in a daemon worker thread with a timeout (default 3 s): a locked,
  missing, hanging or raising backend gives "not saved" / ``None``, never an exception and never
  a hung UI or a hung interpreter exit.
* Entries are namespaced by the server URL, so demo / test servers don't overwrite the real one.

Usage (from an async UI)::

    store = CredentialStore(server_url="https://ebok.example.pl")
    saved = await store.load()               # SavedLogin | None
    result = await store.save("10001", pw)   # SaveResult; result.saved / result.reason (a KeyringProblem)
    await store.forget()
    label = await store.describe_backend()   # "Secret Service (GNOME Keyring)"
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "CredentialStore",
    "SavedLogin",
    "SaveResult",
    "KeyringProblem",
    "is_secure_backend",
    "DEFAULT_TIMEOUT",
]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3.0
_ENTRY_USERNAME = "saved-login"

R = TypeVar("R")


class KeyringProblem(str, enum.Enum):
    """Why the keyring could not be used. The value is a code; the UI words it from the
    catalogues (``keyring.not_saved.<code>``, ``keyring.not_loaded.<code>``)."""

    NO_SECURE_KEYRING = "no_secure_keyring"
    LOCKED = "keyring_locked"
    TIMEOUT = "keyring_timeout"
    ERROR = "keyring_error"


class SavedLogin(NamedTuple):
    customer_number: str
    password: str

    def __repr__(self) -> str:  # never the password (logs, tracebacks)
        return f"SavedLogin(customer_number={self.customer_number!r}, password=...)"


class SaveResult(NamedTuple):
    """Outcome of :meth:`CredentialStore.save` (or ``forget``). ``reason`` is ``None`` when saved."""

    saved: bool
    reason: KeyringProblem | None = None
    detail: str | None = None  # technical, for logs; never contains the password

    def __bool__(self) -> bool:
        return self.saved


class _Refused(Exception):
    def __init__(self, problem: KeyringProblem, detail: str) -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail


# --- backend policy ---------------------------------------------------------------------------


def _priority(backend: Any) -> float | None:
    try:
        return float(backend.priority)
    except Exception:  # priority raises RuntimeError when the backend is not viable
        return None


def _insecure_reason(backend: Any) -> str | None:
    """``None`` when ``backend`` is a real OS keyring we accept, else why not (for logs).

    Does not unwrap chainers (see :func:`_resolve`). May talk to D-Bus (priority check): call it
    in a worker thread."""
    from keyring.backends import chainer, fail, null  # lazy: keyring loads on first use (start-up)

    cls = type(backend)
    module = cls.__module__ or ""
    if module == "keyrings.alt" or module.startswith("keyrings.alt.") or module.startswith("keyrings_alt"):
        return f"{module}.{cls.__qualname__} stores secrets in files"
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return f"{module}.{cls.__qualname__} is not a keyring"
    if isinstance(backend, chainer.ChainerBackend):
        return "chainer backend"
    prio = _priority(backend)
    if prio is None:
        return f"{module}.{cls.__qualname__} is not available"
    if prio < 1:
        return f"{module}.{cls.__qualname__} has priority {prio} < 1"
    return None


def _no_keyring_here(env: Mapping[str, str] | None = None) -> str | None:
    """Why no OS keyring can answer on this machine, known without loading ``keyring`` (its
    backends, their crypto and plugin discovery cost some 10 MB per process); None when one may.

    On Linux and the BSDs every OS keyring we accept (Secret Service: GNOME Keyring, KeePassXC;
    KWallet) answers on the user's D-Bus session bus: with no bus address in the environment and
    none at systemd's default place (``$XDG_RUNTIME_DIR/bus``), as in an SSH login on a shared
    helpdesk host, none can. A backend chosen explicitly (``PYTHON_KEYRING_BACKEND``, a
    ``keyringrc.cfg``) is always asked."""
    env = os.environ if env is None else env
    if sys.platform in ("darwin", "win32") or env.get("PYTHON_KEYRING_BACKEND"):
        return None
    if env.get("DBUS_SESSION_BUS_ADDRESS"):
        return None
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return None
    config_home = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    if os.path.exists(os.path.join(config_home, "python_keyring", "keyringrc.cfg")):
        return None
    return "no D-Bus session bus: no desktop keyring can answer"


def is_secure_backend(backend: Any) -> bool:
    """True when ``backend`` (or, for a chainer, one of its backends) is an acceptable OS keyring."""
    try:
        _resolve(backend)
    except _Refused:
        return False
    return True


def _resolve(backend: Any) -> Any:
    """The backend to use, or raise :class:`_Refused`. A chainer is replaced by its best secure
    member, so a failing OS keyring can never fall through to a file-based one."""
    from keyring.backends import chainer  # lazy: keyring loads on first use (start-up)

    if isinstance(backend, chainer.ChainerBackend):
        reasons = []
        for member in backend.backends:  # sorted by priority, highest first
            why = _insecure_reason(member)
            if why is None:
                return member
            reasons.append(why)
        raise _Refused(KeyringProblem.NO_SECURE_KEYRING, "chainer with no usable OS backend: " + "; ".join(reasons))
    why = _insecure_reason(backend)
    if why is not None:
        raise _Refused(KeyringProblem.NO_SECURE_KEYRING, why)
    return backend


def _classify(exc: BaseException) -> KeyringProblem:
    from keyring import errors as kerr  # lazy: keyring loads on first use (start-up)

    if isinstance(exc, kerr.KeyringLocked):
        return KeyringProblem.LOCKED
    if isinstance(exc, kerr.NoKeyringError):
        return KeyringProblem.NO_SECURE_KEYRING
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 5:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    if any(type(e).__name__ in ("LockedException", "PromptDismissedException") for e in chain):
        return KeyringProblem.LOCKED  # secretstorage: locked, or the unlock prompt was dismissed
    name = type(exc).__name__
    if isinstance(exc, kerr.InitError) or name in ("SecretServiceNotAvailableException",):
        return KeyringProblem.NO_SECURE_KEYRING
    return KeyringProblem.ERROR


def _normalise_url(url: str) -> str:
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        path = parts.path.rstrip("/")
        if path.endswith("/api/v1"):
            path = path[: -len("/api/v1")]
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))
    except ValueError:
        return text.rstrip("/")


# --- the store --------------------------------------------------------------------------------


class CredentialStore:
    """Saved login for one eBOK server, kept in the OS keyring.

    ``backend``: inject a keyring backend instance (tests); default ``keyring.get_keyring()``,
    resolved lazily in the worker thread."""

    def __init__(
        self,
        service: str = "ebok-tui",
        server_url: str = "",
        *,
        backend: Any | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.service = service
        self.server_url = _normalise_url(server_url)
        self.timeout = timeout
        self._backend_in = backend
        self._backend: Any | None = None
        self._hung: threading.Thread | None = None
        self._lock: asyncio.Lock | None = None
        #: why the last operation could not use the keyring (``None`` if it could)
        self.last_problem: KeyringProblem | None = None

    @property
    def keyring_service(self) -> str:
        """Service name of the keyring entry (namespaced by server URL)."""
        return f"{self.service}:{self.server_url}" if self.server_url else self.service

    # -- worker-thread plumbing --

    def _backend_sync(self) -> Any:
        if self._backend is None:
            if self._backend_in is not None:
                candidate = self._backend_in
            else:
                why = _no_keyring_here()
                if why is not None:
                    raise _Refused(KeyringProblem.NO_SECURE_KEYRING, why)
                import keyring  # lazy: keyring loads on first use (start-up)

                candidate = keyring.get_keyring()
            self._backend = _resolve(candidate)
        return self._backend

    async def _run(self, fn: Callable[[], R]) -> R:
        """Run ``fn`` in a daemon thread with the timeout. Raises :class:`_Refused` on failure.

        A daemon thread (not the default executor) so a backend stuck forever can neither block
        interpreter exit nor exhaust the executor; while one call is stuck, later calls fail
        fast with TIMEOUT instead of piling up more stuck threads."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._hung is not None and self._hung.is_alive():
                raise _Refused(KeyringProblem.TIMEOUT, "a previous keyring call is still hanging")
            self._hung = None
            loop = asyncio.get_running_loop()
            future: asyncio.Future[R] = loop.create_future()

            def deliver(ok: bool, value: Any) -> None:
                if future.done():
                    return
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

            def worker() -> None:
                try:
                    result = fn()
                except BaseException as exc:  # noqa: BLE001 - everything is reported, nothing escapes
                    outcome: tuple[bool, Any] = (False, exc)
                else:
                    outcome = (True, result)
                try:
                    loop.call_soon_threadsafe(deliver, *outcome)
                except RuntimeError:  # loop closed meanwhile
                    pass

            thread = threading.Thread(target=worker, name="ebok-keyring", daemon=True)
            thread.start()
            try:
                return await asyncio.wait_for(asyncio.shield(future), self.timeout)
            except TimeoutError:
                self._hung = thread
                raise _Refused(KeyringProblem.TIMEOUT, f"keyring did not answer within {self.timeout} s") from None
            except _Refused:
                raise
            except Exception as exc:
                raise _Refused(_classify(exc), f"{type(exc).__name__}: {exc}") from None

    def _note(self, problem: KeyringProblem | None, detail: str | None = None) -> None:
        self.last_problem = problem
        if problem is not None:
            log.info("keyring not used (%s): %s", problem.value, detail)

    async def _write(self, op: Callable[[], None]) -> SaveResult:
        """Run a keyring write (save / delete) and note its outcome; never raises for refusals."""
        try:
            await self._run(op)
        except _Refused as r:
            self._note(r.problem, r.detail)
            return SaveResult(False, r.problem, r.detail)
        self._note(None)
        return SaveResult(True)

    # -- public API --

    async def load(self) -> SavedLogin | None:
        """The saved login for this server, or ``None`` (nothing saved, or keyring unusable:
        see :attr:`last_problem`)."""

        def op() -> str | None:
            return self._backend_sync().get_password(self.keyring_service, _ENTRY_USERNAME)

        try:
            raw = await self._run(op)
        except _Refused as r:
            self._note(r.problem, r.detail)
            return None
        self._note(None)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            number, password = data["customer_number"], data["password"]
            if isinstance(number, str) and isinstance(password, str) and number and password:
                return SavedLogin(number, password)
        except (ValueError, TypeError, KeyError):
            pass
        log.info("ignoring an unreadable saved login in the keyring")
        return None

    async def save(self, customer_number: str, password: str) -> SaveResult:
        """Save (replace) the login for this server. Never raises for keyring problems."""
        payload = json.dumps({"customer_number": customer_number, "password": password})

        def op() -> None:
            self._backend_sync().set_password(self.keyring_service, _ENTRY_USERNAME, payload)

        return await self._write(op)

    async def forget(self) -> SaveResult:
        """Delete the saved login for this server. ``saved=True`` means "removed or nothing
        was there"; otherwise ``reason`` says why the keyring could not be reached."""
        from keyring.errors import PasswordDeleteError  # lazy: keyring loads on first use (start-up)

        def op() -> None:
            backend = self._backend_sync()
            try:
                backend.delete_password(self.keyring_service, _ENTRY_USERNAME)
            except PasswordDeleteError:
                pass  # nothing saved

        return await self._write(op)

    async def describe_backend(self) -> str | None:
        """Human name of the keyring in use (``"Secret Service (GNOME Keyring)"``), or ``None``
        when no secure keyring is usable."""

        def op() -> str:
            return describe(self._backend_sync())

        try:
            return await self._run(op)
        except _Refused as r:
            self._note(r.problem, r.detail)
            return None


def describe(backend: Any) -> str:
    """Human name of a (resolved) backend. May talk to D-Bus: call from a worker thread."""
    module = type(backend).__module__
    if module == "keyring.backends.SecretService" or module == "keyring.backends.libsecret":
        provider = _secret_service_provider()
        return f"Secret Service ({provider})" if provider else "Secret Service"
    if module == "keyring.backends.kwallet":
        return "KWallet"
    if module.startswith("keyring.backends.macOS"):
        return "macOS Keychain"
    if module == "keyring.backends.Windows":
        return "Windows Credential Manager"
    return str(getattr(backend, "name", type(backend).__name__))


_PROVIDERS = {
    "gnome-keyring": "GNOME Keyring",
    "kwalletd": "KWallet",
    "ksecretd": "KWallet",
    "keepassxc": "KeePassXC",
}


def _secret_service_provider() -> str | None:
    """Which program owns ``org.freedesktop.secrets`` on the session bus (best effort)."""
    try:
        # lazy and optional: jeepney is there only with keyring's Secret Service backend
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        dbus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
        with open_dbus_connection(bus="SESSION") as conn:
            msg = new_method_call(dbus, "GetConnectionUnixProcessID", "s", ("org.freedesktop.secrets",))
            reply = conn.send_and_get_reply(msg, timeout=1)
            pid = int(reply.body[0])
        with open(f"/proc/{pid}/comm", encoding="utf-8") as fh:
            comm = fh.read().strip().lower()
    except Exception:
        return None
    for prefix, name in _PROVIDERS.items():
        if comm.startswith(prefix):
            return name
    return comm or None
