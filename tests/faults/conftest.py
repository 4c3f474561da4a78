"""Fault tests run real processes: Mosquitto, ``stockyard central`` and ``stockyard edge`` on loopback."""

from tests.sync.conftest import central_template, central_url  # noqa: F401 - shared seeded company
