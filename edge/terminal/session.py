"""What a scan means in the current step of a mode — pure: (state, scanned thing) → (state, reply).

A handheld operator works in one mode at a time. Each mode is a short sequence the screen always states
("Отсканируйте ячейку-источник"), and a scan either advances it, completes a warehouse command, or is
refused with the reason and an error beep. Nothing here reads a database or a device.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from edge.warehouse.domain import (
    Cell,
    Command,
    CompletePickTask,
    CountCell,
    Item,
    MoveUnits,
    PickUnits,
    ReceiveUnits,
)

Mode = Literal["receive", "move", "pick", "count"]
MODE_TITLES: dict[str, str] = {"receive": "Приёмка", "move": "Перемещение", "pick": "Отбор", "count": "Пересчёт"}


@dataclass(frozen=True)
class PickLine:
    """One line of a pick task: take ``qty`` of ``sku`` from cell ``cell_id``."""

    sku: str
    name: str
    qty: int
    cell_id: int
    cell: str


@dataclass(frozen=True)
class PickTask:
    """A pick task from the dispatcher (WH-3), lines already in walking order."""

    id: str
    order: str
    customer: str
    assembly_cell_id: int
    assembly_cell: str
    lines: tuple[PickLine, ...]


@dataclass(frozen=True)
class ScannedItem:
    item: Item
    qty: int = 1  # a GS1 code may carry a count (AI 37)


@dataclass(frozen=True)
class ScannedCell:
    cell: Cell


@dataclass(frozen=True)
class TypedQuantity:
    qty: int


@dataclass(frozen=True)
class ScannedTask:
    task: PickTask
    picked: tuple[int, ...]  # per line, what the site already picked for it (a resumed task)


Input = ScannedItem | ScannedCell | ScannedTask | TypedQuantity


@dataclass(frozen=True)
class Session:
    """One workstation's progress through its mode."""

    mode: Mode = "move"
    cell: Cell | None = None  # move: the source; count: the counted cell
    item: Item | None = None
    qty: int = 0
    counted: dict[str, int] = field(default_factory=dict)  # count mode: sku → units scanned
    task: PickTask | None = None  # pick mode: the task in hand
    picked: tuple[int, ...] = ()  # pick mode: units picked per line so far
    history: tuple[Session, ...] = ()  # earlier states of the pending step, for undo


@dataclass(frozen=True)
class Reply:
    ok: bool
    message: str
    commands: tuple[Command, ...] = ()


def prompt(session: Session) -> str:
    """The next step, as the screen states it: ``prompt(Session(mode="move"))``."""
    match session.mode:
        case "receive":
            if session.item is None:
                return "Отсканируйте товар"
            return f"{session.item.name}: {session.qty} шт. Ещё товар или ячейка размещения"
        case "move":
            if session.cell is None:
                return "Отсканируйте ячейку-источник"
            if session.item is None:
                return f"Ячейка {session.cell.address}. Отсканируйте товар"
            return f"{session.item.name}: {session.qty} шт. Ещё товар или ячейка назначения"
        case "pick":
            return _pick_prompt(session)
        case "count":
            if session.cell is None:
                return "Отсканируйте ячейку для пересчёта"
            return (
                f"Ячейка {session.cell.address}: {sum(session.counted.values())} шт. Сканируйте товар или «Завершить»"
            )
    raise ValueError(session.mode)


def start(mode: Mode) -> Session:
    """A fresh session in ``mode``: ``start("receive")``."""
    return Session(mode=mode)


def step(session: Session, scanned: Input) -> tuple[Session, Reply]:
    """Advance the session by one scan or typed quantity."""
    if session.mode == "pick":
        return _pick_step(session, scanned)
    match session.mode, scanned:
        case _, TypedQuantity(qty=qty):
            return _typed_quantity(session, qty)
        case _, ScannedTask():
            return session, Reply(False, "Задание на отбор сканируется в режиме «Отбор»")
        case "receive", ScannedItem(item=item, qty=qty):
            return _add_item(session, item, qty)
        case "receive", ScannedCell(cell=cell):
            if session.item is None:
                return session, Reply(False, "Сначала отсканируйте товар, затем ячейку размещения")
            command = ReceiveUnits(session.item.sku, cell.id, session.qty)
            return start("receive"), Reply(True, f"Принято {session.qty} шт. в ячейку {cell.address}", (command,))
        case "move", ScannedCell(cell=cell):
            if session.cell is None:
                return _remember(session, cell=cell), Reply(True, f"Ячейка-источник {cell.address}")
            if session.item is None:
                return _remember(session, cell=cell), Reply(True, f"Ячейка-источник заменена: {cell.address}")
            move = MoveUnits(session.item.sku, session.cell.id, cell.id, session.qty)
            done = f"Перемещено {session.qty} шт. из {session.cell.address} в {cell.address}"
            return start("move"), Reply(True, done, (move,))
        case "move", ScannedItem(item=item, qty=qty):
            if session.cell is None:
                return session, Reply(False, "Сначала отсканируйте ячейку-источник")
            return _add_item(session, item, qty)
        case "count", ScannedCell(cell=cell):
            if session.cell is not None and session.counted:
                return session, Reply(False, f"Завершите пересчёт ячейки {session.cell.address}")
            return _remember(session, cell=cell, counted={}), Reply(True, f"Пересчёт ячейки {cell.address}")
        case "count", ScannedItem(item=item, qty=qty):
            if session.cell is None:
                return session, Reply(False, "Сначала отсканируйте ячейку для пересчёта")
            counted = {**session.counted, item.sku: session.counted.get(item.sku, 0) + qty}
            return _remember(session, item=item, counted=counted), Reply(True, f"{item.name}: {counted[item.sku]} шт.")
    raise TypeError(f"unexpected input {scanned!r}")


def finish_count(session: Session, book_skus: set[str]) -> tuple[Session, Reply]:
    """Close a blind count: every sku counted, and every sku the book has there but nobody scanned (0)."""
    if session.mode != "count" or session.cell is None:
        return session, Reply(False, "Нет начатого пересчёта")
    cell = session.cell
    skus = sorted(set(session.counted) | book_skus)
    commands = tuple(CountCell(sku, cell.id, session.counted.get(sku, 0)) for sku in skus)
    return start("count"), Reply(True, f"Пересчёт ячейки {cell.address} записан", commands)


def finish_pick(session: Session) -> tuple[Session, Reply]:
    """Close the task in hand: units counted for the current line are picked, then the task is reported."""
    task = session.task
    if session.mode != "pick" or task is None:
        return session, Reply(False, "Нет задания на отбор")
    commands: list[Command] = []
    picked = list(session.picked)
    index = _current_line(session)
    if index is not None and session.qty > 0 and session.cell is not None:
        line = task.lines[index]
        commands.append(PickUnits(task.id, line.sku, line.cell_id, task.assembly_cell_id, session.qty))
        picked[index] += session.qty
    lines = tuple((line.sku, line.qty, got) for line, got in zip(task.lines, picked, strict=True))
    commands.append(CompletePickTask(task.id, lines))
    short = [f"{line.sku}: {got} из {line.qty}" for line, got in zip(task.lines, picked, strict=True) if got < line.qty]
    message = f"Задание по заказу {task.order} завершено"
    if short:
        message += ", недостача: " + "; ".join(short)
    return start("pick"), Reply(True, message, tuple(commands))


def undo(session: Session) -> tuple[Session, Reply]:
    """Take back the last scan of the step in progress."""
    if not session.history:
        return session, Reply(False, "Нечего отменять в текущем шаге")
    return session.history[-1], Reply(True, "Последнее сканирование отменено")


def _remember(session: Session, **changes: object) -> Session:
    return replace(session, history=(*session.history, session), **changes)  # type: ignore[arg-type]


def _add_item(session: Session, item: Item, qty: int) -> tuple[Session, Reply]:
    if session.item is not None and session.item.sku != item.sku:
        return session, Reply(False, f"Другой товар: {item.sku}. Завершите {session.item.sku}, отсканировав ячейку")
    total = session.qty + qty
    return _remember(session, item=item, qty=total), Reply(True, f"{item.name}: {total} шт.")


def _typed_quantity(session: Session, qty: int) -> tuple[Session, Reply]:
    if qty <= 0:
        return session, Reply(False, f"Количество должно быть больше нуля, введено {qty}")
    if session.item is None or session.mode == "count":
        return session, Reply(False, "Количество вводится после сканирования товара")
    return _remember(session, qty=qty), Reply(True, f"{session.item.name}: {qty} шт.")


def _current_line(session: Session) -> int | None:
    """The first line not fully picked, in walking order; None when all are."""
    assert session.task is not None
    for index, (line, got) in enumerate(zip(session.task.lines, session.picked, strict=True)):
        if got < line.qty:
            return index
    return None


def _pick_prompt(session: Session) -> str:
    task = session.task
    if task is None:
        return "Отсканируйте задание на отбор"
    index = _current_line(session)
    if index is None:
        return f"Все строки отобраны в ячейку {task.assembly_cell}. Нажмите «Завершить»"
    line = task.lines[index]
    left = line.qty - session.picked[index]
    where = f"Строка {index + 1}/{len(task.lines)}: {line.sku} «{line.name}»"
    if session.cell is None:
        return f"{where}, {left} шт. Отсканируйте ячейку {line.cell}"
    return f"{where}: {session.qty} из {left} шт. Сканируйте товар"


def _pick_step(session: Session, scanned: Input) -> tuple[Session, Reply]:
    if isinstance(scanned, ScannedTask):
        if session.task is not None and session.task.id != scanned.task.id and _current_line(session) is not None:
            return session, Reply(False, f"Сначала завершите задание по заказу {session.task.order}")
        new = scanned.task
        resumed = replace(start("pick"), task=new, picked=scanned.picked)
        return resumed, Reply(True, f"Задание: заказ {new.order}, {new.customer}, строк {len(new.lines)}")
    task = session.task
    if task is None:
        return session, Reply(False, "Сначала отсканируйте задание на отбор")
    index = _current_line(session)
    if index is None:
        return session, Reply(False, "Все строки отобраны. Нажмите «Завершить»")
    line = task.lines[index]
    left = line.qty - session.picked[index]
    match scanned:
        case ScannedCell(cell=cell):
            if cell.id != line.cell_id:
                return session, Reply(False, f"Не та ячейка: {cell.address}. Нужна ячейка {line.cell}")
            return _remember(session, cell=cell), Reply(True, f"Ячейка {cell.address}: возьмите {left} шт. {line.sku}")
        case ScannedItem(item=item, qty=qty):
            if session.cell is None:
                return session, Reply(False, f"Сначала отсканируйте ячейку {line.cell}")
            if item.sku != line.sku:
                return session, Reply(False, f"Не тот товар: {item.sku}. Нужен {line.sku} «{line.name}»")
            return _pick_units(session, task, index, session.qty + qty)
        case TypedQuantity(qty=qty):
            if session.cell is None or qty <= 0:
                return session, Reply(False, "Количество вводится после сканирования ячейки и товара")
            return _pick_units(session, task, index, qty)
    raise TypeError(f"unexpected input {scanned!r}")


def _pick_units(session: Session, task: PickTask, index: int, qty: int) -> tuple[Session, Reply]:
    line = task.lines[index]
    left = line.qty - session.picked[index]
    if qty > left:
        return session, Reply(False, f"Лишнее: по строке осталось взять {left} шт. {line.sku}")
    if qty < left:
        return _remember(session, qty=qty), Reply(True, f"{line.sku}: {qty} из {left} шт.")
    picked = tuple(got + left if n == index else got for n, got in enumerate(session.picked))
    command = PickUnits(task.id, line.sku, line.cell_id, task.assembly_cell_id, left)
    done = replace(start("pick"), task=task, picked=picked)
    following = _current_line(done)
    message = f"Строка {index + 1} отобрана в {task.assembly_cell}"
    if following is None:
        message += ". Все строки отобраны — нажмите «Завершить»"
    return done, Reply(True, message, (command,))
