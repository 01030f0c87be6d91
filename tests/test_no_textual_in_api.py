"""The client layer must not pull in textual (directly or indirectly)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

MODULES = [
    "ebok_tui.core.api",
    "ebok_tui.core.api.models",
    "ebok_tui.core.api.errors",
    "ebok_tui.core.api.client",
    "ebok_tui.core.credentials",
    "ebok_tui.core.drafts",
    "ebok_tui.core.demo",
]


@pytest.mark.parametrize("module", MODULES)
def test_import_does_not_load_textual(module):
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print('TEXTUAL:' + ','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "TEXTUAL:", f"{module} imports textual: {proc.stdout.strip()}"
