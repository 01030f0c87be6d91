"""Unsent correspondence drafts, kept on disk per (server URL, customer number).

A draft is a plain dict::

    {"id": "<uuid4>",            # also the Idempotency-Key of its POST /correspondence
     "kind": "failure_report", "subject": "...", "body": "...",
     "contact_phone": None, "location": None,
     "created_at": "2026-11-15T10:00:00+00:00", "updated_at": "..."}

Extra keys are kept as they are (e.g. a UI may store a ``thread_id`` for reply drafts).

Safety: the directory is created 0700 and the file 0600 *at creation* (``os.open`` with a mode,
never chmod-after-write), writes are atomic (temp file in the same directory + fsync +
``os.replace``), and a corrupt file is moved aside to ``<name>.corrupt`` and the store starts
empty -- loading never raises.

The methods are synchronous and fast (a few KB of JSON); an async UI may still call them via
``asyncio.to_thread``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import logging
import os
import threading
import uuid
from pathlib import Path
from typing import Any

__all__ = ["DraftStore", "DraftSaveError", "new_draft", "default_root"]

log = logging.getLogger(__name__)

_FORMAT_VERSION = 1
_DIR_MODE = 0o700
_FILE_MODE = 0o600


def default_root() -> Path:
    import platformdirs  # lazy: only needed when no root is given (start-up)

    return platformdirs.user_data_path("ebok-tui") / "drafts"


def new_draft(
    kind: str,
    subject: str = "",
    body: str = "",
    contact_phone: str | None = None,
    location: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A new draft dict with a fresh uuid4 ``id`` and ``created_at``."""
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    draft: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "kind": kind,
        "subject": subject,
        "body": body,
        "contact_phone": contact_phone,
        "location": location,
        "created_at": now,
    }
    draft.update(extra)
    return draft


class DraftSaveError(Exception):
    """The draft could not be written (disk full, permissions...); the UI says so with the
    catalogue's ``drafts.save_failed``."""


def _key(server_url: str, customer_number: str) -> str:
    norm = (server_url or "").strip().rstrip("/").lower()
    return hashlib.sha256(f"{norm}\n{customer_number}".encode()).hexdigest()[:32]


def _ensure_private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) with mode 0700; tighten ``path`` if it is looser."""
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(d, _DIR_MODE)  # umask can only remove bits
    st = os.stat(path)
    if st.st_mode & 0o777 != _DIR_MODE and st.st_uid == os.getuid():
        os.chmod(path, _DIR_MODE)


def _valid_draft(d: Any) -> bool:
    return isinstance(d, dict) and isinstance(d.get("id"), str) and bool(d["id"])


class DraftStore:
    """Drafts of one customer on one server.

    ``root`` defaults to ``platformdirs.user_data_path("ebok-tui") / "drafts"``.

    A store created without ``server_url`` / ``customer_number`` (e.g. by the app before anyone
    logged in) is *unbound*: ``load()`` gives ``[]`` and ``save()`` raises ``ValueError``; get a
    bound one with :meth:`for_account`."""

    def __init__(
        self, root: Path | None = None, *, server_url: str | None = None, customer_number: str | None = None
    ) -> None:
        self.root = Path(root) if root is not None else default_root()
        # save/discard read, change and rewrite the whole file: one at a time (the UI writes
        # from a thread while it may also write from the event loop)
        self._lock = threading.Lock()
        self.server_url = server_url
        self.customer_number = customer_number
        # the file name does not reveal the customer number
        self.path: Path | None = (
            self.root / f"{_key(server_url, customer_number)}.json"
            if server_url is not None and customer_number is not None
            else None
        )

    def for_account(self, server_url: str, customer_number: str) -> DraftStore:
        """A store with the same root for this server + customer."""
        return DraftStore(self.root, server_url=server_url, customer_number=customer_number)

    def _require_path(self) -> Path:
        if self.path is None:
            raise ValueError("DraftStore is not bound to a server and customer (use for_account())")
        return self.path

    # -- reading --

    def _read(self) -> list[dict[str, Any]]:
        if self.path is None:
            return []
        try:
            with open(self.path, "rb") as fh:
                raw = fh.read()
        except FileNotFoundError:
            return []
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("drafts"), list):
                raise ValueError("not a drafts file")
        except (ValueError, UnicodeDecodeError) as exc:
            self._quarantine(exc)
            return []
        drafts = [d for d in data["drafts"] if _valid_draft(d)]
        if len(drafts) != len(data["drafts"]):
            log.warning("ignored %d malformed drafts in %s", len(data["drafts"]) - len(drafts), self.path)
        return drafts

    def _quarantine(self, exc: Exception) -> None:
        path = self._require_path()
        target = path.with_name(path.name + ".corrupt")
        if target.exists():  # keep earlier corrupt copies too
            stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
            target = path.with_name(f"{path.name}.{stamp}.corrupt")
        log.warning("drafts file %s is corrupt (%s); moved to %s", path, exc, target)
        try:
            os.replace(path, target)  # keeps the file's 0600 mode
        except OSError as move_exc:
            log.warning("could not move the corrupt drafts file aside: %s", move_exc)

    def load(self) -> list[dict[str, Any]]:
        """All drafts, oldest first. Never raises; a corrupt file is kept as ``.corrupt``."""
        try:
            drafts = self._read()
        except OSError as exc:
            log.warning("cannot read drafts %s: %s", self.path, exc)
            return []
        return sorted(drafts, key=lambda d: str(d.get("created_at") or ""))

    def get(self, draft_id: str) -> dict[str, Any] | None:
        return next((d for d in self.load() if d["id"] == draft_id), None)

    # -- writing --

    def _write(self, drafts: list[dict[str, Any]]) -> None:
        path = self._require_path()
        if not drafts:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            return
        payload = json.dumps(
            {
                "version": _FORMAT_VERSION,
                "server_url": self.server_url,
                "customer_number": self.customer_number,
                "drafts": drafts,
            },
            ensure_ascii=False,
            indent=1,
        ).encode("utf-8")
        _ensure_private_dir(self.root)
        tmp = self.root / f".{path.name}.{uuid.uuid4().hex}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(tmp, flags, _FILE_MODE)
        try:
            try:
                os.fchmod(fd, _FILE_MODE)  # in case of an unusual umask-less filesystem
                view = memoryview(payload)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):  # make the rename durable
            dfd = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)

    def save(self, draft: dict[str, Any]) -> None:
        """Insert or replace (by ``id``) a draft. Raises :class:`DraftSaveError` if the disk
        refuses, ``ValueError`` for a draft without an ``id``."""
        self._require_path()
        if not _valid_draft(draft):
            raise ValueError("a draft needs a non-empty string 'id' (use new_draft())")
        item = dict(draft)
        item.setdefault("created_at", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
        item["updated_at"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        try:
            json.dumps(item)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"draft is not JSON-serialisable: {exc}") from exc
        try:
            with self._lock:
                # an unreadable (not corrupt) file raises here instead of being overwritten
                drafts = [d for d in self._read() if d["id"] != item["id"]]
                drafts.append(item)
                self._write(drafts)
        except OSError as exc:
            raise DraftSaveError(str(exc)) from exc

    def discard(self, draft_id: str) -> None:
        """Remove a draft (no error if it is not there). Call after the POST succeeded."""
        try:
            with self._lock:
                drafts = self._read()
                remaining = [d for d in drafts if d["id"] != draft_id]
                if len(remaining) == len(drafts):
                    return
                self._write(remaining)
        except OSError as exc:
            raise DraftSaveError(str(exc)) from exc
