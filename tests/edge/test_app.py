"""The edge's HTTP face: health and the terminal page, in Russian."""

from __future__ import annotations

from fastapi.testclient import TestClient

from edge.app import create_app
from edge.settings import EdgeSettings


def test_healthz_reports_site_and_migrations(tmp_path):
    client = TestClient(create_app(EdgeSettings(site="W1", data_dir=tmp_path)))
    body = client.get("/healthz").json()
    assert body == {
        "status": "ok",
        "service": "edge",
        "site": "W1",
        "migrations": ["m001_outbox_and_read_copies"],
    }


def test_terminal_page_is_russian(tmp_path):
    client = TestClient(create_app(EdgeSettings(site="S1", data_dir=tmp_path)))
    page = client.get("/")
    assert page.status_code == 200
    assert "Терминал площадки" in page.text
    assert "S1" in page.text
