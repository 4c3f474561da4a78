"""Staff login by password, on SQLite and on PostgreSQL; settings that refuse a default secret."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from central.app import create_app
from central.settings import CentralSettings
from central.store.engine import create_central_engine, head_revision, migrate
from tests.office.staff import add_staff


@pytest.fixture
def office(database_url):
    engine = create_central_engine(database_url)
    migrate(engine)
    add_staff(engine, "dispatcher", "Орлова Марина Сергеевна", "dispatcher", "верный-пароль")
    app = create_app(CentralSettings(database_url=database_url, environment="test"), engine=engine)
    yield TestClient(app)
    engine.dispose()


def test_healthz_names_the_schema_revision(office):
    assert office.get("/healthz").json() == {"status": "ok", "service": "central", "schema": head_revision()}


def test_pages_need_a_login(office):
    response = office.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_wrong_password_is_refused_with_a_message(office):
    response = office.post("/login", data={"login": "dispatcher", "password": "нет"})
    assert response.status_code == 401
    assert "Неверный логин или пароль" in response.text
    assert office.get("/", follow_redirects=False).status_code == 303


def test_login_shows_the_home_page_then_logout(office):
    response = office.post("/login", data={"login": "dispatcher", "password": "верный-пароль"})
    assert response.status_code == 200
    assert "Здравствуйте, Орлова Марина Сергеевна" in response.text
    assert "Диспетчер" in response.text
    office.post("/logout")
    assert office.get("/", follow_redirects=False).status_code == 303


def test_production_refuses_the_development_secret():
    with pytest.raises(ValueError, match="STOCKYARD_SECRET_KEY must be set"):
        CentralSettings(environment="production")
    assert CentralSettings(environment="production", secret_key="a-real-random-secret").environment == "production"


def test_settings_come_from_a_toml_file(tmp_path, monkeypatch):
    config = tmp_path / "stockyard.toml"
    config.write_text('[central]\nport = 9000\ndatabase_url = "sqlite:///x.db"\n', encoding="utf-8")
    monkeypatch.setenv("STOCKYARD_CONFIG", str(config))
    monkeypatch.setenv("STOCKYARD_PORT", "9100")
    settings = CentralSettings()
    assert settings.database_url == "sqlite:///x.db"
    assert settings.port == 9100  # the environment beats the file
