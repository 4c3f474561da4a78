"""Warehouse registers at central: expected receipts and claims (WH-7), count tasks and sheets (WH-5, WH-9).

API under /api/v1, pages under /warehouse. Receipts and claims are for the purchasing manager and the warehouse
manager (the dispatcher and the administrator see them too); count sheets are approved by the warehouse manager
or the controlling manager. Other roles get 403 with a Russian message.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from central.auth.staff import CurrentUser, DbEngine, User
from central.warehouse import counts, receipts
from central.web.pages import render

MOSCOW = ZoneInfo("Europe/Moscow")
RECEIPT_ROLES = ("purchasing_manager", "warehouse_manager", "dispatcher", "admin")
CLAIM_ROLES = ("purchasing_manager", "admin")
COUNT_ROLES = ("warehouse_manager", "controlling_manager", "admin")
FORBIDDEN_RECEIPTS = "Недостаточно прав: поставки и претензии ведут менеджер по закупке и менеджер склада"
FORBIDDEN_CLAIMS = "Недостаточно прав: претензии урегулирует менеджер по закупке"
FORBIDDEN_COUNTS = "Недостаточно прав: пересчёты утверждают менеджер склада и контролирующий менеджер"
SHEET_STATUS = {"open": "Ожидает утверждения", "approved": "Утверждена, применяется", "applied": "Применена"}
LINE_STATUS = {"counted": "Посчитано", "applied": "Применено", "refused": "Отклонено складом"}
CLAIM_STATUS = {"open": "Открыта", "settled": "Урегулирована"}

router = APIRouter()


def _role(roles: tuple[str, ...], message: str) -> Any:
    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(status_code=403, detail=message)
        return user

    return Depends(check)


ReceiptUser = Annotated[User, _role(RECEIPT_ROLES, FORBIDDEN_RECEIPTS)]
ClaimUser = Annotated[User, _role(CLAIM_ROLES, FORBIDDEN_CLAIMS)]
CountUser = Annotated[User, _role(COUNT_ROLES, FORBIDDEN_COUNTS)]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _local(value: str | None) -> str:
    if not value:
        return ""
    return dt.datetime.fromisoformat(value).astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M")


def rubles(kop: int) -> str:
    """``rubles(123456) == "1 234,56 ₽"``."""
    whole, part = divmod(abs(kop), 100)
    return ("−" if kop < 0 else "") + f"{whole:,}".replace(",", " ") + f",{part:02d} ₽"


def _page(request: Request, template: str, user: User, **context: Any) -> HTMLResponse:
    return render(
        request,
        template,
        user=user,
        local=_local,
        rubles=rubles,
        sheet_status=SHEET_STATUS,
        line_status=LINE_STATUS,
        claim_status=CLAIM_STATUS,
        **context,
    )


class ExpectedReceiptIn(BaseModel):
    site: str = "W1"


class SettleIn(BaseModel):
    note: str = Field(min_length=1, max_length=1000)


class CountTaskIn(BaseModel):
    site: str = "W1"
    cells: list[str] = Field(default_factory=list)
    sku: str | None = None


@router.post("/api/v1/supply-orders/{number}/expected-receipt", status_code=201)
def send_receipt(number: str, body: ExpectedReceiptIn, _user: ReceiptUser, engine: DbEngine) -> dict[str, Any]:
    """Send an open supply order to a warehouse as an expected receipt; its document code is scanned there."""
    try:
        with engine.begin() as conn:
            code = receipts.send_expected_receipt(conn, number, body.site)
    except receipts.ReceiptRefused as refused:
        raise HTTPException(409, str(refused)) from refused
    return {"receipt": code, "supply_order": number, "site": body.site}


@router.get("/api/v1/receipts")
def list_receipts(_user: ReceiptUser, engine: DbEngine) -> list[dict[str, Any]]:
    """Expected receipts, newest first: sent or closed."""
    with engine.connect() as conn:
        return receipts.receipts(conn)


@router.get("/api/v1/claims")
def list_claims(_user: ReceiptUser, engine: DbEngine, status: str | None = None) -> list[dict[str, Any]]:
    """The claims register: receipt lines with over, under or defective units, with the claim in kopecks."""
    with engine.connect() as conn:
        return receipts.claims(conn, status)


@router.post("/api/v1/claims/{line_id}/settle")
def settle(line_id: int, body: SettleIn, _user: ClaimUser, engine: DbEngine) -> dict[str, Any]:
    """Mark a claim settled with the supplier, with how (credit note, replacement, …)."""
    try:
        with engine.begin() as conn:
            receipts.settle_claim(conn, line_id, body.note, _now())
    except receipts.ReceiptRefused as refused:
        raise HTTPException(409, str(refused)) from refused
    return {"id": line_id, "status": "settled"}


@router.post("/api/v1/count-tasks", status_code=201)
def send_count_task(body: CountTaskIn, user: CountUser, engine: DbEngine) -> dict[str, Any]:
    """Ask a site to count cells by address, or every cell holding an item (``sku``)."""
    try:
        with engine.begin() as conn:
            code = counts.send_count_task(conn, body.site, _now(), body.cells or None, body.sku, user.id)
    except counts.CountRefused as refused:
        raise HTTPException(409, str(refused)) from refused
    return {"task": code, "site": body.site}


@router.get("/api/v1/count-sheets")
def list_sheets(_user: CountUser, engine: DbEngine, status: str | None = None) -> list[dict[str, Any]]:
    """Count sheets (INV-19 style), newest first, with surplus and shortage totals."""
    with engine.connect() as conn:
        return counts.sheets(conn, status)


@router.get("/api/v1/count-sheets/{number}")
def get_sheet(number: str, _user: CountUser, engine: DbEngine) -> dict[str, Any]:
    """One count sheet with its lines: book vs counted per cell and item."""
    with engine.connect() as conn:
        found = counts.sheet(conn, number)
    if found is None:
        raise HTTPException(404, f"Сличительная ведомость {number} не найдена")
    return found


@router.post("/api/v1/count-sheets/{number}/approve")
def approve(number: str, user: CountUser, engine: DbEngine) -> dict[str, Any]:
    """Approve a sheet: its differences go to the site as an adjustment task."""
    try:
        with engine.begin() as conn:
            sent = counts.approve_sheet(conn, number, user.id, _now())
    except counts.CountRefused as refused:
        raise HTTPException(409, str(refused)) from refused
    return {"number": number, "adjustment_lines": sent}


@router.get("/warehouse/claims", response_class=HTMLResponse)
def claims_page(request: Request, user: ReceiptUser, engine: DbEngine) -> HTMLResponse:
    with engine.connect() as conn:
        register = receipts.claims(conn)
        sent = receipts.receipts(conn)
    return _page(request, "warehouse/claims.html", user, claims=register, receipts=sent)


@router.post("/warehouse/claims/{line_id}/settle", response_model=None)
def settle_page(line_id: int, user: ClaimUser, engine: DbEngine, note: Annotated[str, Form(min_length=1)]) -> Response:
    try:
        with engine.begin() as conn:
            receipts.settle_claim(conn, line_id, note, _now())
    except receipts.ReceiptRefused as refused:
        raise HTTPException(409, str(refused)) from refused
    return RedirectResponse("/warehouse/claims", status_code=303)


@router.get("/warehouse/counts", response_class=HTMLResponse)
def counts_page(request: Request, user: CountUser, engine: DbEngine) -> HTMLResponse:
    with engine.connect() as conn:
        found = counts.sheets(conn)
    return _page(request, "warehouse/counts.html", user, sheets=found)


@router.get("/warehouse/counts/{number}", response_class=HTMLResponse)
def sheet_page(number: str, request: Request, user: CountUser, engine: DbEngine) -> HTMLResponse:
    with engine.connect() as conn:
        found = counts.sheet(conn, number)
    if found is None:
        raise HTTPException(404, f"Сличительная ведомость {number} не найдена")
    return _page(request, "warehouse/count_sheet.html", user, sheet=found)


@router.post("/warehouse/counts/{number}/approve", response_model=None)
def approve_page(number: str, user: CountUser, engine: DbEngine) -> Response:
    try:
        with engine.begin() as conn:
            counts.approve_sheet(conn, number, user.id, _now())
    except counts.CountRefused as refused:
        raise HTTPException(409, str(refused)) from refused
    return RedirectResponse(f"/warehouse/counts/{number}", status_code=303)
