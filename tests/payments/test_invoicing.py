"""Issuing an order's invoice (ORD-8): the next number, the order's total, VAT inside it to the kopeck, one per order."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from central.app import create_app
from central.documents.settings import DocumentSettings
from central.payments import routes
from central.payments.invoicing import issue_invoice
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import TODAY, seeded, staff
from tests.payments.helpers import bearer, rows


def _client(engine: Engine, settings: CentralSettings) -> TestClient:
    app = create_app(settings, engine)
    app.dependency_overrides[routes.today] = lambda: TODAY
    return TestClient(app)


def _orders(engine: Engine, status: str) -> list[tuple[int, str, int, str]]:
    """(id, number, total, manager's login) of the seeded orders in a status."""
    with engine.connect() as conn:
        return [
            (r.id, r.number, r.total_kop, r.login)
            for r in conn.execute(
                select(s.orders.c.id, s.orders.c.number, s.orders.c.total_kop, s.users.c.login)
                .join(s.users, s.users.c.id == s.orders.c.manager_id)
                .where(s.orders.c.status == status)
                .order_by(s.orders.c.id)
            )
        ]


def _vat_half_up(total_kop: int, percent: int) -> int:
    # VAT inside a VAT-inclusive amount, rounded half-up, in whole-number arithmetic.
    return (2 * total_kop * percent + (100 + percent)) // (2 * (100 + percent))


def test_invoice_numbers_continue_the_sequence_with_the_vat_inside_the_total(database_url):
    engine = seeded(database_url)
    settings = CentralSettings(database_url=database_url, environment="test")
    with engine.connect() as conn:
        seeded_invoices = conn.execute(select(func.count()).select_from(s.invoices)).scalar_one()
        highest = conn.execute(select(func.max(s.invoices.c.number))).scalar_one()
    assert highest == f"{seeded_invoices:07d}"
    (first, first_number, first_total, manager), (second, *_rest) = _orders(engine, "confirmed")[:2]
    with _client(engine, settings) as client:
        answer = client.post(f"/api/v1/orders/{first}/invoice", headers=bearer(engine, settings, manager))
        assert answer.status_code == 201, answer.text
        invoice = answer.json()
        assert invoice["number"] == f"{seeded_invoices + 1:07d}"
        assert invoice["amount_kop"] == first_total
        assert invoice["vat_kop"] == _vat_half_up(first_total, 22)
        by_accountant = client.post(f"/api/v1/orders/{second}/invoice", headers=bearer(engine, settings, "accountant"))
        assert by_accountant.status_code == 201
        assert by_accountant.json()["number"] == f"{seeded_invoices + 2:07d}"
        read = client.get(f"/api/v1/invoices/{invoice['id']}", headers=bearer(engine, settings, manager)).json()
        assert read["order"] == first_number and read["issued_on"] == TODAY.isoformat()
        assert read["paid_kop"] == 0 and read["due_kop"] == first_total


def test_vat_is_exact_to_the_kopeck_at_the_configured_rate(database_url):
    engine = seeded(database_url)
    settings = CentralSettings(database_url=database_url, environment="test")
    order_id, _number, _total, manager = _orders(engine, "confirmed")[0]
    with engine.begin() as conn:
        # 100 007 kopecks at 10 %: 100 007 × 10 / 110 = 9 091.545… → 9 092 kopecks (rounded up, not truncated).
        conn.execute(update(s.orders).where(s.orders.c.id == order_id).values(total_kop=100_007))
    app = create_app(settings, engine)
    app.dependency_overrides[routes.today] = lambda: TODAY
    app.state.document_settings = DocumentSettings(vat_percent=10)
    with TestClient(app) as client:
        invoice = client.post(f"/api/v1/orders/{order_id}/invoice", headers=bearer(engine, settings, manager)).json()
    assert invoice["amount_kop"] == 100_007 and invoice["vat_kop"] == 9_092


def test_refusals_change_nothing(database_url):
    engine = seeded(database_url)
    settings = CentralSettings(database_url=database_url, environment="test")
    order_id, number, _total, manager = _orders(engine, "confirmed")[0]
    other = next(login for *_x, login in _orders(engine, "confirmed") if login != manager)
    draft_id, draft_number, *_ = _orders(engine, "draft")[0]
    with _client(engine, settings) as client:
        before = rows(engine, s.invoices, s.orders)
        wrong_manager = client.post(f"/api/v1/orders/{order_id}/invoice", headers=bearer(engine, settings, other))
        assert wrong_manager.status_code == 403 and "другой менеджер" in wrong_manager.json()["detail"]
        picker = client.post(f"/api/v1/orders/{order_id}/invoice", headers=bearer(engine, settings, "picker01"))
        assert picker.status_code == 403
        draft = client.post(f"/api/v1/orders/{draft_id}/invoice", headers=bearer(engine, settings, "accountant"))
        assert draft.status_code == 409 and draft.json()["detail"].startswith(f"Заказ {draft_number} — черновик")
        missing = client.post("/api/v1/orders/999999/invoice", headers=bearer(engine, settings, "accountant"))
        assert missing.status_code == 404 and missing.json()["detail"] == "Заказ №999999 не найден"
        nonsense = client.post("/api/v1/orders/abc/invoice", headers=bearer(engine, settings, "accountant"))
        assert nonsense.status_code == 422 and "нужно целое число" in nonsense.json()["detail"]
        anonymous = client.post(f"/api/v1/orders/{order_id}/invoice")
        assert anonymous.status_code == 401
        assert rows(engine, s.invoices, s.orders) == before

        first = client.post(f"/api/v1/orders/{order_id}/invoice", headers=bearer(engine, settings, manager)).json()
        issued = rows(engine, s.invoices)
        again = client.post(f"/api/v1/orders/{order_id}/invoice", headers=bearer(engine, settings, "accountant"))
        assert again.status_code == 409 and again.json()["detail"] == f"Счёт уже выставлен: № {first['number']}"
        assert rows(engine, s.invoices) == issued
    with engine.connect() as conn:
        assert conn.execute(select(s.orders.c.number).where(s.orders.c.id == order_id)).scalar_one() == number
        assert (
            conn.execute(
                select(func.count()).select_from(s.invoices).where(s.invoices.c.order_id == order_id)
            ).scalar_one()
            == 1
        )


def test_invoices_issued_at_once_get_distinct_consecutive_numbers(database_url):
    engine = seeded(database_url)
    accountant = staff(engine, "accountant")
    order_ids = [order_id for order_id, *_ in _orders(engine, "confirmed")[:4]]
    with engine.connect() as conn:
        start = conn.execute(select(func.count()).select_from(s.invoices)).scalar_one() + 1
    barrier = threading.Barrier(len(order_ids))

    def issue(order_id: int) -> int:
        barrier.wait()
        return issue_invoice(engine, accountant, order_id, TODAY)

    with ThreadPoolExecutor(len(order_ids)) as pool:
        invoice_ids = list(pool.map(issue, order_ids))
    with engine.connect() as conn:
        numbers = conn.execute(select(s.invoices.c.number).where(s.invoices.c.id.in_(invoice_ids))).scalars().all()
    assert sorted(numbers) == [f"{n:07d}" for n in range(start, start + len(order_ids))]
