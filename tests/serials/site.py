"""A small site with one serialized item for the serial tests: the edge test site plus «Насос» P-1."""

from __future__ import annotations

from sqlite_utils import Database

from tests.edge.site_data import ean13, load_site

PUMP = "P-1"
PUMP_EAN = ean13("460123456791")


def load_serial_site(db: Database) -> None:
    """The edge test site (K-40, S-16, cells 101, 102, 900, 950, one operator) and a serialized pump of 12.5 kg."""
    load_site(db)
    db.table("items").insert(
        {"sku": PUMP, "name": "Насос циркуляционный", "ean13": PUMP_EAN, "uom": "шт", "serialized": 1, "lot_tracked": 0}
    )
    db.execute("UPDATE items SET weight_g = 12500 WHERE sku = ?", [PUMP])
    db.execute("UPDATE items SET weight_g = 150 WHERE sku = 'K-40'")


def gs1(serial: str, ean: str = PUMP_EAN) -> str:
    """A unit's GS1 DataMatrix as a scanner sends it: (01) GTIN-14, (21) serial."""
    return f"010{ean}21{serial}"
