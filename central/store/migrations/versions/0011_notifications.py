"""notifications (in-app inbox and e-mail) and order disputes (ORD-10)

Revision ID: 0011_notifications
Revises: 0010_packages
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_notifications"
down_revision = "0010_packages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_status", sa.String(length=8), server_default="pending", nullable=False),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "mail_status IN ('pending', 'sent', 'failed', 'none')", name=op.f("ck_notifications_mail_status")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_notifications_mail_status", ["mail_status"], unique=False)

    op.create_table(
        "order_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_disputes_order_id_orders")),
        sa.ForeignKeyConstraint(["opened_by"], ["users.id"], name=op.f("fk_order_disputes_opened_by_users")),
        sa.ForeignKeyConstraint(["closed_by"], ["users.id"], name=op.f("fk_order_disputes_closed_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_disputes")),
    )
    with op.batch_alter_table("order_disputes", schema=None) as batch_op:
        for column in ("order_id", "opened_by", "closed_by"):
            batch_op.create_index(batch_op.f(f"ix_order_disputes_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("order_disputes")
    op.drop_table("notifications")
