"""A scanner operator in real headless Chromium: badge login, receive and move by keyboard-wedge typing."""

from __future__ import annotations

from playwright.sync_api import Page

from edge.app import create_app
from edge.settings import EdgeSettings
from tests.edge.site_data import BADGE, ITEMS, PIN, cell_code, load_site
from tests.services import serve_app

K40 = ITEMS["K-40"][1]


def wedge(page: Page, code: str) -> None:
    """What a keyboard-wedge scanner does: type the code into the focused field, then Enter."""
    page.keyboard.type(code, delay=2)
    page.keyboard.press("Enter")


def test_operator_receives_and_moves_by_scanning(browser, tmp_path):
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path))
    load_site(app.state.db)
    with serve_app(app) as base:
        page = browser.new_page(viewport={"width": 480, "height": 800})
        page.goto(base + "/?ws=ТСД-7")
        # The page is ready for the scanner: listeners attached, the badge field focused.
        page.wait_for_function("document.body.dataset.ready === '1' && document.activeElement.id === 'badge'")
        wedge(page, BADGE)  # the badge field has focus; Enter moves to the PIN
        page.keyboard.type(PIN)
        page.keyboard.press("Enter")
        page.wait_for_selector("#work:not([hidden])")
        assert "Петров Иван Сергеевич" in page.locator("#operator").inner_text()

        page.click("button[data-mode=receive]")
        page.wait_for_function("document.querySelector('#mode-title').textContent === 'Приёмка'")
        for code in (K40, K40, K40):
            wedge(page, code)
        page.wait_for_function("document.querySelector('#prompt').textContent.includes('3 шт.')")
        wedge(page, cell_code(900))
        page.wait_for_function("document.querySelector('#message').textContent.startsWith('Принято 3 шт.')")
        assert page.locator("#message").get_attribute("class") == "message ok"

        page.click("button[data-mode=move]")
        page.wait_for_function("document.querySelector('#prompt').textContent === 'Отсканируйте ячейку-источник'")
        wedge(page, cell_code(101))  # an empty cell as the source …
        page.wait_for_function("document.querySelector('#prompt').textContent.startsWith('Ячейка A-01-01-01')")
        wedge(page, K40)
        page.wait_for_function("document.querySelector('#prompt').textContent.includes('1 шт.')")
        wedge(page, cell_code(102))  # … is refused when the move completes
        page.wait_for_function("document.body.dataset.beep === 'error'")
        assert page.locator("#message").inner_text() == "В ячейке A-01-01-01 нет товара K-40 «Кронштейн стальной 40×40»"
        assert page.locator("#message").get_attribute("class") == "message error"
        page.screenshot(path=str(tmp_path / "handheld.png"))
        page.close()
    stock = [dict(r) for r in app.state.db.query("SELECT sku, cell_id, qty FROM stock")]
    assert stock == [{"sku": "K-40", "cell_id": 900, "qty": 3}]
