"""The logistician's work after picking (LOG-1, LOG-2): each public function owns its transaction.

``board(engine, today, settings)`` — what the page shows; ``book_carrier`` / ``book_van`` — the transport;
``choose_document`` — TORG-12 or UPD; ``register_dispatch`` — the driver left (idempotent with the edge's
``UnitsShipped``); ``documents_returned`` — the signed copies are back. Refusals raise ``Refused``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, true, update

from central.dispatch.calendar import MOSCOW
from central.dispatch.routing import DEFAULT_DEPOT, DEPOTS, current_routes
from central.logistics import dispatches
from central.logistics.domain import (
    DOCUMENT_TITLES,
    Line,
    Refused,
    carrier_cost,
    road_metres,
    shipped,
    van_overload,
)
from central.logistics.settings import LogisticsSettings
from central.store import schema as s
from optimizer.routes.distance import Place

d = s.dispatches.c
BOOKING_ROLES = ("logistician", "dispatcher", "admin")
READING_ROLES = (*BOOKING_ROLES, "director", "commercial_director", "sales_manager", "accountant")


@dataclass(frozen=True)
class Load:
    """An order's load and where it goes."""

    weight_g: int
    volume_cm3: int
    metres: int


def local_day(moment: dt.datetime) -> dt.date:
    """The Moscow business day: ``local_day(datetime(2026, 11, 23, 22, tzinfo=UTC)) == date(2026, 11, 24)``."""
    return moment.astimezone(MOSCOW).date()


def due_on(row: Any, settings: LogisticsSettings) -> dt.date | None:
    """When the signed documents are due back: the agreed date, else the shipping day + the setting's days."""
    agreed: dt.date | None = row.documents_due_on
    if agreed is not None:
        return agreed
    if row.shipped_at is None:
        return None
    return local_day(row.shipped_at) + dt.timedelta(days=settings.documents_return_days)


def dispatch_row(conn: Connection, dispatch_id: int) -> Any:
    """The dispatch with its order, site, customer place and shipment log, or ``Refused`` 404."""
    row = conn.execute(
        select(
            s.dispatches,
            s.orders.c.number,
            s.orders.c.manager_id,
            s.sites.c.code.label("site"),
            s.customers.c.lat,
            s.customers.c.lon,
            s.shipments.c.id.label("shipment_id"),
            s.shipments.c.shipped_at.label("logged_at"),
            s.shipments.c.documents_returned_at,
        )
        .join(s.orders, s.orders.c.id == d.order_id)
        .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
        .join(s.sites, s.sites.c.id == d.site_id)
        .outerjoin(s.shipments, (s.shipments.c.order_id == d.order_id) & (s.shipments.c.site_id == d.site_id))
        .where(d.id == dispatch_id)
    ).first()
    if row is None:
        raise Refused(f"Отгрузка {dispatch_id} не найдена", 404)
    return row


def lines_of(conn: Connection, order_id: int, picked: dict[str, int] | None) -> list[Line]:
    """The lines that leave with the dispatch: the order's, cut to what the site picked when it reported that."""
    rows = conn.execute(
        select(s.items.c.sku, s.items.c.name, s.items.c.uom, s.order_lines.c.qty, s.order_lines.c.price_kop,
               s.items.c.weight_g, s.items.c.volume_cm3)
        .join(s.items, s.items.c.id == s.order_lines.c.item_id)
        .where(s.order_lines.c.order_id == order_id)
        .order_by(s.order_lines.c.id)
    )  # fmt: skip
    lines = [Line(r.sku, r.name, r.uom, int(r.qty), int(r.price_kop), int(r.weight_g), int(r.volume_cm3)) for r in rows]
    return shipped(lines, picked)


def load_of(conn: Connection, row: Any) -> Load:
    """The dispatch's weight and volume (its items × quantities) and the road metres from the warehouse."""
    lines = lines_of(conn, row.order_id, row.picked)
    return Load(
        sum(x.weight_g * x.qty for x in lines),
        sum(x.volume_cm3 * x.qty for x in lines),
        road_metres(DEPOTS.get(row.site, DEFAULT_DEPOT), Place(row.lat, row.lon)),
    )


def _open_for_booking(row: Any) -> None:
    if row.shipment_id is not None:
        raise Refused(f"Заказ {row.number} уже отгружен: транспорт не меняют")


def book_carrier(
    engine: Engine,
    dispatch_id: int,
    tariff_id: int,
    day: dt.date,
    user_id: int,
    now: dt.datetime,
    booking_number: str = "",
    comment: str = "",
) -> int:
    """Order a transport company for the shipment at its tariff; the price in kopecks.

    ``book_carrier(engine, 7, tariff_id=2, day=date(2026, 11, 24), user_id=5, now=now, booking_number="ПЭК-1")``.
    """
    with engine.begin() as conn:
        row = dispatch_row(conn, dispatch_id)
        _open_for_booking(row)
        tariff = conn.execute(select(s.carrier_tariffs).where(s.carrier_tariffs.c.id == tariff_id)).first()
        if tariff is None:
            raise Refused(f"Тариф перевозчика {tariff_id} не найден", 404)
        load = load_of(conn, row)
        cost = carrier_cost(tariff.base_kop, tariff.per_kg_kop, tariff.per_km_kop, load.weight_g, load.metres)
        conn.execute(
            update(s.dispatches)
            .where(d.id == dispatch_id)
            .values(
                mode="carrier", carrier_tariff_id=tariff_id, vehicle_id=None, delivery_day=day,
                distance_m=load.metres, weight_g=load.weight_g, volume_cm3=load.volume_cm3, cost_kop=cost,
                booking_number=booking_number.strip() or None, comment=comment.strip() or None, booked_at=now,
                booked_by=user_id,
            )
        )  # fmt: skip
        return cost


def book_van(engine: Engine, dispatch_id: int, vehicle_id: int, day: dt.date, user_id: int, now: dt.datetime) -> int:
    """Put the shipment on an own van's route of a day, if the van can take it: the kilometres' cost.

    Refused (nothing written) when the van's weight or volume would be exceeded by the day's loads.
    """
    with engine.begin() as conn:
        row = dispatch_row(conn, dispatch_id)
        _open_for_booking(row)
        # The van's row is locked (PostgreSQL; SQLite writers queue anyway) so two bookings of one van and day
        # cannot both pass the capacity check.
        van = conn.execute(select(s.vehicles).where(s.vehicles.c.id == vehicle_id).with_for_update()).first()
        if van is None:
            raise Refused(f"Машина {vehicle_id} не найдена", 404)
        load = load_of(conn, row)
        loaded_g, loaded_cm3 = conn.execute(
            select(func.coalesce(func.sum(d.weight_g), 0), func.coalesce(func.sum(d.volume_cm3), 0)).where(
                d.mode == "van", d.vehicle_id == vehicle_id, d.delivery_day == day, d.id != dispatch_id
            )
        ).one()
        why = van_overload(
            van.plate, f"{day:%d.%m.%Y}", van.capacity_kg, van.capacity_m3_milli, int(loaded_g), int(loaded_cm3),
            load.weight_g, load.volume_cm3,
        )  # fmt: skip
        if why:
            raise Refused(why)
        cost = van.cost_per_km_kop * -(-2 * load.metres // 1000)  # there and back, started kilometres
        conn.execute(
            update(s.dispatches)
            .where(d.id == dispatch_id)
            .values(
                mode="van", vehicle_id=vehicle_id, carrier_tariff_id=None, delivery_day=day, distance_m=load.metres,
                weight_g=load.weight_g, volume_cm3=load.volume_cm3, cost_kop=cost, booking_number=None,
                booked_at=now, booked_by=user_id,
            )
        )  # fmt: skip
        return int(cost)


def choose_document(engine: Engine, dispatch_id: int, kind: str) -> None:
    """TORG-12 or UPD for this shipment: ``choose_document(engine, 7, "torg12")``."""
    if kind not in ("torg12", "upd"):
        raise Refused("Документ отгрузки — ТОРГ-12 или УПД", 422)
    with engine.begin() as conn:
        dispatch_row(conn, dispatch_id)
        printed = conn.execute(
            select(s.dispatch_documents.c.kind).where(
                s.dispatch_documents.c.dispatch_id == dispatch_id, s.dispatch_documents.c.kind.in_(("torg12", "upd"))
            )
        ).scalar()
        if printed is not None and printed != kind:
            raise Refused(f"По отгрузке уже напечатан документ {DOCUMENT_TITLES[printed]}: вид не меняют")
        conn.execute(update(s.dispatches).where(d.id == dispatch_id).values(document_kind=kind))


def register_dispatch(engine: Engine, dispatch_id: int, user_id: int, now: dt.datetime) -> dispatches.Logged:
    """The driver left: log the shipment now, unless the site already reported it (then nothing changes)."""
    with engine.begin() as conn:
        row = dispatch_row(conn, dispatch_id)
        if row.shipment_id is None and row.picked_at is None:
            raise Refused(f"Заказ {row.number} ещё не собран: отправку регистрируют после сборки")
        return dispatches.log_shipment(conn, row.order_id, row.site_id, now, now, by=user_id)


def documents_returned(engine: Engine, dispatch_id: int, on: dt.date | None, user_id: int, now: dt.datetime) -> None:
    """The signed documents are back (on a date, today by default); a second mark changes nothing."""
    with engine.begin() as conn:
        row = dispatch_row(conn, dispatch_id)
        if row.shipment_id is None:
            raise Refused(f"Заказ {row.number} ещё не отгружен: возврат документов отмечают после отправки")
        if row.documents_returned_at is not None:
            return
        when = now if on is None else dt.datetime.combine(on, dt.time(12), MOSCOW)
        if when > now + dt.timedelta(days=1):
            raise Refused("Дата возврата документов не может быть в будущем", 422)
        conn.execute(update(s.shipments).where(s.shipments.c.id == row.shipment_id).values(documents_returned_at=when))
        conn.execute(update(s.dispatches).where(d.id == dispatch_id).values(documents_returned_by=user_id))


def set_due(engine: Engine, dispatch_id: int, on: dt.date) -> None:
    """The date the customer agreed to return the signed documents by: ``set_due(engine, 7, date(2026, 12, 5))``."""
    with engine.begin() as conn:
        dispatch_row(conn, dispatch_id)
        conn.execute(update(s.dispatches).where(d.id == dispatch_id).values(documents_due_on=on, last_reminded_at=None))


def board(engine: Engine, today: dt.date, settings: LogisticsSettings, manager_id: int | None = None) -> dict[str, Any]:
    """The page's content: ready (picked, waiting for transport), picking, and waiting for documents; with
    ``manager_id`` only that manager's orders (what a sales manager sees)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                s.dispatches,
                s.orders.c.number,
                s.orders.c.deadline,
                s.customers.c.name.label("customer"),
                s.customers.c.delivery_address,
                s.customers.c.window_from_min,
                s.customers.c.window_to_min,
                s.customers.c.lat,
                s.customers.c.lon,
                s.users.c.full_name.label("manager"),
                s.sites.c.code.label("site"),
                s.carrier_tariffs.c.carrier,
                s.vehicles.c.plate,
                s.shipments.c.id.label("shipment_id"),
                s.shipments.c.shipped_at.label("logged_at"),
                s.shipments.c.documents_returned_at,
            )
            .join(s.orders, s.orders.c.id == d.order_id)
            .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
            .join(s.users, s.users.c.id == s.orders.c.manager_id)
            .join(s.sites, s.sites.c.id == d.site_id)
            .outerjoin(s.carrier_tariffs, s.carrier_tariffs.c.id == d.carrier_tariff_id)
            .outerjoin(s.vehicles, s.vehicles.c.id == d.vehicle_id)
            .outerjoin(s.shipments, (s.shipments.c.order_id == d.order_id) & (s.shipments.c.site_id == d.site_id))
            .where(
                s.shipments.c.documents_returned_at.is_(None),
                s.orders.c.manager_id == manager_id if manager_id is not None else true(),
            )
            .order_by(s.orders.c.deadline, s.orders.c.number)
        ).all()
        tariffs = conn.execute(select(s.carrier_tariffs).order_by(s.carrier_tariffs.c.id)).all()
        vans = conn.execute(select(s.vehicles).order_by(s.vehicles.c.id)).all()
        printed: dict[int, dict[str, int]] = {}
        for doc in conn.execute(
            select(s.dispatch_documents).where(s.dispatch_documents.c.dispatch_id.in_([r.id for r in rows]))
        ):
            printed.setdefault(doc.dispatch_id, {})[doc.kind] = doc.number
        plans: dict[tuple[str, dt.date], dict[str, Any]] = {}
        ready: list[dict[str, Any]] = []
        picking: list[dict[str, Any]] = []
        waiting: list[dict[str, Any]] = []
        for r in rows:
            item = _item(conn, r, settings, printed.get(r.id, {}))
            if r.shipment_id is not None:
                due = due_on(r, settings)
                item["due_on"] = due
                item["overdue_days"] = max(0, (today - due).days) if due else 0
                waiting.append(item)
                continue
            day = r.delivery_day or today
            if (r.site, day) not in plans:
                plans[(r.site, day)] = (current_routes(conn, r.site, day) or {}).get("orders", {})
            item["proposal"] = plans[(r.site, day)].get(r.number)
            item["quotes"] = [
                {
                    "tariff_id": t.id,
                    "carrier": t.carrier,
                    "cost_kop": carrier_cost(t.base_kop, t.per_kg_kop, t.per_km_kop, item["weight_g"], item["metres"]),
                }
                for t in tariffs
            ]
            (ready if r.picked_at is not None else picking).append(item)
    return {"ready": ready, "picking": picking, "waiting": waiting, "vans": [v._asdict() for v in vans]}


def _item(conn: Connection, r: Any, settings: LogisticsSettings, printed: dict[str, int]) -> dict[str, Any]:
    load = load_of(conn, r)
    return {
        "id": r.id,
        "order": r.number,
        "order_id": r.order_id,
        "site": r.site,
        "customer": r.customer,
        "address": r.delivery_address,
        "window": f"{r.window_from_min // 60:02d}:{r.window_from_min % 60:02d}–"
        f"{r.window_to_min // 60:02d}:{r.window_to_min % 60:02d}",
        "deadline": r.deadline,
        "manager": r.manager,
        "picked_at": r.picked_at,
        "short_lines": r.short_lines,
        "weight_g": load.weight_g,
        "volume_cm3": load.volume_cm3,
        "metres": load.metres,
        "mode": r.mode,
        "carrier": r.carrier,
        "plate": r.plate,
        "delivery_day": r.delivery_day,
        "cost_kop": r.cost_kop,
        "booking_number": r.booking_number,
        "comment": r.comment,
        "document_kind": r.document_kind or settings.default_document,
        "printed": printed,
        "shipped_at": r.logged_at,
        "shipped_on": local_day(r.logged_at) if r.logged_at is not None else None,
    }
