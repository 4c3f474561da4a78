"""The contract e-mailed to the customer over SMTP, received by a tiny SMTP server run in the test."""

from __future__ import annotations

import email
import email.policy
import io
from email.message import EmailMessage

from docx import Document
from fastapi.testclient import TestClient

from central.app import create_app
from central.documents.settings import DocumentSettings
from central.settings import CentralSettings
from tests.dispatch.company import seeded
from tests.documents.test_documents_api import an_order, token
from tests.smtp import smtp_server


def test_contract_is_mailed_with_docx_and_pdf(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = seeded(url)
    settings = CentralSettings(database_url=url, environment="test")
    order_id, _invoice = an_order(engine)
    manager = token(engine, settings, "manager01")
    app = create_app(settings, engine)
    with smtp_server() as server, TestClient(app) as client:
        app.state.document_settings = DocumentSettings(
            smtp_host="127.0.0.1", smtp_port=server.server_address[1], mail_from="office@stockyard-demo.ru"
        )
        answer = client.post(
            f"/api/v1/orders/{order_id}/contract/send", json={"to": "buyer@romashka.ru"}, headers=manager
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["attachments"] == ["Договор Д-0900001.docx", "Договор Д-0900001.pdf"]

        assert len(server.received) == 1
        sender, recipients, data = server.received[0]
        assert sender == "office@stockyard-demo.ru" and recipients == ["buyer@romashka.ru"]
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        assert message["Subject"] == "Договор Д-0900001 — ООО «Стокъярд Демо»"
        body = message.get_body(("plain",))
        assert body is not None and "скан подписанного договора" in body.get_content()
        files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
        assert set(files) == {"Договор Д-0900001.docx", "Договор Д-0900001.pdf"}
        assert files["Договор Д-0900001.pdf"].startswith(b"%PDF-")
        Document(io.BytesIO(files["Договор Д-0900001.docx"]))

        bad = client.post(f"/api/v1/orders/{order_id}/contract/send", json={"to": "not an address"}, headers=manager)
        assert bad.status_code == 422 and bad.json()["detail"].startswith("Неверные данные: to")
        other = token(engine, settings, "manager02")
        refused = client.post(f"/api/v1/orders/{order_id}/contract/send", json={"to": "x@y.ru"}, headers=other)
        assert refused.status_code == 403
        assert len(server.received) == 1

        app.state.document_settings = DocumentSettings()  # no smtp_host: mail is not set up
        unset = client.post(f"/api/v1/orders/{order_id}/contract/send", json={"to": "x@y.ru"}, headers=manager)
        assert unset.status_code == 502 and "Почта не настроена" in unset.json()["detail"]
        app.state.document_settings = DocumentSettings(smtp_host="127.0.0.1", smtp_port=1)
        down = client.post(f"/api/v1/orders/{order_id}/contract/send", json={"to": "x@y.ru"}, headers=manager)
        assert down.status_code == 502 and "Письмо не отправлено" in down.json()["detail"]
