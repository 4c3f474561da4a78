"""serial numbers of units (WH-1)

Revision ID: 0016_serials
Revises: 0015_purchasing
"""

import sqlalchemy as sa  # noqa: F401 - used once the revision has tables
from alembic import op  # noqa: F401

revision = "0016_serials"
down_revision = "0015_purchasing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
