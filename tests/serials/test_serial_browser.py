"""The handheld page in real headless Chromium (WH-1, WH-2, DEV-2): a pump received by its EAN then its serial,
«Новая коробка» in pack mode opens a box under the site's next SSCC, and its label prints with the gross weight."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx
from playwright.sync_api import Page

from devices.labels import BoxLabel, render_zpl
from edge.app import create_app
from edge.settings import EdgeSettings
from tests.browser.test_handheld_modes import accepted, browser, choose, press, printer, refused, scan, sign_in
from tests.edge.site_data import BADGE, PIN, cell_code
from tests.serials.site import PUMP, PUMP_EAN, load_serial_site
from tests.services import serve_app

__all__ = ["browser", "printer"]  # the fixtures, shared with the handheld modes' tests


def site(tmp_path: Path, printer_port: int):
    app = create_app(EdgeSettings(site="W1", data_dir=tmp_path, printers=[f"Упаковка-1=127.0.0.1:{printer_port}"]))
    load_serial_site(app.state.db)
    return app


def new_box(page: Page) -> dict[str, object]:
    return press(page, "#new-box", "/api/v1/packages/new")


def test_a_serialized_unit_goes_into_a_new_box_whose_label_prints_its_weight(browser, tmp_path, printer):
    app = site(tmp_path, printer.port)
    with serve_app(app) as base:
        page = sign_in(browser, base, "ТСД-9", BADGE, PIN)
        choose(page, "receive")
        asked = scan(page, PUMP_EAN)
        accepted(page, asked, "Насос циркуляционный: отсканируйте серийный номер")
        assert page.locator("#prompt").inner_text() == "Отсканируйте серийный номер: P-1 «Насос циркуляционный»"
        scan(page, "SN-77")
        accepted(page, scan(page, cell_code(101)), "Принято 1 шт. в ячейку A-01-01-01")
        choose(page, "move")
        for code in (cell_code(101), PUMP_EAN, "SN-77"):
            scan(page, code)
        accepted(page, scan(page, cell_code(950)), "Перемещено 1 шт. из A-01-01-01 в ASM-01")

        choose(page, "pack")
        assert page.locator("#new-box").is_visible()
        refused(page, new_box(page), "Сначала отсканируйте ячейку упаковки")
        scan(page, cell_code(950))
        opened = new_box(page)
        box = str(opened["sscc"])
        accepted(page, opened, f"Упаковка {box} открыта в ячейке ASM-01")
        assert box == "046012340000000017"
        scan(page, PUMP_EAN)
        accepted(page, scan(page, "SN-77"), f"Насос циркуляционный: +1 шт. в {box}")
        accepted(page, press(page, "#finish", "/finish"), f"Упаковка {box} закрыта")
        with page.expect_response(lambda r: r.url.endswith("/api/v1/labels/print")) as printed:
            page.click("#label")
        assert printed.value.ok
        assert printer.received.wait(10)
        expected = render_zpl(BoxLabel("—", "", 1, 1, f"{PUMP} × 1", box, None, Decimal("12.8")), (58, 40), 203)
        assert printer.jobs == [expected.encode("utf-8")]
        assert "Брутто 12,8 кг" in printer.jobs[0].decode("utf-8")  # 12.5 kg pump + a 300 g box
        page.close()
        units = httpx.get(f"{base}/api/v1/serials", params={"sku": PUMP}).json()
        assert [(u["serial"], u["cell"], u["package"], u["status"]) for u in units] == [
            ("SN-77", "ASM-01", box, "in_stock")
        ]
