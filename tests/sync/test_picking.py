"""A pick task end to end: issued at central, received by the site, picked on a handheld with central down,
reported back, shipped and logged (WH-3, WH-4, WH-6, WH-8)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from central.dispatch.pick_tasks import PickTaskRefused, issue_pick_task
from central.store import schema as s
from central.store.engine import create_central_engine
from devices.barcodes import cell_barcode
from edge.terminal.resolve import resolve
from edge.terminal.service import Terminals
from edge.warehouse.domain import ShipUnits
from edge.warehouse.service import handle
from tests.sync.helpers import central_stock, edge_outbox_seq, edge_stock, linked_site, wait_until

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def issue_first_pickable(engine) -> tuple[str, str, int]:
    """The first confirmed order whose reserve the site's storage cells cover; (order, task code, lines)."""
    with engine.connect() as conn:
        numbers = (
            conn.execute(select(s.orders.c.number).where(s.orders.c.status == "confirmed").order_by(s.orders.c.number))
            .scalars()
            .all()
        )
    for number in numbers:
        try:
            with engine.begin() as conn:
                issued = issue_pick_task(conn, number, "W1", NOW)
        except PickTaskRefused:
            continue
        return number, issued.code, issued.lines
    raise AssertionError("no pickable order in the demo company")


def dispatch_status(engine, code: str) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(select(s.dispatch_tasks.c.status).where(s.dispatch_tasks.c.id == int(code[2:12]))).scalar()
        )


def test_pick_task_round_trip_with_central_down_while_picking(mosquitto, central_url, tmp_path):
    with linked_site(mosquitto.url, central_url, tmp_path) as w1:
        engine, path, db = w1.engine, w1.path, w1.db
        order, code, lines = issue_first_pickable(engine)
        wait_until(
            lambda: db.execute("SELECT 1 FROM tasks WHERE id = ?", [code]).fetchone(), 20, "the task at the site"
        )
        wait_until(lambda: dispatch_status(engine, code) == "in_work", 20, "central to hear the task was received")
        task = json.loads(db.execute("SELECT payload FROM tasks WHERE id = ?", [code]).fetchone()[0])
        assert task["order"] == order and len(task["lines"]) == lines
        assert {
            "manager",
            "warehouse_manager",
            "controller",
            "deadline",
            "customer",
            "assembly_cell",
            "packing",
        } <= set(task)

        w1.stop_central()  # the office goes away; the warehouse keeps picking
        terminals = Terminals(db, resolve)
        badge = db.execute("SELECT badge FROM staff WHERE role = 'picker' ORDER BY badge").fetchone()[0]
        assert terminals.login("ТСД-1", badge, "1234").ok
        assert terminals.choose_mode("ТСД-1", "pick").ok
        refused = terminals.scan("ТСД-1", cell_barcode(task["lines"][0]["cell_id"]))
        assert not refused.ok and "задание" in refused.message
        started = terminals.scan("ТСД-1", code)
        assert started.ok, started.message
        eans = dict(db.execute("SELECT sku, ean13 FROM items").fetchall())
        for n, line in enumerate(task["lines"]):
            wrong = terminals.scan("ТСД-1", cell_barcode(task["assembly_cell_id"]))
            assert not wrong.ok and line["cell"] in wrong.message
            assert terminals.scan("ТСД-1", cell_barcode(line["cell_id"])).ok
            first = terminals.scan("ТСД-1", eans[line["sku"]])
            assert first.ok, first.message
            if line["qty"] > 1:
                typed = terminals.typed("ТСД-1", line["qty"])
                assert typed.ok, typed.message
            assert first.event_seqs or terminals.state("ТСД-1").prompt.startswith(("Строка", "Все"))
            if n == len(task["lines"]) - 1:
                assert "Завершить" in terminals.state("ТСД-1").prompt
        finished = terminals.finish("ТСД-1")
        assert finished.ok and "недостача" not in finished.message
        assert db.execute("SELECT status FROM tasks WHERE id = ?", [code]).fetchone()[0] == "done"
        for line in task["lines"]:
            handle(db, ShipUnits(line["sku"], task["assembly_cell_id"], line["qty"], code), actor="test")

        w1.start_central()
        w1.catch_up(upto=edge_outbox_seq(path))
        assert central_stock(engine, "W1") == edge_stock(path)
        assert dispatch_status(engine, code) == "done"
        with engine.connect() as conn:
            shipment = conn.execute(
                select(s.shipments.c.task_received_at, s.shipments.c.shipped_at, s.orders.c.status)
                .join(s.orders, s.orders.c.id == s.shipments.c.order_id)
                .where(s.orders.c.number == order)
            ).one()
            problems = conn.execute(select(s.sync_exceptions.c.kind)).scalars().all()
        assert shipment.status == "shipped"
        assert shipment.task_received_at <= shipment.shipped_at
        assert "pick_short" not in problems and "pick_beyond_reservation" not in problems


def test_pick_task_api_issues_once_and_refuses_with_reasons(central_url):
    from fastapi.testclient import TestClient

    from central.app import create_app
    from central.auth.tokens import issue_token
    from central.settings import CentralSettings

    settings = CentralSettings(database_url=central_url)
    engine = create_central_engine(central_url)

    def bearer(login: str) -> dict[str, str]:
        with engine.connect() as conn:
            user_id = conn.execute(select(s.users.c.id).where(s.users.c.login == login)).scalar_one()
        return {"Authorization": f"Bearer {issue_token(settings.secret_key.get_secret_value(), user_id)}"}

    order, _code, _lines = issue_first_pickable(engine)
    with engine.connect() as conn:
        others = (
            conn.execute(
                select(s.orders.c.number).where(s.orders.c.status == "confirmed").order_by(s.orders.c.number.desc())
            )
            .scalars()
            .all()
        )
    with TestClient(create_app(settings, engine)) as client:
        again = client.post(f"/api/v1/orders/{order}/pick-task", json={"site": "W1"}, headers=bearer("dispatcher"))
        assert again.status_code == 409 and "подтверждённые" in again.json()["detail"]
        forbidden = client.post(f"/api/v1/orders/{others[0]}/pick-task", json={}, headers=bearer("manager01"))
        assert forbidden.status_code == 403
        missing = client.post("/api/v1/orders/НЕТ-1/pick-task", json={}, headers=bearer("dispatcher"))
        assert missing.status_code == 409 and "не найден" in missing.json()["detail"]
        answers = [
            client.post(f"/api/v1/orders/{n}/pick-task", json={"site": "W1"}, headers=bearer("dispatcher"))
            for n in others[:15]
        ]
        created = [a for a in answers if a.status_code == 201]
        assert created, [a.json() for a in answers]
        assert created[0].json()["task"].startswith("23")
        assert all(a.status_code == 409 for a in answers if a.status_code != 201)
