from __future__ import annotations

import json

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from .. import __version__, efaktura
from ..db import ensure_server_id
from ..deps import DbDep, SettingsDep
from ..errors import not_found
from ..mailer import DEMO_MAILBOX_SIZE, read_mailbox
from ..models import Customer, Meta
from ..schemas import DemoInfo, DemoMailbox, EfakturaTerms, Health
from ..security import verify_password
from ..seed import demo_descriptions

router = APIRouter(tags=["public"])


@router.get("/health", response_model=Health)
async def health(request: Request, settings: SettingsDep) -> Health:
    state = request.app.state
    if getattr(state, "server_id", None) is None:  # an app used without its lifespan
        state.server_id = await ensure_server_id(state.engine)
    return Health(version=__version__, today=settings.business_today(), server_id=state.server_id)


#: The demo-only routes answer 404 on a server not started with --seed-demo.
NOT_DEMO = {404: {"description": "Not a demo server"}}


@router.get("/demo-info", response_model=DemoInfo, responses=NOT_DEMO)
async def demo_info(request: Request, settings: SettingsDep, db: DbDep) -> DemoInfo:
    if not settings.demo:
        raise not_found()
    meta = await db.get(Meta, "demo_info")
    if meta is None:
        raise not_found()
    # What a description says about invoices is worked out from today's data (seed.demo_descriptions).
    customers = await demo_descriptions(db, json.loads(meta.value)["customers"], settings.business_today())
    staff = await db.get(Meta, "demo_staff")
    info = DemoInfo.model_validate(
        {"customers": customers, "staff": json.loads(staff.value) if staff is not None else []}
    )
    hashes = dict(
        (
            await db.execute(
                select(Customer.customer_number, Customer.password_hash).where(
                    Customer.customer_number.in_([c.customer_number for c in info.customers])
                )
            )
        ).all()
    )
    # A password changed or reset in the demo is no longer shown. Each (password, hash) pair is
    # verified once per process: argon2 is slow on purpose, and hashes only change with the password.
    verified: dict[tuple[str, str], bool] | None = getattr(request.app.state, "demo_passwords_verified", None)
    if verified is None or len(verified) > 1000:
        verified = request.app.state.demo_passwords_verified = {}
    for c in info.customers:
        stored = hashes.get(c.customer_number)
        if c.password is None or stored is None:
            c.password = None
            continue
        if (c.password, stored) not in verified:
            verified[(c.password, stored)] = await run_in_threadpool(verify_password, stored, c.password)
        if not verified[(c.password, stored)]:
            c.password = None
    return info


@router.get("/demo/mail", response_model=DemoMailbox, responses=NOT_DEMO)
async def demo_mail(settings: SettingsDep) -> DemoMailbox:
    """The mail the demo server "sent" (newest first), so a demo can be completed inside a client."""
    if not settings.demo:
        raise not_found()
    return DemoMailbox(items=await run_in_threadpool(read_mailbox, settings.mail_dir, DEMO_MAILBOX_SIZE))


@router.get("/efaktura/terms", response_model=EfakturaTerms)
async def efaktura_terms() -> EfakturaTerms:
    """The e-FAKTURA terms in force (PL and EN): public, so they can be read before logging in."""
    return efaktura.terms()
