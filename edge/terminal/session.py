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
    CloseReceipt,
    Command,
    CompletePickTask,
    CountCell,
    Item,
    MoveUnits,
    PickUnits,
    ReceiveUnits,
    RecordDefective,
    ShipUnits,
)
from edge.warehouse.packing import ClosePackage, MovePackage, NestPackage, PackageCommand, PackUnits, ShipPackage

Mode = Literal["receive", "move", "pick", "count", "ship", "pack"]
MODE_TITLES: dict[str, str] = {
    "receive": "Приёмка",
    "move": "Перемещение",
    "pick": "Отбор",
    "count": "Пересчёт",
    "ship": "Отгрузка",
    "pack": "Упаковка",
}


@dataclass(frozen=True)
class PickLine:
    """One line of a pick task: take ``qty`` of ``sku`` from cell ``cell_id``."""

    sku: str
    name: str
    qty: int
    cell_id: int
    cell: str
    serialized: bool = False  # picked by the serial of every unit


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
class ExpectedLine:
    sku: str
    name: str
    expected: int


@dataclass(frozen=True)
class ExpectedReceipt:
    """An expected receipt from central (WH-7): the supply order's lines, identified by its document code."""

    id: str  # the document code 24…
    supply_order: str
    supplier: str
    lines: tuple[ExpectedLine, ...]


@dataclass(frozen=True)
class ScannedItem:
    item: Item
    qty: int = 1  # a GS1 code may carry a count (AI 37)
    serial: str | None = None  # GS1 (01)+(21), or the serial scanned after the item's EAN


@dataclass(frozen=True)
class ScannedText:
    """A code that names nothing the site knows: a serial number when one is awaited, refused otherwise."""

    code: str
    message: str  # why it is refused when it is not a serial


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
    done: bool = False  # the site closed the task: it can be shipped, not picked
    in_cell: tuple[tuple[str, int], ...] = ()  # done tasks: (sku, units) in the assembly cell not yet shipped
    serials: tuple[tuple[str, str], ...] = ()  # done tasks: (sku, serial) picked for it, still in that cell


@dataclass(frozen=True)
class ScannedReceipt:
    receipt: ExpectedReceipt
    tally: tuple[tuple[str, int, int], ...] = ()  # (sku, received, defective) recorded so far by any handheld


@dataclass(frozen=True)
class ScannedPackage:
    """An SSCC label: a package the site knows (``status`` open or closed) or a new one (``status`` None)."""

    sscc: str
    status: str | None = None  # open, closed, shipped
    cell: Cell | None = None
    parent: str | None = None
    units: int = 0  # every unit inside, children included
    children: int = 0
    contents: tuple[tuple[str, int], ...] = ()  # (sku, units) inside, children included
    serials: tuple[tuple[str, str], ...] = ()  # (sku, serial) inside, children included


Input = ScannedItem | ScannedCell | ScannedTask | ScannedReceipt | TypedQuantity | ScannedPackage | ScannedText


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
    receipt: ExpectedReceipt | None = None  # receive mode: the expected receipt being received
    tally: dict[str, tuple[int, int]] = field(default_factory=dict)  # receive: sku → (received, defective)
    shipping: tuple[tuple[str, int], ...] = ()  # ship mode: (sku, units) of the task to ship
    package: str | None = None  # pack: the open package in hand; move: the package being moved
    packed: int = 0  # pack mode: units and boxes in the package in hand
    awaiting: Item | None = None  # a serialized item scanned by its EAN, waiting for its serial number
    serials: tuple[tuple[str, str], ...] = ()  # (sku, serial) of the step's units; ship mode: the task's
    history: tuple[Session, ...] = ()  # earlier states of the pending step, for undo


@dataclass(frozen=True)
class Reply:
    ok: bool
    message: str
    commands: tuple[Command | PackageCommand, ...] = ()


def prompt(session: Session) -> str:
    """The next step, as the screen states it: ``prompt(Session(mode="move"))``."""
    if session.awaiting is not None:
        return f"Отсканируйте серийный номер: {session.awaiting.sku} «{session.awaiting.name}»"
    match session.mode:
        case "receive":
            receipt = session.receipt
            if session.item is None:
                if receipt is None:
                    return "Отсканируйте товар"
                got = sum(received for received, _ in session.tally.values())
                expected = sum(line.expected for line in receipt.lines)
                return (
                    f"Поставка {receipt.supply_order}: принято {got} из {expected} шт. Сканируйте товар или «Завершить»"
                )
            return f"{session.item.name}: {session.qty} шт. Ячейка размещения, «Брак» или ещё товар"
        case "ship":
            if session.task is None:
                return "Отсканируйте задание на отбор для отгрузки"
            units = sum(qty for _, qty in session.shipping)
            return (
                f"Заказ {session.task.order}: {units} шт. в {session.task.assembly_cell}."
                " Сканируйте паллету или коробку (SSCC) или нажмите «Отгрузить»"
            )
        case "move":
            if session.cell is None:
                return "Отсканируйте ячейку-источник"
            if session.package is not None:
                return f"Упаковка {session.package}. Отсканируйте ячейку назначения"
            if session.item is None:
                return f"Ячейка {session.cell.address}. Отсканируйте товар"
            return f"{session.item.name}: {session.qty} шт. Ещё товар или ячейка назначения"
        case "pick":
            return _pick_prompt(session)
        case "pack":
            if session.cell is None:
                return "Отсканируйте ячейку упаковки (обычно ячейку сборки)"
            if session.package is None:
                return f"Ячейка {session.cell.address}. Отсканируйте этикетку SSCC коробки или паллеты"
            return (
                f"Упаковка {session.package}: {session.packed} шт. Сканируйте товар или закрытую коробку,"
                " затем «Завершить»"
            )
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
    if session.awaiting is not None:
        return _await_serial(session, scanned)
    if isinstance(scanned, ScannedText):
        return session, Reply(False, scanned.message)
    if isinstance(scanned, ScannedItem) and scanned.item.serialized and session.mode != "ship":
        item = scanned.item
        if scanned.qty > 1:
            refusal = (
                f"Товар {item.sku} «{item.name}» учитывается поштучно: сканируйте каждую единицу с её серийным номером"
            )
            return session, Reply(False, refusal)
        if scanned.serial is None:
            return _remember(session, awaiting=item), Reply(True, f"{item.name}: отсканируйте серийный номер")
    if isinstance(scanned, TypedQuantity) and _serialized_in_hand(session):
        return session, Reply(False, "Товар учитывается поштучно по серийным номерам: количество не вводится")
    return _step(session, scanned)


def _serialized_in_hand(session: Session) -> bool:
    """Whether the units the step counts are of a serialized item (a typed quantity cannot name serials)."""
    if session.mode == "pick" and session.task is not None:
        index = _current_line(session)
        return index is not None and session.task.lines[index].serialized
    return session.item is not None and session.item.serialized


def _await_serial(session: Session, scanned: Input) -> tuple[Session, Reply]:
    """The item's EAN was scanned; this scan must be its serial number (or a GS1 code carrying it)."""
    item = session.awaiting
    assert item is not None
    match scanned:
        case ScannedText(code=code):
            serial = code.strip()
        case ScannedItem(item=same, serial=str(serial)) if same.sku == item.sku:
            pass
        case _:
            return session, Reply(False, f"Отсканируйте серийный номер товара {item.sku} «{item.name}» или «Отмена»")
    if not 1 <= len(serial) <= 64:
        return session, Reply(False, "Серийный номер должен быть от 1 до 64 знаков")
    after, reply = _step(replace(session, awaiting=None), ScannedItem(item, 1, serial))
    return (after, reply) if reply.ok else (session, reply)


def _serials_of(session: Session, sku: str) -> tuple[str, ...]:
    return tuple(serial for of, serial in session.serials if of == sku)


def _with_serial(session: Session, item: Item, serial: str | None) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The step's serials with one more; a refusal message when it was already scanned in this step."""
    if serial is None:
        return "", session.serials
    if (item.sku, serial) in session.serials:
        return f"Серийный номер {serial} уже отсканирован", session.serials
    return "", (*session.serials, (item.sku, serial))


def _step(session: Session, scanned: Input) -> tuple[Session, Reply]:
    if session.mode == "pick":
        return _pick_step(session, scanned)
    if session.mode == "ship":
        return _ship_step(session, scanned)
    if session.mode == "pack":
        return _pack_step(session, scanned)
    match session.mode, scanned:
        case _, TypedQuantity(qty=qty):
            return _typed_quantity(session, qty)
        case _, ScannedTask():
            return session, Reply(False, "Задание на отбор сканируется в режимах «Отбор» и «Отгрузка»")
        case "receive", ScannedReceipt(receipt=receipt, tally=tally):
            if session.item is not None:
                return session, Reply(False, f"Сначала разместите {session.item.sku}: отсканируйте ячейку")
            counts = {sku: (received, defective) for sku, received, defective in tally}
            begun = replace(start("receive"), receipt=receipt, tally=counts)
            expected = sum(line.expected for line in receipt.lines)
            message = f"Поставка {receipt.supply_order}, {receipt.supplier}: строк {len(receipt.lines)}, {expected} шт."
            return begun, Reply(True, message)
        case _, ScannedReceipt():
            return session, Reply(False, "Приходный документ сканируется в режиме «Приёмка»")
        case "receive", ScannedItem(item=item, qty=qty, serial=serial):
            expecting = session.receipt
            if expecting is not None and all(line.sku != item.sku for line in expecting.lines):
                refusal = (
                    f"Товар {item.sku} «{item.name}» не заказан по поставке {expecting.supply_order}:"
                    " отложите его и сообщите менеджеру склада"
                )
                return session, Reply(False, refusal)
            return _add_item(session, item, qty, serial)
        case "receive", ScannedCell(cell=cell):
            if session.item is None:
                return session, Reply(False, "Сначала отсканируйте товар, затем ячейку размещения")
            receipt_id = session.receipt.id if session.receipt else None
            serials = _serials_of(session, session.item.sku)
            command = ReceiveUnits(session.item.sku, cell.id, session.qty, receipt_id, serials)
            after = _receipt_after(session, received=session.qty)
            return after, Reply(True, f"Принято {session.qty} шт. в ячейку {cell.address}", (command,))
        case "move", ScannedPackage() as package:
            return _move_package(session, package)
        case _, ScannedPackage():
            return session, Reply(False, "Упаковка (SSCC) сканируется в режимах «Упаковка», «Перемещение» и «Отгрузка»")
        case "move", ScannedCell(cell=cell) if session.package is not None and session.cell is not None:
            move_package = MovePackage(session.package, session.cell.id, cell.id)
            done = f"Упаковка {session.package} перемещена из {session.cell.address} в {cell.address}"
            return start("move"), Reply(True, done, (move_package,))
        case "move", ScannedCell(cell=cell):
            if session.cell is None:
                return _remember(session, cell=cell), Reply(True, f"Ячейка-источник {cell.address}")
            if session.item is None:
                return _remember(session, cell=cell), Reply(True, f"Ячейка-источник заменена: {cell.address}")
            serials = _serials_of(session, session.item.sku)
            move = MoveUnits(session.item.sku, session.cell.id, cell.id, session.qty, serials)
            done = f"Перемещено {session.qty} шт. из {session.cell.address} в {cell.address}"
            return start("move"), Reply(True, done, (move,))
        case "move", ScannedItem(item=item, qty=qty, serial=serial):
            if session.cell is None:
                return session, Reply(False, "Сначала отсканируйте ячейку-источник")
            if session.package is not None:
                return session, Reply(False, f"Упаковка {session.package} в руках: отсканируйте ячейку назначения")
            return _add_item(session, item, qty, serial)
        case "count", ScannedCell(cell=cell):
            if session.cell is not None and session.counted:
                return session, Reply(False, f"Завершите пересчёт ячейки {session.cell.address}")
            return _remember(session, cell=cell, counted={}, serials=()), Reply(True, f"Пересчёт ячейки {cell.address}")
        case "count", ScannedItem(item=item, qty=qty, serial=serial):
            if session.cell is None:
                return session, Reply(False, "Сначала отсканируйте ячейку для пересчёта")
            refusal, found = _with_serial(session, item, serial)
            if refusal:
                return session, Reply(False, refusal)
            counted = {**session.counted, item.sku: session.counted.get(item.sku, 0) + qty}
            counting = _remember(session, item=item, counted=counted, serials=found)
            return counting, Reply(True, f"{item.name}: {counted[item.sku]} шт.")
    raise TypeError(f"unexpected input {scanned!r}")


def finish_count(session: Session, book_skus: set[str], count_task: str | None = None) -> tuple[Session, Reply]:
    """Close a blind count: every sku counted, and every sku the book has there but nobody scanned (0).

    ``count_task``: the count task from central this cell belongs to, if any (WH-5).
    """
    if session.mode != "count" or session.cell is None:
        return session, Reply(False, "Нет начатого пересчёта")
    cell = session.cell
    skus = sorted(set(session.counted) | book_skus)
    commands = tuple(
        CountCell(sku, cell.id, session.counted.get(sku, 0), count_task, _serials_of(session, sku)) for sku in skus
    )
    return start("count"), Reply(True, f"Пересчёт ячейки {cell.address} записан", commands)


def mark_defective(session: Session) -> tuple[Session, Reply]:
    """Receive mode: the units scanned for the pending item are defective — recorded for the claim, not stocked."""
    if session.mode != "receive" or session.item is None:
        return session, Reply(False, "«Брак»: сначала отсканируйте бракованный товар в режиме «Приёмка»")
    receipt_id = session.receipt.id if session.receipt else None
    command = RecordDefective(session.item.sku, session.qty, receipt_id)
    after = _receipt_after(session, defective=session.qty)
    return after, Reply(True, f"Брак: {session.item.sku} {session.qty} шт. записан для претензии", (command,))


def finish_receipt(session: Session) -> tuple[Session, Reply]:
    """Close the expected receipt in hand; the site totals what every handheld recorded against it."""
    receipt = session.receipt
    if session.mode != "receive" or receipt is None:
        return session, Reply(False, "Нет начатой приёмки: отсканируйте приходный документ")
    if session.item is not None:
        return session, Reply(False, f"Сначала разместите {session.item.sku} (ячейка) или отметьте «Брак»")
    expected = tuple((line.sku, line.expected) for line in receipt.lines)
    command = CloseReceipt(receipt.id, receipt.supply_order, expected)
    differences = []
    for line in receipt.lines:
        received, defective = session.tally.get(line.sku, (0, 0))
        if received != line.expected or defective:
            differences.append(
                f"{line.sku}: {received} из {line.expected}" + (f", брак {defective}" if defective else "")
            )
    message = f"Приёмка по поставке {receipt.supply_order} завершена"
    if differences:
        message += ". Расхождения: " + "; ".join(differences)
    return start("receive"), Reply(True, message, (command,))


def finish_ship(session: Session) -> tuple[Session, Reply]:
    """Ship everything picked for the task in hand from its assembly cell; the task code is the shipment."""
    task = session.task
    if session.mode != "ship" or task is None:
        return session, Reply(False, "Нет задания к отгрузке: отсканируйте задание на отбор")
    commands = tuple(
        ShipUnits(sku, task.assembly_cell_id, qty, task.id, _serials_of(session, sku)) for sku, qty in session.shipping
    )
    units = sum(qty for _, qty in session.shipping)
    return start("ship"), Reply(True, f"Отгружено по заказу {task.order}: {units} шт.", commands)


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
        serials = _serials_of(session, line.sku)
        commands.append(PickUnits(task.id, line.sku, line.cell_id, task.assembly_cell_id, session.qty, serials))
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


def _receipt_after(session: Session, received: int = 0, defective: int = 0) -> Session:
    """A fresh receive step that keeps the receipt in hand, with the step's units added to its tally."""
    after = start("receive")
    if session.receipt is None or session.item is None:
        return after
    was_received, was_defective = session.tally.get(session.item.sku, (0, 0))
    tally = {**session.tally, session.item.sku: (was_received + received, was_defective + defective)}
    return replace(after, receipt=session.receipt, tally=tally)


def _ship_step(session: Session, scanned: Input) -> tuple[Session, Reply]:
    if isinstance(scanned, ScannedPackage):
        return _ship_package(session, scanned)
    if not isinstance(scanned, ScannedTask):
        return session, Reply(False, "В режиме «Отгрузка» сканируйте задание на отбор или SSCC паллеты")
    task = scanned.task
    if not scanned.done:
        return session, Reply(False, f"Задание по заказу {task.order} ещё не собрано: сначала завершите отбор")
    if not scanned.in_cell:
        return session, Reply(False, f"По заказу {task.order} в ячейке {task.assembly_cell} нечего отгружать")
    units = sum(qty for _, qty in scanned.in_cell)
    ready = replace(start("ship"), task=task, shipping=scanned.in_cell, serials=scanned.serials)
    message = f"Заказ {task.order}, {task.customer}: {units} шт. к отгрузке"
    return ready, Reply(True, message)


def _ship_package(session: Session, package: ScannedPackage) -> tuple[Session, Reply]:
    """Ship mode: a box or pallet of the task in hand leaves whole, nested boxes and all (WH-6)."""
    task = session.task
    sscc = package.sscc
    if task is None:
        return session, Reply(False, "Сначала отсканируйте задание на отбор, затем паллету или коробку")
    if package.status is None:
        return session, Reply(False, f"Упаковка {sscc} не найдена на площадке")
    if package.status == "shipped":
        return session, Reply(False, f"Упаковка {sscc} уже отгружена")
    if package.status != "closed":
        return session, Reply(False, f"Упаковка {sscc} не закрыта: отгружать можно закрытую")
    if package.parent is not None:
        return session, Reply(False, f"Коробка {sscc} лежит на паллете {package.parent}: отгружайте паллету")
    if package.cell is None or package.cell.id != task.assembly_cell_id:
        where = package.cell.address if package.cell else "?"
        return session, Reply(False, f"Упаковка {sscc} в ячейке {where}, а не в ячейке сборки {task.assembly_cell}")
    left = dict(session.shipping)
    for sku, qty in package.contents:
        if qty > left.get(sku, 0):
            refusal = f"В упаковке {sscc} {sku} {qty} шт., а к отгрузке по заказу {task.order} {left.get(sku, 0)} шт."
            return session, Reply(False, refusal)
        left[sku] -= qty
    command = ShipPackage(sscc, task.assembly_cell_id, task.id)
    shipping = tuple((sku, qty) for sku, qty in session.shipping if left.get(sku, 0) > 0)
    shipping = tuple((sku, left[sku]) for sku, _ in shipping)
    serials = tuple(pair for pair in session.serials if pair not in package.serials)
    units = sum(qty for _, qty in package.contents)
    message = f"Упаковка {sscc} отгружена: {units} шт."
    if not shipping:
        return start("ship"), Reply(True, f"{message} Заказ {task.order} отгружен полностью", (command,))
    return replace(session, shipping=shipping, serials=serials, history=()), Reply(True, message, (command,))


def _remember(session: Session, **changes: object) -> Session:
    return replace(session, history=(*session.history, session), **changes)  # type: ignore[arg-type]


def _add_item(session: Session, item: Item, qty: int, serial: str | None = None) -> tuple[Session, Reply]:
    if session.item is not None and session.item.sku != item.sku:
        return session, Reply(False, f"Другой товар: {item.sku}. Завершите {session.item.sku}, отсканировав ячейку")
    refusal, serials = _with_serial(session, item, serial)
    if refusal:
        return session, Reply(False, refusal)
    total = session.qty + qty
    said = f"{item.name}: {total} шт." + (f" (S/N {serial})" if serial else "")
    return _remember(session, item=item, qty=total, serials=serials), Reply(True, said)


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
    if isinstance(scanned, ScannedPackage):
        return session, Reply(False, "Упаковка (SSCC) сканируется в режимах «Упаковка», «Перемещение» и «Отгрузка»")
    if isinstance(scanned, ScannedReceipt):
        return session, Reply(False, "Приходный документ сканируется в режиме «Приёмка»")
    if isinstance(scanned, ScannedTask):
        if scanned.done:
            return session, Reply(False, f"Задание {scanned.task.id} уже завершено")
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
        case ScannedItem(item=item, qty=qty, serial=serial):
            if session.cell is None:
                return session, Reply(False, f"Сначала отсканируйте ячейку {line.cell}")
            if item.sku != line.sku:
                return session, Reply(False, f"Не тот товар: {item.sku}. Нужен {line.sku} «{line.name}»")
            refusal, serials = _with_serial(session, item, serial)
            if refusal:
                return session, Reply(False, refusal)
            return _pick_units(replace(session, serials=serials), task, index, session.qty + qty, session)
        case TypedQuantity(qty=qty):
            if session.cell is None or qty <= 0:
                return session, Reply(False, "Количество вводится после сканирования ячейки и товара")
            return _pick_units(session, task, index, qty)
    raise TypeError(f"unexpected input {scanned!r}")


def _pick_units(
    session: Session, task: PickTask, index: int, qty: int, before: Session | None = None
) -> tuple[Session, Reply]:
    """``before``: the state to keep on a refusal and to undo to (the session before this scan's serial)."""
    before = before or session
    line = task.lines[index]
    left = line.qty - session.picked[index]
    if qty > left:
        return before, Reply(False, f"Лишнее: по строке осталось взять {left} шт. {line.sku}")
    if qty < left:
        progress = replace(session, qty=qty, history=(*before.history, before))
        return progress, Reply(True, f"{line.sku}: {qty} из {left} шт.")
    picked = tuple(got + left if n == index else got for n, got in enumerate(session.picked))
    serials = _serials_of(session, line.sku)
    command = PickUnits(task.id, line.sku, line.cell_id, task.assembly_cell_id, left, serials)
    done = replace(start("pick"), task=task, picked=picked)
    following = _current_line(done)
    message = f"Строка {index + 1} отобрана в {task.assembly_cell}"
    if following is None:
        message += ". Все строки отобраны — нажмите «Завершить»"
    return done, Reply(True, message, (command,))


def _move_package(session: Session, package: ScannedPackage) -> tuple[Session, Reply]:
    """Move mode: a package scanned at the source cell moves whole; open or elsewhere is refused."""
    if session.cell is None:
        return session, Reply(False, "Сначала отсканируйте ячейку-источник")
    if session.item is not None:
        return session, Reply(False, f"Сначала разместите {session.item.sku}: отсканируйте ячейку назначения")
    if package.status is None:
        return session, Reply(False, f"Упаковка {package.sscc} не найдена на площадке")
    if package.status != "closed":
        return session, Reply(False, f"Упаковка {package.sscc} не закрыта: перемещать можно закрытую")
    if package.parent is not None:
        return session, Reply(False, f"Коробка {package.sscc} лежит на паллете {package.parent}: перемещайте её")
    if package.cell is None or package.cell.id != session.cell.id:
        where = package.cell.address if package.cell else "?"
        return session, Reply(False, f"Упаковка {package.sscc} в ячейке {where}, а не в {session.cell.address}")
    message = f"Упаковка {package.sscc}: {package.units} шт. Отсканируйте ячейку назначения"
    return _remember(session, package=package.sscc), Reply(True, message)


def _pack_step(session: Session, scanned: Input) -> tuple[Session, Reply]:
    """Pack mode: cell, then an SSCC to open, then items (a box) or closed boxes (a pallet), then «Завершить»."""
    match scanned:
        case ScannedCell(cell=cell):
            if session.package is not None and session.packed:
                return session, Reply(False, f"Сначала завершите упаковку {session.package}")
            return replace(start("pack"), cell=cell), Reply(True, f"Упаковка в ячейке {cell.address}")
        case ScannedPackage() as package:
            return _pack_package(session, package)
        case ScannedItem(item=item, qty=qty, serial=serial):
            if session.cell is None or session.package is None:
                return session, Reply(False, "Сначала отсканируйте ячейку и этикетку SSCC упаковки")
            command = PackUnits(session.package, session.cell.id, item.sku, qty, (serial,) if serial else ())
            after = replace(session, item=item, qty=qty, packed=session.packed + qty, history=())
            return after, Reply(True, f"{item.name}: +{qty} шт. в {session.package}", (command,))
        case TypedQuantity(qty=qty):
            if session.cell is None or session.package is None or session.item is None:
                return session, Reply(False, "Количество вводится после сканирования товара")
            if qty <= session.qty:
                return session, Reply(False, f"Уже упаковано {session.qty} шт. {session.item.sku}: введите больше")
            more = qty - session.qty
            command = PackUnits(session.package, session.cell.id, session.item.sku, more)
            after = replace(session, qty=qty, packed=session.packed + more, history=())
            return after, Reply(True, f"{session.item.name}: {qty} шт. в {session.package}", (command,))
    return session, Reply(False, "В режиме «Упаковка» сканируйте ячейку, этикетку SSCC и товар")


def _pack_package(session: Session, package: ScannedPackage) -> tuple[Session, Reply]:
    in_hand = session.package
    if in_hand == package.sscc:
        return session, Reply(False, f"Упаковка {package.sscc} уже открыта: сканируйте товар")
    if in_hand is not None and package.status == "closed":
        # A closed box onto the package in hand: it becomes a pallet.
        if session.cell is None:
            return session, Reply(False, "Сначала отсканируйте ячейку упаковки")
        command = NestPackage(in_hand, package.sscc, session.cell.id)
        after = replace(session, packed=session.packed + package.units, item=None, qty=0, history=())
        return after, Reply(True, f"Коробка {package.sscc} ({package.units} шт.) на паллете {in_hand}", (command,))
    if in_hand is not None and session.packed:
        return session, Reply(False, f"Сначала завершите упаковку {in_hand}")
    if package.status == "closed":
        return session, Reply(False, f"Упаковка {package.sscc} уже закрыта")
    if package.status == "open":
        assert package.cell is not None
        resumed = replace(start("pack"), cell=package.cell, package=package.sscc, packed=package.units)
        if not package.units and not package.children:  # just opened («Новая коробка»)
            return resumed, Reply(True, f"Упаковка {package.sscc} открыта в ячейке {package.cell.address}")
        return resumed, Reply(True, f"Упаковка {package.sscc} продолжается: {package.units} шт.")
    if session.cell is None:
        return session, Reply(False, "Сначала отсканируйте ячейку упаковки")
    opened = replace(start("pack"), cell=session.cell, package=package.sscc)
    return opened, Reply(True, f"Упаковка {package.sscc} открыта в ячейке {session.cell.address}")


def new_package_cell(session: Session) -> tuple[Cell | None, str]:
    """«Новая коробка»: the cell a site-numbered package opens at, or why not now (pack mode, a cell, no box begun)."""
    if session.mode != "pack":
        return None, "«Новая коробка» — в режиме «Упаковка»"
    if session.cell is None:
        return None, "Сначала отсканируйте ячейку упаковки"
    if session.package is not None and session.packed:
        return None, f"Сначала завершите упаковку {session.package}"
    return session.cell, ""


def finish_pack(session: Session) -> tuple[Session, Reply]:
    """«Завершить» in pack mode: close the package in hand; its label can then be printed."""
    if session.mode != "pack" or session.package is None:
        return session, Reply(False, "Нет открытой упаковки: отсканируйте этикетку SSCC")
    if not session.packed:
        return session, Reply(False, f"Упаковка {session.package} пуста: сначала сканируйте в неё товар")
    message = f"Упаковка {session.package} закрыта: {session.packed} шт. Напечатайте её этикетку"
    return replace(start("pack"), cell=session.cell), Reply(True, message, (ClosePackage(session.package),))
