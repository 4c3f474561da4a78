"""sales office — contracts, price requests (ORD-7, PRICE-2)

Revision ID: 0012_sales
Revises: 0011_notifications
"""

import sqlalchemy as sa  # noqa: F401 - used once the revision has tables
from alembic import op  # noqa: F401

revision = "0012_sales"
down_revision = "0011_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
