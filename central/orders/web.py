"""The sales office pages (ORD-1..8, ORD-10): /orders, /orders/new, the order card and /orders/deficit.

Thin routes: a form becomes a service command; a refusal re-renders the page with the Russian message and the
refusal's status (403 another manager's order, 404, 409 stale data, 422 bad input), and nothing is written.
A manager's form posts name the customer (``customer_id``) or the order in the path, so the audit log records
them on behalf of that customer (ACC-4).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from central.auth.staff import CurrentUser, DbEngine, User
from central.documents import routes as documents
from central.documents import scans
from central.documents.contract import PAYMENT_FORMS, RETURN_TERMS
from central.orders import service
from central.orders.domain import OrderRefused, rubles
from central.orders.routes import MOSCOW, Now, Today
from central.orders.stage import order_stage
from central.payments.invoicing import issue_invoice
from central.payments.routes import vat_percent
from central.store import schema as s
from central.web.pages import render

router = APIRouter()

STATUS_TITLES = {
    "draft": "Черновик",
    "confirmed": "Подтверждён",
    "picking": "В отборе",
    "shipped": "Отгружен",
    "completed": "Завершён",
    "cancelled": "Отменён",
}
RESERVATION_TITLES = {"active": "действует", "released": "снят", "consumed": "отобран", "expired": "истёк"}
SOURCE_TITLES = {"stock": "остаток склада", "supply": "заказ поставщику", "production": "производство"}


def _page(request: Request, template: str, user: User, status_code: int = 200, **context: Any) -> HTMLResponse:
    return render(
        request,
        template,
        status_code=status_code,
        user=user,
        rubles=rubles,
        day=_day,
        moment=_moment,
        status_titles=STATUS_TITLES,
        payment_forms={k: v[0] for k, v in PAYMENT_FORMS.items()},
        return_terms={k: v[0] for k, v in RETURN_TERMS.items()},
        **context,
    )


def _day(value: str | None) -> str:
    return "" if not value else dt.date.fromisoformat(value[:10]).strftime("%d.%m.%Y")


def _moment(value: str | None) -> str:
    if not value:
        return ""
    return dt.datetime.fromisoformat(value).astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M")


def _refusal(request: Request, user: User, exc: OrderRefused) -> HTMLResponse:
    return _page(request, "orders/refused.html", user, status_code=exc.status, message=exc.message)


# --- list, new order, deficit ------------------------------------------------------------------------------------


@router.get("/orders", response_class=HTMLResponse)
def orders_page(
    request: Request, user: CurrentUser, engine: DbEngine, status: str = "", customer: str = ""
) -> HTMLResponse:
    """Own orders for a manager, everyone's for the directors; filtered by status and customer."""
    customer_id = int(customer) if customer.isdigit() else None
    try:
        orders = service.order_list(engine, user, status or None, customer_id)
        buyers = service.customers_for(engine, user)
    except OrderRefused as exc:
        return _refusal(request, user, exc)
    return _page(
        request, "orders/list.html", user, orders=orders, customers=buyers, status=status, customer=customer_id,
        may_create=user.role in service.ORDER_ROLES,
    )  # fmt: skip


def _new_page(
    request: Request,
    user: User,
    engine: DbEngine,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    try:
        service.may_order(user)
        buyers = service.customers_for(engine, user)
    except OrderRefused as exc:
        return _refusal(request, user, exc)
    with engine.connect() as conn:
        skus = conn.execute(select(s.items.c.sku, s.items.c.name).order_by(s.items.c.sku)).all()
    form = form or {"customer_id": None, "lines": [], "desired_date": "", "payment_form": "", "return_terms": ""}
    lines = list(form["lines"]) + [("", "")] * max(5 - len(form["lines"]), 1)
    return _page(
        request, "orders/new.html", user, status_code=status_code, customers=buyers, skus=skus, form=form,
        lines=lines, error=error,
    )  # fmt: skip


@router.get("/orders/new", response_class=HTMLResponse)
def new_order_page(request: Request, user: CurrentUser, engine: DbEngine) -> HTMLResponse:
    return _new_page(request, user, engine)


def _lines(skus: list[str], quantities: list[str]) -> list[tuple[str, int]]:
    """The filled rows of the form as (sku, qty); a row with a sku and no whole positive quantity is refused."""
    out = []
    for n, (sku, qty) in enumerate(zip(skus, quantities, strict=False), 1):
        if not sku.strip() and not qty.strip():
            continue
        if not qty.strip().isdigit() or int(qty) <= 0:
            raise OrderRefused(f"Строка {n}: количество должно быть целым числом больше нуля")
        out.append((sku.strip(), int(qty)))
    return out


@router.post("/orders/new", response_model=None)
def create_order(
    request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    customer_id: Annotated[str, Form()] = "", sku: Annotated[list[str] | None, Form()] = None,
    qty: Annotated[list[str] | None, Form()] = None, desired_date: Annotated[str, Form()] = "",
    payment_form: Annotated[str, Form()] = "", return_terms: Annotated[str, Form()] = "full_until_date",
) -> Response:  # fmt: skip
    """The form's order: the same command as ``POST /api/v1/orders``; the card of the new order on success."""
    rows = list(zip(sku or [], qty or [], strict=False))
    chosen = int(customer_id) if customer_id.isdigit() else None
    form: dict[str, Any] = {
        "customer_id": chosen, "lines": rows,
        "desired_date": desired_date, "payment_form": payment_form, "return_terms": return_terms,
    }  # fmt: skip
    try:
        if chosen is None:
            raise OrderRefused("Выберите клиента")
        wanted = None if not desired_date.strip() else dt.date.fromisoformat(desired_date.strip())
        new = service.NewOrder(
            customer_id=chosen,
            lines=_lines(sku or [], qty or []),
            desired_date=wanted,
            payment_form=payment_form or None,
            return_terms=return_terms,
        )
        order_id = service.create_order(engine, user, new, day, moment)
    except ValueError:
        return _new_page(request, user, engine, form, "Желаемая дата: нужна дата в виде ГГГГ-ММ-ДД", 422)
    except OrderRefused as exc:
        return _new_page(request, user, engine, form, exc.message, exc.status)
    return _done(order_id, "created")


@router.get("/orders/deficit", response_class=HTMLResponse)
def deficit_page(
    request: Request, user: CurrentUser, engine: DbEngine, day: Today, sent: int | None = None
) -> HTMLResponse:
    """The deficit statement of all open orders (ORD-3) with the button that sends it."""
    try:
        statement = service.deficit_statement(engine, user, day)
    except OrderRefused as exc:
        return _refusal(request, user, exc)
    return _page(request, "orders/deficit.html", user, statement=statement, sent=sent, error=None)


@router.post("/orders/deficit/send", response_model=None)
def send_deficit(request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> Response:
    try:
        sent = service.send_deficit(engine, user, day, moment)
    except OrderRefused as exc:
        return _refusal(request, user, exc)
    return RedirectResponse(f"/orders/deficit?sent={sent}", status_code=303)


# --- the order card ----------------------------------------------------------------------------------------------


def _card(
    request: Request,
    user: User,
    engine: DbEngine,
    order_id: int,
    day: dt.date,
    error: str | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    try:
        view = service.order_view(engine, user, order_id, day)
        disputes = service.disputes(engine, user, order_id)
        signed = scans.signed(engine, user, order_id)
    except OrderRefused as exc:
        return _refusal(request, user, exc)
    with engine.connect() as conn:
        stage = order_stage(conn, order_id)
        invoices = conn.execute(
            select(s.invoices.c.id, s.invoices.c.number, s.invoices.c.issued_on, s.invoices.c.amount_kop)
            .where(s.invoices.c.order_id == order_id)
            .order_by(s.invoices.c.id)
        ).all()
    may_act = user.role in service.ORDER_ROLES
    return _page(
        request, "orders/card.html", user, status_code=status_code, order=view, stage=stage, disputes=disputes,
        signed=signed, invoices=invoices, error=error, notice=notice, may_act=may_act,
        open_dispute=next((d for d in disputes if d["open"]), None), source_title=_source_title,
        reservation_titles=RESERVATION_TITLES, max_scan_mb=scans.MAX_SCAN_BYTES // (1024 * 1024),
    )  # fmt: skip


def _source_title(source: str) -> str:
    kind, _, ref = source.partition(":")
    return f"{SOURCE_TITLES.get(kind, kind)} {ref}".strip()


_NOTICES = {
    "created": "Заказ создан. Проверьте наличие и согласуйте с клиентом вариант исполнения.",
    "confirmed": "Заказ подтверждён, позиции зарезервированы.",
    "cancelled": "Заказ отменён, резервы сняты.",
    "scan": "Скан подписанного договора сохранён.",
    "sent": "Договор отправлен клиенту.",
    "invoice": "Счёт выставлен.",
    "dispute": "Спор открыт.",
    "closed": "Спор закрыт.",
}


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order_card(
    order_id: int, request: Request, user: CurrentUser, engine: DbEngine, day: Today, done: str = "", sent: str = ""
) -> HTMLResponse:
    notice = _NOTICES.get(done)
    if done == "deficit":
        notice = f"Дефицит отправлен закупщикам и диспетчерам: уведомлений {sent}."
    return _card(request, user, engine, order_id, day, notice=notice)


def _done(order_id: int, what: str, **extra: object) -> RedirectResponse:
    tail = "".join(f"&{k}={v}" for k, v in extra.items())
    return RedirectResponse(f"/orders/{order_id}?done={what}{tail}", status_code=303)


def _substitutes(text: str) -> dict[str, str]:
    """Analogues typed as «K-2=K-5; K-4=K-7»: ``_substitutes("K-2=K-5") == {"K-2": "K-5"}``."""
    out: dict[str, str] = {}
    for part in text.replace("\n", ";").replace(",", ";").split(";"):
        if not part.strip():
            continue
        short, sep, analogue = part.partition("=")
        if not sep or not short.strip() or not analogue.strip():
            raise OrderRefused("Аналоги: укажите пары «артикул=аналог», например K-2=K-5")
        out[short.strip()] = analogue.strip()
    return out


@router.post("/orders/{order_id}/confirm", response_model=None)
def confirm(
    order_id: int, request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    variant: Annotated[str, Form()] = "", substitutes: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Record the customer's choice: the variant (and analogues for a change of items) becomes the confirmed order."""
    try:
        if not variant:
            raise OrderRefused("Выберите вариант исполнения, согласованный с клиентом")
        choice = service.Confirmation(variant, _substitutes(substitutes) if variant == "substitute" else {})
        service.confirm_order(engine, user, order_id, choice, day, moment)
    except OrderRefused as exc:
        return _card(request, user, engine, order_id, day, exc.message, exc.status)
    return _done(order_id, "confirmed")


@router.post("/orders/{order_id}/cancel", response_model=None)
def cancel(order_id: int, request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now) -> Response:
    try:
        service.cancel_order(engine, user, order_id, moment)
    except OrderRefused as exc:
        return _card(request, user, engine, order_id, day, exc.message, exc.status)
    return _done(order_id, "cancelled")


@router.post("/orders/{order_id}/deficit/send", response_model=None)
def send_order_deficit(
    order_id: int, request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now
) -> Response:
    try:
        sent = service.send_deficit(engine, user, day, moment, order_id)
    except OrderRefused as exc:
        return _card(request, user, engine, order_id, day, exc.message, exc.status)
    return _done(order_id, "deficit", sent=sent)


@router.post("/orders/{order_id}/contract/scan", response_model=None)
def upload_scan(
    order_id: int, request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    file: UploadFile | None = None,
) -> Response:  # fmt: skip
    """The signed contract's scan from the card's form; refused files leave nothing stored."""
    try:
        data = b"" if file is None else documents.read_upload(file)
        scans.store_scan(engine, user, order_id, "" if file is None else file.filename or "", data, moment)
    except OrderRefused as exc:
        return _card(request, user, engine, order_id, day, exc.message, exc.status)
    return _done(order_id, "scan")


@router.post("/orders/{order_id}/contract/send", response_model=None)
def send_contract(
    order_id: int, request: Request, user: CurrentUser, engine: DbEngine, day: Today,
    settings: documents.Documents, to: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """E-mail the contract to the customer from the card (the same letter as the API's)."""
    try:
        body = documents.ContractMailIn(to=to.strip(), note=note)
    except ValueError:
        return _card(request, user, engine, order_id, day, "Укажите адрес электронной почты клиента", 422)
    try:
        documents.mail_contract(order_id, body, request, user, engine, settings)
    except HTTPException as exc:
        return _card(request, user, engine, order_id, day, str(exc.detail), exc.status_code)
    return _done(order_id, "sent")


@router.post("/orders/{order_id}/invoice", response_model=None)
def invoice(
    order_id: int, request: Request, user: CurrentUser, engine: DbEngine, day: Today,
    rate: Annotated[int, Depends(vat_percent)],
) -> Response:  # fmt: skip
    """«Выставить счёт»: the invoicing service issues the order's invoice (ORD-8)."""
    try:
        issue_invoice(engine, user, order_id, day, rate)
    except OrderRefused as exc:
        return _card(request, user, engine, order_id, day, exc.message, exc.status)
    return _done(order_id, "invoice")


@router.post("/orders/{order_id}/disputes", response_model=None)
def open_dispute(
    order_id: int, request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    try:
        service.open_dispute(engine, user, order_id, reason, moment)
    except OrderRefused as exc:
        return _card(request, user, engine, order_id, day, exc.message, exc.status)
    return _done(order_id, "dispute")


@router.post("/orders/{order_id}/disputes/{dispute_id}/close", response_model=None)
def close_dispute(
    order_id: int, dispute_id: int, request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now,
    resolution: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    try:
        service.close_dispute(engine, user, dispute_id, resolution, moment, order_id)
    except OrderRefused as exc:
        return _card(request, user, engine, order_id, day, exc.message, exc.status)
    return _done(order_id, "closed")
