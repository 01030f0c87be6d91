"""Pluggable outgoing mail. Dev/demo: ``FileMailer`` writes .eml files and logs one console line."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import re
import stat
import sys
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Protocol

from .config import UTILITY_NAME

log = logging.getLogger("ebok_server.mail")
FROM_ADDRESS = "ebok@mpwik.example"


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class NullMailer:
    """Drops every message (the last one is kept for inspection)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))
        del self.sent[:-10]


def private_directory(directory: Path) -> None:
    """Create ``directory`` readable by this user only (0700); warn when an existing one is open to others."""
    if not directory.is_dir():
        directory.mkdir(mode=0o700, parents=True)
        directory.chmod(0o700)  # mkdir's mode is reduced by the umask, never widened; make it exact
    elif directory.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("mail directory %s is accessible by other users; its mails can hold access codes", directory)


class FileMailer:
    """Writes each message as an RFC 5322 ``.eml`` file (mode 0600) into ``directory`` (0700 when we create it)."""

    _counter = itertools.count(1)
    _lock = threading.Lock()

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        private_directory(self.directory)

    def send(self, to: str, subject: str, body: str) -> None:
        msg = EmailMessage()
        msg["From"] = f"{UTILITY_NAME} eBOK <{FROM_ADDRESS}>"
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = dt.datetime.now(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        msg.set_content(body)
        with self._lock:
            n = next(self._counter)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        safe_to = re.sub(r"[^A-Za-z0-9@._-]", "_", to)[:80]
        path = self.directory / f"{stamp}-{n:05d}-{safe_to}.eml"
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others, not even briefly
        with os.fdopen(fd, "wb") as f:
            f.write(bytes(msg))
        tmp.replace(path)
        print(f"EBOK_MAIL to={to} subject={subject!r} file={path}", file=sys.stderr, flush=True)


DEMO_MAILBOX_SIZE = 50


def _iso_date(header) -> str | None:
    when = getattr(header, "datetime", None)
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.replace(microsecond=0).isoformat() + "Z"


def read_mailbox(directory: Path | None, limit: int = DEMO_MAILBOX_SIZE) -> list[dict]:
    """The newest ``limit`` ``.eml`` files of ``directory`` (as ``FileMailer`` names them, the name
    sorts by time), newest first, as ``{"id", "from", "to", "subject", "date", "body"}`` — whatever
    the mails say (demo mailbox; nothing here knows what a registration or reset mail contains)."""
    if directory is None or not directory.is_dir():
        return []
    items = []
    for path in sorted(directory.glob("*.eml"), reverse=True)[:limit]:
        try:
            msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        except OSError:  # removed meanwhile
            continue
        part = msg.get_body(preferencelist=("plain",))
        items.append(
            {
                "id": path.stem,
                "from": str(msg.get("From", "")),
                "to": str(msg.get("To", "")),
                "subject": str(msg.get("Subject", "")),
                "date": _iso_date(msg.get("Date")),
                "body": part.get_content() if part is not None else "",
            }
        )
    return items
