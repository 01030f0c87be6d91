"""CPU per request of each kind the load benchmark sends (issue 11), independent of the machine's load.

    python bench/bench_cpu.py [--db URL] [--customers 2000] [--requests 300] [--baseline-tree DIR]
                              [--py-spy DIR]

Starts one server process (``python -m ebok_server serve``, one worker) on a loopback port against
``--db`` (default: a SQLite file in the temp dir; a PostgreSQL URL must name an existing, empty or
earlier-seeded database), seeds ``--customers`` customers with two years of history if the database
has none (the same data as ``bench_server.py``), logs a few residents in, then sends each request
kind ``--requests`` times, one at a time over one keep-alive connection, and reads the CPU time the
server process (``/proc/PID/stat``: user + system) and, on PostgreSQL, the database's backends for
this database used meanwhile. CPU time is what a request costs whatever else runs on the machine;
wall time (the median printed beside it) is not. (A machine busy with other work still inflates CPU
times somewhat: caches and cores are shared. Compare within one run.)

``--baseline-tree DIR``: a second server from another checkout of this repository (e.g. ``git
worktree add /tmp/base main``) on the same database, measured in the same run, the two alternating
in rounds, and the ratio printed per kind. ``--py-spy DIR`` records a flame graph per kind with
py-spy (a dev tool: ``pip install py-spy``; not a dependency).

The baseline measured in the same run is ``/health`` (no database, no authentication).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402

from bench_server import TODAY, bench_numbers, seed  # noqa: E402
from ebok_server.seed_history import BENCH_PASSWORD  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
KINDS = ["health", "login", "balance", "invoices", "invoice", "readings", "correspondence"]
LISTENING = "EBOK_SERVER_LISTENING "


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def pg_backends(dbname: str) -> list[int]:
    """PostgreSQL backend processes serving ``dbname`` (their process title names the database)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            title = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if title.startswith("postgres: ") and f" {dbname} " in title:
                found.append(int(cmdline.parent.name))
    return found


def total_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total


def request_for(kind: str, token: str, number: str, invoice_ids: list[int], i: int):
    auth = {"Authorization": f"Bearer {token}"}
    if kind == "health":
        return "GET", "/health", {}
    if kind == "login":
        return "POST", "/auth/login", {"json": {"customer_number": number, "password": BENCH_PASSWORD}}
    if kind == "balance":
        return "GET", "/balance", {"headers": auth}
    if kind == "invoices":
        return "GET", "/invoices", {"headers": auth, "params": {"limit": 20}}
    if kind == "invoice":
        return "GET", f"/invoices/{invoice_ids[i % len(invoice_ids)]}", {"headers": auth}
    if kind == "readings":
        return "GET", "/readings", {"headers": auth}
    return "GET", "/correspondence", {"headers": auth, "params": {"limit": 20}}


@dataclass
class Server:
    """One server process (from ``tree``) and what was measured of it."""

    name: str
    tree: Path
    proc: subprocess.Popen | None = None
    api: str = ""
    people: list = field(default_factory=list)
    server_s: dict = field(default_factory=dict)  # kind -> CPU seconds
    db_s: dict = field(default_factory=dict)
    count: dict = field(default_factory=dict)
    walls: dict = field(default_factory=dict)

    def start(self, url: str, work: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(self.tree), PYTHONUNBUFFERED="1")
        cmd = [sys.executable, "-m", "ebok_server", "serve", "--host", "127.0.0.1", "--port", "0"]
        cmd += ["--db", url, "--today", TODAY.isoformat(), "--mail-dir", str(work / f"mail-{self.name}")]
        self.proc = subprocess.Popen(cmd, cwd=self.tree, env=env, stdout=subprocess.PIPE, text=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(
            target=lambda: [lines.put(x) for x in self.proc.stdout] + [lines.put(None)], daemon=True
        ).start()
        while True:
            line = lines.get(timeout=300)
            if line is None:
                raise RuntimeError(f"the {self.name} server did not start")
            if line.startswith(LISTENING):
                self.api = line[len(LISTENING) :].strip() + "/api/v1"
                return

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def login_people(c: httpx.Client, numbers: list[str]) -> list:
    people = []
    for number in numbers:
        r = c.post("/auth/login", json={"customer_number": number, "password": BENCH_PASSWORD})
        r.raise_for_status()
        token = r.json()["token"]
        ids = [i["id"] for i in c.get("/invoices", headers={"Authorization": f"Bearer {token}"}).json()["items"]]
        people.append((number, token, ids))
    return people


def run_chunk(c: httpx.Client, srv: Server, kind: str, count: int, dbname: str | None) -> None:
    backends = pg_backends(dbname) if dbname else []
    server0, db0 = cpu_seconds(srv.proc.pid), total_cpu(backends)
    for i in range(count):
        number, token, ids = srv.people[i % len(srv.people)]
        method, path, kw = request_for(kind, token, number, ids, i)
        start = time.perf_counter()
        r = c.request(method, path, **kw)
        srv.walls.setdefault(kind, []).append(time.perf_counter() - start)
        r.raise_for_status()
    srv.server_s[kind] = srv.server_s.get(kind, 0.0) + cpu_seconds(srv.proc.pid) - server0
    srv.db_s[kind] = srv.db_s.get(kind, 0.0) + total_cpu(backends) - db0
    srv.count[kind] = srv.count.get(kind, 0) + count


def measure(servers: list[Server], dbname: str | None, numbers: list[str], n: int, rounds: int, spy: Path | None):
    clients = {s.name: httpx.Client(base_url=s.api, timeout=60) for s in servers}
    try:
        for s in servers:
            s.people = login_people(clients[s.name], numbers)
        for kind in KINDS:
            per_round = max(4, n // 10 // rounds) if kind == "login" else max(1, n // rounds)  # logins: argon2
            for s in servers:  # warm-up: caches, prepared statements, the pool's connections
                run_chunk(clients[s.name], s, kind, 20, None)
                s.server_s.pop(kind), s.db_s.pop(kind), s.count.pop(kind), s.walls.pop(kind)
            recorders = []
            if spy is not None:
                for s in servers:
                    out = spy / f"{s.name}-{kind}.svg"
                    cmd = ["py-spy", "record", "-p", str(s.proc.pid), "-r", "500", "-o", str(out), "--nonblocking"]
                    recorders.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                time.sleep(1)
            for _ in range(rounds):  # the servers alternate, so load changes on the machine hit both alike
                for s in servers:
                    run_chunk(clients[s.name], s, kind, per_round, dbname)
            for r in recorders:
                r.send_signal(2)
                r.wait(timeout=30)
            line = f"  {kind:<15}"
            for s in servers:
                k = s.count[kind]
                line += (
                    f" {s.server_s[kind] / k * 1000:>9.2f} {s.db_s[kind] / k * 1000 if dbname else float('nan'):>7.2f}"
                )
                line += f" {statistics.median(s.walls[kind]) * 1000:>8.2f}"
            if len(servers) == 2:
                a, b = (s.server_s[kind] / s.count[kind] for s in servers)
                line += f" {a / b:>7.2f}x"
            print(line, flush=True)
    finally:
        for c in clients.values():
            c.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", help="database URL (default: a SQLite file in the temp dir)")
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--requests", type=int, default=300, help="requests per kind and server (logins: a tenth)")
    p.add_argument("--rounds", type=int, default=3, help="rounds per kind (the servers alternate)")
    p.add_argument("--baseline-tree", type=Path, help="another checkout: its server measured alongside")
    p.add_argument("--py-spy", type=Path, help="record a py-spy flame graph per kind into this folder")
    args = p.parse_args()
    work = Path(tempfile.gettempdir()) / "ebok-bench-cpu"
    work.mkdir(exist_ok=True)
    url = args.db or f"sqlite+aiosqlite:///{work / 'cpu.db'}"
    if not url.startswith(("sqlite", "postgresql")) or ("@" in url and "@127.0.0.1:" not in url):
        sys.exit("bench_cpu: --db must be SQLite or PostgreSQL on 127.0.0.1 (loopback only)")
    dbname = url.rsplit("/", 1)[1].split("?")[0] if url.startswith("postgresql") else None
    if args.py_spy is not None:
        if shutil.which("py-spy") is None:
            sys.exit("bench_cpu: --py-spy needs py-spy (pip install py-spy)")
        args.py_spy.mkdir(parents=True, exist_ok=True)
    asyncio.run(seed(url, args.customers))
    numbers = asyncio.run(bench_numbers(url, 10))
    servers = [Server("this", ROOT)]
    if args.baseline_tree is not None:
        servers.append(Server("baseline", args.baseline_tree.resolve()))
    try:
        for s in servers:
            s.start(url, work)
        print(
            f"bench_cpu: {'PostgreSQL' if dbname else 'SQLite'}, one server process each, "
            f"{args.requests} requests per kind in {args.rounds} rounds, load average {os.getloadavg()[0]:.1f}"
        )
        head = f"  {'kind':<15}"
        for s in servers:
            head += f" {s.name + ' ms':>9} {'db ms':>7} {'wall p50':>8}"
        print(head + ("   ratio" if len(servers) == 2 else "") + "   (CPU per request; wall: median)")
        measure(servers, dbname, numbers, args.requests, args.rounds, args.py_spy)
    finally:
        for s in servers:
            s.stop()
    this = servers[0]
    base = this.server_s["health"] / this.count["health"]
    print(f"  /health costs {base * 1000:.2f} ms of server CPU; the others as multiples of it:")
    print("  " + ", ".join(f"{k} {this.server_s[k] / this.count[k] / base:.1f}x" for k in KINDS if k != "health"))
    print(f"  finished, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
