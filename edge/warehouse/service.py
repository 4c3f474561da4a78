"""The warehouse service layer: each command runs in one SQLite transaction together with its outbox row."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime

from sqlite_utils import Database

from edge.outbox import append_event
from edge.store import write_transaction
from edge.warehouse.domain import Cell, Command, Event, Item, PickTaskCompleted, decide, stock_changes

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock in UTC; events are ordered by their sequence, never by this."""
    return datetime.now(UTC)


class SqliteSite:
    """The rules' view of the site, read inside the command's transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def cell(self, cell_id: int) -> Cell | None:
        row = self.db.execute("SELECT id, address, kind FROM cells WHERE id = ?", [cell_id]).fetchone()
        return None if row is None else Cell(id=row[0], address=row[1], kind=row[2])

    def item(self, sku: str) -> Item | None:
        row = self.db.execute("SELECT sku, name FROM items WHERE sku = ?", [sku]).fetchone()
        return None if row is None else Item(sku=row[0], name=row[1])

    def qty(self, sku: str, cell_id: int) -> int:
        row = self.db.execute("SELECT qty FROM stock WHERE sku = ? AND cell_id = ?", [sku, cell_id]).fetchone()
        return 0 if row is None else int(row[0])


def handle(db: Database, command: Command, actor: str, clock: Clock = utc_now) -> tuple[int, Event]:
    """Decide, apply and record a command atomically: ``seq, event = handle(db, MoveUnits(...), "badge:22…")``.

    Raises ``Refused`` (nothing written) when the rules say no.
    """
    with write_transaction(db):
        event = decide(command, SqliteSite(db))
        apply_stock(db, event)
        if isinstance(event, PickTaskCompleted):
            db.execute("UPDATE tasks SET status = 'done' WHERE id = ?", [event.task])
        seq = append_event(db, type(event).__name__, dataclasses.asdict(event), actor=actor, occurred_at=clock())
    return seq, event


def apply_stock(db: Database, event: Event) -> None:
    """Write an event's stock changes; rows that reach zero are removed so stock lists only what is there."""
    for sku, cell_id, delta in stock_changes(event):
        # UPDATE first: an upsert would check qty >= 0 against the bare delta of the would-be new row.
        updated = db.execute(
            "UPDATE stock SET qty = qty + ? WHERE sku = ? AND cell_id = ?", [delta, sku, cell_id]
        ).rowcount
        if not updated:
            db.execute("INSERT INTO stock (sku, cell_id, qty) VALUES (?, ?, ?)", [sku, cell_id, delta])
        else:
            db.execute("DELETE FROM stock WHERE sku = ? AND cell_id = ? AND qty = 0", [sku, cell_id])


def stock_rows(db: Database) -> list[dict[str, object]]:
    """The site's stock as ``[{"sku", "cell", "qty"}]`` sorted by sku then cell address."""
    rows = db.execute(
        "SELECT s.sku, c.address, s.qty FROM stock s JOIN cells c ON c.id = s.cell_id ORDER BY s.sku, c.address"
    ).fetchall()
    return [{"sku": sku, "cell": address, "qty": qty} for sku, address, qty in rows]
