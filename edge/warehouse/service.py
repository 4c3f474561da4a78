"""The warehouse service layer: each command runs in one SQLite transaction together with its outbox row."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, overload

from sqlite_utils import Database

from devices.labels.sscc import sscc as make_sscc
from edge.outbox import append_event
from edge.store import write_transaction
from edge.warehouse.domain import (
    AdjustStock,
    Cell,
    CellCounted,
    CloseReceipt,
    Command,
    ConsumeComponents,
    Event,
    Item,
    PickTaskCompleted,
    ProduceUnits,
    ReceiptClosed,
    ReceiveUnits,
    RecordDefective,
    Refused,
    SerialUnit,
    StockAdjusted,
    UnitsMoved,
    UnitsPicked,
    UnitsReceived,
    UnitsShipped,
    decide,
    stock_changes,
)
from edge.warehouse.packing import (
    ClosePackage,
    MovePackage,
    NestPackage,
    Package,
    PackageClosed,
    PackageCommand,
    PackageEvent,
    PackageMoved,
    PackageNested,
    PackageOpened,
    PackageShipped,
    PackUnits,
    ShipPackage,
    UnitsPacked,
    UnitsUnpacked,
    decide_package,
    release,
)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock in UTC; events are ordered by their sequence, never by this."""
    return datetime.now(UTC)


class SqliteSite:
    """The rules' view of the site, read inside the command's transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def cell(self, cell_id: int) -> Cell | None:
        row = self.db.execute("SELECT id, address, kind FROM cells WHERE id = ?", [cell_id]).fetchone()
        return None if row is None else Cell(id=row[0], address=row[1], kind=row[2])

    def item(self, sku: str) -> Item | None:
        row = self.db.execute("SELECT sku, name, serialized FROM items WHERE sku = ?", [sku]).fetchone()
        return None if row is None else Item(sku=row[0], name=row[1], serialized=bool(row[2]))

    def serial(self, sku: str, serial: str) -> SerialUnit | None:
        return serial_of(self.db, sku, serial)

    def serials_in(self, sku: str, cell_id: int) -> tuple[str, ...]:
        rows = self.db.execute(
            "SELECT serial FROM serials WHERE sku = ? AND cell_id = ? AND status = 'in_stock' ORDER BY serial",
            [sku, cell_id],
        ).fetchall()
        return tuple(str(r[0]) for r in rows)

    def qty(self, sku: str, cell_id: int) -> int:
        row = self.db.execute("SELECT qty FROM stock WHERE sku = ? AND cell_id = ?", [sku, cell_id]).fetchone()
        return 0 if row is None else int(row[0])

    def package(self, sscc: str) -> Package | None:
        return package_of(self.db, sscc)

    def unpacked(self, sku: str, cell_id: int) -> int:
        return self.qty(sku, cell_id) - packed_qty(self.db, sku, cell_id)

    def contents(self, sscc: str) -> dict[str, int]:
        return package_contents(self.db, sscc)


PACKAGE_COMMANDS = (PackUnits, NestPackage, ClosePackage, MovePackage, ShipPackage)
SERIAL_FIELDS = ("serials", "missing", "extra")


def event_payload(event: object, **extra: object) -> dict[str, object]:
    """An event as its outbox payload; serial lists are left out when empty (an unserialized item's event)."""
    payload: dict[str, object] = {**dataclasses.asdict(event), **extra}  # type: ignore[call-overload]
    for name in SERIAL_FIELDS:
        if name in payload and not payload[name]:
            del payload[name]
    return payload


@overload
def handle(db: Database, command: Command, actor: str, clock: Clock = ...) -> tuple[int, Event]: ...


@overload
def handle(db: Database, command: PackageCommand, actor: str, clock: Clock = ...) -> tuple[int, PackageEvent]: ...


@overload
def handle(
    db: Database, command: Command | PackageCommand, actor: str, clock: Clock = ...
) -> tuple[int, Event | PackageEvent]: ...


def handle(
    db: Database, command: Command | PackageCommand, actor: str, clock: Clock = utc_now
) -> tuple[int, Event | PackageEvent]:
    """Decide, apply and record a command atomically: ``seq, event = handle(db, MoveUnits(...), "badge:22…")``.

    Raises ``Refused`` (nothing written) when the rules say no.
    """
    if isinstance(command, PACKAGE_COMMANDS):
        return _handle_package(db, command, actor, clock)
    with write_transaction(db):
        command = _with_site_facts(db, command)
        event = decide(command, SqliteSite(db))
        apply_stock(db, event)
        reason = RELEASING.get(type(event).__name__)
        prefer = _serial_packages(db, event)
        releases = release_packed(db, stock_changes(event), reason, prefer) if reason else []
        check_packed(db, stock_changes(event))
        if isinstance(event, PickTaskCompleted):
            db.execute("UPDATE tasks SET status = 'done' WHERE id = ?", [event.task])
        if isinstance(event, ReceiptClosed):
            db.execute("UPDATE tasks SET status = 'done' WHERE id = ?", [event.receipt])
        seq = append_event(db, type(event).__name__, event_payload(event), actor=actor, occurred_at=clock())
        apply_serials(db, event, seq)
        for unpacked in releases:
            append_event(db, "UnitsUnpacked", event_payload(unpacked), actor=actor, occurred_at=clock())
        if isinstance(event, CellCounted) and event.count_task:
            _close_count_task(db, event.count_task)
    return seq, event


def apply_stock(db: Database, event: Event) -> None:
    """Write an event's stock changes; rows that reach zero are removed so stock lists only what is there."""
    for sku, cell_id, delta in stock_changes(event):
        # UPDATE first: an upsert would check qty >= 0 against the bare delta of the would-be new row.
        updated = db.execute(
            "UPDATE stock SET qty = qty + ? WHERE sku = ? AND cell_id = ?", [delta, sku, cell_id]
        ).rowcount
        if not updated:
            db.execute("INSERT INTO stock (sku, cell_id, qty) VALUES (?, ?, ?)", [sku, cell_id, delta])
        else:
            db.execute("DELETE FROM stock WHERE sku = ? AND cell_id = ? AND qty = 0", [sku, cell_id])


def _handle_package(db: Database, command: PackageCommand, actor: str, clock: Clock) -> tuple[int, PackageEvent]:
    """A package command: its event, the package tables and, for a move, one stock move per sku (WH-2)."""
    if isinstance(command, ShipPackage) and not command.goods:
        command = dataclasses.replace(command, goods=tuple(task_in_cell(db, command.shipment, command.cell_id).items()))
    with write_transaction(db):
        event = decide_package(command, SqliteSite(db))
        now = clock().isoformat()
        packed: UnitsPacked | None = None
        match event:
            case UnitsPacked(package=sscc, cell_id=cell_id, sku=sku, qty=qty):
                db.execute(
                    "INSERT OR IGNORE INTO packages (sscc, cell_id, opened_at) VALUES (?, ?, ?)", [sscc, cell_id, now]
                )
                db.execute(
                    "INSERT INTO package_units (sscc, sku, qty) VALUES (?, ?, ?)"
                    " ON CONFLICT (sscc, sku) DO UPDATE SET qty = qty + excluded.qty",
                    [sscc, sku, qty],
                )
                packed = event
            case PackageNested(package=sscc, child=child, cell_id=cell_id):
                db.execute(
                    "INSERT OR IGNORE INTO packages (sscc, cell_id, opened_at) VALUES (?, ?, ?)", [sscc, cell_id, now]
                )
                db.execute("UPDATE packages SET parent = ? WHERE sscc = ?", [sscc, child])
            case PackageClosed(package=sscc):
                db.execute("UPDATE packages SET status = 'closed', closed_at = ? WHERE sscc = ?", [now, sscc])
            case PackageMoved(package=sscc, from_cell_id=src, to_cell_id=dst, contents=contents):
                tree = package_tree(db, sscc)
                marks = ", ".join("?" for _ in tree)
                db.execute(f"UPDATE packages SET cell_id = ? WHERE sscc IN ({marks})", [dst, *tree])  # noqa: S608
                for line in contents:
                    sku = str(line["sku"])
                    move = UnitsMoved(sku, src, dst, int(str(line["qty"])), serials_in_packages(db, sku, tree))
                    apply_stock(db, move)
                    move_seq = append_event(db, "UnitsMoved", event_payload(move, package=sscc), actor, clock())
                    apply_serials(db, move, move_seq)
                check_packed(db, [(str(line["sku"]), src, -1) for line in contents])
            case PackageShipped(package=sscc, cell_id=cell_id, shipment=shipment, contents=contents):
                tree = package_tree(db, sscc)
                event = dataclasses.replace(event, packages=tree)
                marks = ", ".join("?" for _ in tree)
                db.execute(
                    f"UPDATE packages SET shipped_at = ?, shipment = ? WHERE sscc IN ({marks})",  # noqa: S608
                    [now, shipment, *tree],
                )
                for line in contents:
                    sku = str(line["sku"])
                    serials = serials_in_packages(db, sku, tree)
                    shipped = UnitsShipped(sku, cell_id, int(str(line["qty"])), shipment, serials)
                    apply_stock(db, shipped)
                    ship_seq = append_event(db, "UnitsShipped", event_payload(shipped, package=sscc), actor, clock())
                    apply_serials(db, shipped, ship_seq)
                check_packed(db, [(str(line["sku"]), cell_id, -1) for line in contents])
        seq = append_event(db, type(event).__name__, event_payload(event), actor=actor, occurred_at=clock())
        if packed is not None and packed.serials:
            _upsert_serials(db, packed.sku, packed.serials, seq, cell_id=packed.cell_id, package=packed.package)
    return seq, event


# Units leaving a cell this way take packed units with them (the boxes went out); loose moves and picks are refused.
RELEASING = {"UnitsShipped": "shipped", "ComponentsConsumed": "consumed", "StockAdjusted": "adjusted"}


def release_packed(
    db: Database, changes: list[tuple[str, int, int]], reason: str, prefer: tuple[str, ...] = ()
) -> list[UnitsUnpacked]:
    """Take out of a cell's packages what its stock no longer holds; returns the events to record.

    ``prefer``: packages to empty first — those that held the serials that left.
    """
    events: list[UnitsUnpacked] = []
    for sku, cell_id, delta in changes:
        if delta >= 0:
            continue
        row = db.execute("SELECT qty FROM stock WHERE sku = ? AND cell_id = ?", [sku, cell_id]).fetchone()
        excess = packed_qty(db, sku, cell_id) - (0 if row is None else int(row[0]))
        if excess <= 0:
            continue
        holders = db.execute(
            "SELECT u.sscc, u.qty FROM package_units u JOIN packages p ON p.sscc = u.sscc"
            " WHERE p.cell_id = ? AND u.sku = ? AND p.shipped_at IS NULL"
            " ORDER BY u.sscc NOT IN (SELECT value FROM json_each(?)), p.status = 'closed', p.sscc",
            [cell_id, sku, json.dumps(list(prefer))],
        ).fetchall()
        for unpacked in release(sku, cell_id, excess, [(str(s), int(q)) for s, q in holders], reason):
            db.execute(
                "UPDATE package_units SET qty = qty - ? WHERE sscc = ? AND sku = ?",
                [unpacked.qty, unpacked.package, sku],
            )
            db.execute("DELETE FROM package_units WHERE sscc = ? AND sku = ? AND qty = 0", [unpacked.package, sku])
            events.append(unpacked)
    return events


def check_packed(db: Database, changes: list[tuple[str, int, int]]) -> None:
    """Refuse a change that leaves a cell with fewer units of a sku than its packages hold (WH-2)."""
    for sku, cell_id, delta in changes:
        if delta >= 0:
            continue
        packed = packed_qty(db, sku, cell_id)
        if not packed:
            continue
        row = db.execute("SELECT qty FROM stock WHERE sku = ? AND cell_id = ?", [sku, cell_id]).fetchone()
        have = 0 if row is None else int(row[0])
        if packed > have:
            cell = db.execute("SELECT address FROM cells WHERE id = ?", [cell_id]).fetchone()
            address = cell[0] if cell else str(cell_id)
            raise Refused(
                "packed_units",
                f"В ячейке {address} {packed} шт. {sku} лежат в упаковках: их перемещают только упаковкой целиком",
            )


def packed_qty(db: Database, sku: str, cell_id: int) -> int:
    """Units of a sku inside the packages sitting in a cell (children included: they sit in the same cell)."""
    row = db.execute(
        "SELECT COALESCE(SUM(u.qty), 0) FROM package_units u JOIN packages p ON p.sscc = u.sscc"
        " WHERE p.cell_id = ? AND u.sku = ? AND p.shipped_at IS NULL",
        [cell_id, sku],
    ).fetchone()
    return int(row[0])


def package_of(db: Database, sscc: str) -> Package | None:
    """A package with its own units and children: ``package_of(db, "046012340000000017")``."""
    row = db.execute(
        "SELECT sscc, cell_id, CASE WHEN shipped_at IS NULL THEN status ELSE 'shipped' END, parent"
        " FROM packages WHERE sscc = ?",
        [sscc],
    ).fetchone()
    if row is None:
        return None
    units = db.execute("SELECT sku, qty FROM package_units WHERE sscc = ? ORDER BY sku", [sscc]).fetchall()
    children = db.execute("SELECT sscc FROM packages WHERE parent = ? ORDER BY sscc", [sscc]).fetchall()
    return Package(
        sscc=row[0],
        cell_id=int(row[1]),
        status=row[2],
        parent=row[3],
        units=tuple((str(sku), int(qty)) for sku, qty in units),
        children=tuple(str(child) for (child,) in children),
    )


def package_tree(db: Database, sscc: str) -> list[str]:
    """The package and every package inside it, at any depth."""
    rows = db.execute(
        "WITH RECURSIVE tree(sscc) AS (SELECT ? UNION SELECT p.sscc FROM packages p JOIN tree t ON p.parent = t.sscc)"
        " SELECT sscc FROM tree",
        [sscc],
    ).fetchall()
    return [str(r[0]) for r in rows]


def package_contents(db: Database, sscc: str) -> dict[str, int]:
    """Every unit inside a package, its children's included: ``{sku: qty}``."""
    tree = package_tree(db, sscc)
    marks = ", ".join("?" for _ in tree)
    rows = db.execute(
        f"SELECT sku, SUM(qty) FROM package_units WHERE sscc IN ({marks}) GROUP BY sku ORDER BY sku",  # noqa: S608
        tree,
    ).fetchall()
    return {str(sku): int(qty) for sku, qty in rows}


def package_view(db: Database, sscc: str) -> dict[str, object] | None:
    """What a package holds, as the edge and central both show it: units, children (recursively) and totals."""
    package = package_of(db, sscc)
    if package is None:
        return None
    cell = db.execute("SELECT address FROM cells WHERE id = ?", [package.cell_id]).fetchone()
    children = [package_view(db, child) for child in package.children]
    return {
        "sscc": package.sscc,
        "kind": "pallet" if package.children else "box",
        "status": package.status,
        "cell_id": package.cell_id,
        "cell": cell[0] if cell else None,
        "parent": package.parent,
        "units": [{"sku": sku, "qty": qty} for sku, qty in package.units],
        "children": children,
        "contents": [{"sku": sku, "qty": qty} for sku, qty in sorted(package_contents(db, sscc).items())],
    }


def serial_of(db: Database, sku: str, serial: str) -> SerialUnit | None:
    """Where the site last saw a serialized unit: ``serial_of(db, "K-40", "SN1")``."""
    row = db.execute(
        "SELECT serial, cell_id, package, status FROM serials WHERE sku = ? AND serial = ?", [sku, serial]
    ).fetchone()
    return None if row is None else SerialUnit(str(row[0]), row[1], row[2], str(row[3]))


def serials_in_packages(db: Database, sku: str, ssccs: list[str]) -> tuple[str, ...]:
    """The in-stock serials of a sku packed in any of ``ssccs``, sorted."""
    rows = db.execute(
        "SELECT serial FROM serials WHERE sku = ? AND status = 'in_stock'"
        " AND package IN (SELECT value FROM json_each(?)) ORDER BY serial",
        [sku, json.dumps(ssccs)],
    ).fetchall()
    return tuple(str(r[0]) for r in rows)


def _serial_packages(db: Database, event: Event) -> tuple[str, ...]:
    """The packages that hold the serials an event takes out of their cell (emptied first by the release)."""
    serials = getattr(event, "serials", ())
    if not serials:
        return ()
    rows = db.execute(
        "SELECT DISTINCT package FROM serials WHERE sku = ? AND package IS NOT NULL"
        " AND serial IN (SELECT value FROM json_each(?))",
        [getattr(event, "sku"), json.dumps(list(serials))],  # noqa: B009 - every event with serials has a sku
    ).fetchall()
    return tuple(str(r[0]) for r in rows)


def apply_serials(db: Database, event: Event, seq: int) -> None:
    """Write where an event's serials now are, in the transaction of its stock change and outbox row (WH-1)."""
    match event:
        case UnitsReceived(sku=sku, cell_id=cell_id, serials=serials) if serials:
            _upsert_serials(db, sku, serials, seq, cell_id=cell_id, package=None)
        case (
            UnitsMoved(sku=sku, to_cell_id=cell_id, serials=serials)
            | UnitsPicked(sku=sku, to_cell_id=cell_id, serials=serials)
        ) if serials:
            _upsert_serials(db, sku, serials, seq, cell_id=cell_id)
        case UnitsShipped(sku=sku, cell_id=cell_id, serials=serials) if serials:
            _upsert_serials(db, sku, serials, seq, cell_id=cell_id, status="shipped")
        case StockAdjusted(sku=sku, cell_id=cell_id, delta=delta, serials=serials) if serials:
            status = "in_stock" if delta > 0 else "written_off"
            _upsert_serials(db, sku, serials, seq, cell_id=cell_id, package=None, status=status)


_KEEP = object()


def _upsert_serials(
    db: Database,
    sku: str,
    serials: tuple[str, ...],
    seq: int,
    *,
    cell_id: int | None,
    package: object = _KEEP,
    status: str = "in_stock",
) -> None:
    """Set the serials' cell, status and (unless kept) package; a serial seen for the first time gets its row."""
    keep = package is _KEEP
    for serial in serials:
        db.execute(
            "INSERT INTO serials (sku, serial, cell_id, package, status, seq) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (sku, serial) DO UPDATE SET cell_id = excluded.cell_id, status = excluded.status,"
            " seq = excluded.seq, package = CASE WHEN ? THEN serials.package ELSE excluded.package END",
            [sku, serial, cell_id, None if keep else package, status, seq, keep],
        )


def serial_rows(db: Database, sku: str | None = None) -> list[dict[str, object]]:
    """The site's serialized units as ``[{"sku", "serial", "cell", "cell_id", "package", "status", "seq"}]``."""
    rows = db.execute(
        "SELECT s.sku, s.serial, c.address, s.cell_id, s.package, s.status, s.seq FROM serials s"
        " LEFT JOIN cells c ON c.id = s.cell_id WHERE ? IS NULL OR s.sku = ? ORDER BY s.sku, s.serial",
        [sku, sku],
    ).fetchall()
    keys = ("sku", "serial", "cell", "cell_id", "package", "status", "seq")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def restore_serials(db: Database, picture: dict[str, Any]) -> None:
    """A rebuilt edge takes from central's snapshot the serials it last saw and which packages left whole."""
    for package in picture.get("packages", []):
        if package.get("shipment"):
            db.execute(
                "UPDATE packages SET shipped_at = opened_at, shipment = ? WHERE sscc = ?",
                [package["shipment"], package["sscc"]],
            )
    for row in picture.get("serials", []):
        db.execute(
            "INSERT OR REPLACE INTO serials (sku, serial, cell_id, package, status, seq) VALUES (?, ?, ?, ?, ?, ?)",
            [row["sku"], row["serial"], row["cell_id"], row["package"], row["status"], int(row.get("seq") or 0)],
        )


def issue_sscc(db: Database, company_prefix: str, extension: int = 0) -> str:
    """The next SSCC of this site, inside the caller's transaction: never issued twice, even after a crash.

    The counter is a row of the site's database, so a number issued in a committed transaction is never issued
    again and one of a rolled-back transaction was never issued. A counter that starts afresh (a rebuilt edge)
    starts after the highest serial reference of the packages the site holds under the same stem.
    """
    stem = f"{extension}{company_prefix}"
    width = 16 - len(company_prefix)
    if db.execute("SELECT 1 FROM sscc_counter WHERE stem = ?", [stem]).fetchone() is None:
        row = db.execute(
            "SELECT COALESCE(MAX(CAST(substr(sscc, ?, ?) AS INTEGER)), 0) FROM packages WHERE substr(sscc, 1, ?) = ?",
            [len(stem) + 1, width, len(stem), stem],
        ).fetchone()
        db.execute("INSERT INTO sscc_counter (stem, last) VALUES (?, ?)", [stem, int(row[0])])
    while True:
        last = int(
            db.execute("UPDATE sscc_counter SET last = last + 1 WHERE stem = ? RETURNING last", [stem]).fetchone()[0]
        )
        code = make_sscc(company_prefix, last, extension)
        if package_of(db, code) is None:
            return code


def open_new_package(
    db: Database, cell_id: int, company_prefix: str, extension: int, actor: str, clock: Clock = utc_now
) -> str:
    """«Новая коробка»: issue the next SSCC and open the package at a cell in one transaction; returns the SSCC."""
    with write_transaction(db):
        cell = db.execute("SELECT kind FROM cells WHERE id = ?", [cell_id]).fetchone()
        if cell is None:
            raise Refused("unknown_cell", f"Ячейка {cell_id} не найдена на этой площадке")
        code = issue_sscc(db, company_prefix, extension)
        db.execute(
            "INSERT INTO packages (sscc, cell_id, opened_at) VALUES (?, ?, ?)", [code, cell_id, clock().isoformat()]
        )
        append_event(db, "PackageOpened", event_payload(PackageOpened(code, cell_id)), actor, clock())
    return code


def package_weight_g(db: Database, sscc: str, box_tare_g: int, pallet_tare_g: int) -> int | None:
    """Gross weight of a package: its units' ``weight_g`` plus the tare of every box and the pallet (DEV-2).

    None when an item inside has no weight in the catalogue (the label then needs the weight typed in).
    """
    tree = package_tree(db, sscc)
    net = 0
    for sku, qty in package_contents(db, sscc).items():
        row = db.execute("SELECT weight_g FROM items WHERE sku = ?", [sku]).fetchone()
        if row is None or row[0] is None:
            return None
        net += int(row[0]) * qty
    boxes = sum(1 for code in tree if not db.execute("SELECT 1 FROM packages WHERE parent = ?", [code]).fetchone())
    pallets = len(tree) - boxes
    return net + boxes * box_tare_g + pallets * pallet_tare_g


def stock_rows(db: Database) -> list[dict[str, object]]:
    """The site's stock as ``[{"sku", "cell", "qty"}]`` sorted by sku then cell address."""
    rows = db.execute(
        "SELECT s.sku, c.address, s.qty FROM stock s JOIN cells c ON c.id = s.cell_id ORDER BY s.sku, c.address"
    ).fetchall()
    return [{"sku": sku, "cell": address, "qty": qty} for sku, address, qty in rows]


def _with_site_facts(db: Database, command: Command) -> Command:
    """What a command needs from the site's records, read inside its transaction.

    A receipt another handheld has closed takes no more units; closing one totals what every handheld
    recorded against it; an adjustment learns whether its cell and item were counted again since.
    """
    match command:
        case ReceiveUnits(receipt=str(receipt)) | RecordDefective(receipt=str(receipt)):
            if task_status(db, receipt) == "done":
                raise Refused("receipt_closed", f"Приёмка {receipt} уже завершена")
        case CloseReceipt(receipt=receipt, expected=expected):
            if task_status(db, receipt) == "done":
                raise Refused("receipt_closed", f"Приёмка {receipt} уже завершена")
            totals = receipt_totals(db, receipt)
            skus = [sku for sku, _ in expected] + sorted(set(totals) - {sku for sku, _ in expected})
            ordered = dict(expected)
            lines = tuple((sku, ordered.get(sku, 0), *totals.get(sku, (0, 0))) for sku in skus)
            return dataclasses.replace(command, lines=lines)
        case AdjustStock(adjustment=adjustment, sku=sku, cell_id=cell_id):
            count_seq = _count_seq(db, adjustment, sku, cell_id)
            later = db.execute(
                "SELECT 1 FROM outbox WHERE type = 'CellCounted' AND seq > ?"
                " AND json_extract(payload, '$.sku') = ? AND json_extract(payload, '$.cell_id') = ?",
                [count_seq, sku, cell_id],
            ).fetchone()
            counted = db.execute(
                "SELECT payload FROM outbox WHERE seq = ? AND type = 'CellCounted'", [count_seq]
            ).fetchone()
            fact = json.loads(counted[0]) if counted else {}
            serials = tuple(fact.get("missing", [])) + tuple(fact.get("extra", []))
            return dataclasses.replace(command, recounted=later is not None, serials=serials)
        case ConsumeComponents(need=need):
            return dataclasses.replace(command, holdings=component_holdings(db, [sku for sku, _ in need]))
    return command


def task_status(db: Database, task_id: str) -> str | None:
    """The status of a task central sent (new, done, …), None when the site does not have it."""
    row = db.execute("SELECT status FROM tasks WHERE id = ?", [task_id]).fetchone()
    return None if row is None else str(row[0])


def receipt_totals(db: Database, receipt: str) -> dict[str, tuple[int, int]]:
    """Units received into cells and recorded defective against a receipt, per sku: ``{sku: (received, defective)}``."""
    totals: dict[str, tuple[int, int]] = {}
    for event_type, payload in db.execute(
        "SELECT type, payload FROM outbox WHERE type IN ('UnitsReceived', 'DefectiveReceived')"
        " AND json_extract(payload, '$.receipt') = ?",
        [receipt],
    ):
        fact = json.loads(payload)
        received, defective = totals.get(fact["sku"], (0, 0))
        if event_type == "UnitsReceived":
            received += fact["qty"]
        else:
            defective += fact["qty"]
        totals[fact["sku"]] = (received, defective)
    return totals


def task_in_cell(db: Database, task: str, cell_id: int) -> dict[str, int]:
    """Units picked for a task into a cell and not yet shipped against it, per sku (what ship mode sends)."""
    left: dict[str, int] = {}
    for event_type, payload in db.execute(
        "SELECT type, payload FROM outbox WHERE (type = 'UnitsPicked' AND json_extract(payload, '$.task') = ?)"
        " OR (type = 'UnitsShipped' AND json_extract(payload, '$.shipment') = ?)",
        [task, task],
    ):
        fact = json.loads(payload)
        if event_type == "UnitsPicked" and fact["to_cell_id"] == cell_id:
            left[fact["sku"]] = left.get(fact["sku"], 0) + fact["qty"]
        elif event_type == "UnitsShipped" and fact["cell_id"] == cell_id:
            left[fact["sku"]] = left.get(fact["sku"], 0) - fact["qty"]
    return {sku: qty for sku, qty in left.items() if qty > 0}


def _close_count_task(db: Database, task_id: str) -> None:
    """A count task is done once every cell it lists has been counted for it."""
    row = db.execute("SELECT payload FROM tasks WHERE id = ? AND kind = 'count'", [task_id]).fetchone()
    if row is None:
        return
    wanted = {int(cell["cell_id"]) for cell in json.loads(row[0]).get("cells", [])}
    counted = {
        int(r[0])
        for r in db.execute(
            "SELECT json_extract(payload, '$.cell_id') FROM outbox"
            " WHERE type = 'CellCounted' AND json_extract(payload, '$.count_task') = ?",
            [task_id],
        )
    }
    if wanted <= counted:
        db.execute("UPDATE tasks SET status = 'done' WHERE id = ?", [task_id])


def _count_seq(db: Database, adjustment: str, sku: str, cell_id: int) -> int:
    row = db.execute("SELECT payload FROM tasks WHERE id = ?", [adjustment]).fetchone()
    if row is None:
        return 0
    for line in json.loads(row[0]).get("lines", []):
        if line["sku"] == sku and line["cell_id"] == cell_id:
            return int(line["count_seq"])
    return 0


def apply_adjustments(db: Database, actor: str = "sync", clock: Clock = utc_now) -> list[int]:
    """Apply every approved adjustment task the site has not applied yet; returns the outbox sequences written.

    Each task is one transaction: per line a ``StockAdjusted`` (stock changed by counted − book) or an
    ``AdjustmentRefused`` with the reason, then the task is marked done, so it is applied exactly once.
    """
    seqs: list[int] = []
    pending = db.execute("SELECT id, payload FROM tasks WHERE kind = 'adjustment' AND status = 'new' ORDER BY down_seq")
    for task_id, payload in pending.fetchall():
        with write_transaction(db):
            if task_status(db, task_id) != "new":
                continue  # another connection applied it meanwhile
            for line in json.loads(payload)["lines"]:
                book, counted = int(line["book"]), int(line["counted"])
                command = AdjustStock(task_id, line["sku"], int(line["cell_id"]), book, counted)
                seqs.append(handle(db, command, actor=actor, clock=clock)[0])
            db.execute("UPDATE tasks SET status = 'done' WHERE id = ?", [task_id])
    return seqs


def has_pending_adjustments(db: Database) -> bool:
    """Whether an approved adjustment is waiting to be applied (cheap: checked before every terminal action)."""
    return db.execute("SELECT 1 FROM tasks WHERE kind = 'adjustment' AND status = 'new' LIMIT 1").fetchone() is not None


# Shop consumption (PROD-1). Components are taken from the shop's storage cells first, then its receiving and
# shipping cells, by address; units in an assembly cell are picked for a shipment and are never consumed.
CONSUMPTION_ORDER = "CASE c.kind WHEN 'storage' THEN 0 WHEN 'receiving' THEN 1 WHEN 'shipping' THEN 2 ELSE 3 END"


def component_holdings(db: Database, skus: list[str]) -> tuple[tuple[str, int, int], ...]:
    """(sku, cell id, qty) of the site's stock of ``skus`` outside assembly cells, in the order they are taken."""
    if not skus:
        return ()
    marks = ", ".join("?" for _ in skus)
    rows = db.execute(
        f"SELECT s.sku, s.cell_id, s.qty FROM stock s JOIN cells c ON c.id = s.cell_id"  # noqa: S608 - marks only
        f" WHERE s.sku IN ({marks}) AND c.kind != 'assembly' AND s.qty > 0 ORDER BY {CONSUMPTION_ORDER}, c.address",
        skus,
    ).fetchall()
    return tuple((str(sku), int(cell), int(qty)) for sku, cell, qty in rows)


def kit_of(db: Database, task: str) -> dict[str, Any] | None:
    """The kit card central sent for a production task (``kit:ПР-00101``): BOM, last operation, output cell."""
    row = db.execute("SELECT payload FROM tasks WHERE id = ? AND kind = 'kit'", [f"kit:{task}"]).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def consume_for_finish(
    db: Database, task: str, op_seq: int, session: str, good: int, defective: int, actor: str, clock: Clock = utc_now
) -> list[int]:
    """Record what a finished piece of work consumed and produced, inside the caller's (the finish's) transaction.

    Defective units of any operation consumed their BOM as scrap; good units of the task's last operation
    consumed their BOM into the product and enter the shop's stock in the kit's output cell. Without a kit card
    (central has not sent one) nothing is recorded here. Returns the outbox sequences written.
    """
    kit = kit_of(db, task)
    if kit is None:
        return []
    bom = [(str(line["sku"]), int(line["qty_per_unit"])) for line in kit.get("bom", [])]
    seqs: list[int] = []
    with write_transaction(db):
        if defective and bom:
            need = tuple((sku, per_unit * defective) for sku, per_unit in bom)
            command = ConsumeComponents(task, "scrap", defective, need, session=session)
            seqs.append(handle(db, command, actor, clock)[0])
        if good and op_seq == int(kit["last_op_seq"]):
            if bom:
                need = tuple((sku, per_unit * good) for sku, per_unit in bom)
                command = ConsumeComponents(task, "production", good, need, session=session)
                seqs.append(handle(db, command, actor, clock)[0])
            produce = ProduceUnits(task, str(kit["sku"]), int(kit["output_cell_id"]), good, session)
            seqs.append(handle(db, produce, actor, clock)[0])
    return seqs


def record_overuse(
    db: Database, task: str, sku: str, qty: int, reason: str, actor: str, clock: Clock = utc_now
) -> tuple[int, Event]:
    """The master records components used above the BOM norm for a task (``reason`` says why)."""
    if qty <= 0:
        raise Refused("bad_quantity", f"Количество должно быть больше нуля, получено {qty}")
    if db.execute("SELECT 1 FROM items WHERE sku = ?", [sku]).fetchone() is None:
        raise Refused("unknown_item", f"Товар {sku} не найден в справочнике площадки")
    return handle(db, ConsumeComponents(task, "overuse", 0, ((sku, qty),), reason=reason or None), actor, clock)
