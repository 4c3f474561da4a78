"""Where the edge stands in both directions, kept in ``sync_state`` next to the data it describes."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from edge.store import write_transaction
from sync.messages import Event


def get(db: Database, key: str, default: int = 0) -> int:
    """``get(db, "acked_seq")`` → 0 until set."""
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
    return default if row is None else int(row[0])


def put(db: Database, key: str, value: int) -> None:
    """Record a position inside the caller's transaction (or on its own)."""
    db.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, str(value)],
    )


def outbox_seq(db: Database) -> int:
    """The newest sequence ever given to an outbox event (AUTOINCREMENT's high-water mark)."""
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
    return 0 if row is None else int(row[0])


def skip_sequence_to(db: Database, seq: int) -> None:
    """Make the next outbox event number ``seq + 1`` (after a restore from an older copy)."""
    with write_transaction(db):
        if db.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'outbox'", [seq]).rowcount == 0:
            db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", [seq])


def events_after(db: Database, seq: int, limit: int) -> list[Event]:
    """Outbox events after ``seq`` in order: ``events_after(db, 0, 500)``."""
    rows = db.execute(
        "SELECT seq, event_id, type, occurred_at, actor, payload, schema_version FROM outbox"
        " WHERE seq > ? ORDER BY seq LIMIT ?",
        [seq, limit],
    ).fetchall()
    return [
        Event(
            seq=row[0],
            event_id=row[1],
            type=row[2],
            occurred_at=row[3],
            actor=row[4],
            payload=json.loads(row[5]),
            schema_version=row[6],
        )
        for row in rows
    ]


def report(db: Database) -> dict[str, Any]:
    """The edge's own side for ``GET /api/v1/sync``."""
    newest = outbox_seq(db)
    acked = get(db, "acked_seq")
    return {
        "outbox_seq": newest,
        "acked_seq": acked,
        "backlog": max(0, newest - acked),
        "downstream_cursor": get(db, "down_cursor"),
        "bootstrapped": bool(get(db, "bootstrapped")),
    }
