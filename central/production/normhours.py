"""Norm-hours and actual hours per worker, per day, week or month (PROD-2).

- **Norm time** of a work record = good units × norm minutes per unit (the norm the station showed, carried by
  ``WorkStarted``). It counts on the Moscow date the work was finished; work closed by rule produced nothing.
- **Actual time** = the record's intervals (start/resume → pause/finish/close), pauses excluded, split at
  Moscow midnight so each day gets what was worked on it. Intervals still open (work in progress) are not
  counted until they end.
- Exact arithmetic: minutes are integers, actual time is integer microseconds; hours are shown with two
  decimals (``Decimal`` rounded half up) but sums are always made from the integers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, or_, select

from central.store import schema as s

MSK = ZoneInfo("Europe/Moscow")
US_PER_HOUR = 3_600_000_000
Grouping = Literal["day", "week", "month"]


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def local_start(day: dt.date) -> dt.datetime:
    """Moscow midnight of ``day`` as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=MSK)


def hours(us: int) -> Decimal:
    """Microseconds as hours with two decimals, half up: ``hours(5_400_000_000) == Decimal("1.50")``."""
    return (Decimal(us) / US_PER_HOUR).quantize(Decimal("0.01"), ROUND_HALF_UP)


def norm_hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _us(delta: dt.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def split_by_day(start: dt.datetime, end: dt.datetime) -> dict[dt.date, int]:
    """Microseconds of [start, end) on each Moscow date."""
    out: dict[dt.date, int] = {}
    cursor = _utc(start).astimezone(MSK)
    end = _utc(end).astimezone(MSK)
    while cursor < end:
        next_midnight = local_start(cursor.date() + dt.timedelta(days=1))
        stop = min(end, next_midnight)
        out[cursor.date()] = out.get(cursor.date(), 0) + _us(stop - cursor)
        cursor = stop
    return out


@dataclass
class WorkLine:
    """One work record with what of it falls in the asked range."""

    record_id: int
    site: str
    worker_id: int | None
    badge: str
    full_name: str
    task: str
    routing_operation_id: int
    op_seq: int
    operation: str
    sku: str
    group_code: str
    norm_minutes_per_unit: int
    good: int
    defective: int
    state: str
    closed_by_rule: bool
    started_at: dt.datetime
    ended_at: dt.datetime | None
    finished_on: dt.date | None  # Moscow date of the end, when it ended in the range
    actual_by_day: dict[dt.date, int] = field(default_factory=dict)

    @property
    def norm_minutes(self) -> int:
        """Norm minutes earned in the range (only when the work ended in it)."""
        return self.good * self.norm_minutes_per_unit if self.finished_on is not None else 0

    @property
    def actual_us(self) -> int:
        return sum(self.actual_by_day.values())


def work_lines(conn: Connection, start: dt.date, end: dt.date, worker_id: int | None = None) -> list[WorkLine]:
    """Work records that ended, or had time, in Moscow dates [start, end): ``work_lines(conn, d1, d2)``."""
    # Bound as UTC: SQLite keeps the wall time of what it is given, and central stores UTC.
    lo, hi = local_start(start).astimezone(dt.UTC), local_start(end).astimezone(dt.UTC)
    w, i = s.work_records.c, s.work_intervals.c
    touching = (
        select(i.work_record_id).where(i.started_at < hi, i.ended_at.is_not(None), i.ended_at > lo).scalar_subquery()
    )
    query = (
        select(
            w.id, s.sites.c.code, w.worker_id, w.worker_badge, s.workers.c.full_name, w.task_number,
            w.routing_operation_id, w.op_seq, w.operation, w.sku, w.group_code, w.norm_minutes_per_unit, w.good,
            w.defective, w.state, w.closed_by_rule, w.started_at, w.ended_at,
        )
        .join(s.sites, s.sites.c.id == w.site_id)
        .outerjoin(s.workers, s.workers.c.id == w.worker_id)
        .where(or_(and_(w.ended_at >= lo, w.ended_at < hi), w.id.in_(touching)))
        .order_by(w.started_at, w.id)
    )  # fmt: skip
    if worker_id is not None:
        query = query.where(w.worker_id == worker_id)
    lines: dict[int, WorkLine] = {}
    for row in conn.execute(query).all():
        ended = _utc(row[17]) if row[17] is not None else None
        finished_on = ended.astimezone(MSK).date() if ended is not None and lo <= ended < hi else None
        lines[row[0]] = WorkLine(
            row[0], row[1], row[2], row[3], row[4] or row[3], row[5], row[6], row[7], row[8], row[9], row[10],
            row[11], row[12], row[13], row[14], bool(row[15]), _utc(row[16]), ended, finished_on,
        )  # fmt: skip
    if lines:
        for record_id, started, ended in conn.execute(
            select(i.work_record_id, i.started_at, i.ended_at).where(
                i.work_record_id.in_(list(lines)), i.ended_at.is_not(None)
            )
        ).all():
            for day, us in split_by_day(max(_utc(started), lo), min(_utc(ended), hi)).items():
                line = lines[record_id]
                line.actual_by_day[day] = line.actual_by_day.get(day, 0) + us
    return list(lines.values())


def period_of(day: dt.date, by: Grouping) -> str:
    """``period_of(date(2026, 11, 23), "week") == "2026-W48"``."""
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def summary(
    conn: Connection, start: dt.date, end: dt.date, by: Grouping = "day", worker_id: int | None = None
) -> list[dict[str, Any]]:
    """Per worker per period: norm minutes and hours, actual hours, good, defective, work closed by rule."""
    totals: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"norm_minutes": 0, "actual_us": 0, "good": 0, "defective": 0, "closed_by_rule": 0, "records": 0}
    )
    people: dict[str, tuple[int | None, str]] = {}
    for line in work_lines(conn, start, end, worker_id):
        people[line.badge] = (line.worker_id, line.full_name)
        if line.finished_on is not None:
            row = totals[(line.badge, period_of(line.finished_on, by))]
            row["norm_minutes"] += line.norm_minutes
            row["good"] += line.good
            row["defective"] += line.defective
            row["records"] += 1
        if line.closed_by_rule and line.ended_at is not None:
            closed_on = line.ended_at.astimezone(MSK).date()
            if start <= closed_on < end:
                totals[(line.badge, period_of(closed_on, by))]["closed_by_rule"] += 1
        for day, us in line.actual_by_day.items():
            totals[(line.badge, period_of(day, by))]["actual_us"] += us
    out = []
    for (badge, period), row in sorted(totals.items(), key=lambda kv: (people[kv[0][0]][1], kv[0][1])):
        worker, name = people[badge]
        output = (
            (Decimal(row["norm_minutes"]) * 60_000_000 * 100 / row["actual_us"]).quantize(Decimal(1), ROUND_HALF_UP)
            if row["actual_us"]
            else None
        )
        out.append(
            {
                "worker_id": worker,
                "badge": badge,
                "full_name": name,
                "period": period,
                "norm_minutes": row["norm_minutes"],
                "norm_hours": str(norm_hours(row["norm_minutes"])),
                "actual_seconds": row["actual_us"] // 1_000_000,
                "actual_hours": str(hours(row["actual_us"])),
                "output_percent": None if output is None else int(output),
                "good": row["good"],
                "defective": row["defective"],
                "closed_by_rule": row["closed_by_rule"],
            }
        )
    return out


def records(conn: Connection, start: dt.date, end: dt.date, worker_id: int | None = None) -> list[dict[str, Any]]:
    """Every work record of the range with its norm and actual time — the detail behind ``summary``."""
    return [
        {
            "site": line.site,
            "badge": line.badge,
            "full_name": line.full_name,
            "task": line.task,
            "op_seq": line.op_seq,
            "operation": line.operation,
            "sku": line.sku,
            "group": line.group_code,
            "norm_minutes_per_unit": line.norm_minutes_per_unit,
            "good": line.good,
            "defective": line.defective,
            "state": line.state,
            "closed_by_rule": line.closed_by_rule,
            "started_at": line.started_at.isoformat(),
            "ended_at": None if line.ended_at is None else line.ended_at.isoformat(),
            "norm_minutes": line.norm_minutes,
            "norm_hours": str(norm_hours(line.norm_minutes)),
            "actual_hours": str(hours(line.actual_us)),
        }
        for line in work_lines(conn, start, end, worker_id)
    ]
