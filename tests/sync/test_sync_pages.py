"""What the office sees of sync: the sites page, status and exceptions APIs, and ``stockyard sync status``."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from central.app import create_app
from central.auth.tokens import issue_token
from central.settings import CentralSettings
from central.store import schema as s
from central.store.engine import create_central_engine
from central.sync.cli import sync_status
from tests.services import serve_app


def bearer(engine, settings: CentralSettings, login: str) -> dict[str, str]:
    with engine.connect() as conn:
        user_id = conn.execute(select(s.users.c.id).where(s.users.c.login == login)).scalar_one()
    return {"Authorization": f"Bearer {issue_token(settings.secret_key.get_secret_value(), user_id)}"}


def test_sites_page_status_and_exceptions(central_url):
    settings = CentralSettings(database_url=central_url)
    engine = create_central_engine(central_url)
    with engine.begin() as conn:
        conn.execute(
            insert(s.sync_exceptions).values(
                site_id=1, seq=7, kind="pick_beyond_reservation", message="по заданию X отобрано 5 шт.",
                created_at=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
            )
        )  # fmt: skip
    admin = bearer(engine, settings, "admin")
    with TestClient(create_app(settings, engine)) as client:
        assert client.get("/api/v1/sync/sites").status_code == 401
        sites = client.get("/api/v1/sync/sites", headers=admin).json()
        assert [site["site"] for site in sites] == ["S1", "W1"]
        assert {"presence", "last_contact", "upstream_backlog", "downstream_lag", "open_exceptions"} <= set(sites[0])
        page = client.get("/sync", headers=admin)
        assert page.status_code == 200 and "Синхронизация площадок" in page.text and "отобрано 5 шт." in page.text
        problems = client.get("/api/v1/sync/exceptions", headers=admin).json()
        assert problems[0]["kind"] == "pick_beyond_reservation"
        assert (
            client.post(
                f"/api/v1/sync/exceptions/{problems[0]['id']}/resolve", headers=bearer(engine, settings, "manager01")
            ).status_code
            == 403
        )
        assert client.post(f"/api/v1/sync/exceptions/{problems[0]['id']}/resolve", headers=admin).status_code == 200
        assert client.post(f"/api/v1/sync/exceptions/{problems[0]['id']}/resolve", headers=admin).status_code == 404
        assert client.get("/api/v1/sync/exceptions", headers=admin).json() == []
        assert client.get("/api/v1/sites/W9/stock", headers=admin).status_code == 404

    with serve_app(create_app(settings, engine)) as url:
        token = admin["Authorization"].split()[1]
        result = CliRunner().invoke(sync_status, ["--central-url", url, "--token", token, "--json"])
        assert result.exit_code == 0, result.output
        assert {site["site"] for site in json.loads(result.output)} == {"W1", "S1"}
        table = CliRunner().invoke(sync_status, ["--central-url", url, "--token", token])
        assert "W1" in table.output and "backlog up" in table.output
        refused = CliRunner().invoke(sync_status, ["--central-url", url, "--token", "forged"])
        assert refused.exit_code == 1 and "401" in refused.output
    missing = CliRunner().invoke(sync_status, ["--central-url", "http://127.0.0.1:9"], env={"STOCKYARD_TOKEN": ""})
    assert missing.exit_code == 1 and "stockyard central token" in missing.output
