"""logistics — transport, dispatch documents and their return (LOG-1, LOG-2)

Revision ID: 0013_logistics
Revises: 0012_sales
"""

import sqlalchemy as sa  # noqa: F401 - used once the revision has tables
from alembic import op  # noqa: F401

revision = "0013_logistics"
down_revision = "0012_sales"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
