"""Pluggable outgoing mail. Dev/demo: ``FileMailer`` writes .eml files and logs one console line."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import sys
import threading
from email.message import EmailMessage
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


class FileMailer:
    """Writes each message as an RFC 5322 ``.eml`` file into ``directory``."""

    _counter = itertools.count(1)
    _lock = threading.Lock()

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

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
        tmp.write_bytes(bytes(msg))
        tmp.replace(path)
        print(f"EBOK_MAIL to={to} subject={subject!r} file={path}", file=sys.stderr, flush=True)
