"""The labels API: previews and ZPL of the site's cells, printing any label kind, the printers list.

``GET /api/v1/labels/cell/101.png`` (preview) and ``.zpl``; ``POST /api/v1/labels/print`` with
``{"kind": "cell", "cell_id": 101, "printer": "Упаковка-1"}``; ``POST /api/v1/labels/preview`` with the same
body draws it instead; ``GET /api/v1/printers``. Refusals carry a Russian ``detail`` for the operator.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field
from sqlite_utils import Database

from devices.labels import (
    BoxLabel,
    CellLabel,
    Label,
    PalletLabel,
    PrinterError,
    UnitLabel,
    render_png,
    render_zpl,
)
from edge.labels.printers import PrinterEntry, PrinterRegistry
from edge.warehouse.service import package_weight_g

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1")


def site_db(request: Request) -> Database:
    """The site's database, opened once by the composition root."""
    db: Database = request.app.state.db
    return db


def printers(request: Request) -> PrinterRegistry:
    """The site's printers, built once by the composition root (``app.state.printers``)."""
    registry: PrinterRegistry = request.app.state.printers
    return registry


SiteDb = Annotated[Database, Depends(site_db)]
Printers = Annotated[PrinterRegistry, Depends(printers)]


class Size(BaseModel):
    width_mm: float = Field(58, ge=58, le=200)
    height_mm: float = Field(40, ge=40, le=300)
    dpi: Literal[152, 203, 300, 600] = 203

    @property
    def size(self) -> tuple[float, float]:
        return (self.width_mm, self.height_mm)


LabelSize = Annotated[Size, Depends()]


class LabelRequest(BaseModel):
    """What every label request may say besides its kind: the stock and, for printing, where and how many."""

    width_mm: float = Field(58, ge=58, le=200)
    height_mm: float = Field(40, ge=40, le=300)
    dpi: Literal[152, 203, 300, 600] = 203
    printer: str | None = None
    copies: int = Field(1, ge=1, le=999)


class CellIn(LabelRequest):
    kind: Literal["cell"]
    cell_id: int


class BoxIn(LabelRequest):
    kind: Literal["box"]
    order: str = Field(min_length=1, max_length=40)
    customer: str = Field(max_length=200)
    box: int = Field(ge=1)
    boxes: int = Field(ge=1)
    contents: str = Field(max_length=400)
    sscc: str | None = None
    code: str | None = Field(None, max_length=40)
    weight_kg: Decimal | None = Field(None, gt=0, max_digits=8, decimal_places=3)  # a site's box: computed


class PalletIn(LabelRequest):
    kind: Literal["pallet"]
    sscc: str
    contents: str = Field(max_length=400)
    weight_kg: Decimal | None = Field(None, gt=0, max_digits=8, decimal_places=3)  # omitted: from the contents
    destination: str = Field("", max_length=200)


class UnitIn(LabelRequest):
    kind: Literal["unit"]
    sku: str
    serial: str | None = None


LabelIn = Annotated[CellIn | BoxIn | PalletIn | UnitIn, Field(discriminator="kind")]


class PrinterOut(BaseModel):
    name: str
    host: str
    port: int
    source: str
    unique_id: str
    model: str


class PrintOut(BaseModel):
    printer: PrinterOut
    kind: str
    bytes: int
    zpl: str


def _out(entry: PrinterEntry) -> PrinterOut:
    return PrinterOut(
        name=entry.name,
        host=entry.host,
        port=entry.port,
        source=entry.source,
        unique_id=entry.unique_id,
        model=entry.model,
    )


def cell_label(db: Database, cell_id: int) -> CellLabel:
    """The label of one of this site's cells, from its read copy; 404 in Russian for a cell it does not have."""
    row = db.execute("SELECT id, address, kind FROM cells WHERE id = ?", [cell_id]).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail=f"Ячейки {cell_id} на этом складе нет")
    return CellLabel(int(row[0]), str(row[1]), str(row[2]))


@dataclass(frozen=True)
class Tare:
    """What an empty box and an empty pallet weigh, from the edge's settings (DEV-2)."""

    box_g: int = 300
    pallet_g: int = 25000


def tare(request: Request) -> Tare:
    """The site's tare settings: ``[edge] box_tare_g``, ``pallet_tare_g``."""
    settings = getattr(request.app.state, "settings", None)
    if settings is None:
        return Tare()
    return Tare(settings.box_tare_g, settings.pallet_tare_g)


SiteTare = Annotated[Tare, Depends(tare)]


def gross_kg(db: Database, sscc: str | None, weights: Tare, required: bool) -> Decimal | None:
    """A site package's gross weight in kg from its contents and tare; 422 when required and not computable."""
    grams = None if sscc is None else package_weight_g(db, sscc, weights.box_g, weights.pallet_g)
    if grams is None and required:
        raise HTTPException(
            status_code=422,
            detail=f"Вес упаковки {sscc} не вычислить (нет на площадке или у товара нет веса): укажите weight_kg",
        )
    return None if grams is None else Decimal(grams) / 1000


def build_label(db: Database, body: CellIn | BoxIn | PalletIn | UnitIn, weights: Tare | None = None) -> Label:
    """The label a request describes; 404 for an unknown cell or item, 422 for data a label cannot carry.

    A box or pallet of this site without ``weight_kg`` gets its gross weight from what it holds (DEV-2).
    """
    if isinstance(body, CellIn):
        return cell_label(db, body.cell_id)
    weights = weights or Tare()
    try:
        if isinstance(body, BoxIn):
            weight = body.weight_kg or gross_kg(db, body.sscc, weights, required=False)
            return BoxLabel(
                body.order, body.customer, body.box, body.boxes, body.contents, body.sscc, body.code, weight
            )
        if isinstance(body, PalletIn):
            pallet_weight = body.weight_kg or gross_kg(db, body.sscc, weights, required=True)
            assert pallet_weight is not None  # required: refused above otherwise
            return PalletLabel(body.sscc, body.contents, pallet_weight, body.destination)
        row = db.execute("SELECT name, ean13 FROM items WHERE sku = ?", [body.sku]).fetchone()
        if row is None:
            raise HTTPException(status_code=404, detail=f"Товара с артикулом {body.sku} в каталоге склада нет")
        return UnitLabel(str(row[0]), body.sku, str(row[1] or ""), body.serial)
    except ValueError as error:
        raise HTTPException(status_code=422, detail=f"Этикетку не собрать: {error}") from error


@router.get("/labels/cell/{cell_id}.png", response_class=Response)
def cell_png(cell_id: int, db: SiteDb, size: LabelSize, scale: Annotated[int, Query(ge=1, le=8)] = 1) -> Response:
    """PNG preview of a cell label: ``GET /api/v1/labels/cell/101.png?scale=2``."""
    label = cell_label(db, cell_id)
    return Response(render_png(label, size.size, size.dpi, scale=scale), media_type="image/png")


@router.get("/labels/cell/{cell_id}.zpl", response_class=Response)
def cell_zpl(cell_id: int, db: SiteDb, size: LabelSize) -> Response:
    """The ZPL a printer would get for a cell label: ``GET /api/v1/labels/cell/101.zpl``."""
    zpl = render_zpl(cell_label(db, cell_id), size.size, size.dpi)
    return Response(zpl, media_type="text/plain; charset=utf-8")


@router.post("/labels/preview", response_class=Response)
def preview(body: LabelIn, db: SiteDb, weights: SiteTare) -> Response:
    """PNG preview of any label kind before printing it; the body is the one ``/labels/print`` takes."""
    label = build_label(db, body, weights)
    try:
        png = render_png(label, (body.width_mm, body.height_mm), body.dpi)
    except ValueError as error:
        raise HTTPException(status_code=422, detail=f"Этикетку не собрать: {error}") from error
    return Response(png, media_type="image/png")


@router.post("/labels/print", response_model=PrintOut)
def print_label(body: LabelIn, db: SiteDb, registry: Printers, weights: SiteTare) -> PrintOut:
    """Send a label to a printer: ``{"kind": "cell", "cell_id": 101, "printer": "Упаковка-1"}``; 502 when the
    printer cannot take it."""
    if not body.printer:
        raise HTTPException(status_code=422, detail="Выберите принтер, на котором печатать этикетку")
    entry = registry.get(body.printer)
    if entry is None:
        raise HTTPException(status_code=404, detail=f"Принтер «{body.printer}» не найден ни в настройках, ни в сети")
    label = build_label(db, body, weights)
    try:
        zpl = render_zpl(label, (body.width_mm, body.height_mm), body.dpi, copies=body.copies)
    except ValueError as error:
        raise HTTPException(status_code=422, detail=f"Этикетку не собрать: {error}") from error
    try:
        sent = registry.client(entry).send(zpl, timeout=registry.timeout)
    except PrinterError as error:
        raise HTTPException(status_code=502, detail=error.message) from error
    log.info("printed a %s label on %s (%d bytes)", body.kind, entry.name, sent)
    return PrintOut(printer=_out(entry), kind=body.kind, bytes=sent, zpl=zpl)


@router.get("/printers", response_model=list[PrinterOut])
def list_printers(registry: Printers) -> list[PrinterOut]:
    """The site's label printers: configured ones, then those found by zeroconf."""
    return [_out(entry) for entry in registry.printers()]
