"""Unsent correspondence drafts, kept on disk per (server identity, customer number).

The server identity is the ``server_id`` the server reports in ``/health`` (kept in its database:
the same across restarts and address changes, ``"demo"`` for every demo server), so a draft
survives a server that comes back on another address (the ``--demo`` server gets a new port every
launch). Files of earlier versions were keyed by the server URL; :meth:`DraftStore.adopt_url_drafts`
moves the logged-in customer's into the identity-keyed file.

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

The methods are synchronous and fast (a few KB of JSON); an async UI may still call them from a
thread (``save``, ``discard`` and the housekeeping of this customer's file hold the store's lock).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import threading
import uuid
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["DraftStore", "DraftSaveError", "OrphanDraft", "new_draft", "default_root", "ORPHAN_AFTER_DAYS"]

log = logging.getLogger(__name__)

_FORMAT_VERSION = 2  # 1: keyed by server URL; 2: keyed by server identity (``server_id``)
ORPHAN_AFTER_DAYS = 30  # a draft unchanged this long is offered for deletion
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


def _digest(text: str) -> str:
    # hashlib loads OpenSSL: imported at the first login, not before the login screen (start-up)
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _url_key(server_url: str, customer_number: str) -> str:
    """File name stem of format 1 (keyed by the server URL)."""
    norm = (server_url or "").strip().rstrip("/").lower()
    return _digest(f"{norm}\n{customer_number}")


def _key(server_id: str, customer_number: str) -> str:
    return _digest(f"server-id:{server_id}\n{customer_number}")


def _changed_at(draft: dict[str, Any]) -> _dt.datetime | None:
    raw = draft.get("updated_at") or draft.get("created_at")
    try:
        when = _dt.datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return when


class OrphanDraft(NamedTuple):
    """A draft offered to the resident for deletion. ``reason``: ``"old"`` (unchanged for
    ``ORPHAN_AFTER_DAYS``) or ``"unmatched"`` (kept for a server address of an earlier version,
    which no server identity will match again). ``own``: the logged-in customer's on this server
    (only then is the subject shown)."""

    path: Path
    draft_id: str
    subject: str
    changed_at: _dt.datetime | None
    reason: str
    own: bool


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
    """Drafts of one customer on one server (by the server's identity, ``/health`` ``server_id``).

    ``root`` defaults to ``platformdirs.user_data_path("ebok-tui") / "drafts"``. ``server_url`` is
    only recorded in the file (and used to adopt drafts of the URL-keyed format).

    A store created without ``server_id`` / ``customer_number`` (e.g. by the app before anyone
    logged in) is *unbound*: ``load()`` gives ``[]`` and ``save()`` raises ``ValueError``; get a
    bound one with :meth:`for_account`."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        server_id: str | None = None,
        customer_number: str | None = None,
        server_url: str | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else default_root()
        # save/discard read, change and rewrite the whole file: one at a time (the UI writes
        # from a thread while it may also write from the event loop)
        self._lock = threading.Lock()
        self.server_id = server_id
        self.server_url = server_url
        self.customer_number = customer_number
        # the file name does not reveal the customer number
        self.path: Path | None = (
            self.root / f"{_key(server_id, customer_number)}.json"
            if server_id is not None and customer_number is not None
            else None
        )

    def for_account(self, server_id: str, customer_number: str, server_url: str | None = None) -> DraftStore:
        """A store with the same root for this server identity + customer."""
        return DraftStore(self.root, server_id=server_id, customer_number=customer_number, server_url=server_url)

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
                "server_id": self.server_id,
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

    # -- housekeeping --

    def _store_of_file(self, path: Path) -> DraftStore:
        """A store for another file of this root, keeping the server/customer recorded in it."""
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        store = DraftStore(
            self.root,
            server_id=data.get("server_id") or None,
            customer_number=data.get("customer_number"),
            server_url=data.get("server_url"),
        )
        store.path = path
        return store

    def adopt_url_drafts(self, server_url: str) -> int:
        """Move this customer's drafts from the file an earlier version keyed by ``server_url``
        into this store (drafts already here win); returns how many were adopted."""
        path = self._require_path()
        assert self.customer_number is not None  # a bound store has one
        old_path = self.root / f"{_url_key(server_url, self.customer_number)}.json"
        if old_path == path or not old_path.exists():
            return 0
        try:
            old = self._store_of_file(old_path)
            adopted = old._read()
            with self._lock:
                mine = self._read()
                known = {d["id"] for d in mine}
                new = [d for d in adopted if d["id"] not in known]
                if new:
                    self._write(mine + new)
            os.unlink(old_path)
        except OSError as exc:
            log.warning("could not adopt drafts from %s: %s", old_path, exc)
            return 0
        return len(new)

    def orphans(self, now: _dt.datetime | None = None, max_age_days: int = ORPHAN_AFTER_DAYS) -> list[OrphanDraft]:
        """Drafts nobody will send: unchanged for ``max_age_days`` (in any file of this root), or in a
        URL-keyed file of an earlier version (no server identity will match it again). Never raises."""
        now = now or _dt.datetime.now(_dt.timezone.utc)
        limit = now - _dt.timedelta(days=max_age_days)
        found: list[OrphanDraft] = []
        try:
            paths = sorted(p for p in self.root.glob("*.json") if not p.name.startswith("."))
        except OSError:
            return []
        for path in paths:
            try:
                data = json.loads(path.read_bytes().decode("utf-8"))
                drafts = [d for d in data.get("drafts", []) if _valid_draft(d)]
            except (OSError, ValueError, UnicodeDecodeError, AttributeError):
                continue  # a corrupt file is moved aside by its own store when it is opened
            unmatched = not data.get("server_id")
            own = path == self.path
            for d in drafts:
                changed = _changed_at(d)
                old = changed is not None and changed < limit
                if unmatched or old:
                    found.append(
                        OrphanDraft(
                            path,
                            d["id"],
                            str(d.get("subject") or "") if own else "",
                            changed,
                            "unmatched" if unmatched else "old",
                            own,
                        )
                    )
        return found

    def delete_orphans(self, orphans: list[OrphanDraft]) -> None:
        """Delete these drafts (the resident agreed). Raises :class:`DraftSaveError` if the disk refuses."""
        by_path: dict[Path, set[str]] = {}
        for o in orphans:
            by_path.setdefault(o.path, set()).add(o.draft_id)
        for path, ids in by_path.items():
            try:
                # this customer's own file goes through this store's lock (autosave may be writing)
                other = self if path == self.path else self._store_of_file(path)
                with other._lock:
                    drafts = other._read()
                    remaining = [d for d in drafts if d["id"] not in ids]
                    if len(remaining) != len(drafts):
                        other._write(remaining)
            except OSError as exc:
                raise DraftSaveError(str(exc)) from exc
