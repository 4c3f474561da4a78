"""The stage of each order (ORD-10), as the manager, the dispatcher and later the customer see it.

A stage is derived from facts, never stored: the invoice and its payments, the pick task's progress reported by
the edge, the shipment, the return of the signed documents, an open dispute. ``payment_ok`` and ``complete`` are
the two conditions of DISP-1 for handing an order to picking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from central.store import schema as s
from devices.barcodes import company_code

# An order paid "in advance" (аванс) may be picked once this share of it has been paid.
ADVANCE_SHARE_PERCENT = 50

TITLES: Mapping[str, str] = {
    "draft": "Черновик",
    "confirmed": "Подтверждён",
    "invoiced": "Счёт выставлен",
    "paid": "Оплачен",
    "picking": "Собирается",
    "ready": "Готов к отгрузке",
    "shipped": "Отгружен",
    "documents_received": "Документы получены",
    "completed": "Завершён",
    "dispute": "Спор",
    "cancelled": "Отменён",
}


@dataclass(frozen=True)
class OrderStage:
    """Where an order stands: ``order_stage(conn, 17).title == "Собирается, 40 %"``."""

    order_id: int
    code: str
    title: str
    invoiced_kop: int
    paid_kop: int
    payment_ok: bool
    complete: bool  # every line covered by active stock reservations at one site
    site: str | None  # that site: where the order's pick task goes
    assembled_percent: int
    ready: bool
    shipped_at: dt.datetime | None
    documents_returned_at: dt.datetime | None
    dispute: str | None


def payment_ok(payment_form: str, total_kop: int, paid_kop: int) -> bool:
    """DISP-1's positive payment status: ``payment_ok("advance", 1000_00, 500_00) is True``."""
    if payment_form == "prepayment":
        return paid_kop >= total_kop
    if payment_form == "advance":
        return paid_kop * 100 >= total_kop * ADVANCE_SHARE_PERCENT
    return True  # deferral and consignment are paid after the shipment


def order_stage(conn: Connection, order_id: int) -> OrderStage:
    """One order's stage: ``order_stage(conn, 17)``; KeyError when there is no such order."""
    return order_stages(conn, [order_id])[order_id]


def order_stages(conn: Connection, order_ids: Collection[int]) -> dict[int, OrderStage]:
    """The stages of many orders in a few queries: ``order_stages(conn, [17, 18])[17].code``."""
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    o = s.orders.c
    orders = conn.execute(select(o.id, o.status, o.payment_form, o.total_kop).where(o.id.in_(ids))).all()
    money = _money(conn, ids)
    coverage = _coverage(conn, ids)
    picking = _picking(conn, ids)
    shipped = _shipments(conn, ids)
    disputes = _disputes(conn, ids)
    out: dict[int, OrderStage] = {}
    for order in orders:
        invoiced, paid = money.get(order.id, (0, 0))
        site = coverage.get(order.id)
        task_status, percent = picking.get(order.id, (None, 0))
        shipped_at, returned_at = shipped.get(order.id, (None, None))
        dispute = disputes.get(order.id)
        code = _code(order.status, invoiced, paid, int(order.total_kop), task_status, shipped_at, returned_at, dispute)
        title = TITLES[code] + (f", {percent} %" if code == "picking" else "")
        out[order.id] = OrderStage(
            order_id=order.id, code=code, title=title, invoiced_kop=invoiced, paid_kop=paid,
            payment_ok=payment_ok(order.payment_form, int(order.total_kop), paid), complete=site is not None,
            site=site, assembled_percent=percent, ready=task_status == "done", shipped_at=shipped_at,
            documents_returned_at=returned_at, dispute=dispute,
        )  # fmt: skip
    return out


def _code(
    status: str,
    invoiced: int,
    paid: int,
    total: int,
    task_status: str | None,
    shipped_at: dt.datetime | None,
    returned_at: dt.datetime | None,
    dispute: str | None,
) -> str:
    if status == "cancelled":
        return "cancelled"
    if dispute is not None:
        return "dispute"
    if returned_at is not None:
        return "documents_received"
    if shipped_at is not None or status == "shipped":
        return "shipped"
    if status == "completed":
        return "completed"
    if task_status == "done":
        return "ready"
    if task_status in ("new", "in_work"):
        return "picking"
    if status == "draft":
        return "draft"
    if invoiced and paid >= max(invoiced, total):
        return "paid"
    return "invoiced" if invoiced else "confirmed"


def _money(conn: Connection, ids: list[int]) -> dict[int, tuple[int, int]]:
    i = s.invoices.c
    rows = conn.execute(
        select(i.order_id, func.sum(i.amount_kop), func.sum(i.paid_kop)).where(i.order_id.in_(ids)).group_by(i.order_id)
    )
    return {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in rows}


def _coverage(conn: Connection, ids: list[int]) -> dict[int, str]:
    """Orders whose every line is covered by active stock reservations at one site, with that site."""
    r, ol = s.reservations.c, s.order_lines.c
    held = (
        select(r.order_line_id, s.sites.c.code, func.sum(r.qty).label("qty"))
        .join(s.sites, s.sites.c.id == r.site_id)
        .where(r.status == "active", r.source.like("stock:%"))
        .group_by(r.order_line_id, s.sites.c.code)
        .subquery()
    )
    rows = conn.execute(
        select(ol.order_id, ol.id, ol.qty, held.c.code, held.c.qty)
        .outerjoin(held, held.c.order_line_id == ol.id)
        .where(ol.order_id.in_(ids))
    ).all()
    sites: dict[int, set[str]] = {}
    short: set[int] = set()
    for order_id, _line, qty, site, reserved in rows:
        if site is None or int(reserved or 0) < int(qty):
            short.add(order_id)
        else:
            sites.setdefault(order_id, set()).add(site)
    return {order_id: found.pop() for order_id, found in sites.items() if order_id not in short and len(found) == 1}


def _picking(conn: Connection, ids: list[int]) -> dict[int, tuple[str, int]]:
    """The latest pick task of each order: its status and the share of its units the edge reported picked."""
    t = s.dispatch_tasks.c
    tasks = conn.execute(
        select(t.id, t.order_id, t.site_id, t.status)
        .where(t.order_id.in_(ids), t.kind == "pick", t.status != "cancelled")
        .order_by(t.id)
    ).all()
    latest = {task.order_id: task for task in tasks}
    if not latest:
        return {}
    codes = {company_code("task", task.id): task for task in latest.values()}
    picked: dict[int, int] = {}
    p = s.picked.c
    for task_code, site_id, qty in conn.execute(
        select(p.task, p.site_id, func.sum(p.qty)).where(p.task.in_(list(codes))).group_by(p.task, p.site_id)
    ):
        task = codes[task_code]
        if site_id == task.site_id:
            picked[task.order_id] = int(qty or 0)
    r, ol = s.reservations.c, s.order_lines.c
    to_pick: dict[int, int] = dict(
        conn.execute(
            select(ol.order_id, func.sum(r.qty))
            .select_from(s.reservations)
            .join(s.order_lines, ol.id == r.order_line_id)
            .where(ol.order_id.in_(list(latest)), r.source.like("stock:%"), r.status.in_(("active", "consumed")))
            .group_by(ol.order_id)
        ).all()
    )
    out: dict[int, tuple[str, int]] = {}
    for order_id, task in latest.items():
        whole = int(to_pick.get(order_id) or 0)
        done = picked.get(order_id, 0)
        percent = 100 if task.status == "done" and not whole else min(100, done * 100 // whole) if whole else 0
        out[order_id] = (task.status, percent)
    return out


def _shipments(conn: Connection, ids: list[int]) -> dict[int, tuple[dt.datetime | None, dt.datetime | None]]:
    """Latest ship time per order, and when every shipment's signed documents are back, the last return."""
    sh = s.shipments.c
    rows = conn.execute(
        select(sh.order_id, func.max(sh.shipped_at), func.count(), func.count(sh.documents_returned_at),
               func.max(sh.documents_returned_at))
        .where(sh.order_id.in_(ids))
        .group_by(sh.order_id)
    ).all()  # fmt: skip
    return {r[0]: (r[1], r[4] if r[2] == r[3] else None) for r in rows}


def _disputes(conn: Connection, ids: list[int]) -> dict[int, str]:
    d = s.order_disputes.c
    rows = conn.execute(select(d.order_id, d.reason).where(d.order_id.in_(ids), d.closed_at.is_(None)).order_by(d.id))
    return {int(row.order_id): str(row.reason) for row in rows}
