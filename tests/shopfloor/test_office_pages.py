"""Norm-hours for the master and the office: the page and the API, with roles (HTTP client, demo company)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from central.app import create_app
from central.production import web as production_web
from central.settings import CentralSettings
from central.store.engine import create_central_engine
from central.sync.downlog import snapshot
from central.sync.inbox import SiteRef, apply_events
from edge.shopfloor.service import ShopFloor
from edge.store import open_site_database
from edge.sync.downstream import apply_snapshot
from edge.sync.state import events_after
from tests.shopfloor.day import Clock, prepare_central, work_the_day


def login(client: TestClient, who: str) -> None:
    response = client.post("/login", data={"login": who, "password": "demo"}, follow_redirects=False)
    assert response.status_code == 303


def test_master_sees_norm_hours_and_a_manager_does_not(central_url, tmp_path):
    engine = create_central_engine(central_url)
    with engine.begin() as conn:
        plan = prepare_central(conn)
        picture = snapshot(conn, "S1")
    db = open_site_database(tmp_path / "S1.db")
    apply_snapshot(db, picture)
    clock = Clock()
    work_the_day(ShopFloor(db, clock=clock), clock, plan)
    with engine.begin() as conn:
        apply_events(conn, SiteRef.load(conn, "S1"), events_after(db, 0, 1000))
    app = create_app(CentralSettings(database_url=central_url, environment="test"), engine=engine)
    app.include_router(production_web.router)  # the line the composition root gets
    client = TestClient(app)

    login(client, "master")
    api = client.get("/api/v1/production/norm-hours", params={"from": "2026-11-01", "to": "2026-12-01", "by": "week"})
    assert api.status_code == 200
    week = {r["badge"]: r for r in api.json()}[plan["piece"]["badge"]]
    assert (week["period"], week["norm_hours"], week["actual_hours"]) == ("2026-W48", "7.50", "8.25")
    page = client.get("/production/norm-hours", params={"from": "2026-11-24", "to": "2026-11-25"})
    assert page.status_code == 200
    assert "Нормо-часы цеха" in page.text and "7.50" in page.text and "8.25" in page.text
    records = client.get("/api/v1/production/work-records", params={"from": "2026-11-24", "to": "2026-11-25"}).json()
    assert sorted((r["op_seq"], r["good"], r["norm_minutes"]) for r in records) == [
        (1, 15, 180),
        (1, 20, 240),
        (2, 30, 210),
    ]
    assert client.post("/api/v1/production/release", json={"site": "S1"}).status_code == 200

    login(client, "manager01")
    assert client.get("/api/v1/production/norm-hours").status_code == 403
    engine.dispose()
