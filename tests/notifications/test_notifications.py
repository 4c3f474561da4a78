"""Notifications: the in-app inbox per user and e-mail of the notices, on the demo company."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from central.app import create_app, jobs
from central.documents.settings import DocumentSettings
from central.jobs import Clock
from central.notifications.delivery import deliver_pending
from central.notifications.inbox import inbox, notify, unread_count
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import seeded, staff
from tests.documents.test_documents_api import token
from tests.smtp import smtp_server

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def company(database_url: str) -> Engine:
    return seeded(database_url)


def _ids(engine: Engine, role: str) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(select(s.users.c.id).where(s.users.c.role == role, s.users.c.active.is_(True))).scalars()
        )


def test_a_notice_reaches_every_holder_of_the_roles_once(company):
    dispatcher = staff(company, "dispatcher")
    with company.begin() as conn:
        ids = notify(
            conn, kind="pick_completed", subject="Заказ собран", body="Заказ З-1 собран на W1", link="/dispatch/board",
            roles=["dispatcher", "logistician"], users=[dispatcher.id], now=NOW,
        )  # fmt: skip
    expected = set(_ids(company, "dispatcher")) | set(_ids(company, "logistician"))
    assert len(ids) == len(expected)
    accountant = staff(company, "accountant")
    with company.connect() as conn:
        assert [(x.kind, x.subject, x.link) for x in inbox(conn, dispatcher.id)] == [
            ("pick_completed", "Заказ собран", "/dispatch/board")
        ]
        assert unread_count(conn, dispatcher.id) == 1
        assert unread_count(conn, accountant.id) == 0


def test_nobody_named_means_no_notice(company):
    with company.begin() as conn:
        assert notify(conn, kind="x", subject="s", body="b", now=NOW) == []


def test_inbox_api_and_page(company, database_url):
    settings = CentralSettings(database_url=database_url, environment="test")
    dispatcher = staff(company, "dispatcher")
    with company.begin() as conn:
        (mine,) = notify(conn, kind="deficit", subject="Дефицит", body="3 позиции", users=[dispatcher.id], now=NOW)
        (theirs,) = notify(conn, kind="deficit", subject="Дефицит", body="…", roles=["accountant"], now=NOW)
    with TestClient(create_app(settings, company)) as client:
        headers = token(company, settings, "dispatcher")
        listed = client.get("/api/v1/notifications?unread=true", headers=headers).json()
        assert listed["unread"] == 1 and [x["id"] for x in listed["notifications"]] == [mine]
        assert listed["notifications"][0]["mail"] == "pending"  # the demo staff have e-mail addresses
        assert client.post(f"/api/v1/notifications/{theirs}/read", headers=headers).status_code == 404
        assert client.post(f"/api/v1/notifications/{mine}/read", headers=headers).json() == {"marked": 1}
        assert client.get("/api/v1/notifications?unread=true", headers=headers).json()["unread"] == 0
        assert client.get("/api/v1/notifications?limit=0", headers=headers).status_code == 422

        assert client.post("/login", data={"login": "dispatcher", "password": "demo"}).status_code in (200, 303)
        page = client.get("/inbox")
        assert page.status_code == 200 and "Дефицит" in page.text and "Уведомления" in page.text


def test_pending_notices_are_mailed_once_and_wait_while_mail_is_not_set_up(company):
    dispatcher = staff(company, "dispatcher")
    with company.begin() as conn:
        conn.execute(update(s.users).where(s.users.c.login == "accountant").values(email=None))
        notify(conn, kind="payment", subject="Оплата получена", body="Счёт С-1 оплачен", link="/accounting/payments",
               roles=["dispatcher", "accountant"], now=NOW)  # fmt: skip
    assert deliver_pending(company, DocumentSettings(smtp_host=None), NOW).waiting == len(_ids(company, "dispatcher"))
    with smtp_server() as server:
        settings = DocumentSettings(smtp_host="127.0.0.1", smtp_port=server.server_address[1])
        first = deliver_pending(company, settings, NOW)
        again = deliver_pending(company, settings, NOW)
    assert (first.sent, first.failed, again.sent) == (len(_ids(company, "dispatcher")), 0, 0)
    letters = {
        tuple(rcpt): email.message_from_bytes(data, policy=email.policy.default) for _, rcpt, data in server.received
    }
    letter = letters[("dispatcher@stockyard-demo.ru",)]
    assert isinstance(letter, EmailMessage) and letter["Subject"] == "Оплата получена"
    body = letter.get_content()
    assert "Счёт С-1 оплачен" in body and "/accounting/payments" in body
    with company.connect() as conn:
        statuses = dict(conn.execute(select(s.users.c.login, s.notifications.c.mail_status).join(s.users)).all())
    assert statuses["dispatcher"] == "sent" and statuses["accountant"] == "none"
    assert staff(company, "dispatcher").id == dispatcher.id


def test_the_clock_expires_a_reservation_and_tells_its_manager(company, database_url):
    with company.begin() as conn:
        row = conn.execute(
            select(s.reservations.c.id, s.orders.c.number, s.orders.c.manager_id)
            .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
            .join(s.orders, s.orders.c.id == s.order_lines.c.order_id)
            .where(s.reservations.c.status == "active")
            .order_by(s.reservations.c.id)
            .limit(1)
        ).one()
        conn.execute(update(s.reservations).where(s.reservations.c.id == row.id).values(expires_at=NOW))
    app = create_app(CentralSettings(database_url=database_url, environment="test"), company)
    Clock(company, jobs(app), interval=60).tick(NOW + dt.timedelta(minutes=1))
    with company.connect() as conn:
        status = conn.execute(select(s.reservations.c.status).where(s.reservations.c.id == row.id)).scalar_one()
        notices = inbox(conn, row.manager_id)
    assert status == "expired"
    assert [(x.kind, x.subject) for x in notices] == [
        ("reservation_expired", f"Срок резерва истёк: заказ {row.number}")
    ]
