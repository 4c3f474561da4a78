"""Kit completeness and the component deficit statement for production (PROD-4, ORD-3, REP-4).

**Requirement** of a task for a component = quantity per unit of the item's BOM × the task's units still to
start (``central.production.tasks``). **Free stock** = on hand at ``W1`` and ``S1`` − active stock reservations.

Free stock is shared out among the open tasks in priority order — tasks already in work first, then by due date
and task number — so a scarce component goes to the most urgent task, as in the production queue's kit releases.
What free stock leaves uncovered is the task's **shortage**; its **planned arrival** comes from
``central.orders.availability.check_line``: open supply orders by ETA — and, for a semi-finished component, open
production tasks making it by their due date — (arrivals already counted on by more urgent tasks are skipped),
otherwise today + the quickest supplier's lead time, otherwise unknown.

**Kitted %** of an open task = the mean over its BOM lines of min(1, covered ÷ required), × 100, rounded down —
so 100 % means every component of the kit is at hand, and a line with no requirement left counts as covered.
A task with no BOM, or with all units started, is 100 % kitted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Any

from sqlalchemy import Connection

from central.orders.availability import Inbound, ItemSupply, check_line
from central.production import tasks as pt


@dataclass(frozen=True)
class KitLine:
    """One BOM line of a task's kit: what is required, covered by free stock, short and when it arrives."""

    task: str
    component_id: int
    sku: str
    name: str
    uom: str
    kind: str
    qty_per_unit: int
    required: int
    covered: int
    short: int
    eta: dt.date | None
    eta_source: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku, "name": self.name, "uom": self.uom, "qty_per_unit": self.qty_per_unit,
            "required": self.required, "covered": self.covered, "short": self.short,
            "eta": self.eta.isoformat() if self.eta else None, "eta_source": self.eta_source,
            "eta_text": eta_text(self.eta_source, self.kind),
        }  # fmt: skip


@dataclass
class Kits:
    """Kit lines of every open task (by number) and the stock figures behind them (by component id)."""

    lines: dict[str, list[KitLine]]
    on_hand: dict[int, int]
    reserved: dict[int, int]
    inbound: dict[int, list[Inbound]]
    suppliers: dict[int, dict[str, Any]]
    order: list[str]  # task numbers in allocation order

    def kitted_percent(self, number: str) -> int | None:
        lines = self.lines.get(number)
        if lines is None:
            return None
        return kitted_percent(lines)


def kitted_percent(lines: Sequence[KitLine]) -> int:
    """``kitted_percent([required 10 covered 5, required 4 covered 4]) == 75``; no lines → 100."""
    if not lines:
        return 100
    share = sum((Fraction(min(x.covered, x.required), x.required) if x.required else Fraction(1) for x in lines),
                Fraction(0))  # fmt: skip
    return floor(share * 100 / len(lines))


def eta_text(source: str | None, kind: str = "component") -> str:
    """How the planned arrival was found, for people: ``eta_text("supply_order:ПЗ-00007")``."""
    if source is None:
        if kind == "component":
            return "срок неизвестен: нет поставщика"
        return "срок неизвестен: нет задания на производство"
    if source == "lead_time":
        return "по сроку поставки поставщика"
    origin, _, ref = source.partition(":")
    titles = {"supply_order": "заказ поставщику", "production_task": "задание на производство"}
    return f"{titles[origin]} {ref}" if origin in titles else source


def allocate(
    conn: Connection, tasks: Sequence[pt.Task], today: dt.date, sites: Collection[str] = pt.KITTING_SITES
) -> Kits:
    """Share free stock among the open ``tasks`` in priority order; shortages get their planned arrival."""
    open_tasks = sorted((t for t in tasks if t.open), key=pt.priority)
    bom = pt.boms(conn, {t.item_id for t in open_tasks})
    components = {line["component_id"] for lines in bom.values() for line in lines}
    hand, held = pt.on_hand(conn, components, sites), pt.reserved(conn, components, sites)
    arrivals, quickest = pt.inbound(conn, components), pt.suppliers(conn, components)
    for made in sorted(open_tasks, key=lambda t: (t.due, t.number)):  # semi-finished items made by open tasks
        if made.item_id in components and made.to_make:
            arrivals[made.item_id].append(Inbound(f"production_task:{made.number}", made.to_make, made.due))
    free_left = {c: max(hand.get(c, 0) - held.get(c, 0), 0) for c in components}
    promised: dict[int, int] = defaultdict(int)
    lines: dict[str, list[KitLine]] = {}
    for task in open_tasks:
        kit = []
        for b in bom[task.item_id]:
            c = b["component_id"]
            required = b["qty_per_unit"] * task.to_start
            covered, short, eta, source = 0, 0, None, None
            if required:
                lead = quickest.get(c, {}).get("lead_time_days")
                supply = ItemSupply(free_left[c], 0, tuple(arrivals.get(c, ())), promised[c], lead)
                line = check_line(required, supply, today)
                covered, short, eta, source = line.available_now, line.short, line.eta, line.eta_source
                free_left[c] -= covered
                promised[c] += short
            kit.append(
                KitLine(task.number, c, b["sku"], b["name"], b["uom"], b["kind"], b["qty_per_unit"], required,
                        covered, short, eta, source)
            )  # fmt: skip
        lines[task.number] = kit
    return Kits(lines, hand, held, arrivals, quickest, [t.number for t in open_tasks])


def statement(conn: Connection, today: dt.date, sites: Collection[str] = pt.KITTING_SITES) -> dict[str, Any]:
    """The deficit statement of open production: short components overall, then per task.

    ``statement(conn, date(2026, 11, 23))["components"][0]`` → ``{"sku": "КМ-00017", "required": 840,
    "free": 120, "short": 720, "eta": "2026-12-03", "eta_source": "supply_order:ПЗ-00007", …}``.
    """
    tasks = pt.load_tasks(conn, open_only=True)
    kits = allocate(conn, tasks, today, sites)
    by_number = {t.number: t for t in tasks}
    per_component: dict[int, list[KitLine]] = defaultdict(list)
    for number in kits.order:
        for line in kits.lines[number]:
            per_component[line.component_id].append(line)
    components = []
    for c, lines in per_component.items():
        required = sum(x.required for x in lines)
        short = sum(x.short for x in lines)
        if not short:
            continue
        free = max(kits.on_hand.get(c, 0) - kits.reserved.get(c, 0), 0)
        supplier = kits.suppliers.get(c, {})
        whole = check_line(
            required,
            ItemSupply(free, 0, tuple(kits.inbound.get(c, ())), 0, supplier.get("lead_time_days")),
            today,
        )
        first = lines[0]
        components.append(
            {
                "sku": first.sku, "name": first.name, "kind": first.kind, "uom": first.uom, "required": required,
                "on_hand": kits.on_hand.get(c, 0), "reserved": kits.reserved.get(c, 0), "free": free, "short": short,
                "inbound": [{"source": a.source, "document": a.source.partition(":")[2], "qty": a.qty,
                             "eta": a.eta.isoformat()} for a in kits.inbound.get(c, ())],
                "inbound_qty": sum(a.qty for a in kits.inbound.get(c, ())),
                "eta": whole.eta.isoformat() if whole.eta else None, "eta_source": whole.eta_source,
                "eta_text": eta_text(whole.eta_source, first.kind), "supplier": supplier.get("supplier"),
                "lead_time_days": supplier.get("lead_time_days"), "min_order_qty": supplier.get("min_order_qty"),
                "tasks": [x.task for x in lines if x.short],
            }
        )  # fmt: skip
    components.sort(key=lambda x: (x["eta"] is not None, x["eta"] or "", x["sku"]), reverse=False)
    per_task = []
    for number in kits.order:
        task = by_number[number]
        short_lines = [x.as_dict() for x in kits.lines[number] if x.short]
        etas = [x.eta for x in kits.lines[number] if x.short]
        per_task.append(
            {
                "task": number, "sku": task.sku, "item_name": task.item_name, "qty": task.qty,
                "to_start": task.to_start, "due": task.due.isoformat(), "status": task.status,
                "status_title": pt.STATUS_TITLES[task.status], "kitted_percent": kits.kitted_percent(number),
                "kit_complete_on": (max(e for e in etas if e is not None).isoformat()
                                    if etas and all(e is not None for e in etas) else None),
                "kit_complete_known": all(e is not None for e in etas),
                "lines": short_lines,
            }
        )  # fmt: skip
    return {
        "date": today.isoformat(),
        "sites": list(sites),
        "components": components,
        "tasks": per_task,
        "short_components": len(components),
        "short_tasks": sum(1 for t in per_task if t["lines"]),
    }


CSV_HEADER = [
    "Артикул", "Комплектующее", "Ед.", "Потребность", "На складе", "В резерве", "Свободно", "Дефицит",
    "Ожидается (заказы поставщикам, задания)", "Плановое поступление", "Основание срока", "Поставщик",
    "Срок поставки, дн.", "Задания",
]  # fmt: skip


def statement_csv(data: dict[str, Any]) -> str:
    """The statement's component lines as CSV for Excel in Russian locale (``;``, dates dd.mm.yyyy)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for c in data["components"]:
        eta = dt.date.fromisoformat(c["eta"]).strftime("%d.%m.%Y") if c["eta"] else ""
        writer.writerow(
            [
                c["sku"], c["name"], c["uom"], c["required"], c["on_hand"], c["reserved"], c["free"], c["short"],
                c["inbound_qty"], eta, c["eta_text"], c["supplier"] or "", c["lead_time_days"] or "",
                ", ".join(c["tasks"]),
            ]
        )  # fmt: skip
    return out.getvalue()
