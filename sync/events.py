"""Versioned schemas of the events edges report: ``read_event("UnitsMoved", 1, payload)`` → the current model.

An edge one release behind still writes older versions; central upcasts them here, so upgrading central
first never stops a site. Versions are per event type: ``CURRENT_VERSION`` is the base, ``VERSIONS`` names the
types that moved on (v3: the serial numbers of serialized units, WH-1). An event of a version newer than this
release knows raises ``UnknownSchema``: central holds it (and everything after it) until it is upgraded,
instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

CURRENT_VERSION = 2
SERIALS = "serials"


class UnknownSchema(ValueError):
    """An event type or version this release cannot read."""


class InvalidEvent(ValueError):
    """An event whose payload does not match its declared schema."""


class _Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Serial = Annotated[str, Field(min_length=1, max_length=64)]


class UnitsReceived(_Fact):
    sku: str
    cell_id: int
    qty: int = Field(gt=0)
    receipt: str | None = None
    package: str | None = None  # v2: the SSCC the units arrived in
    serials: list[Serial] = Field(default_factory=list)  # v3: one per unit of a serialized item


class UnitsMoved(_Fact):
    sku: str
    from_cell_id: int
    to_cell_id: int
    qty: int = Field(gt=0)
    package: str | None = None  # v2
    serials: list[Serial] = Field(default_factory=list)  # v3


class UnitsPicked(_Fact):
    task: str
    sku: str
    from_cell_id: int
    to_cell_id: int
    qty: int = Field(gt=0)
    package: str | None = None  # v2
    serials: list[Serial] = Field(default_factory=list)  # v3


class UnitsShipped(_Fact):
    sku: str
    cell_id: int
    qty: int = Field(gt=0)
    shipment: str
    package: str | None = None  # v2
    serials: list[Serial] = Field(default_factory=list)  # v3


class CellCounted(_Fact):
    sku: str
    cell_id: int
    book: int
    counted: int = Field(ge=0)
    count_task: str | None = None
    serials: list[Serial] = Field(default_factory=list)  # v3: serials found (serialized item)
    missing: list[Serial] = Field(default_factory=list)  # v3: on the book in the cell, not found
    extra: list[Serial] = Field(default_factory=list)  # v3: found, not on the book in the cell


class PickTaskReceived(_Fact):
    """v2: the site has the pick task (WH-6 logs when the warehouse received it)."""

    task: str


class PickedLine(_Fact):
    sku: str
    ordered: int = Field(ge=0)
    picked: int = Field(ge=0)


class PickTaskCompleted(_Fact):
    """v2: the operator closed a pick task; lines say what was picked against what was asked (WH-4)."""

    task: str
    lines: list[PickedLine]


# Shop-floor work (PROD-2), new in schema version 2: no earlier form exists, so no upcaster. ``session`` is the
# edge's id of one worker's work on one operation; ``at`` is the moment on the station's clock — unlike stock
# facts, work time is itself the fact (pay depends on it), so it travels in the payload.
class WorkStarted(_Fact):
    session: str = Field(min_length=1, max_length=64)
    task: str  # the production task number, e.g. "ПР-00101"
    operation_id: int  # central's routing operation
    op_seq: int
    operation: str
    sku: str
    group_code: str
    norm_minutes_per_unit: int = Field(ge=0)
    worker: str  # badge
    at: datetime


class WorkPaused(_Fact):
    session: str
    reason: str  # a key of PAUSE_REASONS
    at: datetime


class WorkResumed(_Fact):
    session: str
    at: datetime


class WorkFinished(_Fact):
    session: str
    good: int = Field(ge=0)
    defective: int = Field(ge=0)
    at: datetime


class WorkClosedByRule(_Fact):
    """An operation left open past the end of its shift, closed by the edge as of ``at`` (the shift's end)."""

    session: str
    rule: str  # "shift_end"
    at: datetime


PAUSE_REASONS: dict[str, str] = {
    "break": "Перерыв",
    "no_material": "Нет комплектующих",
    "equipment": "Неисправность оборудования",
    "other_work": "Переход на другую работу",
    "other": "Другое",
}
WorkFact = WorkStarted | WorkPaused | WorkResumed | WorkFinished | WorkClosedByRule
WORK_MODELS: tuple[type[WorkFact], ...] = (WorkStarted, WorkPaused, WorkResumed, WorkFinished, WorkClosedByRule)


# Receiving, counting and adjustments (WH-5, WH-7, WH-9), new in schema version 2: no earlier form exists.
class DefectiveReceived(_Fact):
    """Units of a delivery found defective at receiving: recorded for the claim, never put into stock."""

    sku: str
    qty: int = Field(gt=0)
    receipt: str | None = None  # the expected receipt's document code (24…)


class ReceiptLine(_Fact):
    sku: str
    expected: int = Field(ge=0)
    received: int = Field(ge=0)
    defective: int = Field(ge=0)


class ReceiptClosed(_Fact):
    """The operator closed an expected receipt: per line what was expected, received into cells and defective."""

    receipt: str
    supply_order: str
    lines: list[ReceiptLine]


class StockAdjusted(_Fact):
    """An approved count adjustment applied at the site: stock of the cell changed by ``delta``."""

    adjustment: str  # the count sheet's number, e.g. "ИНВ-00001"
    sku: str
    cell_id: int
    book: int
    counted: int = Field(ge=0)
    delta: int
    serials: list[Serial] = Field(default_factory=list)  # v3: written off (delta < 0) or taken in (delta > 0)


class AdjustmentRefused(_Fact):
    """An approved adjustment line the site could not apply as it stands; ``message`` says why (Russian)."""

    adjustment: str
    sku: str
    cell_id: int
    reason: str
    message: str


# Shop consumption and output (PROD-1), new in schema version 2: no earlier form exists, so no upcaster.
class ConsumedLine(_Fact):
    sku: str
    cell_id: int
    qty: int = Field(gt=0)


class ShortLine(_Fact):
    sku: str
    qty: int = Field(gt=0)


class ComponentsConsumed(_Fact):
    """Components taken from the shop's stock for a production task.

    ``purpose``: ``production`` (the BOM of good units of the task's last operation), ``scrap`` (the BOM of
    defective units) or ``overuse`` (above the BOM norm, recorded by the master). ``lines`` say from which
    cells; ``short`` is what the BOM asked for and the shop's stock did not hold — stock never goes negative.
    """

    task: str
    purpose: str = Field(pattern="^(production|scrap|overuse)$")
    units: int = Field(ge=0)
    session: str | None = None
    reason: str | None = None
    lines: list[ConsumedLine]
    short: list[ShortLine] = Field(default_factory=list)


class UnitsProduced(_Fact):
    """Good units of a production task's last operation put into the shop's stock."""

    task: str
    sku: str
    cell_id: int
    qty: int = Field(gt=0)
    session: str | None = None


TransferFact = ComponentsConsumed | UnitsProduced
TRANSFER_MODELS: tuple[type[TransferFact], ...] = (ComponentsConsumed, UnitsProduced)


# Packages (WH-2), new in schema version 2: boxes and pallets identified by SSCC. Packed units stay in their cell's
# stock (these facts move no stock); a package's move is written as one ``UnitsMoved`` per sku with ``package`` set,
# followed by ``PackageMoved``.
SSCC_PATTERN = "^[0-9]{18}$"


class UnitsPacked(_Fact):
    """Loose units of a cell put into an open package (a new SSCC opens it at that cell)."""

    package: str = Field(pattern=SSCC_PATTERN)
    cell_id: int
    sku: str
    qty: int = Field(gt=0)
    serials: list[Serial] = Field(default_factory=list)  # v3


class PackageNested(_Fact):
    """A closed package (``child``, a box) put onto an open one (``package``, a pallet) in the same cell."""

    package: str = Field(pattern=SSCC_PATTERN)
    child: str = Field(pattern=SSCC_PATTERN)
    cell_id: int


class PackedLine(_Fact):
    sku: str
    qty: int = Field(gt=0)


class PackageClosed(_Fact):
    """The operator closed a package: its own units, its children and everything inside it."""

    package: str = Field(pattern=SSCC_PATTERN)
    cell_id: int
    kind: str = Field(pattern="^(box|pallet)$")
    units: list[PackedLine]
    children: list[str] = Field(default_factory=list)
    contents: list[PackedLine]


class PackageMoved(_Fact):
    """A closed package moved whole with its children; the stock moves came just before as ``UnitsMoved``."""

    package: str = Field(pattern=SSCC_PATTERN)
    from_cell_id: int
    to_cell_id: int
    contents: list[PackedLine]


class UnitsUnpacked(_Fact):
    """Units that left a package with its cell's stock: shipped, consumed, or written off by an approved count."""

    package: str = Field(pattern=SSCC_PATTERN)
    cell_id: int
    sku: str
    qty: int = Field(gt=0)
    reason: str = Field(pattern="^(shipped|consumed|adjusted)$")
    serials: list[Serial] = Field(default_factory=list)  # v3


# New in version 3 (no earlier form): SSCCs the site issues itself, and packages shipped whole (WH-6).
class PackageOpened(_Fact):
    """A new package under an SSCC the site issued from its own counter («Новая коробка»)."""

    package: str = Field(pattern=SSCC_PATTERN)
    cell_id: int


class PackageShipped(_Fact):
    """A closed package shipped whole; the stock left just before as ``UnitsShipped`` with ``package`` set."""

    package: str = Field(pattern=SSCC_PATTERN)
    cell_id: int
    shipment: str
    packages: list[str]  # the package and every package inside it
    contents: list[PackedLine]


PackageFact = (
    UnitsPacked | PackageNested | PackageClosed | PackageMoved | UnitsUnpacked | PackageOpened | PackageShipped
)
PACKAGE_MODELS: tuple[type[PackageFact], ...] = (
    UnitsPacked,
    PackageNested,
    PackageClosed,
    PackageMoved,
    UnitsUnpacked,
    PackageOpened,
    PackageShipped,
)


WarehouseFact = (
    UnitsReceived | UnitsMoved | UnitsPicked | UnitsShipped | CellCounted | PickTaskReceived | PickTaskCompleted
)
ReceivingFact = DefectiveReceived | ReceiptClosed | StockAdjusted | AdjustmentRefused
RECEIVING_MODELS: tuple[type[ReceivingFact], ...] = (DefectiveReceived, ReceiptClosed, StockAdjusted, AdjustmentRefused)
Fact = WarehouseFact | WorkFact | ReceivingFact | TransferFact | PackageFact
MODELS: dict[str, type[Fact]] = {
    m.__name__: m
    for m in (UnitsReceived, UnitsMoved, UnitsPicked, UnitsShipped, CellCounted, PickTaskReceived, PickTaskCompleted)
}
MODELS.update({m.__name__: m for m in WORK_MODELS})
MODELS.update({m.__name__: m for m in RECEIVING_MODELS})
MODELS.update({m.__name__: m for m in TRANSFER_MODELS})
MODELS.update({m.__name__: m for m in PACKAGE_MODELS})


def _v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    # v1 had no packages: units moved loose.
    return {**payload, "package": None}


def _v2_to_v3(payload: dict[str, Any]) -> dict[str, Any]:
    # v2 had no serial numbers: its units were counted, not identified.
    return {**payload, SERIALS: []}


# Event types whose version moved past ``CURRENT_VERSION``; an edge writes each type at its version here.
SERIAL_TYPES = ("UnitsReceived", "UnitsMoved", "UnitsPicked", "UnitsShipped", "CellCounted", "StockAdjusted")
VERSIONS: dict[str, int] = dict.fromkeys((*SERIAL_TYPES, "UnitsPacked", "UnitsUnpacked"), 3)
VERSIONS.update({"PackageOpened": 3, "PackageShipped": 3})

# (type, from_version) → function producing the next version's payload.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {
    ("UnitsReceived", 1): _v1_to_v2,
    ("UnitsMoved", 1): _v1_to_v2,
    ("UnitsPicked", 1): _v1_to_v2,
    ("UnitsShipped", 1): _v1_to_v2,
    ("CellCounted", 1): lambda payload: payload,
}
UPCASTERS.update({(name, 2): _v2_to_v3 for name in (*SERIAL_TYPES, "UnitsPacked", "UnitsUnpacked")})


def version_of(event_type: str) -> int:
    """The schema version this release writes an event type at: ``version_of("UnitsMoved") == 3``."""
    return VERSIONS.get(event_type, CURRENT_VERSION)


def read_event(event_type: str, version: int, payload: dict[str, Any]) -> Fact:
    """The current model of an event of any known version, or ``UnknownSchema`` / ``InvalidEvent``."""
    model = MODELS.get(event_type)
    if model is None:
        raise UnknownSchema(f"unknown event type {event_type!r}")
    current = version_of(event_type)
    if version > current:
        raise UnknownSchema(f"{event_type} version {version} is newer than this release reads ({current})")
    while version < current:
        upcast = UPCASTERS.get((event_type, version))
        if upcast is None:
            raise UnknownSchema(f"no upcaster for {event_type} version {version}")
        payload = upcast(payload)
        version += 1
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise InvalidEvent(f"{event_type} v{version}: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}") from exc


def stock_changes(fact: Fact) -> list[tuple[str, int, int]]:
    """Stock deltas as (sku, cell id, delta): ``stock_changes(UnitsMoved(sku="A", ...))``; counts change nothing."""
    match fact:
        case UnitsReceived():
            return [(fact.sku, fact.cell_id, fact.qty)]
        case UnitsMoved() | UnitsPicked():
            return [(fact.sku, fact.from_cell_id, -fact.qty), (fact.sku, fact.to_cell_id, fact.qty)]
        case UnitsShipped():
            return [(fact.sku, fact.cell_id, -fact.qty)]
        case CellCounted() | PickTaskReceived() | PickTaskCompleted():
            return []
        case WorkStarted() | WorkPaused() | WorkResumed() | WorkFinished() | WorkClosedByRule():
            return []  # work time moves no stock
        case StockAdjusted():
            return [(fact.sku, fact.cell_id, fact.delta)]
        case DefectiveReceived() | ReceiptClosed() | AdjustmentRefused():
            return []  # defective units never enter stock; closing and refusals only record
        case ComponentsConsumed():
            return [(line.sku, line.cell_id, -line.qty) for line in fact.lines]
        case UnitsProduced():
            return [(fact.sku, fact.cell_id, fact.qty)]
        case UnitsPacked() | PackageNested() | PackageClosed() | PackageMoved() | UnitsUnpacked() | PackageOpened():
            return []  # packed units stay in their cell's stock; a package's move comes as UnitsMoved
        case PackageShipped():
            return []  # its stock left as the UnitsShipped written just before it
    raise TypeError(f"unknown fact {fact!r}")
