"""Read copies follow central's snapshots and deltas, without orphaning stock."""

from __future__ import annotations

from edge.readcopies import replace_all, upsert
from edge.store import open_site_database
from edge.warehouse.domain import ReceiveUnits
from edge.warehouse.service import handle


def item(sku, name="x"):
    return {"sku": sku, "name": name, "ean13": "", "uom": "шт", "serialized": 0, "lot_tracked": 0}


def test_upsert_then_snapshot_replaces(tmp_path):
    db = open_site_database(tmp_path / "W1.db")
    with db.atomic():
        upsert(db, "items", [item("A"), item("B")])
        upsert(db, "items", [item("A", "новое имя")])
    assert db.execute("SELECT name FROM items WHERE sku='A'").fetchone()[0] == "новое имя"
    with db.atomic():
        replace_all(db, "items", [item("C")])
    assert [r[0] for r in db.execute("SELECT sku FROM items ORDER BY sku")] == ["C"]


def test_snapshot_keeps_what_stock_refers_to(tmp_path):
    db = open_site_database(tmp_path / "W1.db")
    with db.atomic():
        upsert(db, "items", [item("A"), item("B")])
        upsert(db, "cells", [{"id": 1, "address": "A-1", "barcode": "2100000000015", "kind": "receiving"}])
    handle(db, ReceiveUnits("A", 1, 5), actor="t")
    with db.atomic():
        replace_all(db, "items", [item("B")])
        replace_all(db, "cells", [])
    assert [r[0] for r in db.execute("SELECT sku FROM items ORDER BY sku")] == ["A", "B"]
    assert db.execute("SELECT count(*) FROM cells").fetchone()[0] == 1
