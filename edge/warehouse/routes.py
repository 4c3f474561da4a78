"""The warehouse's HTTP API on the edge; routes only read or hand a command to the service layer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlite_utils import Database

from edge.warehouse.service import stock_rows

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
