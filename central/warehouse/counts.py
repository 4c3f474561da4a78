"""Counts with approval (WH-5, WH-9): count tasks sent to a site, count sheets (INV-19 style), adjustments.

A site's blind count arrives as ``CellCounted`` (book and counted per cell and item). The warehouse projection
gathers them into the site's open count sheet — one per count task, and one for counts made without a task —
where a later count of the same cell and item replaces the earlier one. The warehouse manager or the
controlling manager approves the sheet: the lines with a difference go down as one ``adjustment`` task (its id
is the sheet number), the site applies each as ``StockAdjusted`` or refuses it with ``AdjustmentRefused``, and
the sheet follows those facts to «применена».
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from central.store import schema as s
from central.sync.downlog import append_down
from sync.events import AdjustmentRefused, CellCounted, StockAdjusted
from sync.messages import Event


class CountRefused(ValueError):
    """A count task or an approval that cannot be done as asked; the message says why (Russian)."""


def _number(conn: Connection, table: Any, column: str, prefix: str, row_id: int) -> str:
    number = f"{prefix}-{row_id:05d}"
    conn.execute(update(table).where(table.c.id == row_id).values({column: number}))
    return number


def send_count_task(
    conn: Connection,
    site: str,
    now: dt.datetime,
    cells: list[str] | None = None,
    sku: str | None = None,
    user_id: int | None = None,
) -> str:
    """Ask a site to count cells (by address) or every cell holding an item; returns the task code ``ПСЧ-…``."""
    site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == site)).scalar()
    if site_id is None:
        raise CountRefused(f"Площадка {site} не найдена")
    item_id = None
    if sku:
        item_id = conn.execute(select(s.items.c.id).where(s.items.c.sku == sku)).scalar()
        if item_id is None:
            raise CountRefused(f"Товар {sku} не найден")
    query = select(s.cells.c.id, s.cells.c.address).where(s.cells.c.site_id == site_id)
    if cells:
        query = query.where(s.cells.c.address.in_(cells))
    elif item_id is not None:
        held = select(s.stock.c.cell_id).where(s.stock.c.site_id == site_id, s.stock.c.item_id == item_id)
        query = query.where(s.cells.c.id.in_(held))
    else:
        raise CountRefused("Укажите ячейки или товар для пересчёта")
    found = [{"cell_id": cell_id, "cell": address} for cell_id, address in conn.execute(query).all()]
    found.sort(key=lambda c: str(c["cell"]))
    missing = sorted(set(cells or []) - {str(c["cell"]) for c in found})
    if missing:
        raise CountRefused(f"На площадке {site} нет ячеек: {', '.join(missing)}")
    if not found:
        raise CountRefused(f"Товара {sku} нет ни в одной ячейке площадки {site}")
    task_id = conn.execute(
        insert(s.count_tasks)
        .values(
            code=uuid.uuid4().hex[:20], site_id=site_id, item_id=item_id, cells=json.dumps(found, ensure_ascii=False),
            status="sent", created_at=now, created_by=user_id,
        )
        .returning(s.count_tasks.c.id)
    ).scalar_one()  # fmt: skip
    code = _number(conn, s.count_tasks, "code", "ПСЧ", task_id)
    name = conn.execute(select(s.items.c.name).where(s.items.c.id == item_id)).scalar() if item_id else None
    payload = {"id": code, "kind": "count", "site": site, "sku": sku, "name": name, "cells": found}
    append_down(conn, site, "task", payload)
    return code


def record_count(conn: Connection, site_id: int, event: Event, fact: CellCounted, items: dict[str, int]) -> str | None:
    """Put a counted cell and item on the site's open sheet (replacing an earlier count of the same pair)."""
    item_id = items.get(fact.sku)
    if item_id is None:
        return f"товар {fact.sku} неизвестен"
    sheets = s.count_sheets.c
    task_match = sheets.count_task == fact.count_task if fact.count_task else sheets.count_task.is_(None)
    sheet_id = conn.execute(
        select(sheets.id).where(sheets.site_id == site_id, sheets.status == "open", task_match).order_by(sheets.id)
    ).scalar()
    if sheet_id is None:
        sheet_id = conn.execute(
            insert(s.count_sheets)
            .values(
                number=uuid.uuid4().hex[:20], site_id=site_id, count_task=fact.count_task, status="open",
                created_at=event.occurred_at,
            )
            .returning(sheets.id)
        ).scalar_one()  # fmt: skip
        _number(conn, s.count_sheets, "number", "ИНВ", sheet_id)
    lines = s.count_lines.c
    figures = {
        "book": fact.book,
        "counted": fact.counted,
        "count_seq": event.seq,
        "counted_at": event.occurred_at,
        "status": "counted",
        "message": None,
    }
    key = (lines.sheet_id == sheet_id) & (lines.cell_id == fact.cell_id) & (lines.item_id == item_id)
    if conn.execute(update(s.count_lines).where(key).values(**figures)).rowcount == 0:
        conn.execute(insert(s.count_lines).values(sheet_id=sheet_id, cell_id=fact.cell_id, item_id=item_id, **figures))
    if fact.count_task:
        _close_count_task(conn, site_id, fact.count_task)
    return None


def _close_count_task(conn: Connection, site_id: int, code: str) -> None:
    row = conn.execute(
        select(s.count_tasks.c.id, s.count_tasks.c.cells).where(
            s.count_tasks.c.code == code, s.count_tasks.c.site_id == site_id
        )
    ).first()
    if row is None:
        return
    wanted = {int(c["cell_id"]) for c in json.loads(row.cells)}
    counted = set(
        conn.execute(
            select(s.count_lines.c.cell_id)
            .join(s.count_sheets, s.count_sheets.c.id == s.count_lines.c.sheet_id)
            .where(s.count_sheets.c.site_id == site_id, s.count_sheets.c.count_task == code)
        ).scalars()
    )
    if wanted <= counted:
        conn.execute(update(s.count_tasks).where(s.count_tasks.c.id == row.id).values(status="done"))


def approve_sheet(conn: Connection, number: str, user_id: int, now: dt.datetime) -> int:
    """Approve an open sheet; its lines with a difference go to the site as an adjustment task.

    Returns how many lines were sent (0: nothing to adjust, the sheet is applied at once).
    """
    sheet = conn.execute(
        select(s.count_sheets, s.sites.c.code.label("site"))
        .join(s.sites, s.sites.c.id == s.count_sheets.c.site_id)
        .where(s.count_sheets.c.number == number)
    ).first()
    if sheet is None:
        raise CountRefused(f"Сличительная ведомость {number} не найдена")
    if sheet.status != "open":
        raise CountRefused(f"Ведомость {number} уже утверждена")
    differing = [line for line in sheet_lines(conn, sheet.id) if line["counted"] != line["book"]]
    status = "approved" if differing else "applied"
    conn.execute(
        update(s.count_sheets)
        .where(s.count_sheets.c.id == sheet.id)
        .values(status=status, approved_at=now, approved_by=user_id)
    )
    if differing:
        lines = [{k: line[k] for k in ("sku", "cell_id", "cell", "book", "counted", "count_seq")} for line in differing]
        append_down(conn, sheet.site, "task", {"id": number, "kind": "adjustment", "site": sheet.site, "lines": lines})
    return len(differing)


def record_adjustment(
    conn: Connection, site_id: int, fact: StockAdjusted | AdjustmentRefused, items: dict[str, int]
) -> str | None:
    """Follow an approved sheet's line to applied or refused; the sheet is applied once no line waits."""
    sheet_id = conn.execute(
        select(s.count_sheets.c.id).where(
            s.count_sheets.c.number == fact.adjustment, s.count_sheets.c.site_id == site_id
        )
    ).scalar()
    item_id = items.get(fact.sku)
    if sheet_id is None or item_id is None:
        return f"корректировка {fact.adjustment} по {fact.sku} неизвестна центру"
    lines = s.count_lines.c
    applied = isinstance(fact, StockAdjusted)
    conn.execute(
        update(s.count_lines)
        .where(lines.sheet_id == sheet_id, lines.cell_id == fact.cell_id, lines.item_id == item_id)
        .values(
            status="applied" if applied else "refused",
            message=None if isinstance(fact, StockAdjusted) else fact.message,
        )
    )
    waiting = conn.execute(
        select(func.count())
        .select_from(s.count_lines)
        .where(lines.sheet_id == sheet_id, lines.status == "counted", lines.book != lines.counted)
    ).scalar_one()
    if not waiting:
        conn.execute(update(s.count_sheets).where(s.count_sheets.c.id == sheet_id).values(status="applied"))
    return None


def sheet_lines(conn: Connection, sheet_id: int) -> list[dict[str, Any]]:
    """A sheet's lines in cell order with surplus and shortage in units and kopecks (at planned cost)."""
    lines = s.count_lines.c
    rows = conn.execute(
        select(
            lines.id,
            s.items.c.sku,
            s.items.c.name,
            s.items.c.planned_cost_kop,
            lines.cell_id,
            s.cells.c.address,
            lines.book,
            lines.counted,
            lines.count_seq,
            lines.counted_at,
            lines.status,
            lines.message,
        )
        .join(s.items, s.items.c.id == lines.item_id)
        .join(s.cells, s.cells.c.id == lines.cell_id)
        .where(lines.sheet_id == sheet_id)
    ).all()
    result = []
    for row in sorted(rows, key=lambda r: (r.address, r.sku)):
        diff = row.counted - row.book
        cost = int(row.planned_cost_kop)
        result.append(
            {
                "sku": row.sku,
                "name": row.name,
                "cell_id": row.cell_id,
                "cell": row.address,
                "book": row.book,
                "counted": row.counted,
                "surplus": max(0, diff),
                "shortage": max(0, -diff),
                "surplus_kop": max(0, diff) * cost,
                "shortage_kop": max(0, -diff) * cost,
                "count_seq": row.count_seq,
                "counted_at": row.counted_at.isoformat(),
                "status": row.status,
                "message": row.message,
            }
        )
    return result


def sheets(conn: Connection, status: str | None = None) -> list[dict[str, Any]]:
    """Count sheets, newest first, with their totals."""
    c = s.count_sheets.c
    query = (
        select(c.id, c.number, c.count_task, c.status, c.created_at, c.approved_at, s.sites.c.code.label("site"))
        .join(s.sites, s.sites.c.id == c.site_id)
        .order_by(c.id.desc())
    )
    if status:
        query = query.where(c.status == status)
    result = []
    for row in conn.execute(query).all():
        lines = sheet_lines(conn, row.id)
        result.append(
            {
                "number": row.number,
                "site": row.site,
                "count_task": row.count_task,
                "status": row.status,
                "created_at": row.created_at.isoformat(),
                "approved_at": row.approved_at.isoformat() if row.approved_at else None,
                "lines": len(lines),
                "surplus": sum(line["surplus"] for line in lines),
                "shortage": sum(line["shortage"] for line in lines),
                "surplus_kop": sum(line["surplus_kop"] for line in lines),
                "shortage_kop": sum(line["shortage_kop"] for line in lines),
            }
        )
    return result


def sheet(conn: Connection, number: str) -> dict[str, Any] | None:
    """One sheet with its lines: ``sheet(conn, "ИНВ-00001")``."""
    row = conn.execute(select(s.count_sheets.c.id).where(s.count_sheets.c.number == number)).scalar()
    if row is None:
        return None
    head = next(x for x in sheets(conn) if x["number"] == number)
    return {**head, "items": sheet_lines(conn, row)}
