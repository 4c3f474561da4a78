"""The shift calendar: working days of a month, approximating the Russian production calendar.

Working days are Monday to Friday minus the public holidays below. For 2026 the list follows the government's
decree on the 2026 calendar (holidays that fall on a weekend moved to a working day; 3 and 4 January moved to
9 January and 31 December): 247 working days in the year. For other years only the fixed holidays of the
Labour Code (art. 112) are taken out, without transfers — add the year's list here when it is published.
Shortened pre-holiday days are not modelled: a working day is a whole day.
"""

from __future__ import annotations

import datetime as dt

HOLIDAYS: dict[int, frozenset[dt.date]] = {
    2026: frozenset(
        [dt.date(2026, 1, d) for d in range(1, 12)]
        + [dt.date(2026, 2, 23), dt.date(2026, 3, 9), dt.date(2026, 5, 1), dt.date(2026, 5, 11)]
        + [dt.date(2026, 6, 12), dt.date(2026, 11, 4), dt.date(2026, 12, 31)]
    ),
}
FIXED = (
    (1, 1),
    (1, 2),
    (1, 3),
    (1, 4),
    (1, 5),
    (1, 6),
    (1, 7),
    (1, 8),
    (2, 23),
    (3, 8),
    (5, 1),
    (5, 9),
    (6, 12),
    (11, 4),
)


def holidays(year: int) -> frozenset[dt.date]:
    """Non-working weekdays of a year."""
    return HOLIDAYS.get(year, frozenset(dt.date(year, m, d) for m, d in FIXED))


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First day of the month and first day of the next: ``month_bounds(2026, 12)``."""
    start = dt.date(year, month, 1)
    return start, (start + dt.timedelta(days=32)).replace(day=1)


def working_days(year: int, month: int) -> list[dt.date]:
    """``len(working_days(2026, 11)) == 20`` (4 November is a holiday)."""
    start, end = month_bounds(year, month)
    off = holidays(year)
    days = (start + dt.timedelta(days=n) for n in range((end - start).days))
    return [d for d in days if d.weekday() < 5 and d not in off]
