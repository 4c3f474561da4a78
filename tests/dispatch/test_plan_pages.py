"""Production and route proposals through the pages and the API (HTTP client, SQLite and PostgreSQL)."""

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
from tests.dispatch.test_plans import NOW


@pytest.fixture
def office(database_url: str) -> Iterator[tuple[TestClient, Engine]]:
    engine = seeded(database_url)
    app = create_app(CentralSettings(database_url=database_url, environment="test"), engine=engine)
    app.dependency_overrides[web.today] = lambda: TODAY
    app.dependency_overrides[web.now] = lambda: NOW
    app.dependency_overrides[web.solver_seconds] = lambda: 2.0
    yield TestClient(app), engine
    engine.dispose()


def login(client: TestClient, who: str) -> None:
    response = client.post("/login", data={"login": who, "password": "demo"}, follow_redirects=False)
    assert response.status_code == 303


def test_dispatcher_plans_production_on_the_pages(office):
    client, engine = office
    login(client, "dispatcher")
    listing = client.get("/dispatch/proposals")
    for text in ("Запустить заимствование", "Запустить планирование производства", "Запустить маршруты"):
        assert text in listing.text
    response = client.post("/dispatch/proposals/production", data={"site": "S1"}, follow_redirects=False)
    assert response.status_code == 303
    url = response.headers["location"]
    page = client.get(url)
    assert page.status_code == 200
    for text in (
        "Очередь производства",
        "цех S1",
        "Цель: сначала как можно меньше опозданий",
        "Загрузка рабочих центров",
        "Что изменится в плане производства",
        "Задания по порядку",
        'id="schedule"',
        "WC1",
    ):
        assert text in page.text
    page = client.post(url + "/accept")
    assert page.status_code == 200 and 'id="status" class="status-accepted">Принято<' in page.text
    assert count(engine, s.production_plan_ops) > 0
    listing = client.get("/dispatch/proposals")
    assert "заданий в плане" in listing.text


def test_logistician_runs_and_accepts_routes_through_the_api_but_not_production(office):
    client, engine = office
    login(client, "logistician")
    listing = client.get("/dispatch/proposals")
    assert listing.status_code == 200
    assert "Запустить маршруты" in listing.text and "Запустить заимствование" not in listing.text
    created = client.post("/api/v1/proposals/routes", json={"site": "W1", "day": TODAY.isoformat()})
    assert created.status_code == 201
    body = created.json()
    assert body["kind"] == "routes" and body["routes"] and body["explanation"] and body["diff"]
    assert body["figures"]["orders"] == sum(len(r["stops"]) for r in body["routes"]) + len(body["carrier"])
    assert client.get(f"/api/v1/proposals/{body['id']}").json() == body
    page = client.get(f"/dispatch/proposals/{body['id']}")
    for text in ("Маршруты машин", "Загрузка (1 — первым)", "Что изменится в маршрутах дня", 'id="routes"'):
        assert text in page.text
    accepted = client.post(f"/api/v1/proposals/{body['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.json() == {"id": body["id"], "status": "accepted", "loans": 0, "tasks": body["figures"]["orders"]}
    assert count(engine, s.route_stops) == sum(len(r["stops"]) for r in body["routes"])
    # production and borrowing are the dispatcher's
    assert client.post("/api/v1/proposals/production", json={"site": "S1"}).status_code == 403
    assert client.post("/dispatch/proposals/production", data={"site": "S1"}).status_code == 403
    assert client.post("/api/v1/proposals/borrowing", json={"site": "W1"}).status_code == 403


def test_api_production_stale_reject_and_errors(office):
    client, engine = office
    login(client, "admin")
    created = client.post("/api/v1/proposals/production", json={"site": "S1"})
    assert created.status_code == 201
    body = created.json()
    assert body["kind"] == "production" and body["schedule"]["tasks"] and body["figures"]["tasks_planned"] > 0
    task = body["schedule"]["tasks"][0]["task"]
    with engine.begin() as conn:
        conn.execute(update(s.production_tasks).where(s.production_tasks.c.number == task).values(status="cancelled"))
    refused = client.post(f"/api/v1/proposals/{body['id']}/accept")
    assert refused.status_code == 409
    assert refused.json() == {"detail": f"Задание {task} уже отменено.", "status": "stale"}
    second = client.post("/api/v1/proposals/production", json={"site": "S1"}).json()
    rejected = client.post(f"/api/v1/proposals/{second['id']}/reject", json={"reason": "Ждём металл"})
    assert rejected.json() == {"id": second["id"], "status": "rejected", "reason": "Ждём металл"}
    assert client.post("/api/v1/proposals/production", json={"site": "S9"}).status_code == 404
    assert client.post("/api/v1/proposals/routes", json={"site": "W1", "day": "2025-01-01"}).status_code == 422
    # the logistician cannot read a production proposal
    client.post("/logout")
    login(client, "logistician")
    assert client.get(f"/api/v1/proposals/{second['id']}").status_code == 403
    assert client.get(f"/dispatch/proposals/{second['id']}").status_code == 403
