"""What a scan means in the current step of a mode — pure: (state, scanned thing) → (state, reply).

A handheld operator works in one mode at a time. Each mode is a short sequence the screen always states
("Отсканируйте ячейку-источник"), and a scan either advances it, completes a warehouse command, or is
refused with the reason and an error beep. Nothing here reads a database or a device.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from edge.warehouse.domain import Cell, Command, CountCell, Item, MoveUnits, ReceiveUnits

Mode = Literal["receive", "move", "count"]
MODE_TITLES: dict[str, str] = {"receive": "Приёмка", "move": "Перемещение", "count": "Пересчёт"}


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


Input = ScannedItem | ScannedCell | TypedQuantity


@dataclass(frozen=True)
class Session:
    """One workstation's progress through its mode."""

    mode: Mode = "move"
    cell: Cell | None = None  # move: the source; count: the counted cell
    item: Item | None = None
    qty: int = 0
    counted: dict[str, int] = field(default_factory=dict)  # count mode: sku → units scanned
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
    match session.mode, scanned:
        case _, TypedQuantity(qty=qty):
            return _typed_quantity(session, qty)
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
