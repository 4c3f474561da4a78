"""Invoices and payments under /api/v1: issue an order's invoice, import statements, enter and match payments.

Refusals answer ``{"detail": "<Russian message>"}`` with 403 (role or another manager's order), 404, 409 (already
invoiced, already matched) or 422 (bad input).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from central.auth.staff import CurrentUser, DbEngine, User
from central.documents.money import Payee, amount_in_words, format_rub, payment_qr_payload, payment_qr_svg
from central.documents.settings import DocumentSettings
from central.orders.domain import OrderRefused
from central.orders.routes import RussianRoute
from central.payments.bank_statement import StatementError
from central.payments.invoicing import issue_invoice
from central.payments.manual import Decision, ManualPayment, decide, match_by_hand, record_payment
from central.payments.service import load_statement
from central.payments.views import unmatched_payments
from central.settings import CentralSettings
from central.store import schema as s

router = APIRouter(prefix="/api/v1", tags=["payments"], route_class=RussianRoute)
MOSCOW = ZoneInfo("Europe/Moscow")

IMPORTERS = ("accountant", "admin")
READERS = ("accountant", "admin", "commercial_director", "dispatcher", "sales_manager", "director")
MAX_STATEMENT_BYTES = 20 * 1024 * 1024


def today() -> dt.date:
    """The business day in Moscow; tests override this dependency."""
    return dt.datetime.now(MOSCOW).date()


def now() -> dt.datetime:
    """The current moment (UTC); tests override this dependency together with ``today``."""
    return dt.datetime.now(dt.UTC)


Today = Annotated[dt.date, Depends(today)]
Now = Annotated[dt.datetime, Depends(now)]


def vat_percent(request: Request) -> int:
    """The VAT rate of the documents' settings (the same ones the invoice PDF prints, kept on the app's state)."""
    found = getattr(request.app.state, "document_settings", None)
    if not isinstance(found, DocumentSettings):
        found = DocumentSettings()
        request.app.state.document_settings = found
    return found.vat_percent


def refused(exc: OrderRefused) -> HTTPException:
    """The HTTP answer of a refused command."""
    return HTTPException(status_code=exc.status, detail=exc.message)


def accountant(user: CurrentUser) -> User:
    """The signed-in user if they may import statements, else 403."""
    if user.role not in IMPORTERS:
        raise HTTPException(403, "Выписки загружают бухгалтер и администратор")
    return user


def invoice_reader(user: CurrentUser) -> User:
    """The signed-in user if they may read invoices, else 403."""
    if user.role not in READERS:
        raise HTTPException(403, "Нет доступа к счетам")
    return user


@router.post("/orders/{order_id}/invoice", status_code=201)
def post_invoice(
    order_id: int, user: CurrentUser, engine: DbEngine, day: Today, rate: Annotated[int, Depends(vat_percent)]
) -> dict[str, Any]:
    """Issue the invoice of a confirmed order (ORD-8): its number, amount and the VAT inside it."""
    try:
        invoice_id = issue_invoice(engine, user, order_id, day, rate)
    except OrderRefused as exc:
        raise refused(exc) from exc
    with engine.connect() as conn:
        row = conn.execute(select(s.invoices).where(s.invoices.c.id == invoice_id)).one()
    return {"id": row.id, "number": row.number, "amount_kop": row.amount_kop, "vat_kop": row.vat_kop}


@router.post("/payments/import")
async def import_payments(
    file: UploadFile, user: Annotated[User, Depends(accountant)], engine: DbEngine, moment: Now
) -> dict[str, Any]:
    """Load a 1CClientBankExchange statement: payments stored once, matched to invoices or left for review."""
    data = await read_statement(file)
    try:
        report = await run_in_threadpool(load_statement, engine, data, moment, user.id)
    except StatementError as exc:
        raise HTTPException(422, f"Выписка не прочитана: {exc}") from exc
    return asdict(report)


async def read_statement(file: UploadFile) -> bytes:
    """The uploaded statement's bytes, 413 when it is larger than any real statement."""
    data = await file.read(MAX_STATEMENT_BYTES + 1)
    if len(data) > MAX_STATEMENT_BYTES:
        raise HTTPException(413, "Файл выписки больше 20 МБ")
    return data


class PaymentIn(BaseModel):
    """A payment entered by hand: the amount in roubles as text, «12 345,67»; the invoice, if known."""

    customer_id: int
    received_on: dt.date
    amount: str = Field(min_length=1, max_length=40, examples=["12 345,67"])
    document_number: str = Field(min_length=1, max_length=20, examples=["512"])
    purpose: str = Field("", max_length=500)
    invoice_id: int | None = None


class MatchIn(BaseModel):
    invoice_id: int


class ReviewIn(BaseModel):
    decision: Decision


@router.post("/payments", status_code=201)
def post_payment(body: PaymentIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Enter a payment by hand (ORD-9), on an invoice of the customer or unmatched for now."""
    entry = ManualPayment(
        customer_id=body.customer_id, received_on=body.received_on, amount=body.amount,
        document_number=body.document_number, purpose=body.purpose, invoice_id=body.invoice_id,
    )  # fmt: skip
    try:
        payment_id = record_payment(engine, user, entry, moment)
    except OrderRefused as exc:
        raise refused(exc) from exc
    return _payment(engine, payment_id)


@router.post("/payments/{payment_id}/match")
def post_match(payment_id: int, body: MatchIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Put an unmatched payment on an open invoice of the same customer; the paid amount grows by the payment."""
    try:
        match_by_hand(engine, user, payment_id, body.invoice_id, moment)
    except OrderRefused as exc:
        raise refused(exc) from exc
    return _payment(engine, payment_id)


@router.post("/payments/{payment_id}/review")
def post_review(payment_id: int, body: ReviewIn, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Decide about an unmatched payment: ``not_ours`` (to be returned) or ``advance`` (kept for the customer)."""
    try:
        decide(engine, user, payment_id, body.decision, moment)
    except OrderRefused as exc:
        raise refused(exc) from exc
    return _payment(engine, payment_id)


@router.get("/payments/unmatched")
def get_unmatched(_user: Annotated[User, Depends(accountant)], engine: DbEngine) -> list[dict[str, Any]]:
    """Payments on no invoice, with the reason and the customer's open invoices they could pay."""
    with engine.connect() as conn:
        found = unmatched_payments(conn)
    return [
        {
            "id": x.id, "received_on": x.received_on.isoformat(), "customer": {"id": x.customer_id,
            "name": x.customer, "inn": x.customer_inn}, "amount_kop": x.amount_kop, "document_number":
            x.document_number, "purpose": x.purpose, "source": x.source, "reason": x.note, "review": x.review,
            "open_invoices": [{"id": i.id, "number": i.number, "due_kop": i.due_kop} for i in x.open_invoices],
        }
        for x in found
    ]  # fmt: skip


def _payment(engine: DbEngine, payment_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        invoice_columns = (s.invoices.c.number.label("invoice_number"), s.invoices.c.amount_kop.label("invoice_kop"))
        row = conn.execute(
            select(s.payments, *invoice_columns, s.invoices.c.paid_kop)
            .outerjoin(s.invoices, s.invoices.c.id == s.payments.c.invoice_id)
            .where(s.payments.c.id == payment_id)
        ).one()
    invoice = None
    if row.invoice_id is not None:
        invoice = {
            "id": row.invoice_id, "number": row.invoice_number, "amount_kop": row.invoice_kop,
            "paid_kop": row.paid_kop, "due_kop": max(row.invoice_kop - row.paid_kop, 0),
            "overpaid_kop": max(row.paid_kop - row.invoice_kop, 0),
        }  # fmt: skip
    return {
        "id": row.id, "customer_id": row.customer_id, "received_on": row.received_on.isoformat(),
        "amount_kop": row.amount_kop, "document_number": row.document_number, "purpose": row.purpose,
        "source": row.source, "review": row.review, "invoice": invoice,
    }  # fmt: skip


def _payee(settings: CentralSettings) -> Payee:
    return Payee(
        name=settings.company_name,
        account=settings.company_account,
        bank_name=settings.company_bank,
        bik=settings.company_bik,
        correspondent_account=settings.company_correspondent_account,
        inn=settings.company_inn,
        kpp=settings.company_kpp,
    )


def _invoice(engine: DbEngine, invoice_id: int, user: User) -> Any:
    with engine.connect() as conn:
        row = conn.execute(
            select(
                s.invoices,
                s.orders.c.number.label("order_number"),
                s.orders.c.manager_id,
                s.customers.c.name.label("customer"),
                s.customers.c.inn.label("customer_inn"),
            )
            .join(s.orders, s.orders.c.id == s.invoices.c.order_id)
            .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
            .where(s.invoices.c.id == invoice_id)
        ).first()
    if row is None or (user.role == "sales_manager" and row.manager_id != user.id):
        raise HTTPException(404, f"Счёт {invoice_id} не найден")
    return row


@router.get("/invoices/{invoice_id}")
def get_invoice(
    invoice_id: int, request: Request, user: Annotated[User, Depends(invoice_reader)], engine: DbEngine
) -> dict[str, Any]:
    """An invoice with VAT, what is paid and due, the amount in words and the payment QR code's content."""
    row = _invoice(engine, invoice_id, user)
    settings: CentralSettings = request.app.state.settings
    purpose = f"Оплата по счету № {row.number} от {row.issued_on:%d.%m.%Y}, в т.ч. НДС {format_rub(row.vat_kop)} руб."
    due = row.amount_kop - row.paid_kop
    return {
        "id": row.id,
        "number": row.number,
        "issued_on": row.issued_on.isoformat(),
        "order": row.order_number,
        "customer": {"name": row.customer, "inn": row.customer_inn},
        "amount_kop": row.amount_kop,
        "vat_kop": row.vat_kop,
        "paid_kop": row.paid_kop,
        "due_kop": due,
        "amount_in_words": amount_in_words(row.amount_kop),
        "payee": asdict(_payee(settings)),
        "payment_qr": payment_qr_payload(_payee(settings), max(due, 0), purpose),
    }


@router.get("/invoices/{invoice_id}/qr.svg")
def invoice_qr(
    invoice_id: int, request: Request, user: Annotated[User, Depends(invoice_reader)], engine: DbEngine
) -> Response:
    """The payment QR code (GOST R 56042) of what is still due, as SVG for printing."""
    data = get_invoice(invoice_id, request, user, engine)
    return Response(payment_qr_svg(data["payment_qr"]), media_type="image/svg+xml")
