"""Which service point (punkt poboru) the resident last chose to see, per customer number, kept
across runs (issue 12 feature 1). No UI here.

The choice is a point's code (``PP-10005-02``) or :data:`ALL_POINTS`; a customer who never chose
sees every point. The file sits next to the drafts (``platformdirs.user_data_path("ebok-tui")``)::

    {"version": 1, "choices": {"10005": "PP-10005-02", "10007": "*"}}

Safety as the draft store's: the directory is created 0700, the file is written atomically
(temporary file in the same directory, fsync, ``os.replace``) and is readable by its owner only
(0600); an unreadable or corrupt file means "never chose" -- loading never raises, and the next
choice rewrites it. The methods are synchronous (a few bytes of JSON): the UI calls
:meth:`PointChoices.write` from a thread.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from ebok_tui.core.files import write_private_atomic

__all__ = ["ALL_POINTS", "PointChoices", "choices_next_to"]

log = logging.getLogger(__name__)

#: The remembered choice "every point".
ALL_POINTS = "*"
_FORMAT_VERSION = 1


class PointChoices:
    """The remembered choices; ``path=None`` keeps them for this run only (no file)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._choices: dict[str, str] | None = None if path is not None else {}

    def _read(self) -> dict[str, str]:
        if self._choices is not None or self.path is None:
            return self._choices if self._choices is not None else {}
        choices: dict[str, str] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            raw = data.get("choices", {}) if isinstance(data, dict) else {}
            if isinstance(raw, dict):
                choices = {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            log.warning("service point choices not readable (%s): starting without", type(exc).__name__)
        self._choices = choices
        return choices

    def load(self, customer_number: str) -> str | None:
        """The customer's last choice (a code or :data:`ALL_POINTS`), None if they never chose."""
        with self._lock:
            return self._read().get(customer_number)

    def remember(self, customer_number: str, choice: str) -> None:
        """Remember ``choice`` for the customer for this run (:meth:`write` keeps it on disk)."""
        with self._lock:
            self._read()[customer_number] = choice

    def write(self) -> None:
        """Write every remembered choice to the file (nothing without one). Raises OSError when
        it cannot be written (the choices still hold for this run)."""
        with self._lock:
            choices = self._read()
            if self.path is None:
                return
            data = json.dumps({"version": _FORMAT_VERSION, "choices": choices}, ensure_ascii=False, sort_keys=True)
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_private_atomic(self.path, data.encode("utf-8"))


def choices_next_to(drafts_root: Path | None) -> PointChoices:
    """The choices file beside the drafts directory (``None``: this run only)."""
    return PointChoices(drafts_root.parent / "service-points.json" if drafts_root is not None else None)
