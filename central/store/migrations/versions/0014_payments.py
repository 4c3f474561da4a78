"""payments by hand and their review (ORD-9, INT-2)

Revision ID: 0014_payments
Revises: 0013_logistics
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_payments"
down_revision = "0013_logistics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=8), server_default="bank", nullable=False))
        batch_op.add_column(sa.Column("entered_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("note", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("review", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("matched_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True))
        for column in ("entered_by", "matched_by"):
            batch_op.create_foreign_key(batch_op.f(f"fk_payments_{column}_users"), "users", [column], ["id"])
            batch_op.create_index(batch_op.f(f"ix_payments_{column}"), [column], unique=False)
        batch_op.create_check_constraint(batch_op.f("ck_payments_source"), "source IN ('bank', 'manual')")
        batch_op.create_check_constraint(batch_op.f("ck_payments_review"), "review IN ('not_ours', 'advance')")


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_payments_review"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_payments_source"), type_="check")
        for column in ("matched_by", "entered_by"):
            batch_op.drop_index(batch_op.f(f"ix_payments_{column}"))
            batch_op.drop_constraint(batch_op.f(f"fk_payments_{column}_users"), type_="foreignkey")
        for column in ("matched_at", "matched_by", "review", "note", "entered_at", "entered_by", "source"):
            batch_op.drop_column(column)
