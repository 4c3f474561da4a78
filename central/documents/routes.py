"""Printed documents under /api/v1: the invoice PDF (ORD-8) and the order's contract as .docx and PDF (ORD-7).

``GET /api/v1/invoices/{id}/pdf`` — «Счёт на оплату» with the payment QR code; who may read the invoice's
JSON may print it. ``GET /api/v1/orders/{id}/contract.docx`` and ``…/contract.pdf`` — the supply contract
filled from the company's template; the order's people as in the orders API (a sales manager: own orders).
``POST /api/v1/orders/{id}/contract/send`` e-mails both to the customer over SMTP.
``POST /api/v1/orders/{id}/contract/scan`` (multipart, field ``file``) keeps the signed scan (PDF, JPEG or PNG);
``GET …/contract/scan`` downloads the latest one.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from central.auth.staff import CurrentUser, DbEngine, User
from central.documents import contract, scans
from central.documents.invoice_pdf import invoice_customer, invoice_lines, invoice_pdf
from central.documents.mail import Attachment, Letter, MailError, send_mail
from central.documents.settings import DocumentSettings
from central.orders.domain import Forbidden, OrderRefused
from central.orders.routes import REFUSALS, Now, RussianRoute
from central.orders.service import NOT_YOURS, may_order, may_view
from central.payments import routes as payment_routes
from central.settings import CentralSettings

router = APIRouter(prefix="/api/v1", route_class=RussianRoute)  # 422 with a Russian detail

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document_settings(request: Request) -> DocumentSettings:
    """The documents' settings, read once per app (tests put their own on ``app.state.document_settings``)."""
    found = getattr(request.app.state, "document_settings", None)
    if not isinstance(found, DocumentSettings):
        found = DocumentSettings()
        request.app.state.document_settings = found
    return found


Documents = Annotated[DocumentSettings, Depends(document_settings)]


def _attachment(data: bytes, media_type: str, filename: str) -> Response:
    # RFC 6266/5987: Cyrillic file names travel percent-encoded beside an ASCII fallback.
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get("/invoices/{invoice_id}/pdf")
def invoice_document(
    invoice_id: int,
    request: Request,
    user: Annotated[User, Depends(payment_routes.invoice_reader)],
    engine: DbEngine,
    documents: Documents,
) -> Response:
    """«Счёт на оплату» as PDF: requisites, lines, VAT, total in words and the GOST R 56042 payment QR code."""
    invoice = payment_routes.get_invoice(invoice_id, request, user, engine)  # 404 and a manager's own only
    with engine.connect() as conn:
        customer = invoice_customer(conn, invoice_id)
        lines = invoice_lines(conn, invoice_id)
    pdf = invoice_pdf(invoice, customer, lines, documents.vat_percent)
    return _attachment(pdf, "application/pdf", f"Счёт {invoice['number']}.pdf")


def _contract(
    order_id: int, request: Request, user: User, engine: DbEngine, documents: DocumentSettings, sending: bool = False
) -> tuple[bytes, str]:
    """The filled .docx and its title «Договор Д-…», or the refusal (the director reads it, never sends it)."""
    try:
        (may_order if sending else may_view)(user)
    except Forbidden as exc:
        raise HTTPException(403, exc.message) from exc
    settings: CentralSettings = request.app.state.settings
    with engine.connect() as conn:
        order = contract.find_order(conn, order_id)
        if order is None:
            raise HTTPException(404, f"Заказ {order_id} не найден")
        if user.role == "sales_manager" and order.manager_id != user.id:
            raise HTTPException(403, NOT_YOURS)
        context = contract.contract_context(conn, order_id, settings, documents.vat_percent)
    try:
        data = contract.fill_contract(documents.contract_template, context)
    except contract.ContractError as exc:
        raise HTTPException(500, str(exc)) from exc
    return data, f"Договор {context['contract']['number']}"


@router.get("/orders/{order_id}/contract.docx")
def contract_docx(
    order_id: int, request: Request, user: CurrentUser, engine: DbEngine, documents: Documents
) -> Response:
    """The order's supply contract filled from the company's Word template (``contract_template`` setting)."""
    data, title = _contract(order_id, request, user, engine, documents)
    return _attachment(data, DOCX, f"{title}.docx")


@router.get("/orders/{order_id}/contract.pdf")
def contract_pdf(
    order_id: int, request: Request, user: CurrentUser, engine: DbEngine, documents: Documents
) -> Response:
    """The same filled contract as PDF: its text rendered through HTML by WeasyPrint."""
    data, title = _contract(order_id, request, user, engine, documents)
    return _attachment(contract.contract_pdf(data, title), "application/pdf", f"{title}.pdf")


class ContractMailIn(BaseModel):
    """Where the contract goes: ``{"to": "buyer@example.ru"}`` (customers have no e-mail on file yet)."""

    to: str = Field(pattern=r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$", max_length=200, examples=["buyer@example.ru"])
    note: str = Field("", max_length=2000)


@router.post("/orders/{order_id}/contract/send")
def send_contract(
    order_id: int,
    body: ContractMailIn,
    request: Request,
    user: CurrentUser,
    engine: DbEngine,
    documents: Documents,
) -> dict[str, Any]:
    """E-mail the filled contract (.docx for signing and its PDF) to the customer over SMTP."""
    return mail_contract(order_id, body, request, user, engine, documents)


def mail_contract(
    order_id: int, body: ContractMailIn, request: Request, user: User, engine: DbEngine, documents: DocumentSettings
) -> dict[str, Any]:
    """Send the contract letter (the API's and the order card's form): who it went to and what was attached."""
    data, title = _contract(order_id, request, user, engine, documents, sending=True)
    settings: CentralSettings = request.app.state.settings
    text = (
        "Здравствуйте!\n\nНаправляем договор поставки по вашему заказу. Пожалуйста, подпишите его и пришлите "
        "скан подписанного договора в ответ на это письмо.\n\n"
        + (body.note + "\n\n" if body.note else "")
        + f"С уважением,\n{user.full_name}\n{settings.company_name}\n"
    )
    letter = Letter(
        to=body.to,
        subject=f"{title} — {settings.company_name}",
        body=text,
        attachments=[
            Attachment(f"{title}.docx", data, "application", DOCX.removeprefix("application/")),
            Attachment(f"{title}.pdf", contract.contract_pdf(data, title), "application", "pdf"),
        ],
    )
    try:
        message_id = send_mail(documents, letter)
    except MailError as exc:
        raise HTTPException(502, str(exc)) from exc
    return {"sent_to": body.to, "message_id": message_id, "attachments": [a.filename for a in letter.attachments]}


def read_upload(file: UploadFile) -> bytes:
    """The uploaded bytes, read no further than one byte past the scan limit (so a huge file is not held)."""
    return file.file.read(scans.MAX_SCAN_BYTES + 1)


@router.post("/orders/{order_id}/contract/scan", status_code=201, responses=REFUSALS)
def upload_scan(order_id: int, file: UploadFile, user: CurrentUser, engine: DbEngine, moment: Now) -> dict[str, Any]:
    """Attach the signed contract's scan (PDF, JPEG or PNG, up to 10 MB); the order card then shows it signed."""
    try:
        scan_id = scans.store_scan(engine, user, order_id, file.filename or "", read_upload(file), moment)
        return {"id": scan_id, **(scans.signed(engine, user, order_id) or {})}
    except OrderRefused as exc:
        raise HTTPException(exc.status, exc.message) from exc


@router.get("/orders/{order_id}/contract/scan", responses=REFUSALS)
def download_scan(order_id: int, user: CurrentUser, engine: DbEngine) -> Response:
    """The latest signed scan of the order's contract, as uploaded."""
    try:
        scan = scans.latest_scan(engine, user, order_id)
    except OrderRefused as exc:
        raise HTTPException(exc.status, exc.message) from exc
    return _attachment(scan.data, scan.media_type, scan.filename)
