"""An order of known figures for the logistics tests: own customer, items and prices, so the expected costs and
the documents' text do not move when the demo company changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Engine, insert, select

from central.logistics import dispatches
from central.store import schema as s

UTC = dt.UTC
PICKED = dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DEPOT_LAT, DEPOT_LON = 55.7558, 37.6173  # W1 in central.dispatch.routing.DEPOTS


def customer(engine: Engine, inn: str = "7707083893", lat: float = DEPOT_LAT + 0.1, lon: float = DEPOT_LON) -> int:
    """ООО «Ромашка», a customer of manager01, 0.1° of latitude north of the warehouse by default."""
    with engine.begin() as conn:
        manager = conn.execute(select(s.users.c.id).where(s.users.c.login == "manager01")).scalar_one()
        return int(
            conn.execute(
                insert(s.customers)
                .values(name="ООО «Ромашка»", inn=inn, kpp="770701001", ogrn="1027700132195", bank_bik="044525974",
                        bank_name="АО «ТБанк»", correspondent_account="30101810145250000974",
                        settlement_account="40702810910000000001", legal_address="125009, г. Москва, ул. Тверская, д. 1",
                        delivery_address="г. Химки, ул. Заводская, д. 5", lat=lat, lon=lon, window_from_min=540,
                        window_to_min=1080, phone="+7 495 000-00-01", price_list_id=1, manager_id=manager,
                        payment_method="advance", created_at=dt.datetime(2026, 11, 1, tzinfo=UTC))
                .returning(s.customers.c.id)
            ).scalar_one()
        )  # fmt: skip


def item(engine: Engine, sku: str, name: str, weight_g: int, volume_cm3: int, ean: str) -> int:
    with engine.begin() as conn:
        return int(
            conn.execute(
                insert(s.items)
                .values(sku=sku, name=name, kind="finished", uom="шт", ean13=ean, weight_g=weight_g,
                        volume_cm3=volume_cm3, planned_cost_kop=100)
                .returning(s.items.c.id)
            ).scalar_one()
        )  # fmt: skip


def picked_order(
    engine: Engine, number: str, customer_id: int, lines: Sequence[tuple[int, int, int]], site: str = "W1"
) -> tuple[int, int]:
    """An order of (item, qty, price) lines, picked at the site: (order id, dispatch id)."""
    total = sum(qty * price for _item, qty, price in lines)
    with engine.begin() as conn:
        manager = conn.execute(select(s.users.c.id).where(s.users.c.login == "manager01")).scalar_one()
        order = conn.execute(
            insert(s.orders)
            .values(number=number, customer_id=customer_id, manager_id=manager, status="picking", source="manager",
                    created_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC), deadline=dt.date(2026, 12, 1),
                    payment_form="advance", return_terms="defects_only", total_kop=total)
            .returning(s.orders.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            insert(s.order_lines),
            [{"order_id": order, "item_id": i, "qty": qty, "price_kop": price} for i, qty, price in lines],
        )
        site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == site)).scalar_one()
        dispatch = dispatches.ensure_dispatch(conn, order, site_id, PICKED)
        conn.execute(
            s.dispatches.update()
            .where(s.dispatches.c.id == dispatch)
            .values(task_received_at=PICKED - dt.timedelta(hours=2), picked_at=PICKED)
        )
    return int(order), dispatch
