"""Receiving against an expected receipt end to end (WH-7, WH-8): sent by central, received on a handheld with
central down — over, under and defective — closed, and the claims register and the supply order at central."""

from __future__ import annotations

import json

from sqlalchemy import select

from central.store import schema as s
from central.warehouse.receipts import ReceiptRefused, claims, send_expected_receipt
from devices.barcodes import cell_barcode
from edge.terminal.resolve import resolve
from edge.terminal.service import Terminals
from tests.sync.helpers import central_stock, edge_outbox_seq, edge_stock, linked_site, wait_until


def test_receipt_with_over_under_and_defective_while_central_is_down(mosquitto, central_url, tmp_path):
    with linked_site(mosquitto.url, central_url, tmp_path) as w1:
        engine, path, db = w1.engine, w1.path, w1.db
        with engine.connect() as conn:
            open_orders = select(s.supply_orders.c.number).where(s.supply_orders.c.status == "open")
            number = conn.execute(open_orders.order_by(s.supply_orders.c.id)).scalars().first()
        assert number is not None
        with engine.begin() as conn:
            code = send_expected_receipt(conn, number, "W1")
        assert code.startswith("24")
        with engine.begin() as conn:
            try:
                send_expected_receipt(conn, number, "W1")
            except ReceiptRefused as refused:
                assert "уже отправлена" in str(refused)
            else:
                raise AssertionError("a supply order was sent twice")
        wait_until(lambda: db.execute("SELECT 1 FROM tasks WHERE id = ?", [code]).fetchone(), 20, "the receipt")
        task = json.loads(db.execute("SELECT payload FROM tasks WHERE id = ?", [code]).fetchone()[0])
        assert task["kind"] == "receipt" and task["supply_order"] == number and task["supplier"]
        lines = task["lines"]
        assert len(lines) >= 2

        w1.stop_central()  # the office goes away; the warehouse keeps receiving
        terminals = Terminals(db, resolve)
        badge = db.execute("SELECT badge FROM staff WHERE role = 'warehouse_manager' ORDER BY badge").fetchone()[0]
        assert terminals.login("ТСД-2", badge, "1234").ok
        assert terminals.choose_mode("ТСД-2", "receive").ok
        started = terminals.scan("ТСД-2", code)
        assert started.ok and number in started.message, started.message
        eans = dict(db.execute("SELECT sku, ean13 FROM items").fetchall())
        expected_skus = {line["sku"] for line in lines}
        stranger = next(sku for sku in sorted(eans) if sku not in expected_skus)
        not_ordered = terminals.scan("ТСД-2", eans[stranger])
        assert not not_ordered.ok and "не заказан" in not_ordered.message
        receiving = db.execute("SELECT id FROM cells WHERE kind = 'receiving' ORDER BY id").fetchone()[0]
        first, second = lines[0], lines[1]
        # Line 1: two more than ordered, and 3 defective on top.
        assert terminals.scan("ТСД-2", eans[first["sku"]]).ok
        assert terminals.typed("ТСД-2", first["expected"] + 2).ok
        placed = terminals.scan("ТСД-2", cell_barcode(receiving))
        assert placed.ok and placed.event_seqs, placed.message
        assert terminals.scan("ТСД-2", eans[first["sku"]]).ok
        assert terminals.typed("ТСД-2", 3).ok
        defect = terminals.defective("ТСД-2")
        assert defect.ok and "Брак" in defect.message, defect.message
        # Line 2: one short. Other lines: nothing arrived.
        assert terminals.scan("ТСД-2", eans[second["sku"]]).ok
        assert terminals.typed("ТСД-2", second["expected"] - 1).ok
        assert terminals.scan("ТСД-2", cell_barcode(receiving)).ok
        assert "Поставка" in terminals.state("ТСД-2").prompt
        closed = terminals.finish("ТСД-2")
        assert closed.ok and "Расхождения" in closed.message, closed.message
        assert db.execute("SELECT status FROM tasks WHERE id = ?", [code]).fetchone()[0] == "done"
        again = terminals.scan("ТСД-2", code)
        assert not again.ok and "уже завершена" in again.message

        w1.start_central()
        w1.catch_up(upto=edge_outbox_seq(path))
        assert central_stock(engine, "W1") == edge_stock(path)
        with engine.connect() as conn:
            register = {c["sku"]: c for c in claims(conn) if c["receipt"] == code}
            status = conn.execute(
                select(s.supply_orders.c.status).where(s.supply_orders.c.number == number)
            ).scalar_one()
            receipt_status = conn.execute(
                select(s.expected_receipts.c.status).where(s.expected_receipts.c.code == code)
            ).scalar_one()
            problems = conn.execute(select(s.sync_exceptions.c.kind)).scalars().all()
        assert status == "received" and receipt_status == "closed"
        assert register[first["sku"]]["over"] == 2 and register[first["sku"]]["defective"] == 3
        assert register[first["sku"]]["claim_kop"] == 3 * register[first["sku"]]["price_kop"]
        assert register[second["sku"]]["under"] == 1 and register[second["sku"]]["over"] == 0
        for line in lines[2:]:
            assert register[line["sku"]]["under"] == line["expected"]
        assert all(c["status"] == "open" for c in register.values())
        assert "unknown_reference" not in problems
