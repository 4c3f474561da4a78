"""The dispatcher releases a complete, paid order from the board in real headless Chromium (DISP-1, WH-3)."""

from __future__ import annotations

from central.app import create_app
from central.orders import routes
from central.settings import CentralSettings
from tests.board.checks import assert_wh3, issued_task
from tests.board.helpers import NOW, confirmed_order, free_skus, pay
from tests.dispatch.company import TODAY, seeded
from tests.services import serve_app, sign_in


def test_the_dispatcher_releases_a_paid_complete_order_in_chromium(browser, tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = seeded(url)
    a, b, _ = free_skus(engine, 5)
    order_id, number = confirmed_order(engine, [(a, 3), (b, 1)])
    pay(engine, order_id)
    app = create_app(CentralSettings(database_url=url, environment="test"), engine=engine)
    app.dependency_overrides[routes.today] = lambda: TODAY
    app.dependency_overrides[routes.now] = lambda: NOW
    with serve_app(app) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base}/dispatch/board")
        assert page.url == base + "/login"
        sign_in(page, base, "dispatcher")
        page.click("nav.sections a[href='/dispatch/board']")
        page.wait_for_url(base + "/dispatch/board")
        page.check("input[name=ready]")
        page.fill("input[name=q]", number)
        page.click("#filters button[type=submit]")
        page.wait_for_url("**/dispatch/board?*")
        row = page.locator(f"#board tr[data-order='{number}']")
        assert row.locator(".stage").inner_text() == "Оплачен"
        assert row.locator(".complete").inner_text() == "комплект · W1"
        assert row.locator(".payment").inner_text().startswith("оплата OK")
        row.locator("button.release").click()
        page.wait_for_url(base + "/dispatch/board/release")
        result = page.locator(f"#results tr[data-order='{number}']")
        assert result.locator(".outcome").inner_text() == "Выпущен на склад"
        assert "склад W1" in result.inner_text()
        page.screenshot(path=str(tmp_path / "released.png"))
        page.click("#back")
        page.wait_for_url(base + "/dispatch/board")
        page.fill("input[name=q]", number)
        page.click("#filters button[type=submit]")
        page.wait_for_url("**/dispatch/board?*")
        released = page.locator(f"#board tr[data-order='{number}']")
        assert released.locator(".stage").inner_text() == "Собирается, 0 %"
        assert released.locator("button.release").count() == 0
        page.close()
    task, payload = issued_task(engine, number)
    assert (task.site, task.status) == ("W1", "new")
    assert_wh3(payload, number, {a: 3, b: 1})
    engine.dispose()
