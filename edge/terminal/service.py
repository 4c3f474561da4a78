"""The terminal service: a scan is resolved, stepped through the session, and its commands committed.

One site database connection is shared by every terminal of the site; SQLite takes one writer at a time,
so the service serialises access with a lock. Each scan is applied on its own — the warehouse commands it
completes, their outbox events and its journal row, inside a SAVEPOINT so a refusal takes back only itself —
and the scans that arrived while the previous COMMIT was being made durable share the next one (group
commit: one fsync for the group). A scan is answered only after the COMMIT that covers it returned; when
that COMMIT fails, every scan of the group is answered with the error and nothing of the group is written.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from edge.store import write_transaction
from edge.terminal.session import (
    MODE_TITLES,
    Input,
    Mode,
    Reply,
    Session,
    TypedQuantity,
    finish_count,
    finish_pack,
    finish_pick,
    finish_receipt,
    finish_ship,
    mark_defective,
    prompt,
    start,
    step,
    undo,
)
from edge.warehouse.domain import Refused
from edge.warehouse.service import Clock, apply_adjustments, handle, has_pending_adjustments, utc_now

log = logging.getLogger(__name__)
Resolver = Callable[[Database, str], Input]
SIGN_IN = "Войдите: отсканируйте бейдж и введите PIN-код"
JOURNAL_COLUMNS = (
    "id", "at", "workstation", "operator", "source", "code", "interpretation", "outcome", "message", "event_seq"
)  # fmt: skip


@dataclass(frozen=True)
class Operator:
    badge: str
    full_name: str
    role: str


@dataclass(frozen=True)
class Feedback:
    """What the handheld shows and sounds after an action."""

    ok: bool
    message: str
    prompt: str
    mode: str
    operator: str | None
    event_seqs: tuple[int, ...] = ()
    serial: int = 0  # counts the workstation's answers, so a page can tell one it has not shown yet

    @property
    def beep(self) -> str:
        return "ok" if self.ok else "error"


def storage_failure_message(exc: sqlite3.DatabaseError) -> str:
    """What the operator reads when the site's database could not record a scan."""
    text = str(exc).lower()
    if "full" in text:
        return "Скан НЕ записан: на сервере склада нет места на диске. Сообщите администратору"
    if "locked" in text or "busy" in text:
        return "Скан НЕ записан: сервер склада занят. Отсканируйте ещё раз"
    return "Скан НЕ записан: ошибка базы данных склада. Сообщите администратору"


MAX_GROUP = 64  # scans made durable by one COMMIT at most, so a long queue still answers in slices
Work = Callable[[], "Feedback"]


@dataclass(eq=False)
class _Ticket:
    """One action waiting for the group commit that covers it."""

    workstation: str
    work: Work
    done: bool = False
    answer: Feedback | None = None
    error: BaseException | None = None


class Terminals:
    """Every handheld of one site: their operators, their sessions, and the one path to the database."""

    def __init__(self, db: Database, resolve: Resolver, clock: Clock = utc_now) -> None:
        self.db = db
        self.resolve = resolve
        self.clock = clock
        # Guards the connection. It is released only between groups, so whoever takes it (a reader, the
        # shop floor) never meets a group's transaction half done.
        self.lock = threading.RLock()  # re-entered when a reply reads the open count tasks
        self.sessions: dict[str, Session] = {}
        self.operators: dict[str, Operator] = {}
        self.serials: dict[str, int] = {}
        self.latest: dict[str, Feedback] = {}
        self.commits = 0  # groups made durable, for support and the tests of group commit
        self._queue: list[_Ticket] = []
        self._queue_changed = threading.Condition()
        self._leading = False  # one thread at a time applies and commits a group

    @property
    def queued(self) -> int:
        """Actions waiting for the next group: ``terminals.queued``."""
        with self._queue_changed:
            return len(self._queue)

    def login(self, workstation: str, badge: str, pin: str) -> Feedback:
        """Sign an operator in by badge and PIN: ``terminals.login("ТСД-3", "2200000000013", "1234")``."""
        with self.lock:
            row = self.db.execute(
                "SELECT badge, full_name, role, pin_hash FROM staff WHERE badge = ?", [badge.strip()]
            ).fetchone()
        if row is None or not _pin_matches(row[3], pin):
            return self._feedback(workstation, Reply(False, "Неверный бейдж или PIN-код"))
        self.operators[workstation] = Operator(badge=row[0], full_name=row[1], role=row[2])
        self.sessions[workstation] = start("move")
        return self._feedback(workstation, Reply(True, f"Здравствуйте, {row[1]}"))

    def logout(self, workstation: str) -> Feedback:
        """Sign the operator out; the step in progress is dropped (nothing of it was committed)."""
        self.operators.pop(workstation, None)
        self.sessions.pop(workstation, None)
        return self._feedback(workstation, Reply(True, "Вы вышли"))

    def choose_mode(self, workstation: str, mode: Mode) -> Feedback:
        """Switch mode; an uncommitted step of the previous mode is dropped."""
        if workstation not in self.operators:
            return self._feedback(workstation, Reply(False, SIGN_IN))
        self.sessions[workstation] = start(mode)
        return self._feedback(workstation, Reply(True, f"Режим: {MODE_TITLES[mode]}"))

    def scan(self, workstation: str, code: str, source: str = "browser") -> Feedback:
        """Handle one scanned code from a handheld's page or a scanner bound to the workstation."""

        def work() -> Feedback:
            if workstation not in self.operators:
                self._journal(workstation, source, code, None, "refused", SIGN_IN, None)
                return self._screen(workstation, Reply(False, SIGN_IN))
            try:
                scanned = self.resolve(self.db, code)
            except Refused as refused:
                self._journal(workstation, source, code, None, "invalid", refused.message, None)
                return self._screen(workstation, Reply(False, refused.message))
            return self._apply(workstation, lambda s: step(s, scanned), source, code, _describe(scanned))

        # Approved adjustments are applied by the sync thread as they arrive, not on the scan path.
        return self._submit(workstation, work)

    def typed(self, workstation: str, qty: int) -> Feedback:
        """A quantity typed on the keypad instead of scanning every unit."""
        return self._submit_signed_in(
            workstation, lambda: self._apply(workstation, lambda s: step(s, TypedQuantity(qty)), "keypad", str(qty))
        )

    def finish(self, workstation: str) -> Feedback:
        """«Завершить» («Отгрузить» in ship mode): close the count, pick task or receipt, or ship the task."""
        if workstation not in self.operators:
            return self._feedback(workstation, Reply(False, SIGN_IN))
        with self.lock:
            self._apply_adjustments()
        return self._submit_signed_in(workstation, lambda: self._finish(workstation))

    def _finish(self, workstation: str) -> Feedback:
        session = self.sessions[workstation]
        match session.mode:
            case "pick":
                return self._apply(workstation, finish_pick, "keypad", "finish")
            case "ship":
                return self._apply(workstation, finish_ship, "keypad", "ship")
            case "receive":
                return self._apply(workstation, finish_receipt, "keypad", "finish")
            case "pack":
                return self._apply(workstation, finish_pack, "keypad", "finish")
            case "move":
                return self._screen(workstation, Reply(False, "В режиме «Перемещение» нечего завершать"))
        cell_id = session.cell.id if session.cell else -1
        book = {r[0] for r in self.db.execute("SELECT sku FROM stock WHERE cell_id = ?", [cell_id])}
        task = next((task_id for task_id, _, cells in self._count_tasks() if cell_id in cells), None)
        return self._apply(workstation, lambda s: finish_count(s, book, task), "keypad", "finish")

    def defective(self, workstation: str) -> Feedback:
        """«Брак» in receive mode: the units of the pending item are defective — recorded, not put into stock."""
        return self._submit_signed_in(
            workstation, lambda: self._apply(workstation, mark_defective, "keypad", "defective")
        )

    def undo(self, workstation: str) -> Feedback:
        """Take back the last scan of the step in progress."""
        if workstation not in self.operators:
            return self._feedback(workstation, Reply(False, SIGN_IN))
        session, reply = undo(self.sessions[workstation])
        self.sessions[workstation] = session
        return self._feedback(workstation, reply)

    def state(self, workstation: str) -> Feedback:
        """What the screen shows now, e.g. after a page reload."""
        with self.lock:
            self._apply_adjustments()
        return self._feedback(workstation, Reply(True, ""))

    def journal(self, limit: int) -> list[dict[str, object]]:
        """The latest scans, newest first, all of them committed: ``terminals.journal(50)``."""
        with self.lock:
            return journal(self.db, limit)

    def _apply_adjustments(self) -> None:
        """Apply approved count adjustments that arrived from central (WH-9); never in the way of a scan."""
        try:
            if has_pending_adjustments(self.db):
                apply_adjustments(self.db, clock=self.clock)
        except sqlite3.DatabaseError:
            log.exception("approved adjustments could not be applied now; the next action tries again")

    def _count_tasks(self) -> list[tuple[str, str, set[int]]]:
        """Open count tasks from central: (id, what the screen says, cell ids)."""
        tasks = []
        for task_id, payload in self.db.execute(
            "SELECT id, payload FROM tasks WHERE kind = 'count' AND status = 'new' ORDER BY down_seq"
        ).fetchall():
            data = json.loads(payload)
            cells = data.get("cells", [])
            what = ", ".join(str(c["cell"]) for c in cells[:5]) + (" …" if len(cells) > 5 else "")
            if data.get("sku"):
                what = f"{data['sku']}: {what}"
            tasks.append((str(task_id), what, {int(c["cell_id"]) for c in cells}))
        return tasks

    # --- group commit -------------------------------------------------------------------------------------
    def _submit_signed_in(self, workstation: str, work: Work) -> Feedback:
        """Submit a keypad action; a workstation nobody is signed in at is refused without a journal row."""
        if workstation not in self.operators:
            return self._feedback(workstation, Reply(False, SIGN_IN))

        def guarded() -> Feedback:
            if workstation not in self.operators:  # signed out while the action waited for its group
                return self._screen(workstation, Reply(False, SIGN_IN))
            return work()

        return self._submit(workstation, guarded)

    def _submit(self, workstation: str, work: Work) -> Feedback:
        """Run ``work`` in the next group and answer once that group's COMMIT returned (or failed)."""
        ticket = _Ticket(workstation, work)
        with self._queue_changed:
            self._queue.append(ticket)
        while True:
            with self._queue_changed:
                while not ticket.done and self._leading:
                    self._queue_changed.wait()
                if ticket.done:
                    break
                self._leading = True
            group: list[_Ticket] = []
            try:
                with self.lock:
                    # Taken only now: everything that queued while the lock was busy joins this group.
                    with self._queue_changed:
                        group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
                    self._run_group(group)
            finally:
                with self._queue_changed:
                    self._leading = False
                    for member in group:
                        member.done = True
                    self._queue_changed.notify_all()
        if ticket.error is not None:
            raise ticket.error
        assert ticket.answer is not None  # every member of a finished group has an answer or an error
        return ticket.answer

    def _run_group(self, group: list[_Ticket]) -> None:
        """Apply every action of the group one by one in one transaction, COMMIT once, then answer them all."""
        before = {member.workstation: self.sessions.get(member.workstation) for member in group}
        answers: list[Feedback] = []
        try:
            with write_transaction(self.db):
                for member in group:
                    answers.append(member.work())
                    if not self.db.conn.in_transaction:
                        # SQLite ends the whole transaction on some errors (a full disk among them).
                        raise sqlite3.OperationalError("the group's transaction was rolled back")
        except sqlite3.DatabaseError as exc:
            # Disk full, a failing disk or a lock held too long: nothing of the group was written, so no one
            # may hear a success beep; the sessions stay where they were and the same scans can be repeated.
            log.exception("a group of %d scans was not recorded", len(group))
            self._restore(before)
            for member in group:
                member.answer = self._feedback(member.workstation, Reply(False, storage_failure_message(exc)))
            return
        except BaseException as exc:
            self._restore(before)
            for member in group:
                member.error = exc
            raise
        self.commits += 1
        for member, answer in zip(group, answers, strict=True):
            member.answer = self._remember(member.workstation, answer)

    def _restore(self, sessions: dict[str, Session | None]) -> None:
        for workstation, session in sessions.items():
            if session is not None and workstation in self.operators:
                self.sessions[workstation] = session

    def _apply(
        self,
        workstation: str,
        transition: Callable[[Session], tuple[Session, Reply]],
        source: str,
        code: str,
        interpretation: str | None = None,
    ) -> Feedback:
        """One action inside the group's transaction, in its own SAVEPOINT; answered after the group's COMMIT."""
        session, reply = transition(self.sessions[workstation])
        operator = self.operators[workstation]
        seqs: list[int] = []
        # A refusal takes back only this action. One fixed name, so SQLite reuses the prepared statements.
        self.db.conn.execute("SAVEPOINT action")
        try:
            for command in reply.commands:
                seqs.append(handle(self.db, command, actor=f"badge:{operator.badge}", clock=self.clock)[0])
        except Refused as refused:
            # The warehouse said no: nothing of this action was written, and the session stays where it was.
            self.db.conn.execute("ROLLBACK TO action")
            self.db.conn.execute("RELEASE action")
            self._journal(workstation, source, code, interpretation, "refused", refused.message, None)
            return self._screen(workstation, Reply(False, refused.message))
        self.db.conn.execute("RELEASE action")
        outcome = "ok" if reply.ok else "refused"
        self._journal(workstation, source, code, interpretation, outcome, reply.message, seqs[-1] if seqs else None)
        self.sessions[workstation] = session
        return self._screen(workstation, reply, tuple(seqs))

    def _journal(
        self,
        workstation: str,
        source: str,
        code: str,
        interpretation: str | None,
        outcome: str,
        message: str,
        event_seq: int | None,
    ) -> None:
        operator = self.operators.get(workstation)
        self.db.execute(
            "INSERT INTO scans (at, workstation, operator, source, code, interpretation, outcome, message, event_seq)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.clock().isoformat(),
                workstation,
                operator.badge if operator else None,
                source,
                code,
                interpretation,
                outcome,
                message,
                event_seq,
            ],
        )

    def _feedback(self, workstation: str, reply: Reply, seqs: tuple[int, ...] = ()) -> Feedback:
        return self._remember(workstation, self._screen(workstation, reply, seqs))

    def _screen(self, workstation: str, reply: Reply, seqs: tuple[int, ...] = ()) -> Feedback:
        """What the screen shows after ``reply``, before it is numbered and remembered as the latest answer."""
        operator = self.operators.get(workstation)
        session = self.sessions.get(workstation)
        if operator is None or session is None:
            return Feedback(reply.ok, reply.message, "Отсканируйте бейдж", "login", None, seqs)
        text = prompt(session)
        if session.mode == "count" and session.cell is None:
            with self.lock:
                tasks = self._count_tasks()
            if tasks:
                text += ". Задания на пересчёт: " + "; ".join(what for _, what, _ in tasks[:3])
        return Feedback(reply.ok, reply.message, text, session.mode, operator.full_name, seqs)

    def _remember(self, workstation: str, feedback: Feedback) -> Feedback:
        # A fixed scanner's scan is answered here, not to the page: the page polls ``last`` to show and sound it.
        if not feedback.message:
            return feedback
        serial = self.serials.get(workstation, 0) + 1
        self.serials[workstation] = serial
        feedback = dataclasses.replace(feedback, serial=serial)
        self.latest[workstation] = feedback
        return feedback

    def last(self, workstation: str) -> Feedback:
        """The workstation's latest answer, whatever the scan came from: ``terminals.last("ТСД-1").serial``."""
        latest = self.latest.get(workstation)
        return latest if latest is not None else self.state(workstation)


def journal(db: Database, limit: int) -> list[dict[str, object]]:
    """The latest scans, newest first: ``journal(db, 50)``."""
    rows = db.execute(
        "SELECT id, at, workstation, operator, source, code, interpretation, outcome, message, event_seq"
        " FROM scans ORDER BY id DESC LIMIT ?",
        [limit],
    )
    keys = [
        "id",
        "at",
        "workstation",
        "operator",
        "source",
        "code",
        "interpretation",
        "outcome",
        "message",
        "event_seq",
    ]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _describe(scanned: Input) -> str:
    return json.dumps({"kind": type(scanned).__name__, **asdict(scanned)}, ensure_ascii=False, default=str)


def _pin_matches(pin_hash: str, pin: str) -> bool:
    try:
        return PasswordHasher().verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False
