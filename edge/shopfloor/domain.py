"""Shop-floor rules: what a worker may do with an operation, decided without I/O.

``decide(StartWork(...), view, now)`` returns the event to record (a model of ``sync.events``) or raises
``Refused`` with a reason code and a Russian message for the worker. The rules:

- An operation (one routing step of a production task, sent by central as a task of kind ``operation``) can be
  worked on by **several workers at once**; each has their own work session with their own time and output.
  Together they cannot report more good units than the operation's quantity.
- A worker runs **one operation at a time**, except on work-centre groups central marked *parallel-capable*
  (machines that run unattended: a worker may tend up to ``MAX_PARALLEL`` of them at once). Starting or
  resuming work is refused when it would break this. A paused session does not count: pausing one operation
  to take another is how a worker switches work.
- Pause needs a reason (``sync.events.PAUSE_REASONS``); pause time is not work time.
- Finish reports the quantity good and defective; a paused session can be finished directly.
- A session still open at the end of its shift is **closed by rule** (``shift_deadline``): at the shift end
  (20:00 Moscow) after it started, and never more than ``MAX_OPEN`` after its start; it reports no output
  and is flagged for the master.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from sync.events import (
    PAUSE_REASONS,
    WorkClosedByRule,
    WorkFact,
    WorkFinished,
    WorkPaused,
    WorkResumed,
    WorkStarted,
)

MAX_PARALLEL = 2
SHIFT_TZ = ZoneInfo("Europe/Moscow")
SHIFT_END = time(20, 0)
MAX_OPEN = timedelta(hours=12)

State = Literal["running", "paused", "finished", "closed"]


class Refused(Exception):
    """The rules said no: ``code`` for programs, ``message`` in Russian for the worker."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Operation:
    """One operation of a production task as central sent it down (an edge task of kind ``operation``)."""

    id: str  # the edge task id, e.g. "op:ПР-00101:2"
    task: str
    operation_id: int
    op_seq: int
    operation: str
    sku: str
    item_name: str
    qty: int
    group_code: str
    group_name: str
    parallel: bool
    norm_minutes_per_unit: int


@dataclass(frozen=True)
class Session:
    """One worker's work on one operation."""

    id: str
    operation: str  # Operation.id
    worker: str  # badge
    state: State
    started_at: datetime
    run_from: datetime | None  # when the current running stretch began
    paused_at: datetime | None
    worked_seconds: float


@dataclass(frozen=True)
class StartWork:
    worker: str
    operation: str
    session: str  # the new session's id, chosen by the caller


@dataclass(frozen=True)
class PauseWork:
    worker: str
    session: str
    reason: str


@dataclass(frozen=True)
class ResumeWork:
    worker: str
    session: str


@dataclass(frozen=True)
class FinishWork:
    worker: str
    session: str
    good: int
    defective: int


@dataclass(frozen=True)
class CloseByRule:
    session: str


Command = StartWork | PauseWork | ResumeWork | FinishWork | CloseByRule


class ShopView(Protocol):
    """What the rules read: the operations, the sessions, and the output already reported."""

    def operation(self, operation_id: str) -> Operation | None: ...

    def session(self, session_id: str) -> Session | None: ...

    def running(self, worker: str) -> list[Session]: ...

    def good_reported(self, operation_id: str) -> int: ...


def shift_deadline(started_at: datetime) -> datetime:
    """When an open session is closed by rule: the next 20:00 Moscow after its start, at most 12 h later."""
    local = started_at.astimezone(SHIFT_TZ)
    end = datetime.combine(local.date(), SHIFT_END, tzinfo=SHIFT_TZ)
    if end <= local:
        end += timedelta(days=1)
    return min(end, local + MAX_OPEN)


def decide(command: Command, view: ShopView, now: datetime) -> WorkFact:
    """The event a command produces, or ``Refused``."""
    match command:
        case StartWork():
            return _start(command, view, now)
        case PauseWork():
            session = _own(view, command.session, command.worker)
            if session.state != "running":
                raise Refused("not_running", "Работа не идёт — приостанавливать нечего")
            if command.reason not in PAUSE_REASONS:
                raise Refused("reason", "Выберите причину паузы")
            return WorkPaused(session=session.id, reason=command.reason, at=now)
        case ResumeWork():
            session = _own(view, command.session, command.worker)
            if session.state != "paused":
                raise Refused("not_paused", "Работа не на паузе")
            operation = _operation(view, session.operation)
            _check_parallel(view, command.worker, operation, exclude=session.id)
            return WorkResumed(session=session.id, at=now)
        case FinishWork():
            session = _own(view, command.session, command.worker)
            if command.good < 0 or command.defective < 0:
                raise Refused("qty", "Количество не может быть отрицательным")
            operation = _operation(view, session.operation)
            remaining = operation.qty - view.good_reported(operation.id)
            if command.good > remaining:
                raise Refused("too_many", f"По операции осталось сделать {max(remaining, 0)} шт. годных")
            return WorkFinished(session=session.id, good=command.good, defective=command.defective, at=now)
        case CloseByRule():
            open_session = view.session(command.session)
            if open_session is None or open_session.state not in ("running", "paused"):
                raise Refused("closed", "Работа уже завершена")
            deadline = shift_deadline(open_session.started_at)
            return WorkClosedByRule(session=open_session.id, rule="shift_end", at=deadline)
    raise TypeError(f"unknown command {command!r}")


def _start(command: StartWork, view: ShopView, now: datetime) -> WorkStarted:
    operation = _operation(view, command.operation)
    if view.good_reported(operation.id) >= operation.qty:
        raise Refused("done", f"Операция «{operation.operation}» по заданию {operation.task} уже выполнена")
    if any(s.operation == operation.id for s in view.running(command.worker)):
        raise Refused("already", "Вы уже работаете над этой операцией")
    _check_parallel(view, command.worker, operation, exclude=None)
    return WorkStarted(
        session=command.session,
        task=operation.task,
        operation_id=operation.operation_id,
        op_seq=operation.op_seq,
        operation=operation.operation,
        sku=operation.sku,
        group_code=operation.group_code,
        norm_minutes_per_unit=operation.norm_minutes_per_unit,
        worker=command.worker,
        at=now,
    )


def _check_parallel(view: ShopView, worker: str, operation: Operation, exclude: str | None) -> None:
    running = [s for s in view.running(worker) if s.id != exclude]
    if not running:
        return
    ops = [view.operation(s.operation) for s in running]
    if not operation.parallel or not all(op is not None and op.parallel for op in ops):
        names = ", ".join(f"«{op.operation}» ({op.task})" for op in ops if op is not None)
        raise Refused("busy", f"Сначала поставьте на паузу или завершите: {names}")
    if len(running) >= MAX_PARALLEL:
        raise Refused("parallel_limit", f"Одновременно можно вести не больше {MAX_PARALLEL} операций")


def _operation(view: ShopView, operation_id: str) -> Operation:
    operation = view.operation(operation_id)
    if operation is None:
        raise Refused("unknown_operation", "Такой операции нет в очереди участка")
    return operation


def _own(view: ShopView, session_id: str, worker: str) -> Session:
    session = view.session(session_id)
    if session is None or session.worker != worker:
        raise Refused("unknown_session", "Это не ваша работа")
    if session.state not in ("running", "paused"):
        raise Refused("closed", "Работа уже завершена")
    return session
