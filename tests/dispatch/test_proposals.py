"""Borrowing proposals on the seeded demo company, on SQLite and PostgreSQL: run, accept, stale, reject, race, repay."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select, update

from central.dispatch import proposals, review
from central.dispatch.borrowing import borrowing_problem
from central.store import schema as s
from optimizer.borrowing import check_proposal
from optimizer.borrowing.timeline import min_slack
from tests.dispatch.company import TODAY, active_reserved, count, reservations, seeded, staff


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = seeded(database_url)
    yield engine
    engine.dispose()


def run(engine: Engine) -> int:
    return proposals.run_borrowing(engine, "W1", TODAY, staff(engine, "dispatcher"), time_limit=5, seed=1)


def stored(engine: Engine, proposal_id: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(s.proposals).where(s.proposals.c.id == proposal_id)).one()


def test_run_stores_a_checked_proposal_with_its_explanation_and_diff(engine):
    proposal_id = run(engine)
    row = stored(engine, proposal_id)
    assert (row.kind, row.status, row.decided_at) == ("borrowing", "proposed", None)
    assert row.figures["loans"] > 0 and row.figures["units_borrowed"] > 0
    assert row.figures["shipped_orders"] == len(row.result["shipments"]) > 0
    assert row.figures["solver_status"] in ("optimal", "feasible")
    assert isinstance(row.figures["value_shipped_kop"], int)
    assert row.explanation[0].startswith("Цель: отгрузить сегодня")
    assert any("из резерва заказа" in line and "остаётся обеспечен поставкой" in line for line in row.explanation)
    roles = Counter(d["role"] for d in row.diff)
    assert roles["lender"] > 0 and roles["borrower"] > 0
    # The snapshot is enough to re-run the independent checker on the stored proposal.
    problem = review.problem_from_snapshot(row.snapshot)
    assert check_proposal(problem, review.proposal_from_stored(row.result, row.figures)) == []


def test_accept_moves_reservations_records_loans_and_creates_pick_tasks(engine):
    proposal_id = run(engine)
    row = stored(engine, proposal_id)
    before = active_reserved(engine)
    decision = proposals.accept(engine, proposal_id, staff(engine, "dispatcher"), TODAY)
    assert decision.status == "accepted"
    assert (decision.loans, decision.tasks) == (row.figures["loans"], row.figures["shipped_orders"])
    assert stored(engine, proposal_id).status == "accepted"
    assert count(engine, s.loans) == row.figures["loans"]
    with engine.connect() as conn:
        tasks = conn.execute(
            select(s.orders.c.number, s.dispatch_tasks.c.kind, s.dispatch_tasks.c.status).join(s.orders)
        ).all()
        sources = Counter(
            (r.source.split(":")[0], r.status)
            for r in conn.execute(select(s.reservations.c.source, s.reservations.c.status))
        )
        problem = borrowing_problem(conn, "W1", TODAY)
    shipped = {x["order"] for x in row.result["shipments"]}
    assert {t.number for t in tasks} == shipped
    assert {(t.kind, t.status) for t in tasks} == {("pick", "new")}
    # Every shipped order now has all its units reserved; every lender keeps its total (part now awaited).
    after = active_reserved(engine)
    for shipment in row.result["shipments"]:
        for item, qty in shipment["lines"]:
            assert after[(shipment["order"], item)] == before[(shipment["order"], item)] + qty
    lent: Counter[tuple[str, str]] = Counter()
    for loan in row.result["loans"]:
        lent[(loan["lender"], loan["item"])] += loan["qty"]
    for key in lent:
        assert after[key] == before[key]
    assert sources[("loan", "active")] >= len({(x["borrower"], x["item"]) for x in row.result["loans"]})
    assert sources[("production", "active")] + sources[("supply", "active")] == len(row.result["loans"])
    assert not shipped & {o.order for o in problem.waiting}
    # No reserved order of a lent item is left uncovered before its deadline minus the margin.
    by_item: dict[str, list[Any]] = defaultdict(list)
    for r in problem.reservations:
        by_item[r.item].append(r)
    for item in {item for _, item in lent}:
        inbound = [x for x in problem.inbound if x.item == item]
        assert min_slack(TODAY, problem.on_hand.get(item, 0), by_item[item], inbound, problem.margin_days) >= 0


def lender_of(engine: Engine, proposal_id: int) -> str:
    return str(stored(engine, proposal_id).result["loans"][0]["lender"])


def assert_refused_and_unchanged(engine: Engine, proposal_id: int, change: Any, *fragments: str) -> None:
    change()
    before = reservations(engine)
    decision = proposals.accept(engine, proposal_id, staff(engine, "dispatcher"), TODAY)
    assert decision.status == "stale"
    assert decision.reason is not None
    for fragment in fragments:
        assert fragment in decision.reason
    row = stored(engine, proposal_id)
    assert (row.status, row.decision_reason) == ("stale", decision.reason)
    assert reservations(engine) == before
    assert count(engine, s.loans) == count(engine, s.dispatch_tasks) == 0
    with pytest.raises(proposals.AlreadyDecided):
        proposals.accept(engine, proposal_id, staff(engine, "dispatcher"), TODAY)


def test_a_proposal_whose_lender_was_cancelled_is_refused_as_stale(engine):
    proposal_id = run(engine)
    lender = lender_of(engine, proposal_id)

    def cancel() -> None:
        with engine.begin() as conn:
            conn.execute(update(s.orders).where(s.orders.c.number == lender).values(status="cancelled"))

    assert_refused_and_unchanged(engine, proposal_id, cancel, f"Заказ {lender}", "отменён")
    # Its reservation, still marked active, no longer counts: the next run neither lends from it nor is refused.
    again = run(engine)
    assert lender not in {x["lender"] for x in stored(engine, again).result["loans"]}
    assert proposals.accept(engine, again, staff(engine, "dispatcher"), TODAY).status == "accepted"


def test_a_proposal_whose_reserve_was_consumed_is_refused_as_stale(engine):
    proposal_id = run(engine)
    lender = lender_of(engine, proposal_id)

    def consume() -> None:
        with engine.begin() as conn:
            lines = select(s.order_lines.c.id).join(s.orders).where(s.orders.c.number == lender)
            conn.execute(
                update(s.reservations).where(s.reservations.c.order_line_id.in_(lines)).values(status="consumed")
            )

    assert_refused_and_unchanged(engine, proposal_id, consume, f"Резерв заказа {lender}", "изменился")


def test_reject_keeps_the_reason_and_closes_the_proposal(engine):
    proposal_id = run(engine)
    user = staff(engine, "dispatcher")
    with pytest.raises(proposals.ProposalError, match="Укажите причину"):
        proposals.reject(engine, proposal_id, user, "  ")
    before = reservations(engine)
    decision = proposals.reject(engine, proposal_id, user, "Клиент перенёс отгрузку")
    assert decision.status == "rejected"
    row = stored(engine, proposal_id)
    assert (row.status, row.decision_reason, row.decided_by) == ("rejected", "Клиент перенёс отгрузку", user.id)
    assert reservations(engine) == before
    with pytest.raises(proposals.AlreadyDecided, match="отклонено"):
        proposals.accept(engine, proposal_id, user, TODAY)
    with pytest.raises(proposals.ProposalNotFound):
        proposals.reject(engine, 999, user, "нет такого")


def test_two_dispatchers_accepting_at_once_exactly_one_wins(engine):
    proposal_id = run(engine)
    users = [staff(engine, "dispatcher"), staff(engine, "admin")]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(user: Any) -> None:
        start.wait()
        try:
            outcomes.append(proposals.accept(engine, proposal_id, user, TODAY).status)
        except proposals.AlreadyDecided:
            outcomes.append("already decided")

    threads = [threading.Thread(target=accept, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["accepted", "already decided"]
    row = stored(engine, proposal_id)
    assert count(engine, s.loans) == row.figures["loans"]
    assert count(engine, s.dispatch_tasks) == row.figures["shipped_orders"]


def claims(engine: Engine) -> list[tuple[str, str, str]]:
    """(loan status, claim reservation source, claim reservation status) of every loan."""
    with engine.connect() as conn:
        return [
            (r.status, r.source, r.rstatus)
            for r in conn.execute(
                select(s.loans.c.status, s.reservations.c.source, s.reservations.c.status.label("rstatus")).join(
                    s.reservations, s.reservations.c.id == s.loans.c.lender_reservation_id
                )
            )
        ]


def test_loans_are_repaid_when_the_production_task_is_done(engine):
    proposal_id = run(engine)
    proposals.accept(engine, proposal_id, staff(engine, "dispatcher"), TODAY)
    sources = {x["repayment_source"] for x in stored(engine, proposal_id).result["loans"]}
    assert proposals.settle(engine, TODAY) == []  # nothing has arrived yet
    with engine.begin() as conn:
        conn.execute(update(s.production_tasks).where(s.production_tasks.c.number.in_(sources)).values(status="done"))
    repaid = proposals.settle(engine, TODAY + dt.timedelta(days=7))
    assert len(repaid) == count(engine, s.loans) > 0
    assert set(claims(engine)) == {("repaid", "stock:W1", "active")}
    assert proposals.settle(engine, TODAY + dt.timedelta(days=7)) == []


def test_loans_are_repaid_when_the_supply_order_is_received(engine):
    # Replace the production task that repays this company's loans by a supply order bringing the same goods.
    with engine.begin() as conn:
        task = conn.execute(select(s.production_tasks).where(s.production_tasks.c.number == "ПР-00101")).one()
        conn.execute(update(s.production_tasks).where(s.production_tasks.c.id == task.id).values(status="cancelled"))
        supply_id = conn.execute(
            insert(s.supply_orders)
            .values(number="ПЗ-09001", supplier_id=1, ordered_on=TODAY, eta=task.due, status="open")
            .returning(s.supply_orders.c.id)
        ).scalar_one()
        conn.execute(
            insert(s.supply_order_lines).values(
                supply_order_id=supply_id, item_id=task.item_id, qty=task.qty, price_kop=100_00
            )
        )
    proposal_id = run(engine)
    loans = stored(engine, proposal_id).result["loans"]
    assert loans and {x["repayment_source"] for x in loans} == {"ПЗ-09001"}
    proposals.accept(engine, proposal_id, staff(engine, "dispatcher"), TODAY)
    with engine.connect() as conn:
        assert set(conn.execute(select(s.loans.c.repayment_kind)).scalars()) == {"supply"}
    assert {c[:2] for c in claims(engine)} == {("open", "supply:ПЗ-09001")}
    with engine.begin() as conn:
        conn.execute(update(s.supply_orders).where(s.supply_orders.c.id == supply_id).values(status="received"))
        repaid = proposals.settle_loans(conn, task.due)
    assert len(repaid) == len(loans)
    assert set(claims(engine)) == {("repaid", "stock:W1", "active")}
    with engine.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(s.loans).where(s.loans.c.repaid_at.is_(None))).scalar() == 0
        )


def test_an_unknown_site_is_refused(engine):
    with pytest.raises(proposals.UnknownSite, match="Площадка W9 не найдена"):
        proposals.run_borrowing(engine, "W9", TODAY, staff(engine, "dispatcher"), time_limit=1)
