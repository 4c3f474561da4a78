"""The dispatcher accepts a borrowing proposal in real headless Chromium."""

from __future__ import annotations

from central.app import create_app
from central.dispatch import proposals, web
from central.settings import CentralSettings
from central.store import schema as s
from tests.dispatch.company import TODAY, count, seeded, staff
from tests.services import serve_app, sign_in


def test_dispatcher_accepts_a_proposal_in_chromium(browser, tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = seeded(url)
    proposal_id = proposals.run_borrowing(engine, "W1", TODAY, staff(engine, "dispatcher"), time_limit=5, seed=1)
    app = create_app(CentralSettings(database_url=url, environment="test"), engine=engine)
    app.dependency_overrides[web.today] = lambda: TODAY
    with serve_app(app) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/dispatch/proposals/{proposal_id}")
        assert page.url == base + "/login"
        sign_in(page, base, "dispatcher")
        page.goto(f"{base}/dispatch/proposals/{proposal_id}")
        assert page.locator("#status").inner_text() == "Предложено"
        assert page.locator("#explanation li").count() > 1
        page.click("#accept")
        page.wait_for_function("document.querySelector('#status').textContent === 'Принято'")
        assert page.locator("#accept").count() == 0
        page.screenshot(path=str(tmp_path / "proposal-accepted.png"))
        page.close()
    assert count(engine, s.dispatch_tasks) > 0
    engine.dispose()
