"""The orders API (ORD-1..5, PRICE-1) over HTTP with bearer tokens, on SQLite and PostgreSQL, exact figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from central.app import create_app
from central.auth.tokens import issue_token
from central.orders import routes
from central.settings import CentralSettings
from central.store import schema as s
from tests.orders.shop import C1, C2, NOW, TODAY, USERS, active_stock_reserved, build, count


class Api:
    def __init__(self, client: TestClient, secret: str) -> None:
        self.client = client
        self.secret = secret
        self.moment = NOW

    def headers(self, login: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(self.secret, list(USERS).index(login) + 1)}"}

    def get(self, login: str, url: str) -> Any:
        return self.client.get(url, headers=self.headers(login))

    def post(self, login: str, url: str, body: Any = None) -> Any:
        return self.client.post(url, json=body, headers=self.headers(login))

    def order(self, login: str, customer: int, lines: dict[str, int], **extra: Any) -> dict[str, Any]:
        body = {"customer_id": customer, "lines": [{"sku": k, "qty": v} for k, v in lines.items()], **extra}
        response = self.post(login, "/api/v1/orders", body)
        assert response.status_code == 201, response.text
        return dict(response.json())


@pytest.fixture
def api(database_url: str) -> Iterator[tuple[Api, Engine]]:
    engine = build(database_url)
    settings = CentralSettings(database_url=database_url, environment="test")
    app = create_app(settings, engine=engine)
    client = Api(TestClient(app), settings.secret_key.get_secret_value())
    app.dependency_overrides[routes.today] = lambda: TODAY
    app.dependency_overrides[routes.now] = lambda: client.moment
    yield client, engine
    engine.dispose()


def test_create_prices_lines_from_the_customers_list_effective_today(api):
    client, _ = api
    order = client.order("mgr1", C1, {"K-1": 2, "K-2": 1})
    assert order["number"] == f"З-{order['id']:07d}" and order["status"] == "draft"
    lines = {line["sku"]: line for line in order["lines"]}
    # wholesale 1 price of 01.01.2026 (not the 2025 one, not the one from 01.12); K-2 is not in the list: retail
    assert (lines["K-1"]["price_kop"], lines["K-1"]["amount_kop"]) == (13_000, 26_000)
    assert lines["K-2"]["price_kop"] == 30_000
    assert order["total_kop"] == 56_000
    assert lines["K-1"]["check"] == {
        "available_now": 2, "short": 0, "complete": True, "eta": None, "eta_source": None, "basis": None
    }  # fmt: skip
    assert [v["kind"] for v in order["variants"]] == ["complete"]
    assert order["manager"]["login"] == "mgr1" and order["deficit"] == [] and order["reservations"] == []
    assert order["deadline"] == TODAY.isoformat()
    assert client.get("mgr1", f"/api/v1/orders/{order['id']}").json() == order


def test_sale_below_planned_cost_is_refused_and_nothing_is_written(api):
    client, engine = api
    response = client.post("director", "/api/v1/orders", {"customer_id": C1, "lines": [{"sku": "K-6", "qty": 1}]})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Продажа ниже плановой себестоимости запрещена: K-6 по цене 290,00 ₽ при себестоимости 300,00 ₽. "
        "Цену меняет коммерческий директор"
    )
    assert count(engine, s.orders) == 0 and count(engine, s.order_lines) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"customer_id": C1, "lines": [{"sku": "Z-9", "qty": 1}]}, "Неизвестные артикулы: Z-9"),
        ({"customer_id": 99, "lines": [{"sku": "K-1", "qty": 1}]}, "Клиент №99 не найден"),
        ({"customer_id": C1, "lines": [{"sku": "K-1", "qty": 0}]}, "Неверные данные: lines.0.qty — должно быть больше нуля"),
        ({"customer_id": C1, "lines": []}, "Неверные данные: lines — не может быть пустым"),
        ({"lines": [{"sku": "K-1", "qty": 1}]}, "Неверные данные: customer_id — обязательное поле"),
        ({"customer_id": C1, "lines": [{"sku": "K-1", "qty": 1}], "desired_date": "2026-11-01"},
         "Желаемая дата 01.11.2026 уже прошла"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_russian_422_and_writes_nothing(api, body, message):
    client, engine = api
    response = client.post("mgr1", "/api/v1/orders", body)
    assert response.status_code == 422
    assert response.json()["detail"] == message
    assert count(engine, s.orders) == 0


def test_roles_and_ownership(api):
    client, _ = api
    order = client.order("mgr1", C1, {"K-1": 1})
    url = f"/api/v1/orders/{order['id']}"
    assert client.client.get(url).status_code == 401
    forbidden = client.get("picker", url)
    assert forbidden.status_code == 403 and "Недостаточно прав" in forbidden.json()["detail"]
    other = client.get("mgr2", url)
    assert other.status_code == 403 and other.json()["detail"].startswith("Это заказ другого менеджера")
    assert client.post("mgr2", url + "/confirm", {"variant": "complete"}).status_code == 403
    assert client.post("mgr2", url + "/cancel").status_code == 403
    for login in ("director", "dispatcher", "admin"):
        assert client.get(login, url).status_code == 200
    refused = client.post("mgr2", "/api/v1/orders", {"customer_id": C1, "lines": [{"sku": "K-1", "qty": 1}]})
    assert refused.status_code == 403 and "другим менеджером" in refused.json()["detail"]
    # the director acts for any customer; the order belongs to the customer's manager
    assert client.order("director", C1, {"K-1": 1})["manager"]["login"] == "mgr1"
    assert client.get("picker", "/api/v1/items/K-1/availability").status_code == 403
    assert client.get("buyer", "/api/v1/items/K-1/availability").status_code == 200
    assert client.get("buyer", "/api/v1/deficit").status_code == 200
    assert (
        client.post("buyer", "/api/v1/orders", {"customer_id": C1, "lines": [{"sku": "K-1", "qty": 1}]}).status_code
        == 403
    )
    assert client.get("admin", "/api/v1/orders/999").json() == {"detail": "Заказ №999 не найден"}


def test_availability_figures_by_hand(api):
    client, _ = api
    body = client.get("mgr1", "/api/v1/items/K-1/availability").json()
    assert (body["on_hand"], body["reserved"], body["free"]) == (13, 0, 13)  # S1 (the shop's store) is not for sale
    order = client.order("mgr1", C1, {"K-1": 12})
    confirmed = client.post("mgr1", f"/api/v1/orders/{order['id']}/confirm", {"variant": "complete"}).json()
    assert confirmed["status"] == "confirmed" and confirmed["variant"]["kind"] == "complete"
    assert sorted((r["site"], r["qty"], r["source"]) for r in confirmed["reservations"]) == [
        ("W1", 10, "stock:W1"), ("W2", 2, "stock:W2")
    ]  # fmt: skip
    assert {r["expires_at"] for r in confirmed["reservations"]} == {"2026-12-04T00:00:00+00:00"}  # end of 03.12
    body = client.get("dispatcher", "/api/v1/items/K-1/availability").json()
    assert (body["on_hand"], body["reserved"], body["free"]) == (13, 12, 1)
    assert body["sites"] == [
        {"site": "W1", "on_hand": 10, "reserved": 10, "free": 0},
        {"site": "W2", "on_hand": 3, "reserved": 2, "free": 1},
    ]
    k2 = client.get("mgr1", "/api/v1/items/K-2/availability").json()
    assert (k2["on_hand"], k2["reserved"], k2["free"], k2["lead_time_days"]) == (3, 0, 3, 20)
    assert [(i["source"], i["eta"], i["qty"], i["free"]) for i in k2["inbound"]] == [
        ("supply:ПЗ-00001", "2026-12-03", 5, 5), ("supply:ПЗ-00002", "2026-12-10", 10, 10)
    ]  # fmt: skip
    k3 = client.get("mgr1", "/api/v1/items/K-3/availability").json()
    assert [(i["kind"], i["number"], i["eta"]) for i in k3["inbound"]] == [("production", "ПР-00001", "2026-12-05")]
    assert client.get("mgr1", "/api/v1/items/NOPE/availability").json() == {"detail": "Артикул NOPE не найден"}


def test_partial_reserves_stock_now_and_supplies_in_order_of_arrival(api):
    client, _ = api
    order = client.order("mgr1", C1, {"K-2": 10})
    check = order["lines"][0]["check"]
    assert (check["available_now"], check["short"], check["eta"], check["eta_source"]) == (
        3, 7, "2026-12-10", "supply:ПЗ-00002"
    )  # fmt: skip
    assert check["basis"] == "заказ поставщику ПЗ-00002"
    assert [v["kind"] for v in order["variants"]] == ["wait", "partial"]
    assert order["deficit"][0]["short"] == 7 and order["deadline"] == "2026-12-10"
    done = client.post("mgr1", f"/api/v1/orders/{order['id']}/confirm", {"variant": "partial"}).json()
    assert [(r["source"], r["qty"], r["expires_at"][:10]) for r in done["reservations"]] == [
        ("stock:W1", 3, "2026-12-04"), ("supply:ПЗ-00001", 5, "2026-12-14"), ("supply:ПЗ-00002", 2, "2026-12-21")
    ]  # fmt: skip
    assert done["variant"]["shipments"] == [
        {"on": "2026-11-23", "lines": [{"sku": "K-2", "qty": 3}]},
        {"on": "2026-12-10", "lines": [{"sku": "K-2", "qty": 7}]},
    ]
    assert done["lines"][0]["check"]["eta"] == "2026-12-10" and done["lines"][0]["reserved"] == 10
    k2 = client.get("mgr1", "/api/v1/items/K-2/availability").json()
    assert (k2["reserved"], k2["free"]) == (3, 0)
    assert [(i["source"], i["reserved"], i["free"]) for i in k2["inbound"]] == [
        ("supply:ПЗ-00001", 5, 0), ("supply:ПЗ-00002", 2, 8)
    ]  # fmt: skip
    # the next order counts only on what is left of the supplies
    later = client.order("mgr2", C2, {"K-2": 9})
    assert later["lines"][0]["check"]["eta_source"] == "lead_time"
    assert later["lines"][0]["check"]["eta"] == "2026-12-13"  # 20 days from today
    again = client.post("mgr1", f"/api/v1/orders/{order['id']}/confirm", {"variant": "partial"})
    assert again.status_code == 409 and again.json()["detail"] == f"Заказ {order['number']} уже подтверждён"


def test_wait_holds_stock_until_complete_and_leaves_the_rest_in_the_deficit(api):
    client, _ = api
    order = client.order("mgr1", C1, {"K-1": 1, "K-4": 5})
    assert [v["kind"] for v in order["variants"]] == ["wait", "partial"]
    complete = client.post("mgr1", f"/api/v1/orders/{order['id']}/confirm", {"variant": "complete"})
    assert complete.status_code == 409
    assert complete.json()["detail"] == (
        "Полное исполнение сейчас невозможно: свободного остатка не хватает: K-4 — не хватает 5 шт. (свободно 0). "
        "Доступные варианты: ожидание полной комплектации, частичное исполнение"
    )
    done = client.post("mgr1", f"/api/v1/orders/{order['id']}/confirm", {"variant": "wait"}).json()
    assert done["variant"]["shipments"] == [
        {"on": "2026-12-07", "lines": [{"sku": "K-1", "qty": 1}, {"sku": "K-4", "qty": 5}]}
    ]
    # the stock part is held until the complete shipment (07.12) plus the term
    assert [(r["sku"], r["qty"], r["expires_at"][:10]) for r in done["reservations"]] == [("K-1", 1, "2026-12-18")]
    assert done["deadline"] == "2026-12-07"
    assert done["deficit"] == [
        {"sku": "K-4", "name": "Изделие K-4", "requested": 5, "available_now": 0, "short": 5, "eta": "2026-12-07",
         "eta_source": "lead_time", "basis": "срок поставки поставщика 14 дн. от сегодня"}
    ]  # fmt: skip


def test_substitute_replaces_the_short_part_with_an_analogue_from_stock(api):
    client, engine = api
    order = client.order("mgr2", C2, {"K-2": 5})
    url = f"/api/v1/orders/{order['id']}/confirm"
    missing = client.post("mgr2", url, {"variant": "substitute"})
    assert missing.status_code == 422 and "укажите аналоги" in missing.json()["detail"]
    done = client.post("mgr2", url, {"variant": "substitute", "substitutes": {"K-2": "K-5"}}).json()
    assert [(line["sku"], line["qty"], line["price_kop"]) for line in done["lines"]] == [
        ("K-2", 3, 30_000), ("K-5", 2, 32_000)
    ]  # fmt: skip
    assert done["total_kop"] == 3 * 30_000 + 2 * 32_000
    assert [(r["sku"], r["qty"], r["source"]) for r in done["reservations"]] == [
        ("K-2", 3, "stock:W1"), ("K-5", 2, "stock:W1")
    ]  # fmt: skip
    assert done["variant"]["kind"] == "substitute" and done["deficit"] == []
    assert active_stock_reserved(engine, "K-5") == 2


def test_cancel_releases_reservations(api):
    client, _ = api
    order = client.order("mgr1", C1, {"K-2": 3, "K-1": 5})
    client.post("mgr1", f"/api/v1/orders/{order['id']}/confirm", {"variant": "complete"})
    assert client.get("mgr1", "/api/v1/items/K-2/availability").json()["free"] == 0
    cancelled = client.post("mgr1", f"/api/v1/orders/{order['id']}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["released"] == 2
    assert {r["status"] for r in cancelled["reservations"]} == {"released"}
    assert client.get("mgr1", "/api/v1/items/K-2/availability").json()["free"] == 3
    again = client.post("mgr1", f"/api/v1/orders/{order['id']}/cancel")
    assert again.status_code == 409 and again.json()["detail"] == f"Заказ {order['number']} уже отменён"
    refused = client.post("mgr1", f"/api/v1/orders/{order['id']}/confirm", {"variant": "complete"})
    assert refused.status_code == 409


def test_expiry_releases_after_the_term(api):
    client, _ = api
    order = client.order("mgr1", C1, {"K-2": 3})
    client.post("mgr1", f"/api/v1/orders/{order['id']}/confirm", {"variant": "complete"})
    client.moment = NOW + dt.timedelta(days=10)  # 03.12 09:00: still within the term (until the end of 03.12)
    assert client.post("admin", "/api/v1/reservations/expire").json() == {"expired": []}
    client.moment = dt.datetime(2026, 12, 4, 0, 0, tzinfo=dt.UTC)
    # availability runs the expiry first
    assert client.get("mgr2", "/api/v1/items/K-2/availability").json()["free"] == 3
    view = client.get("mgr1", f"/api/v1/orders/{order['id']}").json()
    assert [r["status"] for r in view["reservations"]] == ["expired"] and view["status"] == "confirmed"
    assert view["lines"][0]["reserved"] == 0 and view["deficit"][0]["short"] == 3
    assert client.post("picker", "/api/v1/reservations/expire").status_code == 403


def test_deficit_statement_overall_with_dates(api):
    client, _ = api
    first = client.order("mgr1", C1, {"K-2": 10})
    client.post("mgr1", f"/api/v1/orders/{first['id']}/confirm", {"variant": "partial"})
    client.order("mgr2", C2, {"K-2": 4, "K-3": 6, "K-1": 1})  # a draft after it
    body = client.get("buyer", "/api/v1/deficit").json()
    assert body["as_of"] == "2026-11-23"
    rows = [(r["order"], r["status"], r["sku"], r["available_now"], r["short"], r["eta"], r["eta_source"])
            for r in body["lines"]]  # fmt: skip
    number2 = f"З-{first['id'] + 1:07d}"
    assert rows == [
        (first["number"], "confirmed", "K-2", 3, 7, "2026-12-10", "supply:ПЗ-00002"),
        (number2, "draft", "K-2", 0, 4, "2026-12-10", "supply:ПЗ-00002"),  # 8 left of ПЗ-00002
        (number2, "draft", "K-3", 0, 6, None, None),  # ПР-00001 makes only 4, and no supplier sells it
    ]
    assert body["items"] == [
        {"sku": "K-2", "name": "Изделие K-2", "short": 11, "orders": 2, "without_date": 0, "latest_eta": "2026-12-10"},
        {"sku": "K-3", "name": "Изделие K-3", "short": 6, "orders": 1, "without_date": 6, "latest_eta": None},
    ]
    assert client.get("picker", "/api/v1/deficit").status_code == 403
