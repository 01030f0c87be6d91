"""Benchmark: the processor instructions each program executes from its start to its first screen,
counted by valgrind (callgrind), in a real 80×24 pseudo-terminal - a figure that does not depend on
the machine's load, unlike the wall times of ``bench_client.py``.

    python bench/bench_start_instructions.py [--baseline-tree DIR]

Each program runs once to fill the caches a real start finds (compiled bytecode, the parsed
message catalogues: the same private folders as ``bench_client.py``), then once under
``valgrind --tool=callgrind``, ending itself the moment it writes the frame with its marker
(``minimal-textual-ready``, ``form-textual-ready``, the login form's "Numer klienta"). Python's
hash seed is fixed, so two runs of one tree agree to a few million instructions. Programs: the
minimal Textual app and the plain login form of ``bench_client.py``, and ``ebok-tui --server URL``
of this checkout (and of ``--baseline-tree``, another checkout, e.g. a ``git worktree`` of an
older commit). It prints the counts and the ratios against the minimal app; the issue-11 target is
the first screen at most 1.3x the minimal app's. Needs ``valgrind`` (it says so and stops
without it); takes about a minute per program. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_client import (  # noqa: E402
    FORM_APP,
    FORM_MARKER,
    LOGIN_MARKER,
    MINIMAL_APP,
    MINIMAL_MARKER,
    TARGET_START_RATIO,
    PtyApp,
    start_demo_server,
)

#: Run before the program: the process ends as soon as the terminal gets the frame with the
#: marker (no teardown counted), whatever program follows.
FIRST_FRAME_EXIT = """
import os
from textual.drivers.linux_driver import LinuxDriver
_write = LinuxDriver.write
def _write_and_maybe_exit(self, data, _marker=os.environ["EBOK_BENCH_MARKER"]):
    _write(self, data)
    if _marker in data:
        os._exit(0)
LinuxDriver.write = _write_and_maybe_exit
"""

EBOK_MAIN = """
import sys
from ebok_tui.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def run_to_frame(label: str, argv: list[str], env: dict[str, str]) -> None:
    """Run ``argv`` in a fresh pty until it ends; it ends itself (status 0) at the marker frame."""
    app = PtyApp(argv, env)
    try:
        deadline = time.perf_counter() + 600
        while app.process.poll() is None and time.perf_counter() < deadline:
            app.pump(0.1)
        status = app.process.poll()
    finally:
        app.stop()
    if status != 0:
        raise RuntimeError(f"{label}: ended with {status} before its first frame")


def count(label: str, program: str, marker: str, args: list[str], tree: Path | None, log_dir: Path) -> int:
    """Instructions ``program`` (Python source) executes until it writes ``marker``."""
    env = {"EBOK_BENCH_MARKER": marker, "PYTHONHASHSEED": "0"}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    source = FIRST_FRAME_EXIT + program
    # once to fill the bytecode and catalogue caches, then counted; -P: the working folder (this
    # checkout) is not put first on sys.path, PYTHONPATH says which tree runs
    run_to_frame(label, [sys.executable, "-P", "-c", source, *args], env)
    log = log_dir / f"{label}.log"
    callgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", f"--log-file={log}"]
    run_to_frame(label, [*callgrind, sys.executable, "-P", "-c", source, *args], env)
    found = re.search(r"Collected : (\d+)", log.read_text())
    if found is None:
        raise RuntimeError(f"{label}: no instruction count in {log}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-tree", type=Path, help="another checkout to count beside this one")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("bench_start_instructions: needs valgrind (apt-get install valgrind)")

    print(f"bench_start_instructions: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, load {os.getloadavg()}")
    server = start_demo_server()  # loopback, private temporary database
    log_dir = Path(tempfile.mkdtemp(prefix="ebok-bench-callgrind-"))
    try:
        ebok_args = ["--lang", "pl", "--server", server.url]
        rows = [
            ("minimal Textual app", count("minimal", MINIMAL_APP, MINIMAL_MARKER, [], None, log_dir)),
            ("Textual login form", count("form", FORM_APP, FORM_MARKER, [], None, log_dir)),
        ]
        if args.baseline_tree is not None:
            tree = args.baseline_tree.resolve()
            rows.append((f"ebok-tui {tree.name}", count("baseline", EBOK_MAIN, LOGIN_MARKER, ebok_args, tree, log_dir)))
        rows.append(("ebok-tui (this tree)", count("ebok", EBOK_MAIN, LOGIN_MARKER, ebok_args, ROOT, log_dir)))
    finally:
        server.stop()
        shutil.rmtree(log_dir, ignore_errors=True)
    minimal = rows[0][1]
    print("\nInstructions to the first screen (callgrind, 80x24 pty)")
    for label, value in rows:
        print(f"  {label:28} {value / 1e6:8.1f} M   {value / minimal:.3f}x")
    ours = rows[-1][1] / minimal
    verdict = "ok" if ours <= TARGET_START_RATIO else "MISSED"
    print(f"  target: ebok-tui <= {TARGET_START_RATIO}x the minimal app  {verdict}")


if __name__ == "__main__":
    main()
