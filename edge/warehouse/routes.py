"""The warehouse's HTTP API on the edge; routes only read or hand a command to the service layer."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel
from sqlite_utils import Database

from edge.warehouse.service import package_view, stock_rows

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
