"""Transfers W1 ↔ S1 end to end (PROD-1): two edges, a real Mosquitto and central's sync worker.

The shop requests a task's components at central; W1 picks and ships them on a handheld, S1 receives them on
another, with central down the whole time; after sync both stocks, both ledgers and the transfer agree. Then
the shop finishes work (good and defective units, over-use by the master): the components are consumed at S1
and the finished goods enter its stock; finally they go back to W1 the same way.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlite_utils import Database

from central.production.release import release_operations
from central.production.transfers import (
    TransferRefused,
    consumption,
    request_components,
    return_finished_goods,
    transfer,
)
from central.store import schema as s
from central.store.engine import create_central_engine
from central.sync.worker import CentralSync
from devices.barcodes import cell_barcode
from edge.shopfloor.service import ShopFloor
from edge.store import open_site_database
from edge.sync.client import EdgeSync
from edge.terminal.resolve import resolve
from edge.terminal.service import Terminals
from edge.warehouse.service import record_overuse
from sync.transport import BrokerAddress
from tests.sync.helpers import central_applied, central_stock, edge_outbox_seq, edge_stock, ledger, outbox, wait_until

NOW = dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)
PIN = "1234"


@dataclass
class Plant:
    engine: Engine
    address: BrokerAddress
    central: CentralSync
    paths: dict[str, Path]
    dbs: dict[str, Database]

    def central_down(self) -> None:
        self.central.stop()

    def central_up(self) -> None:
        self.central = CentralSync(self.engine, self.address)
        self.central.start()

    def settle(self) -> None:
        for site, path in self.paths.items():
            wait_until(partial(_caught_up, self.engine, site, path), 30, f"{site} sync")

    def task_at(self, site: str, code: str) -> dict[str, Any]:
        db = self.dbs[site]
        wait_until(lambda: db.execute("SELECT 1 FROM tasks WHERE id = ?", [code]).fetchone(), 20, f"{code} at {site}")
        return dict(json.loads(db.execute("SELECT payload FROM tasks WHERE id = ?", [code]).fetchone()[0]))


def _caught_up(engine: Engine, site: str, path: Path) -> bool:
    return central_applied(engine, site) == edge_outbox_seq(path)


def _bootstrapped(db: Database) -> bool:
    return db.execute("SELECT 1 FROM sync_state WHERE key = 'bootstrapped'").fetchone() is not None


@contextmanager
def plant(mosquitto: Any, central_url: str, tmp_path: Path) -> Iterator[Plant]:
    engine = create_central_engine(central_url)
    with engine.connect() as conn:
        # Returning finished goods picks into S1's assembly cell, which the demo company has.
        assert conn.execute(select(s.cells.c.id).where(s.cells.c.site_id == 2, s.cells.c.kind == "assembly")).first()
    address = BrokerAddress.parse(mosquitto.url)
    central = CentralSync(engine, address)
    central.start()
    paths = {site: tmp_path / f"{site}.db" for site in ("W1", "S1")}
    edges = [EdgeSync(site, path, address) for site, path in paths.items()]
    for edge in edges:
        edge.start()
    dbs = {site: open_site_database(path) for site, path in paths.items()}
    the_plant = Plant(engine, address, central, paths, dbs)
    try:
        for site, db in dbs.items():
            wait_until(partial(_bootstrapped, db), 30, f"{site} bootstrap")
        yield the_plant
    finally:
        for db in dbs.values():
            db.conn.close()
        for edge in edges:
            edge.stop()
        the_plant.central.stop()


def request_first_kit(engine: Engine) -> tuple[str, dict[str, Any]]:
    """The first open task whose components W1 can give, made 10 units and released to S1; (task, transfer)."""
    with engine.connect() as conn:
        numbers = list(
            conn.execute(
                select(s.production_tasks.c.number)
                .where(s.production_tasks.c.status.in_(("planned", "in_work")))
                .order_by(s.production_tasks.c.number)
            ).scalars()
        )
    for number in numbers:
        try:
            with engine.begin() as conn:
                conn.execute(update(s.production_tasks).where(s.production_tasks.c.number == number).values(qty=10))
                made = request_components(conn, number, NOW)
                release_operations(conn, "S1", [number])
        except TransferRefused:
            continue
        if all(line["qty"] == line["required"] for line in made["lines"]):
            return number, made
    raise AssertionError("no task whose kit W1 holds in the demo company")


def by_sku(rows: list[dict[str, Any]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for row in rows:
        totals[str(row["sku"])] += int(row["qty"])
    return totals


def login(terminals: Terminals, db: Database, workstation: str) -> None:
    badge = db.execute("SELECT badge FROM staff WHERE role = 'picker' ORDER BY badge").fetchone()[0]
    assert terminals.login(workstation, badge, PIN).ok


def pick_and_ship(db: Database, code: str, task: dict[str, Any]) -> None:
    """«Отбор» line by line along the task, «Завершить», then «Отгрузка» of the task: one handheld."""
    terminals = Terminals(db, resolve)
    login(terminals, db, "ТСД-1")
    eans = dict(db.execute("SELECT sku, ean13 FROM items").fetchall())
    assert terminals.choose_mode("ТСД-1", "pick").ok
    assert terminals.scan("ТСД-1", code).ok
    for line in task["lines"]:
        assert terminals.scan("ТСД-1", cell_barcode(line["cell_id"])).ok
        assert terminals.scan("ТСД-1", eans[line["sku"]]).ok
        if line["qty"] > 1:
            assert terminals.typed("ТСД-1", line["qty"]).ok
    assert terminals.finish("ТСД-1").ok
    assert terminals.choose_mode("ТСД-1", "ship").ok
    ready = terminals.scan("ТСД-1", code)
    assert ready.ok and task["order"] in ready.prompt, ready.prompt
    assert terminals.finish("ТСД-1").ok


def receive(db: Database, code: str, receipt: dict[str, Any], cell_kind: str, short: int = 0) -> None:
    """«Приёмка» against the receipt document: every line into one cell, the first line ``short`` units less."""
    terminals = Terminals(db, resolve)
    login(terminals, db, "ТСД-2")
    eans = dict(db.execute("SELECT sku, ean13 FROM items").fetchall())
    cell = db.execute("SELECT id FROM cells WHERE kind = ? ORDER BY address", [cell_kind]).fetchone()[0]
    assert terminals.choose_mode("ТСД-2", "receive").ok
    started = terminals.scan("ТСД-2", code)
    assert started.ok and receipt["supply_order"] in started.message, started.message
    for n, line in enumerate(receipt["lines"]):
        qty = line["expected"] - (short if n == 0 else 0)
        if qty <= 0:
            continue
        assert terminals.scan("ТСД-2", eans[line["sku"]]).ok
        if qty > 1:
            assert terminals.typed("ТСД-2", qty).ok
        assert terminals.scan("ТСД-2", cell_barcode(cell)).ok
    closed = terminals.finish("ТСД-2")
    assert closed.ok, closed.message


def deliver_kit(p: Plant, short: int = 0) -> tuple[str, dict[str, Any]]:
    """Request a kit, then pick and ship it at W1 and receive it at S1 with central down; sync; the transfer."""
    task, made = request_first_kit(p.engine)
    pick = p.task_at("W1", made["pick_code"])
    receipt = p.task_at("S1", made["receipt_code"])
    p.task_at("S1", f"kit:{task}")
    wait_until(
        lambda: (
            p.dbs["S1"]
            .execute("SELECT 1 FROM tasks WHERE kind = 'operation' AND id LIKE ?", [f"op:{task}:%"])
            .fetchone()
        ),
        20,
        "the operations at S1",
    )
    assert pick["order"] == made["number"] and receipt["supply_order"] == made["number"]
    p.central_down()
    pick_and_ship(p.dbs["W1"], made["pick_code"], pick)
    receive(p.dbs["S1"], made["receipt_code"], receipt, "storage", short=short)
    p.central_up()
    p.settle()
    return task, made


def test_a_transfer_scanned_at_two_edges_balances(mosquitto, central_url, tmp_path):
    with plant(mosquitto, central_url, tmp_path) as p:
        w1_before, s1_before = by_sku(central_stock(p.engine, "W1")), by_sku(central_stock(p.engine, "S1"))
        _task, made = deliver_kit(p, short=1)

        with p.engine.connect() as conn:
            after = transfer(conn, made["number"])
            exceptions = conn.execute(
                select(s.sync_exceptions.c.kind, s.sync_exceptions.c.message).where(
                    s.sync_exceptions.c.resolved_at.is_(None)
                )
            ).all()
        assert after["status"] == "received"
        assert after["picked_at"] and after["shipped_at"] and after["received_at"]
        shipped = {line["sku"]: line["shipped"] for line in after["lines"]}
        received = {line["sku"]: line["received"] for line in after["lines"]}
        assert shipped == {line["sku"]: line["qty"] for line in made["lines"]}
        first = made["lines"][0]["sku"]
        assert received == {**shipped, first: shipped[first] - 1}
        lost = {line["sku"]: line["difference"] for line in after["lines"] if line["difference"]}
        assert lost == {first: 1} and after["has_differences"]

        w1_after, s1_after = by_sku(central_stock(p.engine, "W1")), by_sku(central_stock(p.engine, "S1"))
        assert {sku: w1_before[sku] - w1_after[sku] for sku in shipped} == shipped
        assert {sku: s1_after[sku] - s1_before[sku] for sku in received} == received
        for site, path in p.paths.items():
            assert central_stock(p.engine, site) == edge_stock(path), site
            assert ledger(p.engine, site) == outbox(path), site
        # A transfer's pick has no order reservation and its receipt no supply order: neither is a problem.
        assert not [e for e in exceptions if e.kind in ("pick_beyond_reservation", "unknown_reference")], exceptions


def work_at_s1(p: Plant, task: str) -> dict[str, Any]:
    """Central down: the last operation finished with 2 good and 1 defective, the master records over-use."""
    db = p.dbs["S1"]
    kit = p.task_at("S1", f"kit:{task}")
    p.central_down()
    worker = db.execute("SELECT badge FROM staff ORDER BY badge").fetchall()
    shop = ShopFloor(db, clock=lambda: NOW + dt.timedelta(hours=1))
    badge = next(b for (b,) in worker if shop.login("Сборка-1", b, PIN).ok)
    assert shop.start("Сборка-1", f"op:{task}:{kit['last_op_seq']}").ok
    session = shop.state("Сборка-1")["sessions"][0]["id"]
    assert shop.finish("Сборка-1", session, 2, 1).ok, badge
    component = kit["bom"][0]["sku"]
    assert not shop.overuse("Сборка-1", task, component, 1, " ").ok  # a reason is required
    recorded = shop.overuse("Сборка-1", task, component, 1, "сорвана резьба")
    assert recorded.ok and f"{component} 1 шт. списано" in recorded.message, recorded.message
    p.central_up()
    p.settle()
    return kit


def test_consumption_with_scrap_and_overuse_at_s1(mosquitto, central_url, tmp_path):
    with plant(mosquitto, central_url, tmp_path) as p:
        task, _made = deliver_kit(p)
        s1_before = by_sku(edge_stock(p.paths["S1"]))
        kit = work_at_s1(p, task)

        s1_after = by_sku(edge_stock(p.paths["S1"]))
        first = kit["bom"][0]["sku"]
        for line in kit["bom"]:
            used = line["qty_per_unit"] * 3 + (1 if line["sku"] == first else 0)  # 2 good + 1 scrapped, over-use
            assert s1_before[line["sku"]] - s1_after[line["sku"]] == used, line
        assert s1_after[kit["sku"]] - s1_before[kit["sku"]] == 2
        types = [r[0] for r in p.dbs["S1"].execute("SELECT type FROM outbox ORDER BY seq").fetchall()]
        finish = types.index("WorkFinished")
        assert types[finish + 1 : finish + 4] == ["ComponentsConsumed", "ComponentsConsumed", "UnitsProduced"]

        with p.engine.connect() as conn:
            lines = {line["sku"]: line for line in consumption(conn, task)}
        for line in kit["bom"]:
            got = lines[line["sku"]]
            assert (got["production"], got["scrap"]) == (line["qty_per_unit"] * 2, line["qty_per_unit"])
            assert got["overuse"] == (1 if line["sku"] == first else 0) and got["short"] == 0
        assert lines[kit["sku"]]["produced"] == 2
        assert central_stock(p.engine, "S1") == edge_stock(p.paths["S1"])

        # Over-use beyond what the shop holds: taken down to zero, the rest reported short — never negative.
        held = by_sku(edge_stock(p.paths["S1"]))[first]
        record_overuse(p.dbs["S1"], task, first, held + 5, "авария", "badge:master")
        assert by_sku(edge_stock(p.paths["S1"]))[first] == 0
        p.settle()
        with p.engine.connect() as conn:
            shortage = conn.execute(
                select(s.sync_exceptions.c.message).where(s.sync_exceptions.c.kind == "consumption_short")
            ).scalar_one()
            assert {line["sku"]: line for line in consumption(conn, task)}[first]["short"] == 5
        assert task in shortage and f"{first}: 5 шт." in shortage
        assert central_stock(p.engine, "S1") == edge_stock(p.paths["S1"])


def test_finished_goods_go_back_to_w1(mosquitto, central_url, tmp_path):
    with plant(mosquitto, central_url, tmp_path) as p:
        task, _made = deliver_kit(p)
        kit = work_at_s1(p, task)
        w1_before = by_sku(central_stock(p.engine, "W1"))
        with p.engine.begin() as conn:
            back = return_finished_goods(conn, task, 2, NOW)
        assert back["source"] == "S1" and back["destination"] == "W1" and back["kind"] == "finished"
        pick = p.task_at("S1", back["pick_code"])
        receipt = p.task_at("W1", back["receipt_code"])
        p.central_down()
        pick_and_ship(p.dbs["S1"], back["pick_code"], pick)
        receive(p.dbs["W1"], back["receipt_code"], receipt, "receiving")
        p.central_up()
        p.settle()

        with p.engine.connect() as conn:
            done = transfer(conn, back["number"])
        assert done["status"] == "received" and not done["has_differences"]
        assert by_sku(central_stock(p.engine, "W1"))[kit["sku"]] - w1_before[kit["sku"]] == 2
        assert by_sku(central_stock(p.engine, "S1"))[kit["sku"]] == 0
        for site, path in p.paths.items():
            assert central_stock(p.engine, site) == edge_stock(path), site
            assert ledger(p.engine, site) == outbox(path), site
