"""The accountant's pages: ``/accounting/payments`` (import, review, match, by hand) and ``/accounting/invoices``.

Thin routes over ``central.payments.manual`` and ``service``: a refusal re-renders the page with the Russian
message and its HTTP status; a done command redirects back with what was done (``?done=matched``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from central.auth.staff import CurrentUser, DbEngine, User
from central.documents.money import format_rub
from central.orders.domain import NotFound, OrderRefused
from central.orders.routes import RussianRoute
from central.payments.bank_statement import StatementError
from central.payments.manual import CLERKS, DECISIONS, Decision, ManualPayment, decide, match_by_hand, record_payment
from central.payments.routes import Now, Today, read_statement
from central.payments.service import ImportReport, load_statement
from central.payments.views import INVOICE_STATES, InvoiceState, invoice_counts, invoices, unmatched_payments
from central.store import schema as s
from central.web.pages import render

router = APIRouter(prefix="/accounting", route_class=RussianRoute)

PAYMENT_VIEWERS = (*CLERKS, "director")
INVOICE_VIEWERS = (*CLERKS, "director", "commercial_director")
DONE = {
    "matched": "Платёж разнесён на счёт.",
    "entered": "Платёж внесён.",
    "not_ours": "Платёж отмечен как не наш — к возврату.",
    "advance": "Платёж оставлен авансом покупателя.",
}
LINE_STATUS = {
    "matched": "разнесён",
    "partial": "разнесён, частичная оплата",
    "for_review": "на разбор",
    "unknown_payer": "плательщик не найден — не загружен",
    "already_imported": "уже загружен",
}


def _forbidden(request: Request, user: User) -> HTMLResponse:
    message = "Раздел бухгалтерии открыт бухгалтеру, директору и администратору"
    return render(request, "dispatch/forbidden.html", status_code=403, user=user, message=message)


def _payments_page(
    request: Request,
    user: User,
    engine: DbEngine,
    today: dt.date,
    *,
    status_code: int = 200,
    report: ImportReport | None = None,
    error: str | None = None,
    done: str | None = None,
) -> HTMLResponse:
    with engine.connect() as conn:
        unmatched = unmatched_payments(conn)
        customers = conn.execute(
            select(s.customers.c.id, s.customers.c.name, s.customers.c.inn).order_by(s.customers.c.name)
        ).all()
    return render(
        request, "accounting/payments.html", status_code=status_code, user=user, unmatched=unmatched,
        customers=customers, report=report, error=error, done=DONE.get(done or ""), may_edit=user.role in CLERKS,
        decisions=DECISIONS, line_status=LINE_STATUS, rub=format_rub, today=today,
    )  # fmt: skip


@router.get("/payments", response_class=HTMLResponse)
def payments_page(
    request: Request, user: CurrentUser, engine: DbEngine, day: Today, done: str | None = None
) -> HTMLResponse:
    """Unmatched payments with the reason and the customer's open invoices; statement upload; a payment by hand."""
    if user.role not in PAYMENT_VIEWERS:
        return _forbidden(request, user)
    return _payments_page(request, user, engine, day, done=done)


@router.post("/payments/import", response_class=HTMLResponse)
async def import_page(
    request: Request, user: CurrentUser, engine: DbEngine, day: Today, moment: Now, statement: UploadFile
) -> HTMLResponse:
    """Load a statement from the page; the page shows what the import did, line by line."""
    if user.role not in CLERKS:
        return _forbidden(request, user)
    data = await read_statement(statement)
    try:
        report = await run_in_threadpool(load_statement, engine, data, moment, user.id)
    except StatementError as exc:
        return _payments_page(request, user, engine, day, status_code=422, error=f"Выписка не прочитана: {exc}")
    return _payments_page(request, user, engine, day, report=report)


def _refused(request: Request, user: User, engine: DbEngine, day: dt.date, exc: OrderRefused) -> HTMLResponse:
    return _payments_page(request, user, engine, day, status_code=exc.status, error=exc.message)


def _invoice_id(engine: DbEngine, number: str) -> int | None:
    """The id of the invoice with this number, None for an empty field, ``NotFound`` for an unknown number."""
    number = number.strip().lstrip("№").strip()
    if not number:
        return None
    with engine.connect() as conn:
        found = conn.execute(select(s.invoices.c.id).where(s.invoices.c.number == number)).scalar()
    if found is None:
        raise NotFound(f"Счёт № {number} не найден")
    return int(found)


@router.post("/payments/new", response_model=None)
def new_payment(
    request: Request,
    user: CurrentUser,
    engine: DbEngine,
    day: Today,
    moment: Now,
    customer_id: Annotated[int, Form()],
    received_on: Annotated[dt.date, Form()],
    amount: Annotated[str, Form()],
    document_number: Annotated[str, Form()],
    purpose: Annotated[str, Form()] = "",
    invoice_number: Annotated[str, Form()] = "",
) -> Response:
    """A payment typed in from the page, put on the invoice whose number is given or left unmatched."""
    try:
        entry = ManualPayment(
            customer_id=customer_id, received_on=received_on, amount=amount, document_number=document_number,
            purpose=purpose, invoice_id=_invoice_id(engine, invoice_number),
        )  # fmt: skip
        record_payment(engine, user, entry, moment)
    except OrderRefused as exc:
        return _refused(request, user, engine, day, exc)
    return RedirectResponse("/accounting/payments?done=entered", status_code=303)


@router.post("/payments/{payment_id}/match", response_model=None)
def match_page(
    request: Request,
    payment_id: int,
    user: CurrentUser,
    engine: DbEngine,
    day: Today,
    moment: Now,
    invoice_id: Annotated[int, Form()],
) -> Response:
    """Put an unmatched payment on the open invoice chosen in its row."""
    try:
        match_by_hand(engine, user, payment_id, invoice_id, moment)
    except OrderRefused as exc:
        return _refused(request, user, engine, day, exc)
    return RedirectResponse("/accounting/payments?done=matched", status_code=303)


@router.post("/payments/{payment_id}/review", response_model=None)
def review_page(
    request: Request,
    payment_id: int,
    user: CurrentUser,
    engine: DbEngine,
    day: Today,
    moment: Now,
    decision: Annotated[Decision, Form()],
) -> Response:
    """Mark an unmatched payment not ours or an advance kept for the customer."""
    try:
        decide(engine, user, payment_id, decision, moment)
    except OrderRefused as exc:
        return _refused(request, user, engine, day, exc)
    return RedirectResponse(f"/accounting/payments?done={decision}", status_code=303)


@router.get("/invoices", response_class=HTMLResponse)
def invoices_page(
    request: Request,
    user: CurrentUser,
    engine: DbEngine,
    state: Annotated[InvoiceState, Query()] = "all",
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Invoices newest first with what is paid, due or over-paid; filter by state and search; links to the PDF."""
    if user.role not in INVOICE_VIEWERS:
        return _forbidden(request, user)
    with engine.connect() as conn:
        found = invoices(conn, state, q)
        counts = invoice_counts(conn)
    context: dict[str, Any] = {"states": INVOICE_STATES, "counts": counts, "state": state, "q": q, "rub": format_rub}
    return render(request, "accounting/invoices.html", user=user, invoices=found, **context)
