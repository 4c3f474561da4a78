"""Browser tests that need central use the seeded demo company of the sync tests."""

from tests.sync.conftest import central_template, central_url  # noqa: F401 - shared seeded company
