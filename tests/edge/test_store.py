"""The edge's own database: one file per site, WAL, code-versioned migrations, stock never negative."""

from __future__ import annotations

import sqlite3

import pytest

from edge.settings import EdgeSettings
from edge.store import applied_migrations, migrations, open_site_database


def test_one_database_file_per_site_in_wal_mode(tmp_path):
    w1 = open_site_database(EdgeSettings(site="W1", data_dir=tmp_path).database_path)
    s1 = open_site_database(EdgeSettings(site="S1", data_dir=tmp_path).database_path)
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["S1.db", "W1.db"]
    assert w1.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert w1.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert s1.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "W1.db"
    db = open_site_database(path)
    names = [
        "m001_outbox_and_read_copies",
        "m002_staff_and_scan_journal",
        "m003_tasks",
        "m004_packages",
        "m005_serials_and_sscc",
    ]
    assert applied_migrations(db) == names
    db.conn.close()
    again = open_site_database(path)
    assert applied_migrations(again) == names
    assert migrations.pending(again) == []


def test_stock_can_never_go_negative(tmp_path):
    db = open_site_database(tmp_path / "W1.db")
    db.table("items").insert(
        {
            "sku": "A-1",
            "name": "Кронштейн",
            "ean13": "4601234567894",
            "uom": "шт",
            "serialized": 0,
            "lot_tracked": 0,
        }
    )
    db.table("cells").insert({"id": 1, "address": "A-01-01-01", "barcode": "2100000000015", "kind": "storage"})
    db.table("stock").insert({"sku": "A-1", "cell_id": 1, "qty": 3})
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE stock SET qty = qty - 4 WHERE sku = 'A-1'")
    assert db.execute("SELECT qty FROM stock").fetchone()[0] == 3


def test_outbox_sequence_is_never_reused(tmp_path):
    db = open_site_database(tmp_path / "W1.db")
    row = {
        "type": "UnitsMoved",
        "occurred_at": "2026-11-23T10:00:00Z",
        "actor": "x",
        "payload": "{}",
        "schema_version": 1,
    }
    db.table("outbox").insert({"event_id": "e1", **row})
    db.execute("DELETE FROM outbox")
    db.table("outbox").insert({"event_id": "e2", **row})
    assert db.execute("SELECT seq FROM outbox").fetchone()[0] == 2


def test_bad_site_code_is_refused():
    with pytest.raises(ValueError, match="upper-case letters and digits"):
        EdgeSettings(site="w1/../x")
