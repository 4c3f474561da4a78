"""Borrowing proposals (DISP-2, OPT-1): run the optimizer, store its proposal, accept or reject it, settle loans.

Each public function owns its transaction. An accepted proposal moves reservations from lenders to borrowers,
records the loans and creates a pick task per shipped order; a proposal that no longer fits the current state
is marked stale with the reason. Accepts of one site are serialised (the site row is locked on PostgreSQL,
SQLite's write transactions are serial), and a proposal changes status only from "proposed", so of two
dispatchers accepting the same proposal exactly one wins.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, func, insert, select, update

from central.dispatch import review
from central.dispatch.borrowing import borrowing_problem
from central.store import schema as s
from optimizer.borrowing import (
    Arrival,
    BorrowingProposal,
    Loan,
    check_proposal,
    propose_borrowing,
    settle_arrival,
)

STATUS_TITLES = {"proposed": "предложено", "accepted": "принято", "rejected": "отклонено", "stale": "устарело"}


class Actor(Protocol):
    """Who acts: any signed-in user (``central.auth.staff.User``)."""

    @property
    def id(self) -> int: ...


class ProposalError(Exception):
    """A refused command; ``str(error)`` is the Russian message for the dispatcher."""


class ProposalNotFound(ProposalError):
    """No proposal with this id."""


class AlreadyDecided(ProposalError):
    """The proposal was accepted, rejected or found stale before."""


class UnknownSite(ProposalError):
    """No warehouse with this code."""


class CheckerRejected(ProposalError):
    """The independent checker refused the optimizer's proposal; nothing is stored."""


@dataclass(frozen=True)
class Decision:
    """What a review command did: ``status`` is "accepted", "rejected" or "stale" (then ``reason`` says why)."""

    proposal_id: int
    status: str
    reason: str | None = None
    loans: int = 0
    tasks: int = 0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def run_borrowing(
    engine: Engine,
    site: str,
    today: dt.date,
    user: Actor,
    *,
    time_limit: float = 10.0,
    margin_days: int = 2,
    seed: int = 0,
) -> int:
    """Solve borrowing for ``site`` as the database states it, check, store; returns the proposal id.

    ``run_borrowing(engine, "W1", date.today(), user)``; raises ``CheckerRejected`` (nothing stored) when the
    independent checker finds a broken rule, ``UnknownSite`` for a code that is not a site.
    """
    with engine.begin() as conn:
        site_id = _site_id(conn, site)
        settle_loans(conn, today)
        problem = borrowing_problem(conn, site, today, margin_days)
    proposal = propose_borrowing(problem, time_limit=time_limit, num_workers=2, seed=seed)
    errors = check_proposal(problem, proposal)
    if errors:
        raise CheckerRejected(
            "Независимая проверка отвергла предложение оптимизатора, оно не сохранено: " + "; ".join(errors[:3])
        )
    with engine.begin() as conn:
        return store_proposal(
            conn,
            "borrowing",
            site_id,
            user,
            snapshot=review.snapshot(problem),
            result=review.result(proposal),
            figures=review.figures(problem, proposal),
            explanation=review.explanation(proposal),
            diff=review.plan_diff(problem, proposal),
        )


def store_proposal(
    conn: Connection,
    kind: str,
    site_id: int,
    user: Actor,
    *,
    snapshot: Any,
    result: Any,
    figures: Any,
    explanation: Any,
    diff: Any,
) -> int:
    """Record a checked proposal of any kind for review: ``store_proposal(conn, "routes", 1, user, ...)``."""
    proposal_id: int = conn.execute(
        insert(s.proposals)
        .values(
            kind=kind,
            site_id=site_id,
            created_at=_now(),
            created_by=user.id,
            status="proposed",
            snapshot=snapshot,
            result=result,
            figures=figures,
            explanation=explanation,
            diff=diff,
        )
        .returning(s.proposals.c.id)
    ).scalar_one()
    return proposal_id


def accept(engine: Engine, proposal_id: int, user: Actor, today: dt.date) -> Decision:
    """Re-check the proposal against the current state and apply it, or mark it stale with the reason.

    ``accept(engine, 7, user, date.today()).status in ("accepted", "stale")``; raises ``ProposalNotFound`` or
    ``AlreadyDecided`` (nothing changes then).
    """
    now = _now()
    with engine.begin() as conn:
        row = _proposal(conn, proposal_id)
        if row.kind not in ("borrowing", "production", "routes"):
            raise ProposalError(f"Предложение {proposal_id} неизвестного вида: {row.kind}")
        site = conn.execute(
            select(s.sites.c.id, s.sites.c.code).where(s.sites.c.id == row.site_id).with_for_update()
        ).one()
        _claim(conn, proposal_id, "accepted", user, now)
        if row.kind == "production":
            from central.dispatch.production import accept_production

            return accept_production(conn, proposal_id, row, site, now)
        if row.kind == "routes":
            from central.dispatch.routing import accept_routes

            return accept_routes(conn, proposal_id, row, site, today, now)
        settle_loans(conn, today)
        proposal = review.proposal_from_stored(row.result, row.figures)
        current = borrowing_problem(conn, site.code, today, int(row.figures["margin_days"]))
        named = {x.order for x in proposal.shipments} | {x.lender for x in proposal.loans}
        statuses = {
            r.number: r.status
            for r in conn.execute(select(s.orders.c.number, s.orders.c.status).where(s.orders.c.number.in_(named)))
        }
        reasons = review.stale_reasons(current, proposal, statuses)
        if reasons:
            reason = " ".join(reasons)
            conn.execute(
                update(s.proposals)
                .where(s.proposals.c.id == proposal_id)
                .values(status="stale", decision_reason=reason)
            )
            return Decision(proposal_id, "stale", reason)
        loans, tasks = _apply(conn, proposal_id, site.id, site.code, proposal, now)
    return Decision(proposal_id, "accepted", loans=loans, tasks=tasks)


def reject(engine: Engine, proposal_id: int, user: Actor, reason: str) -> Decision:
    """Reject a proposal with the dispatcher's reason: ``reject(engine, 7, user, "клиент перенёс отгрузку")``."""
    reason = reason.strip()
    if not reason:
        raise ProposalError("Укажите причину отклонения")
    with engine.begin() as conn:
        _proposal(conn, proposal_id)
        _claim(conn, proposal_id, "rejected", user, _now(), reason)
    return Decision(proposal_id, "rejected", reason)


def settle_loans(conn: Connection, today: dt.date) -> list[int]:
    """Repay the open loans whose repayment supply has arrived; returns the repaid loan ids.

    A supply order counts as arrived when its status is "received", a production task when it is "done"
    (OPT-1: the loan is repaid automatically when the supply arrives). The lender's reservation held against
    that supply is then a reservation from stock again. Runs inside the caller's transaction, so the receipt
    that completes a supply can settle its loans in the same transaction: ``settle_loans(conn, date.today())``.
    """
    rows = conn.execute(
        select(
            s.loans.c.id,
            s.loans.c.repayment_kind,
            s.loans.c.repayment_source,
            s.loans.c.item_id,
            s.loans.c.qty,
            s.loans.c.repayment_date,
            s.loans.c.lender_deadline,
            s.loans.c.lender_reservation_id,
            s.sites.c.code.label("site"),
        )
        .join(s.sites, s.sites.c.id == s.loans.c.site_id)
        .where(s.loans.c.status == "open")
    ).all()
    if not rows:
        return []
    groups: dict[tuple[str, str, int], list[Any]] = defaultdict(list)
    for r in rows:
        groups[(r.repayment_kind, r.repayment_source, r.item_id)].append(r)
    repaid: list[int] = []
    now = _now()
    for (kind, source, item_id), members in sorted(groups.items()):
        arrived = _arrived_qty(conn, kind, source, item_id)
        if arrived is None:
            continue
        loans = [
            Loan(str(r.id), "", "", str(item_id), r.qty, source, r.repayment_date, r.lender_deadline) for r in members
        ]
        settlement = settle_arrival(loans, Arrival(source, str(item_id), arrived, today))
        by_id = {str(r.id): r for r in members}
        for loan in settlement.repaid:
            r = by_id[loan.loan_id]
            done = conn.execute(
                update(s.loans)
                .where(s.loans.c.id == r.id, s.loans.c.status == "open")
                .values(status="repaid", repaid_at=now)
            ).rowcount
            if done:
                conn.execute(
                    update(s.reservations)
                    .where(s.reservations.c.id == r.lender_reservation_id, s.reservations.c.status == "active")
                    .values(source=f"stock:{r.site}")
                )
                repaid.append(r.id)
    return repaid


def settle(engine: Engine, today: dt.date) -> list[int]:
    """``settle_loans`` in its own transaction (for a periodic job or a command)."""
    with engine.begin() as conn:
        return settle_loans(conn, today)


def _arrived_qty(conn: Connection, kind: str, source: str, item_id: int) -> int | None:
    """Units of ``item_id`` the supply brought, or None while it has not arrived."""
    if kind == "supply":
        qty = conn.execute(
            select(func.sum(s.supply_order_lines.c.qty))
            .join(s.supply_orders, s.supply_orders.c.id == s.supply_order_lines.c.supply_order_id)
            .where(
                s.supply_orders.c.number == source,
                s.supply_orders.c.status == "received",
                s.supply_order_lines.c.item_id == item_id,
            )
        ).scalar_one()
        return None if qty is None else int(qty)
    task = conn.execute(
        select(s.production_tasks.c.qty).where(
            s.production_tasks.c.number == source,
            s.production_tasks.c.status == "done",
            s.production_tasks.c.item_id == item_id,
        )
    ).scalar_one_or_none()
    return None if task is None else int(task)


def _site_id(conn: Connection, site: str) -> int:
    site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == site)).scalar_one_or_none()
    if site_id is None:
        raise UnknownSite(f"Площадка {site} не найдена")
    return int(site_id)


def _proposal(conn: Connection, proposal_id: int) -> Any:
    row = conn.execute(
        select(
            s.proposals.c.site_id,
            s.proposals.c.kind,
            s.proposals.c.snapshot,
            s.proposals.c.result,
            s.proposals.c.figures,
            s.proposals.c.created_at,
        ).where(s.proposals.c.id == proposal_id)
    ).first()
    if row is None:
        raise ProposalNotFound(f"Предложение {proposal_id} не найдено")
    return row


def _claim(
    conn: Connection, proposal_id: int, status: str, user: Actor, now: dt.datetime, reason: str | None = None
) -> None:
    """Move the proposal out of "proposed"; only one command can, the others get ``AlreadyDecided``."""
    claimed = conn.execute(
        update(s.proposals)
        .where(s.proposals.c.id == proposal_id, s.proposals.c.status == "proposed")
        .values(status=status, decided_at=now, decided_by=user.id, decision_reason=reason)
    ).rowcount
    if claimed != 1:
        current = conn.execute(select(s.proposals.c.status).where(s.proposals.c.id == proposal_id)).scalar_one()
        raise AlreadyDecided(f"Предложение {proposal_id} уже рассмотрено: {STATUS_TITLES.get(current, current)}")


def _apply(
    conn: Connection, proposal_id: int, site_id: int, site_code: str, proposal: BorrowingProposal, now: dt.datetime
) -> tuple[int, int]:
    """Move reservations from lenders to borrowers, record the loans, create the pick tasks."""
    numbers = {x.order for x in proposal.shipments} | {x.lender for x in proposal.loans}
    orders = {
        r.number: r
        for r in conn.execute(
            select(s.orders.c.id, s.orders.c.number, s.orders.c.deadline).where(s.orders.c.number.in_(numbers))
        )
    }
    skus = {line.item for x in proposal.shipments for line in x.lines}
    item_ids = {r.sku: r.id for r in conn.execute(select(s.items.c.sku, s.items.c.id).where(s.items.c.sku.in_(skus)))}
    supplies = {x.repayment_source for x in proposal.loans}
    supply_numbers = set(
        conn.execute(select(s.supply_orders.c.number).where(s.supply_orders.c.number.in_(supplies))).scalars()
    )
    claims: dict[str, int] = {}
    for loan in proposal.loans:
        kind = "supply" if loan.repayment_source in supply_numbers else "production"
        claims[loan.loan_id] = _lend(conn, site_id, orders[loan.lender], item_ids[loan.item], loan, kind, now)
    borrowed: dict[str, int] = {}
    for shipment in proposal.shipments:
        order = orders[shipment.order]
        for item, qty in _totals(shipment.lines).items():
            portions: list[tuple[str, int, str | None]] = [
                ("loan", x.qty, x.loan_id) for x in proposal.loans if x.borrower == shipment.order and x.item == item
            ]
            free = qty - sum(p[1] for p in portions)
            if free > 0:
                portions.append((f"stock:{site_code}", free, None))
            borrowed.update(_reserve_for(conn, site_id, order, item_ids[item], portions, now))
    for loan in proposal.loans:
        conn.execute(
            insert(s.loans).values(
                proposal_id=proposal_id,
                site_id=site_id,
                lender_order_id=orders[loan.lender].id,
                borrower_order_id=orders[loan.borrower].id,
                item_id=item_ids[loan.item],
                qty=loan.qty,
                repayment_kind="supply" if loan.repayment_source in supply_numbers else "production",
                repayment_source=loan.repayment_source,
                repayment_date=loan.repayment_date,
                lender_deadline=loan.lender_deadline,
                lender_reservation_id=claims[loan.loan_id],
                borrower_reservation_id=borrowed[loan.loan_id],
                status="open",
                created_at=now,
            )
        )
    for shipment in proposal.shipments:
        conn.execute(
            insert(s.dispatch_tasks).values(
                kind="pick",
                order_id=orders[shipment.order].id,
                site_id=site_id,
                proposal_id=proposal_id,
                status="new",
                created_at=now,
            )
        )
    return len(proposal.loans), len(proposal.shipments)


def _lend(conn: Connection, site_id: int, lender: Any, item_id: int, loan: Loan, kind: str, now: dt.datetime) -> int:
    """Take ``loan.qty`` off the lender's reservations from stock and reserve them again from the repaying supply.

    Returns the id of the lender's new reservation, held against that supply until it arrives.
    """
    rows = conn.execute(
        select(s.reservations.c.id, s.reservations.c.qty, s.reservations.c.source, s.reservations.c.order_line_id)
        .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
        .where(
            s.order_lines.c.order_id == lender.id,
            s.reservations.c.item_id == item_id,
            s.reservations.c.site_id == site_id,
            s.reservations.c.status == "active",
        )
        .order_by(s.reservations.c.id)
    ).all()
    # Units on hand lend first; a reservation already held against a supply lends only if nothing else is left.
    rows = sorted(rows, key=lambda r: (r.source.startswith(("supply:", "production:")), r.id))
    left = loan.qty
    line_id = rows[0].order_line_id if rows else None
    for r in rows:
        if left == 0:
            break
        take = min(left, r.qty)
        values = {"status": "released"} if take == r.qty else {"qty": r.qty - take}
        conn.execute(update(s.reservations).where(s.reservations.c.id == r.id).values(**values))
        left -= take
    if left or line_id is None:  # stale_reasons checked this in the same transaction; a guard, not a path
        raise ProposalError(f"Резерв заказа {loan.lender} по «{loan.item}» меньше {loan.qty} шт.")
    claim_id: int = conn.execute(
        insert(s.reservations)
        .values(
            order_line_id=line_id,
            item_id=item_id,
            site_id=site_id,
            qty=loan.qty,
            source=f"{kind}:{loan.repayment_source}",
            created_at=now,
            expires_at=_end_of(lender.deadline),
            status="active",
        )
        .returning(s.reservations.c.id)
    ).scalar_one()
    return claim_id


def _reserve_for(
    conn: Connection,
    site_id: int,
    order: Any,
    item_id: int,
    portions: list[tuple[str, int, str | None]],
    now: dt.datetime,
) -> dict[str, int]:
    """Reserve the portions (source, qty, loan id) on the order's lines of the item that still miss units.

    Returns, per loan id, the first reservation made for it.
    """
    reserved = (
        select(s.reservations.c.order_line_id, func.sum(s.reservations.c.qty).label("qty"))
        .where(s.reservations.c.status == "active", s.reservations.c.site_id == site_id)
        .group_by(s.reservations.c.order_line_id)
        .subquery()
    )
    lines = conn.execute(
        select(s.order_lines.c.id, (s.order_lines.c.qty - func.coalesce(reserved.c.qty, 0)).label("missing"))
        .outerjoin(reserved, reserved.c.order_line_id == s.order_lines.c.id)
        .where(s.order_lines.c.order_id == order.id, s.order_lines.c.item_id == item_id)
        .order_by(s.order_lines.c.id)
    ).all()
    room = [[line.id, int(line.missing)] for line in lines if line.missing > 0]
    made: dict[str, int] = {}
    for source, qty, loan_id in portions:
        left = qty
        while left > 0:
            if not room:  # stale_reasons checked the order still waits for these units; a guard, not a path
                raise ProposalError(f"Заказ {order.number} уже не ждёт столько товара")
            take = min(left, room[0][1])
            rid: int = conn.execute(
                insert(s.reservations)
                .values(
                    order_line_id=room[0][0],
                    item_id=item_id,
                    site_id=site_id,
                    qty=take,
                    source=source,
                    created_at=now,
                    expires_at=_end_of(order.deadline),
                    status="active",
                )
                .returning(s.reservations.c.id)
            ).scalar_one()
            if loan_id is not None:
                made.setdefault(loan_id, rid)
            left -= take
            room[0][1] -= take
            if room[0][1] == 0:
                room.pop(0)
    return made


def _end_of(day: dt.date) -> dt.datetime:
    """A reservation made for an order lasts until the end of its deadline (UTC)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)


def _totals(lines: Any) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for line in lines:
        out[line.item] += line.qty
    return dict(out)
