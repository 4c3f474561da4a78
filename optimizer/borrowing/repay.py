"""Loan tracking: which loans an arrival repays, and which are overdue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from optimizer.borrowing.model import Loan


@dataclass(frozen=True)
class Arrival:
    """Supply that actually arrived: ``Arrival("ПО-77", "болт", 60, date(2026, 12, 3))``."""

    source: str
    item: str
    qty: int
    day: date


@dataclass(frozen=True)
class Settlement:
    """What an arrival did to the open loans: repaid ones, still open ones, and units left after repaying."""

    repaid: tuple[Loan, ...]
    still_open: tuple[Loan, ...]
    units_left: int


def settle_arrival(open_loans: Sequence[Loan], arrival: Arrival) -> Settlement:
    """Repay the loans this supply was planned to repay, most urgent lender first: ``settle_arrival(loans, a)``.

    A loan is repaid only whole; if the supply is short, the loans it cannot cover stay open.
    """
    repaid: list[Loan] = []
    still_open: list[Loan] = []
    left = arrival.qty
    ours = sorted(
        (x for x in open_loans if x.repayment_source == arrival.source and x.item == arrival.item),
        key=lambda x: (x.lender_deadline, x.loan_id),
    )
    for loan in ours:
        if loan.qty <= left:
            repaid.append(loan)
            left -= loan.qty
        else:
            still_open.append(loan)
    others = [x for x in open_loans if x not in ours]
    return Settlement(tuple(repaid), tuple(still_open + others), left)


def overdue_loans(open_loans: Sequence[Loan], today: date) -> tuple[Loan, ...]:
    """Open loans whose planned repayment date has passed: ``overdue_loans(loans, date(2026, 12, 5))``."""
    return tuple(x for x in open_loans if x.repayment_date < today)
