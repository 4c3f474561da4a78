"""The claims register and count sheets at central, through the API and the pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from central.app import create_app
from central.auth.passwords import hash_password
from central.auth.tokens import issue_token
from central.settings import CentralSettings
from central.store import schema as s
from central.store.engine import create_central_engine, migrate
from central.sync.inbox import SiteRef, apply_events
from sync.messages import Event

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
ROLES = ("purchasing_manager", "warehouse_manager", "controlling_manager", "picker", "admin")


def seed(engine: Engine) -> None:
    """One warehouse with a receiving and two storage cells, two items, a supplier, an open supply order, staff."""
    password = hash_password("demo")
    with engine.begin() as conn:
        conn.execute(insert(s.sites).values(id=1, code="W1", name="Основной склад", kind="warehouse"))
        conn.execute(
            insert(s.cells),
            [
                {"id": 10, "site_id": 1, "address": "RCV-01", "barcode": "2100000000107", "kind": "receiving"},
                {"id": 11, "site_id": 1, "address": "A-01-01-01", "barcode": "2100000000114", "kind": "storage"},
                {"id": 12, "site_id": 1, "address": "A-01-01-02", "barcode": "2100000000121", "kind": "storage"},
            ],
        )
        conn.execute(
            insert(s.items),
            [
                {
                    "id": n, "sku": sku, "name": name, "kind": "component", "uom": "шт", "ean13": ean,
                    "weight_g": 100, "volume_cm3": 10, "planned_cost_kop": cost,
                }
                for n, sku, name, ean, cost in (
                    (1, "K-40", "Кронштейн 40×40", "4601234567894", 12_50),
                    (2, "S-16", "Саморез 4,2×16", "4601234567900", 1_20),
                )
            ],
        )  # fmt: skip
        conn.execute(
            insert(s.suppliers).values(
                id=1, name="ООО «Металл»", inn="7701234567", payment_terms="отсрочка 30 дней", delivery_terms="склад"
            )
        )
        conn.execute(
            insert(s.supply_orders).values(
                id=1, number="ПЗ-00001", supplier_id=1, ordered_on=NOW.date(), eta=NOW.date(), status="open"
            )
        )
        conn.execute(
            insert(s.supply_order_lines),
            [
                {"supply_order_id": 1, "item_id": 1, "qty": 10, "price_kop": 10_00},
                {"supply_order_id": 1, "item_id": 2, "qty": 100, "price_kop": 1_00},
            ],
        )
        conn.execute(insert(s.stock).values(site_id=1, item_id=1, cell_id=11, qty=20))
        conn.execute(
            insert(s.users),
            [
                {"login": role, "full_name": f"Сотрудник {role}", "role": role, "password_hash": password}
                for role in ROLES
            ],
        )


@pytest.fixture
def setup(database_url: str):
    engine = create_central_engine(database_url)
    migrate(engine)
    seed(engine)
    settings = CentralSettings(database_url=database_url)
    with TestClient(create_app(settings, engine)) as client:
        yield engine, settings, client
    engine.dispose()


def bearer(engine: Engine, settings: CentralSettings, login: str) -> dict[str, str]:
    with engine.connect() as conn:
        user_id = conn.execute(select(s.users.c.id).where(s.users.c.login == login)).scalar_one()
    return {"Authorization": f"Bearer {issue_token(settings.secret_key.get_secret_value(), user_id)}"}


def site_events(engine: Engine, *facts: tuple[str, dict[str, object]]) -> None:
    with engine.begin() as conn:
        site = SiteRef.load(conn, "W1")
        applied = conn.execute(select(s.sync_sites.c.applied_seq)).scalar() or 0
        events = [
            Event(
                event_id=os.urandom(16).hex(), seq=applied + n, type=kind, occurred_at=NOW, actor="badge:1",
                payload=payload, schema_version=2,
            )
            for n, (kind, payload) in enumerate(facts, start=1)
        ]  # fmt: skip
        apply_events(conn, site, events, NOW)


def test_expected_receipt_and_the_claims_register(setup):
    engine, settings, client = setup
    buyer = bearer(engine, settings, "purchasing_manager")
    denied = client.post(
        "/api/v1/supply-orders/ПЗ-00001/expected-receipt", json={}, headers=bearer(engine, settings, "picker")
    )
    assert denied.status_code == 403 and "закупке" in denied.json()["detail"]
    sent = client.post("/api/v1/supply-orders/ПЗ-00001/expected-receipt", json={"site": "W1"}, headers=buyer)
    assert sent.status_code == 201, sent.text
    code = sent.json()["receipt"]
    assert code.startswith("24")
    again = client.post("/api/v1/supply-orders/ПЗ-00001/expected-receipt", json={"site": "W1"}, headers=buyer)
    assert again.status_code == 409 and "уже отправлена" in again.json()["detail"]
    with engine.connect() as conn:
        down = conn.execute(select(s.down_log.c.kind, s.down_log.c.payload)).one()
    task = json.loads(down.payload)
    assert down.kind == "task" and task["id"] == code and task["kind"] == "receipt"
    assert task["lines"] == [
        {"sku": "K-40", "name": "Кронштейн 40×40", "expected": 10},
        {"sku": "S-16", "name": "Саморез 4,2×16", "expected": 100},
    ]

    site_events(
        engine,
        ("UnitsReceived", {"sku": "K-40", "cell_id": 10, "qty": 12, "receipt": code, "package": None}),
        ("DefectiveReceived", {"sku": "S-16", "qty": 5, "receipt": code}),
        ("UnitsReceived", {"sku": "S-16", "cell_id": 10, "qty": 90, "receipt": code, "package": None}),
        (
            "ReceiptClosed",
            {
                "receipt": code,
                "supply_order": "ПЗ-00001",
                "lines": [
                    {"sku": "K-40", "expected": 10, "received": 12, "defective": 0},
                    {"sku": "S-16", "expected": 100, "received": 90, "defective": 5},
                ],
            },
        ),
    )
    register = client.get("/api/v1/claims", headers=buyer).json()
    by_sku = {c["sku"]: c for c in register}
    assert by_sku["K-40"]["over"] == 2 and by_sku["K-40"]["claim_kop"] == 0
    assert by_sku["S-16"]["under"] == 5 and by_sku["S-16"]["defective"] == 5
    assert by_sku["S-16"]["claim_kop"] == 10 * 1_00
    with engine.connect() as conn:
        assert conn.execute(select(s.supply_orders.c.status)).scalar_one() == "received"
    assert client.get("/api/v1/receipts", headers=buyer).json()[0]["status"] == "closed"

    page = client.get("/warehouse/claims", headers=buyer)
    assert page.status_code == 200 and "ПЗ-00001" in page.text and "10,00 ₽" in page.text
    keeper = bearer(engine, settings, "warehouse_manager")
    assert (
        client.post(f"/api/v1/claims/{by_sku['S-16']['id']}/settle", json={"note": "x"}, headers=keeper).status_code
        == 403
    )
    settled = client.post(
        f"/api/v1/claims/{by_sku['S-16']['id']}/settle", json={"note": "Кредит-нота № 15"}, headers=buyer
    )
    assert settled.status_code == 200
    assert [c["status"] for c in client.get("/api/v1/claims?status=open", headers=keeper).json()] == ["open"]


def test_count_sheet_approval_sends_the_adjustment_and_follows_it(setup):
    engine, settings, client = setup
    controller = bearer(engine, settings, "controlling_manager")
    assert client.get("/api/v1/count-sheets", headers=bearer(engine, settings, "picker")).status_code == 403
    task = client.post("/api/v1/count-tasks", json={"site": "W1", "sku": "K-40"}, headers=controller)
    assert task.status_code == 201 and task.json()["task"].startswith("ПСЧ-")
    bad = client.post("/api/v1/count-tasks", json={"site": "W1", "cells": ["Z-99"]}, headers=controller)
    assert bad.status_code == 409 and "Z-99" in bad.json()["detail"]

    site_events(
        engine,
        ("CellCounted", {"sku": "K-40", "cell_id": 11, "book": 20, "counted": 15, "count_task": None}),
        ("CellCounted", {"sku": "K-40", "cell_id": 11, "book": 20, "counted": 17, "count_task": None}),
        ("CellCounted", {"sku": "S-16", "cell_id": 12, "book": 0, "counted": 3, "count_task": None}),
        ("CellCounted", {"sku": "K-40", "cell_id": 12, "book": 0, "counted": 0, "count_task": None}),
    )
    sheets = client.get("/api/v1/count-sheets", headers=controller).json()
    assert len(sheets) == 1
    number = sheets[0]["number"]
    assert number.startswith("ИНВ-") and sheets[0]["lines"] == 3  # the recount replaced the first count
    assert sheets[0]["shortage"] == 3 and sheets[0]["shortage_kop"] == 3 * 12_50
    assert sheets[0]["surplus"] == 3 and sheets[0]["surplus_kop"] == 3 * 1_20
    page = client.get(f"/warehouse/counts/{number}", headers=controller)
    assert page.status_code == 200 and "Утвердить" in page.text and "A-01-01-01" in page.text
    assert client.get("/warehouse/counts", headers=controller).status_code == 200

    approved = client.post(f"/api/v1/count-sheets/{number}/approve", headers=controller)
    assert approved.status_code == 200 and approved.json()["adjustment_lines"] == 2
    assert client.post(f"/api/v1/count-sheets/{number}/approve", headers=controller).status_code == 409
    with engine.connect() as conn:
        payload = json.loads(
            conn.execute(select(s.down_log.c.payload).order_by(s.down_log.c.seq.desc()).limit(1)).scalar_one()
        )
    assert payload["kind"] == "adjustment" and payload["id"] == number
    assert {(line["sku"], line["book"], line["counted"], line["count_seq"]) for line in payload["lines"]} == {
        ("K-40", 20, 17, 2),
        ("S-16", 0, 3, 3),
    }

    site_events(
        engine,
        ("StockAdjusted", {"adjustment": number, "sku": "K-40", "cell_id": 11, "book": 20, "counted": 17, "delta": -3}),
        (
            "AdjustmentRefused",
            {"adjustment": number, "sku": "S-16", "cell_id": 12, "reason": "recounted", "message": "пересчитано"},
        ),
    )
    sheet = client.get(f"/api/v1/count-sheets/{number}", headers=controller).json()
    assert sheet["status"] == "applied"
    assert {(line["sku"], line["cell"]): line["status"] for line in sheet["items"]} == {
        ("K-40", "A-01-01-01"): "applied",
        ("K-40", "A-01-01-02"): "counted",  # no difference: nothing to adjust
        ("S-16", "A-01-01-02"): "refused",
    }
    with engine.connect() as conn:
        assert conn.execute(select(s.stock.c.qty).where(s.stock.c.cell_id == 11)).scalar_one() == 17
