"""Orders API under /api/v1 (ORD-1..5, PRICE-1): thin routes over ``central.orders.service``.

Bearer token (``stockyard central token --user LOGIN``) or the office session. Refusals answer
``{"detail": "<Russian message>"}`` with 403 (role or another manager's order), 404, 409 (state changed:
the last units were reserved by someone else, the order is no longer a draft) or 422 (bad input).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from central.auth.staff import CurrentUser, DbEngine
from central.orders import service
from central.orders.domain import OrderRefused

MOSCOW = ZoneInfo("Europe/Moscow")

_PROBLEMS = {
    "missing": "обязательное поле",
    "greater_than": "должно быть больше нуля",
    "int_parsing": "нужно целое число",
    "int_type": "нужно целое число",
    "date_from_datetime_parsing": "нужна дата ГГГГ-ММ-ДД",
    "date_parsing": "нужна дата ГГГГ-ММ-ДД",
    "date_type": "нужна дата ГГГГ-ММ-ДД",
    "literal_error": "недопустимое значение",
    "too_short": "не может быть пустым",
    "string_too_short": "не может быть пустым",
    "string_too_long": "слишком длинное значение",
    "string_type": "нужна строка",
    "list_type": "нужен список",
    "dict_type": "нужен объект",
    "model_attributes_type": "нужен объект",
    "json_invalid": "неверный JSON",
}


def russian_errors(errors: Any) -> str:
    """One Russian sentence for pydantic's validation errors: «Неверные данные: lines.0.qty — должно быть …»."""
    parts = []
    for error in errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "запрос"
        parts.append(f"{where} — {_PROBLEMS.get(error.get('type', ''), 'неверное значение')}")
    return "Неверные данные: " + "; ".join(parts)


class RussianRoute(APIRoute):
    """Validation errors of these routes answer 422 with a Russian ``detail`` (the app's handler is English)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return JSONResponse({"detail": russian_errors(exc.errors())}, status_code=422)

        return route


router = APIRouter(prefix="/api/v1", tags=["orders"], route_class=RussianRoute)


def today() -> dt.date:
    """The business day in Moscow; tests override this dependency."""
    return dt.datetime.now(MOSCOW).date()


def now() -> dt.datetime:
    """The current moment (UTC); tests override this dependency together with ``today``."""
    return dt.datetime.now(dt.UTC)


Today = Annotated[dt.date, Depends(today)]
Now = Annotated[dt.datetime, Depends(now)]

REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Нет входа: нужен токен Bearer или сессия"},
    403: {"description": "Недостаточно прав или чужой заказ"},
    404: {"description": "Заказ или артикул не найден"},
    409: {"description": "Данные изменились (остаток зарезервирован другим заказом) или заказ не черновик"},
    422: {"description": "Неверные данные: сообщение на русском"},
}


class LineIn(BaseModel):
    sku: str = Field(min_length=1, max_length=32, examples=["K-1"])
    qty: int = Field(gt=0, examples=[5])


class OrderIn(BaseModel):
    """A new order: the customer, lines by sku and quantity, and optionally the date the customer wants it."""

    customer_id: int
    lines: list[LineIn] = Field(min_length=1)
    desired_date: dt.date | None = None
    source: Literal["manager", "portal", "email"] = "manager"
    payment_form: Literal["prepayment", "advance", "deferral", "consignment"] | None = None
    return_terms: Literal["full_until_date", "partial", "defects_only", "no_return"] = "full_until_date"


class ConfirmIn(BaseModel):
    """The variant the customer agreed (ORD-4); for ``substitute``, the analogue of each short sku."""

    variant: Literal["complete", "partial", "wait", "substitute"]
    substitutes: dict[str, str] = Field(default_factory=dict, examples=[{"K-2": "K-5"}])


def _refused(exc: OrderRefused) -> HTTPException:
    return HTTPException(status_code=exc.status, detail=exc.message)


@router.post("/orders", status_code=201, responses=REFUSALS)
def create_order(body: OrderIn, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> dict[str, Any]:
    """Create a draft order priced from the customer's price list; the answer is the order with its stock check."""
    new = service.NewOrder(
        customer_id=body.customer_id,
        lines=[(line.sku, line.qty) for line in body.lines],
        desired_date=body.desired_date,
        source=body.source,
        payment_form=body.payment_form,
        return_terms=body.return_terms,
    )
    try:
        order_id = service.create_order(engine, user, new, day, moment)
        return service.order_view(engine, user, order_id, day)
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.get("/orders/{order_id}", responses=REFUSALS)
def get_order(order_id: int, user: CurrentUser, engine: DbEngine, day: Today) -> dict[str, Any]:
    """Lines with prices, status, reservations, the stock check per line, offered variants and the deficit."""
    try:
        return service.order_view(engine, user, order_id, day)
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.post("/orders/{order_id}/confirm", responses=REFUSALS)
def confirm_order(
    order_id: int, body: ConfirmIn, user: CurrentUser, engine: DbEngine, day: Today, moment: Now
) -> dict[str, Any]:
    """Confirm with the customer's variant: complete, partial, wait or substitute; reserves what it implies."""
    try:
        service.confirm_order(engine, user, order_id, service.Confirmation(body.variant, body.substitutes), day, moment)
        return service.order_view(engine, user, order_id, day)
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.post("/orders/{order_id}/cancel", responses=REFUSALS)
def cancel_order(order_id: int, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> dict[str, Any]:
    """Cancel a draft or confirmed order; its active reservations are released."""
    try:
        released = service.cancel_order(engine, user, order_id, moment)
        return {**service.order_view(engine, user, order_id, day), "released": released}
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.get("/items/{sku}/availability", responses=REFUSALS)
def item_availability(sku: str, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> dict[str, Any]:
    """``on_hand`` at the warehouses, ``reserved`` from stock, ``free``, and ``inbound`` with dates and sources."""
    try:
        return service.availability(engine, user, sku, day, moment)
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.get("/deficit", responses=REFUSALS)
def deficit(user: CurrentUser, engine: DbEngine, day: Today) -> dict[str, Any]:
    """The deficit statement (ORD-3): short lines of open orders with planned arrival, and totals per item."""
    try:
        return service.deficit_statement(engine, user, day)
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.post("/reservations/expire", responses=REFUSALS)
def expire_reservations(user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Release reservations past their term (for a timer; confirm and availability also run it first)."""
    try:
        service.may_order(user)
    except OrderRefused as exc:
        raise _refused(exc) from exc
    expired = service.expire(engine, moment)
    return {
        "expired": [
            {
                "id": e.reservation_id,
                "order": e.order,
                "sku": e.sku,
                "qty": e.qty,
                "source": e.source,
                "manager": e.manager,
            }
            for e in expired
        ]
    }


@router.get("/orders", responses=REFUSALS)
def list_orders(
    user: CurrentUser, engine: DbEngine, status: str | None = None, customer_id: int | None = None
) -> dict[str, Any]:
    """Orders newest first with their stage (ORD-10): a sales manager's own, everyone's for the directors."""
    try:
        return {"orders": service.order_list(engine, user, status or None, customer_id)}
    except OrderRefused as exc:
        raise _refused(exc) from exc


class DisputeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class ResolutionIn(BaseModel):
    resolution: str = Field(min_length=1, max_length=2000)


@router.get("/orders/{order_id}/disputes", responses=REFUSALS)
def order_disputes(order_id: int, user: CurrentUser, engine: DbEngine) -> dict[str, Any]:
    """The order's disputes, the open one first."""
    try:
        return {"disputes": service.disputes(engine, user, order_id)}
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.post("/orders/{order_id}/disputes", status_code=201, responses=REFUSALS)
def open_dispute(order_id: int, body: DisputeIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Open a dispute over the order (its stage shows «Спор»); the commercial director and the manager are told."""
    try:
        dispute_id = service.open_dispute(engine, user, order_id, body.reason, moment)
    except OrderRefused as exc:
        raise _refused(exc) from exc
    return {"id": dispute_id, "order_id": order_id}


@router.post("/disputes/{dispute_id}/close", responses=REFUSALS)
def close_dispute(
    dispute_id: int, body: ResolutionIn, user: CurrentUser, engine: DbEngine, moment: Now
) -> dict[str, Any]:
    """Close an open dispute with its resolution."""
    try:
        order_id = service.close_dispute(engine, user, dispute_id, body.resolution, moment)
    except OrderRefused as exc:
        raise _refused(exc) from exc
    return {"id": dispute_id, "order_id": order_id, "closed": True}


@router.post("/deficit/send", responses=REFUSALS)
def send_deficit(user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> dict[str, Any]:
    """Send the deficit statement of all open orders to every purchasing manager and dispatcher (ORD-3)."""
    try:
        return {"notified": service.send_deficit(engine, user, day, moment)}
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.post("/orders/{order_id}/deficit/send", responses=REFUSALS)
def send_order_deficit(order_id: int, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> dict[str, Any]:
    """Send one order's short lines to every purchasing manager and dispatcher (ORD-3)."""
    try:
        return {"notified": service.send_deficit(engine, user, day, moment, order_id)}
    except OrderRefused as exc:
        raise _refused(exc) from exc
