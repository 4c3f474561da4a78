"""The sales office pages on SQLite and PostgreSQL: a manager signed in by the form creates, checks and confirms
orders, attaches the signed contract, sends the deficit; refusals show the Russian message and change nothing."""

from __future__ import annotations

import email
import email.policy
import html
import re
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from central.documents.scans import MAX_SCAN_BYTES
from central.documents.settings import DocumentSettings
from central.store import schema as s
from tests.sales.office import Clock, office, order_ids, rows, signed_in
from tests.smtp import smtp_server

ORDER_TABLES = (s.orders, s.order_lines, s.reservations, s.order_decisions)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def shop(database_url: str) -> Iterator[tuple[Any, Any, Clock]]:
    with office(database_url) as parts:
        yield parts


def text(response: Any) -> str:
    """The page's visible text with spaces collapsed, for asserting what the manager reads."""
    body = response.text.split("<main>", 1)[-1]
    body = re.sub(r"<style>.*?</style>|<script>.*?</script>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def new_order(client: Any, customer: int, lines: dict[str, int], **extra: str) -> Any:
    form: dict[str, Any] = {
        "customer_id": str(customer),
        "sku": [*lines, ""],
        "qty": [*(str(q) for q in lines.values()), ""],
        "desired_date": "",
        "payment_form": "",
        "return_terms": "full_until_date",
        **extra,
    }
    return client.post("/orders/new", data=form)


def created(client: Any, customer: int, lines: dict[str, int]) -> int:
    response = new_order(client, customer, lines)
    assert response.status_code == 303, text(response)
    match = re.fullmatch(r"/orders/(\d+)\?done=created", response.headers["location"])
    assert match is not None
    return int(match.group(1))


def test_manager_creates_an_order_sees_the_stock_check_and_variants_and_confirms_one(shop):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    order_id = created(mgr1, 1, {"K-1": 2, "K-2": 10})
    card = mgr1.get(f"/orders/{order_id}")
    assert card.status_code == 200
    page = text(card)
    assert "Заказ З-0000001 Черновик" in page
    assert "Сумма 3 260,00 ₽" in page and "Форма оплаты 100 % предоплата" in page
    # the stock check per line: K-1 in stock; K-2 3 free, 7 short, arriving 10.12 by supply order ПЗ-00002
    assert "K-1 Изделие K-1 2 130,00 ₽ 260,00 ₽ 2 в наличии" in page
    assert "K-2 Изделие K-2 10 300,00 ₽ 3 000,00 ₽ 3 7 10.12.2026 заказ поставщику ПЗ-00002" in page
    assert "Ожидание полной комплектации: одна отгрузка 10.12.2026 10.12.2026: K-1 × 2, K-2 × 10" in page
    assert "23.11.2026: K-1 × 2, K-2 × 3 10.12.2026: K-2 × 7" in page
    assert 'data-kind="substitute"' in card.text
    assert "Дефицит по заказу K-2 Изделие K-2 7 10.12.2026" in page

    confirmed = mgr1.post(f"/orders/{order_id}/confirm", data={"variant": "partial"})
    assert confirmed.status_code == 303 and confirmed.headers["location"] == f"/orders/{order_id}?done=confirmed"
    page = text(mgr1.get(confirmed.headers["location"]))
    assert "Заказ подтверждён, позиции зарезервированы." in page
    assert "Согласованный вариант: частичное исполнение" in page
    assert "K-1 W1 2 остаток склада W1" in page
    assert "K-2 W1 5 заказ поставщику ПЗ-00001" in page and "K-2 W1 2 заказ поставщику ПЗ-00002" in page
    with engine.connect() as conn:
        assert conn.execute(select(s.orders.c.status).where(s.orders.c.id == order_id)).scalar_one() == "confirmed"
        # the order form names the customer: the manager acted on their behalf (ACC-4)
        entries = conn.execute(
            select(s.audit_log.c.action, s.audit_log.c.actor, s.audit_log.c.on_behalf_of).order_by(s.audit_log.c.seq)
        ).all()
    assert [tuple(e) for e in entries] == [
        ("POST /login", "mgr1", None),
        ("POST /orders/new", "mgr1", "ООО «Альфа» (ИНН 7707083893)"),
        ("POST /orders/{order_id}/confirm", "mgr1", "ООО «Альфа» (ИНН 7707083893)"),
    ]


@pytest.mark.parametrize(
    ("customer", "lines", "status", "message"),
    [
        (1, {"K-6": 1}, 422, "Продажа ниже плановой себестоимости запрещена: K-6 по цене 290,00 ₽ при себестоимости "
                             "300,00 ₽. Цену меняет коммерческий директор"),
        (1, {"K-99": 1}, 422, "Неизвестные артикулы: K-99"),
        (2, {"K-1": 1}, 403, "Клиент закреплён за другим менеджером: заказ оформляет его ответственный менеджер"),
    ],
)  # fmt: skip
def test_refused_order_form_shows_the_message_keeps_the_input_and_writes_nothing(
    shop, customer, lines, status, message
):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    before = rows(engine, *ORDER_TABLES)
    response = new_order(mgr1, customer, lines)
    assert response.status_code == status
    assert f'role="alert">{html.escape(message, quote=False)}</p>' in response.text.replace("&#34;", '"')
    assert f'value="{next(iter(lines))}"' in response.text  # what the manager typed is still in the form
    assert rows(engine, *ORDER_TABLES) == before


def test_bad_quantity_on_the_form_is_refused_in_russian(shop):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    response = mgr1.post("/orders/new", data={"customer_id": "1", "sku": ["K-1"], "qty": ["два"]})
    assert response.status_code == 422
    assert "Строка 1: количество должно быть целым числом больше нуля" in text(response)
    assert order_ids(engine) == []


def test_another_managers_order_is_refused_and_nothing_changes(shop):
    app, engine, _ = shop
    order_id = created(signed_in(app, "mgr1"), 1, {"K-1": 2})
    mgr2 = signed_in(app, "mgr2")
    before = rows(engine, *ORDER_TABLES, s.contracts, s.order_disputes)
    refused = "Это заказ другого менеджера: работать с ним может ответственный менеджер, диспетчер или директор"
    assert mgr2.get(f"/orders/{order_id}").status_code == 403
    for url, data in (
        (f"/orders/{order_id}/confirm", {"variant": "complete"}),
        (f"/orders/{order_id}/cancel", {}),
        (f"/orders/{order_id}/disputes", {"reason": "не то"}),
    ):
        response = mgr2.post(url, data=data)
        assert response.status_code == 403 and refused in text(response), url
    upload = mgr2.post(f"/orders/{order_id}/contract/scan", files={"file": ("скан.pdf", PDF, "application/pdf")})
    assert upload.status_code == 403
    assert rows(engine, *ORDER_TABLES, s.contracts, s.order_disputes) == before
    # the order list shows a manager only their own orders; the commercial director sees everyone's
    assert f'data-id="{order_id}"' not in mgr2.get("/orders").text
    assert f'data-id="{order_id}"' in signed_in(app, "director").get("/orders").text


def test_stale_confirmation_answers_409_on_the_card_and_changes_nothing(shop):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    first, second = created(mgr1, 1, {"K-1": 10}), created(mgr1, 1, {"K-1": 10})
    assert 'data-kind="complete"' in mgr1.get(f"/orders/{second}").text  # both drafts were offered «complete»
    assert mgr1.post(f"/orders/{first}/confirm", data={"variant": "complete"}).status_code == 303
    before = rows(engine, *ORDER_TABLES)
    response = mgr1.post(f"/orders/{second}/confirm", data={"variant": "complete"})
    assert response.status_code == 409
    page = text(response)
    assert (
        "Полное исполнение сейчас невозможно: свободного остатка не хватает: K-1 — не хватает 7 шт. (свободно 3)"
        in page
    )
    assert "Заказ З-0000002 Черновик" in page  # the card is shown again with today's stock check
    assert rows(engine, *ORDER_TABLES) == before


def test_signed_contract_scan_is_stored_shown_and_downloaded(shop):
    app, engine, clock = shop
    mgr1 = signed_in(app, "mgr1")
    order_id = created(mgr1, 1, {"K-1": 2})
    assert "Подписанный договор ещё не загружен." in text(mgr1.get(f"/orders/{order_id}"))
    response = mgr1.post(
        f"/orders/{order_id}/contract/scan", files={"file": ("Договор подписан.pdf", PDF, "text/plain")}
    )
    assert response.status_code == 303 and response.headers["location"] == f"/orders/{order_id}?done=scan"
    page = text(mgr1.get(f"/orders/{order_id}"))
    assert "Договор подписан : Договор подписан.pdf (Сотрудник mgr1, 23.11.2026 12:00)" in page
    download = mgr1.get(f"/api/v1/orders/{order_id}/contract/scan")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    with engine.connect() as conn:
        stored = conn.execute(
            select(s.contracts.c.uploaded_by, s.contracts.c.uploaded_at, s.contracts.c.size_bytes)
        ).one()
    assert (stored.uploaded_by, stored.uploaded_at, stored.size_bytes) == (2, clock.now, len(PDF))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("скан.txt", b"just text, not a scan", "Скан договора принимается только в формате PDF, JPEG или PNG"),
        ("пусто.pdf", b"", "Файл пустой: выберите скан подписанного договора"),
        ("большой.pdf", b"%PDF-" + b"0" * MAX_SCAN_BYTES, "Файл больше 10 МБ: уменьшите разрешение скана"),
    ],
)
def test_bad_scan_file_is_refused_with_422_and_nothing_is_stored(shop, name, data, message):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    order_id = created(mgr1, 1, {"K-1": 2})
    page = mgr1.post(f"/orders/{order_id}/contract/scan", files={"file": (name, data, "application/pdf")})
    assert page.status_code == 422 and message in text(page)
    api = mgr1.post(f"/api/v1/orders/{order_id}/contract/scan", files={"file": (name, data, "application/pdf")})
    assert api.status_code == 422 and api.json() == {"detail": message}
    assert rows(engine, s.contracts) == {"contracts": []}


def test_scan_api_accepts_png_and_jpeg(shop):
    app, _, _ = shop
    mgr1 = signed_in(app, "mgr1")
    order_id = created(mgr1, 1, {"K-1": 2})
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    answer = mgr1.post(f"/api/v1/orders/{order_id}/contract/scan", files={"file": ("s.png", png, "image/png")})
    assert answer.status_code == 201 and answer.json()["media_type"] == "image/png"
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 32
    answer = mgr1.post(f"/api/v1/orders/{order_id}/contract/scan", files={"file": ("s.jpg", jpeg, "image/jpeg")})
    assert answer.status_code == 201 and answer.json()["filename"] == "s.jpg"
    assert mgr1.get(f"/api/v1/orders/{order_id}/contract/scan").content == jpeg  # the latest one


def notices(engine: Any, kind: str) -> list[tuple[int, str, str, str | None]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(
                    s.notifications.c.user_id, s.notifications.c.subject, s.notifications.c.body, s.notifications.c.link
                )
                .where(s.notifications.c.kind == kind)
                .order_by(s.notifications.c.user_id)
            )
        ]


def test_deficit_is_sent_to_exactly_the_purchasing_managers_and_dispatchers(shop):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    order_id = created(mgr1, 1, {"K-1": 2, "K-2": 10, "K-4": 3})
    response = mgr1.post(f"/orders/{order_id}/deficit/send")
    assert response.status_code == 303
    assert "Дефицит отправлен закупщикам и диспетчерам: уведомлений 2." in text(mgr1.get(response.headers["location"]))
    body = (
        "З-0000001: K-2 «Изделие K-2» — не хватает 7 шт., поступление 10.12.2026 (заказ поставщику ПЗ-00002)\n"
        "З-0000001: K-4 «Изделие K-4» — не хватает 3 шт., поступление 07.12.2026 (срок поставки поставщика 14 дн. "
        "от сегодня)"
    )
    # users 5 and 6 are the shop's dispatcher and purchasing manager; nobody else is told
    assert notices(engine, "deficit") == [
        (5, "Дефицит по заказу З-0000001", body, f"/orders/{order_id}"),
        (6, "Дефицит по заказу З-0000001", body, f"/orders/{order_id}"),
    ]
    statement = mgr1.get("/orders/deficit")
    assert statement.status_code == 200 and "Отправить закупщику и диспетчеру" in statement.text
    sent = mgr1.post("/orders/deficit/send")
    assert sent.status_code == 303 and sent.headers["location"] == "/orders/deficit?sent=2"
    overall = [n for n in notices(engine, "deficit") if n[3] == "/orders/deficit"]
    title = "Дефицитная ведомость на 23.11.2026"
    assert [(n[0], n[1], n[2]) for n in overall] == [(5, title, body), (6, title, body)]
    assert mgr1.post("/api/v1/deficit/send").json() == {"notified": 2}
    assert mgr1.post(f"/api/v1/orders/{order_id}/deficit/send").json() == {"notified": 2}


def test_nothing_short_nothing_sent(shop):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    order_id = created(mgr1, 1, {"K-1": 2})
    answer = mgr1.post(f"/api/v1/orders/{order_id}/deficit/send")
    assert answer.status_code == 409 and answer.json() == {"detail": "Дефицита нет: отправлять нечего"}
    assert notices(engine, "deficit") == []


def test_invoice_dispute_and_stage_on_the_card(shop):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    order_id = created(mgr1, 1, {"K-1": 2})
    page = mgr1.get(f"/orders/{order_id}").text
    assert 'id="issue-invoice"' not in page  # a draft is not invoiced
    assert mgr1.post(f"/orders/{order_id}/confirm", data={"variant": "complete"}).status_code == 303
    assert 'data-code="confirmed"' in mgr1.get(f"/orders/{order_id}").text
    invoiced = mgr1.post(f"/orders/{order_id}/invoice")
    assert invoiced.status_code == 303
    card = mgr1.get(f"/orders/{order_id}").text
    with engine.connect() as conn:
        invoice_id = conn.execute(select(s.invoices.c.id).where(s.invoices.c.order_id == order_id)).scalar_one()
    assert f'href="/api/v1/invoices/{invoice_id}/pdf"' in card and 'data-code="invoiced"' in card
    again = mgr1.post(f"/orders/{order_id}/invoice")
    assert again.status_code == 409 and "Счёт уже выставлен" in text(again)

    opened = mgr1.post(f"/orders/{order_id}/disputes", data={"reason": "Клиент оспаривает цену"})
    assert opened.status_code == 303
    card = mgr1.get(f"/orders/{order_id}")
    assert 'data-code="dispute"' in card.text and "Клиент оспаривает цену" in text(card)
    twice = mgr1.post(f"/orders/{order_id}/disputes", data={"reason": "ещё"})
    assert twice.status_code == 409
    with engine.connect() as conn:
        dispute_id = conn.execute(select(s.order_disputes.c.id)).scalar_one()
    assert notices(engine, "dispute")[0][:2] == (2, "Спор по заказу З-0000001")  # the manager; the director too
    assert [n[0] for n in notices(engine, "dispute")] == [2, 4]
    elsewhere = mgr1.post(f"/orders/{order_id + 1}/disputes/{dispute_id}/close", data={"resolution": "не тот"})
    assert elsewhere.status_code == 404  # a dispute is closed on its own order's card
    closed = mgr1.post(f"/orders/{order_id}/disputes/{dispute_id}/close", data={"resolution": "Скидка согласована"})
    assert closed.status_code == 303
    card = mgr1.get(f"/orders/{order_id}")
    assert 'data-code="invoiced"' in card.text and "Скидка согласована" in text(card)
    api = mgr1.get(f"/api/v1/orders/{order_id}/disputes").json()["disputes"]
    assert [(d["reason"], d["resolution"], d["open"]) for d in api] == [
        ("Клиент оспаривает цену", "Скидка согласована", False)
    ]


def test_orders_list_filters_by_status_and_customer(shop):
    app, _, _ = shop
    mgr1 = signed_in(app, "mgr1")
    draft = created(mgr1, 1, {"K-1": 1})
    confirmed = created(mgr1, 1, {"K-1": 1})
    mgr1.post(f"/orders/{confirmed}/confirm", data={"variant": "complete"})
    other = created(signed_in(app, "mgr2"), 2, {"K-1": 1})
    director = signed_in(app, "director")
    everyone = director.get("/orders").text
    assert all(f'data-id="{i}"' in everyone for i in (draft, confirmed, other))
    only_confirmed = director.get("/orders?status=confirmed").text
    assert f'data-id="{confirmed}"' in only_confirmed and f'data-id="{draft}"' not in only_confirmed
    only_beta = director.get("/orders?customer=2").text
    assert f'data-id="{other}"' in only_beta and f'data-id="{draft}"' not in only_beta
    api = mgr1.get("/api/v1/orders").json()["orders"]
    assert [(o["number"], o["stage"]) for o in api] == [("З-0000002", "confirmed"), ("З-0000001", "draft")]


def test_the_director_reads_every_order_and_changes_none(shop):
    app, engine, _ = shop
    with engine.begin() as conn:
        conn.execute(
            s.users.insert().values(
                id=8, login="boss", full_name="Директор", role="director",
                password_hash=conn.execute(select(s.users.c.password_hash).where(s.users.c.id == 1)).scalar_one(),
            )
        )  # fmt: skip
    order_id = created(signed_in(app, "mgr1"), 1, {"K-1": 2, "K-2": 10})
    boss = signed_in(app, "boss")
    assert f'data-id="{order_id}"' in boss.get("/orders").text
    card = boss.get(f"/orders/{order_id}")
    assert card.status_code == 200 and "K-2 Изделие K-2 10 300,00 ₽" in text(card)
    assert 'id="confirm"' not in card.text and 'id="cancel-order"' not in card.text and "/orders/new" not in card.text
    assert boss.get(f"/api/v1/orders/{order_id}/contract.docx").status_code == 200
    assert boss.get("/orders/deficit").status_code == 200
    before = rows(engine, *ORDER_TABLES)
    refused = boss.post(f"/orders/{order_id}/confirm", data={"variant": "partial"})
    assert refused.status_code == 403
    assert "Недостаточно прав: заказами занимаются менеджеры продаж" in text(refused)
    assert boss.post("/orders/new", data={"customer_id": "1", "sku": ["K-1"], "qty": ["1"]}).status_code == 403
    assert rows(engine, *ORDER_TABLES) == before


def test_contract_is_sent_from_the_card(shop):
    app, _, _ = shop
    mgr1 = signed_in(app, "mgr1")
    order_id = created(mgr1, 1, {"K-1": 2})
    with smtp_server() as server:
        app.state.document_settings = DocumentSettings(
            smtp_host="127.0.0.1", smtp_port=server.server_address[1], mail_from="office@stockyard-demo.ru"
        )
        bad = mgr1.post(f"/orders/{order_id}/contract/send", data={"to": "не адрес"})
        assert bad.status_code == 422 and "Укажите адрес электронной почты клиента" in text(bad)
        sent = mgr1.post(f"/orders/{order_id}/contract/send", data={"to": "buyer@alfa.ru", "note": "Ждём подпись"})
        assert sent.status_code == 303 and sent.headers["location"] == f"/orders/{order_id}?done=sent"
        assert "Договор отправлен клиенту." in text(mgr1.get(sent.headers["location"]))
        assert [(r[0], r[1]) for r in server.received] == [("office@stockyard-demo.ru", ["buyer@alfa.ru"])]
        message = email.message_from_bytes(server.received[0][2], policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        assert body is not None and "Ждём подпись" in body.get_content()
        assert [part.get_filename() for part in message.iter_attachments()] == [
            "Договор Д-0000001.docx",
            "Договор Д-0000001.pdf",
        ]


def test_change_of_items_is_confirmed_with_the_analogues_typed_on_the_card(shop):
    app, engine, _ = shop
    mgr1 = signed_in(app, "mgr1")
    order_id = created(mgr1, 1, {"K-2": 10})
    before = rows(engine, *ORDER_TABLES)
    typo = mgr1.post(f"/orders/{order_id}/confirm", data={"variant": "substitute", "substitutes": "K-2 K-5"})
    assert typo.status_code == 422 and "Аналоги: укажите пары «артикул=аналог», например K-2=K-5" in text(typo)
    unchosen = mgr1.post(f"/orders/{order_id}/confirm", data={})
    assert unchosen.status_code == 422 and "Выберите вариант исполнения, согласованный с клиентом" in text(unchosen)
    assert rows(engine, *ORDER_TABLES) == before
    done = mgr1.post(f"/orders/{order_id}/confirm", data={"variant": "substitute", "substitutes": "K-2=K-5"})
    assert done.status_code == 303
    page = text(mgr1.get(f"/orders/{order_id}"))
    assert "Согласованный вариант: замена номенклатуры" in page
    # 3 of K-2 from stock, the 7 short replaced by K-5 at its retail price (not in wholesale 1)
    assert "K-2 W1 3 остаток склада W1" in page and "K-5 W1 7 остаток склада W1" in page
    assert "K-5 Изделие K-5 7 320,00 ₽ 2 240,00 ₽" in page
