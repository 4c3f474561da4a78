"""Purchasing work: the page ``/purchasing`` and the API under ``/api/v1/purchasing`` (DISP-3).

Thin routes over ``central.purchasing.service``; refusals answer ``{"detail": "<Russian message>"}`` with 403,
404, 409 (already closed or taken, state changed) or 422 (bad input). The page's forms post back and return to
``/purchasing`` with the outcome, or show the refusal with its status.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from central.auth.staff import CurrentUser, DbEngine, User
from central.orders.domain import rubles
from central.orders.routes import Now, RussianRoute, Today
from central.purchasing import service
from central.purchasing.service import NewRequest, PurchasingRefused
from central.web.pages import render

api = APIRouter(prefix="/api/v1/purchasing", tags=["purchasing"], route_class=RussianRoute)
pages = APIRouter()


class RequestIn(BaseModel):
    sku: str = Field(min_length=1, max_length=32)
    order: str | None = Field(default=None, max_length=20, examples=["З-0000042"])
    qty: int | None = Field(default=None, gt=0)
    needed_by: dt.date | None = None
    assignee: str | None = Field(default=None, max_length=64, examples=["purchaser"])


class AssignIn(BaseModel):
    assignee: str = Field(min_length=1, max_length=64, examples=["purchaser"])


class OrderedIn(BaseModel):
    supply_order: str = Field(min_length=1, max_length=20, examples=["ПЗ-00031"])


class CloseIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


def _refused(exc: PurchasingRefused) -> HTTPException:
    return HTTPException(exc.status, exc.message)


@api.get("/work")
def work(user: CurrentUser, engine: DbEngine, day: Today) -> dict[str, Any]:
    """Everything purchasing has open, with assignees; ``mine`` is the signed-in user's own part."""
    try:
        return service.purchasing_work(engine, user, day)
    except PurchasingRefused as exc:
        raise _refused(exc) from exc


@api.post("/requests", status_code=201)
def create_request(body: RequestIn, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> dict[str, Any]:
    """A purchase request from a deficit line (``order`` + ``sku``) or for a quantity of an item."""
    new = NewRequest(body.sku.strip(), body.order, body.qty, body.needed_by, body.assignee)
    try:
        return {"id": service.request_purchase(engine, user, new, day, moment)}
    except PurchasingRefused as exc:
        raise _refused(exc) from exc


@api.post("/requests/{request_id}/assign")
def assign_request(request_id: int, body: AssignIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Give the request to a purchasing manager; they are notified."""
    try:
        service.assign_request(engine, user, request_id, body.assignee, moment)
    except PurchasingRefused as exc:
        raise _refused(exc) from exc
    return {"id": request_id, "assignee": body.assignee}


@api.post("/requests/{request_id}/ordered")
def ordered(request_id: int, body: OrderedIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """The request is covered by a supply order."""
    try:
        service.mark_ordered(engine, user, request_id, body.supply_order.strip())
    except PurchasingRefused as exc:
        raise _refused(exc) from exc
    return {"id": request_id, "status": "ordered", "supply_order": body.supply_order.strip()}


@api.post("/requests/{request_id}/close")
def close(request_id: int, body: CloseIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Close the request with a note."""
    try:
        service.close_request(engine, user, request_id, body.note, moment)
    except PurchasingRefused as exc:
        raise _refused(exc) from exc
    return {"id": request_id, "status": "closed"}


@api.post("/supply-orders/{number}/assign")
def assign_supply(number: str, body: AssignIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Give an open supply order to a purchasing manager to follow; they are notified."""
    try:
        service.assign_supply_order(engine, user, number, body.assignee, moment)
    except PurchasingRefused as exc:
        raise _refused(exc) from exc
    return {"number": number, "assignee": body.assignee}


# --- the page ----------------------------------------------------------------------------------------------------

MESSAGES = {
    "created": "Заявка на закупку создана",
    "assigned": "Исполнитель назначен, ему отправлено уведомление",
    "ordered": "Заявка отмечена как заказанная",
    "closed": "Заявка закрыта",
}


def _page(
    request: Request, engine: DbEngine, user: User, day: dt.date, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    try:
        work_ = service.purchasing_work(engine, user, day)
    except PurchasingRefused as exc:
        return render(request, "dispatch/forbidden.html", status_code=exc.status, user=user, message=exc.message)
    done = MESSAGES.get(request.query_params.get("done", ""))
    return render(
        request, "purchasing/work.html", status_code=status_code, user=user, work=work_, error=error, done=done,
        rubles=rubles, may_assign=user.role in service.ASSIGNERS, may_give=user.role in service.CONTROLLERS,
    )  # fmt: skip


@pages.get("/purchasing", response_class=HTMLResponse)
def purchasing_page(request: Request, user: CurrentUser, engine: DbEngine, day: Today) -> HTMLResponse:
    """The purchasing managers' work: «Мои задачи» first, then requests, uncovered deficit, supply orders."""
    return _page(request, engine, user, day)


def _after(request: Request, engine: DbEngine, user: User, day: dt.date, command: Any, done: str) -> Response:
    try:
        command()
    except PurchasingRefused as exc:
        return _page(request, engine, user, day, error=exc.message, status_code=exc.status)
    return RedirectResponse(f"/purchasing?done={done}", status_code=303)


@pages.post("/purchasing/requests", response_model=None)
def request_from_page(
    request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    sku: Annotated[str, Form()], order: Annotated[str, Form()] = "", assignee: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    new = NewRequest(sku.strip(), order.strip() or None, assignee=assignee.strip() or None)
    return _after(
        request, engine, user, day, lambda: service.request_purchase(engine, user, new, day, moment), "created"
    )


@pages.post("/purchasing/requests/{request_id}/assign", response_model=None)
def assign_from_page(
    request: Request, request_id: int, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    assignee: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    def command() -> None:
        service.assign_request(engine, user, request_id, assignee.strip() or user.login, moment)

    return _after(request, engine, user, day, command, "assigned")


@pages.post("/purchasing/requests/{request_id}/ordered", response_model=None)
def ordered_from_page(
    request: Request, request_id: int, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    supply_order: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    def command() -> None:
        if not supply_order.strip():
            raise PurchasingRefused("Укажите номер заказа поставщику (ПЗ-…)")
        service.mark_ordered(engine, user, request_id, supply_order.strip())

    return _after(request, engine, user, day, command, "ordered")


@pages.post("/purchasing/requests/{request_id}/close", response_model=None)
def close_from_page(
    request: Request, request_id: int, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    return _after(
        request, engine, user, day, lambda: service.close_request(engine, user, request_id, note, moment), "closed"
    )


@pages.post("/purchasing/supply-orders/{number}/assign", response_model=None)
def assign_supply_from_page(
    request: Request, number: str, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    assignee: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    def command() -> None:
        service.assign_supply_order(engine, user, number, assignee.strip() or user.login, moment)

    return _after(request, engine, user, day, command, "assigned")


router = APIRouter()  # what central/app.py includes: the page and the API
router.include_router(pages)
router.include_router(api)
