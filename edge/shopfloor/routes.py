"""The shop-floor terminal: its page (``/shopfloor``) and API (``/api/v1/shopfloor/...``).

The composition root includes ``router``; the service is built on first use from ``app.state.db`` and shares
the handhelds' lock (``app.state.terminals.lock``), since every terminal of the site uses one connection.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field

from edge.shopfloor.service import Reply, ShopFloor

router = APIRouter()
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "web" / "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
)
_TEMPLATES.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
_build = threading.Lock()


def get_shopfloor(request: Request) -> ShopFloor:
    """The site's shop floor, created once per app."""
    state = request.app.state
    with _build:
        shop: ShopFloor | None = getattr(state, "shopfloor", None)
        if shop is None:
            terminals = getattr(state, "terminals", None)
            shop = ShopFloor(state.db, lock=terminals.lock if terminals is not None else None)
            state.shopfloor = shop
    return shop


Shop = Annotated[ShopFloor, Depends(get_shopfloor)]


class LoginIn(BaseModel):
    badge: str = Field(min_length=1, max_length=64)
    pin: str = Field(min_length=1, max_length=32)


class StartIn(BaseModel):
    operation: str | None = Field(default=None, max_length=128)  # None: the next one in the queue


class PauseIn(BaseModel):
    session: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=32)


class SessionIn(BaseModel):
    session: str = Field(min_length=1, max_length=64)


class FinishIn(BaseModel):
    session: str = Field(min_length=1, max_length=64)
    good: int = Field(ge=0, le=1_000_000)
    defective: int = Field(default=0, ge=0, le=1_000_000)


def _answer(shop: ShopFloor, station: str, reply: Reply) -> dict[str, Any]:
    return {**asdict(reply), "state": shop.state(station)}


@router.get("/shopfloor", response_class=HTMLResponse)
def page(request: Request) -> HTMLResponse:
    """The touch terminal of the shop floor (``/shopfloor?station=Участок-1``)."""
    return HTMLResponse(_TEMPLATES.get_template("shopfloor.html").render(site=request.app.state.settings.site))


@router.get("/api/v1/shopfloor/sessions")
def sessions(shop: Shop, limit: Annotated[int, Query(ge=1, le=5000)] = 200) -> list[dict[str, Any]]:
    """Every work session of the site, newest first (for the master)."""
    return shop.journal(limit)


@router.post("/api/v1/shopfloor/close-overdue")
def close_overdue(shop: Shop) -> dict[str, int]:
    """Close by rule the sessions whose shift ended (it also happens before every action)."""
    return {"closed": shop.close_overdue()}


class OveruseIn(BaseModel):
    task: str = Field(min_length=1, max_length=20)
    sku: str = Field(min_length=1, max_length=32)
    qty: int = Field(gt=0, le=1_000_000)
    reason: str = Field(max_length=200)


@router.post("/api/v1/shopfloor/{station}/overuse")
def overuse(station: str, body: OveruseIn, shop: Shop) -> dict[str, Any]:
    """The master records components used above the BOM norm: ``{"task", "sku", "qty", "reason"}`` (PROD-1)."""
    return asdict(shop.overuse(station, body.task, body.sku, body.qty, body.reason))


@router.get("/api/v1/shopfloor/{station}")
def station_state(station: str, shop: Shop) -> dict[str, Any]:
    return shop.state(station)


@router.post("/api/v1/shopfloor/{station}/login")
def login(station: str, body: LoginIn, shop: Shop) -> dict[str, Any]:
    return _answer(shop, station, shop.login(station, body.badge, body.pin))


@router.post("/api/v1/shopfloor/{station}/logout")
def logout(station: str, shop: Shop) -> dict[str, Any]:
    return _answer(shop, station, shop.logout(station))


@router.post("/api/v1/shopfloor/{station}/start")
def start(station: str, body: StartIn, shop: Shop) -> dict[str, Any]:
    return _answer(shop, station, shop.start(station, body.operation))


@router.post("/api/v1/shopfloor/{station}/pause")
def pause(station: str, body: PauseIn, shop: Shop) -> dict[str, Any]:
    return _answer(shop, station, shop.pause(station, body.session, body.reason))


@router.post("/api/v1/shopfloor/{station}/resume")
def resume(station: str, body: SessionIn, shop: Shop) -> dict[str, Any]:
    return _answer(shop, station, shop.resume(station, body.session))


@router.post("/api/v1/shopfloor/{station}/finish")
def finish(station: str, body: FinishIn, shop: Shop) -> dict[str, Any]:
    return _answer(shop, station, shop.finish(station, body.session, body.good, body.defective))
