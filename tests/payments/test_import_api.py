"""A bank statement through the API: payments stored once, matched to invoices, the rest explained; invoices read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, update

from central.app import create_app
from central.auth.tokens import issue_token
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import seeded

STATEMENT = Path(__file__).parent.parent / "fixtures" / "statement_2026-11-22.txt"


def token(engine, settings: CentralSettings, login: str) -> dict[str, str]:
    with engine.connect() as conn:
        user_id = conn.execute(select(s.users.c.id).where(s.users.c.login == login)).scalar_one()
    return {"Authorization": f"Bearer {issue_token(settings.secret_key.get_secret_value(), user_id)}"}


def test_statement_import_matches_once_and_explains_the_rest(database_url):
    engine = seeded(database_url)
    settings = CentralSettings(database_url=database_url, environment="test")
    with engine.begin() as conn:
        customer_id, order_id = conn.execute(
            select(s.orders.c.customer_id, s.orders.c.id).order_by(s.orders.c.id).limit(1)
        ).one()
        conn.execute(update(s.customers).where(s.customers.c.id == customer_id).values(inn="7707083893"))
        invoice_id = conn.execute(
            insert(s.invoices)
            .values(number="1042", order_id=order_id, issued_on=dt.date(2026, 11, 18), amount_kop=12_200_000,
                    vat_kop=2_200_000, paid_kop=0)
            .returning(s.invoices.c.id)
        ).scalar_one()  # fmt: skip
    accountant = token(engine, settings, "accountant")
    with TestClient(create_app(settings, engine)) as client:
        upload = {"file": ("kl_to_1c.txt", STATEMENT.read_bytes(), "text/plain")}
        refused = client.post("/api/v1/payments/import", files=upload, headers=token(engine, settings, "manager01"))
        assert refused.status_code == 403
        report = client.post("/api/v1/payments/import", files=upload, headers=accountant).json()
        assert report["incoming"] == 2 and report["imported"] == 1 and report["matched"] == 1
        statuses = {line["number"]: line["status"] for line in report["lines"]}
        assert statuses == {"512": "matched", "77": "unknown_payer"}
        again = client.post("/api/v1/payments/import", files=upload, headers=accountant).json()
        assert again["imported"] == 0 and again["already_imported"] == 1
        bad = client.post(
            "/api/v1/payments/import", files={"file": ("x.txt", b"not a statement", "text/plain")}, headers=accountant
        )
        assert bad.status_code == 422 and "Выписка не прочитана" in bad.json()["detail"]

        invoice = client.get(f"/api/v1/invoices/{invoice_id}", headers=accountant).json()
        assert invoice["paid_kop"] == 12_200_000 and invoice["due_kop"] == 0
        assert invoice["amount_in_words"].startswith("Сто двадцать две тысячи рублей")
        assert invoice["payment_qr"].startswith("ST00012|Name=")
        assert "PersonalAcc=40702810938000012345" in invoice["payment_qr"]
        qr = client.get(f"/api/v1/invoices/{invoice_id}/qr.svg", headers=accountant)
        assert qr.status_code == 200 and qr.text.startswith("<svg")
        assert client.get("/api/v1/invoices/999999", headers=accountant).status_code == 404
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).select_from(s.payments).where(s.payments.c.invoice_id == invoice_id)
            ).scalar_one()
            == 1
        )
