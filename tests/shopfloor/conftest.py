"""The demo company for shop-floor tests (seeded once per session, copied per test)."""

from tests.sync.conftest import central_template, central_url

__all__ = ["central_template", "central_url"]
