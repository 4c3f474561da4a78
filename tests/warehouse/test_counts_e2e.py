"""Counts with approval end to end (WH-5, WH-9): blind counts at the site with central down, a count sheet at
central, approval, the adjustment applied at the site (one line refused with the reason) and followed by central."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from central.store import schema as s
from central.warehouse import counts
from devices.barcodes import cell_barcode
from edge.terminal.resolve import resolve
from edge.terminal.service import Terminals
from edge.warehouse.domain import MoveUnits
from edge.warehouse.service import handle
from tests.sync.helpers import central_stock, edge_stock, linked_site, wait_until

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_count_sheet_approval_round_trip(mosquitto, central_url, tmp_path):
    with linked_site(mosquitto.url, central_url, tmp_path) as w1:
        engine, path, db = w1.engine, w1.path, w1.db
        # Two storage cells holding exactly one item each, with at least 10 units.
        single = db.execute(
            "SELECT s.cell_id, s.sku, s.qty, c.address FROM stock s JOIN cells c ON c.id = s.cell_id"
            " WHERE c.kind = 'storage' AND s.qty >= 10"
            " AND (SELECT COUNT(*) FROM stock t WHERE t.cell_id = s.cell_id) = 1 ORDER BY s.cell_id LIMIT 3"
        ).fetchall()
        (short_cell, short_sku, short_qty, _), (over_cell, over_sku, over_qty, _), (task_cell, _, _, task_addr) = single
        with engine.begin() as conn:
            task = counts.send_count_task(conn, "W1", NOW, cells=[task_addr])
        wait_until(lambda: db.execute("SELECT 1 FROM tasks WHERE id = ?", [task]).fetchone(), 20, "the count task")

        w1.stop_central()  # counting and moving go on with the office away
        terminals = Terminals(db, resolve)
        badge = db.execute("SELECT badge FROM staff WHERE role = 'warehouse_manager' ORDER BY badge").fetchone()[0]
        assert terminals.login("ТСД-4", badge, "1234").ok
        shown = terminals.choose_mode("ТСД-4", "count")
        assert task_addr in shown.prompt, shown.prompt
        eans = dict(db.execute("SELECT sku, ean13 FROM items").fetchall())
        free = db.execute(
            "SELECT id FROM cells WHERE kind = 'storage' AND id NOT IN (SELECT cell_id FROM stock) ORDER BY id"
        ).fetchone()[0]

        def count(cell: int, sku: str | None, qty: int) -> None:
            assert terminals.scan("ТСД-4", cell_barcode(cell)).ok
            for _ in range(qty):
                assert terminals.scan("ТСД-4", eans[sku]).ok
            assert terminals.finish("ТСД-4").ok

        count(short_cell, short_sku, short_qty - 6)  # 6 missing
        count(over_cell, over_sku, over_qty + 2)  # 2 found
        count(task_cell, None, 0)  # the task's cell: nothing found at all
        assert db.execute("SELECT status FROM tasks WHERE id = ?", [task]).fetchone()[0] == "done"
        # After the count, 5 units leave the short cell for real: the book is 10-ish, so the move is allowed,
        # and the -6 adjustment would now take the cell below zero unless enough stayed.
        handle(db, MoveUnits(short_sku, short_cell, free, short_qty - 5), actor="test")

        w1.start_central()
        w1.catch_up()
        with engine.connect() as conn:
            open_sheets = counts.sheets(conn, "open")
        plain = next(sh for sh in open_sheets if sh["count_task"] is None)
        tasked = next(sh for sh in open_sheets if sh["count_task"] == task)
        assert plain["shortage"] == 6 and plain["surplus"] == 2 and plain["lines"] == 2
        assert plain["shortage_kop"] > 0 and plain["surplus_kop"] > 0
        assert tasked["lines"] == 1 and tasked["shortage"] >= 10
        with engine.connect() as conn:
            approver = conn.execute(select(s.users.c.id).where(s.users.c.role == "controlling_manager")).scalar()
        assert approver is not None
        with engine.begin() as conn:
            assert counts.approve_sheet(conn, plain["number"], approver, NOW) == 2
        with engine.begin() as conn:
            try:
                counts.approve_sheet(conn, plain["number"], approver, NOW)
            except counts.CountRefused as refused:
                assert "уже утверждена" in str(refused)
            else:
                raise AssertionError("approved twice")
        wait_until(
            lambda: db.execute("SELECT 1 FROM tasks WHERE id = ?", [plain["number"]]).fetchone(), 20, "the adjustment"
        )
        terminals.state("ТСД-4")  # the next terminal action applies approved adjustments
        assert db.execute("SELECT status FROM tasks WHERE id = ?", [plain["number"]]).fetchone()[0] == "done"
        w1.catch_up(what="central to follow")
        assert central_stock(engine, "W1") == edge_stock(path)
        with engine.connect() as conn:
            sheet = counts.sheet(conn, plain["number"])
        assert sheet is not None and sheet["status"] == "applied"
        by_cell = {line["cell_id"]: line for line in sheet["items"]}
        assert by_cell[over_cell]["status"] == "applied"
        assert (
            db.execute("SELECT qty FROM stock WHERE cell_id = ? AND sku = ?", [over_cell, over_sku]).fetchone()[0]
            == over_qty + 2
        )
        assert by_cell[short_cell]["status"] == "refused" and "минус" in by_cell[short_cell]["message"]
        assert (
            db.execute("SELECT qty FROM stock WHERE cell_id = ? AND sku = ?", [short_cell, short_sku]).fetchone()[0]
            == 5
        )
