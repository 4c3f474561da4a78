"""The demo company: the amounts the foundation promises, valid requisites, determinism, refusal to reseed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from stdnum import ean
from stdnum.ru import inn, ogrn

from central.demo.company import DatabaseNotEmpty, demo_logins, seed_company
from central.demo.requisites import account_is_valid
from central.store import schema as s
from central.store.engine import create_central_engine, migrate
from devices.barcodes import CellCode, interpret

TODAY = dt.date(2026, 11, 23)


def seeded(url: str):
    engine = create_central_engine(url)
    migrate(engine)
    summary = seed_company(engine, scale=1, seed=7, today=TODAY)
    return engine, summary


def count(conn, table, *where):
    return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_amounts_and_validity(database_url):
    engine, summary = seeded(database_url)
    with engine.connect() as conn:
        assert count(conn, s.items) >= 2000
        assert {k for (k,) in conn.execute(select(s.items.c.kind).distinct())} == {
            "component",
            "semi_finished",
            "finished",
        }
        finished = [i for (i,) in conn.execute(select(s.items.c.id).where(s.items.c.kind == "finished"))]
        with_bom = {i for (i,) in conn.execute(select(s.bom_lines.c.item_id).distinct())}
        with_routing = {i for (i,) in conn.execute(select(s.routing_operations.c.item_id).distinct())}
        assert set(finished) <= with_bom & with_routing
        w1 = conn.execute(select(s.sites.c.id).where(s.sites.c.code == "W1")).scalar_one()
        assert count(conn, s.cells, s.cells.c.site_id == w1) >= 1000
        assert count(conn, s.customers) == 150
        assert count(conn, s.workers) == 40
        assert count(conn, s.users, s.users.c.role == "sales_manager") == 10
        assert count(conn, s.vehicles) == 3
        assert count(conn, s.order_lines) >= 10_000
        first, last = conn.execute(select(func.min(s.orders.c.created_at), func.max(s.orders.c.created_at))).one()
        assert (last - first).days >= 700
        for (code,) in conn.execute(select(s.items.c.ean13)):
            assert ean.is_valid(code) and code[:2] == "46"
        for (code,) in conn.execute(select(s.cells.c.barcode)):
            assert isinstance(interpret(code), CellCode)
        for row in conn.execute(select(s.customers)):
            assert inn.is_valid(row.inn) and ogrn.is_valid(row.ogrn)
            assert (row.kpp is None) == (len(row.inn) == 12)
            assert account_is_valid(row.bank_bik, row.settlement_account)
            assert account_is_valid(row.bank_bik, row.correspondent_account, correspondent=True)
        reserved = dict(
            conn.execute(
                select(s.reservations.c.item_id, func.sum(s.reservations.c.qty)).group_by(s.reservations.c.item_id)
            ).all()
        )
        on_hand = dict(
            conn.execute(
                select(s.stock.c.item_id, func.sum(s.stock.c.qty))
                .where(s.stock.c.site_id == w1)
                .group_by(s.stock.c.item_id)
            ).all()
        )
        assert reserved
        assert all(qty <= on_hand.get(item, 0) for item, qty in reserved.items())
        assert count(conn, s.supply_orders, s.supply_orders.c.status == "open") > 0
        assert isinstance(conn.execute(select(s.invoices.c.amount_kop)).scalar(), int)
    assert summary.counts["order_lines"] >= 10_000
    with pytest.raises(DatabaseNotEmpty, match="В базе уже есть компания"):
        seed_company(engine, scale=1, seed=7, today=TODAY)
    if engine.dialect.name == "postgresql":  # sequences continue after the seeded ids
        with engine.begin() as conn:
            new_id = conn.execute(
                s.sites.insert().values(code="W9", name="Новый", kind="warehouse").returning(s.sites.c.id)
            ).scalar_one()
        assert new_id == 3
    engine.dispose()


def test_same_seed_same_company(tmp_path):
    rows = []
    for name in ("a", "b"):
        engine, _ = seeded(f"sqlite:///{tmp_path / name}.db")
        with engine.connect() as conn:
            rows.append(
                [
                    conn.execute(select(t).order_by(t.c.id).limit(300)).all()
                    for t in (s.items, s.customers, s.orders, s.order_lines, s.reservations)
                ]
            )
        engine.dispose()
    assert rows[0] == rows[1]


def test_demo_logins_cover_every_role():
    logins = demo_logins()
    assert logins[0].login == "admin"
    assert {login.role for login in logins} == set(s.ROLES)
    assert all(login.password == "demo" for login in logins)
