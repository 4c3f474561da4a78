"""A small hand-made company for exact order figures, on SQLite or PostgreSQL.

Stock (warehouses W1, W2; the shop store S1 does not sell): K-1 6+4 at W1 and 3 at W2 (S1 holds 50);
K-2 3 at W1, supplies ПЗ-00001 5 on 03.12 and ПЗ-00002 10 on 10.12 (ПЗ-00003 cancelled), supplier lead 20 days;
K-3 none, production ПР-00001 4 due 05.12; K-4 none, supplier lead 14 days; K-5 (analogue of K-2) 20 at W1;
K-6 100 at W1 but priced below cost in wholesale 1.
Customers: C1 «Альфа» (wholesale 1, manager mgr1), C2 «Бета» (retail, manager mgr2).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, insert, select

from central.auth.staff import User
from central.store import schema as s
from central.store.engine import create_central_engine, migrate

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
USERS = {
    "admin": "admin",
    "mgr1": "sales_manager",
    "mgr2": "sales_manager",
    "director": "commercial_director",
    "dispatcher": "dispatcher",
    "buyer": "purchasing_manager",
    "picker": "picker",
}
C1, C2 = 1, 2
COST = {"K-1": 10_000, "K-2": 20_000, "K-3": 50_000, "K-4": 5_000, "K-5": 21_000, "K-6": 30_000}
RETAIL = {"K-1": 15_000, "K-2": 30_000, "K-3": 80_000, "K-4": 8_000, "K-5": 32_000, "K-6": 40_000}


def build(database_url: str) -> Engine:
    engine = create_central_engine(database_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(s.users),
            [
                {"id": n, "login": login, "full_name": f"Сотрудник {login}", "role": role, "password_hash": "x"}
                for n, (login, role) in enumerate(USERS.items(), 1)
            ],
        )
        conn.execute(
            insert(s.sites),
            [
                {"id": 1, "code": "W1", "name": "Основной склад", "kind": "warehouse"},
                {"id": 2, "code": "W2", "name": "Второй склад", "kind": "warehouse"},
                {"id": 3, "code": "S1", "name": "Склад цеха", "kind": "shop"},
            ],
        )
        conn.execute(
            insert(s.cells),
            [
                {"id": 1, "site_id": 1, "address": "A-01-01-01", "barcode": "2100000000011", "kind": "storage"},
                {"id": 2, "site_id": 1, "address": "A-01-01-02", "barcode": "2100000000028", "kind": "storage"},
                {"id": 3, "site_id": 2, "address": "B-01-01-01", "barcode": "2100000000035", "kind": "storage"},
                {"id": 4, "site_id": 3, "address": "C-01-01-01", "barcode": "2100000000042", "kind": "storage"},
            ],
        )
        conn.execute(
            insert(s.items),
            [
                {"id": n, "sku": sku, "name": f"Изделие {sku}", "kind": "finished" if sku == "K-3" else "component",
                 "uom": "шт", "ean13": f"46000000000{n:02d}", "weight_g": 1000, "volume_cm3": 1000,
                 "planned_cost_kop": cost}
                for n, (sku, cost) in enumerate(COST.items(), 1)
            ],
        )  # fmt: skip
        conn.execute(
            insert(s.price_lists),
            [
                {"id": 1, "code": "retail", "name": "Розница", "kind": "retail"},
                {"id": 2, "code": "wholesale_1", "name": "Опт 1", "kind": "wholesale_1"},
            ],
        )
        since = dt.date(2026, 1, 1)
        prices: list[dict[str, Any]] = [
            {"price_list_id": 1, "item_id": n, "price_kop": price, "effective_from": since}
            for n, price in enumerate(RETAIL.values(), 1)
        ]
        prices += [
            {"price_list_id": 2, "item_id": 1, "price_kop": 14_000, "effective_from": dt.date(2025, 6, 1)},
            {"price_list_id": 2, "item_id": 1, "price_kop": 13_000, "effective_from": since},
            {"price_list_id": 2, "item_id": 1, "price_kop": 12_500, "effective_from": dt.date(2026, 12, 1)},
            {"price_list_id": 2, "item_id": 6, "price_kop": 29_000, "effective_from": since},
        ]
        conn.execute(insert(s.item_prices), prices)
        conn.execute(
            insert(s.customers),
            [
                {"id": cid, "name": name, "inn": inn, "ogrn": "1027700132195", "bank_bik": "044525225",
                 "bank_name": "ПАО Сбербанк", "correspondent_account": "30101810400000000225",
                 "settlement_account": "40702810938000000001", "legal_address": "Москва", "delivery_address": "Москва",
                 "lat": 55.75, "lon": 37.61, "window_from_min": 540, "window_to_min": 1080, "phone": "+74950000000",
                 "price_list_id": plist, "manager_id": manager, "payment_method": "prepayment", "created_at": NOW}
                for cid, name, inn, plist, manager in (
                    (C1, "ООО «Альфа»", "7707083893", 2, 2),
                    (C2, "ООО «Бета»", "7736207543", 1, 3),
                )
            ],
        )  # fmt: skip
        conn.execute(
            insert(s.stock),
            [
                {"site_id": 1, "item_id": 1, "cell_id": 1, "qty": 6},
                {"site_id": 1, "item_id": 1, "cell_id": 2, "qty": 4},
                {"site_id": 2, "item_id": 1, "cell_id": 3, "qty": 3},
                {"site_id": 3, "item_id": 1, "cell_id": 4, "qty": 50},
                {"site_id": 1, "item_id": 2, "cell_id": 1, "qty": 3},
                {"site_id": 1, "item_id": 5, "cell_id": 2, "qty": 20},
                {"site_id": 1, "item_id": 6, "cell_id": 2, "qty": 100},
            ],
        )
        conn.execute(
            insert(s.suppliers).values(
                id=1, name="ООО «Поставщик»", inn="7702070139", payment_terms="предоплата", delivery_terms="до склада"
            )
        )
        conn.execute(
            insert(s.supplier_items),
            [
                {"supplier_id": 1, "item_id": 2, "price_kop": 19_000, "lead_time_days": 20, "min_order_qty": 1},
                {"supplier_id": 1, "item_id": 4, "price_kop": 4_000, "lead_time_days": 14, "min_order_qty": 1},
            ],
        )
        conn.execute(
            insert(s.supply_orders),
            [
                {"id": 1, "number": "ПЗ-00001", "supplier_id": 1, "ordered_on": TODAY, "eta": dt.date(2026, 12, 3),
                 "status": "open"},
                {"id": 2, "number": "ПЗ-00002", "supplier_id": 1, "ordered_on": TODAY, "eta": dt.date(2026, 12, 10),
                 "status": "open"},
                {"id": 3, "number": "ПЗ-00003", "supplier_id": 1, "ordered_on": TODAY, "eta": dt.date(2026, 11, 30),
                 "status": "cancelled"},
            ],
        )  # fmt: skip
        conn.execute(
            insert(s.supply_order_lines),
            [
                {"supply_order_id": 1, "item_id": 2, "qty": 5, "price_kop": 19_000},
                {"supply_order_id": 2, "item_id": 2, "qty": 10, "price_kop": 19_000},
                {"supply_order_id": 3, "item_id": 2, "qty": 100, "price_kop": 19_000},
            ],
        )
        conn.execute(
            insert(s.production_tasks).values(
                id=1, number="ПР-00001", item_id=3, qty=4, due=dt.date(2026, 12, 5), status="planned"
            )
        )
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("users", "sites", "cells", "items", "price_lists", "customers", "suppliers",
                          "supply_orders", "production_tasks"):  # fmt: skip
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
    return engine


def user(login: str) -> User:
    return User(id=list(USERS).index(login) + 1, login=login, full_name=f"Сотрудник {login}", role=USERS[login])


def active_stock_reserved(engine: Engine, sku: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.coalesce(func.sum(s.reservations.c.qty), 0))
                .join(s.items, s.items.c.id == s.reservations.c.item_id)
                .where(s.items.c.sku == sku, s.reservations.c.status == "active")
                .where(s.reservations.c.source.like("stock:%"))
            ).scalar_one()
        )


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
