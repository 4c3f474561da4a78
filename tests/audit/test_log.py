"""The audit log over real databases: every action recorded through the app, on behalf of whom, and tampering
found by ``stockyard central audit verify``."""

from __future__ import annotations

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from central.app import create_app
from central.audit.log import record, verify_log
from central.commands import central
from central.settings import CentralSettings
from central.store import schema as s
from central.store.engine import create_central_engine, migrate
from tests.dispatch.company import seeded


def test_chain_on_both_engines_and_tampering_found(database_url):
    engine = create_central_engine(database_url)
    migrate(engine)
    with engine.begin() as conn:
        for n in range(5):
            record(conn, "admin", "POST /api/v1/test", f"thing {n}", after={"n": n}, on_behalf_of=None)
    with engine.connect() as conn:
        assert verify_log(conn) == []
    runner = CliRunner()
    ok = runner.invoke(central, ["audit", "verify", "--database-url", database_url])
    assert ok.exit_code == 0 and "5 entries" in ok.output
    with engine.begin() as conn:
        conn.execute(update(s.audit_log).where(s.audit_log.c.seq == 3).values(actor="someone-else"))
    changed = runner.invoke(central, ["audit", "verify", "--database-url", database_url])
    assert changed.exit_code == 1 and "entry 3" in changed.output
    with engine.begin() as conn:
        conn.execute(update(s.audit_log).where(s.audit_log.c.seq == 3).values(actor="admin"))
        conn.execute(delete(s.audit_log).where(s.audit_log.c.seq == 2))
    with engine.connect() as conn:
        assert verify_log(conn)[0].seq == 3


def test_actions_through_the_app_are_logged_with_on_behalf_of(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = seeded(url)
    settings = CentralSettings(database_url=url, environment="test")
    with TestClient(create_app(settings, engine)) as client:
        assert client.post("/login", data={"login": "admin", "password": "wrong"}).status_code == 401
        client.post("/login", data={"login": "manager01", "password": "demo"})
        with engine.connect() as conn:
            order_id = conn.execute(
                select(s.orders.c.id)
                .join(s.users, s.users.c.id == s.orders.c.manager_id)
                .where(s.users.c.login == "manager01", s.orders.c.status == "confirmed")
                .limit(1)
            ).scalar_one()
        client.post(f"/api/v1/orders/{order_id}/cancel")
        client.post("/logout")
        client.post("/login", data={"login": "admin", "password": "demo"})
        page = client.get("/audit")
        assert page.status_code == 200 and 'data-verdict="intact"' in page.text
        entries = client.get("/api/v1/audit").json()
    actions = [(e["actor"], e["action"]) for e in reversed(entries)]
    assert ("login-attempt", "POST /login") in actions
    assert ("manager01", "POST /api/v1/orders/{order_id}/cancel") in actions
    cancel = next(e for e in entries if e["action"] == "POST /api/v1/orders/{order_id}/cancel")
    assert cancel["on_behalf_of"] and "ИНН" in cancel["on_behalf_of"]
    assert all("password" not in (e["after"] or "") or '"fields"' in e["after"] for e in entries)
    with engine.connect() as conn:
        assert verify_log(conn) == []
