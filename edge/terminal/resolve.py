"""From a scanned code to the thing on the site it names: an item of the catalogue or a cell of this site."""

from __future__ import annotations

import json

from sqlite_utils import Database

from devices.barcodes import (
    BadgeCode,
    BarcodeError,
    CellCode,
    DocumentCode,
    ItemCode,
    PackageCode,
    TaskCode,
    interpret,
)
from edge.terminal.session import (
    ExpectedLine,
    ExpectedReceipt,
    Input,
    PickLine,
    PickTask,
    ScannedCell,
    ScannedItem,
    ScannedPackage,
    ScannedReceipt,
    ScannedTask,
    ScannedText,
)
from edge.warehouse.domain import Cell, Item, Refused
from edge.warehouse.service import package_contents, package_of, package_tree, receipt_totals, task_in_cell

# Codes that are no barcode we know: they may be a serial number the session is waiting for (WH-1).
FREE_TEXT = ("unknown_format", "no_gtin")


def resolve(db: Database, code: str) -> Input:
    """``resolve(db, "4601234567894")`` → ``ScannedItem``; an unknown or invalid code raises ``Refused``."""
    try:
        parsed = interpret(code)
    except BarcodeError as error:
        if error.reason in FREE_TEXT and code.strip():
            return ScannedText(code.strip(), error.message)
        raise Refused(error.reason, error.message) from error
    match parsed:
        case ItemCode():
            item = _item(db, parsed.gtin)
            # A unit label may carry a serial (21) for an item the site does not track by serial: not used then.
            serial = parsed.serial if item.serialized else None
            return ScannedItem(item, qty=parsed.count or 1, serial=serial)
        case CellCode():
            row = db.execute("SELECT id, address, kind FROM cells WHERE id = ?", [parsed.cell_id]).fetchone()
            if row is None:
                raise Refused("unknown_cell", f"Ячейка {parsed.cell_id} не принадлежит этой площадке")
            return ScannedCell(Cell(id=row[0], address=row[1], kind=row[2]))
        case BadgeCode():
            raise Refused("badge_while_signed_in", "Вы уже вошли. Чтобы сменить оператора, нажмите «Выйти»")
        case TaskCode():
            return _task(db, code.strip())
        case DocumentCode():
            return _receipt(db, code.strip())
        case PackageCode():
            return _package(db, parsed.sscc)
    raise Refused("unknown_code", f"Неизвестный штрихкод {code}")


def _item(db: Database, gtin: str) -> Item:
    # Catalogue barcodes are EAN-13; a GTIN-14 of the same unit carries a leading indicator digit 0.
    ean13 = gtin[-13:] if len(gtin) == 14 and gtin.startswith("0") else gtin
    row = db.execute("SELECT sku, name, serialized FROM items WHERE ean13 = ?", [ean13]).fetchone()
    if row is None:
        raise Refused("unknown_item", f"Товар со штрихкодом {gtin} не найден в справочнике")
    return Item(sku=row[0], name=row[1], serialized=bool(row[2]))


def _task(db: Database, code: str) -> ScannedTask:
    """A pick task the site received from central, with what was already picked for it (resuming)."""
    row = db.execute("SELECT kind, payload, status FROM tasks WHERE id = ?", [code]).fetchone()
    if row is None:
        raise Refused("unknown_task", f"Задание {code} ещё не получено площадкой: проверьте связь с центром")
    if row[0] != "pick":
        raise Refused("not_a_pick_task", f"Задание {code} — не задание на отбор")
    data = json.loads(row[1])
    skus = json.dumps([line["sku"] for line in data["lines"]])
    serialized = {
        str(r[0])
        for r in db.execute(
            "SELECT sku FROM items WHERE serialized AND sku IN (SELECT value FROM json_each(?))", [skus]
        )
    }
    task = PickTask(
        id=code,
        order=data["order"],
        customer=data["customer"],
        assembly_cell_id=data["assembly_cell_id"],
        assembly_cell=data["assembly_cell"],
        lines=tuple(
            PickLine(line["sku"], line["name"], line["qty"], line["cell_id"], line["cell"], line["sku"] in serialized)
            for line in data["lines"]
        ),
    )
    picked: dict[tuple[str, int], int] = {}
    for (payload,) in db.execute(
        "SELECT payload FROM outbox WHERE type = 'UnitsPicked' AND json_extract(payload, '$.task') = ?", [code]
    ):
        event = json.loads(payload)
        key = (event["sku"], event["from_cell_id"])
        picked[key] = picked.get(key, 0) + event["qty"]
    per_line = []
    for line in task.lines:
        got = min(line.qty, picked.get((line.sku, line.cell_id), 0))
        picked[(line.sku, line.cell_id)] = picked.get((line.sku, line.cell_id), 0) - got
        per_line.append(got)
    if row[2] == "done":
        # Done at the site: pick mode refuses it, ship mode ships what is in the assembly cell for it.
        in_cell = task_in_cell(db, code, task.assembly_cell_id)
        serials = _task_serials(db, code, task.assembly_cell_id)
        return ScannedTask(task, tuple(per_line), done=True, in_cell=tuple(sorted(in_cell.items())), serials=serials)
    return ScannedTask(task, tuple(per_line))


def _receipt(db: Database, code: str) -> ScannedReceipt:
    """An expected receipt central sent (a document code 24…), with what handhelds already recorded against it."""
    row = db.execute("SELECT kind, payload, status FROM tasks WHERE id = ?", [code]).fetchone()
    if row is None:
        raise Refused("unknown_document", f"Документ {code} ещё не получен площадкой: проверьте связь с центром")
    if row[0] != "receipt":
        raise Refused("not_a_receipt", f"Документ {code} — не ожидаемая поставка")
    if row[2] == "done":
        raise Refused("receipt_closed", f"Приёмка по документу {code} уже завершена")
    data = json.loads(row[1])
    receipt = ExpectedReceipt(
        id=code,
        supply_order=data["supply_order"],
        supplier=data["supplier"],
        lines=tuple(ExpectedLine(line["sku"], line["name"], line["expected"]) for line in data["lines"]),
    )
    tally = tuple((sku, received, defective) for sku, (received, defective) in sorted(receipt_totals(db, code).items()))
    return ScannedReceipt(receipt, tally)


def _package(db: Database, sscc: str) -> ScannedPackage:
    """An SSCC: the package the site holds under it with its cell and content, or a new one (status None)."""
    package = package_of(db, sscc)
    if package is None:
        return ScannedPackage(sscc)
    row = db.execute("SELECT id, address, kind FROM cells WHERE id = ?", [package.cell_id]).fetchone()
    cell = Cell(id=row[0], address=row[1], kind=row[2])
    contents = package_contents(db, sscc)
    serials = db.execute(
        "SELECT sku, serial FROM serials WHERE status = 'in_stock' AND package IN (SELECT value FROM json_each(?))"
        " ORDER BY sku, serial",
        [json.dumps(package_tree(db, sscc))],
    ).fetchall()
    return ScannedPackage(
        sscc,
        package.status,
        cell,
        package.parent,
        sum(contents.values()),
        len(package.children),
        tuple(sorted(contents.items())),
        tuple((str(sku), str(serial)) for sku, serial in serials),
    )


def _task_serials(db: Database, task: str, cell_id: int) -> tuple[tuple[str, str], ...]:
    """(sku, serial) picked for a task that are still in stock in its assembly cell: what ship mode sends."""
    rows = db.execute(
        "SELECT DISTINCT s.sku, s.serial FROM outbox o, json_each(o.payload, '$.serials') j"
        " JOIN serials s ON s.sku = json_extract(o.payload, '$.sku') AND s.serial = j.value"
        " WHERE o.type = 'UnitsPicked' AND json_extract(o.payload, '$.task') = ?"
        " AND s.status = 'in_stock' AND s.cell_id = ? ORDER BY s.sku, s.serial",
        [task, cell_id],
    ).fetchall()
    return tuple((str(sku), str(serial)) for sku, serial in rows)
