"""The purchasing tests use the board tests' app over the demo company (``api``)."""

from tests.board.conftest import api

__all__ = ["api"]
