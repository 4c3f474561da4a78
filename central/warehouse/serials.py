"""Serial numbers at central (WH-1): each serialized unit of a site, followed from the site's events.

The site owns where its units are; central keeps a projection written inside the inbox transaction
(``project_serials``): per site, item and serial its cell, package and status (in_stock, shipped, consumed,
written_off) with the site's event that last changed it. ``GET /api/v1/serials/{sku}/{serial}`` shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from sqlalchemy import Connection, and_, insert, select, update

from central.auth.staff import CurrentUser, DbEngine
from central.store import schema as s
from sync.events import (
    Fact,
    InvalidEvent,
    StockAdjusted,
    UnitsMoved,
    UnitsPacked,
    UnitsPicked,
    UnitsReceived,
    UnitsShipped,
    UnitsUnpacked,
    UnknownSchema,
    read_event,
)
from sync.messages import Event

FOLLOWED = (
    "UnitsReceived",
    "UnitsMoved",
    "UnitsPicked",
    "UnitsShipped",
    "UnitsPacked",
    "UnitsUnpacked",
    "StockAdjusted",
)
UNPACKED_STATUS = {"shipped": "shipped", "consumed": "consumed", "adjusted": "written_off"}
KEEP = object()  # leave the unit's package as it is
router = APIRouter()


def project_serials(conn: Connection, site_id: int, events: Sequence[Event], now: datetime) -> None:
    """Apply the run's serial numbers in the site's order: ``project_serials(conn, 1, events, now)``."""
    mine = [e for e in events if e.type in FOLLOWED and e.payload.get("serials")]
    if not mine:
        return
    items = dict(conn.execute(select(s.items.c.sku, s.items.c.id)).all())
    for event in mine:
        try:
            fact = read_event(event.type, event.schema_version, event.payload)
        except (UnknownSchema, InvalidEvent):
            continue  # the inbox has already recorded why
        item_id = items.get(str(getattr(fact, "sku", "")))
        if item_id is None:
            continue  # the inbox recorded the unknown item with the stock change
        for serial in getattr(fact, "serials", []):
            _place(conn, site_id, item_id, serial, event.seq, now, **_where(fact))


def _where(fact: Fact) -> dict[str, Any]:
    """Where a fact leaves its serials: cell, package (or KEEP) and status."""
    match fact:
        case UnitsReceived():
            return {"cell_id": fact.cell_id, "package": fact.package, "status": "in_stock"}
        case UnitsMoved() | UnitsPicked():
            # A package moved whole keeps its units; a loose move carries no package.
            return {"cell_id": fact.to_cell_id, "package": KEEP, "status": "in_stock"}
        case UnitsShipped():
            return {"cell_id": fact.cell_id, "package": fact.package or KEEP, "status": "shipped"}
        case UnitsPacked():
            return {"cell_id": fact.cell_id, "package": fact.package, "status": "in_stock"}
        case UnitsUnpacked():
            return {"cell_id": fact.cell_id, "package": None, "status": UNPACKED_STATUS[fact.reason]}
        case StockAdjusted():
            return {"cell_id": fact.cell_id, "package": None, "status": "in_stock" if fact.delta > 0 else "written_off"}
    raise TypeError(f"no serials in {fact!r}")


def _place(
    conn: Connection,
    site_id: int,
    item_id: int,
    serial: str,
    seq: int,
    now: datetime,
    *,
    cell_id: int | None,
    package: object,
    status: str,
) -> None:
    row = s.serials.c
    key = and_(row.site_id == site_id, row.item_id == item_id, row.serial == serial)
    values: dict[str, Any] = {"cell_id": cell_id, "status": status, "seq": seq, "updated_at": now}
    if package is not KEEP:
        values["package"] = package
    if conn.execute(update(s.serials).where(key).values(**values)).rowcount == 0:
        values.setdefault("package", None)
        conn.execute(insert(s.serials).values(site_id=site_id, item_id=item_id, serial=serial, **values))


def serial_view(conn: Connection, sku: str, serial: str) -> dict[str, Any] | None:
    """Where a unit is, as its site last reported it; a unit seen at several sites: the one in stock, else the
    latest."""
    row = s.serials.c
    rows = conn.execute(
        select(s.sites.c.code, s.cells.c.address, row.cell_id, row.package, row.status, row.seq, row.updated_at)
        .join(s.items, s.items.c.id == row.item_id)
        .join(s.sites, s.sites.c.id == row.site_id)
        .outerjoin(s.cells, s.cells.c.id == row.cell_id)
        .where(s.items.c.sku == sku, row.serial == serial)
    ).all()
    if not rows:
        return None
    found = max(rows, key=lambda r: (r.status == "in_stock", r.updated_at))
    return {
        "sku": sku,
        "serial": serial,
        "site": found.code,
        "cell": found.address,
        "cell_id": found.cell_id,
        "package": found.package,
        "status": found.status,
        "seq": found.seq,
    }


@router.get("/api/v1/serials/{sku}/{serial}")
def get_serial(sku: str, serial: str, _user: CurrentUser, engine: DbEngine) -> dict[str, Any]:
    """A serialized unit by item and serial: its site, cell, package and status."""
    with engine.connect() as conn:
        view = serial_view(conn, sku, serial)
    if view is None:
        raise HTTPException(status_code=404, detail=f"Серийный номер {serial} товара {sku} не найден")
    return view
