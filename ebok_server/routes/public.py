from __future__ import annotations

import json

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from .. import __version__
from ..config import Settings
from ..deps import DB, SETTINGS
from ..errors import not_found
from ..models import Meta
from ..schemas import DemoInfo, Health
from ..seed import demo_descriptions

router = APIRouter(tags=["public"])


@router.get("/health", response_model=Health)
async def health(settings: Settings = SETTINGS) -> Health:
    return Health(version=__version__, today=settings.business_today())


@router.get("/demo-info", response_model=DemoInfo, responses={404: {"description": "Not a demo server"}})
async def demo_info(settings: Settings = SETTINGS, db: AsyncSession = DB) -> DemoInfo:
    if not settings.demo:
        raise not_found()
    meta = await db.get(Meta, "demo_info")
    if meta is None:
        raise not_found()
    customers = await demo_descriptions(db, json.loads(meta.value)["customers"], settings.business_today())
    staff = await db.get(Meta, "demo_staff")
    return DemoInfo(customers=customers, staff=json.loads(staff.value) if staff is not None else [])
