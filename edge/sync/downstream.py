"""Applying what central sends: a snapshot on first start, then its log in order, each entry exactly once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from edge import readcopies
from edge.outbox import append_event
from edge.store import write_transaction
from edge.sync import state
from edge.warehouse.service import restore_serials
from sync.messages import DownMessage


def apply_messages(db: Database, messages: Sequence[DownMessage]) -> int:
    """Apply a contiguous run after the stored cursor in one transaction; return the new cursor."""
    with write_transaction(db):
        cursor = state.get(db, "down_cursor")
        for message in messages:
            if message.seq <= cursor:
                continue
            if message.seq != cursor + 1:
                raise ValueError(f"downstream {message.seq} does not follow {cursor}")
            _apply(db, message.kind, message.payload, message.seq)
            cursor = message.seq
        state.put(db, "down_cursor", cursor)
    return cursor


def _apply(db: Database, kind: str, payload: dict[str, Any], seq: int) -> None:
    if kind in readcopies.TABLES:
        readcopies.upsert(db, kind, payload["rows"])
    elif kind == "task":
        _upsert_task(db, payload, seq)
    else:
        # A kind from a newer central: recorded as a task of that kind rather than lost or guessed at.
        _upsert_task(db, {"id": f"{kind}:{seq}", "kind": kind, **payload}, seq)


def _upsert_task(db: Database, payload: dict[str, Any], seq: int) -> None:
    task_id = str(payload["id"])
    new = db.execute("SELECT 1 FROM tasks WHERE id = ?", [task_id]).fetchone() is None
    if new and payload.get("kind") == "pick":
        # When the warehouse received the task is a site fact (WH-6); it travels up like any other.
        append_event(db, "PickTaskReceived", {"task": task_id}, actor="sync", occurred_at=datetime.now(UTC))
    db.execute(
        "INSERT INTO tasks (id, kind, payload, down_seq, received_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, down_seq = excluded.down_seq",
        [
            str(payload["id"]),
            str(payload.get("kind", "task")),
            json.dumps(payload, ensure_ascii=False, sort_keys=True),
            seq,
            datetime.now(UTC).isoformat(),
        ],
    )


def _load_packages(db: Database, packages: list[dict[str, Any]], units: list[dict[str, Any]]) -> None:
    """Boxes and pallets as central last saw them (a rebuilt edge keeps what is packed where)."""
    now = datetime.now(UTC).isoformat()
    for package in packages:  # parents are linked after every package exists
        db.execute(
            "INSERT INTO packages (sscc, cell_id, status, opened_at) VALUES (?, ?, ?, ?)",
            [package["sscc"], package["cell_id"], package["status"], now],
        )
    for package in packages:
        if package["parent"]:
            db.execute("UPDATE packages SET parent = ? WHERE sscc = ?", [package["parent"], package["sscc"]])
    for unit in units:
        db.execute(
            "INSERT INTO package_units (sscc, sku, qty) VALUES (?, ?, ?)", [unit["sscc"], unit["sku"], unit["qty"]]
        )


def apply_snapshot(db: Database, picture: dict[str, Any]) -> int:
    """Start from central's picture: read copies replaced, stock and numbering taken over if this edge is new.

    An edge that already recorded facts keeps its own stock (it owns it); only a new or wiped edge takes
    central's projection, and continues its outbox numbering after what central has applied.
    """
    with write_transaction(db):
        for table in ("items", "cells", "staff"):
            readcopies.replace_all(db, table, picture[table])
        fresh = state.outbox_seq(db) == 0 and db.execute("SELECT 1 FROM stock LIMIT 1").fetchone() is None
        if fresh:
            db.execute(
                "INSERT INTO stock (sku, cell_id, qty) SELECT value ->> 'sku', value ->> 'cell_id', value ->> 'qty'"
                " FROM json_each(?)",
                [json.dumps(picture["stock"])],
            )
            _load_packages(db, picture.get("packages", []), picture.get("package_units", []))
            restore_serials(db, picture)
            up_seq = int(picture["up_seq"])
            if up_seq:
                db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", [up_seq])
                state.put(db, "acked_seq", up_seq)
        head = int(picture["head"])
        for task in picture["tasks"]:
            _upsert_task(db, task, head)
        state.put(db, "down_cursor", head)
        state.put(db, "bootstrapped", 1)
    return head
