"""The quality checks configured in ``pyproject.toml`` pass on this tree: ``ruff check .`` and
``ruff format --check .`` ([tool.ruff]) over everything, ``mypy`` ([tool.mypy]) over the UI-free core.

Both run in a subprocess from the repository root, so they read this checkout's configuration and
files (not an installed copy); a finding fails the test with the tool's report."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_ruff_finds_nothing():
    proc = run("ruff", "check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_changes_nothing():
    proc = run("ruff", "format", "--check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_reports_unformatted_code(tmp_path):
    """The same command fails on a file that is not formatted, so the test above can fail."""
    bad = tmp_path / "bad.py"
    bad.write_text("x = {'a':1}\n", encoding="utf-8")
    proc = run("ruff", "format", "--check", "--no-cache", "--config", str(REPO_ROOT / "pyproject.toml"), str(bad))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "would be reformatted" in proc.stdout


def test_ruff_reports_a_finding(tmp_path):
    """The same command fails on a finding (an unused import), so the test above can fail."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n", encoding="utf-8")
    proc = run("ruff", "check", "--no-cache", "--config", str(REPO_ROOT / "pyproject.toml"), str(bad))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "F401" in proc.stdout


def test_mypy_finds_nothing_in_core():
    proc = run("mypy", "--no-incremental", "--cache-dir", os.devnull)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]["files"] == [
        "ebok_tui/core"
    ]


def test_mypy_reports_a_finding(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f() -> int:\n    return 'no'\n", encoding="utf-8")
    config = str(REPO_ROOT / "pyproject.toml")
    proc = run("mypy", "--no-incremental", "--cache-dir", os.devnull, "--config-file", config, str(bad))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Incompatible return value type" in proc.stdout
