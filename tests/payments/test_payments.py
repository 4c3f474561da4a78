"""Payments (ORD-9, INT-2): a real cp1251 statement matched where it can be, the rest matched or decided by hand,
payments typed in exactly to the kopeck, the manager and the accountant told — and every refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from central.payments.amounts import AmountError, parse_rub
from central.store import schema as s
from tests.payments.helpers import NOW, STATEMENT, Company, inbox, rows


@pytest.mark.parametrize(
    ("text", "kopecks"),
    [("12 345,67", 1_234_567), ("0,01", 1), ("1\u00a0000", 100_000), ("12345.6", 1_234_560), ("7 ₽", 700)],
)
def test_amounts_read_exactly_to_the_kopeck(text, kopecks):
    assert parse_rub(text) == kopecks


@pytest.mark.parametrize("text", ["", "abc", "-5", "0", "0,00", "1,234", "12 34,00", "1e3", "12 345,678", "1,2,3"])
def test_what_is_not_an_amount_is_refused(text):
    with pytest.raises(AmountError):
        parse_rub(text)


def _import(company: Company, login: str = "accountant") -> Any:
    upload = {"file": ("kl_to_1c.txt", STATEMENT.read_bytes(), "text/plain")}
    return company.client.post("/api/v1/payments/import", files=upload, headers=company.headers(login))


def test_statement_matched_then_reviewed_by_hand_with_partial_and_over_payments(database_url):
    company = Company(database_url)
    with company.client:
        report = _import(company).json()
        assert (report["incoming"], report["imported"], report["matched"], report["partial"]) == (4, 3, 1, 1)
        assert (report["for_review"], report["unknown_payer"]) == (2, 1)
        statuses = {line["number"]: (line["status"], line["reason"]) for line in report["lines"]}
        assert statuses["601"] == ("partial", "Счёт № 7001: частичная оплата")
        assert statuses["602"][0] == "for_review" and statuses["602"][1].startswith("Счёт не определён")
        assert statuses["603"] == ("for_review", "Счёт № 7002: сумма платежа больше остатка к оплате")
        assert statuses["78"] == ("unknown_payer", "Плательщик с ИНН 500100732259 не найден")
        assert company.paid("7001") == 5_000_000 and company.paid("7002") == 0
        assert inbox(company.engine) == [
            (company.manager, "payment", "Заказ " + _order_number(company, "7001") + ": счёт № 7001 оплачен частично",
             "/orders/" + str(_order_id(company, "7001"))),
            ("accountant", "payment_review", "Выписка загружена: не разнесено платежей — 3", "/accounting/payments"),
        ]  # fmt: skip
        with company.engine.connect() as conn:
            sources = conn.execute(select(s.payments.c.source, s.payments.c.entered_by).where(
                s.payments.c.customer_id == company.customer_id, s.payments.c.fingerprint.is_not(None),
                s.payments.c.entered_at == NOW)).all()  # fmt: skip
        assert (
            len(sources) == 3
            and {x.source for x in sources} == {"bank"}
            and None not in {x.entered_by for x in sources}
        )

        unmatched = company.client.get("/api/v1/payments/unmatched", headers=company.headers("accountant")).json()
        mine = {x["document_number"]: x for x in unmatched if x["customer"]["id"] == company.customer_id}
        assert set(mine) == {"602", "603"}
        assert [i["number"] for i in mine["602"]["open_invoices"]] == ["7001", "7002"]
        assert mine["602"]["open_invoices"][0]["due_kop"] == 7_200_000
        assert mine["603"]["reason"] == "Счёт № 7002: сумма платежа больше остатка к оплате"

        # Re-importing the same statement stores nothing and pays nothing twice.
        before = rows(company.engine, s.payments, s.invoices)
        again = _import(company).json()
        assert (again["imported"], again["already_imported"], again["matched"]) == (0, 3, 0)
        assert rows(company.engine, s.payments, s.invoices) == before
        assert [n[1] for n in inbox(company.engine)].count("payment") == 1

        # By hand: 30 000,00 on № 7001 (still partly paid), 99 999,99 on № 7002 (over-paid, shown, not lost).
        partial = company.client.post(
            f"/api/v1/payments/{company.payment_id('602')}/match",
            json={"invoice_id": company.invoice["7001"]},
            headers=company.headers("accountant"),
        )
        assert partial.status_code == 200, partial.text
        assert partial.json()["invoice"]["due_kop"] == 12_200_000 - 8_000_000
        over = company.client.post(
            f"/api/v1/payments/{company.payment_id('603')}/match",
            json={"invoice_id": company.invoice["7002"]},
            headers=company.headers("accountant"),
        ).json()
        assert over["invoice"]["paid_kop"] == 9_999_999 and over["invoice"]["overpaid_kop"] == 3_999_999
        assert company.paid("7001") == 8_000_000 and company.paid("7002") == 9_999_999
        notices = [n for n in inbox(company.engine) if n[1] == "payment"]
        assert [(n[0], n[2].rsplit(": ", 1)[1]) for n in notices] == [
            (company.manager, "счёт № 7001 оплачен частично"),
            (company.manager, "счёт № 7001 оплачен частично"),
            (company.manager, "счёт № 7002 оплачен с переплатой"),
        ]
        with company.engine.connect() as conn:
            body = conn.execute(
                select(s.notifications.c.body).order_by(s.notifications.c.id.desc()).limit(1)
            ).scalar_one()
        assert "поступило 99\u00a0999,99 руб." in body and "переплата 39\u00a0999,99 руб." in body


def _order_id(company: Company, number: str) -> int:
    with company.engine.connect() as conn:
        return int(conn.execute(select(s.invoices.c.order_id).where(s.invoices.c.number == number)).scalar_one())


def _order_number(company: Company, number: str) -> str:
    with company.engine.connect() as conn:
        return str(
            conn.execute(
                select(s.orders.c.number).join(s.invoices, s.invoices.c.order_id == s.orders.c.id)
                .where(s.invoices.c.number == number)
            ).scalar_one()
        )  # fmt: skip


def test_refused_matches_and_decisions_change_nothing(database_url):
    company = Company(database_url)
    with company.client:
        _import(company)
        matched, waiting = company.payment_id("601"), company.payment_id("602")
        accountant = company.headers("accountant")
        before = company.state()
        refusals = [
            (company.headers(company.manager), waiting, company.invoice["7001"], 403, "Оплаты вносит и разносит бухгалтер"),
            (accountant, matched, company.invoice["7002"], 409, "Платёж уже разнесён на счёт № 7001"),
            (accountant, waiting, company.foreign_invoice, 422, "выставлен другому покупателю"),
            (accountant, waiting, 999_999, 404, "Счёт 999999 не найден"),
            (accountant, 999_999, company.invoice["7001"], 404, "Платёж 999999 не найден"),
        ]  # fmt: skip
        for headers, payment, invoice, status, detail in refusals:
            answer = company.client.post(f"/api/v1/payments/{payment}/match", json={"invoice_id": invoice},
                                         headers=headers)  # fmt: skip
            assert answer.status_code == status and detail in answer.json()["detail"], (payment, invoice, answer.text)
        nonsense = company.client.post(
            f"/api/v1/payments/{waiting}/match", json={"invoice_id": "x"}, headers=accountant
        )
        assert nonsense.status_code == 422 and nonsense.json()["detail"].startswith("Неверные данные")
        bogus = company.client.post(f"/api/v1/payments/{waiting}/review", json={"decision": "x"}, headers=accountant)
        assert bogus.status_code == 422
        assert company.state() == before

        # A fully paid invoice takes no more: the payment stays for review.
        with company.engine.begin() as conn:
            conn.execute(update(s.invoices).where(s.invoices.c.number == "7002").values(paid_kop=6_000_000))
        before = company.state()
        paid = company.client.post(f"/api/v1/payments/{waiting}/match",
                                   json={"invoice_id": company.invoice["7002"]}, headers=accountant)  # fmt: skip
        assert paid.status_code == 409 and paid.json()["detail"] == "Счёт № 7002 уже оплачен"
        assert company.state() == before

        kept = company.client.post(f"/api/v1/payments/{waiting}/review", json={"decision": "advance"},
                                   headers=accountant)  # fmt: skip
        assert kept.status_code == 200 and kept.json()["review"] == "advance" and kept.json()["invoice"] is None
        # An advance kept is still the customer's money: it can be put on an invoice later.
        later = company.client.post(f"/api/v1/payments/{waiting}/match",
                                    json={"invoice_id": company.invoice["7001"]}, headers=accountant)  # fmt: skip
        assert later.status_code == 200 and later.json()["review"] is None
        refused = company.client.post(f"/api/v1/payments/{waiting}/review", json={"decision": "not_ours"},
                                      headers=accountant)  # fmt: skip
        assert refused.status_code == 409


def test_payments_entered_by_hand(database_url):
    company = Company(database_url)
    accountant = company.headers("accountant")
    entry = {"customer_id": company.customer_id, "received_on": "2026-11-24", "document_number": "603",
             "purpose": "Оплата по сч. N 7002"}  # fmt: skip
    with company.client:
        before = company.state()
        for amount, detail in (("двенадцать", "не сумма"), ("0,00", "больше нуля"), ("12 345,678", "не сумма")):
            bad = company.client.post("/api/v1/payments", json={**entry, "amount": amount}, headers=accountant)
            assert bad.status_code == 422 and detail in bad.json()["detail"]
        for body, status in (
            ({**entry, "amount": "1,00", "customer_id": 999_999}, 404),
            ({**entry, "amount": "1,00", "invoice_id": company.foreign_invoice}, 422),
            ({**entry, "amount": "1,00", "received_on": "24.11.2026"}, 422),
            ({**entry, "amount": "1,00", "document_number": ""}, 422),
        ):
            assert company.client.post("/api/v1/payments", json=body, headers=accountant).status_code == status
        by_manager = company.client.post("/api/v1/payments", json={**entry, "amount": "1,00"},
                                         headers=company.headers(company.manager))  # fmt: skip
        assert by_manager.status_code == 403
        assert company.state() == before

        small = company.client.post("/api/v1/payments", json={**entry, "amount": "0,01", "document_number": "1"},
                                    headers=accountant)  # fmt: skip
        assert small.status_code == 201 and small.json()["amount_kop"] == 1 and small.json()["invoice"] is None
        assert small.json()["source"] == "manual"
        paid = company.client.post(
            "/api/v1/payments",
            json={**entry, "amount": "12 345,67", "invoice_id": company.invoice["7002"]},
            headers=accountant,
        ).json()
        assert paid["amount_kop"] == 1_234_567 and paid["invoice"]["paid_kop"] == 1_234_567
        assert inbox(company.engine)[-1][:3] == (
            company.manager,
            "payment",
            f"Заказ {_order_number(company, '7002')}: счёт № 7002 оплачен частично",
        )
        with company.engine.connect() as conn:
            entered = conn.execute(
                select(s.payments.c.entered_by, s.users.c.login, s.payments.c.matched_by)
                .join(s.users, s.users.c.id == s.payments.c.entered_by)
                .where(s.payments.c.id == paid["id"])
            ).one()
        assert entered.login == "accountant" and entered.matched_by == entered.entered_by

        # A payment typed in before the statement came (its number, date and amount) is recognised on import and
        # not paid twice.
        company.client.post("/api/v1/payments", json={**entry, "amount": "50 000,00", "document_number": "601",
                                                      "received_on": "2026-11-23"}, headers=accountant)  # fmt: skip
        report = _import(company).json()
        statuses = {line["number"]: (line["status"], line["reason"]) for line in report["lines"]}
        assert statuses["601"] == ("already_imported", "Платёж уже внесён вручную")
        assert company.paid("7001") == 0
