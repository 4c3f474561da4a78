"""The dispatcher's board (DISP-1) on the demo company: stage, «комплект» and «оплата OK» of hand-built orders."""

from __future__ import annotations

from sqlalchemy import func, select

from central.dispatch.board import OPEN_STATUSES, BoardQuery, board
from central.orders import service
from central.store import schema as s
from tests.board.helpers import NOW, confirmed_order, free_skus, pay, short_sku
from tests.dispatch.company import staff


def _row(engine, number):
    with engine.connect() as conn:
        (row,) = board(conn, BoardQuery(search=number)).rows
    return row


def test_flags_of_hand_built_orders(company):
    a, b, c = free_skus(company, 5)
    _, paid = confirmed_order(company, [(a, 3), (b, 2)])
    paid_id = _row(company, paid).order_id
    pay(company, paid_id)
    _, unpaid = confirmed_order(company, [(c, 4)])
    _, short = confirmed_order(company, [(a, 1), (short_sku(company), 2)], form="deferral", variant="wait")
    advance_id, advance = confirmed_order(company, [(b, 1)], form="advance")
    pay(company, advance_id, share_percent=50)

    found = {n: _row(company, n) for n in (paid, unpaid, short, advance)}
    flags = {
        n: (r.stage.code, r.stage.complete, r.stage.site, r.stage.payment_ok, r.releasable) for n, r in found.items()
    }
    assert flags == {
        paid: ("paid", True, "W1", True, True),
        unpaid: ("confirmed", True, "W1", False, False),
        short: ("confirmed", False, None, True, False),  # deferral: paid after shipment, but not complete
        advance: ("invoiced", True, "W1", True, True),  # half of an advance order paid is enough
    }
    assert found[paid].stage.paid_kop == found[paid].total_kop > 0
    assert found[paid].customer and found[paid].manager

    with company.connect() as conn:
        ready = board(conn, BoardQuery(ready_only=True, per_page=500))
        paid_stage = board(conn, BoardQuery(stage="paid", per_page=500))
    ready_numbers = {r.number for r in ready.rows}
    assert {paid, advance} <= ready_numbers and not {unpaid, short} & ready_numbers
    assert all(r.releasable for r in ready.rows) and ready.total == ready.ready == len(ready.rows)
    assert paid in {r.number for r in paid_stage.rows} and all(r.stage.code == "paid" for r in paid_stage.rows)


def test_open_orders_by_deadline_in_pages_and_finished_on_request(company):
    with company.connect() as conn:
        open_count = conn.execute(
            select(func.count()).select_from(s.orders).where(s.orders.c.status.in_(OPEN_STATUSES))
        ).scalar_one()
        first = board(conn, BoardQuery())
        everything = board(conn, BoardQuery(per_page=500))
        last = board(conn, BoardQuery(page=999))
    assert open_count > 300  # the demo company's confirmed orders (drafts are not on the board)
    assert first.total == open_count and len(first.rows) == 50 and first.pages == -(-open_count // 50)
    assert last.page == first.pages and len(last.rows) == open_count - 50 * (first.pages - 1)
    deadlines = [(r.deadline, r.order_id) for r in everything.rows]
    assert deadlines == sorted(deadlines)
    assert sum(everything.counts.values()) == open_count and "draft" not in everything.counts

    order_id, number = confirmed_order(company, [(free_skus(company, 2)[0], 1)])
    service.cancel_order(company, staff(company, "dispatcher"), order_id, NOW)
    with company.connect() as conn:
        assert board(conn, BoardQuery(search=number)).rows == []
        (cancelled,) = board(conn, BoardQuery(search=number, finished=True)).rows
    assert (cancelled.stage.code, cancelled.releasable) == ("cancelled", False)
