"""Prices API under /api/v1 (PRICE-1, PRICE-2): thin routes over ``central.prices.service``.

Reading: sales managers, the commercial director, the director, the administrator. Changing prices and lists:
the commercial director and the administrator only (403 with a Russian message for everyone else). A manager's
request goes to the register of planned work, which the commercial director approves or rejects.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from central.auth.staff import CurrentUser, DbEngine
from central.orders.domain import OrderRefused
from central.orders.routes import REFUSALS, Now, RussianRoute, Today
from central.prices import service

router = APIRouter(prefix="/api/v1", tags=["prices"], route_class=RussianRoute)


class PriceIn(BaseModel):
    """A price from a date: ``{"price_list_id": 2, "sku": "K-1", "price_kop": 12000, "effective_from": "…"}``."""

    price_list_id: int
    sku: str = Field(min_length=1, max_length=32)
    price_kop: int = Field(gt=0)
    effective_from: dt.date


class PriceRequestIn(PriceIn):
    """A manager's request for a price change, with the reason the director reads."""

    reason: str = Field(min_length=1, max_length=2000)


class RejectIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class PersonalListIn(BaseModel):
    customer_id: int


class AssignIn(BaseModel):
    price_list_id: int


def _refused(exc: OrderRefused) -> HTTPException:
    return HTTPException(status_code=exc.status, detail=exc.message)


def _change(body: PriceIn) -> service.PriceChange:
    return service.PriceChange(body.price_list_id, body.sku, body.price_kop, body.effective_from)


@router.get("/price-lists", responses=REFUSALS)
def price_lists(user: CurrentUser, engine: DbEngine) -> dict[str, Any]:
    """Every price list (retail, wholesale 1–3, personal) with the number of customers buying by it."""
    try:
        return {"price_lists": service.price_lists(engine, user)}
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.get("/price-lists/{price_list_id}", responses=REFUSALS)
def price_list(price_list_id: int, user: CurrentUser, engine: DbEngine, day: Today, q: str = "") -> dict[str, Any]:
    """The list's items with the price effective today, the next planned price and the planned cost."""
    try:
        return service.list_prices(engine, user, price_list_id, day, q)
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.get("/price-lists/{price_list_id}/items/{sku}/history", responses=REFUSALS)
def price_history(price_list_id: int, sku: str, user: CurrentUser, engine: DbEngine) -> dict[str, Any]:
    """Every price of the item in the list, newest first, with who set it."""
    try:
        return service.price_history(engine, user, price_list_id, sku)
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.post("/prices", status_code=201, responses=REFUSALS)
def set_price(body: PriceIn, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> dict[str, Any]:
    """Set a price effective from a date (commercial director); refused below the item's planned cost."""
    try:
        price_id = service.set_price(engine, user, _change(body), day, moment)
        return {"id": price_id, **service.price_history(engine, user, body.price_list_id, body.sku)}
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.post("/price-lists/personal", status_code=201, responses=REFUSALS)
def personal_list(body: PersonalListIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Create a personal price list for a customer and assign it to them (commercial director)."""
    try:
        list_id = service.create_personal_list(engine, user, body.customer_id, moment)
    except OrderRefused as exc:
        raise _refused(exc) from exc
    return {"id": list_id, "customer_id": body.customer_id}


@router.post("/customers/{customer_id}/price-list", responses=REFUSALS)
def assign_list(customer_id: int, body: AssignIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Assign the price list a customer buys by (commercial director)."""
    try:
        service.assign_price_list(engine, user, customer_id, body.price_list_id, moment)
    except OrderRefused as exc:
        raise _refused(exc) from exc
    return {"customer_id": customer_id, "price_list_id": body.price_list_id}


@router.post("/price-requests", status_code=201, responses=REFUSALS)
def request_price(body: PriceRequestIn, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> dict[str, Any]:
    """A sales manager's request for a price change: enters the register of planned work, the director is told."""
    try:
        entry_id = service.request_price(engine, user, service.PriceRequest(_change(body), body.reason), day, moment)
    except OrderRefused as exc:
        raise _refused(exc) from exc
    return {"id": entry_id, "status": "open"}


@router.get("/planned-work", responses=REFUSALS)
def planned_work(user: CurrentUser, engine: DbEngine) -> dict[str, Any]:
    """The register of planned work: price requests, open first (a sales manager sees their own)."""
    try:
        return {"entries": service.planned_work(engine, user)}
    except OrderRefused as exc:
        raise _refused(exc) from exc


@router.post("/price-requests/{entry_id}/approve", responses=REFUSALS)
def approve(entry_id: int, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> dict[str, Any]:
    """Approve: the price is set from the date asked (or today if it has passed); the requester is told."""
    try:
        price_id = service.approve_request(engine, user, entry_id, day, moment)
    except OrderRefused as exc:
        raise _refused(exc) from exc
    return {"id": entry_id, "status": "approved", "price_id": price_id}


@router.post("/price-requests/{entry_id}/reject", responses=REFUSALS)
def reject(entry_id: int, body: RejectIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Reject with a reason; the requester is told."""
    try:
        service.reject_request(engine, user, entry_id, body.note, moment)
    except OrderRefused as exc:
        raise _refused(exc) from exc
    return {"id": entry_id, "status": "rejected"}
