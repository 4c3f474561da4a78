"""Edge and central over a real Mosquitto: bootstrap by snapshot, events up exactly once, the log down in order."""

from __future__ import annotations

import json

from sqlalchemy import select

from central.store import schema as s
from central.store.engine import create_central_engine
from central.sync.downlog import append_down
from central.sync.worker import CentralSync
from edge.store import open_site_database
from edge.warehouse.domain import MoveUnits, ReceiveUnits
from edge.warehouse.service import handle
from sync.transport import BrokerAddress
from tests.sync.helpers import central_applied, central_stock, edge_stock, ledger, outbox, wait_until


def test_bootstrap_events_up_and_tasks_down(mosquitto, central_url, tmp_path):
    engine = create_central_engine(central_url)
    address = BrokerAddress.parse(mosquitto.url)
    from edge.sync.client import EdgeSync

    worker = CentralSync(engine, address)
    worker.start()
    path = tmp_path / "W1.db"
    edge = EdgeSync("W1", path, address)
    edge.start()
    try:
        db = open_site_database(path)
        wait_until(
            lambda: db.execute("SELECT value FROM sync_state WHERE key='bootstrapped'").fetchone(), 20, "snapshot"
        )
        assert db.execute("SELECT count(*) FROM items").fetchone()[0] >= 2000
        assert db.execute("SELECT count(*) FROM cells").fetchone()[0] >= 1000
        assert db.execute("SELECT count(*) FROM staff WHERE pin_hash IS NOT NULL").fetchone()[0] >= 24
        assert edge_stock(path) == central_stock(engine, "W1") != []

        receiving = db.execute("SELECT id FROM cells WHERE kind = 'receiving' LIMIT 1").fetchone()[0]
        storage = [r[0] for r in db.execute("SELECT id FROM cells WHERE kind = 'storage' ORDER BY id LIMIT 2")]
        skus = [r[0] for r in db.execute("SELECT sku FROM items ORDER BY sku LIMIT 3")]
        for sku in skus:
            handle(db, ReceiveUnits(sku, receiving, 10), actor="test")
            handle(db, MoveUnits(sku, receiving, storage[0], 7), actor="test")
            handle(db, MoveUnits(sku, storage[0], storage[1], 2), actor="test")
        newest = outbox(path)[-1][0]
        wait_until(lambda: central_applied(engine, "W1") == newest, 20, "central to apply every event")
        assert ledger(engine, "W1") == outbox(path)
        assert central_stock(engine, "W1") == edge_stock(path)
        wait_until(lambda: edge.sender.acked == newest, 10, "the edge to see the acknowledgement")

        with engine.begin() as conn:
            for n in range(100):
                append_down(conn, "W1", "task", {"id": f"T{n}", "kind": "pick", "lines": [n]})
        wait_until(lambda: db.execute("SELECT count(*) FROM tasks").fetchone()[0] == 100, 20, "100 tasks down")
        payload = json.loads(db.execute("SELECT payload FROM tasks WHERE id = 'T42'").fetchone()[0])
        assert payload["lines"] == [42]

        def down_acked() -> int:
            with engine.connect() as conn:
                return int(conn.execute(select(s.sync_sites.c.down_acked)).scalar() or 0)

        wait_until(lambda: down_acked() == 100, 10, "central to see the cursor")
    finally:
        edge.stop()
        worker.stop()
