"""The warehouse projection: receipts closed, counts and adjustments, followed inside the inbox transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select

from central.store import schema as s
from central.warehouse.counts import record_adjustment, record_count
from central.warehouse.receipts import record_receipt_closed
from sync.events import (
    AdjustmentRefused,
    CellCounted,
    InvalidEvent,
    ReceiptClosed,
    StockAdjusted,
    UnknownSchema,
    read_event,
)
from sync.messages import Event

FOLLOWED = ("ReceiptClosed", "CellCounted", "StockAdjusted", "AdjustmentRefused")


def project_warehouse(conn: Connection, site_id: int, events: Sequence[Event], now: datetime) -> int:
    """Apply the run's receipt, count and adjustment facts; what central cannot place becomes an exception row.

    Returns how many exceptions were raised.
    """
    mine = [e for e in events if e.type in FOLLOWED]
    if not mine:
        return 0
    items = dict(conn.execute(select(s.items.c.sku, s.items.c.id)).all())
    problems: list[dict[str, object]] = []
    for event in mine:
        try:
            fact = read_event(event.type, event.schema_version, event.payload)
        except (UnknownSchema, InvalidEvent):
            continue  # the inbox has already recorded why
        problem: str | None = None
        if isinstance(fact, ReceiptClosed):
            problem = record_receipt_closed(conn, site_id, fact, event.actor, event.occurred_at)
        elif isinstance(fact, CellCounted):
            problem = record_count(conn, site_id, event, fact, items)
        elif isinstance(fact, StockAdjusted | AdjustmentRefused):
            problem = record_adjustment(conn, site_id, fact, items)
        if problem:
            problems.append(
                {
                    "site_id": site_id,
                    "seq": event.seq,
                    "kind": "unknown_reference",
                    "message": problem,
                    "created_at": now,
                }
            )
    if problems:
        conn.execute(insert(s.sync_exceptions), problems)
    return len(problems)
