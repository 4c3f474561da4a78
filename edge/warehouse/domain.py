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


class SiteView(Protocol):
    """What the rules may read about the site; the service layer answers from the site's database."""

    def cell(self, cell_id: int) -> Cell | None: ...

    def item(self, sku: str) -> Item | None: ...

    def qty(self, sku: str, cell_id: int) -> int: ...


# Commands: imperative, what an operator asks for.
@dataclass(frozen=True)
class ReceiveUnits:
    sku: str
    cell_id: int
    qty: int
    receipt: str | None = None


@dataclass(frozen=True)
class MoveUnits:
    sku: str
    from_cell_id: int
    to_cell_id: int
    qty: int


@dataclass(frozen=True)
class PickUnits:
    task: str
    sku: str
    from_cell_id: int
    to_cell_id: int
    qty: int


@dataclass(frozen=True)
class ShipUnits:
    sku: str
    cell_id: int
    qty: int
    shipment: str


@dataclass(frozen=True)
class CountCell:
    sku: str
    cell_id: int
    counted: int
    count_task: str | None = None


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


@dataclass(frozen=True)
class UnitsMoved:
    sku: str
    from_cell_id: int
    to_cell_id: int
    qty: int


@dataclass(frozen=True)
class UnitsPicked:
    task: str
    sku: str
    from_cell_id: int
    to_cell_id: int
    qty: int


@dataclass(frozen=True)
class UnitsShipped:
    sku: str
    cell_id: int
    qty: int
    shipment: str


@dataclass(frozen=True)
class CellCounted:
    sku: str
    cell_id: int
    book: int
    counted: int
    count_task: str | None


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
        case ReceiveUnits(sku=sku, cell_id=cell_id, qty=qty, receipt=receipt):
            _positive(qty)
            _cell(site, cell_id, allowed=("receiving", "storage"))
            return UnitsReceived(sku, cell_id, qty, receipt)
        case MoveUnits(sku=sku, from_cell_id=src, to_cell_id=dst, qty=qty):
            _positive(qty)
            _distinct(src, dst)
            _cell(site, dst, allowed=("storage", "receiving", "assembly", "shipping"))
            _available(site, item, _cell(site, src), qty)
            return UnitsMoved(sku, src, dst, qty)
        case PickUnits(task=task, sku=sku, from_cell_id=src, to_cell_id=dst, qty=qty):
            _positive(qty)
            _distinct(src, dst)
            _cell(site, dst, allowed=("assembly",))
            _available(site, item, _cell(site, src), qty)
            return UnitsPicked(task, sku, src, dst, qty)
        case ShipUnits(sku=sku, cell_id=cell_id, qty=qty, shipment=shipment):
            _positive(qty)
            _available(site, item, _cell(site, cell_id, allowed=("assembly", "shipping")), qty)
            return UnitsShipped(sku, cell_id, qty, shipment)
        case CountCell(sku=sku, cell_id=cell_id, counted=counted, count_task=task):
            if counted < 0:
                raise Refused("negative_count", "Количество при пересчёте не может быть отрицательным")
            _cell(site, cell_id)
            return CellCounted(sku, cell_id, site.qty(sku, cell_id), counted, task)
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
    return StockAdjusted(command.adjustment, command.sku, command.cell_id, command.book, command.counted, delta)


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
