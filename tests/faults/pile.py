"""Recording many events at an edge fast, straight through its service layer, for backlogs of 100,000."""

from __future__ import annotations

from pathlib import Path

from edge.store import open_site_database, write_transaction
from edge.warehouse.domain import MoveUnits, ReceiveUnits
from edge.warehouse.service import handle


def pile_up(path: Path, events: int, chunk: int = 5_000) -> None:
    """Add ``events`` receipts and moves to a running edge's database (its sync thread sends them)."""
    db = open_site_database(path)
    try:
        # The pile is a test fixture, not an operator's scan: no need to fsync every transaction.
        db.execute("PRAGMA synchronous=OFF")
        receiving = db.execute("SELECT id FROM cells WHERE kind = 'receiving' ORDER BY id LIMIT 1").fetchone()[0]
        storage = [r[0] for r in db.execute("SELECT id FROM cells WHERE kind = 'storage' ORDER BY id LIMIT 20")]
        skus = [r[0] for r in db.execute("SELECT sku FROM items ORDER BY sku LIMIT 50")]
        done = 0
        while done < events:
            with write_transaction(db):
                for n in range(done, min(events, done + chunk)):
                    sku = skus[(n // 2) % len(skus)]
                    if n % 2 == 0:
                        handle(db, ReceiveUnits(sku, receiving, 2), actor="pile")
                    else:
                        handle(db, MoveUnits(sku, receiving, storage[n % len(storage)], 1), actor="pile")
            done = min(events, done + chunk)
    finally:
        db.conn.close()
