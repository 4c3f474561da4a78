"""Read copies of central's facts at the edge: catalogue items, this site's cells, staff badges.

Central owns these; the edge never edits them except by applying what central sends. A snapshot replaces
them wholesale (new or wiped edge); an upsert applies a delta. Rows that stock still refers to are kept
when a snapshot leaves them out, since the physical facts must stay readable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database

Row = Mapping[str, Any]

TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "items": ("sku", ("sku", "name", "ean13", "uom", "serialized", "lot_tracked", "weight_g")),
    "cells": ("id", ("id", "address", "barcode", "kind")),
    "staff": ("badge", ("badge", "full_name", "role", "pin_hash")),
}
KEPT_WHILE_STOCKED = {"items": "sku", "cells": "cell_id"}


def upsert(db: Database, table: str, rows: Iterable[Row]) -> int:
    """Insert or replace read-copy rows inside the caller's transaction: ``upsert(db, "items", [...])``."""
    pk, columns = TABLES[table]
    batch = [{c: row.get(c) for c in columns} for row in rows]  # a column central does not send yet: NULL
    if batch:
        db.table(table).upsert_all(batch, pk=pk)
    return len(batch)


def replace_all(db: Database, table: str, rows: Iterable[Row]) -> int:
    """Make a read copy exactly the snapshot, keeping only rows stock still refers to."""
    pk, _ = TABLES[table]
    batch = list(rows)
    count = upsert(db, table, batch)
    keep = {row[pk] for row in batch}
    current = [r[0] for r in db.execute(f"SELECT {pk} FROM {table}")]  # noqa: S608 - names from TABLES
    stale = [key for key in current if key not in keep]
    stock_column = KEPT_WHILE_STOCKED.get(table)
    for key in stale:
        in_stock = f"SELECT 1 FROM stock WHERE {stock_column} = ?"  # noqa: S608 - names from TABLES
        if stock_column and db.execute(in_stock, [key]).fetchone():
            continue
        db.execute(f"DELETE FROM {table} WHERE {pk} = ?", [key])  # noqa: S608 - names from TABLES
    return count
