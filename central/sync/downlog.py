"""The per-site downstream log and the snapshot a new or wiped edge starts from.

Central appends what a site must know (catalogue deltas, tasks, expected receipts, staff) with the next
per-site sequence; the sync worker sends it on and the edge applies it in order. ``append_down`` runs in the
transaction of the change it announces, the same promise the edge's outbox makes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from central.store import schema as s
from sync.messages import DownMessage

# Down message kinds the edge understands: read copies upserted by key, and tasks.
KINDS = ("items", "cells", "staff", "task")


def site_id_of(conn: Connection, site: str) -> int:
    """``site_id_of(conn, "W1")``; LookupError for an unknown code."""
    found = conn.execute(select(s.sites.c.id).where(s.sites.c.code == site)).scalar()
    if found is None:
        raise LookupError(f"unknown site {site!r}")
    return int(found)


def append_down(conn: Connection, site: str, kind: str, payload: dict[str, Any]) -> int:
    """Queue a message for a site in the caller's transaction: ``append_down(conn, "W1", "task", {...})``."""
    if kind not in KINDS:
        raise ValueError(f"unknown downstream kind {kind!r}; known: {', '.join(KINDS)}")
    site_id = site_id_of(conn, site)
    # Serialize appends per site: the row lock (PostgreSQL) or the write lock (SQLite) makes max+1 safe.
    conn.execute(update(s.sites).where(s.sites.c.id == site_id).values(code=s.sites.c.code))
    seq = (
        int(
            conn.execute(
                select(func.coalesce(func.max(s.down_log.c.seq), 0)).where(s.down_log.c.site_id == site_id)
            ).scalar_one()
        )
        + 1
    )
    conn.execute(
        insert(s.down_log).values(
            site_id=site_id,
            seq=seq,
            kind=kind,
            payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
            created_at=datetime.now(UTC),
        )
    )
    return seq


def down_head(conn: Connection, site_id: int) -> int:
    """The newest downstream sequence of a site (0 when nothing was ever sent)."""
    return int(
        conn.execute(
            select(func.coalesce(func.max(s.down_log.c.seq), 0)).where(s.down_log.c.site_id == site_id)
        ).scalar_one()
    )


def read_down(conn: Connection, site_id: int, after: int, limit: int) -> list[DownMessage]:
    """Log entries after ``after``, oldest first: ``read_down(conn, 1, 0, 500)``."""
    rows = conn.execute(
        select(s.down_log.c.seq, s.down_log.c.kind, s.down_log.c.payload)
        .where(s.down_log.c.site_id == site_id, s.down_log.c.seq > after)
        .order_by(s.down_log.c.seq)
        .limit(limit)
    ).all()
    return [DownMessage(seq=seq, kind=kind, payload=json.loads(payload)) for seq, kind, payload in rows]


def snapshot(conn: Connection, site: str) -> dict[str, Any]:
    """Everything a new or wiped edge needs, consistent with ``head`` (read in one transaction)."""
    site_id = site_id_of(conn, site)
    items = [
        {
            "sku": sku,
            "name": name,
            "ean13": ean13,
            "uom": uom,
            "serialized": int(ser),
            "lot_tracked": int(lot),
            "weight_g": weight,  # the box and pallet labels' gross weight (DEV-2)
        }
        for sku, name, ean13, uom, ser, lot, weight in conn.execute(
            select(
                s.items.c.sku,
                s.items.c.name,
                s.items.c.ean13,
                s.items.c.uom,
                s.items.c.serialized,
                s.items.c.lot_tracked,
                s.items.c.weight_g,
            )
        ).all()
    ]
    cells = [
        {"id": cid, "address": address, "barcode": barcode, "kind": kind}
        for cid, address, barcode, kind in conn.execute(
            select(s.cells.c.id, s.cells.c.address, s.cells.c.barcode, s.cells.c.kind).where(
                s.cells.c.site_id == site_id
            )
        ).all()
    ]
    staff = [
        {"badge": badge, "full_name": name, "role": role, "pin_hash": pin}
        for badge, name, role, pin in conn.execute(
            select(s.users.c.badge, s.users.c.full_name, s.users.c.role, s.users.c.pin_hash).where(
                s.users.c.badge.is_not(None), s.users.c.pin_hash.is_not(None), s.users.c.active.is_(True)
            )
        ).all()
    ] + [
        {"badge": badge, "full_name": name, "role": "worker", "pin_hash": pin}
        for badge, name, pin in conn.execute(
            select(s.workers.c.badge, s.workers.c.full_name, s.workers.c.pin_hash).where(
                s.workers.c.pin_hash.is_not(None)
            )
        ).all()
    ]
    stock = [
        {"sku": sku, "cell_id": cell_id, "qty": qty}
        for sku, cell_id, qty in conn.execute(
            select(s.items.c.sku, s.stock.c.cell_id, s.stock.c.qty)
            .join(s.items, s.items.c.id == s.stock.c.item_id)
            .where(s.stock.c.site_id == site_id, s.stock.c.qty > 0)
        ).all()
    ]
    tasks = [m.payload for m in read_down(conn, site_id, 0, 1_000_000) if m.kind == "task"]
    packages = [
        {"sscc": sscc, "cell_id": cell_id, "parent": parent, "status": status, "shipment": shipment}
        for sscc, cell_id, parent, status, shipment in conn.execute(
            select(
                s.packages.c.sscc,
                s.packages.c.cell_id,
                s.packages.c.parent_sscc,
                s.packages.c.status,
                s.packages.c.shipment,
            ).where(s.packages.c.site_id == site_id)
        ).all()
    ]
    package_units = [
        {"sscc": sscc, "sku": sku, "qty": qty}
        for sscc, sku, qty in conn.execute(
            select(s.packages.c.sscc, s.items.c.sku, s.package_units.c.qty)
            .join(s.packages, s.packages.c.id == s.package_units.c.package_id)
            .join(s.items, s.items.c.id == s.package_units.c.item_id)
            .where(s.packages.c.site_id == site_id)
        ).all()
    ]
    # Serialized units (WH-1): a rebuilt edge must still refuse a serial already in stock and find each unit.
    serials = [
        {"sku": sku, "serial": serial, "cell_id": cell_id, "package": package, "status": status, "seq": seq}
        for sku, serial, cell_id, package, status, seq in conn.execute(
            select(
                s.items.c.sku,
                s.serials.c.serial,
                s.serials.c.cell_id,
                s.serials.c.package,
                s.serials.c.status,
                s.serials.c.seq,
            )
            .join(s.items, s.items.c.id == s.serials.c.item_id)
            .where(s.serials.c.site_id == site_id)
        ).all()
    ]
    applied = conn.execute(select(s.sync_sites.c.applied_seq).where(s.sync_sites.c.site_id == site_id)).scalar()
    return {
        "items": items,
        "cells": cells,
        "staff": staff,
        "stock": stock,
        "tasks": tasks,
        "packages": packages,
        "package_units": package_units,
        "serials": serials,
        "up_seq": int(applied or 0),
        "head": down_head(conn, site_id),
    }
