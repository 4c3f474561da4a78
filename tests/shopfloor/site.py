"""A shop site for shop-floor tests: two workers and operations as central sends them down."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlite_utils import Database

from edge.sync.downstream import _upsert_task

PIN = "1357"
IVANOV = "2200000010019"
PETROV = "2200000010026"


def operation(task: str, seq: int, **extra: Any) -> dict[str, Any]:
    """A task of kind ``operation`` as central.production.release sends it."""
    return {
        "id": f"op:{task}:{seq}",
        "kind": "operation",
        "task": task,
        "operation_id": 100 + seq,
        "op_seq": seq,
        "operation": f"Операция {seq}",
        "sku": "ГП-00001",
        "item_name": "Стеллаж 2000",
        "qty": 10,
        "group_code": "WG3",
        "group_name": "Сварка",
        "parallel": False,
        "norm_minutes_per_unit": 12,
        "due": "2026-11-30",
        "position": seq,
        **extra,
    }


def load_shop(db: Database, operations: list[dict[str, Any]] | None = None) -> None:
    pin_hash = PasswordHasher().hash(PIN)
    db.table("staff").insert_all(
        [
            {"badge": IVANOV, "full_name": "Иванов Пётр Ильич", "role": "worker", "pin_hash": pin_hash},
            {"badge": PETROV, "full_name": "Петров Олег Юрьевич", "role": "worker", "pin_hash": pin_hash},
        ]
    )
    for n, op in enumerate(operations or [operation("ПР-00101", 1), operation("ПР-00101", 2)], 1):
        _upsert_task(db, op, n)


class Clock:
    """A settable clock: ``clock.advance(minutes=30)``."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


MSK_8AM = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 08:00 in Moscow, a Monday


def outbox(db: Database) -> list[tuple[str, dict[str, Any], int]]:
    return [
        (t, json.loads(p), v) for t, p, v in db.execute("SELECT type, payload, schema_version FROM outbox ORDER BY seq")
    ]
