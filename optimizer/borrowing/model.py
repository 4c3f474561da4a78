"""Plain data of reserve borrowing (OPT-1, ORD-5): stock, reservations, inbound supply, waiting orders, loans."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Reservation:
    """Units of ``item`` reserved for ``order``, needed by ``deadline``: ``Reservation("98", "болт", 40, date(...))``.

    ``priority`` breaks ties between equal deadlines: the higher one is served first and lends last.
    """

    order: str
    item: str
    qty: int
    deadline: date
    priority: int = 0


@dataclass(frozen=True)
class Inbound:
    """Expected supply: a supply order or production task delivering ``qty`` of ``item`` on ``eta``."""

    source: str
    item: str
    qty: int
    eta: date


@dataclass(frozen=True)
class Line:
    """One order line: ``Line("болт", 40)``."""

    item: str
    qty: int


@dataclass(frozen=True)
class WaitingOrder:
    """An order waiting for stock; it ships whole, or by its agreed partial variant when it has one.

    ``value`` and ``partial_value`` are what shipping earns (kopecks, or any priority score).
    """

    order: str
    lines: tuple[Line, ...]
    value: int
    partial_lines: tuple[Line, ...] = ()
    partial_value: int = 0


@dataclass(frozen=True)
class BorrowingProblem:
    """Everything the proposal depends on; ``margin_days`` is the safety margin before each deadline."""

    today: date
    on_hand: Mapping[str, int]
    reservations: tuple[Reservation, ...]
    inbound: tuple[Inbound, ...]
    waiting: tuple[WaitingOrder, ...]
    margin_days: int = 2


@dataclass(frozen=True)
class Shipment:
    """A waiting order proposed to ship today: ``variant`` is "whole" or "partial"."""

    order: str
    variant: str
    lines: tuple[Line, ...]
    value: int


@dataclass(frozen=True)
class Loan:
    """Units lent today from ``lender``'s reservation to ``borrower``, given back by ``repayment_source``.

    The loan is a tracked object: it is repaid when that supply arrives (see ``settle_arrival``).
    """

    loan_id: str
    lender: str
    borrower: str
    item: str
    qty: int
    repayment_source: str
    repayment_date: date
    lender_deadline: date
    explanation: str = ""


@dataclass(frozen=True)
class BorrowingProposal:
    """The proposal for the dispatcher with its objective figures and Russian explanation."""

    shipments: tuple[Shipment, ...]
    loans: tuple[Loan, ...]
    value_shipped: int
    value_waiting: int
    units_from_free_stock: int
    units_borrowed: int
    status: str  # "optimal" when every component was proven optimal, else "feasible"
    seconds: float
    components: int
    explanation: tuple[str, ...] = field(default_factory=tuple)
