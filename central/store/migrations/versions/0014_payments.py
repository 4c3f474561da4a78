"""payments by hand and their review (ORD-9, INT-2)

Revision ID: 0014_payments
Revises: 0013_logistics
"""

import sqlalchemy as sa  # noqa: F401 - used once the revision has tables
from alembic import op  # noqa: F401

revision = "0014_payments"
down_revision = "0013_logistics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
