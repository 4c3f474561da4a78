"""Transfer pages and API for the master and the dispatcher (SQLite and PostgreSQL): request a task's kit, see the
transfer with its status and lines, refusals in Russian (422), roles (a sales manager gets 403)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from central.app import create_app
from central.production import transfer_routes, web
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import seeded
from tests.production.conftest import NOW, login


@pytest.fixture
def company(database_url: str) -> Iterator[Engine]:
    engine = seeded(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def office(database_url: str, company: Engine) -> Iterator[TestClient]:
    app = create_app(CentralSettings(database_url=database_url, environment="test"), engine=company)
    if not any(getattr(r, "path", "") == "/production/transfers" for r in app.routes):
        app.include_router(transfer_routes.router)  # until central/app.py includes it
    app.dependency_overrides[web.production_now] = lambda: NOW
    yield TestClient(app)


def test_master_requests_a_kit_and_sees_the_transfer(office: TestClient, company: Engine) -> None:
    login(office, "master")
    with company.connect() as conn:
        numbers = list(
            conn.execute(
                select(s.production_tasks.c.number)
                .where(s.production_tasks.c.status.in_(("planned", "in_work")))
                .order_by(s.production_tasks.c.number)
            ).scalars()
        )
    made = None
    for number in numbers:
        answer = office.post(f"/api/v1/production/tasks/{quote(number)}/request-components")
        if answer.status_code == 201 and all(line["qty"] == line["required"] for line in answer.json()["lines"]):
            made = answer.json()
            break
        assert answer.status_code in (201, 422), answer.text
    assert made is not None
    assert made["number"].startswith("ПМ-") and made["status"] == "requested" and made["source"] == "W1"
    assert made["pick_code"].startswith("23") and made["receipt_code"].startswith("24")
    again = office.post(f"/api/v1/production/tasks/{quote(made['task'])}/request-components")
    assert again.status_code == 422 and "уже есть на S1 или в пути" in again.json()["detail"]
    with company.connect() as conn:
        sent = conn.execute(
            select(s.sites.c.code, s.down_log.c.payload).join(s.sites, s.sites.c.id == s.down_log.c.site_id)
        ).all()
    wanted = {made["pick_code"], made["receipt_code"], f"kit:{made['task']}"}
    payloads = [(site, p if isinstance(p, dict) else json.loads(p)) for site, p in sent]
    kinds = {(site, p["kind"]) for site, p in payloads if p.get("id") in wanted}
    assert kinds == {("W1", "pick"), ("S1", "receipt"), ("S1", "kit")}

    listed = office.get("/api/v1/production/transfers", params={"task": made["task"]}).json()
    assert [t["number"] for t in listed] == [made["number"]]
    assert office.get(f"/api/v1/production/transfers/{quote(made['number'])}").json()["lines"] == made["lines"]
    assert office.get(f"/api/v1/production/transfers/{quote('ПМ-99999')}").status_code == 404
    page = office.get("/production/transfers")
    assert page.status_code == 200
    for text in (made["number"], "запрошено", "Запросить комплектующие", made["lines"][0]["sku"]):
        assert text in page.text
    refused = office.post(f"/api/v1/production/tasks/{quote(made['task'])}/return-goods", json={"qty": 3})
    assert refused.status_code == 422 and "На S1 свободно 0 шт." in refused.json()["detail"]
    form = office.post("/production/transfers/request", data={"task": "ПР-99999"})
    assert form.status_code == 422 and "Задание ПР-99999 не найдено" in form.text
    assert office.get(f"/api/v1/production/tasks/{quote(made['task'])}/consumption").json() == []


def test_a_sales_manager_cannot_see_or_request(office: TestClient) -> None:
    login(office, "manager01")
    assert office.get("/api/v1/production/transfers").status_code == 403
    assert office.post(f"/api/v1/production/tasks/{quote('ПР-00101')}/request-components").status_code == 403
