"""The logistician runs delivery routes and accepts them in real headless Chromium."""

from __future__ import annotations

from central.app import create_app
from central.dispatch import web
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import TODAY, count, seeded
from tests.dispatch.test_plans import NOW
from tests.services import serve_app, sign_in


def test_logistician_runs_and_accepts_routes_in_chromium(browser, tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = seeded(url)
    app = create_app(CentralSettings(database_url=url, environment="test"), engine=engine)
    app.dependency_overrides[web.today] = lambda: TODAY
    app.dependency_overrides[web.now] = lambda: NOW
    app.dependency_overrides[web.solver_seconds] = lambda: 2.0
    with serve_app(app) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/login")
        sign_in(page, base, "logistician")
        page.goto(f"{base}/dispatch/proposals")
        assert page.locator("#run-borrowing").count() == 0
        page.fill("input[name=delivery_day]", TODAY.isoformat())
        page.click("#run-routes")
        page.wait_for_selector("#routes")
        assert page.locator("#status").inner_text() == "Предложено"
        assert page.locator("#routes tr").count() > 1
        assert page.locator("#explanation li").count() > 2
        page.click("#accept")
        page.wait_for_function("document.querySelector('#status').textContent === 'Принято'")
        assert page.locator("#accept").count() == 0
        page.screenshot(path=str(tmp_path / "routes-accepted.png"), full_page=True)
        page.close()
    assert count(engine, s.route_plans) > 0
    assert count(engine, s.dispatch_tasks) == count(engine, s.route_stops) + count(engine, s.route_carrier_shipments)
    engine.dispose()
