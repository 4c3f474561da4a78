"""The edge's disk is full: the scan is refused on screen (no success beep), nothing half-written, then it resumes."""

from __future__ import annotations

import sqlite3

from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import EdgeSettings
from edge.store import open_site_database
from tests.edge.site_data import BADGE, CELLS, ITEMS, PIN, cell_code, load_site


def fill(db, sql: str) -> None:
    """Insert rows of shrinking size until SQLite has no page left for even the smallest."""
    for size in (2000, 400, 80, 16, 1):
        for _ in range(10_000):
            try:
                if db.execute(sql, ["x" * size]).rowcount == 0:
                    return
            except sqlite3.OperationalError as exc:
                assert "full" in str(exc)
                break


def test_a_full_disk_refuses_the_scan_visibly_and_recovers(tmp_path):
    db = open_site_database(tmp_path / "W1.db")
    load_site(db)
    with TestClient(create_app(EdgeSettings(site="W1", data_dir=tmp_path), db=db)) as client:
        assert client.post("/api/v1/terminal/ТСД-1/login", json={"badge": BADGE, "pin": PIN}).json()["ok"]
        assert client.post("/api/v1/terminal/ТСД-1/mode", json={"mode": "receive"}).json()["ok"]
        receiving = next(cid for cid, (_, kind) in CELLS.items() if kind == "receiving")
        ean = ITEMS["K-40"][1]
        assert client.post("/api/v1/scans", json={"workstation": "ТСД-1", "code": ean}).json()["ok"]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        # No room to grow: SQLite answers exactly as it does when the disk itself is full (SQLITE_FULL).
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute(f"PRAGMA max_page_count = {pages}")
        fill(
            db,
            "INSERT INTO scans (at, workstation, source, code, outcome, message) VALUES ('t', 'w', 's', 'c', 'ok', ?)",
        )
        fill(
            db,
            "INSERT INTO outbox (event_id, type, occurred_at, payload, schema_version) VALUES (hex(randomblob(16)), 'Filler', 't', ?, 1)",
        )
        fill(
            db,
            "INSERT INTO stock (sku, cell_id, qty) SELECT 'S-16', id, length(?) FROM cells WHERE id NOT IN (SELECT cell_id FROM stock) LIMIT 1",
        )
        outbox_before = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        reply = client.post("/api/v1/scans", json={"workstation": "ТСД-1", "code": cell_code(receiving)}).json()
        assert reply["ok"] is False and reply["beep"] == "error"
        assert "НЕ записан" in reply["message"] and "места" in reply["message"]
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == outbox_before
        assert db.execute("SELECT count(*) FROM stock WHERE sku = 'K-40'").fetchone()[0] == 0

        db.execute("PRAGMA max_page_count = 1073741823")  # space freed
        again = client.post("/api/v1/scans", json={"workstation": "ТСД-1", "code": cell_code(receiving)}).json()
        assert again["ok"] and again["beep"] == "ok", again
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == outbox_before + 1
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
