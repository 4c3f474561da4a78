"""Sync visibility for the office and for tools: the sites page, their status, and central's stock per site."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select, update

from central.auth.staff import CurrentUser, DbEngine
from central.store import schema as s
from central.sync.inbox import site_stock
from central.sync.status import open_exceptions, sites_status
from central.web.pages import render

router = APIRouter()


@router.get("/api/v1/sync/sites")
def sync_sites(_user: CurrentUser, engine: DbEngine) -> list[dict[str, Any]]:
    """Each site's presence, last contact, upstream backlog and downstream lag."""
    with engine.connect() as conn:
        return sites_status(conn)


@router.get("/api/v1/sync/exceptions")
def sync_exceptions(_user: CurrentUser, engine: DbEngine) -> list[dict[str, Any]]:
    """Facts central applied but the office must look at: picks beyond reserve, shortages, reused numbers…"""
    with engine.connect() as conn:
        return open_exceptions(conn)


@router.post("/api/v1/sync/exceptions/{exception_id}/resolve")
def resolve_exception(exception_id: int, user: CurrentUser, engine: DbEngine) -> dict[str, Any]:
    """Mark an exception dealt with (dispatcher, warehouse manager, administrator)."""
    if user.role not in ("dispatcher", "warehouse_manager", "admin"):
        raise HTTPException(403, "Исключения разбирают диспетчер, заведующий складом и администратор")
    with engine.begin() as conn:
        done = conn.execute(
            update(s.sync_exceptions)
            .where(s.sync_exceptions.c.id == exception_id, s.sync_exceptions.c.resolved_at.is_(None))
            .values(resolved_at=datetime.now(UTC))
        ).rowcount
    if not done:
        raise HTTPException(404, f"Открытое исключение {exception_id} не найдено")
    return {"id": exception_id, "resolved": True}


@router.get("/api/v1/sites/{site}/stock")
def stock_of_site(site: str, _user: CurrentUser, engine: DbEngine) -> list[dict[str, Any]]:
    """Central's projection of a site's stock: ``[{"sku", "cell", "qty"}]`` sorted by sku then cell."""
    with engine.connect() as conn:
        if conn.execute(select(s.sites.c.id).where(s.sites.c.code == site)).scalar() is None:
            raise HTTPException(404, f"Площадка {site} не найдена")
        return site_stock(conn, site)


@router.get("/sync", response_class=HTMLResponse)
def sync_page(request: Request, user: CurrentUser, engine: DbEngine) -> HTMLResponse:
    """The sites page: who is online, who is behind and by how much."""
    with engine.connect() as conn:
        rows = sites_status(conn)
        problems = open_exceptions(conn)
    return render(request, "sync.html", user=user, sites=rows, exceptions=problems)
