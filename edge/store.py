"""The edge's SQLite database: one file per site, WAL, migrations versioned in code (sqlite-utils ``Migrations``)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("stockyard-edge")


@migrations()
def m001_outbox_and_read_copies(db: Database) -> None:
    """Outbox for upstream events, downstream cursor, read copies of central's catalogue, stock per cell."""
    # The outbox row is written in the same transaction as the state change it reports; seq is the
    # per-site order central applies in, so it must be gap-free and never reused (AUTOINCREMENT).
    db.execute(
        """
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            actor TEXT,
            payload TEXT NOT NULL,
            schema_version INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.table("items").create(
        {"sku": str, "name": str, "ean13": str, "uom": str, "serialized": int, "lot_tracked": int},
        pk="sku",
    )
    db.table("items").create_index(["ean13"])
    db.table("cells").create({"id": int, "address": str, "barcode": str, "kind": str}, pk="id")
    db.table("cells").create_index(["barcode"], unique=True)
    # Physical stock is the edge's own fact; the CHECK is the last line behind the domain's refusal.
    db.execute(
        """
        CREATE TABLE stock (
            sku TEXT NOT NULL REFERENCES items(sku),
            cell_id INTEGER NOT NULL REFERENCES cells(id),
            qty INTEGER NOT NULL CHECK (qty >= 0),
            PRIMARY KEY (sku, cell_id)
        )
        """
    )


@migrations()
def m002_staff_and_scan_journal(db: Database) -> None:
    """Read copy of staff badges for terminal login; the journal of every scan and what came of it."""
    db.table("staff").create({"badge": str, "full_name": str, "role": str, "pin_hash": str}, pk="badge")
    db.execute(
        """
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            workstation TEXT NOT NULL,
            operator TEXT,
            source TEXT NOT NULL,
            code TEXT NOT NULL,
            interpretation TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'invalid')),
            message TEXT NOT NULL,
            event_seq INTEGER
        )
        """
    )


@migrations()
def m003_tasks(db: Database) -> None:
    """Tasks central sends down (pick, count, put-away, expected receipts), applied once by their id."""
    db.execute(
        """
        CREATE TABLE tasks (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new',
            down_seq INTEGER NOT NULL,
            received_at TEXT NOT NULL
        )
        """
    )


@migrations()
def m004_packages(db: Database) -> None:
    """Packages (WH-2): boxes and pallets by SSCC in a cell, their units and their parent package."""
    db.execute(
        """
        CREATE TABLE packages (
            sscc TEXT PRIMARY KEY CHECK (length(sscc) = 18),
            cell_id INTEGER NOT NULL REFERENCES cells(id),
            parent TEXT REFERENCES packages(sscc),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            opened_at TEXT NOT NULL,
            closed_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX ix_packages_cell ON packages (cell_id)")
    db.execute("CREATE INDEX ix_packages_parent ON packages (parent)")
    db.execute(
        """
        CREATE TABLE package_units (
            sscc TEXT NOT NULL REFERENCES packages(sscc),
            sku TEXT NOT NULL REFERENCES items(sku),
            qty INTEGER NOT NULL CHECK (qty > 0),
            PRIMARY KEY (sscc, sku)
        )
        """
    )


@migrations()
def m005_serials_and_sscc(db: Database) -> None:
    """Serial numbers per unit (WH-1), the site's SSCC counter, shipped packages, items' weight for labels."""
    # One row per serialized unit the site has seen: where it is (cell, package) or how it left. ``seq`` is the
    # outbox event that last changed it, written in the same transaction as the stock change and that event.
    db.execute(
        """
        CREATE TABLE serials (
            sku TEXT NOT NULL REFERENCES items(sku),
            serial TEXT NOT NULL CHECK (length(serial) BETWEEN 1 AND 64),
            cell_id INTEGER REFERENCES cells(id),
            package TEXT REFERENCES packages(sscc),
            status TEXT NOT NULL CHECK (status IN ('in_stock', 'shipped', 'consumed', 'written_off')),
            seq INTEGER NOT NULL,
            PRIMARY KEY (sku, serial)
        )
        """
    )
    db.execute("CREATE INDEX ix_serials_cell ON serials (cell_id, sku, status)")
    db.execute("CREATE INDEX ix_serials_package ON serials (package)")
    # The last serial reference issued per extension digit + company prefix: SSCCs are never issued twice.
    db.execute("CREATE TABLE sscc_counter (stem TEXT PRIMARY KEY, last INTEGER NOT NULL CHECK (last >= 0))")
    # A shipped package keeps its rows (what left, for the record) but no longer counts as packed in its cell.
    db.execute("ALTER TABLE packages ADD COLUMN shipped_at TEXT")
    db.execute("ALTER TABLE packages ADD COLUMN shipment TEXT")
    db.execute("ALTER TABLE items ADD COLUMN weight_g INTEGER")


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """``with write_transaction(db): ...`` — one atomic write, nested ones become savepoints.

    It starts with BEGIN IMMEDIATE: the site's file has several writers (terminals, the sync thread), and a
    deferred transaction that read first cannot wait for the write lock — SQLite refuses it at once.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        _rollback(db)
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise


def _rollback(db: Database) -> None:
    # An error may already have ended the transaction; rolling back twice would hide the first error.
    if db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


def open_site_database(path: Path) -> Database:
    """Open (creating and migrating) a site's database: ``open_site_database(Path("var/edge/W1.db"))``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    # A scan acknowledged to the operator must survive a power cut: FULL syncs the WAL on every commit.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    db = Database(conn)
    migrations.apply(db)
    return db


def applied_migrations(db: Database) -> list[str]:
    """Names of applied migrations, oldest first: ``applied_migrations(db)[0] == "m001_outbox_and_read_copies"``."""
    return [m.name for m in migrations.applied(db)]
