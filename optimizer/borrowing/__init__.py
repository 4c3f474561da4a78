"""Borrowing from reserves (OPT-1, ORD-5): ship waiting orders today from reserved units that come back in time."""

from optimizer.borrowing.checker import check_proposal
from optimizer.borrowing.generate import generate
from optimizer.borrowing.model import (
    BorrowingProblem,
    BorrowingProposal,
    Inbound,
    Line,
    Loan,
    Reservation,
    Shipment,
    WaitingOrder,
)
from optimizer.borrowing.repay import Arrival, Settlement, overdue_loans, settle_arrival
from optimizer.borrowing.solver import propose_borrowing

__all__ = [
    "Arrival",
    "BorrowingProblem",
    "BorrowingProposal",
    "Inbound",
    "Line",
    "Loan",
    "Reservation",
    "Settlement",
    "Shipment",
    "WaitingOrder",
    "check_proposal",
    "generate",
    "overdue_loans",
    "propose_borrowing",
    "settle_arrival",
]
