"""The accountant's pages through the login form: statement upload with its report, matching and deciding in the
review list, a payment typed in, the invoices list with its filter; other roles are kept out."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.payments.helpers import STATEMENT, Company, inbox


def _login(client: TestClient, login: str) -> None:
    answer = client.post("/login", data={"login": login, "password": "demo"}, follow_redirects=False)
    assert answer.status_code == 303


def _row(html: str, attribute: str, value: object) -> str:
    found = re.search(rf'<tr {attribute}="{value}".*?</tr>', html, re.S)
    assert found is not None, f"no row {attribute}={value}"
    return found.group(0)


def test_the_accountants_day_on_the_pages(database_url):
    company = Company(database_url)
    with company.client as client:
        _login(client, "accountant")
        empty = client.get("/accounting/payments")
        assert empty.status_code == 200 and "Загрузить выписку из банка" in empty.text

        upload = {"statement": ("kl_to_1c.txt", STATEMENT.read_bytes(), "text/plain")}
        page = client.post("/accounting/payments/import", files=upload)
        assert page.status_code == 200 and "Выписка загружена" in page.text
        report = re.search(r'<section class="card" id="report">.*?</section>', page.text, re.S)
        assert report is not None
        assert report.group(0).count('data-status="for_review"') == 2
        assert "разнесён, частичная оплата" in _row(report.group(0), "data-status", "partial")
        assert 'data-status="unknown_payer"' in report.group(0) and "500100732259" in report.group(0)

        waiting, over = company.payment_id("602"), company.payment_id("603")
        row = _row(page.text, "data-payment", waiting)
        assert "Счёт не определён" in row and "№ 7001" in row and "72\u00a0000,00" in row
        before = company.state()
        bad = client.post("/accounting/payments/import", files={"statement": ("x.txt", b"nonsense", "text/plain")})
        assert bad.status_code == 422 and "Выписка не прочитана" in bad.text
        cut = STATEMENT.read_bytes().replace("КонецФайла".encode("cp1251"), b"")
        truncated = client.post("/accounting/payments/import", files={"statement": ("kl_to_1c.txt", cut, "text/plain")})
        assert truncated.status_code == 422 and "Нет строки «КонецФайла»" in truncated.text
        assert company.state() == before

        matched = client.post(f"/accounting/payments/{waiting}/match", data={"invoice_id": company.invoice["7001"]},
                              follow_redirects=False)  # fmt: skip
        assert matched.status_code == 303 and matched.headers["location"] == "/accounting/payments?done=matched"
        after = client.get("/accounting/payments?done=matched").text
        assert "Платёж разнесён на счёт." in after and f'data-payment="{waiting}"' not in after
        again = client.post(f"/accounting/payments/{waiting}/match", data={"invoice_id": company.invoice["7001"]})
        assert again.status_code == 409 and "Платёж уже разнесён на счёт № 7001" in again.text

        kept = client.post(f"/accounting/payments/{over}/review", data={"decision": "advance"})
        assert kept.status_code == 200 and "Платёж оставлен авансом покупателя." in kept.text
        assert 'data-review="advance"' in _row(kept.text, "data-payment", over)

        entry = {"customer_id": company.customer_id, "received_on": "2026-11-25", "amount": "22 000,00",
                 "document_number": "700", "purpose": "Доплата", "invoice_number": "7001"}  # fmt: skip
        wrong = client.post("/accounting/payments/new", data={**entry, "amount": "22 000 руб"})
        assert wrong.status_code == 422 and "не сумма" in wrong.text
        unknown = client.post("/accounting/payments/new", data={**entry, "invoice_number": "0000000"})
        assert unknown.status_code == 404 and "Счёт № 0000000 не найден" in unknown.text
        entered = client.post("/accounting/payments/new", data=entry, follow_redirects=False)
        assert entered.status_code == 303
        assert company.paid("7001") == 5_000_000 + 3_000_000 + 2_200_000

        invoices = client.get("/accounting/invoices", params={"q": "7001"})
        assert invoices.status_code == 200
        assert 'data-state="partly"' in _row(invoices.text, "data-invoice", "7001")
        assert f'href="/api/v1/invoices/{company.invoice["7001"]}/pdf"' in invoices.text
        paid_filter = client.get("/accounting/invoices", params={"state": "unpaid", "q": "7001"}).text
        assert 'data-invoice="7001"' not in paid_filter and "Счетов не найдено." in paid_filter
        unpaid = client.get("/accounting/invoices", params={"state": "unpaid"}).text
        assert 'data-invoice="7002"' in unpaid
    notices = [(n[0], n[1]) for n in inbox(company.engine)]
    assert (
        notices == [(company.manager, "payment"), ("accountant", "payment_review")] + [(company.manager, "payment")] * 2
    )


def test_other_roles_are_kept_out_and_the_director_only_reads(database_url):
    company = Company(database_url)
    before = company.state()
    with company.client as client:
        _login(client, company.manager)
        assert client.get("/accounting/payments").status_code == 403
        assert client.get("/accounting/invoices").status_code == 403
        upload = {"statement": ("kl_to_1c.txt", STATEMENT.read_bytes(), "text/plain")}
        assert client.post("/accounting/payments/import", files=upload).status_code == 403
        client.post("/logout")
        _login(client, "director")
        page = client.get("/accounting/payments")
        assert page.status_code == 200 and "Загрузить выписку" not in page.text and "Внести платёж" not in page.text
        assert client.get("/accounting/invoices").status_code == 200
        assert client.post("/accounting/payments/import", files=upload).status_code == 403
    assert company.state() == before
