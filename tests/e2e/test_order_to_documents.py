"""The customer's core process end to end (issue 5 item 13): a new order to its signed documents back.

Central runs as the real app over the demo company with its sync worker on a real Mosquitto; W1 is a real
edge whose handheld picks and ships the task. Every step goes through the API a person's page uses, by the
role that does it: the manager orders, confirms, sends the contract and records the signed scan, issues the
invoice; the accountant imports the bank statement (1CClientBankExchange, cp1251); the dispatcher releases the
order; the picker picks and ships at W1; the logistician books the carrier, prints TORG-12 and the waybill,
and marks the signed documents returned. Money is checked to the kopeck; the stage follows every step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from central.app import create_app
from central.auth.tokens import issue_token
from central.orders.stage import order_stage
from central.settings import CentralSettings
from central.store import schema as s
from central.store.engine import create_central_engine
from devices.barcodes import cell_barcode, company_code
from edge.store import open_site_database
from edge.sync.client import EdgeSync
from edge.terminal.resolve import resolve
from edge.terminal.service import Terminals
from sync.transport import BrokerAddress
from tests.board.helpers import free_skus
from tests.sync.helpers import central_applied, edge_outbox_seq, wait_until

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Office:
    """The central app as each role reaches it: ``office.post("manager01", "/api/v1/orders", {...})``."""

    def __init__(self, client: TestClient, engine: Engine, settings: CentralSettings) -> None:
        self.client, self.engine, self.secret = client, engine, settings.secret_key.get_secret_value()

    def headers(self, login: str) -> dict[str, str]:
        with self.engine.connect() as conn:
            user_id = conn.execute(select(s.users.c.id).where(s.users.c.login == login)).scalar_one()
        return {"Authorization": f"Bearer {issue_token(self.secret, user_id)}"}

    def get(self, login: str, url: str) -> Any:
        answer = self.client.get(url, headers=self.headers(login))
        assert answer.status_code == 200, (url, answer.text)
        return answer

    def post(self, login: str, url: str, body: Any = None, status: int = 200, **extra: Any) -> Any:
        answer = self.client.post(url, json=body, headers=self.headers(login), **extra)
        assert answer.status_code == status, (url, answer.status_code, answer.text)
        return answer.json()


@contextmanager
def plant(mosquitto: Any, central_url: str, tmp_path: Any) -> Iterator[tuple[Office, Engine, Any, Path]]:
    engine = create_central_engine(central_url)
    settings = CentralSettings(database_url=central_url, environment="test", mqtt_url=mosquitto.url)
    path = tmp_path / "W1.db"
    edge = EdgeSync("W1", path, BrokerAddress.parse(mosquitto.url))
    with TestClient(create_app(settings, engine)) as client:
        edge.start()
        db = open_site_database(path)
        try:
            wait_until(lambda: db.execute("SELECT 1 FROM sync_state WHERE key = 'bootstrapped'").fetchone(), 60, "W1")
            yield Office(client, engine, settings), engine, db, path
        finally:
            db.conn.close()
            edge.stop()


def _customer(engine: Engine) -> tuple[int, str]:
    """A customer paying in advance (prepayment) and the login of their sales manager."""
    with engine.connect() as conn:
        customer = conn.execute(
            select(s.customers.c.id, s.users.c.login)
            .join(s.users, s.users.c.id == s.customers.c.manager_id)
            .where(s.users.c.role == "sales_manager", s.customers.c.payment_method == "prepayment")
            .order_by(s.customers.c.id)
        ).first()
    assert customer is not None
    return int(customer.id), str(customer.login)


def _statement(invoice_number: str, inn: str, amount_kop: int, company_account: str) -> bytes:
    """A bank statement in the 1CClientBankExchange format (cp1251) with the customer's payment."""
    amount = f"{Decimal(amount_kop) / 100:.2f}"
    text = "\r\n".join([
        "1CClientBankExchange", "ВерсияФормата=1.03", "Кодировка=Windows", "Отправитель=Бухгалтерия предприятия",
        "Получатель=", "ДатаСоздания=24.11.2026", "ВремяСоздания=09:00:00", "ДатаНачала=24.11.2026",
        "ДатаКонца=24.11.2026", f"РасчСчет={company_account}", "СекцияРасчСчет", "ДатаНачала=24.11.2026",
        "ДатаКонца=24.11.2026", f"РасчСчет={company_account}", "НачальныйОстаток=0.00",
        f"ВсегоПоступило={amount}", "ВсегоСписано=0.00", f"КонечныйОстаток={amount}", "КонецРасчСчет",
        "СекцияДокумент=Платежное поручение", "Номер=4711", "Дата=24.11.2026", f"Сумма={amount}",
        "ПлательщикСчет=40702810400000009999", "ДатаПоступило=24.11.2026", f"ПлательщикИНН={inn}",
        "Плательщик1=Покупатель", f"ПолучательСчет={company_account}", "ПолучательИНН=5001007329",
        f"НазначениеПлатежа=Оплата по счету № {invoice_number}. В т.ч. НДС", "КонецДокумента", "КонецФайла", "",
    ])  # fmt: skip
    return text.encode("cp1251")


def _stage(engine: Engine, order_id: int) -> str:
    with engine.connect() as conn:
        return order_stage(conn, order_id).code


def _notices(engine: Engine, kind: str) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                select(s.users.c.login).join(s.notifications, s.notifications.c.user_id == s.users.c.id)
                .where(s.notifications.c.kind == kind)
            ).scalars()
        )  # fmt: skip


def test_from_a_new_order_to_the_signed_documents_back(mosquitto, central_url, tmp_path):
    with plant(mosquitto, central_url, tmp_path) as (office, engine, db, path):
        (sku,) = free_skus(engine, 3, count=1)
        customer, manager = _customer(engine)

        # The manager takes the order, the stock check offers the complete variant, the customer agrees.
        order = office.post(manager, "/api/v1/orders", {"customer_id": customer, "lines": [{"sku": sku, "qty": 3}]},
                            status=201)  # fmt: skip
        order_id = order["id"]
        assert order["lines"][0]["check"]["short"] == 0, order["lines"][0]
        total = order["total_kop"]
        assert total == 3 * order["lines"][0]["price_kop"]
        office.post(manager, f"/api/v1/orders/{order_id}/confirm", {"variant": "complete"})
        assert _stage(engine, order_id) == "confirmed"

        # The contract from the Word template, then the signed scan comes back.
        contract = office.get(manager, f"/api/v1/orders/{order_id}/contract.docx")
        assert contract.content[:2] == b"PK"
        office.post(manager, f"/api/v1/orders/{order_id}/contract/scan", status=201,
                    files={"file": ("договор.pdf", MINIMAL_PDF, "application/pdf")})  # fmt: skip
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(s.contracts)).scalar_one() >= 1

        # The invoice: VAT inside the total, to the kopeck.
        invoice = office.post(manager, f"/api/v1/orders/{order_id}/invoice", status=201)
        assert invoice["amount_kop"] == total
        assert invoice["vat_kop"] == (total * 22 + 61) // 122 or invoice["vat_kop"] == round(Decimal(total) * 22 / 122)
        assert _stage(engine, order_id) == "invoiced"
        assert office.get(manager, f"/api/v1/invoices/{invoice['id']}/pdf").content[:4] == b"%PDF"

        # The accountant imports the bank statement; the payment finds its invoice; the manager is told.
        with engine.connect() as conn:
            inn = conn.execute(select(s.customers.c.inn).where(s.customers.c.id == customer)).scalar_one()
        statement = _statement(invoice["number"].lstrip("С-"), inn, total, "40702810938000012345")
        imported = office.post("accountant", "/api/v1/payments/import",
                               files={"file": ("kl_to_1c.txt", statement, "text/plain")})  # fmt: skip
        assert (imported["imported"], imported["matched"]) == (1, 1), imported
        again = office.post("accountant", "/api/v1/payments/import",
                            files={"file": ("kl_to_1c.txt", statement, "text/plain")})  # fmt: skip
        assert (again["imported"], again["already_imported"]) == (0, 1), again
        with engine.connect() as conn:
            stage = order_stage(conn, order_id)
            paid = conn.execute(
                select(func.count()).select_from(s.payments).where(s.payments.c.invoice_id == invoice["id"])
            )
            assert paid.scalar_one() == 1
        assert (stage.code, stage.paid_kop, stage.payment_ok, stage.complete, stage.site) == (
            "paid",
            total,
            True,
            True,
            "W1",
        )
        assert manager in _notices(engine, "payment")

        # The dispatcher releases it to W1's pickers.
        released = office.post("dispatcher", "/api/v1/dispatch/release", {"orders": [order["number"]]})
        assert json.dumps(released, ensure_ascii=False).count(order["number"]) >= 1, released
        with engine.connect() as conn:
            task_id = conn.execute(
                select(s.dispatch_tasks.c.id).where(s.dispatch_tasks.c.order_id == order_id)
            ).scalar_one()
        code = company_code("task", task_id)
        wait_until(lambda: db.execute("SELECT 1 FROM tasks WHERE id = ?", [code]).fetchone(), 30, "the task at W1")
        task = json.loads(db.execute("SELECT payload FROM tasks WHERE id = ?", [code]).fetchone()[0])
        for field in ("order", "customer", "manager", "deadline", "assembly_cell", "packing", "boxes", "lines"):
            assert task[field], field

        # The picker picks it at the handheld, line by line in walking order, and finishes.
        terminals = Terminals(db, resolve)
        badge = db.execute("SELECT badge FROM staff WHERE role = 'picker' ORDER BY badge").fetchone()[0]
        assert terminals.login("ТСД-1", badge, "1234").ok
        assert terminals.choose_mode("ТСД-1", "pick").ok
        assert terminals.scan("ТСД-1", code).ok
        eans = dict(db.execute("SELECT sku, ean13 FROM items").fetchall())
        for line in task["lines"]:
            assert terminals.scan("ТСД-1", cell_barcode(line["cell_id"])).ok
            assert terminals.scan("ТСД-1", eans[line["sku"]]).ok
            if line["qty"] > 1:
                assert terminals.typed("ТСД-1", line["qty"]).ok
        assert terminals.finish("ТСД-1").ok
        wait_until(lambda: _stage(engine, order_id) == "ready", 30, "central to see the order picked")
        assert {"dispatcher", "logistician"} <= _notices(engine, "pick_completed")

        # The logistician books the carrier and prints TORG-12 and the waybill.
        board = office.get("logistician", "/api/v1/logistics").json()
        (ready,) = [x for x in board["ready"] if x["order"] == order["number"]]
        quote = ready["quotes"][0]
        booked = office.post("logistician", f"/api/v1/shipments/{ready['id']}/carrier",
                             {"tariff_id": quote["tariff_id"], "day": "2026-11-26", "booking_number": "ПЭК-77"})  # fmt: skip
        assert json.dumps(booked).count(str(quote["cost_kop"])) >= 1, booked
        office.post("logistician", f"/api/v1/shipments/{ready['id']}/document", {"kind": "torg12"})
        assert office.get("logistician", f"/api/v1/shipments/{ready['id']}/torg12.pdf").content[:4] == b"%PDF"
        assert office.get("logistician", f"/api/v1/shipments/{ready['id']}/waybill.pdf").content[:4] == b"%PDF"

        # The goods leave W1: shipped at the handheld, the reservations are used up.
        assert terminals.choose_mode("ТСД-1", "ship").ok
        assert terminals.scan("ТСД-1", code).ok
        assert terminals.finish("ТСД-1").ok
        wait_until(lambda: central_applied(engine, "W1") == edge_outbox_seq(path), 30, "central to catch up")
        assert _stage(engine, order_id) == "shipped"
        with engine.connect() as conn:
            statuses = (
                conn.execute(
                    select(s.reservations.c.status)
                    .join(s.order_lines, s.order_lines.c.id == s.reservations.c.order_line_id)
                    .where(s.order_lines.c.order_id == order_id)
                )
                .scalars()
                .all()
            )
        assert set(statuses) == {"consumed"}

        # The signed TORG-12 comes back: the order's path is complete.
        office.post("logistician", f"/api/v1/shipments/{ready['id']}/documents-returned", {})
        assert _stage(engine, order_id) == "documents_received"
        view = office.get(manager, f"/api/v1/orders/{order_id}").json()
        assert view["number"] == order["number"]
