"""Command line: ``ebok-server [serve] ...``, ``ebok-server migrate``, ``ebok-server reply ...``,
``ebok-server issue-invoices ...``, ``ebok-server staff add|disable|reset-totp ...``, ``ebok-server audit verify``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import ipaddress
import logging
import os
import select
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from .config import DEFAULT_DB_URL, Limits, Settings

SUBCOMMANDS = ("serve", "migrate", "reply", "issue-invoices", "staff", "audit", "notice", "ksef", "notify")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


def _datetime(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date and time YYYY-MM-DDTHH:MM: {text!r}") from None
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _period(text: str) -> tuple[int, int]:
    try:
        d = dt.date.fromisoformat(text + "-01")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a period (YYYY-MM): {text}") from exc
    return d.year, d.month


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an IP address or network: {text}") from exc


_LIMIT_NAMES = [f.name for f in dataclasses.fields(Limits)]


def _limit(text: str) -> tuple[str, int]:
    name, _, value = text.partition("=")
    if name not in _LIMIT_NAMES or not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected NAME=INTEGER with NAME one of {', '.join(_LIMIT_NAMES)}")
    return name, int(value)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ebok-server", description="eBOK reference backend")
    sub = p.add_subparsers(dest="command")

    s = sub.add_parser("serve", help="run the HTTP API (default)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    s.add_argument("--db", default=DEFAULT_DB_URL, help="SQLAlchemy async URL (sqlite+aiosqlite / postgresql+asyncpg)")
    s.add_argument("--seed-demo", action="store_true", help="create demo data when the database is empty")
    s.add_argument("--today", type=_date, help="business date override YYYY-MM-DD")
    s.add_argument(
        "--mail-dir", type=Path, help="directory for outgoing mail (.eml files, mode 0600; a new directory is 0700)"
    )
    s.add_argument(
        "--docs",
        action="store_true",
        help="serve the interactive API docs at /docs and /redoc (off by default; /openapi.json is always served)",
    )
    s.add_argument("--seed-large", type=int, metavar="N", help="add customer 19999 with N invoices (benchmarks)")
    s.add_argument(
        "--trusted-proxy",
        type=_network,
        action="append",
        default=[],
        metavar="IP[/BITS]",
        help="reverse proxy whose X-Forwarded-For is believed for the client address (repeatable); "
        "without it the socket's peer address is the client address",
    )
    s.add_argument(
        "--limit",
        type=_limit,
        action="append",
        default=[],
        metavar="NAME=N",
        help="change one throttling limit (docs/API.md, Throttling), e.g. login_source_failures=60",
    )
    s.add_argument(
        "--seed-customers",
        type=int,
        metavar="N",
        help="grow the database to N customers (at most 100000; bulk inserts, search benchmarks)",
    )
    s.add_argument(
        "--seed-history",
        action="store_true",
        help="with --seed-customers: two years of invoices, payments, readings and some correspondence for "
        "each bulk customer, who then log in with the benchmark password (benchmarks only)",
    )
    s.add_argument(
        "--reply-deadline-days",
        type=int,
        default=14,
        metavar="N",
        help="regulation deadline for answering correspondence (staff queue), default 14",
    )
    s.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="N server processes on one listening socket (PostgreSQL; a process that dies is restarted)",
    )
    s.add_argument(
        "--notify-every",
        type=int,
        default=900,
        metavar="SECONDS",
        help="run the notification job (as `notify run`) every SECONDS in each process, the first time "
        "SECONDS after the start; 0: never (then run `ebok-server notify run` from cron). Default 900",
    )
    s.add_argument("--log-level", default="warning")
    s.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="stop when standard input closes (a parent that launched us died, even by SIGKILL)",
    )

    m = sub.add_parser("migrate", help="create or upgrade the database schema to this version (back up first)")
    m.add_argument("--db", default=DEFAULT_DB_URL)

    r = sub.add_parser("reply", help="add a utility reply to a correspondence thread")
    r.add_argument("--db", default=DEFAULT_DB_URL)
    r.add_argument("--today", type=_date)
    r.add_argument("thread_id", type=int)
    r.add_argument("text")
    r.add_argument("--close", action="store_true", help="close the thread")

    i = sub.add_parser("issue-invoices", help="issue invoices for a billing period")
    i.add_argument("--db", default=DEFAULT_DB_URL)
    i.add_argument("--today", type=_date, help="issue date (business date override)")
    i.add_argument("--period", type=_period, help="billing period YYYY-MM (default: previous month)")
    # --db may come before or after the staff/audit subcommand
    st = sub.add_parser("staff", help="manage staff accounts")
    st.add_argument("--db", default=DEFAULT_DB_URL)
    st_sub = st.add_subparsers(dest="staff_command", required=True)
    a = st_sub.add_parser("add", help="add a staff account (prints the TOTP secret once)")
    a.add_argument("--db", default=argparse.SUPPRESS)
    a.add_argument("login")
    a.add_argument("--name", required=True, help="full name")
    a.add_argument("--role", required=True, choices=("helpdesk", "clerk", "supervisor"))
    a.add_argument("--no-totp", action="store_true", help="no second factor (not allowed for supervisors)")
    a.add_argument("--password", help="initial password (default: generated and printed)")
    d = st_sub.add_parser("disable", help="disable an account and end its sessions")
    d.add_argument("--db", default=argparse.SUPPRESS)
    d.add_argument("login")
    t = st_sub.add_parser("reset-totp", help="new TOTP secret (printed once); ends the account's sessions")
    t.add_argument("--db", default=argparse.SUPPRESS)
    t.add_argument("login")
    t.add_argument("--off", action="store_true", help="switch TOTP off (not allowed for supervisors)")

    au = sub.add_parser("audit", help="audit log")
    au.add_argument("--db", default=DEFAULT_DB_URL)
    au_sub = au.add_subparsers(dest="audit_command", required=True)
    v = au_sub.add_parser("verify", help="check the hash chain; report the first broken entry")
    v.add_argument("--db", default=argparse.SUPPRESS)

    no = sub.add_parser("notice", help="notices of failures and planned interruptions of supply")
    no.add_argument("--db", default=DEFAULT_DB_URL)
    no_sub = no.add_subparsers(dest="notice_command", required=True)
    na = no_sub.add_parser("add", help="publish a notice for a city or some of its streets")
    na.add_argument("--db", default=argparse.SUPPRESS)
    na.add_argument("--kind", required=True, choices=("failure", "planned"))
    na.add_argument("--city", required=True)
    na.add_argument("--street", action="append", default=[], help="a street concerned (repeat; none: the whole city)")
    na.add_argument("--start", required=True, type=_datetime, help="start, YYYY-MM-DDTHH:MM (UTC)")
    na.add_argument("--end", required=True, type=_datetime, help="expected end, YYYY-MM-DDTHH:MM (UTC)")
    na.add_argument("--text-pl", required=True)
    na.add_argument("--text-en", required=True)
    na.add_argument("--today", type=_date, help="business date override (the notice's creation date)")

    ks = sub.add_parser("ksef", help="KSeF: invoices to businesses and housing communities")
    ks.add_argument("--db", default=DEFAULT_DB_URL)
    ks_sub = ks.add_subparsers(dest="ksef_command", required=True)
    ksub = ks_sub.add_parser(
        "submit",
        help="send the pending and offline invoices again (an accepted one never); exit 1 if some stay offline",
    )
    ksub.add_argument("--db", default=argparse.SUPPRESS)
    ksub.add_argument("--today", type=_date, help="business date override (the day KSeF accepts them)")

    nf = sub.add_parser("notify", help="notification mails")
    nf_sub = nf.add_subparsers(dest="notify_command", required=True)
    nr = nf_sub.add_parser(
        "run",
        help="owe the due notice, reading-window and legalisation mails and send the whole outbox; "
        "exit 1 if some mails stay unsent",
    )
    nr.add_argument("--db", default=DEFAULT_DB_URL)
    nr.add_argument("--mail-dir", type=Path, required=True, help="directory for outgoing mail (.eml files)")
    nr.add_argument("--today", type=_date, help="business date override")
    return p


def parse_args(argv: list[str]) -> argparse.Namespace:
    if not argv or argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help"):
        argv = ["serve", *argv]
    return build_parser().parse_args(argv)


def upgrade_on_start(settings: Settings) -> bool:
    """Only the SQLite demo upgrades an old schema by itself; anything else needs ``ebok-server migrate``."""
    return settings.demo and settings.db_url.startswith("sqlite")


@contextlib.asynccontextmanager
async def _session(db_url: str, upgrade: bool = False):
    """A session on ``db_url``: an empty database is created at the newest schema, an old one is
    upgraded if ``upgrade`` (else :class:`~ebok_server.schema.SchemaOutOfDate`); the engine is
    disposed afterwards."""
    from .db import make_engine, make_sessionmaker
    from .schema import ensure_schema

    engine = make_engine(db_url)
    try:
        await ensure_schema(engine, upgrade=upgrade)
        async with make_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def prepare_database(
    settings: Settings,
    seed_demo: bool,
    seed_large: int | None,
    seed_customers: int | None = None,
    seed_history: bool = False,
) -> None:
    from .seed import (
        add_demo_entry,
        database_is_empty,
        seed_demo as do_seed_demo,
        seed_demo_notices,
        seed_large_customer,
    )
    from .staff_seed import seed_customers as do_seed_customers, seed_demo_staff

    async with _session(settings.db_url, upgrade=upgrade_on_start(settings)) as session:
        if seed_demo and await database_is_empty(session):
            await do_seed_demo(session, settings.business_today())
            await seed_demo_notices(session, settings.business_today())
            await seed_demo_staff(session)
            await session.commit()
            print("ebok-server: demo data created", file=sys.stderr, flush=True)
        if seed_large:
            await seed_large_customer(session, "19999", seed_large, today=settings.business_today())
            if seed_demo:
                await add_demo_entry(
                    session,
                    "19999",
                    f"Duży klient testowy ({seed_large} faktur).",
                    f"Large benchmark customer ({seed_large} invoices).",
                )
            await session.commit()
        if seed_customers:
            added = await do_seed_customers(session, seed_customers)
            await session.commit()
            print(f"ebok-server: {added} bulk customers added", file=sys.stderr, flush=True)
        if seed_history:
            from .seed_history import seed_history as do_seed_history

            given = await do_seed_history(session, settings.business_today())
            await session.commit()
            print(f"ebok-server: two years of history for {given} bulk customers", file=sys.stderr, flush=True)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto is TCP;
    # with proto 0 every response pays ~40 ms of Nagle / delayed-ACK latency.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn server whose SIGTERM/SIGINT handling ends in a normal exit (status 0).

        Stock uvicorn re-raises the captured signal after a graceful shutdown, so the process
        would die "by signal"; we install our own handlers instead.
        """

        @contextlib.contextmanager
        def capture_signals(self):
            yield

        def request_exit(self) -> None:
            if self.should_exit:  # second signal: don't wait for open connections
                self.force_exit = True
            self.should_exit = True

    return Server


def _exit_when_stdin_closes(loop: asyncio.AbstractEventLoop, request_exit) -> None:
    """Read stdin in a daemon thread; at EOF (the parent's end of the pipe closed) ask to exit."""

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        loop.call_soon_threadsafe(request_exit)

    threading.Thread(target=watch, name="stdin-eof-watch", daemon=True).start()


def _settings(args: argparse.Namespace) -> Settings:
    from .mailer import private_directory

    mail_dir = args.mail_dir
    if mail_dir is None and args.seed_demo:
        mail_dir = Path(tempfile.mkdtemp(prefix="ebok-mail-"))
    if mail_dir is not None:
        private_directory(mail_dir)
        print(f"ebok-server: outgoing mail is written to {mail_dir}", file=sys.stderr, flush=True)
    settings = Settings(
        db_url=args.db,
        today=args.today,
        demo=args.seed_demo,
        mail_dir=mail_dir,
        trusted_proxies=args.trusted_proxy,
        limits=dataclasses.replace(Limits(), **dict(args.limit)),
        docs=args.docs,
        notify_interval_s=args.notify_every or None,
    )
    settings.extra["reply_deadline_days"] = args.reply_deadline_days
    return settings


def _announce(sock: socket.socket) -> None:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"EBOK_SERVER_LISTENING http://{shown}:{port}", flush=True)


async def _run(args: argparse.Namespace, settings: Settings, sock: socket.socket, announce: bool) -> int:
    """One server process: uvicorn on ``sock`` until SIGTERM/SIGINT (or stdin EOF)."""
    from .app import create_app
    from .protocol import JsonErrorH11Protocol

    _Server = _server_class()
    import uvicorn

    app = create_app(settings)
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1; the app
    # decides itself, from --trusted-proxy only (throttle.source_address).
    config = uvicorn.Config(
        app, log_level=args.log_level, access_log=False, lifespan="on", proxy_headers=False, http=JsonErrorH11Protocol
    )
    server = _Server(config)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, server.request_exit)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            signal.signal(sig, lambda *_: server.request_exit())
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            await task
            return 1
        await asyncio.sleep(0.01)
    if announce:
        _announce(sock)
        if args.exit_on_stdin_eof:
            _exit_when_stdin_closes(loop, server.request_exit)
    await task
    return 0


async def _prepare(args: argparse.Namespace, settings: Settings) -> int:
    from .schema import SchemaOutOfDate

    try:
        await prepare_database(settings, args.seed_demo, args.seed_large, args.seed_customers, args.seed_history)
    except SchemaOutOfDate as exc:
        print(f"ebok-server: not starting: {exc}", file=sys.stderr, flush=True)
        return 2
    return 0


async def serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if rc := await _prepare(args, settings):
        return rc
    sock = _bind(args.host, args.port)
    try:
        return await _run(args, settings, sock, announce=True)
    finally:
        sock.close()


def serve_workers(args: argparse.Namespace) -> int:
    """``serve --workers N``: prepare the database once, bind once, then fork N server processes that
    accept on the same socket. Each has its own engine, event loop and password-hashing pool; all
    state is in the database, so any process can answer any request. A process that dies (even by
    SIGKILL) is replaced; SIGTERM/SIGINT (or stdin EOF with --exit-on-stdin-eof) stops them all."""
    settings = _settings(args)
    if rc := asyncio.run(_prepare(args, settings)):
        return rc
    sock = _bind(args.host, args.port)
    stopping = False
    children: dict[int, float] = {}  # pid -> start time

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:  # the child: a server of its own on the inherited socket
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 1
            try:
                code = asyncio.run(_run(args, settings, sock, announce=False))
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        children[pid] = time.monotonic()

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(args.workers):
        spawn()
    _announce(sock)
    quick_deaths = 0
    watch_stdin = args.exit_on_stdin_eof
    while children:
        if watch_stdin and not stopping:
            with contextlib.suppress(OSError, ValueError):
                ready, _, _ = select.select([sys.stdin], [], [], 0.2)
                if ready and not os.read(sys.stdin.fileno(), 4096):
                    watch_stdin = False
                    stop()
        else:
            time.sleep(0.2)
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                break
            if pid == 0:
                break
            started = children.pop(pid, None)
            if started is None or stopping:
                continue
            print(f"ebok-server: worker {pid} ended ({status}); starting another", file=sys.stderr, flush=True)
            quick_deaths = quick_deaths + 1 if time.monotonic() - started < 5 else 0
            if quick_deaths > 5:  # it cannot start: give up rather than loop
                print("ebok-server: workers keep dying at start; stopping", file=sys.stderr, flush=True)
                stop()
            else:
                spawn()
    sock.close()
    return 0


async def migrate(args: argparse.Namespace) -> int:
    from .db import make_engine
    from .schema import ensure_schema

    engine = make_engine(args.db)
    try:
        state = await ensure_schema(engine, upgrade=True)
    finally:
        await engine.dispose()
    if state.before == state.after:
        print(f"schema already at revision {state.after}")
    else:
        print(f"schema upgraded from {state.before or 'an empty database'} to revision {state.after}")
    return 0


async def reply(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from .models import Message, Thread
    from .notify import enqueue

    settings = Settings(db_url=args.db, today=args.today)
    async with _session(args.db) as session:
        thread = await session.scalar(select(Thread).where(Thread.id == args.thread_id))
        if thread is None:
            print(f"no such thread: {args.thread_id}", file=sys.stderr)
            return 2
        now = settings.business_now()
        message = Message(thread_id=thread.id, author="utility", body=args.text, created_at=now)
        session.add(message)
        thread.status = "closed" if args.close else "answered"
        thread.updated_at = now
        await session.flush()
        await enqueue(session, thread.customer_id, "reply", message.id)  # mailed by the next delivery (notify.run_due)
        await session.commit()
        print(f"thread {thread.id}: reply added, status {thread.status}")
    return 0


async def issue(args: argparse.Namespace) -> int:
    from .billing import add_months, fmt_pln, issue_invoices

    settings = Settings(db_url=args.db, today=args.today)
    today = settings.business_today()
    if args.period:
        year, month = args.period
    else:
        prev = add_months(today.replace(day=1), -1)
        year, month = prev.year, prev.month
    async with _session(args.db) as session:
        issued = await issue_invoices(session, year, month, today)
        await session.commit()
        for inv in issued:
            print(
                f"{inv.number} customer_id={inv.customer_id} gross={fmt_pln(inv.gross)} "
                f"efaktura={'yes' if inv.efaktura else 'no'}"
            )
        print(f"issued {len(issued)} invoice(s) for {year}-{month:02d}")
        return await _submit_to_ksef(session, settings)


async def _submit_to_ksef(session, settings: Settings) -> int:
    from .ksef import gateway_for, submit_pending

    sent = await submit_pending(session, gateway_for(settings), settings.business_now())
    if sent.accepted or sent.offline:
        print(f"KSeF: {len(sent.accepted)} accepted, {len(sent.offline)} offline")
    for number in sent.offline:
        print(f"{number}: offline (KSeF unavailable), run `ebok-server ksef submit` again", file=sys.stderr)
    return 1 if sent.offline else 0


async def ksef_cmd(args: argparse.Namespace) -> int:
    settings = Settings(db_url=args.db, today=args.today)
    async with _session(args.db) as session:
        return await _submit_to_ksef(session, settings)


async def staff_cmd(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import IntegrityError

    from .security import hash_password, new_token
    from .staff import create_account, disable_account, reset_totp, totp_uri

    async with _session(args.db) as session:
        if args.staff_command == "add":
            if args.no_totp and args.role == "supervisor":
                print("a supervisor account always needs TOTP", file=sys.stderr)
                return 2
            password = args.password or new_token()[:20]
            try:
                a = await create_account(
                    session, args.login, args.name, args.role, hash_password(password), totp=not args.no_totp
                )
                await session.commit()
            except IntegrityError:
                print(f"login already taken: {args.login}", file=sys.stderr)
                return 2
            print(f"staff account {a.login} ({a.role}) added")
            if not args.password:
                print(f"password: {password}")
        elif args.staff_command == "disable":
            a = await disable_account(session, args.login)
            if a is None:
                print(f"no such staff account: {args.login}", file=sys.stderr)
                return 2
            await session.commit()
            print(f"staff account {a.login} disabled; its sessions ended")
            return 0
        else:
            try:
                a = await reset_totp(session, args.login, off=args.off)
            except ValueError as exc:
                print(str(exc), file=sys.stderr)
                return 2
            if a is None:
                print(f"no such staff account: {args.login}", file=sys.stderr)
                return 2
            await session.commit()
            print(f"staff account {a.login}: TOTP {'off' if a.totp_secret is None else 'reset'}; its sessions ended")
        if a.totp_secret:
            print("TOTP secret (shown once; add it to the authenticator app):")
            print(f"secret: {a.totp_secret}")
            print(f"uri: {totp_uri(a.totp_secret, a.login)}")
    return 0


async def audit_cmd(args: argparse.Namespace) -> int:
    from .audit import verify

    async with _session(args.db) as session:
        result = await verify(session)
    if result.ok:
        print(f"audit log OK: {result.entries} entries, chain intact")
        return 0
    print(
        f"audit log BROKEN at entry {result.first_bad_id}: {result.problem} "
        f"({result.entries} entries before it are intact)"
    )
    return 1


async def notice_cmd(args: argparse.Namespace) -> int:
    from .notices import check_notice, new_notice

    problems = check_notice(args.kind, args.city, args.start, args.end, args.text_pl, args.text_en)
    if problems:
        for name, problem in problems.items():
            print(f"{name}: {problem}", file=sys.stderr)
        return 2
    settings = Settings(db_url=args.db, today=args.today)
    async with _session(args.db) as session:
        notice = new_notice(
            kind=args.kind,
            city=args.city,
            streets=args.street,
            starts_at=args.start,
            ends_at=args.end,
            text_pl=args.text_pl,
            text_en=args.text_en,
            created_at=settings.business_now(),
            created_by="cli",
        )
        session.add(notice)
        await session.commit()
        print(f"notice {notice.id} published")
    return 0


async def notify_cmd(args: argparse.Namespace) -> int:
    from .mailer import FileMailer
    from .notify import run_due, unsent

    settings = Settings(db_url=args.db, today=args.today)
    mailer = FileMailer(args.mail_dir)
    async with _session(args.db) as session:
        result = await run_due(session, mailer, settings.business_now())
        left = await unsent(session)
    owed = " ".join(f"{kind}={n}" for kind, n in result.owed.items())
    print(f"owed: {owed}; sent: {result.sent}; left unsent: {left}")
    return 1 if left else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    handler = {
        "serve": serve,
        "migrate": migrate,
        "reply": reply,
        "issue-invoices": issue,
        "staff": staff_cmd,
        "audit": audit_cmd,
        "notice": notice_cmd,
        "ksef": ksef_cmd,
        "notify": notify_cmd,
    }[args.command]
    from .schema import SchemaOutOfDate

    if args.command == "serve" and args.workers > 1:
        return serve_workers(args)
    try:
        return asyncio.run(handler(args)) or 0
    except SchemaOutOfDate as exc:
        print(f"ebok-server: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
