"""Server load benchmark (issue 11): a realistic resident mix at fixed offered loads, on SQLite with
one process and on PostgreSQL with two (``--workers 2``), a growth table, and faults under load.

    python bench/bench_server.py [--customers 100000] [--rates 50,100,200,300] [--duration 10]
                                 [--only sqlite|postgresql] [--no-growth] [--no-faults] [--work DIR]

* Data: ``--customers`` customers (``--seed-customers``) with two years of history each
  (``--seed-history``: an invoice every two months with 3 lines, payments, readings, some
  correspondence), plus customers 19997/19998/19999 with 1/100/10,000 invoices for the growth table.
  Seeded once into ``--work`` (default: a folder in the temp dir, kept: a second run reuses it).
* PostgreSQL is a private instance (initdb/pg_ctl, ``tests/pg_private.py``) on a port of its own:
  the faults phase restarts it.
* Load: an open-loop async generator (requests start on schedule whether or not earlier ones
  have finished; latency is measured from the scheduled start, so a server that falls behind is
  charged for the queue) over a lean HTTP/1.1 keep-alive client (``LeanClient``: prebuilt request
  bytes on asyncio streams, about a tenth of httpx's CPU per request), so the generator, which shares
  the machine's cores with the servers, takes as little of them as it can; its CPU per request is printed. Mix: login 5 %, balance 25 %, invoice list 20 %, invoice detail 20 %,
  readings 15 %, correspondence list 15 %, over 100 logged-in residents picked at random.
* Prints per offered load: requests, errors, achieved rps, p50/p95/p99; then the highest offered load
  whose p95 < 50 ms. The baseline measured in the same run is the unloaded latency of each endpoint
  (one request at a time); the growth table is the same per customer size.
* Faults (PostgreSQL, 2 workers, at the middle offered load): one worker SIGKILLed, later the
  database restarted; prints error counts by kind, the recovery time (fault to the last error it
  caused), and the consistency check (ebok_server/consistency.py).

Loopback only; every phase is bounded in time. The load generator runs on the same machine and
takes CPU from the server: the numbers are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from ebok_server.consistency import check  # noqa: E402
from ebok_server.db import make_engine, make_sessionmaker  # noqa: E402
from ebok_server.schema import ensure_schema  # noqa: E402
from ebok_server.seed import seed_large_customer  # noqa: E402
from ebok_server.seed_history import BENCH_PASSWORD, seed_history  # noqa: E402
from ebok_server.staff_seed import seed_customers  # noqa: E402
from tests.pg_private import PrivatePostgres, available  # noqa: E402
from tests.server_proc import child_pids, start_server_info, stop_server  # noqa: E402

TODAY = dt.date(2026, 11, 15)
GROWTH = {"19997": 1, "19998": 100, "19999": 10_000}
MIX = [
    ("login", 5),
    ("balance", 25),
    ("invoices", 20),
    ("invoice", 20),
    ("readings", 15),
    ("correspondence", 15),
]
TOKENS = 100
TARGET_P95_MS = 50.0
SATURATED_P95_MS = 2000.0  # beyond this a higher load only measures the queue: skipped


# ---- data -------------------------------------------------------------------------------------------
async def seed(url: str, customers: int) -> float:
    start = time.perf_counter()
    engine = make_engine(url)
    await ensure_schema(engine, upgrade=True)
    async with make_sessionmaker(engine)() as session:
        for number, invoices in GROWTH.items():  # before the bulk customers take every number
            await seed_large_customer(session, number, invoices, today=TODAY)
        await session.commit()
        added = await seed_customers(session, customers)
        await session.commit()
        given = await seed_history(session, TODAY)
        await session.commit()
    await engine.dispose()
    took = time.perf_counter() - start
    if added or given:
        print(f"  seeded {added} customers, history for {given}, in {took:.0f} s", flush=True)
    else:
        print("  data already seeded (reused)", flush=True)
    return took


async def bench_numbers(url: str, n: int) -> list[str]:
    from sqlalchemy import select

    from ebok_server.models import Contract, Customer

    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        rows = (
            await session.scalars(
                select(Customer.customer_number)
                .join(Contract, Contract.customer_id == Customer.id)
                .where(Contract.number.like("UM/2020/B%"))
            )
        ).all()
    await engine.dispose()
    return random.Random(11).sample(list(rows), min(n, len(rows)))


# ---- load -------------------------------------------------------------------------------------------
@dataclass
class Resident:
    number: str
    token: str
    invoice_ids: list[int] = field(default_factory=list)


async def login(c: httpx.AsyncClient, number: str, password: str) -> str:
    r = await c.post("/auth/login", json={"customer_number": number, "password": password})
    r.raise_for_status()
    return r.json()["token"]


async def residents(c: httpx.AsyncClient, numbers: list[str]) -> list[Resident]:
    sem = asyncio.Semaphore(4)  # the hashing queue holds 2 x cores; more is refused (503 server_busy)

    async def one(number: str) -> Resident:
        async with sem:
            token = await login(c, number, BENCH_PASSWORD)
            r = await c.get("/invoices", params={"limit": 20}, headers={"Authorization": f"Bearer {token}"})
            return Resident(number, token, [i["id"] for i in r.json()["items"]])

    return list(await asyncio.gather(*(one(n) for n in numbers)))


def request_for(op: str, who: Resident) -> tuple[str, str, dict]:
    auth = {"headers": {"Authorization": f"Bearer {who.token}"}}
    if op == "login":
        return "POST", "/auth/login", {"json": {"customer_number": who.number, "password": BENCH_PASSWORD}}
    if op == "balance":
        return "GET", "/balance", auth
    if op == "invoices":
        return "GET", "/invoices", {**auth, "params": {"limit": 20}}
    if op == "invoice":
        return "GET", f"/invoices/{random.choice(who.invoice_ids)}", auth
    if op == "readings":
        return "GET", "/readings", auth
    return "GET", "/correspondence", {**auth, "params": {"limit": 20}}


class LeanClient:
    """The load's HTTP/1.1 client: keep-alive connections to one loopback server on asyncio streams,
    a request written as prebuilt bytes and the reply read by its ``Content-Length`` (the server
    always sends one). At most ``limit`` connections; a request finding none idle opens another, up
    to the limit, then waits for one. A reused connection the server has closed meanwhile (its idle
    keep-alive timeout) is retried once on a fresh one, as httpx does; any other failure is the
    request's error, named by its exception (``ConnectionResetError``, ``IncompleteReadError``...)."""

    def __init__(self, api: str, limit: int = 400) -> None:
        u = urlsplit(api)
        self.host, self.port, self.prefix = u.hostname, u.port, u.path.rstrip("/")
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(limit)
        self.writers: set[asyncio.StreamWriter] = set()

    def build(self, method: str, path: str, kw: dict) -> bytes:
        """The request's bytes (``kw`` as ``request_for`` gives it: headers, params, json)."""
        if kw.get("params"):
            path += "?" + urlencode(kw["params"])
        body = json.dumps(kw["json"]).encode() if "json" in kw else b""
        head = [f"{method} {self.prefix}{path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in kw.get("headers", {}).items()]
        if body:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body

    async def _exchange(self, conn, data: bytes) -> tuple[int, bool]:
        reader, writer = conn
        writer.write(data)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, close = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if length:
            await reader.readexactly(length)
        return status, close

    async def send(self, data: bytes) -> int:
        """Send one request; its status code (an exception when the exchange failed)."""
        async with self.slots:
            while self.idle:
                conn = self.idle.pop()
                if conn[0].at_eof() or conn[1].is_closing():
                    self._close(conn)
                    continue
                try:
                    status, close = await self._exchange(conn, data)
                except asyncio.IncompleteReadError as exc:
                    self._close(conn)
                    if exc.partial:  # the server answered in part: a real failure
                        raise
                    break  # closed while idle (nothing of an answer came): once more on a new one
                except BaseException:
                    self._close(conn)
                    raise
                return self._done(conn, status, close)
            conn = await asyncio.open_connection(self.host, self.port)
            self.writers.add(conn[1])
            try:
                status, close = await self._exchange(conn, data)
            except BaseException:
                self._close(conn)
                raise
            return self._done(conn, status, close)

    def _done(self, conn, status: int, close: bool) -> int:
        if close:
            self._close(conn)
        else:
            self.idle.append(conn)
        return status

    def _close(self, conn) -> None:
        conn[1].close()
        self.writers.discard(conn[1])

    async def aclose(self) -> None:
        for writer in list(self.writers):
            writer.close()
        self.writers.clear()
        self.idle.clear()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, round(p / 100 * (len(v) - 1)))] * 1000


@dataclass
class Result:
    rate: int
    latencies: list[float]
    errors: dict[str, int]
    elapsed: float
    events: list[tuple[float, str]]
    by_op: dict[str, list[float]]
    generator_ms: float = float("nan")  # the load generator's own CPU per request

    def pct(self, p: float) -> float:
        return percentile(self.latencies, p)


def mix(login_percent: int) -> list[tuple[str, int]]:
    """MIX with logins at ``login_percent`` % and the rest in MIX's proportions (weights per 10,000)."""
    rest = sum(w for op, w in MIX if op != "login")
    return [
        (op, login_percent * 100 if op == "login" else round(w * (100 - login_percent) * 100 / rest)) for op, w in MIX
    ]


async def offered_load(
    api: str,
    people: list[Resident],
    rate: int,
    duration: float,
    rng: random.Random,
    login_percent: int = 5,
) -> Result:
    ops = [op for op, w in mix(login_percent) for _ in range(w)]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    events: list[tuple[float, str]] = []
    by_op: dict[str, list[float]] = {op: [] for op, _w in MIX}
    c = LeanClient(api)
    n = int(rate * duration)
    # the schedule and every request's bytes are made before the clock starts
    plan = []
    for _ in range(n):
        op, who = rng.choice(ops), rng.choice(people)
        plan.append((op, c.build(*request_for(op, who))))
    tasks = []
    cpu0 = time.process_time()
    t0 = time.perf_counter()

    async def one(scheduled: float, op: str, data: bytes) -> None:
        try:
            outcome = str(await c.send(data))
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            outcome = type(exc).__name__
        done = time.perf_counter()
        events.append((done, outcome))
        if outcome in ("200", "201"):
            latencies.append(done - scheduled)
            by_op[op].append(done - scheduled)
        else:
            errors[outcome] = errors.get(outcome, 0) + 1

    for i, (op, data) in enumerate(plan):
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled, op, data)))
    _done, pending = await asyncio.wait(tasks, timeout=10)  # bounded: what is still open then is an error
    for task in pending:
        task.cancel()
    if pending:
        errors["unfinished"] = len(pending)
    elapsed = time.perf_counter() - t0
    generator_cpu = time.process_time() - cpu0
    await c.aclose()
    return Result(rate, latencies, errors, elapsed, events, by_op, generator_cpu / max(1, n) * 1000)


async def unloaded(c: httpx.AsyncClient, who: Resident, rounds: int = 15) -> dict[str, float]:
    out = {}
    for op, _w in MIX:
        if op == "login":
            continue
        times = []
        for _ in range(rounds):
            method, path, kw = request_for(op, who)
            start = time.perf_counter()
            r = await c.request(method, path, **kw)
            times.append(time.perf_counter() - start)
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
        out[op] = statistics.median(times) * 1000
    return out


def print_table(label: str, results: list[Result]) -> None:
    print(f"\n{label}")
    print(f"  {'offered':>8} {'sent':>6} {'ok':>6} {'errors':>14} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for r in results:
        errs = ",".join(f"{k}:{v}" for k, v in sorted(r.errors.items())) or "0"
        sent = len(r.latencies) + sum(r.errors.values())
        print(
            f"  {r.rate:>8} {sent:>6} {len(r.latencies):>6} {errs:>14} {len(r.latencies) / r.elapsed:>7.1f} "
            f"{r.pct(50):>8.1f} {r.pct(95):>8.1f} {r.pct(99):>8.1f}"
        )
    print(
        "  p95 ms per request kind: "
        + "; ".join(
            f"{r.rate} rps: " + " ".join(f"{op} {percentile(v, 95):.0f}" for op, v in r.by_op.items()) for r in results
        )
    )
    print(
        "  p95 ms without logins (argon2 by design): "
        + ", ".join(
            f"{r.rate} rps: {percentile([x for op, v in r.by_op.items() if op != 'login' for x in v], 95):.1f}"
            for r in results
        )
    )
    ok = [r.rate for r in results if r.pct(95) < TARGET_P95_MS and not r.errors]
    best = f"{max(ok)} rps" if ok else f"none of the offered loads (lowest {results[0].rate} rps)"
    print(f"  highest offered load with p95 < {TARGET_P95_MS:.0f} ms and no errors: {best}")


async def run_config(label: str, api: str, numbers: list[str], args) -> list[Result]:
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=api, timeout=30, limits=limits) as c:
        start = time.perf_counter()
        people = await residents(c, numbers)
        print(f"  {len(people)} residents logged in ({time.perf_counter() - start:.1f} s)", flush=True)
        base = await unloaded(c, people[0])
        print("  unloaded (median of 15, ms): " + ", ".join(f"{k} {v:.1f}" for k, v in base.items()), flush=True)
        results = []
        for rate in args.rates:
            results.append(
                await offered_load(api, people, rate, args.duration, random.Random(rate), args.login_percent)
            )
            r = results[-1]
            print(
                f"  {rate} rps: p95 {r.pct(95):.1f} ms, errors {sum(r.errors.values())}, "
                f"load average {os.getloadavg()[0]:.1f}, generator CPU {r.generator_ms:.2f} ms/request",
                flush=True,
            )
            if r.pct(95) > SATURATED_P95_MS or len(r.latencies) < 0.5 * rate * args.duration:
                print(f"  saturated at {rate} rps: higher loads skipped", flush=True)
                break
    print_table(label, results)
    return results


async def growth(api: str) -> None:
    print("\nGrowth: median ms of 15 sequential requests per customer size (invoices)")
    cols = ["balance", "invoices", "invoice", "readings", "correspondence", "payments"]
    print("  " + f"{'invoices':>9} " + " ".join(f"{c:>14}" for c in cols))
    async with httpx.AsyncClient(base_url=api, timeout=60) as c:
        for number, size in GROWTH.items():
            token = await login(c, number, f"woda-{number}")
            h = {"Authorization": f"Bearer {token}"}
            first = (await c.get("/invoices", params={"limit": 20}, headers=h)).json()["items"]
            who = Resident(number, token, [i["id"] for i in first])
            row = await unloaded(c, who)
            times = []
            for _ in range(15):
                start = time.perf_counter()
                await c.get("/payments", params={"limit": 20}, headers=h)
                times.append(time.perf_counter() - start)
            row["payments"] = statistics.median(times) * 1000
            print("  " + f"{size:>9} " + " ".join(f"{row[c]:>14.1f}" for c in cols), flush=True)


# ---- faults -----------------------------------------------------------------------------------------
async def faults(
    api: str, server_pid: int, pg: PrivatePostgres, numbers: list[str], db_url: str, rate: int, login_percent: int
) -> None:
    print(f"\nFaults under {rate} rps (PostgreSQL, 2 workers): SIGKILL a worker at 5 s, restart PostgreSQL at 15 s")
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=api, timeout=30, limits=limits) as c:
        people = await residents(c, numbers[:50])
        loop = asyncio.get_running_loop()
        marks: dict[str, float] = {}

        async def inject() -> None:
            await asyncio.sleep(5)
            marks["kill"] = time.perf_counter()
            os.kill(min(child_pids(server_pid)), signal.SIGKILL)
            await asyncio.sleep(10)
            marks["restart"] = time.perf_counter()
            await loop.run_in_executor(None, pg.restart)
            marks["restarted"] = time.perf_counter()

        injector = asyncio.create_task(inject())
        result = await offered_load(api, people, rate, 25, random.Random(7), login_percent)
        await injector
    kinds: dict[str, int] = {}
    for _, outcome in result.events:
        if outcome not in ("200", "201"):
            kinds[outcome] = kinds.get(outcome, 0) + 1
    print(f"  requests {len(result.events)}, ok {len(result.latencies)}, errors by kind: {kinds or 'none'}")
    for name, start, end in (("worker kill", "kill", "restart"), ("PostgreSQL restart", "restart", None)):
        t0 = marks[start]
        t1 = marks[end] if end else float("inf")
        errs = [t for t, o in result.events if t0 <= t < t1 and o not in ("200", "201")]
        recovery = f"{(max(errs) - t0):.2f} s after the fault" if errs else "no request failed"
        print(f"  {name}: {len(errs)} failed, last failure {recovery}")
    print(f"  (PostgreSQL restart itself took {marks['restarted'] - marks['restart']:.1f} s)")
    engine = make_engine(db_url)
    async with make_sessionmaker(engine)() as session:
        found = await check(session)
    await engine.dispose()
    bad = {k: v for k, v in found.items() if v}
    print(f"  consistency check: {'nothing lost or doubled' if not bad else bad}")


# ---- main -------------------------------------------------------------------------------------------
def start(tmp: Path, db_url: str, *extra: str):
    return start_server_info(tmp, *extra, db_url=db_url, seed_demo=False, timeout=300)


async def main_async(args) -> None:
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"bench_server: {args.customers} customers, offered loads {args.rates} rps, {args.duration:.0f} s each, "
        f"logins {args.login_percent} % of the mix"
    )
    print(f"  started {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}")
    if args.only in (None, "sqlite"):
        url = f"sqlite+aiosqlite:///{work / 'bench.db'}"
        print("\nSQLite, 1 process: seeding", flush=True)
        await seed(url, args.customers)
        numbers = await bench_numbers(url, TOKENS)
        srv = start(work / "sqlite", url)
        try:
            await run_config("SQLite, 1 process", srv.api, numbers, args)
            if not args.no_growth:
                await growth(srv.api)
        finally:
            stop_server(srv.proc)
    if args.only in (None, "postgresql"):
        reason = available()
        if reason:
            print(f"\nPostgreSQL skipped: {reason}")
            return
        pg = PrivatePostgres(root=work / "pg")
        pg.start()
        try:
            print("\nPostgreSQL, 2 processes: seeding", flush=True)
            await seed(pg.url, args.customers)
            numbers = await bench_numbers(pg.url, TOKENS)
            srv = start(work / "postgresql", pg.url, "--workers", "2")
            try:
                results = await run_config("PostgreSQL, 2 processes", srv.api, numbers, args)
                if not args.no_growth:
                    await growth(srv.api)
                if not args.no_faults:
                    middle = results[len(results) // 2].rate if results else 100
                    await faults(srv.api, srv.proc.pid, pg, numbers, pg.url, middle, args.login_percent)
            finally:
                stop_server(srv.proc)
        finally:
            pg.stop()
    print(f"\nfinished {dt.datetime.now(dt.UTC):%H:%M} UTC, load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--rates", type=lambda s: [int(x) for x in s.split(",")], default=[50, 100, 200, 300])
    p.add_argument("--duration", type=float, default=10.0, help="seconds per offered load")
    p.add_argument("--login-percent", type=int, default=5, help="share of logins in the mix (argon2: CPU-heavy)")
    p.add_argument("--only", choices=("sqlite", "postgresql"))
    p.add_argument("--no-growth", action="store_true")
    p.add_argument("--no-faults", action="store_true")
    p.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "ebok-bench"), help="data kept between runs")
    args = p.parse_args()
    # SIGTERM (timeout, kill) ends the run like Ctrl+C: the servers and PostgreSQL it started are stopped
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
