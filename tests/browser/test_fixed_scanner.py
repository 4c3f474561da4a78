"""A scanner wired to the edge (serial) answers on the handheld page of its workstation, with the sound."""

from __future__ import annotations

from edge.app import create_app
from edge.settings import EdgeSettings
from edge.store import open_site_database
from tests.devices.ptys import Pty
from tests.edge.site_data import BADGE, ITEMS, PIN, load_site
from tests.services import serve_app


def test_a_serial_scan_is_shown_on_the_workstations_page(browser, tmp_path):
    pty = Pty(tmp_path / "ttyACM0")
    db = open_site_database(tmp_path / "W1.db")
    load_site(db)
    db.conn.close()
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path, scanners=[f"serial:{pty.link}?workstation=ТСД-5"]))
    with serve_app(app) as base:
        page = browser.new_page(viewport={"width": 480, "height": 800})
        page.goto(base + "/?ws=ТСД-5")
        page.wait_for_function("document.body.dataset.ready === '1' && document.activeElement.id === 'badge'")
        page.keyboard.type(BADGE)
        page.keyboard.press("Enter")
        page.keyboard.type(PIN)
        page.keyboard.press("Enter")
        page.wait_for_selector("#work:not([hidden])")
        page.click("button[data-mode=receive]")
        page.wait_for_function("document.querySelector('#mode-title').textContent === 'Приёмка'")
        pty.write(ITEMS["K-40"][1].encode() + b"\r")  # the fixed scanner, not the page
        page.wait_for_function("document.querySelector('#prompt').textContent.includes('1 шт.')", timeout=10_000)
        pty.write(b"0000000000000\r")  # a bad code from the scanner: the page shows the refusal
        page.wait_for_function("document.body.dataset.beep === 'error'", timeout=10_000)
        assert page.locator("#message").get_attribute("class") == "message error"
        page.close()
