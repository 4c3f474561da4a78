"""purchasing work assigned by the dispatcher (DISP-3)

Revision ID: 0015_purchasing
Revises: 0014_payments
"""

import sqlalchemy as sa  # noqa: F401 - used once the revision has tables
from alembic import op  # noqa: F401

revision = "0015_purchasing"
down_revision = "0014_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
