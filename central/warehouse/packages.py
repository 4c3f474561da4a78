"""Packages at central (WH-2): the sites' boxes and pallets by SSCC, followed from their events; read by SSCC.

The site owns its packages; central keeps a projection, written inside the inbox transaction
(``project_packages``), and shows a package with its content: ``GET /api/v1/packages/{sscc}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from sqlalchemy import Connection, delete, insert, select, update

from central.auth.staff import CurrentUser, DbEngine
from central.store import schema as s
from central.warehouse import serials
from sync.events import (
    InvalidEvent,
    PackageClosed,
    PackageMoved,
    PackageNested,
    PackageOpened,
    PackageShipped,
    UnitsPacked,
    UnitsUnpacked,
    UnknownSchema,
    read_event,
)
from sync.messages import Event

FOLLOWED = (
    "UnitsPacked", "PackageNested", "PackageClosed", "PackageMoved", "UnitsUnpacked", "PackageOpened", "PackageShipped"
)  # fmt: skip
router = APIRouter()
router.include_router(serials.router)  # serialized units: GET /api/v1/serials/{sku}/{serial}


def project_packages(conn: Connection, site_id: int, events: Sequence[Event], now: datetime) -> int:
    """Apply the run's package facts in order; returns how many could not be placed (unknown item)."""
    mine = [e for e in events if e.type in FOLLOWED]
    if not mine:
        return 0
    items = dict(conn.execute(select(s.items.c.sku, s.items.c.id)).all())
    problems: list[dict[str, object]] = []
    for event in mine:
        try:
            fact = read_event(event.type, event.schema_version, event.payload)
        except (UnknownSchema, InvalidEvent):
            continue  # the inbox has already recorded why
        match fact:
            case UnitsPacked():
                package_id = _ensure(conn, site_id, fact.package, fact.cell_id, event.seq, now)
                item_id = items.get(fact.sku)
                if item_id is None:
                    problems.append(_problem(site_id, event.seq, f"товар {fact.sku} неизвестен", now))
                    continue
                _add_units(conn, package_id, item_id, fact.qty)
            case PackageNested():
                _ensure(conn, site_id, fact.package, fact.cell_id, event.seq, now)
                _ensure(conn, site_id, fact.child, fact.cell_id, event.seq, now)
                _touch(conn, fact.package, event.seq, now, kind="pallet")
                _touch(conn, fact.child, event.seq, now, parent_sscc=fact.package)
            case PackageClosed():
                package_id = _ensure(conn, site_id, fact.package, fact.cell_id, event.seq, now)
                _touch(conn, fact.package, event.seq, now, status="closed", kind=fact.kind)
                # The closing fact carries the package's own units: the truth, whatever came before.
                conn.execute(delete(s.package_units).where(s.package_units.c.package_id == package_id))
                for line in fact.units:
                    if line.sku in items:
                        _add_units(conn, package_id, items[line.sku], line.qty)
                    else:
                        problems.append(_problem(site_id, event.seq, f"товар {line.sku} неизвестен", now))
            case PackageMoved():
                _ensure(conn, site_id, fact.package, fact.from_cell_id, event.seq, now)
                tree = _tree(conn, fact.package)
                conn.execute(
                    update(s.packages)
                    .where(s.packages.c.sscc.in_(tree))
                    .values(cell_id=fact.to_cell_id, seq=event.seq, updated_at=now)
                )
            case UnitsUnpacked():
                package_id = _ensure(conn, site_id, fact.package, fact.cell_id, event.seq, now)
                if fact.sku in items:
                    _add_units(conn, package_id, items[fact.sku], -fact.qty)
                _touch(conn, fact.package, event.seq, now)
            case PackageOpened():
                _ensure(conn, site_id, fact.package, fact.cell_id, event.seq, now)
            case PackageShipped():
                # The package left whole with its children; its units stay on it as the record of what shipped.
                _ensure(conn, site_id, fact.package, fact.cell_id, event.seq, now)
                conn.execute(
                    update(s.packages)
                    .where(s.packages.c.sscc.in_(_tree(conn, fact.package)))
                    .values(shipment=fact.shipment, seq=event.seq, updated_at=now)
                )
    if problems:
        conn.execute(insert(s.sync_exceptions), problems)
    return len(problems)


def _problem(site_id: int, seq: int, message: str, now: datetime) -> dict[str, object]:
    return {"site_id": site_id, "seq": seq, "kind": "unknown_reference", "message": message, "created_at": now}


def _ensure(conn: Connection, site_id: int, sscc: str, cell_id: int, seq: int, now: datetime) -> int:
    package_id = conn.execute(select(s.packages.c.id).where(s.packages.c.sscc == sscc)).scalar()
    if package_id is not None:
        return int(package_id)
    values = {"sscc": sscc, "site_id": site_id, "cell_id": cell_id, "seq": seq, "updated_at": now}
    return int(conn.execute(insert(s.packages).values(**values).returning(s.packages.c.id)).scalar_one())


def _touch(conn: Connection, sscc: str, seq: int, now: datetime, **values: object) -> None:
    conn.execute(update(s.packages).where(s.packages.c.sscc == sscc).values(seq=seq, updated_at=now, **values))


def _add_units(conn: Connection, package_id: int, item_id: int, qty: int) -> None:
    """Add (or, negative, take) units of an item in a package; a line that reaches zero is removed."""
    pu = s.package_units
    where = (pu.c.package_id == package_id) & (pu.c.item_id == item_id)
    held = conn.execute(select(pu.c.qty).where(where)).scalar()
    if held is None:
        if qty > 0:
            conn.execute(insert(pu).values(package_id=package_id, item_id=item_id, qty=qty))
    elif held + qty > 0:
        conn.execute(update(pu).where(where).values(qty=held + qty))
    else:
        conn.execute(delete(pu).where(where))


def _tree(conn: Connection, sscc: str) -> list[str]:
    """The package and every package inside it, at any depth."""
    tree, frontier = [sscc], [sscc]
    while frontier:
        frontier = list(conn.execute(select(s.packages.c.sscc).where(s.packages.c.parent_sscc.in_(frontier))).scalars())
        tree += frontier
    return tree


def package_view(conn: Connection, sscc: str) -> dict[str, Any] | None:
    """A package as the site shows it: own units, children (recursively), everything inside, its cell and site."""
    p = s.packages
    row = conn.execute(
        select(
            p.c.sscc,
            p.c.kind,
            p.c.status,
            p.c.cell_id,
            s.cells.c.address,
            p.c.parent_sscc,
            s.sites.c.code,
            p.c.shipment,
        )
        .join(s.cells, s.cells.c.id == p.c.cell_id)
        .join(s.sites, s.sites.c.id == p.c.site_id)
        .where(p.c.sscc == sscc)
    ).first()
    if row is None:
        return None
    children = [
        package_view(conn, child)
        for child in conn.execute(select(p.c.sscc).where(p.c.parent_sscc == sscc).order_by(p.c.sscc)).scalars()
    ]
    units = _units(conn, [sscc])
    contents = _units(conn, _tree(conn, sscc))
    return {
        "sscc": row.sscc,
        "site": row.code,
        "kind": row.kind,
        "status": "shipped" if row.shipment else row.status,
        "cell_id": row.cell_id,
        "cell": row.address,
        "parent": row.parent_sscc,
        "units": units,
        "children": children,
        "contents": contents,
    }


def _units(conn: Connection, ssccs: list[str]) -> list[dict[str, Any]]:
    pu, p = s.package_units, s.packages
    totals: dict[str, int] = {}
    for sku, qty in conn.execute(
        select(s.items.c.sku, pu.c.qty)
        .join(p, p.c.id == pu.c.package_id)
        .join(s.items, s.items.c.id == pu.c.item_id)
        .where(p.c.sscc.in_(ssccs))
    ):
        totals[sku] = totals.get(sku, 0) + int(qty)
    return [{"sku": sku, "qty": qty} for sku, qty in sorted(totals.items())]


@router.get("/api/v1/packages/{sscc}")
def get_package(sscc: str, _user: CurrentUser, engine: DbEngine) -> dict[str, Any]:
    """A package by SSCC with its content (children included), as the site last reported it."""
    with engine.connect() as conn:
        view = package_view(conn, sscc)
    if view is None:
        raise HTTPException(status_code=404, detail=f"Упаковка {sscc} не найдена")
    return view
