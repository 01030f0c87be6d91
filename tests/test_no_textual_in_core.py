"""The UI-free part of the client, ``ebok_tui/core``, must not pull in Textual or Rich (directly or
indirectly): every module under it is imported in a fresh interpreter that records every import of
Textual, Rich or ``ebok_tui.ui`` it attempts.

httpx tries to import Rich on its own (for its command-line tool, falling back without it), so
the interpreter refuses every UI import and the third-party libraries core uses are imported
before the module under test; any UI import attempted after that (even one caught) is core's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CORE = REPO_ROOT / "ebok_tui" / "core"

#: top-level packages core must never load
UI_PACKAGES = ("textual", "rich")
#: third-party libraries core imports, loaded before the module under test
CORE_DEPENDENCIES = ("httpx", "pydantic", "segno", "platformdirs", "keyring")


def core_modules() -> list[str]:
    """Every module of ebok_tui.core, found on disk, so a new module is covered without a list."""
    names = []
    for path in sorted(CORE.rglob("*.py")):
        parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def test_core_modules_are_found():
    modules = core_modules()
    for expected in ("ebok_tui.core", "ebok_tui.core.api.client", "ebok_tui.core.credentials", "ebok_tui.core.demo"):
        assert expected in modules


@pytest.mark.parametrize("module", core_modules())
def test_import_loads_no_ui_library(module):
    code = (
        "import importlib, importlib.abc, sys\n"
        f"roots = {UI_PACKAGES!r} + ('ebok_tui.ui',)\n"
        "tried = []\n"
        "class Refuse(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if any(name == r or name.startswith(r + '.') for r in roots):\n"
        "            tried.append(name)\n"
        "            raise ImportError(f'refused: {name}')\n"
        "sys.meta_path.insert(0, Refuse())\n"
        f"for dep in {CORE_DEPENDENCIES!r}:\n"
        "    importlib.import_module(dep)\n"
        "tried.clear()\n"
        f"importlib.import_module({module!r})\n"
        "print('UI:' + ','.join(tried))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"{module} failed to import without UI libraries: {proc.stderr}"
    assert proc.stdout.strip() == "UI:", f"{module} loads a UI library: {proc.stdout.strip()}"
