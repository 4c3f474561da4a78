"""The terminal service: a scan is resolved, stepped through the session, and its commands committed.

One site database connection is shared by every terminal of the site; SQLite takes one writer at a time,
so the service serialises access with a lock and each scan is one transaction: the warehouse commands it
completes, their outbox events and its journal row.
"""

from __future__ import annotations

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
    finish_pick,
    prompt,
    start,
    step,
    undo,
)
from edge.warehouse.domain import Refused
from edge.warehouse.service import Clock, handle, utc_now

log = logging.getLogger(__name__)
Resolver = Callable[[Database, str], Input]
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


class Terminals:
    """Every handheld of one site: their operators, their sessions, and the one path to the database."""

    def __init__(self, db: Database, resolve: Resolver, clock: Clock = utc_now) -> None:
        self.db = db
        self.resolve = resolve
        self.clock = clock
        self.lock = threading.Lock()
        self.sessions: dict[str, Session] = {}
        self.operators: dict[str, Operator] = {}

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
        if (refusal := self._signed_out(workstation)) is not None:
            return refusal
        self.sessions[workstation] = start(mode)
        return self._feedback(workstation, Reply(True, f"Режим: {MODE_TITLES[mode]}"))

    def scan(self, workstation: str, code: str, source: str = "browser") -> Feedback:
        """Handle one scanned code from a handheld's page or a scanner bound to the workstation."""
        if (refusal := self._signed_out(workstation, code=code, source=source)) is not None:
            return refusal
        with self.lock:
            try:
                scanned = self.resolve(self.db, code)
            except Refused as refused:
                self._note(workstation, source, code, None, "invalid", refused.message)
                return self._feedback(workstation, Reply(False, refused.message))
            return self._advance(workstation, lambda s: step(s, scanned), source, code, _describe(scanned))

    def typed(self, workstation: str, qty: int) -> Feedback:
        """A quantity typed on the keypad instead of scanning every unit."""
        if (refusal := self._signed_out(workstation)) is not None:
            return refusal
        with self.lock:
            return self._advance(workstation, lambda s: step(s, TypedQuantity(qty)), "keypad", str(qty), None)

    def finish(self, workstation: str) -> Feedback:
        """Close the count or the pick task in progress; its figures go to central."""
        if (refusal := self._signed_out(workstation)) is not None:
            return refusal
        with self.lock:
            session = self.sessions[workstation]
            if session.mode == "pick":
                return self._advance(workstation, finish_pick, "keypad", "finish", None)
            cell_id = session.cell.id if session.cell else -1
            book = {r[0] for r in self.db.execute("SELECT sku FROM stock WHERE cell_id = ?", [cell_id])}
            return self._advance(workstation, lambda s: finish_count(s, book), "keypad", "finish", None)

    def undo(self, workstation: str) -> Feedback:
        """Take back the last scan of the step in progress."""
        if (refusal := self._signed_out(workstation)) is not None:
            return refusal
        session, reply = undo(self.sessions[workstation])
        self.sessions[workstation] = session
        return self._feedback(workstation, reply)

    def state(self, workstation: str) -> Feedback:
        """What the screen shows now, e.g. after a page reload."""
        return self._feedback(workstation, Reply(True, ""))

    def _advance(
        self,
        workstation: str,
        transition: Callable[[Session], tuple[Session, Reply]],
        source: str,
        code: str,
        interpretation: str | None,
    ) -> Feedback:
        session, reply = transition(self.sessions[workstation])
        operator = self.operators[workstation]
        seqs: list[int] = []
        try:
            with write_transaction(self.db):
                for command in reply.commands:
                    seqs.append(handle(self.db, command, actor=f"badge:{operator.badge}", clock=self.clock)[0])
                outcome = "ok" if reply.ok else "refused"
                self._journal(
                    workstation, source, code, interpretation, outcome, reply.message, seqs[-1] if seqs else None
                )
        except Refused as refused:
            # The warehouse said no: nothing was written, and the session stays where it was.
            self._note(workstation, source, code, interpretation, "refused", refused.message)
            return self._feedback(workstation, Reply(False, refused.message))
        except sqlite3.DatabaseError as exc:
            # Disk full, a failing disk or a lock held too long: the transaction was rolled back, so the
            # operator must not hear a success beep; the session stays and the same scan can be repeated.
            log.exception("scan not recorded")
            return self._feedback(workstation, Reply(False, storage_failure_message(exc)))
        self.sessions[workstation] = session
        return self._feedback(workstation, reply, tuple(seqs))

    def _signed_out(self, workstation: str, code: str | None = None, source: str = "browser") -> Feedback | None:
        if workstation in self.operators:
            return None
        message = "Войдите: отсканируйте бейдж и введите PIN-код"
        if code is not None:
            with self.lock:
                self._note(workstation, source, code, None, "refused", message)
        return self._feedback(workstation, Reply(False, message))

    def _note(
        self, workstation: str, source: str, code: str, interpretation: str | None, outcome: str, message: str
    ) -> None:
        """Journal a scan that changed nothing; a journal that cannot be written must not hide the refusal."""
        try:
            self._journal(workstation, source, code, interpretation, outcome, message, None)
        except sqlite3.DatabaseError:
            log.exception("the scan journal could not record a %s scan", outcome)

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
        operator = self.operators.get(workstation)
        session = self.sessions.get(workstation)
        if operator is None or session is None:
            return Feedback(reply.ok, reply.message, "Отсканируйте бейдж", "login", None, seqs)
        return Feedback(reply.ok, reply.message, prompt(session), session.mode, operator.full_name, seqs)


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
