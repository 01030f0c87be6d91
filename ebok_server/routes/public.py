from __future__ import annotations

import json

from fastapi import APIRouter, Request
from sqlalchemy.ext.asyncio import AsyncSession

from .. import __version__
from ..config import Settings
from ..db import ensure_server_id
from ..deps import DB, SETTINGS
from ..errors import not_found
from ..models import Meta
from ..schemas import DemoInfo, Health

router = APIRouter(tags=["public"])


@router.get("/health", response_model=Health)
async def health(request: Request, settings: Settings = SETTINGS) -> Health:
    state = request.app.state
    if getattr(state, "server_id", None) is None:  # an app used without its lifespan
        state.server_id = await ensure_server_id(state.engine)
    return Health(version=__version__, today=settings.business_today(), server_id=state.server_id)


@router.get("/demo-info", response_model=DemoInfo, responses={404: {"description": "Not a demo server"}})
async def demo_info(settings: Settings = SETTINGS, db: AsyncSession = DB) -> DemoInfo:
    if not settings.demo:
        raise not_found()
    meta = await db.get(Meta, "demo_info")
    if meta is None:
        raise not_found()
    return DemoInfo.model_validate(json.loads(meta.value))
