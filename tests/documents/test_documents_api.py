"""Invoice PDF and the order's contract (.docx and PDF) through the API, on the seeded demo company.

The documents are for one order written here (own customer, items and invoice), so the snapshots of their
text do not move when the demo company changes. ``STOCKYARD_UPDATE_SNAPSHOTS=1`` rewrites the snapshots.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import textwrap
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine, insert, select

from central.app import create_app
from central.auth.tokens import issue_token
from central.documents.contract import docx_text
from central.documents.contract_template import write_default_template
from central.documents.invoice_pdf import invoice_customer, invoice_html, invoice_lines
from central.documents.money import payment_qr_svg
from central.documents.settings import DocumentSettings
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import seeded

SNAPSHOTS = Path(__file__).parent / "snapshots"
UTC = dt.UTC


def snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("STOCKYARD_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def pdf_text(data: bytes) -> str:
    """The PDF's words in reading order, re-wrapped: where a line breaks depends on the font's metrics, so the
    snapshot holds the words, not the layout."""
    assert data.startswith(b"%PDF-")
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    return textwrap.fill(" ".join(words), width=110) + "\n"


def token(engine: Engine, settings: CentralSettings, login: str) -> dict[str, str]:
    with engine.connect() as conn:
        user_id = conn.execute(select(s.users.c.id).where(s.users.c.login == login)).scalar_one()
    return {"Authorization": f"Bearer {issue_token(settings.secret_key.get_secret_value(), user_id)}"}


def an_order(engine: Engine) -> tuple[int, int]:
    """An order of two lines for a customer of manager01, with its invoice: (order id, invoice id)."""
    with engine.begin() as conn:
        manager = conn.execute(select(s.users.c.id).where(s.users.c.login == "manager01")).scalar_one()
        customer = conn.execute(
            insert(s.customers)
            .values(name="ООО «Ромашка»", inn="7707083893", kpp="770701001", ogrn="1027700132195", bank_bik="044525974",
                    bank_name="АО «ТБанк»", correspondent_account="30101810145250000974",
                    settlement_account="40702810910000000001", legal_address="125009, г. Москва, ул. Тверская, д. 1",
                    delivery_address="г. Химки, ул. Заводская, д. 5", lat=55.9, lon=37.4, window_from_min=540,
                    window_to_min=1080, phone="+7 495 000-00-01", price_list_id=1, manager_id=manager,
                    payment_method="advance", created_at=dt.datetime(2026, 11, 1, tzinfo=UTC))
            .returning(s.customers.c.id)
        ).scalar_one()  # fmt: skip
        items = []
        for sku, name, uom, ean in (
            ("DOC-1", "Стеллаж складской СТ-200", "шт", "4600000000017"),
            ("DOC-2", "Полка усиленная П-50", "шт", "4600000000024"),
        ):
            items.append(
                conn.execute(
                    insert(s.items)
                    .values(sku=sku, name=name, kind="finished", uom=uom, ean13=ean, weight_g=1000, volume_cm3=1000,
                            planned_cost_kop=100)
                    .returning(s.items.c.id)
                ).scalar_one()
            )  # fmt: skip
        order = conn.execute(
            insert(s.orders)
            .values(number="З-0900001", customer_id=customer, manager_id=manager, status="confirmed", source="manager",
                    created_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC), deadline=dt.date(2026, 12, 1),
                    payment_form="advance", return_terms="defects_only", total_kop=12_200_050)
            .returning(s.orders.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            insert(s.order_lines),
            [
                {"order_id": order, "item_id": items[0], "qty": 10, "price_kop": 1_000_005},
                {"order_id": order, "item_id": items[1], "qty": 4, "price_kop": 550_000},
            ],
        )
        invoice = conn.execute(
            insert(s.invoices)
            .values(number="0900001", order_id=order, issued_on=dt.date(2026, 11, 20), amount_kop=12_200_050,
                    vat_kop=2_200_009, paid_kop=0)
            .returning(s.invoices.c.id)
        ).scalar_one()  # fmt: skip
    return order, invoice


def test_invoice_pdf_prints_the_form_and_the_json_invoices_qr(database_url):
    engine = seeded(database_url)
    settings = CentralSettings(database_url=database_url, environment="test")
    _order, invoice_id = an_order(engine)
    accountant = token(engine, settings, "accountant")
    with TestClient(create_app(settings, engine)) as client:
        answer = client.get(f"/api/v1/invoices/{invoice_id}/pdf", headers=accountant)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''" in answer.headers["content-disposition"]
        text = pdf_text(answer.content)
        snapshot("invoice.txt", text)
        for expected in ("Счёт на оплату № 0900001 от 20.11.2026", "ИНН 5001007329", "ИНН 7707083893",
                         "В том числе НДС 22 %:", "22 000,09",
                         "Сто двадцать две тысячи рублей 50 копеек", "40702810938000012345"):  # fmt: skip
            assert expected in text.replace("\u00a0", " ")

        # the QR code printed is the one of the JSON invoice's payload
        invoice = client.get(f"/api/v1/invoices/{invoice_id}", headers=accountant).json()
        with engine.connect() as conn:
            page = invoice_html(invoice, invoice_customer(conn, invoice_id), invoice_lines(conn, invoice_id), 22)
        assert payment_qr_svg(invoice["payment_qr"]) in page
        assert "Sum=12200050" in invoice["payment_qr"]

        # who may not read the invoice may not print it; an unknown invoice is 404
        assert (
            client.get(f"/api/v1/invoices/{invoice_id}/pdf", headers=token(engine, settings, "picker01")).status_code
            == 403
        )
        other = token(engine, settings, "manager02")
        assert client.get(f"/api/v1/invoices/{invoice_id}/pdf", headers=other).status_code == 404
        assert client.get("/api/v1/invoices/999999/pdf", headers=accountant).status_code == 404


REQUISITES = (
    "ООО «Стокъярд Демо»", "5001007329", "500101001", "40702810938000012345", "044525225",
    "ООО «Ромашка»", "7707083893", "770701001", "1027700132195", "40702810910000000001", "044525974",
    "30101810145250000974", "125009, г. Москва, ул. Тверская, д. 1",
)  # fmt: skip


def test_contract_docx_and_pdf_are_filled_with_requisites_and_terms(database_url, tmp_path):
    engine = seeded(database_url)
    settings = CentralSettings(database_url=database_url, environment="test")
    order_id, _invoice = an_order(engine)
    manager = token(engine, settings, "manager01")
    app = create_app(settings, engine)
    app.state.document_settings = DocumentSettings(vat_percent=22)
    with TestClient(app) as client:
        answer = client.get(f"/api/v1/orders/{order_id}/contract.docx", headers=manager)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
        Document(io.BytesIO(answer.content))  # Word opens it: a valid .docx
        text = docx_text(answer.content)
        assert "{{" not in text and "{%" not in text and "}}" not in text
        for value in (*REQUISITES, "Д-0900001", "20.11.2026", "аванс", "Возврат только брака", "01.12.2026",
                      "122 000,50"):  # fmt: skip
            assert value in text.replace("\u00a0", " "), value
        snapshot("contract_docx.txt", text + "\n")

        pdf = client.get(f"/api/v1/orders/{order_id}/contract.pdf", headers=manager)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        printed = pdf_text(pdf.content)
        assert "{{" not in printed and "ДОГОВОР ПОСТАВКИ № Д-0900001" in printed
        flat = re.sub(r"\s+", " ", printed.replace("\u00a0", " "))
        for value in REQUISITES:
            assert value in flat, value
        snapshot("contract_pdf.txt", printed)

        # rights as in the orders API: another sales manager's order is refused, so is a picker
        refused = client.get(f"/api/v1/orders/{order_id}/contract.docx", headers=token(engine, settings, "manager02"))
        assert refused.status_code == 403 and "другого менеджера" in refused.json()["detail"]
        assert (
            client.get(
                f"/api/v1/orders/{order_id}/contract.pdf", headers=token(engine, settings, "picker01")
            ).status_code
            == 403
        )
        assert client.get("/api/v1/orders/999999/contract.docx", headers=manager).status_code == 404


def test_the_company_edits_the_template_in_word(tmp_path):
    """A company's copy of the template is used; a misspelt placeholder is refused with its name."""
    engine = seeded(f"sqlite:///{tmp_path / 'central.db'}")
    settings = CentralSettings(database_url=f"sqlite:///{tmp_path / 'central.db'}", environment="test")
    order_id, _invoice = an_order(engine)
    own = write_default_template(tmp_path / "ours.docx")
    doc = Document(str(own))
    doc.add_paragraph("Особые условия: доставка в рабочие дни, заказ {{ order.number }}.")
    doc.save(str(own))
    broken = tmp_path / "broken.docx"
    doc.add_paragraph("{{ customer.nmae }}")
    doc.save(str(broken))

    app = create_app(settings, engine)
    app.state.document_settings = DocumentSettings(contract_template=own)
    director = token(engine, settings, "comdir")
    with TestClient(app) as client:
        text = docx_text(client.get(f"/api/v1/orders/{order_id}/contract.docx", headers=director).content)
        assert "Особые условия: доставка в рабочие дни, заказ З-0900001." in text
        pdf = pdf_text(client.get(f"/api/v1/orders/{order_id}/contract.pdf", headers=director).content)
        assert "Особые условия" in pdf
        app.state.document_settings = DocumentSettings(contract_template=broken)
        refused = client.get(f"/api/v1/orders/{order_id}/contract.docx", headers=director)
        assert refused.status_code == 500 and "nmae" in refused.json()["detail"]
        app.state.document_settings = DocumentSettings(contract_template=tmp_path / "missing.docx")
        missing = client.get(f"/api/v1/orders/{order_id}/contract.docx", headers=director)
        assert missing.status_code == 500 and "не найден" in missing.json()["detail"]


def test_built_in_template_is_what_the_script_writes(tmp_path):
    from central.documents.contract_template import BUILT_IN

    fresh = write_default_template(tmp_path / "contract.docx")
    assert docx_text(fresh.read_bytes()) == docx_text(BUILT_IN.read_bytes())


def test_settings_read_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("STOCKYARD_VAT_PERCENT", "20")
    monkeypatch.setenv("STOCKYARD_CONTRACT_TEMPLATE", str(tmp_path / "c.docx"))
    documents = DocumentSettings()
    assert documents.vat_percent == 20 and documents.contract_template == tmp_path / "c.docx"
    monkeypatch.delenv("STOCKYARD_VAT_PERCENT")
    assert DocumentSettings().vat_percent == 22


@pytest.mark.parametrize(("amount", "vat", "printed"), [(12_200_000, 2_200_000, 22), (12_000_000, 2_000_000, 20)])
def test_the_rate_printed_is_the_one_the_vat_was_charged_at(amount, vat, printed):
    from central.documents.invoice_pdf import printed_vat_percent

    assert printed_vat_percent(amount, vat, 22) == printed
