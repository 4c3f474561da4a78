"""A small site for edge tests: a few items, cells and one operator, with real barcodes."""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlite_utils import Database
from stdnum import ean


def ean13(first12: str) -> str:
    """A valid EAN-13 from its first twelve digits."""
    return first12 + ean.calc_check_digit(first12)


def cell_code(cell_id: int) -> str:
    """The company's cell barcode: 21 + ten-digit cell id + check digit."""
    return ean13(f"21{cell_id:010d}")


BADGE = ean13("220000000001")
PIN = "2468"
ITEMS = {
    "K-40": ("Кронштейн стальной 40×40", ean13("460123456789")),
    "S-16": ("Саморез 4,2×16 оцинк.", ean13("460123456790")),
}
CELLS = {
    101: ("A-01-01-01", "storage"),
    102: ("A-01-01-02", "storage"),
    900: ("RCV-01", "receiving"),
    950: ("ASM-01", "assembly"),
}


def load_site(db: Database) -> None:
    """Fill the read copies an edge receives from central, and one operator."""
    db.table("items").insert_all(
        {"sku": sku, "name": name, "ean13": code, "uom": "шт", "serialized": 0, "lot_tracked": 0}
        for sku, (name, code) in ITEMS.items()
    )
    db.table("cells").insert_all(
        {"id": cid, "address": address, "barcode": cell_code(cid), "kind": kind}
        for cid, (address, kind) in CELLS.items()
    )
    db.table("staff").insert(
        {"badge": BADGE, "full_name": "Петров Иван Сергеевич", "role": "picker", "pin_hash": PasswordHasher().hash(PIN)}
    )
