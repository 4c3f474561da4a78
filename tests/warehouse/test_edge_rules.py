"""The site's side of receipts and adjustments, on a real site database: totals, closing once, the adjustment rule."""

from __future__ import annotations

import json

import pytest

from edge.store import open_site_database
from edge.warehouse.domain import CloseReceipt, CountCell, MoveUnits, ReceiveUnits, RecordDefective, Refused
from edge.warehouse.service import apply_adjustments, handle, receipt_totals, task_in_cell
from tests.edge.site_data import load_site

DOC = "2400000000017"


@pytest.fixture
def db(tmp_path):
    site = open_site_database(tmp_path / "W1.db")
    load_site(site)
    yield site
    site.conn.close()


def add_task(db, task_id: str, kind: str, payload: dict[str, object]) -> None:
    db.execute(
        "INSERT INTO tasks (id, kind, payload, down_seq, received_at) VALUES (?, ?, ?, 1, '2026-11-23')",
        [task_id, kind, json.dumps({"id": task_id, "kind": kind, **payload})],
    )


def test_a_receipt_totals_every_handheld_and_closes_once(db):
    add_task(db, DOC, "receipt", {"supply_order": "ПЗ-1", "supplier": "ООО", "lines": []})
    handle(db, ReceiveUnits("K-40", 900, 7, DOC), actor="a")
    handle(db, ReceiveUnits("K-40", 101, 2, DOC), actor="b")
    handle(db, RecordDefective("S-16", 1, DOC), actor="b")
    assert receipt_totals(db, DOC) == {"K-40": (9, 0), "S-16": (0, 1)}
    _, event = handle(db, CloseReceipt(DOC, "ПЗ-1", (("K-40", 10),)), actor="a")
    assert event.lines == [  # type: ignore[union-attr]
        {"sku": "K-40", "expected": 10, "received": 9, "defective": 0},
        {"sku": "S-16", "expected": 0, "received": 0, "defective": 1},
    ]
    assert db.execute("SELECT qty FROM stock WHERE sku = 'S-16'").fetchone() is None  # defective never stocked
    for late in (ReceiveUnits("K-40", 900, 1, DOC), CloseReceipt(DOC, "ПЗ-1", ())):
        with pytest.raises(Refused, match="уже завершена"):
            handle(db, late, actor="a")


def adjustment(db, task_id: str, count_seq: int, book: int, counted: int) -> None:
    line = {
        "sku": "K-40",
        "cell_id": 101,
        "cell": "A-01-01-01",
        "book": book,
        "counted": counted,
        "count_seq": count_seq,
    }
    add_task(db, task_id, "adjustment", {"lines": [line]})


def stock(db) -> int:
    row = db.execute("SELECT qty FROM stock WHERE sku = 'K-40' AND cell_id = 101").fetchone()
    return 0 if row is None else int(row[0])


def last_event(db) -> tuple[str, dict[str, object]]:
    kind, payload = db.execute("SELECT type, payload FROM outbox ORDER BY seq DESC LIMIT 1").fetchone()
    return kind, json.loads(payload)


def test_the_difference_applies_on_top_of_later_movements(db):
    handle(db, ReceiveUnits("K-40", 101, 10), actor="t")
    seq, _ = handle(db, CountCell("K-40", 101, 7), actor="t")  # 3 missing
    handle(db, ReceiveUnits("K-40", 101, 5), actor="t")  # 5 more arrive after the count
    adjustment(db, "ИНВ-00001", seq, 10, 7)
    assert len(apply_adjustments(db)) == 1
    assert stock(db) == 12 and last_event(db)[0] == "StockAdjusted"
    assert apply_adjustments(db) == []  # applied once


def test_a_recount_supersedes_the_adjustment(db):
    handle(db, ReceiveUnits("K-40", 101, 10), actor="t")
    seq, _ = handle(db, CountCell("K-40", 101, 7), actor="t")
    handle(db, CountCell("K-40", 101, 8), actor="t")
    adjustment(db, "ИНВ-00002", seq, 10, 7)
    apply_adjustments(db)
    kind, payload = last_event(db)
    assert kind == "AdjustmentRefused" and payload["reason"] == "recounted" and stock(db) == 10


def test_an_adjustment_below_zero_is_refused_with_the_reason(db):
    handle(db, ReceiveUnits("K-40", 101, 10), actor="t")
    seq, _ = handle(db, CountCell("K-40", 101, 4), actor="t")
    handle(db, MoveUnits("K-40", 101, 102, 8), actor="t")
    adjustment(db, "ИНВ-00003", seq, 10, 4)
    apply_adjustments(db)
    kind, payload = last_event(db)
    assert kind == "AdjustmentRefused" and payload["reason"] == "would_go_negative"
    assert "в минус" in str(payload["message"]) and stock(db) == 2


def test_what_is_left_to_ship_for_a_task(db):
    from edge.warehouse.domain import PickUnits, ShipUnits

    handle(db, ReceiveUnits("K-40", 101, 10), actor="t")
    handle(db, PickUnits("T1", "K-40", 101, 950, 4), actor="t")
    assert task_in_cell(db, "T1", 950) == {"K-40": 4}
    handle(db, ShipUnits("K-40", 950, 4, "T1"), actor="t")
    assert task_in_cell(db, "T1", 950) == {}
