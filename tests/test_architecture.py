"""The import contracts in ``pyproject.toml`` ([tool.importlinter]) hold: core is UI-free, ui sits
on core, screens never import each other, the client never imports the server.

``lint-imports`` runs in a subprocess with this checkout first on ``sys.path``, so it analyses
this tree (not an installed copy), and without its cache, so it never reads a stale graph."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = REPO_ROOT / "pyproject.toml"


def lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
            str(config),
            "--no-cache",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_import_contracts_are_kept():
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    assert len(contracts) >= 6
    proc = lint_imports(PYPROJECT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken." in " ".join(proc.stdout.split()), proc.stdout


def test_a_broken_contract_fails(tmp_path):
    """The same run fails when the tree breaks a contract: the thread screen does import the
    correspondence helpers, so forbidding that must be reported as broken."""
    config = tmp_path / "importlinter.toml"
    config.write_text(
        """
[tool.importlinter]
root_packages = ["ebok_tui"]

[[tool.importlinter.contracts]]
name = "thread without the correspondence helpers"
type = "forbidden"
source_modules = ["ebok_tui.ui.screens.correspondence.thread"]
forbidden_modules = ["ebok_tui.ui.screens.correspondence.common"]
""",
        encoding="utf-8",
    )
    proc = lint_imports(config)
    assert proc.returncode != 0
    assert "BROKEN" in proc.stdout, proc.stdout + proc.stderr
    report = " ".join(proc.stdout.split())  # the report is wrapped to the terminal width
    assert "ebok_tui.ui.screens.correspondence.thread -> ebok_tui.ui.screens.correspondence.common" in report
