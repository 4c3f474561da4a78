"""Office pages for prices (PRICE-1, PRICE-2): /prices and the commercial director's /planned-work.

Plain HTML forms; a refusal re-renders the page with the Russian message and the refusal's status (403 for a
role that may not change prices, 404, 409, 422), and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central.auth.staff import CurrentUser, DbEngine, User
from central.orders.domain import OrderRefused, rubles
from central.orders.routes import Now, Today
from central.prices import service
from central.prices.domain import CHANGE_ROLES, REQUEST_ROLES, parse_rubles
from central.web.pages import render

router = APIRouter()


def form_date(text: str, what: str = "Дата") -> dt.date:
    """A date typed in a form: ``form_date("2026-12-01")``; a Russian refusal for anything else."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise OrderRefused(f"{what}: нужна дата в виде ГГГГ-ММ-ДД") from None


def _prices_page(
    request: Request,
    user: User,
    engine: DbEngine,
    day: dt.date,
    list_id: int | None,
    q: str = "",
    error: str | None = None,
    status_code: int = 200,
    done: str | None = None,
) -> HTMLResponse:
    try:
        lists = service.price_lists(engine, user)
        chosen = list_id or (lists[0]["id"] if lists else None)
        prices = None if chosen is None else service.list_prices(engine, user, chosen, day, q)
        buyers = service.customers(engine, user) if user.role in CHANGE_ROLES else []
        requests = service.planned_work(engine, user) if user.role == "sales_manager" else []
    except OrderRefused as exc:
        # a refused change by someone who may not even read prices: tell them why the change was refused
        status, message = (status_code, error) if error else (exc.status, exc.message)
        return render(request, "prices/forbidden.html", status_code=status, user=user, message=message)
    return render(
        request,
        "prices/prices.html",
        status_code=status_code,
        user=user,
        lists=lists,
        prices=prices,
        q=q,
        today=day,
        error=error,
        done=done,
        customers=buyers,
        requests=requests,
        may_change=user.role in CHANGE_ROLES,
        may_request=user.role in REQUEST_ROLES,
        rubles=rubles,
    )


@router.get("/prices", response_class=HTMLResponse)
def prices_page(
    request: Request, user: CurrentUser, engine: DbEngine, day: Today, list: int | None = None, q: str = "",
    done: str | None = None,
) -> HTMLResponse:  # fmt: skip
    return _prices_page(request, user, engine, day, list, q, done=done)


@router.get("/prices/history", response_class=HTMLResponse)
def history_page(request: Request, user: CurrentUser, engine: DbEngine, list: int, sku: str) -> HTMLResponse:
    try:
        history = service.price_history(engine, user, list, sku)
    except OrderRefused as exc:
        return render(request, "prices/forbidden.html", status_code=exc.status, user=user, message=exc.message)
    return render(request, "prices/history.html", user=user, history=history, rubles=rubles)


@router.post("/prices/set", response_model=None)
def set_price(
    request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    price_list_id: Annotated[int, Form()], sku: Annotated[str, Form()], price: Annotated[str, Form()],
    effective_from: Annotated[str, Form()],
) -> Response:  # fmt: skip
    try:
        change = service.PriceChange(
            price_list_id, sku, parse_rubles(price), form_date(effective_from, "Дата начала действия")
        )
        service.set_price(engine, user, change, day, moment)
    except OrderRefused as exc:
        return _prices_page(request, user, engine, day, price_list_id, error=exc.message, status_code=exc.status)
    return RedirectResponse(f"/prices?list={price_list_id}&q={sku.strip()}&done=price", status_code=303)


@router.post("/prices/request", response_model=None)
def request_price(
    request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    price_list_id: Annotated[int, Form()], sku: Annotated[str, Form()], price: Annotated[str, Form()],
    effective_from: Annotated[str, Form()], reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    try:
        change = service.PriceChange(
            price_list_id, sku, parse_rubles(price), form_date(effective_from, "Дата начала действия")
        )
        service.request_price(engine, user, service.PriceRequest(change, reason), day, moment)
    except OrderRefused as exc:
        return _prices_page(request, user, engine, day, price_list_id, error=exc.message, status_code=exc.status)
    return RedirectResponse(f"/prices?list={price_list_id}&done=request", status_code=303)


@router.post("/prices/personal", response_model=None)
def personal_list(
    request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    customer_id: Annotated[int, Form()],
) -> Response:  # fmt: skip
    try:
        list_id = service.create_personal_list(engine, user, customer_id, moment)
    except OrderRefused as exc:
        return _prices_page(request, user, engine, day, None, error=exc.message, status_code=exc.status)
    return RedirectResponse(f"/prices?list={list_id}&done=personal", status_code=303)


@router.post("/prices/assign", response_model=None)
def assign_list(
    request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    customer_id: Annotated[int, Form()], price_list_id: Annotated[int, Form()],
) -> Response:  # fmt: skip
    try:
        service.assign_price_list(engine, user, customer_id, price_list_id, moment)
    except OrderRefused as exc:
        return _prices_page(request, user, engine, day, price_list_id, error=exc.message, status_code=exc.status)
    return RedirectResponse(f"/prices?list={price_list_id}&done=assign", status_code=303)


def _work_page(
    request: Request, user: User, engine: DbEngine, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    try:
        entries = service.planned_work(engine, user)
    except OrderRefused as exc:
        return render(request, "prices/forbidden.html", status_code=exc.status, user=user, message=exc.message)
    context: dict[str, Any] = {"entries": entries, "error": error, "may_decide": user.role in CHANGE_ROLES}
    return render(request, "prices/planned_work.html", status_code=status_code, user=user, rubles=rubles, **context)


@router.get("/planned-work", response_class=HTMLResponse)
def planned_work_page(request: Request, user: CurrentUser, engine: DbEngine) -> HTMLResponse:
    return _work_page(request, user, engine)


@router.post("/planned-work/{entry_id}/approve", response_model=None)
def approve(entry_id: int, request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> Response:
    try:
        service.approve_request(engine, user, entry_id, day, moment)
    except OrderRefused as exc:
        return _work_page(request, user, engine, exc.message, exc.status)
    return RedirectResponse("/planned-work", status_code=303)


@router.post("/planned-work/{entry_id}/reject", response_model=None)
def reject(
    entry_id: int, request: Request, user: CurrentUser, engine: DbEngine, moment: Now,
    note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    try:
        service.reject_request(engine, user, entry_id, note, moment)
    except OrderRefused as exc:
        return _work_page(request, user, engine, exc.message, exc.status)
    return RedirectResponse("/planned-work", status_code=303)
