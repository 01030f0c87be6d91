"""Application factory."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI

from . import __version__
from .config import Settings
from .db import ensure_server_id, make_engine, make_sessionmaker
from .errors import BodyGuardMiddleware, NoStoreMiddleware, install_error_handlers
from .mailer import FileMailer, Mailer, NullMailer
from .notify import run_periodically
from .openapi import build_openapi
from .schema import ensure_schema
from .routes import (
    account,
    auth,
    correspondence,
    data_access,
    invoices,
    notices,
    public,
    readings,
    staff,
    staff_act,
    staff_queue,
    staff_supervisor,
    tariff,
    yearly,
)
from .throttle import AuthGateMiddleware, HashPool

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, mailer: Mailer | None = None) -> FastAPI:
    settings = settings or Settings()
    if mailer is None:
        mailer = FileMailer(settings.mail_dir) if settings.mail_dir else NullMailer()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # An empty database gets the newest schema; an old one is upgraded only for the SQLite demo
        # (anything else: `ebok-server migrate`, ebok_server/schema.py).
        await ensure_schema(app.state.engine, upgrade=settings.demo and app.state.engine.dialect.name == "sqlite")
        app.state.server_id = await ensure_server_id(app.state.engine)
        job = None
        if settings.notify_interval_s:
            job = asyncio.create_task(run_periodically(app.state.sessionmaker, mailer, settings))
        try:
            yield
        finally:
            if job is not None:
                job.cancel()
                with suppress(asyncio.CancelledError):
                    await job
            app.state.hash_pool.shutdown()
            await app.state.engine.dispose()

    # /openapi.json is always served; the interactive /docs and /redoc pages only with --docs.
    app = FastAPI(
        title="eBOK API",
        version=__version__,
        lifespan=lifespan,
        description="Customer self-service office (eBOK) of a water utility – reference backend.",
        docs_url="/docs" if settings.docs else None,
        redoc_url="/redoc" if settings.docs else None,
    )
    engine = make_engine(settings.db_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.mailer = mailer
    app.state.hash_pool = HashPool(settings.limits.hash_workers, settings.limits.hash_queue)
    install_error_handlers(app)
    for module in (
        public,
        auth,
        account,
        invoices,
        readings,
        correspondence,
        notices,
        data_access,
        staff,
        staff_act,
        staff_queue,
        staff_supervisor,
        tariff,
        yearly,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.add_middleware(BodyGuardMiddleware)
    app.add_middleware(
        AuthGateMiddleware, prefix=API_PREFIX + "/auth/", limit=settings.limits.auth_in_flight, settings=settings
    )
    # Staff login: the same front door (its path "login" maps to the same per-source scope).
    app.add_middleware(
        AuthGateMiddleware, prefix=API_PREFIX + "/staff/auth/", limit=settings.limits.auth_in_flight, settings=settings
    )
    app.add_middleware(NoStoreMiddleware)  # outermost: also on BodyGuard's 413/415 and AuthGate's 429/503
    app.openapi = lambda: build_openapi(app)
    return app
