"""The edge's outbox: facts recorded in the same transaction as the state change they report."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime

from sqlite_utils import Database

from sync.events import version_of


def new_event_id() -> str:
    """A sortable unique id: 48 bits of milliseconds then 80 random bits, as 32 hex digits."""
    return f"{int(time.time() * 1000):012x}{os.urandom(10).hex()}"


def append_event(db: Database, event_type: str, payload: dict[str, object], actor: str, occurred_at: datetime) -> int:
    """Add an event to the outbox inside the caller's transaction and return its per-site sequence."""
    cursor = db.execute(
        "INSERT INTO outbox (event_id, type, occurred_at, actor, payload, schema_version) VALUES (?, ?, ?, ?, ?, ?)",
        [
            new_event_id(),
            event_type,
            occurred_at.isoformat(),
            actor,
            json.dumps(payload, ensure_ascii=False, sort_keys=True),
            version_of(event_type),
        ],
    )
    return int(cursor.lastrowid or 0)
