"""The dispatch of an order from a site, followed from the site's facts and the logistician's hand (WH-4, WH-6).

Runs inside the caller's transaction: the sync inbox's (``central.dispatch.pick_tasks.project_pick_facts``) or
a logistics service function's. ``ensure_dispatch`` creates the one row per order and site;
``log_shipment`` is the single place a shipment is logged — by the edge's ``UnitsShipped`` or by the
logistician when the driver leaves, whichever comes first; the second is a no-op.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from central.notifications.inbox import notify
from central.store import schema as s

d = s.dispatches.c


@dataclass(frozen=True)
class Logged:
    """A shipment log row: ``fresh`` is False when it had been logged before (nothing changed)."""

    shipment_id: int
    fresh: bool


def ensure_dispatch(conn: Connection, order_id: int, site_id: int, now: dt.datetime, task_id: int | None = None) -> int:
    """The dispatch of the order from the site, created on first need: ``ensure_dispatch(conn, 12, 1, now)``."""
    found = conn.execute(select(d.id).where(d.order_id == order_id, d.site_id == site_id)).scalar()
    if found is not None:
        if task_id is not None:
            conn.execute(update(s.dispatches).where(d.id == found).values(task_id=task_id))
        return int(found)
    return int(
        conn.execute(
            insert(s.dispatches)
            .values(order_id=order_id, site_id=site_id, task_id=task_id, created_at=now)
            .returning(d.id)
        ).scalar_one()
    )


def record_received(
    conn: Connection, order_id: int, site_id: int, task_id: int, at: dt.datetime, now: dt.datetime
) -> None:
    """The site has the pick task (WH-6 keeps when): the first report's time stays."""
    dispatch_id = ensure_dispatch(conn, order_id, site_id, now, task_id)
    conn.execute(
        update(s.dispatches).where(d.id == dispatch_id, d.task_received_at.is_(None)).values(task_received_at=at)
    )


def record_picked(
    conn: Connection,
    order_id: int,
    site_id: int,
    task_id: int,
    picked: dict[str, int],
    short: list[str],
    at: dt.datetime,
    now: dt.datetime,
) -> int:
    """The order is picked (``picked`` is units per SKU as the site reported them): the dispatcher and the
    logisticians are told (WH-4); the dispatch's id."""
    dispatch_id = ensure_dispatch(conn, order_id, site_id, now, task_id)
    conn.execute(
        update(s.dispatches)
        .where(d.id == dispatch_id)
        .values(picked_at=at, picked=picked or None, short_lines="; ".join(short) if short else None)
    )
    order = conn.execute(
        select(s.orders.c.number, s.customers.c.name)
        .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
        .where(s.orders.c.id == order_id)
    ).one()
    site = conn.execute(select(s.sites.c.code).where(s.sites.c.id == site_id)).scalar_one()
    body = f"Заказ {order.number} ({order.name}) собран на складе {site} и ждёт транспорта."
    if short:
        body += " Собран с недостачей: " + "; ".join(short) + "."
    notify(
        conn,
        roles=["dispatcher", "logistician"],
        kind="pick_completed",
        subject=f"Заказ {order.number} собран" + (" с недостачей" if short else ""),
        body=body,
        link=f"/logistics#dispatch-{dispatch_id}",
        now=now,
    )
    return dispatch_id


def log_shipment(
    conn: Connection,
    order_id: int,
    site_id: int,
    shipped_at: dt.datetime,
    now: dt.datetime,
    *,
    received_at: dt.datetime | None = None,
    by: int | None = None,
) -> Logged:
    """Log that the order's goods left the site, once: the shipment row, the order shipped, its reservations
    at the site consumed (the units are gone, so they no longer count as reserved)."""
    known = conn.execute(
        select(s.shipments.c.id).where(s.shipments.c.order_id == order_id, s.shipments.c.site_id == site_id)
    ).scalar()
    if known is not None:
        return Logged(int(known), fresh=False)
    dispatch_id = ensure_dispatch(conn, order_id, site_id, now)
    dispatch = conn.execute(select(d.task_received_at, d.picked_at, d.vehicle_id).where(d.id == dispatch_id)).one()
    received = dispatch.task_received_at or received_at or dispatch.picked_at or shipped_at
    shipment_id = conn.execute(
        insert(s.shipments)
        .values(
            order_id=order_id, site_id=site_id, task_received_at=min(received, shipped_at), shipped_at=shipped_at,
            vehicle_id=dispatch.vehicle_id,
        )
        .returning(s.shipments.c.id)
    ).scalar_one()  # fmt: skip
    conn.execute(update(s.dispatches).where(d.id == dispatch_id).values(shipped_at=shipped_at, shipped_by=by))
    conn.execute(update(s.orders).where(s.orders.c.id == order_id).values(status="shipped"))
    lines = select(s.order_lines.c.id).where(s.order_lines.c.order_id == order_id)
    conn.execute(
        update(s.reservations)
        .where(
            s.reservations.c.order_line_id.in_(lines),
            s.reservations.c.site_id == site_id,
            s.reservations.c.status == "active",
            s.reservations.c.source.like("stock:%"),
        )
        .values(status="consumed")
    )
    return Logged(int(shipment_id), fresh=True)
