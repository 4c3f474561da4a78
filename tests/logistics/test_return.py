"""The dispatch registered by hand and the signed documents awaited (LOG-2): idempotent with the site's fact,
reminders once a day from the due day until the documents are back, driven by central's clock."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from central.app import create_app, jobs
from central.jobs import Clock
from central.logistics import routes as logistics_routes
from central.logistics.dispatches import log_shipment
from central.logistics.settings import LogisticsSettings
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import seeded
from tests.documents.test_documents_api import token
from tests.logistics.helpers import customer, item, picked_order

LEFT = dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.UTC)  # 10:00 in Moscow, Tuesday 24 November


def notices(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            (r.login, r.subject)
            for r in conn.execute(
                select(s.users.c.login, s.notifications.c.subject)
                .join(s.users, s.users.c.id == s.notifications.c.user_id)
                .where(s.notifications.c.kind == "documents_due")
                .order_by(s.notifications.c.id)
            )
        ]


def test_hand_registration_reminders_and_return(database_url):
    engine = seeded(database_url)
    shelf = item(engine, "RET-1", "Стеллаж складской СТ-200", 25_000, 400_000, "4600000000017")
    order_id, dispatch = picked_order(engine, "З-0920001", customer(engine), [(shelf, 2, 1_000_000)])
    settings = CentralSettings(database_url=database_url, environment="test")
    app = create_app(settings, engine)
    app.state.logistics_settings = LogisticsSettings(documents_return_days=5)
    app.dependency_overrides[logistics_routes.now] = lambda: LEFT
    clock = Clock(engine, jobs(app), 60)
    with TestClient(app) as client:
        logistician = token(engine, settings, "logistician")
        early = client.post(f"/api/v1/shipments/{dispatch}/documents-returned", json={}, headers=logistician)
        assert early.status_code == 409 and "ещё не отгружен" in early.json()["detail"]
        manager = token(engine, settings, "manager01")
        assert client.post(f"/api/v1/shipments/{dispatch}/dispatched", headers=manager).status_code == 403

        first = client.post(f"/api/v1/shipments/{dispatch}/dispatched", headers=logistician)
        assert first.status_code == 200 and first.json()["registered_now"] is True
        again = client.post(f"/api/v1/shipments/{dispatch}/dispatched", headers=logistician)
        assert again.json() == {**first.json(), "registered_now": False}
        with engine.begin() as conn:
            # the site's UnitsShipped arriving afterwards logs nothing more
            site_id = conn.execute(select(s.sites.c.id).where(s.sites.c.code == "W1")).scalar_one()
            late = log_shipment(conn, order_id, site_id, LEFT + dt.timedelta(minutes=30), LEFT)
            assert late.fresh is False and late.shipment_id == first.json()["shipment_id"]
        with engine.connect() as conn:
            logged = conn.execute(select(s.shipments).where(s.shipments.c.order_id == order_id)).one()
            status = conn.execute(select(s.orders.c.status).where(s.orders.c.id == order_id)).scalar_one()
            count = conn.execute(
                select(func.count()).select_from(s.shipments).where(s.shipments.c.order_id == order_id)
            ).scalar_one()
        assert (logged.shipped_at, status, count) == (LEFT, "shipped", 1)
        assert logged.task_received_at == dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
        with engine.connect() as conn:
            manager_login = conn.execute(
                select(s.users.c.login).join(s.orders, s.orders.c.manager_id == s.users.c.id)
                .where(s.orders.c.id == order_id)
            ).scalar_one()  # fmt: skip
        waiting = client.get("/api/v1/logistics", headers=manager).json()["waiting"]
        assert [(d["id"], d["due_on"], d["overdue_days"]) for d in waiting if d["order"] == "З-0920001"] == [
            (dispatch, "2026-11-29", 0)
        ]

        # due on 29.11 (24.11 + 5 days): nothing before, one notice on the day, none again that day
        clock.tick(dt.datetime(2026, 11, 28, 20, 59, tzinfo=dt.UTC))  # 23:59 on the 28th in Moscow
        assert notices(engine) == []
        clock.tick(dt.datetime(2026, 11, 28, 21, 1, tzinfo=dt.UTC))  # 00:01 on the 29th in Moscow
        on_time = "Документы по заказу З-0920001: сегодня срок возврата"
        assert sorted(notices(engine)) == sorted([("logistician", on_time), (manager_login, on_time)])
        clock.tick(dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC))
        assert len(notices(engine)) == 2
        clock.tick(dt.datetime(2026, 11, 30, 6, 0, tzinfo=dt.UTC))  # the next day: another, one day overdue
        late_subject = "Документы по заказу З-0920001: просрочка 1 дн."
        assert sorted(notices(engine)[2:]) == sorted([("logistician", late_subject), (manager_login, late_subject)])

        # the page shows it overdue; the documents come back; no more reminders
        assert client.post("/login", data={"login": "logistician", "password": "demo"}).status_code in (200, 303)
        app.dependency_overrides[logistics_routes.now] = lambda: dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)
        page = client.get("/logistics")
        assert "Ожидаем документы" in page.text and "З-0920001" in page.text and 'class="overdue"' in page.text
        back = client.post(f"/logistics/{dispatch}/returned", data={"on": "2026-11-30"}, follow_redirects=False)
        assert back.status_code == 303
        with engine.connect() as conn:
            returned = conn.execute(
                select(s.shipments.c.documents_returned_at, s.dispatches.c.documents_returned_by, s.users.c.login)
                .join(s.dispatches, s.dispatches.c.order_id == s.shipments.c.order_id)
                .join(s.users, s.users.c.id == s.dispatches.c.documents_returned_by)
                .where(s.shipments.c.order_id == order_id)
            ).one()
        assert returned.documents_returned_at.date() == dt.date(2026, 11, 30) and returned.login == "logistician"
        clock.tick(dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC))
        clock.tick(dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC))
        assert len(notices(engine)) == 4
        assert "З-0920001" not in client.get("/logistics").text


def test_an_agreed_due_date_moves_the_reminders(database_url):
    engine = seeded(database_url)
    shelf = item(engine, "RET-2", "Полка П-50", 3_500, 20_000, "4600000000024")
    _order_id, dispatch = picked_order(engine, "З-0920002", customer(engine), [(shelf, 1, 550_000)])
    settings = CentralSettings(database_url=database_url, environment="test")
    app = create_app(settings, engine)
    app.state.logistics_settings = LogisticsSettings(documents_return_days=1)
    app.dependency_overrides[logistics_routes.now] = lambda: LEFT
    clock = Clock(engine, jobs(app), 60)
    with TestClient(app) as client:
        logistician = token(engine, settings, "logistician")
        assert client.post(f"/api/v1/shipments/{dispatch}/dispatched", headers=logistician).status_code == 200
        agreed = client.post(
            f"/api/v1/shipments/{dispatch}/documents-due", json={"on": "2026-12-10"}, headers=logistician
        )
        assert agreed.json() == {"id": dispatch, "documents_due_on": "2026-12-10"}
        clock.tick(dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC))  # past the setting's 25.11, before the agreed day
        assert notices(engine) == []
        clock.tick(dt.datetime(2026, 12, 11, 6, 0, tzinfo=dt.UTC))
        assert {subject for _login, subject in notices(engine)} == {"Документы по заказу З-0920002: просрочка 1 дн."}
        future = client.post(
            f"/api/v1/shipments/{dispatch}/documents-returned", json={"on": "2026-12-30"}, headers=logistician
        )
        assert future.status_code == 422 and "в будущем" in future.json()["detail"]
