"""Ship mode end to end (WH-6): a picked task shipped with one «Отгрузить» at the handheld with central down;
central logs the shipment against the task and the stock matches."""

from __future__ import annotations

import json

from sqlalchemy import select

from central.store import schema as s
from devices.barcodes import cell_barcode
from edge.terminal.resolve import resolve
from edge.terminal.service import Terminals
from tests.sync.helpers import central_stock, edge_stock, linked_site, wait_until
from tests.sync.test_picking import issue_first_pickable


def test_ship_a_picked_task_with_central_down(mosquitto, central_url, tmp_path):
    with linked_site(mosquitto.url, central_url, tmp_path) as w1:
        engine, path, db = w1.engine, w1.path, w1.db
        order, code, _lines = issue_first_pickable(engine)
        wait_until(lambda: db.execute("SELECT 1 FROM tasks WHERE id = ?", [code]).fetchone(), 20, "the task")
        task = json.loads(db.execute("SELECT payload FROM tasks WHERE id = ?", [code]).fetchone()[0])

        w1.stop_central()
        terminals = Terminals(db, resolve)
        badge = db.execute("SELECT badge FROM staff WHERE role = 'picker' ORDER BY badge").fetchone()[0]
        assert terminals.login("ТСД-5", badge, "1234").ok
        assert terminals.choose_mode("ТСД-5", "ship").ok
        early = terminals.scan("ТСД-5", code)
        assert not early.ok and "ещё не собрано" in early.message
        assert terminals.choose_mode("ТСД-5", "pick").ok
        assert terminals.scan("ТСД-5", code).ok
        eans = dict(db.execute("SELECT sku, ean13 FROM items").fetchall())
        for line in task["lines"]:
            assert terminals.scan("ТСД-5", cell_barcode(line["cell_id"])).ok
            assert terminals.scan("ТСД-5", eans[line["sku"]]).ok
            if line["qty"] > 1:
                assert terminals.typed("ТСД-5", line["qty"]).ok
        assert terminals.finish("ТСД-5").ok
        refused = terminals.scan("ТСД-5", code)
        assert not refused.ok and "уже завершено" in refused.message

        assert terminals.choose_mode("ТСД-5", "ship").ok
        wrong = terminals.scan("ТСД-5", cell_barcode(task["assembly_cell_id"]))
        assert not wrong.ok and "задание" in wrong.message
        ready = terminals.scan("ТСД-5", code)
        assert ready.ok and order in ready.prompt and "Отгрузить" in ready.prompt, ready.prompt
        shipped = terminals.finish("ТСД-5")
        units = sum(line["qty"] for line in task["lines"])
        assert shipped.ok and f"{units} шт." in shipped.message, shipped.message
        assert len(shipped.event_seqs) == len({line["sku"] for line in task["lines"]})
        nothing = terminals.scan("ТСД-5", code)
        assert not nothing.ok and "нечего отгружать" in nothing.message

        w1.start_central()
        w1.catch_up()
        assert central_stock(engine, "W1") == edge_stock(path)
        with engine.connect() as conn:
            shipment = conn.execute(
                select(s.shipments.c.task_received_at, s.shipments.c.shipped_at, s.orders.c.status)
                .join(s.orders, s.orders.c.id == s.shipments.c.order_id)
                .where(s.orders.c.number == order)
            ).one()
        assert shipment.status == "shipped" and shipment.task_received_at <= shipment.shipped_at
