"""Transport after picking (LOG-1): a carrier at its tariff to the kopeck, an own van within its capacity, the
page, and who may do what."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from central.app import create_app
from central.logistics import routes as logistics_routes
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import seeded
from tests.documents.test_documents_api import token
from tests.logistics.helpers import customer, item, picked_order

NOW = dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.UTC)


def client_for(engine: Engine, database_url: str) -> tuple[TestClient, CentralSettings]:
    settings = CentralSettings(database_url=database_url, environment="test")
    app = create_app(settings, engine)
    app.dependency_overrides[logistics_routes.now] = lambda: NOW
    return TestClient(app), settings


def dispatch_row(engine: Engine, dispatch_id: int) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(conn.execute(select(s.dispatches).where(s.dispatches.c.id == dispatch_id)).one()._mapping)


def test_carrier_cost_to_the_kopeck_and_a_sales_manager_may_read_but_not_book(database_url):
    engine = seeded(database_url)
    shelf = item(engine, "LOG-1", "Стеллаж складской СТ-200", 1_500, 40_000, "4600000000017")
    bracket = item(engine, "LOG-2", "Кронштейн К-40", 600, 2_000, "4600000000024")
    _order, dispatch = picked_order(
        engine, "З-0910001", customer(engine), [(shelf, 2, 1_000_000), (bracket, 4, 55_000)]
    )
    with engine.begin() as conn:
        tariff = conn.execute(
            insert(s.carrier_tariffs)
            .values(carrier="ТК «Проверка»", base_kop=150_000, per_kg_kop=2_500, per_km_kop=4_000)
            .returning(s.carrier_tariffs.c.id)
        ).scalar_one()
    client, settings = client_for(engine, database_url)
    with client:
        manager = token(engine, settings, "manager01")
        board = client.get("/api/v1/logistics", headers=manager)
        assert board.status_code == 200
        (ready,) = [d for d in board.json()["ready"] if d["id"] == dispatch]
        # 2 × 1.5 kg + 4 × 0.6 kg = 5.4 kg → 6 started kg; 0.1° of latitude north of the warehouse is
        # 6 371 000 m × π/1800 = 11 119.5 m, × 1.3 road factor = 14 455.3 → 14 456 m → 15 started km:
        # 1 500.00 + 6 × 25.00 + 15 × 40.00 = 2 250.00 roubles.
        assert (ready["weight_g"], ready["volume_cm3"], ready["metres"]) == (5_400, 88_000, 14_456)
        assert {q["tariff_id"]: q["cost_kop"] for q in ready["quotes"]}[tariff] == 225_000

        body = {"tariff_id": tariff, "day": "2026-11-24", "booking_number": "ПР-77", "comment": "к 10:00"}
        refused = client.post(f"/api/v1/shipments/{dispatch}/carrier", json=body, headers=manager)
        assert refused.status_code == 403 and "логист" in refused.json()["detail"]
        assert dispatch_row(engine, dispatch)["mode"] is None

        logistician = token(engine, settings, "logistician")
        booked = client.post(f"/api/v1/shipments/{dispatch}/carrier", json=body, headers=logistician)
        assert booked.status_code == 200, booked.text
        assert booked.json() == {"id": dispatch, "mode": "carrier", "cost_kop": 225_000}
        row = dispatch_row(engine, dispatch)
        assert (row["mode"], row["carrier_tariff_id"], row["cost_kop"], row["booking_number"], row["delivery_day"]) == (
            "carrier", tariff, 225_000, "ПР-77", dt.date(2026, 11, 24)
        )  # fmt: skip

        unknown = client.post(
            f"/api/v1/shipments/{dispatch}/carrier", json={**body, "tariff_id": 999_999}, headers=logistician
        )
        assert unknown.status_code == 404 and "не найден" in unknown.json()["detail"]
        assert client.post("/api/v1/shipments/999999/carrier", json=body, headers=logistician).status_code == 404
        picker = client.get("/api/v1/logistics", headers=token(engine, settings, "picker01"))
        assert picker.status_code == 403


def test_van_over_capacity_is_refused_and_nothing_is_written(database_url):
    engine = seeded(database_url)
    heavy = item(engine, "LOG-3", "Станина литая", 300_000, 500_000, "4600000000031")
    place = customer(engine)
    _first_order, first = picked_order(engine, "З-0910002", place, [(heavy, 2, 5_000_000)])  # 600 kg
    _second_order, second = picked_order(engine, "З-0910003", place, [(heavy, 2, 5_000_000)])  # 600 kg more
    with engine.begin() as conn:
        van = conn.execute(
            insert(s.vehicles)
            .values(plate="А001АА77", model="ГАЗель Next", capacity_kg=1_000, capacity_m3_milli=9_000,
                    cost_per_km_kop=3_000)
            .returning(s.vehicles.c.id)
        ).scalar_one()  # fmt: skip
    client, settings = client_for(engine, database_url)
    with client:
        logistician = token(engine, settings, "logistician")
        day = {"vehicle_id": van, "day": "2026-11-25"}
        taken = client.post(f"/api/v1/shipments/{first}/van", json=day, headers=logistician)
        assert taken.status_code == 200, taken.text
        # there and back: 2 × 14 456 m → 29 started km × 30.00 roubles
        assert taken.json() == {"id": first, "mode": "van", "cost_kop": 29 * 3_000}
        before = dispatch_row(engine, second)
        over = client.post(f"/api/v1/shipments/{second}/van", json=day, headers=logistician)
        assert over.status_code == 409
        assert over.json()["detail"] == (
            "Машина А001АА77 на 25.11.2026 перегружена по весу: 1\u00a0200,0 кг при грузоподъёмности "
            "1\u00a0000,0 кг (уже загружено 600,0 кг)"
        )
        assert dispatch_row(engine, second) == before
        # another day the van is empty again; re-booking the first one on its own day does not count it twice
        assert client.post(
            f"/api/v1/shipments/{second}/van", json={**day, "day": "2026-11-26"}, headers=logistician
        ).status_code == 200  # fmt: skip
        assert client.post(f"/api/v1/shipments/{first}/van", json=day, headers=logistician).status_code == 200

        # the page shows the booking; a refusal from the page is shown on it with nothing written
        assert client.post("/login", data={"login": "logistician", "password": "demo"}).status_code in (200, 303)
        page = client.get("/logistics")
        assert page.status_code == 200
        for text in ("Собраны, ждут транспорта", "З-0910002", "своя машина А001АА77", "г. Химки, ул. Заводская, д. 5",
                     "09:00–18:00", "Ожидаем документы"):  # fmt: skip
            assert text in page.text, text
        answer = client.post(
            f"/logistics/{second}/van", data={"vehicle_id": van, "day": "2026-11-25"}, follow_redirects=False
        )
        assert answer.status_code == 409 and "перегружена по весу" in answer.text
        assert dispatch_row(engine, second)["delivery_day"] == dt.date(2026, 11, 26)


def test_the_page_reads_for_a_sales_manager_without_forms_and_refuses_a_picker(database_url):
    engine = seeded(database_url)
    shelf = item(engine, "LOG-4", "Полка П-50", 2_000, 10_000, "4600000000048")
    _order, dispatch = picked_order(engine, "З-0910004", customer(engine), [(shelf, 1, 100_000)])
    client, _settings = client_for(engine, database_url)
    with client:
        assert client.post("/login", data={"login": "manager01", "password": "demo"}).status_code in (200, 303)
        page = client.get("/logistics")
        assert page.status_code == 200 and "З-0910004" in page.text
        assert f'action="/logistics/{dispatch}/carrier"' not in page.text
        client.post("/logout")
        assert client.post("/login", data={"login": "manager02", "password": "demo"}).status_code in (200, 303)
        assert "З-0910004" not in client.get("/logistics").text  # another manager's order
        refused = client.post(f"/logistics/{dispatch}/dispatched", follow_redirects=False)
        assert refused.status_code == 403 and "Недостаточно прав" in refused.text
        assert dispatch_row(engine, dispatch)["shipped_at"] is None
        client.post("/logout")
        assert client.post("/login", data={"login": "picker01", "password": "demo"}).status_code in (200, 303)
        assert client.get("/logistics").status_code == 403


def test_the_accepted_route_plan_of_the_day_is_the_proposal_to_follow(database_url):
    engine = seeded(database_url)
    shelf = item(engine, "LOG-5", "Стеллаж СТ-100", 10_000, 50_000, "4600000000055")
    place = customer(engine)
    order_id, dispatch = picked_order(engine, "З-0910005", place, [(shelf, 3, 200_000)])
    with engine.begin() as conn:
        site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == "W1")).scalar_one()
        logistician = conn.execute(select(s.users.c.id).where(s.users.c.login == "logistician")).scalar_one()
        van = conn.execute(select(s.vehicles.c.id, s.vehicles.c.plate).order_by(s.vehicles.c.id).limit(1)).one()
        proposal = conn.execute(
            insert(s.proposals)
            .values(kind="routes", site_id=site_id, created_at=NOW, created_by=logistician, status="accepted",
                    snapshot={}, result={}, figures={}, explanation=[], diff=[], decided_at=NOW,
                    decided_by=logistician)
            .returning(s.proposals.c.id)
        ).scalar_one()  # fmt: skip
        plan = conn.execute(
            insert(s.route_plans)
            .values(proposal_id=proposal, site_id=site_id, day=dt.date(2026, 11, 24), vehicle_id=van.id,
                    distance_m=30_000, cost_kop=90_000, weight_g=30_000, volume_cm3=150_000,
                    start_at=NOW, end_at=NOW + dt.timedelta(hours=3))
            .returning(s.route_plans.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            insert(s.route_stops).values(
                route_plan_id=plan, seq=2, order_id=order_id, customer_id=place, eta=NOW + dt.timedelta(hours=1),
                window_from=NOW, window_to=NOW + dt.timedelta(hours=9), load_position=1,
            )
        )  # fmt: skip
    client, settings = client_for(engine, database_url)
    with client:
        (ready,) = [
            d
            for d in client.get("/api/v1/logistics", headers=token(engine, settings, "logistician")).json()["ready"]
            if d["id"] == dispatch
        ]
        assert ready["proposal"]["van"] == van.plate and ready["proposal"]["seq"] == 2
        assert client.post("/login", data={"login": "logistician", "password": "demo"}).status_code in (200, 303)
        page = client.get("/logistics").text
        assert f"По принятому плану маршрутов: машина {van.plate}, остановка 2" in " ".join(page.split())
