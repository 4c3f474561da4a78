"""The demo company: a Moscow-region metalwork manufacturer and wholesaler, deterministic per seed.

``seed_company(engine, scale=1, seed=42)`` fills an empty, migrated database: ~2,050 items with BOMs and
routings, warehouse W1 (1,000+ addressed cells) and shop store S1, 150 customers with valid requisites,
staff for every role, 40 shop-floor workers, 3 vans, 24 months of orders with seasonality and a Pareto
(ABC) mix, invoices, payments, shipments, returns, production, open orders with reservations, open supply
orders and opening stock. Order lines grow linearly with ``scale`` (≥ 10,000 per unit of scale).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Connection, Engine, Table, func, select, text
from stdnum import ean

from central.auth.passwords import hash_password
from central.demo import catalogue as names
from central.demo.requisites import (
    company_inn,
    company_ogrn,
    personal_inn,
    personal_ogrnip,
    with_key,
)
from central.store import schema as s

DEMO_PIN = "1234"  # the demo's terminal PIN, printed by the demo
DEMO_PASSWORD = "demo"  # noqa: S105 - printed by the demo for every role, never a real account
MOSCOW = ZoneInfo("Europe/Moscow")
CHUNK = 20_000
ORDERS_PER_SCALE = 2_600
OPEN_ORDERS_PER_SCALE = 500


class DatabaseNotEmpty(ValueError):
    """The database already holds a company; seeding again would mix two."""


@dataclass
class SeedSummary:
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    login: str
    password: str
    full_name: str


STAFF: list[tuple[str, str, int]] = [
    ("admin", "admin", 1),
    ("sales_manager", "manager", 10),
    ("commercial_director", "comdir", 1),
    ("dispatcher", "dispatcher", 1),
    ("purchasing_manager", "purchaser", 1),
    ("warehouse_manager", "storekeeper", 1),
    ("picker", "picker", 4),
    ("controlling_manager", "controller", 1),
    ("logistician", "logistician", 1),
    ("accountant", "accountant", 1),
    ("director", "director", 1),
    ("shop_master", "master", 1),
]


def _login(prefix: str, n: int, count: int) -> str:
    return prefix if count == 1 else f"{prefix}{n:02d}"


def _person(rng: np.random.Generator) -> str:
    surname = str(rng.choice(names.SURNAMES))
    if rng.random() < 0.5:
        return f"{surname} {rng.choice(names.MALE_NAMES)} {rng.choice(names.MALE_PATRONYMICS)}"
    return f"{surname}а {rng.choice(names.FEMALE_NAMES)} {rng.choice(names.FEMALE_PATRONYMICS)}"


def _staff_names(seed: int) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng([seed, 1])
    people = []
    for role, prefix, count in STAFF:
        for n in range(1, count + 1):
            full_name = "Администратор системы" if role == "admin" else _person(rng)
            people.append((role, _login(prefix, n, count), full_name))
    return people


def demo_logins(seed: int = 42) -> list[DemoLogin]:
    """One login per role of the demo company (all with password ``demo``): ``demo_logins()[0].login == "admin"``."""
    seen: set[str] = set()
    logins = []
    for role, login, full_name in _staff_names(seed):
        if role not in seen:
            seen.add(role)
            logins.append(DemoLogin(role, login, DEMO_PASSWORD, full_name))
    return logins


def _ean13(body12: str) -> str:
    return body12 + ean.calc_check_digit(body12)


def _company_code(prefix: str, number: int) -> str:
    return _ean13(f"{prefix}{number:010d}")


def seed_company(engine: Engine, scale: int = 1, seed: int = 42, today: dt.date | None = None) -> SeedSummary:
    """Load the demo company into an empty, migrated database: ``seed_company(engine, scale=1)``."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    today = today or dt.datetime.now(MOSCOW).date()
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(s.users)).scalar_one():
            raise DatabaseNotEmpty("В базе уже есть компания: демо-данные загружаются только в пустую базу")
        builder = _Company(conn, np.random.default_rng(seed), seed, scale, today)
        builder.build()
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn)
    return SeedSummary(builder.counts)


def _advance_sequences(conn: Connection) -> None:
    # Rows were inserted with explicit ids; PostgreSQL's sequences must continue after them.
    for table in s.metadata.sorted_tables:
        if "id" in table.c:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), COALESCE(MAX(id), 1)) FROM {table.name}"  # noqa: S608 - our table names
                )
            )


class _Company:
    """Builds the rows table by table; ids are assigned here so references need no round trips."""

    def __init__(self, conn: Connection, rng: np.random.Generator, seed: int, scale: int, today: dt.date) -> None:
        self.conn, self.rng, self.seed, self.scale, self.today = conn, rng, seed, scale, today
        self.start = today - dt.timedelta(days=730)
        self.counts: dict[str, int] = {}

    def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        for i in range(0, len(rows), CHUNK):
            self.conn.execute(table.insert(), rows[i : i + CHUNK])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def at(self, day: dt.date, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(9), tzinfo=MOSCOW).astimezone(dt.UTC) + dt.timedelta(minutes=minute)

    def build(self) -> None:
        self.staff()
        self.sites_and_cells()
        self.production_setup()
        self.items_boms_routings()
        self.suppliers()
        self.prices()
        self.customers()
        self.workers_vans_tariffs()
        self.history()
        self.open_work()

    def staff(self) -> None:
        password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo login: argon2 is slow on purpose
        self.pin_hash = hash_password(DEMO_PIN)
        rows: list[dict[str, Any]] = []
        for n, (role, login, full_name) in enumerate(_staff_names(self.seed), start=1):
            rows.append(
                {
                    "id": n, "login": login, "full_name": full_name, "role": role, "password_hash": password_hash,
                    "badge": _company_code("22", n), "pin_hash": self.pin_hash, "phone": f"+7916{1000000 + n * 7919:07d}",
                    "email": f"{login}@stockyard-demo.ru", "active": True, "created_at": self.at(self.start, 0),
                }
            )  # fmt: skip
        self.users = rows
        self.managers = [r["id"] for r in rows if r["role"] == "sales_manager"]
        self.insert(s.users, rows)

    def sites_and_cells(self) -> None:
        self.insert(
            s.sites,
            [
                {"id": 1, "code": "W1", "name": "Основной склад", "kind": "warehouse"},
                {"id": 2, "code": "S1", "name": "Временный склад цеха", "kind": "shop"},
            ],
        )
        rows: list[dict[str, Any]] = []

        def cell(site: int, address: str, kind: str) -> None:
            cid = len(rows) + 1
            rows.append(
                {"id": cid, "site_id": site, "address": address, "barcode": _company_code("21", cid), "kind": kind}
            )

        for zone in "ABCDE":
            for rack in range(1, 11):
                for shelf in range(1, 6):
                    for bin_ in range(1, 5):
                        cell(1, f"{zone}-{rack:02d}-{shelf:02d}-{bin_:02d}", "storage")
        for n in range(1, 5):
            cell(1, f"ПРМ-{n:02d}", "receiving")
        for n in range(1, 7):
            cell(1, f"СБР-{n:02d}", "assembly")
        for n in range(1, 5):
            cell(1, f"ОТГ-{n:02d}", "shipping")
        for n in range(1, 41):
            cell(2, f"Ц-{(n - 1) // 10 + 1:02d}-{(n - 1) % 10 + 1:02d}", "storage")
        cell(2, "Ц-ПРМ-01", "receiving")
        cell(2, "Ц-ОТГ-01", "shipping")
        cell(2, "Ц-СБР-01", "assembly")  # where finished goods are gathered to go back to W1
        self.storage_cells = {
            site: [r["id"] for r in rows if r["site_id"] == site and r["kind"] == "storage"] for site in (1, 2)
        }
        self.insert(s.cells, rows)

    def production_setup(self) -> None:
        groups = ["Резка", "Гибка", "Сварка", "Покраска", "Сборка", "Упаковка"]
        self.insert(s.work_center_groups, [{"id": i, "code": f"WG{i}", "name": g} for i, g in enumerate(groups, 1)])
        centers: list[dict[str, Any]] = []
        for gid, group in enumerate(groups, 1):
            for k in range(1, 3 + (gid in (3, 5))):
                centers.append(
                    {"id": len(centers) + 1, "group_id": gid, "code": f"WC{gid}{k}", "name": f"{group} №{k}"}
                )
        self.insert(s.work_centers, centers)

    def items_boms_routings(self) -> None:
        rng = self.rng
        rows: list[dict[str, Any]] = []

        def item(name: str, kind: str, uom: str, cost: int, weight: int, volume: int) -> int:
            iid = len(rows) + 1
            prefix = {"component": "КМ", "semi_finished": "ПФ", "finished": "ГП"}[kind]
            rows.append(
                {
                    "id": iid, "sku": f"{prefix}-{iid:05d}", "name": name, "kind": kind, "uom": uom,
                    "ean13": _ean13(f"46{int(rng.integers(0, 10))}{iid:09d}"), "weight_g": weight, "volume_cm3": volume,
                    "description": f"{name}. Производство и поставка со склада в Подмосковье.",
                    "planned_cost_kop": cost, "min_stock": int(rng.integers(0, 50)), "pack_qty": 1,
                    "serialized": kind == "finished" and iid % 25 == 0, "lot_tracked": kind == "component" and iid % 7 == 0,
                }
            )  # fmt: skip
            return iid

        components: list[int] = []
        for base, sizes, finishes in names.COMPONENTS:
            for size in sizes:
                for finish in finishes:
                    for grade in ("", " (упак. 100 шт.)", " (упак. 1000 шт.)", " кл. пр. 8.8", " A2"):
                        if len(components) >= 1300:
                            break
                        uom = "кг" if "Краска" in base or "Проволока" in base else "шт"
                        cost = int(rng.integers(50, 20_000))
                        components.append(
                            item(
                                f"{base} {size} {finish}{grade}",
                                "component",
                                uom,
                                cost,
                                int(rng.integers(5, 5000)),
                                int(rng.integers(1, 3000)),
                            )
                        )
        while len(components) < 1300:
            components.append(item(f"Комплектующее {len(components) + 1}", "component", "шт", 1000, 100, 100))
        semis = [
            item(f"{names.SEMI_FINISHED[i % 7]} {names.SIZES[i % 10]} вар. {i // 70 + 1}", "semi_finished", "шт",
                 int(rng.integers(5_000, 80_000)), int(rng.integers(200, 8000)), int(rng.integers(100, 20000)))
            for i in range(350)
        ]  # fmt: skip
        finished = [
            item(f"{names.FINISHED[i % 15]} {names.SIZES[(i // 15) % 10]} {names.FINISHES[(i // 150) % 5]}", "finished", "шт",
                 int(rng.integers(30_000, 900_000)), int(rng.integers(500, 60000)), int(rng.integers(1000, 400000)))
            for i in range(400)
        ]  # fmt: skip
        self.insert(s.items, rows)
        self.items = rows
        self.components, self.semis, self.finished = components, semis, finished
        bom: list[dict[str, Any]] = []
        routing: list[dict[str, Any]] = []
        for product in semis + finished:
            pool = components if product in semis else components + semis
            for comp in rng.choice(pool, size=int(rng.integers(2, 6)), replace=False):
                bom.append(
                    {
                        "id": len(bom) + 1,
                        "item_id": product,
                        "component_id": int(comp),
                        "qty_per_unit": int(rng.integers(1, 9)),
                    }
                )
            for seq, group in enumerate(sorted(rng.choice(6, size=int(rng.integers(2, 5)), replace=False)), 1):
                routing.append(
                    {"id": len(routing) + 1, "item_id": product, "seq": seq, "name": f"Операция {seq}",
                     "group_id": int(group) + 1, "norm_minutes_per_unit": int(rng.integers(2, 45))}
                )  # fmt: skip
        self.insert(s.bom_lines, bom)
        self.insert(s.routing_operations, routing)

    def suppliers(self) -> None:
        rng = self.rng
        suppliers = [
            {"id": n, "name": f"ООО «{names.FIRM_WORDS[(n * 7) % 25]}-Металл»" if n % 2 else f"АО «{names.FIRM_WORDS[(n * 3) % 25]} Поставка»",
             "inn": company_inn(rng), "kpp": "500101001", "payment_terms": ["предоплата 100%", "отсрочка 14 дней", "отсрочка 30 дней"][n % 3],
             "delivery_terms": ["доставка поставщиком", "самовывоз", "транспортная компания"][n % 3]}
            for n in range(1, 26)
        ]  # fmt: skip
        self.insert(s.suppliers, suppliers)
        rows: list[dict[str, Any]] = []
        self.lead_time: dict[int, int] = {}
        for comp in self.components:
            for sup in rng.choice(25, size=int(rng.integers(1, 3)), replace=False):
                lead = int(rng.integers(3, 30))
                self.lead_time[comp] = min(lead, self.lead_time.get(comp, lead))
                cost = self.items[comp - 1]["planned_cost_kop"]
                rows.append({"id": len(rows) + 1, "supplier_id": int(sup) + 1, "item_id": comp,
                             "price_kop": int(cost * rng.uniform(0.8, 1.0)), "lead_time_days": lead, "min_order_qty": int(rng.choice([1, 10, 100]))})  # fmt: skip
        self.insert(s.supplier_items, rows)

    def prices(self) -> None:
        tiers = [
            ("retail", "Розница", 1.60),
            ("wholesale_1", "Опт 1", 1.40),
            ("wholesale_2", "Опт 2", 1.30),
            ("wholesale_3", "Опт 3", 1.22),
        ]
        lists = [{"id": i, "code": code, "name": title, "kind": code} for i, (code, title, _) in enumerate(tiers, 1)]
        personal: list[dict[str, Any]] = [
            {"id": 5 + n, "code": f"personal-{n + 1}", "name": f"Персональный прайс №{n + 1}", "kind": "personal"}
            for n in range(15)
        ]
        self.insert(s.price_lists, lists + personal)
        rows: list[dict[str, Any]] = []
        since = self.start - dt.timedelta(days=1)
        for it in self.items:
            cost = it["planned_cost_kop"]
            for list_id, (_, _, markup) in enumerate(tiers, 1):
                rows.append(
                    {
                        "id": len(rows) + 1,
                        "price_list_id": list_id,
                        "item_id": it["id"],
                        "price_kop": round(cost * markup),
                        "effective_from": since,
                        "set_by": 3,
                    }
                )
        for p in personal:
            for iid in self.finished[p["id"] % 5 :: 5]:
                rows.append(
                    {
                        "id": len(rows) + 1,
                        "price_list_id": p["id"],
                        "item_id": iid,
                        "price_kop": round(self.items[iid - 1]["planned_cost_kop"] * 1.18),
                        "effective_from": since,
                        "set_by": 3,
                    }
                )
        self.price = {(r["price_list_id"], r["item_id"]): r["price_kop"] for r in rows}
        self.insert(s.item_prices, rows)

    def customers(self) -> None:
        rng = self.rng
        rows: list[dict[str, Any]] = []
        for n in range(1, 151):
            town, lat, lon = names.TOWNS[int(rng.integers(0, len(names.TOWNS)))]
            bik, bank, corr = names.BANKS[int(rng.integers(0, len(names.BANKS)))]
            sole = n % 8 == 0
            year = int(rng.integers(2005, 2024))
            owner = _person(rng)
            name = (
                f"ИП {owner}"
                if sole
                else f"ООО «{names.FIRM_WORDS[n % 25]}{'' if n <= 25 else f' {town}' if n <= 75 else f'-{n}'}»"
            )
            address = f"{town}, {rng.choice(names.STREETS)}, д. {int(rng.integers(1, 120))}"
            window = int(rng.integers(9, 14)) * 60
            price_list = 5 + (n % 15) if n % 10 == 0 else 1 + (n % 4)
            rows.append(
                {
                    "id": n, "name": name, "inn": personal_inn(rng) if sole else company_inn(rng),
                    "kpp": None if sole else f"50{int(rng.integers(10, 99))}01001",
                    "ogrn": personal_ogrnip(rng, year) if sole else company_ogrn(rng, year),
                    "bank_bik": bik, "bank_name": bank, "correspondent_account": with_key(bik, corr, correspondent=True),
                    "settlement_account": with_key(bik, f"{'40802' if sole else '40702'}810{int(rng.integers(0, 10**12)):012d}"),
                    "legal_address": f"Московская обл., {address}", "delivery_address": f"{address}, склад",
                    "lat": round(lat + rng.normal(0, 0.03), 6), "lon": round(lon + rng.normal(0, 0.05), 6),
                    "window_from_min": window, "window_to_min": window + int(rng.choice([180, 240, 360])),
                    "phone": f"+7495{int(rng.integers(1000000, 9999999))}", "price_list_id": price_list,
                    "manager_id": self.managers[n % len(self.managers)],
                    "payment_method": ["prepayment", "advance", "deferral", "consignment"][int(rng.choice(4, p=[0.4, 0.25, 0.3, 0.05]))],
                    "comment": None, "created_at": self.at(self.start - dt.timedelta(days=int(rng.integers(0, 2000))), 0),
                }
            )  # fmt: skip
        self.customers_rows: list[dict[str, Any]] = rows
        self.insert(s.customers, rows)

    def workers_vans_tariffs(self) -> None:
        rng = self.rng
        workers: list[dict[str, Any]] = []
        for n in range(1, 41):
            kind = ["piecework", "piecework", "hourly", "salary"][n % 4]
            rate = {"piecework": 45_000, "hourly": 38_000, "salary": 9_500_000}[kind] + int(rng.integers(0, 20)) * 1_000
            workers.append(
                {
                    "id": n,
                    "badge": _company_code("22", 1000 + n),
                    "pin_hash": self.pin_hash,
                    "full_name": _person(rng),
                    "pay_kind": kind,
                    "rate_kop": rate,
                    "group_id": 1 + n % 6,
                }
            )
        self.insert(s.workers, workers)
        self.insert(
            s.vehicles,
            [
                {"id": 1, "plate": "А123ВС750", "model": "ГАЗель Next", "capacity_kg": 1500, "capacity_m3_milli": 10_500, "cost_per_km_kop": 2_800},
                {"id": 2, "plate": "В456ОР750", "model": "ГАЗель Next тент", "capacity_kg": 2000, "capacity_m3_milli": 14_000, "cost_per_km_kop": 3_100},
                {"id": 3, "plate": "Е789КХ750", "model": "Isuzu ELF 5 т", "capacity_kg": 5000, "capacity_m3_milli": 30_000, "cost_per_km_kop": 4_600},
            ],
        )  # fmt: skip
        self.insert(
            s.carrier_tariffs,
            [
                {"id": 1, "carrier": "ООО «Деловые Линии»", "base_kop": 90_000, "per_kg_kop": 1_200, "per_km_kop": 0},
                {"id": 2, "carrier": "ООО «ПЭК»", "base_kop": 75_000, "per_kg_kop": 1_400, "per_km_kop": 0},
            ],
        )  # fmt: skip

    def history(self) -> None:
        """24 months of orders with seasonality (spring–autumn building season) and Pareto demand."""
        rng = self.rng
        n_orders = ORDERS_PER_SCALE * self.scale
        days = np.arange(730)
        season = 1.0 + 0.45 * np.sin((days / 365.0) * 2 * np.pi - 1.4)  # peaks around June
        order_days = np.sort(rng.choice(days, size=n_orders, p=season / season.sum()))
        sellable = np.array(self.finished + self.components[:600])
        popularity = 1.0 / np.arange(1, len(sellable) + 1) ** 1.1  # ABC: a few items make most revenue
        popularity /= popularity.sum()
        rng.shuffle(sellable)
        customer_weight = 1.0 / np.arange(1, 151) ** 0.8
        customer_weight /= customer_weight.sum()
        order_customers = rng.choice(150, size=n_orders, p=customer_weight) + 1
        n_lines = rng.integers(1, 9, size=n_orders)
        orders: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        invoices: list[dict[str, Any]] = []
        payments: list[dict[str, Any]] = []
        shipments: list[dict[str, Any]] = []
        returns: list[dict[str, Any]] = []
        line_id = 0
        for k in range(n_orders):
            oid = k + 1
            day = self.start + dt.timedelta(days=int(order_days[k]))
            cust = self.customers_rows[int(order_customers[k]) - 1]
            chosen = rng.choice(sellable, size=int(n_lines[k]), replace=False, p=popularity)
            total = 0
            for picked in chosen:
                iid = int(picked)
                qty = int(rng.integers(1, 40))
                price = self.price.get((cust["price_list_id"], iid)) or self.price[(1 + (cust["id"] % 4), iid)]
                line_id += 1
                total += qty * price
                lines.append({"id": line_id, "order_id": oid, "item_id": iid, "qty": qty, "price_kop": price})
                if rng.random() < 0.02:
                    returns.append(
                        {
                            "id": len(returns) + 1,
                            "order_line_id": line_id,
                            "qty": max(1, qty // 4),
                            "reason": str(rng.choice(["defect", "not_needed", "wrong_item"])),
                            "returned_on": day + dt.timedelta(days=12),
                        }
                    )
            created = self.at(day, int(rng.integers(0, 540)))
            orders.append(
                {
                    "id": oid,
                    "number": f"З-{oid:07d}",
                    "customer_id": cust["id"],
                    "manager_id": cust["manager_id"],
                    "status": "completed",
                    "source": str(rng.choice(["portal", "email", "manager"], p=[0.5, 0.2, 0.3])),
                    "created_at": created,
                    "deadline": day + dt.timedelta(days=5),
                    "payment_form": cust["payment_method"],
                    "return_terms": "defects_only",
                    "total_kop": total,
                }
            )
            vat = round(total * 22 / 122) if day.year >= 2026 else round(total * 20 / 120)
            invoices.append(
                {
                    "id": oid,
                    "number": f"{oid:07d}",
                    "order_id": oid,
                    "issued_on": day,
                    "amount_kop": total,
                    "vat_kop": vat,
                    "paid_kop": total,
                }
            )
            paid_on = day + dt.timedelta(days=int(rng.integers(0, 25)))
            payments.append(
                {
                    "id": oid,
                    "customer_id": cust["id"],
                    "invoice_id": oid,
                    "received_on": paid_on,
                    "amount_kop": total,
                    "document_number": str(int(rng.integers(1, 9999))),
                    "fingerprint": f"demo-{self.seed}-{oid}",
                    "purpose": f"Оплата по счету № {oid:07d}",
                }
            )
            shipped = created + dt.timedelta(days=int(rng.integers(1, 5)), hours=3)
            shipments.append({"id": oid, "order_id": oid, "site_id": 1, "task_received_at": created + dt.timedelta(hours=4), "shipped_at": shipped,
                              "documents_returned_at": shipped + dt.timedelta(days=int(rng.integers(3, 20))), "vehicle_id": int(rng.integers(1, 4)) if rng.random() < 0.6 else None})  # fmt: skip
        self.next_order, self.next_line = n_orders + 1, line_id + 1
        for table, rows in (
            (s.orders, orders),
            (s.order_lines, lines),
            (s.invoices, invoices),
            (s.payments, payments),
            (s.shipments, shipments),
            (s.returns, returns),
        ):
            self.insert(table, rows)
        self.sellable = sellable
        self.popularity = popularity

    def open_work(self) -> None:
        """Today's state: opening stock, open supply orders and production, open orders with reserves."""
        rng = self.rng
        stock: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        stock_rows: list[dict[str, Any]] = []
        cells = self.storage_cells[1]
        for n, iid in enumerate(self.sellable.tolist() + self.components[600:]):
            if rng.random() < 0.85:
                for _ in range(int(rng.integers(1, 3))):
                    cell = cells[(n * 7 + len(stock[iid]) * 13) % len(cells)]
                    if any(c == cell for _, c, _ in stock[iid]):
                        continue
                    qty = int(rng.integers(5, 400))
                    stock[iid].append((1, cell, qty))
                    stock_rows.append({"site_id": 1, "item_id": iid, "cell_id": cell, "qty": qty})
        for n, iid in enumerate(self.components[:200]):
            stock_rows.append(
                {
                    "site_id": 2,
                    "item_id": iid,
                    "cell_id": self.storage_cells[2][n % 40],
                    "qty": int(rng.integers(10, 200)),
                }
            )
        self.insert(s.stock, stock_rows)

        supply: list[dict[str, Any]] = []
        supply_lines: list[dict[str, Any]] = []
        for n in range(1, 31):
            eta = self.today + dt.timedelta(days=int(rng.integers(2, 30)))
            supply.append(
                {
                    "id": n,
                    "number": f"ПЗ-{n:05d}",
                    "supplier_id": 1 + n % 25,
                    "ordered_on": self.today - dt.timedelta(days=int(rng.integers(1, 10))),
                    "eta": eta,
                    "status": "open",
                }
            )
            for iid in rng.choice(self.components, size=int(rng.integers(2, 8)), replace=False):
                supply_lines.append(
                    {
                        "id": len(supply_lines) + 1,
                        "supply_order_id": n,
                        "item_id": int(iid),
                        "qty": int(rng.integers(50, 1000)),
                        "price_kop": self.items[int(iid) - 1]["planned_cost_kop"],
                    }
                )
        self.insert(s.supply_orders, supply)
        self.insert(s.supply_order_lines, supply_lines)

        tasks: list[dict[str, Any]] = []
        for n in range(1, 121):
            done = n <= 100
            due = (
                self.today - dt.timedelta(days=int(rng.integers(5, 700)))
                if done
                else self.today + dt.timedelta(days=int(rng.integers(1, 20)))
            )
            released = self.at(due - dt.timedelta(days=3), 0)
            tasks.append({"id": n, "number": f"ПР-{n:05d}", "item_id": int(rng.choice(self.finished)), "qty": int(rng.integers(10, 200)), "due": due,
                          "status": "done" if done else ("in_work" if n % 3 == 0 else "planned"),
                          "released_at": released if done or n % 3 == 0 else None, "finished_at": released + dt.timedelta(days=2) if done else None})  # fmt: skip
        self.insert(s.production_tasks, tasks)

        free = {iid: sum(q for _, _, q in places) for iid, places in stock.items()}
        orders: list[dict[str, Any]] = []
        lines: list[dict[str, Any]] = []
        reservations: list[dict[str, Any]] = []
        oid, lid = self.next_order, self.next_line
        for n in range(OPEN_ORDERS_PER_SCALE * self.scale):
            cust = self.customers_rows[int(rng.integers(0, 150))]
            created = self.at(self.today - dt.timedelta(days=int(rng.integers(0, 10))), int(rng.integers(0, 500)))
            status = "confirmed" if n % 3 else "draft"
            total = 0
            for picked in rng.choice(self.sellable, size=int(rng.integers(1, 6)), replace=False, p=self.popularity):
                iid = int(picked)
                qty = int(rng.integers(1, 30))
                price = self.price.get((cust["price_list_id"], iid)) or self.price[(1, iid)]
                lines.append({"id": lid, "order_id": oid, "item_id": iid, "qty": qty, "price_kop": price})
                total += qty * price
                reserve = min(qty, free.get(iid, 0))
                if status == "confirmed" and reserve > 0:
                    free[iid] -= reserve
                    reservations.append({"id": len(reservations) + 1, "order_line_id": lid, "item_id": iid, "site_id": 1, "qty": reserve,
                                         "source": "stock:W1", "created_at": created, "expires_at": created + dt.timedelta(days=10), "status": "active"})  # fmt: skip
                lid += 1
            orders.append({"id": oid, "number": f"З-{oid:07d}", "customer_id": cust["id"], "manager_id": cust["manager_id"], "status": status, "source": "portal",
                           "created_at": created, "deadline": self.today + dt.timedelta(days=int(rng.integers(2, 21))), "payment_form": cust["payment_method"],
                           "return_terms": "full_until_date", "total_kop": total})  # fmt: skip
            oid += 1
        self.insert(s.orders, orders)
        self.insert(s.order_lines, lines)
        self.insert(s.reservations, reservations)
