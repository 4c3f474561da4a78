"""The warehouse's HTTP API on the edge; routes only read or hand a command to the service layer."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlite_utils import Database

from edge.terminal.service import Terminals
from edge.terminal.session import new_package_cell
from edge.warehouse.domain import Refused
from edge.warehouse.service import open_new_package, package_view, serial_rows, stock_rows

router = APIRouter(prefix="/api/v1")


class StockRow(BaseModel):
    sku: str
    cell: str
    qty: int


def site_db(request: Request) -> Database:
    """The site's database, opened once by the composition root."""
    db: Database = request.app.state.db
    return db


@router.get("/stock", response_model=list[StockRow])
def stock(request: Request) -> list[dict[str, object]]:
    """The site's stock per item and cell, sorted by sku then cell — equal to central's copy once sync is idle."""
    return stock_rows(site_db(request))


@router.get("/packages/{sscc}")
def package(sscc: str, request: Request) -> dict[str, object]:
    """A box or pallet by SSCC: its cell, status, own units, children and everything inside (WH-2)."""
    view = package_view(site_db(request), sscc)
    if view is None:
        raise HTTPException(status_code=404, detail=f"Упаковка {sscc} не найдена на площадке")
    return view


@router.get("/serials")
def serials(request: Request, sku: Annotated[str | None, Query(max_length=64)] = None) -> list[dict[str, object]]:
    """Serialized units of the site (WH-1): where each is (cell, package) or how it left, optionally of one sku."""
    return serial_rows(site_db(request), sku)


class NewPackageIn(BaseModel):
    workstation: str = Field(min_length=1, max_length=40)


@router.post("/packages/new")
def new_package(body: NewPackageIn, request: Request) -> dict[str, object]:
    """«Новая коробка»: the site issues the next SSCC, opens the box at the pack session's cell and the handheld
    carries on with it as if its label had been scanned — no pre-printed SSCC labels needed.

    Answers like a scan: the handheld's screen, ``ok`` false with the reason when a box cannot be opened now.
    """
    terminals: Terminals = request.app.state.terminals
    settings = request.app.state.settings
    operator = terminals.operators.get(body.workstation)
    session = terminals.sessions.get(body.workstation)
    if operator is None or session is None:
        raise HTTPException(status_code=409, detail="Войдите: отсканируйте бейдж и введите PIN-код")
    cell, refusal = new_package_cell(session)
    sscc = None
    if cell is not None:
        try:
            with terminals.lock:
                sscc = open_new_package(
                    terminals.db,
                    cell.id,
                    settings.gs1_company_prefix,
                    settings.sscc_extension,
                    f"badge:{operator.badge}",
                )
        except Refused as refused:
            refusal = refused.message
    if sscc is None:
        screen = replace(terminals.state(body.workstation), ok=False, message=refusal)
        return {"sscc": None, **asdict(screen), "beep": screen.beep}
    feedback = terminals.scan(body.workstation, sscc, source="new-package")
    return {"sscc": sscc, **asdict(feedback), "beep": feedback.beep}


def _rows(db: Database, sql: str) -> list[dict[str, object]]:
    cursor = db.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@router.get("/items")
def items(request: Request) -> list[dict[str, object]]:
    """The catalogue as this site holds it (central's read copy): sku, name, unit barcode, tracking flags."""
    return _rows(site_db(request), "SELECT sku, name, ean13, serialized, lot_tracked FROM items ORDER BY sku")


@router.get("/cells")
def cells(request: Request) -> list[dict[str, object]]:
    """The site's addressed cells with their label barcodes and kinds."""
    return _rows(site_db(request), "SELECT id, address, barcode, kind FROM cells ORDER BY id")


@router.get("/staff")
def staff(request: Request) -> list[dict[str, object]]:
    """Who can sign in at this site's terminals (never the PIN hashes)."""
    return _rows(site_db(request), "SELECT badge, full_name, role FROM staff WHERE pin_hash IS NOT NULL ORDER BY badge")
