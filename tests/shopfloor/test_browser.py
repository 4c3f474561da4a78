"""The shop-floor terminal in real headless Chromium: sign in with badge and PIN, start, pause, finish."""

from __future__ import annotations

from edge.app import create_app
from edge.settings import EdgeSettings
from edge.shopfloor import routes as shopfloor_routes
from tests.services import serve_app
from tests.shopfloor.site import IVANOV, PIN, load_shop, outbox


def test_worker_signs_in_starts_pauses_and_finishes(browser, tmp_path):
    app = create_app(EdgeSettings(site="S1", data_dir=tmp_path))
    app.include_router(shopfloor_routes.router)  # the line the composition root gets
    load_shop(app.state.db)
    with serve_app(app) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + "/shopfloor?station=Сварка-1")
        page.wait_for_function("document.activeElement.id === 'badge'")
        page.keyboard.type(IVANOV)
        page.keyboard.press("Enter")
        for digit in PIN:
            page.click(f"#keypad button[data-key='{digit}']")
        page.click("#keypad button[data-key='OK']")
        page.wait_for_selector("#work:not([hidden])")
        assert page.locator("#worker").inner_text() == "Иванов Пётр Ильич"
        assert page.locator("#queue tr").count() == 2

        page.click("button[data-action=start][data-operation='op:ПР-00101:1']")
        page.wait_for_selector(".card[data-state=running]")
        assert page.locator("#message").inner_text() == "Начата операция «Операция 1» по заданию ПР-00101"

        page.click(".card button[data-action=pause]")
        page.click("#reasons button[data-reason=no_material]")
        page.wait_for_selector(".card[data-state=paused]")
        assert "Нет комплектующих" in page.locator(".card").inner_text()

        page.click(".card button[data-action=finish]")
        assert page.locator("#good").input_value() == "10"  # the remaining quantity is offered
        page.fill("#good", "9")
        page.fill("#defective", "1")
        page.click("#finish-ok")
        page.wait_for_function("document.querySelector('#message').textContent.startsWith('Завершено')")
        assert page.locator("#message").inner_text() == "Завершено: годных 9 шт., брак 1 шт."
        assert page.locator(".card").count() == 0
        page.screenshot(path=str(tmp_path / "shopfloor.png"))

        page.click("button[data-action=start][data-operation='op:ПР-00101:1']")
        page.wait_for_selector(".card[data-state=running]")
        page.click(".card button[data-action=finish]")
        page.fill("#good", "5")
        page.click("#finish-ok")
        page.wait_for_function("document.body.dataset.outcome === 'error'")
        assert page.locator("#message").inner_text() == "По операции осталось сделать 1 шт. годных"
        page.close()
    events = [(t, p.get("good"), p.get("reason")) for t, p, _ in outbox(app.state.db)]
    assert events == [
        ("WorkStarted", None, None),
        ("WorkPaused", None, "no_material"),
        ("WorkFinished", 9, None),
        ("WorkStarted", None, None),
    ]
