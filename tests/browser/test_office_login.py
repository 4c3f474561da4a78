"""A member of staff logs in to the office in real headless Chromium."""

from __future__ import annotations

from central.app import create_app
from central.settings import CentralSettings
from central.store.engine import create_central_engine, migrate
from tests.office.staff import add_staff
from tests.services import serve_app


def test_login_in_chromium(browser, tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"
    engine = create_central_engine(url)
    migrate(engine)
    add_staff(engine, "admin", "Администратор системы", "admin", "demo")
    with serve_app(create_app(CentralSettings(database_url=url, environment="test"), engine=engine)) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + "/")
        assert page.url == base + "/login"
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", "не тот")
        page.click("button[type=submit]")
        assert page.locator("[role=alert]").inner_text() == "Неверный логин или пароль"
        page.fill("input[name=password]", "demo")
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        assert "Здравствуйте, Администратор системы" in page.locator("h1").inner_text()
        page.screenshot(path=str(tmp_path / "office-home.png"))
        page.close()
