"""Prices (PRICE-1, PRICE-2) on SQLite and PostgreSQL through the office pages and the API: only the commercial
director changes prices and lists, a manager's request goes through the register of planned work, and orders are
priced by the price effective on their day."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from central.store import schema as s
from tests.sales.office import Clock, office, rows, signed_in
from tests.sales.test_order_pages import created, text

PRICE_TABLES = (s.item_prices, s.price_lists, s.customers, s.planned_work)
WHOLESALE_1 = 2


@pytest.fixture
def shop(database_url: str) -> Iterator[tuple[Any, Any, Clock]]:
    with office(database_url) as parts:
        yield parts


def line_price(engine: Any, order_id: int, sku: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(s.order_lines.c.price_kop)
                .join(s.items, s.items.c.id == s.order_lines.c.item_id)
                .where(s.order_lines.c.order_id == order_id, s.items.c.sku == sku)
            ).scalar_one()
        )


def notices(engine: Any, kind: str) -> list[tuple[int, str, str]]:
    n = s.notifications.c
    with engine.connect() as conn:
        return [
            (int(r.user_id), r.subject, r.body)
            for r in conn.execute(select(n.user_id, n.subject, n.body).where(n.kind == kind).order_by(n.id))
        ]


def test_price_list_page_shows_todays_price_the_next_one_and_the_history(shop):
    app, _, _ = shop
    mgr1 = signed_in(app, "mgr1")
    page = text(mgr1.get(f"/prices?list={WHOLESALE_1}"))
    # K-1 in wholesale 1: 130,00 since 01.01.2026, 125,00 planned from 01.12.2026; cost 100,00
    assert "K-1 Изделие K-1 100,00 ₽ 130,00 ₽ 2026-01-01 125,00 ₽ с 2026-12-01 История" in page
    assert "K-6 Изделие K-6 300,00 ₽ 290,00 ₽ 2026-01-01" in page
    assert "Запросить изменение цены" in page and "Установить цену" not in page
    history = text(mgr1.get(f"/prices/history?list={WHOLESALE_1}&sku=K-1"))
    assert (
        "2026-12-01 125,00 ₽ при загрузке данных 2026-01-01 130,00 ₽ при загрузке данных 2025-06-01 140,00 ₽" in history
    )
    lists = mgr1.get("/api/v1/price-lists").json()["price_lists"]
    assert [(pl["code"], pl["kind_title"], pl["customers"]) for pl in lists] == [
        ("retail", "Розница", 1),
        ("wholesale_1", "Опт 1", 1),
    ]
    items = {i["sku"]: i for i in mgr1.get(f"/api/v1/price-lists/{WHOLESALE_1}").json()["items"]}
    assert items["K-1"] | {} == {
        "item_id": 1, "sku": "K-1", "name": "Изделие K-1", "planned_cost_kop": 10_000, "price_kop": 13_000,
        "since": "2026-01-01", "next_price_kop": 12_500, "next_from": "2026-12-01", "retail_kop": None,
    }  # fmt: skip
    assert "K-2 Изделие K-2 200,00 ₽ 300,00 ₽ (розница)" in page  # not in the list: sold at the retail price
    director = signed_in(app, "director")
    assert "Установить цену" in text(director.get("/prices")) and "Прайс-лист клиента" in director.get("/prices").text


def test_only_the_commercial_director_changes_prices_and_lists(shop):
    app, engine, _ = shop
    before = rows(engine, *PRICE_TABLES)
    refused = "Недостаточно прав: цены и прайс-листы меняет только коммерческий директор"
    form = {"price_list_id": str(WHOLESALE_1), "sku": "K-1", "price": "150,00", "effective_from": "2026-11-24"}
    body = {"price_list_id": WHOLESALE_1, "sku": "K-1", "price_kop": 15_000, "effective_from": "2026-11-24"}
    for login in ("mgr1", "dispatcher"):
        client = signed_in(app, login)
        page = client.post("/prices/set", data=form)
        assert page.status_code == 403 and refused in text(page)
        api = client.post("/api/v1/prices", json=body)
        assert api.status_code == 403 and api.json() == {"detail": refused}
        assert client.post("/prices/personal", data={"customer_id": "2"}).status_code == 403
        assert client.post("/prices/assign", data={"customer_id": "2", "price_list_id": "2"}).status_code == 403
        assert client.post("/api/v1/customers/2/price-list", json={"price_list_id": 2}).status_code == 403
        assert client.post("/api/v1/price-lists/personal", json={"customer_id": 2}).status_code == 403
    buyer = signed_in(app, "buyer").get("/prices")
    assert buyer.status_code == 403
    assert "Недостаточно прав: цены видят менеджеры продаж, коммерческий директор и директор" in text(buyer)
    assert rows(engine, *PRICE_TABLES) == before


@pytest.mark.parametrize(
    ("price", "since", "message"),
    [
        ("99,99", "2026-11-24", "Цена 99,99 ₽ для K-1 ниже плановой себестоимости 100,00 ₽: продажа в убыток запрещена"),
        ("150", "2026-11-22", "Дата начала действия 22.11.2026 уже прошла: цена действует с сегодняшнего дня или позже"),
        ("сто", "2026-11-24", "Цена «сто» не понятна: укажите рубли и копейки, например 1234,50"),
        ("150", "завтра", "Дата начала действия: нужна дата в виде ГГГГ-ММ-ДД"),
    ],
)  # fmt: skip
def test_director_price_below_cost_or_in_the_past_is_refused(shop, price, since, message):
    app, engine, _ = shop
    director = signed_in(app, "director")
    before = rows(engine, *PRICE_TABLES)
    page = director.post(
        "/prices/set", data={"price_list_id": str(WHOLESALE_1), "sku": "K-1", "price": price, "effective_from": since}
    )
    assert page.status_code == 422 and message in text(page)
    assert rows(engine, *PRICE_TABLES) == before


def test_a_price_effective_tomorrow_does_not_price_todays_order(shop):
    app, engine, clock = shop
    director = signed_in(app, "director")
    form = {"price_list_id": str(WHOLESALE_1), "sku": "K-2", "price": "250,00", "effective_from": "2026-11-24"}
    set_ = director.post("/prices/set", data=form)
    assert set_.status_code == 303 and set_.headers["location"] == "/prices?list=2&q=K-2&done=price"
    listed = text(director.get(set_.headers["location"]))
    assert (
        "Цена установлена." in listed and "K-2 Изделие K-2 200,00 ₽ 300,00 ₽ (розница) 250,00 ₽ с 2026-11-24" in listed
    )
    mgr1 = signed_in(app, "mgr1")
    today = created(mgr1, 1, {"K-2": 1})
    assert line_price(engine, today, "K-2") == 30_000  # not in wholesale 1 today: the retail price
    clock.today, clock.now = dt.date(2026, 11, 24), clock.now + dt.timedelta(days=1)
    tomorrow = created(mgr1, 1, {"K-2": 1})
    assert line_price(engine, tomorrow, "K-2") == 25_000
    with engine.connect() as conn:
        entry = conn.execute(
            select(s.audit_log.c.actor, s.audit_log.c.target, s.audit_log.c.after).where(
                s.audit_log.c.action == "price.set"
            )
        ).one()
        set_by = conn.execute(select(s.item_prices.c.set_by).where(s.item_prices.c.price_kop == 25_000)).scalar_one()
    assert (entry.actor, entry.target) == ("director", "прайс-лист wholesale_1, K-2")
    assert json.loads(entry.after) == {"effective_from": "2026-11-24", "price_kop": 25_000}
    assert set_by == 4
    history = text(director.get(f"/prices/history?list={WHOLESALE_1}&sku=K-2"))
    assert "2026-11-24 250,00 ₽ Сотрудник director" in history


def test_manager_request_goes_to_planned_work_and_the_approved_price_starts_on_the_date_asked(shop):
    app, engine, clock = shop
    mgr1 = signed_in(app, "mgr1")
    form = {"price_list_id": str(WHOLESALE_1), "sku": "K-1", "price": "120,00", "effective_from": "2026-12-05",
            "reason": "Конкурент продаёт дешевле"}  # fmt: skip
    asked = mgr1.post("/prices/request", data=form)
    assert asked.status_code == 303
    assert "Запрос отправлен коммерческому директору в план работ." in text(mgr1.get(asked.headers["location"]))
    assert notices(engine, "price_request") == [
        (4, "Запрос на изменение цены K-1 в «Опт 1»",
         "Сотрудник mgr1 просит установить цену 120,00 ₽ на K-1 «Изделие K-1» в прайс-листе «Опт 1» с 05.12.2026. "
         "Причина: Конкурент продаёт дешевле"),
    ]  # fmt: skip
    director = signed_in(app, "director")
    register = director.get("/planned-work")
    assert 'data-status="open"' in register.text
    assert "Цена K-1 «Изделие K-1» в «Опт 1»: 120,00 ₽ с 2026-12-05" in text(register)
    assert "Конкурент продаёт дешевле" in text(signed_in(app, "mgr1").get("/prices"))  # the manager's own requests
    assert signed_in(app, "mgr2").get("/api/v1/planned-work").json() == {"entries": []}
    [entry] = director.get("/api/v1/planned-work").json()["entries"]

    assert signed_in(app, "mgr1").post(f"/planned-work/{entry['id']}/approve").status_code == 403
    approved = director.post(f"/planned-work/{entry['id']}/approve")
    assert approved.status_code == 303 and approved.headers["location"] == "/planned-work"
    with engine.connect() as conn:
        price = conn.execute(
            select(s.item_prices.c.price_kop, s.item_prices.c.set_by).where(
                s.item_prices.c.price_list_id == WHOLESALE_1,
                s.item_prices.c.item_id == 1,
                s.item_prices.c.effective_from == dt.date(2026, 12, 5),
            )
        ).one()
        status = conn.execute(select(s.planned_work.c.status, s.planned_work.c.decided_by)).one()
    assert tuple(price) == (12_000, 4) and tuple(status) == ("approved", 4)
    assert notices(engine, "price_request_decided") == [
        (2, "Запрос цены K-1 одобрен", "Цена 120,00 ₽ на K-1 действует с 05.12.2026.")
    ]
    again = director.post(f"/api/v1/price-requests/{entry['id']}/approve")
    assert again.status_code == 409 and again.json() == {"detail": f"Запрос №{entry['id']} уже рассмотрен: одобрено"}
    clock.today = dt.date(2026, 12, 4)
    assert line_price(engine, created(mgr1, 1, {"K-1": 1}), "K-1") == 12_500
    clock.today = dt.date(2026, 12, 5)
    assert line_price(engine, created(mgr1, 1, {"K-1": 1}), "K-1") == 12_000


def test_rejected_request_tells_the_manager_why_and_changes_no_price(shop):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    body = {"price_list_id": WHOLESALE_1, "sku": "K-1", "price_kop": 11_000, "effective_from": "2026-11-23",
            "reason": "Крупный заказ"}  # fmt: skip
    answer = mgr1.post("/api/v1/price-requests", json=body)
    assert answer.status_code == 201
    entry_id = answer.json()["id"]
    director = signed_in(app, "director")
    before = rows(engine, s.item_prices)
    empty = director.post(f"/planned-work/{entry_id}/reject", data={"note": " "})
    assert empty.status_code == 422 and "Укажите причину отказа: менеджер получит её в уведомлении" in text(empty)
    api_empty = director.post(f"/api/v1/price-requests/{entry_id}/reject", json={"note": ""})
    assert api_empty.status_code == 422 and api_empty.json() == {
        "detail": "Неверные данные: note — не может быть пустым"
    }
    rejected = director.post(f"/api/v1/price-requests/{entry_id}/reject", json={"note": "Маржа слишком мала"})
    assert rejected.json() == {"id": entry_id, "status": "rejected"}
    assert rows(engine, s.item_prices) == before
    assert notices(engine, "price_request_decided") == [
        (
            2,
            "Запрос цены K-1 отклонён",
            "Коммерческий директор отклонил запрос цены 110,00 ₽ на K-1: Маржа слишком мала",
        )
    ]
    assert "Отклонено: Маржа слишком мала" in text(director.get("/planned-work"))


def test_request_below_cost_is_refused_and_not_registered(shop):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    form = {"price_list_id": "2", "sku": "K-1", "price": "50", "effective_from": "2026-11-23", "reason": "акция"}
    page = mgr1.post("/prices/request", data=form)
    assert page.status_code == 422
    assert "Цена 50,00 ₽ для K-1 ниже плановой себестоимости 100,00 ₽: продажа в убыток запрещена" in text(page)
    assert rows(engine, s.planned_work, s.notifications) == {"planned_work": [], "notifications": []}
    director = signed_in(app, "director")
    body = {"price_list_id": 2, "sku": "K-1", "price_kop": 15_000, "effective_from": "2026-11-23", "reason": "акция"}
    own = director.post("/api/v1/price-requests", json=body)  # the director sets prices, never asks for them
    assert own.status_code == 403


def test_personal_price_list_created_assigned_and_used_for_the_customers_orders(shop):
    app, engine, _ = shop
    director = signed_in(app, "director")
    created_list = director.post("/prices/personal", data={"customer_id": "2"})
    assert created_list.status_code == 303
    list_id = int(created_list.headers["location"].split("list=")[1].split("&")[0])
    with engine.connect() as conn:
        assert conn.execute(select(s.customers.c.price_list_id).where(s.customers.c.id == 2)).scalar_one() == list_id
        plist = conn.execute(select(s.price_lists).where(s.price_lists.c.id == list_id)).one()
    assert (plist.code, plist.name, plist.kind) == ("personal-c2", "Персональный: ООО «Бета»", "personal")
    twice = director.post("/api/v1/price-lists/personal", json={"customer_id": 2})
    assert twice.status_code == 409 and twice.json() == {
        "detail": "У клиента «ООО «Бета»» уже есть персональный прайс-лист"
    }
    set_ = director.post(
        "/prices/set",
        data={"price_list_id": str(list_id), "sku": "K-1", "price": "110", "effective_from": "2026-11-23"},
    )
    assert set_.status_code == 303
    mgr2 = signed_in(app, "mgr2")
    order = created(mgr2, 2, {"K-1": 1, "K-2": 1})
    assert (line_price(engine, order, "K-1"), line_price(engine, order, "K-2")) == (11_000, 30_000)
    back = director.post("/prices/assign", data={"customer_id": "2", "price_list_id": "1"})
    assert back.status_code == 303
    assert line_price(engine, created(mgr2, 2, {"K-1": 1}), "K-1") == 15_000
    with engine.connect() as conn:
        changes = [
            json.loads(after)
            for after in conn.execute(
                select(s.audit_log.c.after)
                .where(s.audit_log.c.action == "customer.price_list")
                .order_by(s.audit_log.c.seq)
            ).scalars()
        ]
    assert changes == [{"price_list_id": list_id}, {"price_list_id": 1}]
