"""Russian sentences a dispatcher reads next to a borrowing proposal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from num2words import num2words

from optimizer.borrowing.model import BorrowingProblem, BorrowingProposal, Loan
from optimizer.borrowing.timeline import min_slack

_MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def ru_date(day: date) -> str:
    """``ru_date(date(2026, 12, 3)) == "3 декабря"``."""
    return f"{day.day} {_MONTHS[day.month - 1]}"


def ru_days(n: int) -> str:
    """Days in words with the right plural: ``ru_days(2) == "два дня"``, ``ru_days(5) == "пять дней"``."""
    words = num2words(n, lang="ru")
    if n % 10 == 1 and n % 100 != 11:
        unit = "день"
    elif n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        unit = "дня"
    else:
        unit = "дней"
    return f"{words} {unit}"


def rubles(kopecks: int) -> str:
    """``rubles(123456) == "1 234,56 ₽"`` (narrow no-break space between thousands)."""
    whole, cents = divmod(abs(kopecks), 100)
    sign = "-" if kopecks < 0 else ""
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{cents:02d} ₽"


def loan_text(loan: Loan) -> str:
    """One loan in a sentence (the margin is stated once in the summary): ``loan_text(loan)`` → «Заказ 123 …»."""
    ahead = (loan.lender_deadline - loan.repayment_date).days
    when = "в день срока" if ahead == 0 else f"за {ru_days(ahead)} до срока"
    return (
        f"Заказ {loan.borrower} отгружается сегодня: {loan.qty} шт. «{loan.item}» из резерва заказа {loan.lender}; "
        f"заказ {loan.lender} остаётся обеспечен поставкой {loan.repayment_source}, прибывающей "
        f"{ru_date(loan.repayment_date)}, {when} ({ru_date(loan.lender_deadline)})."
    )


def summary_lines(problem: BorrowingProblem, proposal: BorrowingProposal) -> Iterator[str]:
    """Objective figures, one line per shipped order, then items that were already short before any loan."""
    shipped = len(proposal.shipments)
    yield (
        f"Цель: отгрузить сегодня ожидающие заказы наибольшей общей ценности, не нарушив ни одного резервного "
        f"заказа: каждый остаётся обеспечен не позже чем за {ru_days(problem.margin_days)} до своего срока. "
        f"Отгружается {shipped} из {len(problem.waiting)} ожидающих заказов на {rubles(proposal.value_shipped)} "
        f"из {rubles(proposal.value_waiting)}; из свободного остатка {proposal.units_from_free_stock} шт., "
        f"из резервов взаймы {proposal.units_borrowed} шт. ({len(proposal.loans)} займов)."
        + ("" if proposal.status == "optimal" else " Лучшее найденное за отведённое время, оптимальность не доказана.")
    )
    for s in proposal.shipments:
        how = "целиком" if s.variant == "whole" else "по согласованному частичному варианту"
        yield f"Заказ {s.order} отгружается сегодня {how} ({rubles(s.value)})."
    yield from _shortages(problem)


def _shortages(problem: BorrowingProblem) -> Iterator[str]:
    """Items whose reservations are already not covered in time: nothing is lent from them."""
    reservations = defaultdict(list)
    for r in problem.reservations:
        reservations[r.item].append(r)
    inbound = defaultdict(list)
    for s in problem.inbound:
        inbound[s.item].append(s)
    for item in sorted(reservations):
        slack = min_slack(
            problem.today, problem.on_hand.get(item, 0), reservations[item], inbound[item], problem.margin_days
        )
        if slack < 0:
            yield (
                f"Внимание: по «{item}» резервы уже не обеспечены к срокам с запасом (не хватает {-slack} шт.); "
                f"займы из этих резервов не предлагаются."
            )
