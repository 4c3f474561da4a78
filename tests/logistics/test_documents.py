"""Shipping documents (LOG-2): TORG-12, UPD (status 1) and the waybill as PDF, numbered per kind on first print.

One order written here (own customer, items, prices and tariff), so the snapshots of the PDFs' text do not move
when the demo company changes. ``STOCKYARD_UPDATE_SNAPSHOTS=1`` rewrites the snapshots.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from central.app import create_app
from central.documents.settings import DocumentSettings
from central.logistics import routes as logistics_routes
from central.logistics.settings import LogisticsSettings
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import seeded
from tests.documents import test_documents_api as documents
from tests.documents.test_documents_api import pdf_text, token
from tests.logistics.helpers import customer, item, picked_order

NOW = dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC)  # 10:30 in Moscow


def snapshot(name: str, text: str) -> None:
    documents.SNAPSHOTS = Path(__file__).parent / "snapshots"
    documents.snapshot(name, text)


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_torg12_upd_and_waybill_print_the_requisites_lines_vat_and_totals(database_url):
    engine = seeded(database_url)
    shelf = item(engine, "DOC-1", "Стеллаж складской СТ-200", 25_000, 400_000, "4600000000017")
    polka = item(engine, "DOC-2", "Полка усиленная П-50", 3_500, 20_000, "4600000000024")
    place = customer(engine)
    # 10 × 10 000,05 = 100 000,50, VAT inside 100 000,50 × 22/122 = 18 032,877 → 18 032,88, net 81 967,62,
    # net price 8 196,762 → 8 196,76; 4 × 5 500,00 = 22 000,00, VAT 3 967,213 → 3 967,21, net 18 032,79;
    # totals: net 100 000,41, VAT 22 000,09, 122 000,50; 10 × 25 kg + 4 × 3,5 kg = 264 kg in 14 boxes of 20 kg
    _order, torg = picked_order(engine, "З-0900001", place, [(shelf, 10, 1_000_005), (polka, 4, 550_000)])
    _order2, upd = picked_order(engine, "З-0900002", place, [(polka, 3, 550_000)])
    with engine.begin() as conn:
        tariff = conn.execute(
            insert(s.carrier_tariffs)
            .values(carrier="ООО «ТК Магистраль»", base_kop=150_000, per_kg_kop=2_500, per_km_kop=4_000)
            .returning(s.carrier_tariffs.c.id)
        ).scalar_one()
    settings = CentralSettings(database_url=database_url, environment="test")
    app = create_app(settings, engine)
    app.state.document_settings = DocumentSettings(vat_percent=22)
    app.state.logistics_settings = LogisticsSettings(default_document="upd")
    app.dependency_overrides[logistics_routes.now] = lambda: NOW
    with TestClient(app) as client:
        logistician = token(engine, settings, "logistician")
        booked = client.post(
            f"/api/v1/shipments/{torg}/carrier",
            json={"tariff_id": tariff, "day": "2026-11-25", "booking_number": "М-501"},
            headers=logistician,
        )
        assert booked.status_code == 200, booked.text
        # the default is UPD: TORG-12 is refused until chosen
        refused = client.get(f"/api/v1/shipments/{torg}/torg12.pdf", headers=logistician)
        assert refused.status_code == 409 and "выбран документ УПД" in refused.json()["detail"]
        chosen = client.post(f"/api/v1/shipments/{torg}/document", json={"kind": "torg12"}, headers=logistician)
        assert chosen.status_code == 200

        answer = client.get(f"/api/v1/shipments/{torg}/torg12.pdf", headers=logistician)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''" in answer.headers["content-disposition"]
        text = pdf_text(answer.content)
        snapshot("torg12.txt", text)
        for expected in ("ТОВАРНАЯ НАКЛАДНАЯ № 1 от 24.11.2026", "0330212", "ИНН 5001007329", "ИНН 7707083893",
                         "Стеллаж складской СТ-200", "8 196,76", "81 967,62", "18 032,88", "100 000,50",
                         "4 508,20", "18 032,79", "3 967,21", "22 000,00", "100 000,41", "22 000,09 руб",
                         "122 000,50", "Сто двадцать две тысячи рублей 50 копеек", "Договор поставки № Д-0900001",
                         "г. Химки, ул. Заводская, д. 5", "264,0"):  # fmt: skip
            assert expected in flat(text), expected
        again = client.get(f"/api/v1/shipments/{torg}/torg12.pdf", headers=logistician)
        assert pdf_text(again.content) == text  # a reprint keeps its number and date
        kept = client.post(f"/api/v1/shipments/{torg}/document", json={"kind": "upd"}, headers=logistician)
        assert kept.status_code == 409 and "уже напечатан документ ТОРГ-12" in kept.json()["detail"]

        waybill = pdf_text(client.get(f"/api/v1/shipments/{torg}/waybill.pdf", headers=logistician).content)
        snapshot("waybill.txt", waybill)
        for expected in ("Транспортная накладная № 1 от 24.11.2026", "№ 2200", "ООО «ТК Магистраль»",
                         "ТОРГ-12 № 1 от 24.11.2026", "264,0", "14", "25.11.2026", "г. Химки, ул. Заводская, д. 5",
                         "Склад W1"):  # fmt: skip
            assert expected in flat(waybill), expected

        upd_text = pdf_text(client.get(f"/api/v1/shipments/{upd}/upd.pdf", headers=logistician).content)
        snapshot("upd.txt", upd_text)
        for expected in ("Универсальный передаточный документ", "Статус: 1", "Счёт-фактура № 1 от 24.11.2026",
                         "5001007329/500101001", "7707083893/770701001", "Российский рубль, 643", "796",
                         "13 524,59", "2 975,41", "16 500,00", "без акциза", "22 %",
                         "Шестнадцать тысяч пятьсот рублей 00 копеек"):  # fmt: skip
            assert expected in flat(upd_text), expected
        # the waybill numbers run on: the second waybill is № 2
        second = pdf_text(client.get(f"/api/v1/shipments/{upd}/waybill.pdf", headers=logistician).content)
        assert "Транспортная накладная № 2 от 24.11.2026" in flat(second)

        # who prints: not a sales manager, not a picker; an unknown shipment is 404
        for login in ("manager01", "picker01"):
            assert (
                client.get(f"/api/v1/shipments/{upd}/upd.pdf", headers=token(engine, settings, login)).status_code
                == 403
            )
        assert (
            client.get(f"/api/v1/shipments/{upd}/upd.pdf", headers=token(engine, settings, "accountant")).status_code
            == 200
        )
        assert client.get("/api/v1/shipments/999999/waybill.pdf", headers=logistician).status_code == 404
