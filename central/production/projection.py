"""Central's projection of the shop edges' Work* events into work records, time intervals and pauses.

Called by the inbox (``central.sync.inbox.apply_events``) in the transaction that writes the events' ledger
rows, so a record changes exactly once per event, in the site's order. Times are the ``at`` of the events
(the station's clock): actual time is the sum of the intervals between start/resume and pause/finish/close.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from central.store import schema as s
from sync.events import (
    WORK_MODELS,
    InvalidEvent,
    UnknownSchema,
    WorkClosedByRule,
    WorkFact,
    WorkFinished,
    WorkPaused,
    WorkResumed,
    WorkStarted,
    read_event,
)
from sync.messages import Event

WORK_TYPES = frozenset(m.__name__ for m in WORK_MODELS)


def project_work(conn: Connection, site_id: int, events: Sequence[Event], now: datetime) -> list[dict[str, Any]]:
    """Apply the Work* events among ``events`` (already in the ledger run); return exception rows."""
    problems: list[dict[str, Any]] = []
    for event in events:
        if event.type not in WORK_TYPES:
            continue
        try:
            fact = read_event(event.type, event.schema_version, event.payload)
        except (InvalidEvent, UnknownSchema):
            continue  # the inbox already recorded why
        if not isinstance(fact, WORK_MODELS):
            continue
        # Stored in UTC whatever offset the station wrote (SQLite keeps the wall time it is given).
        message = _apply(conn, site_id, fact.model_copy(update={"at": fact.at.astimezone(UTC)}))
        if message:
            problems.append(
                {
                    "site_id": site_id,
                    "seq": event.seq,
                    "kind": "unknown_reference",
                    "message": message,
                    "created_at": now,
                }
            )
    return problems


def _apply(conn: Connection, site_id: int, fact: WorkFact) -> str | None:
    w = s.work_records.c
    if isinstance(fact, WorkStarted):
        worker_id = conn.execute(select(s.workers.c.id).where(s.workers.c.badge == fact.worker)).scalar()
        record_id = conn.execute(
            insert(s.work_records)
            .values(
                site_id=site_id, session=fact.session, task_number=fact.task, routing_operation_id=fact.operation_id,
                op_seq=fact.op_seq, operation=fact.operation, sku=fact.sku, group_code=fact.group_code,
                worker_badge=fact.worker, worker_id=worker_id, norm_minutes_per_unit=fact.norm_minutes_per_unit,
                started_at=fact.at, state="running",
            )
            .returning(w.id)
        ).scalar_one()  # fmt: skip
        conn.execute(insert(s.work_intervals).values(work_record_id=record_id, started_at=fact.at))
        return None if worker_id is not None else f"работник с бейджем {fact.worker} неизвестен центру"
    record_id = conn.execute(select(w.id).where(w.site_id == site_id, w.session == fact.session)).scalar()
    if record_id is None:
        return f"работа {fact.session} не начиналась"
    _close(conn, s.work_intervals, record_id, fact.at)
    _close(conn, s.work_pauses, record_id, fact.at)
    match fact:
        case WorkPaused():
            conn.execute(insert(s.work_pauses).values(work_record_id=record_id, started_at=fact.at, reason=fact.reason))
            state: dict[str, Any] = {"state": "paused"}
        case WorkResumed():
            conn.execute(insert(s.work_intervals).values(work_record_id=record_id, started_at=fact.at))
            state = {"state": "running"}
        case WorkFinished():
            state = {"state": "finished", "ended_at": fact.at, "good": fact.good, "defective": fact.defective}
        case WorkClosedByRule():
            state = {"state": "closed", "ended_at": fact.at, "closed_by_rule": True}
    conn.execute(update(s.work_records).where(w.id == record_id).values(**state))
    return None


def _close(conn: Connection, table: Any, record_id: int, at: datetime) -> None:
    conn.execute(
        update(table).where(table.c.work_record_id == record_id, table.c.ended_at.is_(None)).values(ended_at=at)
    )
