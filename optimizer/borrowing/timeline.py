"""Per-item supply timeline used by the solver: how much may leave today, and who is then covered by what."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from optimizer.borrowing.model import Inbound, Reservation

STOCK = ""  # source id of the units on hand today


@dataclass(frozen=True)
class Piece:
    """A part of one reservation's coverage: ``qty`` units from ``source`` (``STOCK`` = on hand) arriving ``when``."""

    source: str
    qty: int
    when: date


def need_date(reservation: Reservation, margin_days: int) -> date:
    """The date the units must be there: the deadline minus the safety margin: ``need_date(r, 2)``."""
    return reservation.deadline - timedelta(days=margin_days)


def edf_order(reservations: Sequence[Reservation], margin_days: int) -> list[Reservation]:
    """Reservations by need date, higher priority first on ties, then by order id (deterministic)."""
    return sorted(reservations, key=lambda r: (need_date(r, margin_days), -r.priority, r.order))


def supply_stream(today: date, stock: int, inbound: Sequence[Inbound]) -> list[Piece]:
    """Stock today, then inbound by arrival (a late supply still expected counts from today)."""
    stream = [Piece(STOCK, stock, today)] if stock > 0 else []
    for supply in sorted(inbound, key=lambda s: (max(s.eta, today), s.source)):
        if supply.qty > 0:
            stream.append(Piece(supply.source, supply.qty, max(supply.eta, today)))
    return stream


def lendable_today(
    today: date, stock: int, reservations: Sequence[Reservation], inbound: Sequence[Inbound], margin_days: int
) -> int:
    """Most units that may leave today without any reservation missing its need date: ``lendable_today(...)``.

    For every need date t: stock - x + arrivals by t >= reservations needed by t. If the item is already short
    at some date, nothing may leave (0): borrowing must never make a shortage worse.
    """
    return max(0, min(stock, min_slack(today, stock, reservations, inbound, margin_days)))


def min_slack(
    today: date, stock: int, reservations: Sequence[Reservation], inbound: Sequence[Inbound], margin_days: int
) -> int:
    """Smallest surplus of supply over reserved need across need dates; negative means already short."""
    cap = stock
    arrivals = sorted((max(s.eta, today), s.qty) for s in inbound)
    demand = sorted((need_date(r, margin_days), r.qty) for r in reservations)
    arrived = 0
    needed = 0
    a = 0
    for k, (when, qty) in enumerate(demand):
        needed += qty
        if k + 1 < len(demand) and demand[k + 1][0] == when:
            continue
        while a < len(arrivals) and arrivals[a][0] <= when:
            arrived += arrivals[a][1]
            a += 1
        cap = min(cap, stock + arrived - needed)
    return cap


def allocate(stream: Sequence[Piece], reservations: Sequence[Reservation]) -> list[list[Piece]]:
    """Earliest-deadline-first coverage: each reservation's pieces of the stream, in the given order."""
    pieces: list[list[Piece]] = []
    k = 0
    left = stream[0].qty if stream else 0
    for reservation in reservations:
        mine: list[Piece] = []
        want = reservation.qty
        while want > 0 and k < len(stream):
            take = min(want, left)
            if take > 0:
                mine.append(Piece(stream[k].source, take, stream[k].when))
                want -= take
                left -= take
            if left == 0:
                k += 1
                left = stream[k].qty if k < len(stream) else 0
        pieces.append(mine)
    return pieces


def tail(pieces: Sequence[Piece], qty: int) -> list[Piece]:
    """The last ``qty`` units of a coverage list (the units that replace a loan): ``tail([Piece("a", 5, d)], 2)``."""
    out: list[Piece] = []
    for piece in reversed(pieces):
        if qty <= 0:
            break
        take = min(qty, piece.qty)
        out.append(Piece(piece.source, take, piece.when))
        qty -= take
    out.reverse()
    return out
