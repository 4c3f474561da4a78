"""Production tasks from sales demand, from stock minimums and by hand (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import Engine, func, select, update

from central.production import planning
from central.store import schema as s
from tests.production.conftest import TODAY


def _demand_by_hand(engine: Engine, sku: str) -> tuple[int, int, int, dt.date]:
    """Unreserved units of confirmed orders, on hand, reserved on stock, earliest deadline — read plainly."""
    with engine.connect() as conn:
        item = conn.execute(select(s.items.c.id).where(s.items.c.sku == sku)).scalar_one()
        lines = conn.execute(
            select(s.order_lines.c.id, s.order_lines.c.qty, s.orders.c.deadline)
            .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
            .where(s.order_lines.c.item_id == item, s.orders.c.status == "confirmed")
        ).all()
        unreserved, deadlines = 0, []
        for line_id, qty, deadline in lines:
            held = conn.execute(
                select(func.coalesce(func.sum(s.reservations.c.qty), 0)).where(
                    s.reservations.c.order_line_id == line_id, s.reservations.c.status == "active"
                )
            ).scalar_one()
            if qty > held:
                unreserved += qty - held
                deadlines.append(deadline)
        on_hand = conn.execute(select(func.sum(s.stock.c.qty)).where(s.stock.c.item_id == item)).scalar_one()
        reserved = conn.execute(
            select(func.sum(s.reservations.c.qty)).where(
                s.reservations.c.item_id == item, s.reservations.c.status == "active"
            )
        ).scalar_one()
    return unreserved, int(on_hand or 0), int(reserved or 0), min(deadlines)


def test_proposals_from_sales_demand_and_minimums(company: Engine) -> None:
    with company.connect() as conn:
        rows = planning.proposals(conn, TODAY)
    by_sku = {p["sku"]: p for p in rows}
    # ГП-01778: 364 units on confirmed orders, 182 of them reserved from the 182 on hand; nothing in production
    unreserved, on_hand, reserved, first_deadline = _demand_by_hand(company, "ГП-01778")
    assert (unreserved, on_hand, reserved, first_deadline) == (182, 182, 182, dt.date(2026, 11, 26))
    top = by_sku["ГП-01778"]
    assert (top["reason"], top["demand"], top["free"], top["in_production"]) == ("demand", 182, 0, 0)
    assert (top["for_demand"], top["min_stock"], top["for_minimum"], top["qty"]) == (182, 8, 8, 190)
    assert top["due"] == "2026-11-26" and len(top["orders"]) == 14
    assert rows[0]["reason"] == "demand" and rows[-1]["reason"] == "minimum"
    # semi-finished items are never stocked in the demo: each with a minimum is proposed for it, due in 14 days
    semi = next(p for p in rows if p["kind"] == "semi_finished")
    assert (semi["reason"], semi["qty"], semi["free"], semi["due"]) == ("minimum", semi["min_stock"], 0, "2026-12-07")
    assert all(p["kind"] != "component" for p in rows)

    # open production counts: a task for ГП-01778 covering demand and minimum removes the proposal
    with company.begin() as conn:
        created = planning.create_task(conn, "ГП-01778", 190, "2026-11-26", TODAY)
    assert created == {"task": "ПР-00121", "sku": "ГП-01778", "item_name": top["item_name"], "qty": 190,
                       "due": "2026-11-26", "status": "planned"}  # fmt: skip
    with company.connect() as conn:
        assert "ГП-01778" not in {p["sku"] for p in planning.proposals(conn, TODAY)}


def test_a_minimum_above_free_stock_is_proposed_for_the_difference(company: Engine) -> None:
    with company.connect() as conn:
        rows = {p["sku"]: p for p in planning.proposals(conn, TODAY)}
        # a finished item with free stock, no open demand and nothing in production
        demanded = select(s.order_lines.c.item_id).join(s.orders).where(s.orders.c.status.in_(("confirmed", "draft")))
        produced = select(s.production_tasks.c.item_id).where(s.production_tasks.c.status.in_(("planned", "in_work")))
        held = select(s.reservations.c.item_id).where(s.reservations.c.status == "active")
        item_id, sku, on_hand = conn.execute(
            select(s.items.c.id, s.items.c.sku, func.sum(s.stock.c.qty))
            .join(s.stock, s.stock.c.item_id == s.items.c.id)
            .where(s.items.c.kind == "finished", s.items.c.id.not_in(demanded), s.items.c.id.not_in(produced),
                   s.items.c.id.not_in(held))
            .group_by(s.items.c.id, s.items.c.sku)
            .order_by(s.items.c.sku)
            .limit(1)
        ).one()  # fmt: skip
    assert sku not in rows or rows[sku]["reason"] == "minimum"
    with company.begin() as conn:
        conn.execute(update(s.items).where(s.items.c.id == item_id).values(min_stock=int(on_hand) + 5))
    with company.connect() as conn:
        proposal = {p["sku"]: p for p in planning.proposals(conn, TODAY)}[sku]
    assert (proposal["reason"], proposal["free"], proposal["qty"], proposal["for_demand"]) == ("minimum", on_hand, 5, 0)
    assert proposal["due"] == "2026-12-07" and proposal["orders"] == []


REFUSALS = [
    ("", 5, "2026-12-01", "Укажите изделие (артикул)"),
    ("ГП-99999", 5, "2026-12-01", "Номенклатуры с артикулом ГП-99999 нет"),
    ("КМ-00550", 5, "2026-12-01", "покупное комплектующее, его не производят"),
    ("ГП-01908", 0, "2026-12-01", "Количество должно быть больше нуля"),
    ("ГП-01908", "2.5", "2026-12-01", "Количество должно быть целым числом"),
    ("ГП-01908", True, "2026-12-01", "Количество должно быть целым числом"),
    ("ГП-01908", 5, "2026-11-22", "Срок 22.11.2026 уже прошёл"),
    ("ГП-01908", 5, "завтра", "Срок указывается датой ГГГГ-ММ-ДД"),
]


def test_refusals(company: Engine) -> None:
    for sku, qty, due, message in REFUSALS:
        with company.begin() as conn, pytest.raises(planning.TaskRefused, match=re.escape(message)):
            planning.create_task(conn, sku, qty, due, TODAY)
    with company.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.production_tasks)).scalar_one() == 120


def test_numbers_continue_the_demo_format(company: Engine) -> None:
    with company.begin() as conn:
        first = planning.create_task(conn, "ГП-01908", "12", dt.date(2026, 12, 20), TODAY)
        second = planning.create_task(conn, " ГП-01908 ", 3, "2026-11-23", TODAY)
    assert (first["task"], second["task"]) == ("ПР-00121", "ПР-00122")
    with company.connect() as conn:
        row = conn.execute(
            select(s.production_tasks.c.qty, s.production_tasks.c.status, s.production_tasks.c.due).where(
                s.production_tasks.c.number == "ПР-00121"
            )
        ).one()
    assert tuple(row) == (12, "planned", dt.date(2026, 12, 20))
