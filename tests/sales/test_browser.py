"""A sales manager creates an order and confirms the customer's variant through the pages in real headless Chromium."""

from __future__ import annotations

from sqlalchemy import select

from central.store import schema as s
from tests.sales.office import PASSWORD, office
from tests.services import serve_app, sign_in


def test_manager_creates_and_confirms_an_order_in_chromium(browser, tmp_path):
    with office(f"sqlite:///{tmp_path / 'central.db'}") as (app, engine, _), serve_app(app) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/orders/new")
        assert page.url == base + "/login"
        sign_in(page, base, "mgr1", PASSWORD)
        page.click("nav.sections >> text=Заказы")
        page.wait_for_url(base + "/orders")
        page.click("#new-order")
        page.wait_for_url(base + "/orders/new")
        assert page.locator("select[name=customer_id] option").all_inner_texts() == [
            "— выберите клиента —",
            "ООО «Альфа» (ИНН 7707083893)",
        ]  # only the manager's own customer
        page.select_option("select[name=customer_id]", "1")
        rows = page.locator("#lines tbody tr")
        assert rows.count() == 5
        page.click("#add-line")
        assert rows.count() == 6
        rows.nth(0).locator("input[name=sku]").fill("K-1")
        rows.nth(0).locator("input[name=qty]").fill("2")
        rows.nth(5).locator("input[name=sku]").fill("K-2")
        rows.nth(5).locator("input[name=qty]").fill("10")
        page.select_option("select[name=return_terms]", "defects_only")
        page.click("#create-order")
        page.wait_for_url(f"{base}/orders/*?done=created")
        assert page.locator("#stage").inner_text() == "Черновик"
        k2 = page.locator('#lines tr[data-sku="K-2"]')
        assert (k2.locator(".free").inner_text(), k2.locator(".short").inner_text()) == ("3", "7")
        assert k2.locator(".eta").inner_text().startswith("10.12.2026")
        assert page.locator("#variants .variant").count() == 3  # wait, partial, change of items
        page.check('#variants .variant[data-kind="partial"] input')
        page.click("#confirm")
        page.wait_for_url(f"{base}/orders/*?done=confirmed")
        assert page.locator("#status").inner_text() == "Подтверждён"
        assert page.locator("#stage").inner_text() == "Подтверждён"
        assert page.locator('#reservations tr[data-status="active"]').count() == 4
        page.set_input_files("#scan-form input[type=file]", files=[
            {"name": "подписан.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
        ])  # fmt: skip
        page.click("#upload-scan")
        page.wait_for_url(f"{base}/orders/*?done=scan")
        assert page.locator("#signed strong").inner_text() == "Договор подписан"
        page.screenshot(path=str(tmp_path / "order-confirmed.png"), full_page=True)
        page.close()
        with engine.connect() as conn:
            order = conn.execute(select(s.orders.c.status, s.orders.c.return_terms)).one()
        assert tuple(order) == ("confirmed", "defects_only")
