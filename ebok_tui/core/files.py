"""Files the user saves (invoice PDFs, audit-log exports): where by default, what a typed path
means, and writing owner-only and atomically. No UI here; callers run the writes off the event loop."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["default_path", "resolve_target", "write_private_atomic"]


def default_path(filename: str, home: Path | None = None) -> str:
    """``~/Downloads/<filename>`` if that folder exists, else ``~/<filename>`` (with a literal ``~``)."""
    home = home if home is not None else Path.home()
    if (home / "Downloads").is_dir():
        return f"~/Downloads/{filename}"
    return f"~/{filename}"


def resolve_target(text: str, filename: str) -> Path:
    """What the resident typed → an absolute file path (``~`` expanded, a directory gets ``filename``)."""
    path = Path(os.path.expanduser(text.strip()))
    if path.is_dir():
        path = path / filename
    return path.absolute()


def write_private_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and ``os.replace``;
    the file is readable by its owner only (0600). Raises OSError."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
