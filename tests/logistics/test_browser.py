"""The logistician's day in real headless Chromium: a picked order booked with a carrier, its UPD and waybill
downloaded, the dispatch registered and the signed documents marked returned."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert, select

from central.app import create_app
from central.logistics import routes as logistics_routes
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import seeded
from tests.logistics.helpers import customer, item, picked_order
from tests.services import serve_app, sign_in

NOW = dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.UTC)


def test_logistician_books_prints_dispatches_and_gets_documents_back(browser, tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = seeded(url)
    shelf = item(engine, "BRW-1", "Стеллаж складской СТ-200", 25_000, 400_000, "4600000000017")
    order_id, dispatch = picked_order(engine, "З-0930001", customer(engine), [(shelf, 2, 1_000_000)])
    with engine.begin() as conn:
        tariff = conn.execute(
            insert(s.carrier_tariffs)
            .values(carrier="ТК «Браузер»", base_kop=150_000, per_kg_kop=2_500, per_km_kop=4_000)
            .returning(s.carrier_tariffs.c.id)
        ).scalar_one()
    app = create_app(CentralSettings(database_url=url, environment="test"), engine=engine)
    app.dependency_overrides[logistics_routes.now] = lambda: NOW
    with serve_app(app) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.goto(f"{base}/login")
        sign_in(page, base, "logistician")
        page.click("nav.sections >> text=Отгрузки")
        page.wait_for_url(base + "/logistics")
        card = page.locator(f"#dispatch-{dispatch}")
        assert "З-0930001" in card.inner_text() and "не заказан" in card.inner_text()

        # 50 kg, 15 km: 1 500,00 + 50 × 25,00 + 15 × 40,00 = 3 350,00
        card.locator("select[name=tariff_id]").select_option(str(tariff))
        assert "3\u00a0350,00" in card.locator("select[name=tariff_id] option:checked").inner_text()
        card.locator("input[name=booking_number]").fill("БР-1")
        card.locator("text=Заказать перевозчика").click()
        page.wait_for_url(f"{base}/logistics#dispatch-{dispatch}")
        card = page.locator(f"#dispatch-{dispatch}")
        assert "ТК «Браузер», 24.11.2026, 3\u00a0350,00 руб., заявка БР-1" in card.locator(".booked").inner_text()

        for link, name in (("Печать УПД", "УПД № 1 от 24.11.2026.pdf"),
                           ("Печать транспортной накладной", "Транспортная накладная № 1 от 24.11.2026.pdf")):  # fmt: skip
            with page.expect_download() as caught:
                card.locator(f"text={link}").click()
            download = caught.value
            assert download.suggested_filename == name
            saved = Path(tmp_path / name)
            download.save_as(saved)
            assert saved.read_bytes().startswith(b"%PDF-")
        page.reload()
        assert "УПД № 1" in page.locator(f"#dispatch-{dispatch} .documents").inner_text()

        page.locator(f"#dispatch-{dispatch} >> text=Машина уехала — зарегистрировать отправку").click()
        page.wait_for_url(f"{base}/logistics#dispatch-{dispatch}")
        row = page.locator(f"#waiting #dispatch-{dispatch}")
        assert "З-0930001" in row.inner_text() and "04.12.2026" in row.inner_text()  # 24.11 + 10 days
        row.locator("text=Документы вернулись").click()
        page.wait_for_url(f"{base}/logistics#dispatch-{dispatch}")
        assert page.locator(f"#waiting #dispatch-{dispatch}").count() == 0
        page.screenshot(path=str(tmp_path / "logistics.png"))
        page.close()
    with engine.connect() as conn:
        returned = conn.execute(
            select(s.shipments.c.documents_returned_at).where(s.shipments.c.order_id == order_id)
        ).scalar_one()
    assert returned is not None
    engine.dispose()
