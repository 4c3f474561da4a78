"""Transfers W1 ↔ S1 for the shop master and the dispatcher (PROD-1): the list with status and differences, a
request for a task's components, finished goods back to the main warehouse, and the shop's consumption.

Seeing: the roles of the production pages (``central.production.web.VIEW_ROLES``); requesting and returning:
the shop master, the dispatcher and the administrator.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from central.auth.staff import DbEngine, User
from central.production import transfers
from central.production.web import Now, ProductionPlanner, ProductionViewer, _page

router = APIRouter()


class ReturnIn(BaseModel):
    qty: int = Field(gt=0, le=1_000_000)


def _request(engine: Any, task: str, now: dt.datetime, user: User) -> dict[str, Any]:
    try:
        with engine.begin() as conn:
            return transfers.request_components(conn, task, now, user.id)
    except transfers.TransferRefused as refused:
        raise HTTPException(422, str(refused)) from None


def _return(engine: Any, task: str, qty: int, now: dt.datetime, user: User) -> dict[str, Any]:
    try:
        with engine.begin() as conn:
            return transfers.return_finished_goods(conn, task, qty, now, user.id)
    except transfers.TransferRefused as refused:
        raise HTTPException(422, str(refused)) from None


@router.get("/api/v1/production/transfers")
def transfers_api(
    _user: ProductionViewer, engine: DbEngine, status: str | None = None, task: str | None = None
) -> list[dict[str, Any]]:
    """Transfers newest first: status, and per line asked / picked / shipped / received / defective / in transit."""
    with engine.connect() as conn:
        return transfers.transfers(conn, status, task)


@router.get("/api/v1/production/transfers/{number}")
def transfer_api(number: str, _user: ProductionViewer, engine: DbEngine) -> dict[str, Any]:
    with engine.connect() as conn:
        try:
            return transfers.transfer(conn, number)
        except transfers.TransferRefused as refused:
            raise HTTPException(404, str(refused)) from None


@router.post("/api/v1/production/tasks/{number}/request-components", status_code=201)
def request_api(number: str, user: ProductionPlanner, engine: DbEngine, now: Now) -> dict[str, Any]:
    """The shop's request for the task's components (W1 → S1); 422 with the reason when there is nothing to move."""
    return _request(engine, number, now, user)


@router.post("/api/v1/production/tasks/{number}/return-goods", status_code=201)
def return_api(number: str, body: ReturnIn, user: ProductionPlanner, engine: DbEngine, now: Now) -> dict[str, Any]:
    """Finished goods of the task back from S1 to W1: ``{"qty": 5}``."""
    return _return(engine, number, body.qty, now, user)


@router.get("/api/v1/production/tasks/{number}/consumption")
def consumption_api(number: str, _user: ProductionViewer, engine: DbEngine) -> list[dict[str, Any]]:
    """Per component: consumed for good units, scrap, over-use, short (not in the shop's stock), units produced."""
    with engine.connect() as conn:
        return transfers.consumption(conn, number)


def _transfers_page(
    request: Request, user: User, engine: Any, *, error: str | None = None, notice: str | None = None
) -> HTMLResponse:
    with engine.connect() as conn:
        rows = transfers.transfers(conn)
    return _page(
        request, user, "production_transfers.html", status_code=422 if error else 200, rows=rows, error=error,
        notice=notice,
    )  # fmt: skip


@router.get("/production/transfers", response_class=HTMLResponse)
def transfers_page(request: Request, user: ProductionViewer, engine: DbEngine, made: str | None = None) -> HTMLResponse:
    """Transfers W1 ↔ S1 with status and differences; forms to request components and return finished goods."""
    notice = f"Создано перемещение {made}: задание на отбор отправлено на склад-отправитель" if made else None
    return _transfers_page(request, user, engine, notice=notice)


@router.post("/production/transfers/request", response_class=HTMLResponse, response_model=None)
def request_form(
    request: Request, user: ProductionPlanner, engine: DbEngine, now: Now, task: Annotated[str, Form()]
) -> HTMLResponse | RedirectResponse:
    try:
        made = _request(engine, task.strip(), now, user)
    except HTTPException as refused:
        return _transfers_page(request, user, engine, error=str(refused.detail))
    return RedirectResponse(f"/production/transfers?made={made['number']}", status_code=303)


@router.post("/production/transfers/return", response_class=HTMLResponse, response_model=None)
def return_form(
    request: Request,
    user: ProductionPlanner,
    engine: DbEngine,
    now: Now,
    task: Annotated[str, Form()],
    qty: Annotated[int, Form()],
) -> HTMLResponse | RedirectResponse:
    try:
        made = _return(engine, task.strip(), qty, now, user)
    except HTTPException as refused:
        return _transfers_page(request, user, engine, error=str(refused.detail))
    return RedirectResponse(f"/production/transfers?made={made['number']}", status_code=303)
