"""Package rules without I/O (WH-2): boxes and pallets identified by SSCC, packed, closed, nested and moved.

A package sits in a cell and holds units (sku, qty) and/or closed child packages. Stock per cell stays the
truth for quantities: packed units are still in their cell's stock, and the units in the packages of a cell
never exceed that cell's stock of the sku. A package's kind follows what it holds: a pallet holds packages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from edge.warehouse.domain import Cell, Item, Refused, SerialUnit


@dataclass(frozen=True)
class Package:
    sscc: str
    cell_id: int
    status: str  # open, closed, shipped
    parent: str | None
    units: tuple[tuple[str, int], ...]  # its own units (sku, qty), children not included
    children: tuple[str, ...]


class PackageSiteView(Protocol):
    def cell(self, cell_id: int) -> Cell | None: ...

    def item(self, sku: str) -> Item | None: ...

    def package(self, sscc: str) -> Package | None: ...

    def unpacked(self, sku: str, cell_id: int) -> int: ...

    def contents(self, sscc: str) -> dict[str, int]: ...

    def serial(self, sku: str, serial: str) -> SerialUnit | None: ...


# Commands
@dataclass(frozen=True)
class PackUnits:
    """Put loose units of a cell into a package; a new SSCC opens the package at that cell."""

    package: str
    cell_id: int
    sku: str
    qty: int
    serials: tuple[str, ...] = ()  # a serialized item: one serial per unit


@dataclass(frozen=True)
class NestPackage:
    """Put a closed package (a box) onto an open one (a pallet); a new SSCC opens the pallet at that cell."""

    package: str
    child: str
    cell_id: int


@dataclass(frozen=True)
class ClosePackage:
    package: str


@dataclass(frozen=True)
class MovePackage:
    """Move a closed package with everything in it (children included) to another cell."""

    package: str
    from_cell_id: int
    to_cell_id: int


@dataclass(frozen=True)
class ShipPackage:
    """Ship a closed box or pallet whole from a shipment's cell (WH-6). ``goods``: (sku, qty) the shipment may
    still take from that cell; the service fills it from the task."""

    package: str
    cell_id: int
    shipment: str
    goods: tuple[tuple[str, int], ...] = ()


PackageCommand = PackUnits | NestPackage | ClosePackage | MovePackage | ShipPackage


# Events
@dataclass(frozen=True)
class UnitsPacked:
    package: str
    cell_id: int
    sku: str
    qty: int
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackageNested:
    package: str
    child: str
    cell_id: int


@dataclass(frozen=True)
class PackageClosed:
    package: str
    cell_id: int
    kind: str  # box, pallet
    units: list[dict[str, object]]  # its own units {"sku", "qty"}
    children: list[str]
    contents: list[dict[str, object]]  # every unit inside, children included {"sku", "qty"}


@dataclass(frozen=True)
class PackageMoved:
    package: str
    from_cell_id: int
    to_cell_id: int
    contents: list[dict[str, object]]  # {"sku", "qty"}: the stock moves written with it


@dataclass(frozen=True)
class UnitsUnpacked:
    """Units that left a package without the operator moving it: shipped, consumed or written off by a count."""

    package: str
    cell_id: int
    sku: str
    qty: int
    reason: str  # shipped, consumed, adjusted
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackageOpened:
    """A new package with an SSCC the site issued itself («Новая коробка»)."""

    package: str
    cell_id: int


@dataclass(frozen=True)
class PackageShipped:
    """A closed package shipped whole with its children; the stock left just before as ``UnitsShipped``."""

    package: str
    cell_id: int
    shipment: str
    packages: list[str]  # the package and every package inside it
    contents: list[dict[str, object]]  # {"sku", "qty"}


PackageEvent = (
    UnitsPacked | PackageNested | PackageClosed | PackageMoved | UnitsUnpacked | PackageOpened | PackageShipped
)


def decide_package(command: PackageCommand, site: PackageSiteView) -> PackageEvent:
    """The event a package command produces, or ``Refused`` with the reason for the operator."""
    match command:
        case PackUnits(package=sscc, cell_id=cell_id, sku=sku, qty=qty, serials=serials):
            if qty <= 0:
                raise Refused("bad_quantity", f"Количество должно быть больше нуля, получено {qty}")
            item = site.item(sku)
            if item is None:
                raise Refused("unknown_item", f"Товар {sku} не найден в справочнике площадки")
            cell = _cell(site, cell_id)
            _open_here(site.package(sscc), cell)
            free = site.unpacked(sku, cell_id)
            if free < qty:
                raise Refused(
                    "not_enough_unpacked",
                    f"В ячейке {cell.address} неупакованных {sku} «{item.name}» {free} шт., нужно {qty}",
                )
            _packing_serials(site, item, cell, serials, qty)
            return UnitsPacked(sscc, cell_id, sku, qty, serials)
        case NestPackage(package=sscc, child=child_sscc, cell_id=cell_id):
            cell = _cell(site, cell_id)
            if child_sscc == sscc:
                raise Refused("same_package", "Упаковку нельзя вложить в неё саму")
            _open_here(site.package(sscc), cell)
            child = site.package(child_sscc)
            if child is None:
                raise Refused("unknown_package", f"Упаковка {child_sscc} не найдена: сначала соберите и закройте её")
            if child.status == "shipped":
                raise Refused("package_shipped", f"Коробка {child_sscc} уже отгружена")
            if child.status != "closed":
                raise Refused("package_open", f"Коробка {child_sscc} не закрыта: сначала нажмите «Завершить»")
            if child.parent is not None:
                raise Refused("already_nested", f"Коробка {child_sscc} уже лежит в упаковке {child.parent}")
            if child.cell_id != cell_id:
                where = _address(site, child.cell_id)
                raise Refused("wrong_cell", f"Коробка {child_sscc} в ячейке {where}, а не в {cell.address}")
            return PackageNested(sscc, child_sscc, cell_id)
        case ClosePackage(package=sscc):
            package = site.package(sscc)
            if package is None or not (package.units or package.children):
                raise Refused("empty_package", f"Упаковка {sscc} пуста: сначала сканируйте в неё товар")
            if package.status != "open":
                raise Refused("package_closed", f"Упаковка {sscc} уже закрыта")
            units = [{"sku": sku, "qty": qty} for sku, qty in package.units]
            contents = [{"sku": sku, "qty": qty} for sku, qty in sorted(site.contents(sscc).items())]
            kind = "pallet" if package.children else "box"
            return PackageClosed(sscc, package.cell_id, kind, units, list(package.children), contents)
        case MovePackage(package=sscc, from_cell_id=src, to_cell_id=dst):
            package = site.package(sscc)
            if package is None:
                raise Refused("unknown_package", f"Упаковка {sscc} не найдена на площадке")
            if package.status == "shipped":
                raise Refused("package_shipped", f"Упаковка {sscc} уже отгружена")
            if package.status != "closed":
                raise Refused("package_open", f"Упаковка {sscc} не закрыта: перемещать можно закрытую")
            if package.parent is not None:
                raise Refused("nested_package", f"Коробка {sscc} лежит на паллете {package.parent}: перемещайте её")
            if package.cell_id != src:
                where = _address(site, package.cell_id)
                raise Refused("wrong_cell", f"Упаковка {sscc} в ячейке {where}, а не в {_address(site, src)}")
            if src == dst:
                raise Refused("same_cell", "Ячейка назначения совпадает с ячейкой-источником")
            target = _cell(site, dst)
            if target.kind not in ("storage", "receiving", "assembly", "shipping"):
                raise Refused("wrong_cell", f"Ячейка {target.address} не подходит для этой операции")
            contents = [{"sku": sku, "qty": qty} for sku, qty in sorted(site.contents(sscc).items())]
            return PackageMoved(sscc, src, dst, contents)
        case ShipPackage(package=sscc, cell_id=cell_id, shipment=shipment, goods=goods):
            return _ship(site, sscc, cell_id, shipment, dict(goods))
    raise TypeError(f"unknown command {command!r}")


def release(sku: str, cell_id: int, excess: int, holders: list[tuple[str, int]], reason: str) -> list[UnitsUnpacked]:
    """Take ``excess`` units of a sku out of the packages of a cell (``holders``: (sscc, qty) in taking order).

    Used when units left the cell by shipping, consumption or an approved count: the cell's stock is the
    truth, so the packages there give up what the cell no longer holds.
    """
    events: list[UnitsUnpacked] = []
    for sscc, held in holders:
        if excess <= 0:
            break
        take = min(held, excess)
        events.append(UnitsUnpacked(sscc, cell_id, sku, take, reason))
        excess -= take
    return events


def _ship(site: PackageSiteView, sscc: str, cell_id: int, shipment: str, goods: dict[str, int]) -> PackageShipped:
    """A package leaves whole: closed, not on a pallet, in the shipment's cell, holding only what it may take."""
    package = site.package(sscc)
    if package is None:
        raise Refused("unknown_package", f"Упаковка {sscc} не найдена на площадке")
    if package.status == "shipped":
        raise Refused("package_shipped", f"Упаковка {sscc} уже отгружена")
    if package.status != "closed":
        raise Refused("package_open", f"Упаковка {sscc} не закрыта: отгружать можно закрытую")
    if package.parent is not None:
        raise Refused("nested_package", f"Коробка {sscc} лежит на паллете {package.parent}: отгружайте паллету")
    cell = _cell(site, cell_id)
    if package.cell_id != cell_id:
        where = _address(site, package.cell_id)
        raise Refused("wrong_cell", f"Упаковка {sscc} в ячейке {where}, а не в ячейке отгрузки {cell.address}")
    contents = site.contents(sscc)
    for sku, qty in sorted(contents.items()):
        if qty > goods.get(sku, 0):
            raise Refused(
                "not_in_shipment",
                f"В упаковке {sscc} {sku} {qty} шт., а к отгрузке по {shipment} {goods.get(sku, 0)} шт.",
            )
    lines: list[dict[str, object]] = [{"sku": sku, "qty": qty} for sku, qty in sorted(contents.items())]
    return PackageShipped(sscc, cell_id, shipment, [], lines)


def _packing_serials(site: PackageSiteView, item: Item, cell: Cell, serials: tuple[str, ...], qty: int) -> None:
    """A serialized unit is packed by its serial: loose, in stock, in this cell."""
    if not item.serialized:
        if serials:
            raise Refused("not_serialized", f"Товар {item.sku} «{item.name}» учитывается без серийных номеров")
        return
    if len(serials) != qty or len(set(serials)) != qty:
        raise Refused("serial_required", f"Товар {item.sku} «{item.name}» упаковывается поштучно по серийным номерам")
    for serial in serials:
        unit = site.serial(item.sku, serial)
        if unit is None:
            continue  # a unit of stock counted before serials were tracked: the cell's loose units cover it
        if unit.status != "in_stock" or unit.cell_id != cell.id:
            message = f"Серийный номер {serial} товара {item.sku} не числится в ячейке {cell.address}"
            raise Refused("serial_not_here", message)
        if unit.package is not None:
            raise Refused("serial_packed", f"Серийный номер {serial} уже в упаковке {unit.package}")


def _cell(site: PackageSiteView, cell_id: int) -> Cell:
    cell = site.cell(cell_id)
    if cell is None:
        raise Refused("unknown_cell", f"Ячейка {cell_id} не найдена на этой площадке")
    return cell


def _address(site: PackageSiteView, cell_id: int) -> str:
    cell = site.cell(cell_id)
    return cell.address if cell else str(cell_id)


def _open_here(package: Package | None, cell: Cell) -> None:
    """A package takes content while open, in its own cell, and not yet nested in another."""
    if package is None:
        return
    if package.status != "open":
        raise Refused("package_closed", f"Упаковка {package.sscc} уже закрыта")
    if package.cell_id != cell.id:
        raise Refused("wrong_cell", f"Упаковка {package.sscc} открыта в другой ячейке, не в {cell.address}")
