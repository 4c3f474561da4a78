"""The company's working calendar for the production queue (OPT-2): shifts in Moscow time, working-minute axis.

The shop works Monday to Friday, 08:00–12:00 and 13:00–17:00 Moscow time (eight hours with a lunch break); no
public holidays are known to the system yet. The production queue is scheduled on a *working-minute axis*:
minute 0 is the first working minute at or after the moment of the run, and the axis counts only minutes inside
shifts. An operation that needs more than what is left of a shift continues in the next shift (a batch of
150 pieces on a saw takes days), which is how the shop works; on the calendar it runs from its start to its end
with the nights and weekends in between.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")
SHIFTS: tuple[tuple[dt.time, dt.time], ...] = ((dt.time(8), dt.time(12)), (dt.time(13), dt.time(17)))
WORKDAYS = frozenset(range(5))  # Monday .. Friday
SHIFT_TEXT = "пн–пт 08:00–12:00 и 13:00–17:00 (МСК)"


@dataclass
class WorkCalendar:
    """Working minutes counted from ``origin``: ``cal.minute(moment)`` and ``cal.moment(minute)`` invert each other.

    ``WorkCalendar(now).moment(0)`` is the first working minute at or after ``now`` (aware datetime, UTC).
    """

    origin: dt.datetime
    _starts: list[dt.datetime] = field(default_factory=list, init=False)  # shift starts (UTC)
    _ends: list[dt.datetime] = field(default_factory=list, init=False)
    _offsets: list[int] = field(default_factory=list, init=False)  # working minute at each shift start
    _next_day: dt.date = field(init=False)

    def __post_init__(self) -> None:
        if self.origin.tzinfo is None:
            raise ValueError("the calendar needs an aware datetime")
        self.origin = self.origin.astimezone(dt.UTC).replace(second=0, microsecond=0)
        self._next_day = self.origin.astimezone(MOSCOW).date()
        self._extend_to(self.origin + dt.timedelta(days=7))

    def _extend_to(self, moment: dt.datetime) -> None:
        while not self._ends or self._ends[-1] < moment:
            day = self._next_day
            self._next_day = day + dt.timedelta(days=1)
            if day.weekday() not in WORKDAYS:
                continue
            for begin, end in SHIFTS:
                start = dt.datetime.combine(day, begin, tzinfo=MOSCOW).astimezone(dt.UTC)
                stop = dt.datetime.combine(day, end, tzinfo=MOSCOW).astimezone(dt.UTC)
                if stop <= self.origin:
                    continue
                start = max(start, self.origin)
                offset = self._offsets[-1] + _minutes(self._ends[-1] - self._starts[-1]) if self._starts else 0
                self._starts.append(start)
                self._ends.append(stop)
                self._offsets.append(offset)

    def _extend_minutes(self, minute: int) -> None:
        while self._offsets[-1] + _minutes(self._ends[-1] - self._starts[-1]) < minute:
            self._extend_to(self._ends[-1] + dt.timedelta(days=7))

    def minute(self, moment: dt.datetime) -> int:
        """Working minutes from the origin to ``moment`` (0 before the origin, a break counts as its shift's end)."""
        if moment <= self.origin:
            return 0
        self._extend_to(moment)
        k = bisect.bisect_right(self._starts, moment) - 1
        if k < 0:
            return 0
        inside = min(moment, self._ends[k]) - self._starts[k]
        return self._offsets[k] + _minutes(inside)

    def moment(self, minute: int, *, end: bool = False) -> dt.datetime:
        """The moment of working minute ``minute``; with ``end`` a minute on a shift's end stays in that shift."""
        self._extend_minutes(minute)
        k = bisect.bisect_right(self._offsets, minute) - 1
        if end and k > 0 and self._offsets[k] == minute:
            k -= 1
        return self._starts[k] + dt.timedelta(minutes=minute - self._offsets[k])

    def day_start(self, day: dt.date) -> int:
        """Working minute at the first shift of ``day`` (or the next working day)."""
        return self.minute(dt.datetime.combine(day, SHIFTS[0][0], tzinfo=MOSCOW))

    def day_end(self, day: dt.date) -> int:
        """Working minute at the end of the last shift of ``day``: a task due that day is on time up to here."""
        return self.minute(dt.datetime.combine(day, SHIFTS[-1][1], tzinfo=MOSCOW))


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)
