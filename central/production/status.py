"""Task status for the dispatcher and the shop master (PROD-4).

Per production task: item, quantity, due date, status, kitted % (``central.production.deficit``), progress from the
shop's work records (good and defective units per operation, workers on it now, the last operation completed),
and lateness — against the due date and against the site's accepted production plan when there is one
(``central.dispatch.production.current_queue``).

Lateness in days: a task done after its due date is late by the days between (Moscow dates); an open task is late
by the days since its due date. Against the plan: *planned late* when the plan finishes the task after its due
date; *behind the plan* when the plan's start of the task has passed and the shop has not started it, or the plan's
end has passed and it is not done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from math import floor
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from central.dispatch.production import current_queue
from central.production import deficit
from central.production import tasks as pt

MOSCOW = ZoneInfo("Europe/Moscow")
Which = Literal["open", "all"]


def _plan(conn: Connection, site: str) -> dict[str, dict[str, dt.datetime]]:
    plan: dict[str, dict[str, dt.datetime]] = {}
    for op in current_queue(conn, site):
        entry = plan.setdefault(op["task"], {"start": op["start_at"], "end": op["end_at"]})
        entry["start"] = min(entry["start"], op["start_at"])
        entry["end"] = max(entry["end"], op["end_at"])
    return plan


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M")


def task_rows(
    conn: Connection,
    now: dt.datetime,
    *,
    which: Which = "open",
    numbers: Collection[str] | None = None,
    site: str = "S1",
    with_kit: bool = False,
) -> list[dict[str, Any]]:
    """Status of production tasks, by due date: ``task_rows(conn, datetime.now(UTC))[0]["kitted_percent"]``.

    ``which="open"`` gives planned and in-work tasks, ``"all"`` every task; ``numbers`` names tasks.
    ``with_kit`` adds every BOM line of the kit (required, covered, short, planned arrival).
    """
    today = now.astimezone(MOSCOW).date()
    tasks = pt.load_tasks(conn, numbers=numbers, open_only=which == "open")
    open_tasks = pt.load_tasks(conn, open_only=True)
    kits = deficit.allocate(conn, open_tasks, today)
    plan = _plan(conn, site)
    rows = [_row(t, kits, plan.get(t.number), now, today, with_kit) for t in tasks]
    rows.sort(key=lambda r: (r["status"] not in pt.OPEN_STATUSES, r["due"], r["task"]))
    return rows


def _row(
    t: pt.Task, kits: deficit.Kits, planned: dict[str, dt.datetime] | None, now: dt.datetime, today: dt.date,
    with_kit: bool,
) -> dict[str, Any]:  # fmt: skip
    done = t.done_units
    finished_on = t.finished_at.astimezone(MOSCOW).date() if t.finished_at else None
    if t.status == "done":
        late_days = max(((finished_on or t.due) - t.due).days, 0)
    elif t.open:
        late_days = max((today - t.due).days, 0)
    else:
        late_days = 0
    last_done = next((op for op in reversed(t.ops) if op.good >= t.qty), None)
    current = next((op for op in t.ops if op.good < t.qty), None) if t.open else None
    status_title = pt.STATUS_TITLES[t.status]
    if t.status == "planned" and t.started:
        status_title = "в работе (по данным цеха)"
    row: dict[str, Any] = {
        "task": t.number, "sku": t.sku, "item_name": t.item_name, "uom": t.uom, "qty": t.qty,
        "due": t.due.isoformat(), "status": t.status, "status_title": status_title, "started": t.started,
        "kitted_percent": kits.kitted_percent(t.number) if t.open else None,
        "to_start": t.to_start, "done": done, "to_make": t.to_make,
        "progress_percent": floor(done * 100 / t.qty) if t.qty else 100,
        "defective": t.defective,
        "operations": [
            {"seq": op.seq, "name": op.name, "group": op.group, "norm_minutes_per_unit": op.norm_minutes_per_unit,
             "good": op.good, "defective": op.defective, "working": op.working, "complete": op.good >= t.qty}
            for op in t.ops
        ],
        "last_operation_done": {"seq": last_done.seq, "name": last_done.name} if last_done else None,
        "current_operation": {"seq": current.seq, "name": current.name} if current else None,
        "finished_on": finished_on.isoformat() if finished_on else None,
        "late_days": late_days,
        "plan_start": None, "plan_end": None, "plan_late_days": None, "behind_plan": None,
    }  # fmt: skip
    if planned is not None:
        plan_end_day = planned["end"].astimezone(MOSCOW).date()
        row.update(
            plan_start=planned["start"].isoformat(),
            plan_end=planned["end"].isoformat(),
            plan_late_days=max((plan_end_day - t.due).days, 0),
        )
        if t.open and now > planned["end"]:
            row["behind_plan"] = f"по плану должно было закончиться {_local(planned['end'])}"
        elif t.open and now > planned["start"] and not t.started:
            row["behind_plan"] = f"по плану начало {_local(planned['start'])}, в цехе ещё не начато"
    if with_kit:
        row["kit"] = [line.as_dict() for line in kits.lines.get(t.number, [])]
    return row


def summary(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Counts for the page's header: open, in work, late, fully kitted, with defects."""
    open_rows = [r for r in rows if r["status"] in pt.OPEN_STATUSES]
    return {
        "open": len(open_rows),
        "in_work": sum(1 for r in open_rows if r["status"] == "in_work" or r["started"]),
        "late": sum(1 for r in open_rows if r["late_days"]),
        "kitted": sum(1 for r in open_rows if r["kitted_percent"] == 100),
        "with_defects": sum(1 for r in rows if r["defective"]),
    }
