"""The shop-floor service: each worker action is one SQLite transaction with its outbox event.

Stations (touch terminals) are kept per name in memory, like the handhelds: a worker signs in with badge and
PIN, acts, signs out. Operations are the site's ``tasks`` of kind ``operation`` (sent down by central); the
work itself lives in ``work_sessions``, the edge's own fact, changed only together with the event that
reports the change. Sessions left open past their shift are closed by rule before any other action.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from edge.outbox import append_event
from edge.shopfloor.domain import (
    CloseByRule,
    Command,
    FinishWork,
    Operation,
    PauseWork,
    Refused,
    ResumeWork,
    Session,
    StartWork,
    decide,
    shift_deadline,
)
from edge.store import write_transaction
from edge.warehouse.domain import Refused as StockRefused
from edge.warehouse.service import consume_for_finish, record_overuse
from sync.events import (
    PAUSE_REASONS,
    WorkClosedByRule,
    WorkFact,
    WorkFinished,
    WorkPaused,
    WorkResumed,
    WorkStarted,
)

Clock = Callable[[], datetime]
# The work events exist only from schema version 2 on (sync.events); they are always written as such.
WORK_SCHEMA_VERSION = 2

migrations = Migrations("stockyard-shopfloor")


@migrations()
def m001_work_sessions(db: Database) -> None:
    """One row per worker per operation worked on; ``worked_seconds`` excludes pauses."""
    db.execute(
        """
        CREATE TABLE work_sessions (
            id TEXT PRIMARY KEY,
            operation TEXT NOT NULL,
            worker TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('running', 'paused', 'finished', 'closed')),
            started_at TEXT NOT NULL,
            run_from TEXT,
            paused_at TEXT,
            pause_reason TEXT,
            worked_seconds REAL NOT NULL DEFAULT 0,
            good INTEGER NOT NULL DEFAULT 0,
            defective INTEGER NOT NULL DEFAULT 0,
            ended_at TEXT,
            closed_by_rule INTEGER NOT NULL DEFAULT 0,
            deadline TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX ix_work_sessions_worker ON work_sessions (worker, state)")
    db.execute("CREATE INDEX ix_work_sessions_operation ON work_sessions (operation)")


def utc_now() -> datetime:
    return datetime.now(UTC)


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _operation(task_id: str, payload: dict[str, Any]) -> Operation:
    return Operation(
        id=task_id,
        task=str(payload["task"]),
        operation_id=int(payload["operation_id"]),
        op_seq=int(payload["op_seq"]),
        operation=str(payload["operation"]),
        sku=str(payload["sku"]),
        item_name=str(payload.get("item_name", payload["sku"])),
        qty=int(payload["qty"]),
        group_code=str(payload["group_code"]),
        group_name=str(payload.get("group_name", payload["group_code"])),
        parallel=bool(payload.get("parallel", False)),
        norm_minutes_per_unit=int(payload["norm_minutes_per_unit"]),
    )


SESSION_COLUMNS = "id, operation, worker, state, started_at, run_from, paused_at, worked_seconds"


def _session(row: tuple[Any, ...]) -> Session:
    started = _time(row[4])
    assert started is not None
    return Session(
        id=row[0],
        operation=row[1],
        worker=row[2],
        state=row[3],
        started_at=started,
        run_from=_time(row[5]),
        paused_at=_time(row[6]),
        worked_seconds=float(row[7]),
    )


class SqliteShop:
    """The rules' view of the shop, read inside the command's transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def operation(self, operation_id: str) -> Operation | None:
        row = self.db.execute(
            "SELECT id, payload FROM tasks WHERE id = ? AND kind = 'operation'", [operation_id]
        ).fetchone()
        return None if row is None else _operation(row[0], json.loads(row[1]))

    def session(self, session_id: str) -> Session | None:
        row = self.db.execute(
            f"SELECT {SESSION_COLUMNS} FROM work_sessions WHERE id = ?",  # noqa: S608 - fixed names
            [session_id],
        ).fetchone()
        return None if row is None else _session(row)

    def running(self, worker: str) -> list[Session]:
        rows = self.db.execute(
            f"SELECT {SESSION_COLUMNS} FROM work_sessions WHERE worker = ? AND state = 'running'",  # noqa: S608
            [worker],
        ).fetchall()
        return [_session(r) for r in rows]

    def good_reported(self, operation_id: str) -> int:
        row = self.db.execute(
            "SELECT coalesce(sum(good), 0) FROM work_sessions WHERE operation = ?", [operation_id]
        ).fetchone()
        return int(row[0])


def record(db: Database, command: Command, actor: str, now: datetime) -> tuple[int, WorkFact]:
    """Decide, apply and record one command atomically; raises ``Refused`` with nothing written."""
    with write_transaction(db):
        event = decide(command, SqliteShop(db), now)
        _apply(db, event)
        seq = append_event(db, type(event).__name__, event.model_dump(mode="json"), actor=actor, occurred_at=now)
        db.execute("UPDATE outbox SET schema_version = ? WHERE seq = ?", [WORK_SCHEMA_VERSION, seq])
        if isinstance(event, WorkFinished):
            _consume(db, event, actor, now)
    return seq, event


def _consume(db: Database, event: WorkFinished, actor: str, now: datetime) -> None:
    """The finish's components consumed and units produced, recorded in the finish's own transaction (PROD-1)."""
    row = db.execute(
        "SELECT json_extract(t.payload, '$.task'), json_extract(t.payload, '$.op_seq') FROM work_sessions w"
        " JOIN tasks t ON t.id = w.operation WHERE w.id = ?",
        [event.session],
    ).fetchone()
    if row is not None:
        consume_for_finish(db, str(row[0]), int(row[1]), event.session, event.good, event.defective, actor, lambda: now)


def _apply(db: Database, event: WorkFact) -> None:
    match event:
        case WorkStarted():
            db.execute(
                "INSERT INTO work_sessions (id, operation, worker, state, started_at, run_from, deadline)"
                " VALUES (?, (SELECT id FROM tasks WHERE kind = 'operation' AND json_extract(payload, '$.task') = ?"
                " AND json_extract(payload, '$.op_seq') = ?), ?, 'running', ?, ?, ?)",
                [
                    event.session,
                    event.task,
                    event.op_seq,
                    event.worker,
                    event.at.isoformat(),
                    event.at.isoformat(),
                    shift_deadline(event.at).astimezone(UTC).isoformat(),
                ],
            )
        case WorkPaused():
            _stop_clock(db, event.session, event.at)
            db.execute(
                "UPDATE work_sessions SET state = 'paused', paused_at = ?, pause_reason = ? WHERE id = ?",
                [event.at.isoformat(), event.reason, event.session],
            )
        case WorkResumed():
            db.execute(
                "UPDATE work_sessions SET state = 'running', run_from = ?, paused_at = NULL, pause_reason = NULL"
                " WHERE id = ?",
                [event.at.isoformat(), event.session],
            )
        case WorkFinished():
            _stop_clock(db, event.session, event.at)
            db.execute(
                "UPDATE work_sessions SET state = 'finished', ended_at = ?, good = ?, defective = ? WHERE id = ?",
                [event.at.isoformat(), event.good, event.defective, event.session],
            )
            _mark_done(db, event.session)
        case WorkClosedByRule():
            _stop_clock(db, event.session, event.at)
            db.execute(
                "UPDATE work_sessions SET state = 'closed', ended_at = ?, closed_by_rule = 1 WHERE id = ?",
                [event.at.isoformat(), event.session],
            )


def _stop_clock(db: Database, session_id: str, at: datetime) -> None:
    row = db.execute("SELECT state, run_from FROM work_sessions WHERE id = ?", [session_id]).fetchone()
    if row and row[0] == "running" and row[1]:
        seconds = max((at - datetime.fromisoformat(row[1])).total_seconds(), 0.0)
        db.execute(
            "UPDATE work_sessions SET worked_seconds = worked_seconds + ?, run_from = NULL WHERE id = ?",
            [seconds, session_id],
        )


def _mark_done(db: Database, session_id: str) -> None:
    """An operation whose good output reached its quantity leaves the queue."""
    db.execute(
        "UPDATE tasks SET status = 'done' WHERE id = (SELECT operation FROM work_sessions WHERE id = ?)"
        " AND CAST(json_extract(payload, '$.qty') AS INTEGER)"
        " <= (SELECT coalesce(sum(good), 0) FROM work_sessions w WHERE w.operation = tasks.id)",
        [session_id],
    )


@dataclass(frozen=True)
class Worker:
    badge: str
    full_name: str


@dataclass(frozen=True)
class Reply:
    ok: bool
    message: str
    code: str = ""


def _pin_matches(pin_hash: str | None, pin: str) -> bool:
    if not pin_hash:
        return False
    try:
        return PasswordHasher().verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


class ShopFloor:
    """Every shop-floor station of the site. ``lock`` must be the one guarding the site's connection."""

    def __init__(self, db: Database, lock: threading.Lock | None = None, clock: Clock = utc_now) -> None:
        self.db = db
        self.lock = lock or threading.Lock()
        self.clock = clock
        self.workers: dict[str, Worker] = {}
        with self.lock:
            migrations.apply(db)

    # --- stations -------------------------------------------------------------------------------------
    def login(self, station: str, badge: str, pin: str) -> Reply:
        """``shop.login("Участок сварки", "2200000010019", "1234")``."""
        with self.lock:
            row = self.db.execute(
                "SELECT badge, full_name, pin_hash FROM staff WHERE badge = ?", [badge.strip()]
            ).fetchone()
        if row is None or not _pin_matches(row[2], pin):
            return Reply(False, "Неверный бейдж или PIN-код", "login")
        self.workers[station] = Worker(row[0], row[1])
        return Reply(True, f"Здравствуйте, {row[1]}")

    def logout(self, station: str) -> Reply:
        self.workers.pop(station, None)
        return Reply(True, "Вы вышли")

    def worker(self, station: str) -> Worker | None:
        return self.workers.get(station)

    # --- actions --------------------------------------------------------------------------------------
    def start(self, station: str, operation: str | None) -> Reply:
        """Start an operation, or with ``None`` the first one of the queue this worker may start."""
        worker = self.workers.get(station)
        if worker is None:
            return Reply(False, "Войдите по бейджу", "signed_out")
        with self.lock:
            self._close_overdue()
            candidates = [operation] if operation else [op["id"] for op in self._queue(worker.badge)]
            refusal = Reply(False, "В очереди нет операций", "empty")
            for candidate in candidates:
                try:
                    _, event = record(
                        self.db, StartWork(worker.badge, candidate, _new_id()), f"badge:{worker.badge}", self.clock()
                    )
                except Refused as exc:
                    refusal = Reply(False, exc.message, exc.code)
                    if exc.code in ("busy", "parallel_limit"):
                        break
                    continue
                assert isinstance(event, WorkStarted)
                return Reply(True, f"Начата операция «{event.operation}» по заданию {event.task}")
            return refusal

    def pause(self, station: str, session: str, reason: str) -> Reply:
        return self._act(station, lambda w: PauseWork(w, session, reason), f"Пауза: {PAUSE_REASONS.get(reason, '')}")

    def resume(self, station: str, session: str) -> Reply:
        return self._act(station, lambda w: ResumeWork(w, session), "Работа продолжена")

    def finish(self, station: str, session: str, good: int, defective: int) -> Reply:
        return self._act(
            station,
            lambda w: FinishWork(w, session, good, defective),
            f"Завершено: годных {good} шт., брак {defective} шт.",
        )

    def overuse(self, station: str, task: str, sku: str, qty: int, reason: str) -> Reply:
        """Components used above the BOM norm for a task, recorded by whoever is signed in (the master) (PROD-1).

        Taken from the shop's stock at once; what the stock does not hold is reported short, never negative.
        """
        worker = self.workers.get(station)
        if worker is None:
            return Reply(False, "Войдите по бейджу", "signed_out")
        if not reason.strip():
            return Reply(False, "Укажите причину перерасхода", "reason")
        with self.lock:
            try:
                _, event = record_overuse(self.db, task, sku, qty, reason.strip(), f"badge:{worker.badge}", self.clock)
            except StockRefused as exc:
                return Reply(False, exc.message, exc.reason)
        short = sum(int(str(line["qty"])) for line in getattr(event, "short", []))
        taken = qty - short
        message = f"Перерасход по заданию {task}: {sku} {taken} шт. списано"
        return Reply(True, message + (f", не хватило {short} шт." if short else ""))

    def close_overdue(self) -> int:
        """Close by rule every session whose shift has ended; returns how many were closed."""
        with self.lock:
            return self._close_overdue()

    def _act(self, station: str, command: Callable[[str], Command], done: str) -> Reply:
        worker = self.workers.get(station)
        if worker is None:
            return Reply(False, "Войдите по бейджу", "signed_out")
        with self.lock:
            self._close_overdue()
            try:
                record(self.db, command(worker.badge), f"badge:{worker.badge}", self.clock())
            except Refused as exc:
                return Reply(False, exc.message, exc.code)
        return Reply(True, done)

    def _close_overdue(self) -> int:
        now = self.clock()
        overdue = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM work_sessions WHERE state IN ('running', 'paused') AND deadline <= ?",
                [now.astimezone(UTC).isoformat()],
            ).fetchall()
        ]
        for session_id in overdue:
            record(self.db, CloseByRule(session_id), "rule:shift_end", now)
        return len(overdue)

    # --- what the station shows ---------------------------------------------------------------------
    def state(self, station: str) -> dict[str, Any]:
        """The station's screen: who is signed in, their work, the queue, the pause reasons."""
        worker = self.workers.get(station)
        with self.lock:
            self._close_overdue()
            queue = self._queue(worker.badge if worker else None)
            mine = self._sessions(worker.badge) if worker else []
        return {
            "station": station,
            "worker": None if worker is None else {"badge": worker.badge, "full_name": worker.full_name},
            "sessions": mine,
            "queue": queue,
            "pause_reasons": [{"code": k, "title": v} for k, v in PAUSE_REASONS.items()],
        }

    def _queue(self, badge: str | None) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT id, payload FROM tasks WHERE kind = 'operation' AND status != 'done'"
            " ORDER BY coalesce(json_extract(payload, '$.position'), 1e9), json_extract(payload, '$.due'),"
            " json_extract(payload, '$.task'), json_extract(payload, '$.op_seq')"
        ).fetchall()
        names = dict(self.db.execute("SELECT badge, full_name FROM staff").fetchall())
        out = []
        for task_id, payload in rows:
            op = _operation(task_id, json.loads(payload))
            sessions = self.db.execute(
                "SELECT worker, state, good FROM work_sessions WHERE operation = ?", [task_id]
            ).fetchall()
            good = sum(int(s[2]) for s in sessions)
            on_it = [names.get(s[0], s[0]) for s in sessions if s[1] in ("running", "paused")]
            out.append(
                {
                    "id": op.id,
                    "task": op.task,
                    "op_seq": op.op_seq,
                    "operation": op.operation,
                    "sku": op.sku,
                    "item_name": op.item_name,
                    "qty": op.qty,
                    "good": good,
                    "remaining": max(op.qty - good, 0),
                    "group": op.group_name,
                    "parallel": op.parallel,
                    "norm_minutes_per_unit": op.norm_minutes_per_unit,
                    "workers": on_it,
                    "mine": badge is not None
                    and any(s[0] == badge and s[1] in ("running", "paused") for s in sessions),
                }
            )
        return out

    def _sessions(self, badge: str) -> list[dict[str, Any]]:
        now = self.clock()
        rows = self.db.execute(
            "SELECT w.id, w.state, w.started_at, w.run_from, w.worked_seconds, w.pause_reason, t.id, t.payload"
            " FROM work_sessions w JOIN tasks t ON t.id = w.operation"
            " WHERE w.worker = ? AND w.state IN ('running', 'paused') ORDER BY w.started_at",
            [badge],
        ).fetchall()
        out = []
        for sid, state, started, run_from, worked, reason, task_id, payload in rows:
            op = _operation(task_id, json.loads(payload))
            seconds = float(worked) + (
                max((now - datetime.fromisoformat(run_from)).total_seconds(), 0.0) if run_from else 0.0
            )
            out.append(
                {
                    "id": sid,
                    "state": state,
                    "started_at": started,
                    "worked_minutes": int(seconds // 60),
                    "pause_reason": PAUSE_REASONS.get(reason or "", None),
                    "operation": op.id,
                    "task": op.task,
                    "title": op.operation,
                    "item_name": op.item_name,
                    "qty": op.qty,
                    "remaining": op.qty - SqliteShop(self.db).good_reported(op.id),
                }
            )
        return out

    def journal(self, limit: int = 200) -> list[dict[str, Any]]:
        """Every session of the site, newest first, for the master at the edge."""
        with self.lock:
            rows = self.db.execute(
                "SELECT w.id, w.operation, w.worker, s.full_name, w.state, w.started_at, w.ended_at, w.worked_seconds,"
                " w.good, w.defective, w.closed_by_rule FROM work_sessions w LEFT JOIN staff s ON s.badge = w.worker"
                " ORDER BY w.started_at DESC LIMIT ?",
                [limit],
            ).fetchall()
        keys = (
            "id", "operation", "worker", "full_name", "state", "started_at", "ended_at", "worked_seconds", "good",
            "defective", "closed_by_rule",
        )  # fmt: skip
        return [dict(zip(keys, r, strict=True)) for r in rows]


def _new_id() -> str:
    return os.urandom(12).hex()
