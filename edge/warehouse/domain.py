"""Warehouse rules without I/O: a command and what the site holds go in, events or a refusal come out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Refused(Exception):
    """A command the rules do not allow; ``message`` is shown to the operator as it is (Russian)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Cell:
    id: int
    address: str
    kind: str  # storage, receiving, assembly, shipping


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    serialized: bool = False  # every unit carries its own serial number (WH-1)


@dataclass(frozen=True)
class SerialUnit:
    """Where the site last saw one serialized unit: its cell and package, or how it left (status)."""

    serial: str
    cell_id: int | None
    package: str | None
    status: str  # in_stock, shipped, consumed, written_off


SERIAL_STATUS_TEXT = {"shipped": "отгружен", "consumed": "списан в производство", "written_off": "списан"}


class SiteView(Protocol):
    """What the rules may read about the site; the service layer answers from the site's database."""

    def cell(self, cell_id: int) -> Cell | None: ...

    def item(self, sku: str) -> Item | None: ...

    def qty(self, sku: str, cell_id: int) -> int: ...

    def serial(self, sku: str, serial: str) -> SerialUnit | None: ...

    def serials_in(self, sku: str, cell_id: int) -> tuple[str, ...]: ...


# Commands: imperative, what an operator asks for.
@dataclass(frozen=True)
class ReceiveUnits:
    sku: str
    cell_id: int
    qty: int
    receipt: str | None = None
    serials: tuple[str, ...] = ()  # a serialized item: one serial per unit


@dataclass(frozen=True)
class MoveUnits:
    sku: str
    from_cell_id: int
    to_cell_id: int
    qty: int
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class PickUnits:
    task: str
    sku: str
    from_cell_id: int
    to_cell_id: int
    qty: int
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShipUnits:
    sku: str
    cell_id: int
    qty: int
    shipment: str
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountCell:
    sku: str
    cell_id: int
    counted: int
    count_task: str | None = None
    serials: tuple[str, ...] = ()  # a serialized item: the serials found in the cell


@dataclass(frozen=True)
class CompletePickTask:
    task: str
    lines: tuple[tuple[str, int, int], ...]  # (sku, ordered, picked)


@dataclass(frozen=True)
class RecordDefective:
    """Units of a delivery found defective at receiving: recorded for the claim, not put into stock."""

    sku: str
    qty: int
    receipt: str | None = None


@dataclass(frozen=True)
class CloseReceipt:
    """Close an expected receipt; the service fills ``lines`` (sku, expected, received, defective) from the facts."""

    receipt: str
    supply_order: str
    expected: tuple[tuple[str, int], ...]  # (sku, expected qty) as central sent them
    lines: tuple[tuple[str, int, int, int], ...] = ()


@dataclass(frozen=True)
class AdjustStock:
    """Apply one approved line of a count sheet. ``recounted``: the cell and item were counted again since."""

    adjustment: str
    sku: str
    cell_id: int
    book: int
    counted: int
    recounted: bool = False
    serials: tuple[str, ...] = ()  # serialized item: the serials the count found missing or extra (the service)


@dataclass(frozen=True)
class ConsumeComponents:
    """Take components from the shop's stock for a production task (PROD-1): the BOM of finished or scrapped
    units, or over-use the master records. The service fills ``holdings`` (sku, cell, qty) in taking order."""

    task: str
    purpose: str  # production, scrap, overuse
    units: int
    need: tuple[tuple[str, int], ...]  # (sku, qty) to take
    session: str | None = None
    reason: str | None = None
    holdings: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class ProduceUnits:
    """Good units of a task's last operation put into the shop's stock."""

    task: str
    sku: str
    cell_id: int
    qty: int
    session: str | None = None


Command = (
    ReceiveUnits | MoveUnits | PickUnits | ShipUnits | CountCell | CompletePickTask | RecordDefective | CloseReceipt
    | AdjustStock | ConsumeComponents | ProduceUnits
)  # fmt: skip


# Events: past tense, the facts the site records and reports to central.
@dataclass(frozen=True)
class UnitsReceived:
    sku: str
    cell_id: int
    qty: int
    receipt: str | None
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitsMoved:
    sku: str
    from_cell_id: int
    to_cell_id: int
    qty: int
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitsPicked:
    task: str
    sku: str
    from_cell_id: int
    to_cell_id: int
    qty: int
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitsShipped:
    sku: str
    cell_id: int
    qty: int
    shipment: str
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class CellCounted:
    sku: str
    cell_id: int
    book: int
    counted: int
    count_task: str | None
    serials: tuple[str, ...] = ()  # serialized item: counted serials
    missing: tuple[str, ...] = ()  # on the book in this cell, not found
    extra: tuple[str, ...] = ()  # found, not on the book in this cell


@dataclass(frozen=True)
class PickTaskCompleted:
    task: str
    lines: list[dict[str, object]]  # {"sku", "ordered", "picked"}


@dataclass(frozen=True)
class DefectiveReceived:
    sku: str
    qty: int
    receipt: str | None


@dataclass(frozen=True)
class ReceiptClosed:
    receipt: str
    supply_order: str
    lines: list[dict[str, object]]  # {"sku", "expected", "received", "defective"}


@dataclass(frozen=True)
class StockAdjusted:
    adjustment: str
    sku: str
    cell_id: int
    book: int
    counted: int
    delta: int
    serials: tuple[str, ...] = ()  # serialized item: written off (delta < 0) or taken into stock (delta > 0)


@dataclass(frozen=True)
class AdjustmentRefused:
    adjustment: str
    sku: str
    cell_id: int
    reason: str
    message: str


@dataclass(frozen=True)
class ComponentsConsumed:
    task: str
    purpose: str
    units: int
    session: str | None
    reason: str | None
    lines: list[dict[str, object]]  # {"sku", "cell_id", "qty"}
    short: list[dict[str, object]]  # {"sku", "qty"}: asked for and not held — never taken below zero


@dataclass(frozen=True)
class UnitsProduced:
    task: str
    sku: str
    cell_id: int
    qty: int
    session: str | None


Event = (
    UnitsReceived | UnitsMoved | UnitsPicked | UnitsShipped | CellCounted | PickTaskCompleted | DefectiveReceived
    | ReceiptClosed | StockAdjusted | AdjustmentRefused | ComponentsConsumed | UnitsProduced
)  # fmt: skip


def stock_changes(event: Event) -> list[tuple[str, int, int]]:
    """How an event changes stock, as (sku, cell, delta): ``stock_changes(UnitsMoved("A", 1, 2, 3))``."""
    match event:
        case UnitsReceived(sku=sku, cell_id=cell, qty=qty):
            return [(sku, cell, qty)]
        case (
            UnitsMoved(sku=sku, from_cell_id=src, to_cell_id=dst, qty=qty)
            | UnitsPicked(sku=sku, from_cell_id=src, to_cell_id=dst, qty=qty)
        ):
            return [(sku, src, -qty), (sku, dst, qty)]
        case UnitsShipped(sku=sku, cell_id=cell, qty=qty):
            return [(sku, cell, -qty)]
        case CellCounted() | PickTaskCompleted():
            # A blind count only records; the adjustment comes back from central as its own task (WH-9).
            return []
        case StockAdjusted(sku=sku, cell_id=cell, delta=delta):
            return [(sku, cell, delta)] if delta else []
        case DefectiveReceived() | ReceiptClosed() | AdjustmentRefused():
            return []  # defective units never enter stock
        case ComponentsConsumed(lines=lines):
            return [(str(line["sku"]), int(str(line["cell_id"])), -int(str(line["qty"]))) for line in lines]
        case UnitsProduced(sku=sku, cell_id=cell, qty=qty):
            return [(sku, cell, qty)]
    raise TypeError(f"unknown event {event!r}")


def decide(command: Command, site: SiteView) -> Event:
    """The event a command produces, or ``Refused``: ``decide(MoveUnits("A", 1, 2, 3), site)``."""
    if isinstance(command, CompletePickTask):
        # Closing a task moves nothing; what was short is reported to central, not hidden.
        lines = [{"sku": sku, "ordered": ordered, "picked": picked} for sku, ordered, picked in command.lines]
        return PickTaskCompleted(command.task, lines)
    if isinstance(command, CloseReceipt):
        rows = [
            {"sku": sku, "expected": expected, "received": received, "defective": defective}
            for sku, expected, received, defective in command.lines
        ]
        return ReceiptClosed(command.receipt, command.supply_order, rows)
    if isinstance(command, AdjustStock):
        return _adjust(command, site)
    if isinstance(command, ConsumeComponents):
        return consume(command, site)
    item = site.item(command.sku)
    if item is None:
        raise Refused("unknown_item", f"Товар {command.sku} не найден в справочнике площадки")
    match command:
        case ReceiveUnits(sku=sku, cell_id=cell_id, qty=qty, receipt=receipt, serials=serials):
            _positive(qty)
            _cell(site, cell_id, allowed=("receiving", "storage"))
            _arriving(site, item, serials, qty)
            return UnitsReceived(sku, cell_id, qty, receipt, serials)
        case MoveUnits(sku=sku, from_cell_id=src, to_cell_id=dst, qty=qty, serials=serials):
            _positive(qty)
            _distinct(src, dst)
            _cell(site, dst, allowed=("storage", "receiving", "assembly", "shipping"))
            source = _cell(site, src)
            _leaving(site, item, source, serials, qty)  # a serial elsewhere says where it is: the better reason
            _available(site, item, source, qty)
            return UnitsMoved(sku, src, dst, qty, serials)
        case PickUnits(task=task, sku=sku, from_cell_id=src, to_cell_id=dst, qty=qty, serials=serials):
            _positive(qty)
            _distinct(src, dst)
            _cell(site, dst, allowed=("assembly",))
            source = _cell(site, src)
            _leaving(site, item, source, serials, qty)  # a serial elsewhere says where it is: the better reason
            _available(site, item, source, qty)
            return UnitsPicked(task, sku, src, dst, qty, serials)
        case ShipUnits(sku=sku, cell_id=cell_id, qty=qty, shipment=shipment, serials=serials):
            _positive(qty)
            source = _cell(site, cell_id, allowed=("assembly", "shipping"))
            _leaving(site, item, source, serials, qty, packed_ok=True)
            _available(site, item, source, qty)
            return UnitsShipped(sku, cell_id, qty, shipment, serials)
        case CountCell(sku=sku, cell_id=cell_id, counted=counted, count_task=task, serials=serials):
            if counted < 0:
                raise Refused("negative_count", "Количество при пересчёте не может быть отрицательным")
            _cell(site, cell_id)
            return _count(site, item, cell_id, counted, task, serials)
        case RecordDefective(sku=sku, qty=qty, receipt=receipt):
            _positive(qty)
            return DefectiveReceived(sku, qty, receipt)
        case ProduceUnits(task=task, sku=sku, cell_id=cell_id, qty=qty, session=session):
            _positive(qty)
            _cell(site, cell_id, allowed=("storage", "receiving", "shipping"))
            return UnitsProduced(task, sku, cell_id, qty, session)
    raise TypeError(f"unknown command {command!r}")


def _positive(qty: int) -> None:
    if qty <= 0:
        raise Refused("bad_quantity", f"Количество должно быть больше нуля, получено {qty}")


def _distinct(src: int, dst: int) -> None:
    if src == dst:
        raise Refused("same_cell", "Ячейка назначения совпадает с ячейкой-источником")


def _cell(site: SiteView, cell_id: int, allowed: tuple[str, ...] | None = None) -> Cell:
    cell = site.cell(cell_id)
    if cell is None:
        raise Refused("unknown_cell", f"Ячейка {cell_id} не найдена на этой площадке")
    if allowed is not None and cell.kind not in allowed:
        raise Refused("wrong_cell", f"Ячейка {cell.address} ({cell.kind}) не подходит для этой операции")
    return cell


def _available(site: SiteView, item: Item, cell: Cell, qty: int) -> None:
    have = site.qty(item.sku, cell.id)
    if have == 0:
        raise Refused("wrong_cell", f"В ячейке {cell.address} нет товара {item.sku} «{item.name}»")
    if have < qty:
        raise Refused("not_enough_stock", f"В ячейке {cell.address} только {have} шт. {item.sku}, запрошено {qty}")


def _serial_count(item: Item, serials: tuple[str, ...], qty: int) -> None:
    """A serialized item moves one serial per unit, each once; an unserialized one carries no serials."""
    if not item.serialized:
        if serials:
            raise Refused("not_serialized", f"Товар {item.sku} «{item.name}» учитывается без серийных номеров")
        return
    if len(serials) != qty:
        raise Refused(
            "serial_required",
            f"Товар {item.sku} «{item.name}» учитывается поштучно: нужен серийный номер каждой единицы"
            f" ({len(serials)} из {qty})",
        )
    seen: set[str] = set()
    for serial in serials:
        if not serial or serial in seen:
            raise Refused("duplicate_serial", f"Серийный номер {serial} товара {item.sku} указан дважды")
        seen.add(serial)


def _arriving(site: SiteView, item: Item, serials: tuple[str, ...], qty: int) -> None:
    """Units entering the site: a serial already in stock here cannot arrive a second time."""
    _serial_count(item, serials, qty)
    for serial in serials:
        unit = site.serial(item.sku, serial)
        if unit is not None and unit.status == "in_stock":
            where = _address(site, unit.cell_id)
            message = f"Серийный номер {serial} товара {item.sku} уже на складе в ячейке {where}"
            raise Refused("serial_in_stock", message)


def _leaving(
    site: SiteView, item: Item, cell: Cell, serials: tuple[str, ...], qty: int, packed_ok: bool = False
) -> None:
    """Units leaving a cell: every serial must be in stock in that cell (and loose, unless shipped).

    Stock recorded before serials were tracked (opening balances) has units without a known serial: a serial
    the site has never seen may leave a cell only while the cell holds more units than its known serials.
    """
    _serial_count(item, serials, qty)
    unknown = 0
    for serial in serials:
        unit = site.serial(item.sku, serial)
        if unit is None:
            unknown += 1
            continue
        if unit.status != "in_stock":
            status = SERIAL_STATUS_TEXT.get(unit.status, unit.status)
            raise Refused("serial_not_in_stock", f"Серийный номер {serial} товара {item.sku} уже {status}")
        if unit.cell_id != cell.id:
            where = _address(site, unit.cell_id)
            message = f"Серийный номер {serial} товара {item.sku} в ячейке {where}, а не в {cell.address}"
            raise Refused("serial_wrong_cell", message)
        if unit.package is not None and not packed_ok:
            raise Refused(
                "serial_packed",
                f"Серийный номер {serial} лежит в упаковке {unit.package}: её перемещают только целиком",
            )
    if unknown:
        untracked = site.qty(item.sku, cell.id) - len(site.serials_in(item.sku, cell.id))
        if unknown > untracked:
            missing = next(s for s in serials if site.serial(item.sku, s) is None)
            raise Refused(
                "serial_not_here", f"Серийный номер {missing} товара {item.sku} не числится в ячейке {cell.address}"
            )


def _count(
    site: SiteView, item: Item, cell_id: int, counted: int, task: str | None, serials: tuple[str, ...]
) -> CellCounted:
    """A blind count; for a serialized item the serials found are compared with the book's serials there."""
    book = site.qty(item.sku, cell_id)
    if not item.serialized:
        _serial_count(item, serials, counted)
        return CellCounted(item.sku, cell_id, book, counted, task)
    _serial_count(item, serials, counted)
    on_book = set(site.serials_in(item.sku, cell_id))
    found = set(serials)
    missing = tuple(sorted(on_book - found))
    extra = tuple(sorted(found - on_book))
    return CellCounted(item.sku, cell_id, book, counted, task, tuple(sorted(found)), missing, extra)


def _address(site: SiteView, cell_id: int | None) -> str:
    cell = site.cell(cell_id) if cell_id is not None else None
    return cell.address if cell else str(cell_id)


def _adjust(command: AdjustStock, site: SiteView) -> StockAdjusted | AdjustmentRefused:
    """An approved count line: the cell's stock changes by counted − book, whatever moved since the count.

    Units scanned in or out after the count are real movements and stay; only the difference the count found
    is applied. The line is refused (recorded, not raised: central must hear it) when the same cell and item
    were counted again after this count — that later count is the truth and has its own sheet — or when the
    difference would take the cell below zero (more left the cell since the count than the count found).
    """
    delta = command.counted - command.book
    refuse = AdjustmentRefused
    if site.item(command.sku) is None or site.cell(command.cell_id) is None:
        message = f"Товар {command.sku} или ячейка {command.cell_id} не найдены на площадке"
        return refuse(command.adjustment, command.sku, command.cell_id, "unknown_reference", message)
    address = _cell(site, command.cell_id).address
    if command.recounted:
        message = f"Ячейка {address}, {command.sku}: после этого пересчёта был новый — утвердите его ведомость"
        return refuse(command.adjustment, command.sku, command.cell_id, "recounted", message)
    have = site.qty(command.sku, command.cell_id)
    if have + delta < 0:
        message = (
            f"Ячейка {address}, {command.sku}: сейчас {have} шт., корректировка {delta:+d} увела бы остаток в минус"
        )
        return refuse(command.adjustment, command.sku, command.cell_id, "would_go_negative", message)
    serials = _adjusted_serials(site, command, delta)
    return StockAdjusted(
        command.adjustment, command.sku, command.cell_id, command.book, command.counted, delta, serials
    )


def _adjusted_serials(site: SiteView, command: AdjustStock, delta: int) -> tuple[str, ...]:
    """Which serials an approved count line writes off or takes in: the count's missing or extra ones that
    are still so (a serial missing at the count may have turned up since, and is then kept)."""
    item = site.item(command.sku)
    if item is None or not item.serialized or not delta:
        return ()
    chosen: list[str] = []
    for serial in command.serials:
        unit = site.serial(command.sku, serial)
        here = unit is not None and unit.status == "in_stock" and unit.cell_id == command.cell_id
        if (delta < 0 and here) or (delta > 0 and (unit is None or unit.status != "in_stock")):
            chosen.append(serial)
    return tuple(chosen[: abs(delta)])


def consume(command: ConsumeComponents, site: SiteView) -> ComponentsConsumed:
    """Take each needed sku from the cells holding it, in the order given; what is not there is ``short``.

    Consumption is a fact of the shop (the units went into the product or the scrap bin) and is never
    refused: the stock is taken down to zero at most and the rest is reported short, for the office to
    resolve (a shortage exception at central), so the edge's stock never goes negative.
    """
    if command.purpose not in ("production", "scrap", "overuse"):
        raise Refused("bad_purpose", f"Неизвестное назначение списания: {command.purpose}")
    lines: list[dict[str, object]] = []
    short: list[dict[str, object]] = []
    for sku, qty in command.need:
        if qty <= 0:
            continue
        left = qty
        for held_sku, cell_id, held in command.holdings:
            if held_sku != sku or not left:
                continue
            take = min(left, held, site.qty(sku, cell_id))
            if take > 0:
                lines.append({"sku": sku, "cell_id": cell_id, "qty": take})
                left -= take
        if left:
            short.append({"sku": sku, "qty": left})
    return ComponentsConsumed(
        command.task, command.purpose, command.units, command.session, command.reason, lines, short
    )
