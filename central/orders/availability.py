"""Stock check of an order (ORD-2): free now, and for short lines when they can arrive and from what.

Free stock is on hand at the edges minus what is reserved. A short quantity is covered by open supply
orders and production tasks in order of arrival, after what earlier short orders already counted on; what
no inbound covers gets the supplier's (or the production cycle's) lead time from today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Inbound:
    """Expected supply of an item: ``Inbound("supply_order:77", 40, date(2026, 12, 3))``."""

    source: str
    qty: int
    eta: date


@dataclass(frozen=True)
class ItemSupply:
    on_hand: int
    reserved: int
    inbound: tuple[Inbound, ...] = ()
    promised_inbound: int = 0  # inbound units already counted on by earlier short orders
    lead_time_days: int | None = None

    @property
    def free(self) -> int:
        return max(self.on_hand - self.reserved, 0)


@dataclass(frozen=True)
class LineAvailability:
    requested: int
    available_now: int
    short: int
    eta: date | None  # when the short part can be here; None if nothing says
    eta_source: str | None  # "supply_order:77", "production_task:12", "lead_time" or None

    @property
    def complete(self) -> bool:
        return self.short == 0


def check_line(requested: int, supply: ItemSupply, today: date) -> LineAvailability:
    """What of ``requested`` is free now and when the rest arrives: ``check_line(50, supply, today)``."""
    if requested <= 0:
        raise ValueError("a requested quantity must be positive")
    now = min(requested, supply.free)
    short = requested - now
    if short == 0:
        return LineAvailability(requested, now, 0, None, None)
    skip = supply.promised_inbound
    covered = 0
    for inbound in sorted(supply.inbound, key=lambda i: (i.eta, i.source)):
        usable = max(inbound.qty - skip, 0)
        skip = max(skip - inbound.qty, 0)
        covered += usable
        if usable and covered >= short:
            return LineAvailability(requested, now, short, inbound.eta, inbound.source)
    if supply.lead_time_days is not None:
        return LineAvailability(requested, now, short, today + timedelta(days=supply.lead_time_days), "lead_time")
    return LineAvailability(requested, now, short, None, None)
