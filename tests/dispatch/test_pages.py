"""The dispatcher's proposal pages and API through the HTTP client, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from central.app import create_app
from central.dispatch import web
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import TODAY, count, seeded


@pytest.fixture
def office(database_url: str) -> Iterator[tuple[TestClient, Engine]]:
    engine = seeded(database_url)
    app = create_app(CentralSettings(database_url=database_url, environment="test"), engine=engine)
    app.dependency_overrides[web.today] = lambda: TODAY
    app.dependency_overrides[web.solver_seconds] = lambda: 5.0
    yield TestClient(app), engine
    engine.dispose()


def login(client: TestClient, who: str) -> None:
    response = client.post("/login", data={"login": who, "password": "demo"}, follow_redirects=False)
    assert response.status_code == 303


def test_dispatcher_runs_reads_and_accepts_a_proposal_on_the_pages(office):
    client, engine = office
    login(client, "dispatcher")
    page = client.get("/dispatch/proposals")
    assert page.status_code == 200
    assert "Запустить заимствование" in page.text
    assert "Предложений пока нет." in page.text
    response = client.post("/dispatch/proposals/borrowing", data={"site": "W1"}, follow_redirects=False)
    assert response.status_code == 303
    url = response.headers["location"]
    page = client.get(url)
    assert page.status_code == 200
    for text in ("Предложено", "Цель: отгрузить сегодня", "из резерва заказа", "Что изменится в резервах", "Принять"):
        assert text in page.text
    assert "отдаёт взаймы" in page.text and "получает" in page.text
    page = client.post(url + "/accept")
    assert page.status_code == 200
    assert 'id="status" class="status-accepted">Принято<' in page.text
    assert 'id="accept"' not in page.text
    assert count(engine, s.dispatch_tasks) > 0
    listing = client.get("/dispatch/proposals")
    assert "Принято" in listing.text and "Открытые займы" in listing.text
    assert "Открытых займов нет." not in listing.text


def test_reject_on_the_page_needs_a_reason(office):
    client, _engine = office
    login(client, "dispatcher")
    url = client.post("/dispatch/proposals/borrowing", data={"site": "W1"}, follow_redirects=False).headers["location"]
    page = client.post(url + "/reject", data={"reason": " "})
    assert page.status_code == 409
    assert "Укажите причину отклонения" in page.text
    page = client.post(url + "/reject", data={"reason": "Ждём подтверждения клиента"})
    assert "Отклонено" in page.text and "Ждём подтверждения клиента" in page.text


def test_api_run_get_accept_refuses_stale_with_the_reason_and_reject(office):
    client, engine = office
    login(client, "admin")
    created = client.post("/api/v1/proposals/borrowing", json={"site": "W1"})
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "proposed" and body["figures"]["loans"] == len(body["loans"]) > 0
    assert body["explanation"] and body["diff"] and body["shipments"]
    assert client.get(f"/api/v1/proposals/{body['id']}").json() == body
    lender = body["loans"][0]["lender"]
    with engine.begin() as conn:
        conn.execute(update(s.orders).where(s.orders.c.number == lender).values(status="cancelled"))
    refused = client.post(f"/api/v1/proposals/{body['id']}/accept")
    assert refused.status_code == 409
    assert refused.json()["status"] == "stale"
    assert f"Заказ {lender}" in refused.json()["detail"] and "отменён" in refused.json()["detail"]
    shown = client.get(f"/api/v1/proposals/{body['id']}").json()
    assert (shown["status"], shown["decision_reason"]) == ("stale", refused.json()["detail"])
    again = client.post(f"/api/v1/proposals/{body['id']}/accept")
    assert again.status_code == 409 and "уже рассмотрено: устарело" in again.json()["detail"]
    assert client.post(f"/api/v1/proposals/{body['id']}/reject", json={"reason": "поздно"}).status_code == 409

    second = client.post("/api/v1/proposals/borrowing", json={"site": "W1"}).json()
    assert client.post(f"/api/v1/proposals/{second['id']}/reject", json={"reason": ""}).status_code == 422
    rejected = client.post(f"/api/v1/proposals/{second['id']}/reject", json={"reason": "Не сегодня"})
    assert rejected.json() == {"id": second["id"], "status": "rejected", "reason": "Не сегодня"}
    assert client.get("/api/v1/proposals/999").status_code == 404
    assert client.post("/api/v1/proposals/borrowing", json={"site": "W9"}).status_code == 404

    third = client.post("/api/v1/proposals/borrowing", json={"site": "W1"}).json()
    accepted = client.post(f"/api/v1/proposals/{third['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.json() == {
        "id": third["id"],
        "status": "accepted",
        "loans": third["figures"]["loans"],
        "tasks": third["figures"]["shipped_orders"],
    }


def test_other_roles_are_refused_with_a_russian_message(office):
    client, _engine = office
    assert client.get("/api/v1/proposals/1").status_code == 401
    login(client, "storekeeper")
    page = client.get("/dispatch/proposals")
    assert page.status_code == 403
    assert web.FORBIDDEN in page.text
    assert client.post("/dispatch/proposals/borrowing", data={"site": "W1"}).status_code == 403
    api = client.post("/api/v1/proposals/borrowing", json={"site": "W1"})
    assert (api.status_code, api.json()) == (403, {"detail": web.FORBIDDEN})
    assert client.post("/api/v1/proposals/1/accept").status_code == 403
    assert count(_engine, s.proposals) == 0
