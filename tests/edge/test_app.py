"""The edge's HTTP face: health and the terminal page, in Russian."""

from __future__ import annotations

from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import EdgeSettings


def test_healthz_reports_site_and_migrations(tmp_path):
    client = TestClient(create_app(EdgeSettings(site="W1", data_dir=tmp_path)))
    body = client.get("/healthz").json()
    assert body == {
        "status": "ok",
        "service": "edge",
        "site": "W1",
        "migrations": [
            "m001_outbox_and_read_copies",
            "m002_staff_and_scan_journal",
            "m003_tasks",
            "m004_packages",
            "m005_serials_and_sscc",
        ],
    }


def test_terminal_page_is_russian(tmp_path):
    client = TestClient(create_app(EdgeSettings(site="S1", data_dir=tmp_path)))
    page = client.get("/")
    assert page.status_code == 200
    assert "Отсканируйте бейдж" in page.text
    assert "S1" in page.text


def test_stock_api_lists_sku_cell_qty_sorted(tmp_path):
    from edge.warehouse.domain import ReceiveUnits
    from edge.warehouse.service import handle

    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path))
    db = app.state.db
    db.table("items").insert_all(
        [
            {"sku": sku, "name": sku, "ean13": "", "uom": "шт", "serialized": 0, "lot_tracked": 0}
            for sku in ("B-2", "A-1")
        ]
    )
    db.table("cells").insert_all(
        [
            {"id": 1, "address": "A-01-01-02", "barcode": "2100000000015", "kind": "storage"},
            {"id": 2, "address": "A-01-01-01", "barcode": "2100000000022", "kind": "storage"},
        ]
    )
    for sku, cell, qty in (("B-2", 1, 1), ("A-1", 1, 2), ("A-1", 2, 3)):
        handle(db, ReceiveUnits(sku, cell, qty), actor="test")
    assert TestClient(app).get("/api/v1/stock").json() == [
        {"sku": "A-1", "cell": "A-01-01-01", "qty": 3},
        {"sku": "A-1", "cell": "A-01-01-02", "qty": 2},
        {"sku": "B-2", "cell": "A-01-01-02", "qty": 1},
    ]
