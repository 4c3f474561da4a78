"""accepted production queue and delivery route plans

Revision ID: 0004_plans
Revises: 0003
Create Date: 2026-11-25 12:02:03.429865
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_plans"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "production_plan_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_production_plan_tasks_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_production_plan_tasks_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["task_id"], ["production_tasks.id"], name=op.f("fk_production_plan_tasks_task_id_production_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_plan_tasks")),
        sa.UniqueConstraint("proposal_id", "task_id", name="uq_production_plan_tasks_proposal_task"),
    )
    with op.batch_alter_table("production_plan_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_production_plan_tasks_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_production_plan_tasks_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_production_plan_tasks_task_id"), ["task_id"], unique=False)

    op.create_table(
        "route_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("cost_kop", sa.BigInteger(), nullable=False),
        sa.Column("weight_g", sa.BigInteger(), nullable=False),
        sa.Column("volume_cm3", sa.BigInteger(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"], name=op.f("fk_route_plans_proposal_id_proposals")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_route_plans_site_id_sites")),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"], name=op.f("fk_route_plans_vehicle_id_vehicles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_plans")),
    )
    with op.batch_alter_table("route_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_route_plans_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_route_plans_site_id"), ["site_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_route_plans_vehicle_id"), ["vehicle_id"], unique=False)

    op.create_table(
        "production_plan_ops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_task_id", sa.Integer(), nullable=False),
        sa.Column("routing_operation_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("work_center_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_task_id"],
            ["production_plan_tasks.id"],
            name=op.f("fk_production_plan_ops_plan_task_id_production_plan_tasks"),
        ),
        sa.ForeignKeyConstraint(
            ["routing_operation_id"],
            ["routing_operations.id"],
            name=op.f("fk_production_plan_ops_routing_operation_id_routing_operations"),
        ),
        sa.ForeignKeyConstraint(
            ["work_center_id"], ["work_centers.id"], name=op.f("fk_production_plan_ops_work_center_id_work_centers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_plan_ops")),
    )
    with op.batch_alter_table("production_plan_ops", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_production_plan_ops_plan_task_id"), ["plan_task_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_production_plan_ops_routing_operation_id"), ["routing_operation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_production_plan_ops_work_center_id"), ["work_center_id"], unique=False)

    op.create_table(
        "route_carrier_shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier_tariff_id", sa.Integer(), nullable=False),
        sa.Column("cost_kop", sa.BigInteger(), nullable=False),
        sa.Column("own_cost_kop", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["carrier_tariff_id"],
            ["carrier_tariffs.id"],
            name=op.f("fk_route_carrier_shipments_carrier_tariff_id_carrier_tariffs"),
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_route_carrier_shipments_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_route_carrier_shipments_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_route_carrier_shipments_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_carrier_shipments")),
    )
    with op.batch_alter_table("route_carrier_shipments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_route_carrier_shipments_carrier_tariff_id"), ["carrier_tariff_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_route_carrier_shipments_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_route_carrier_shipments_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_route_carrier_shipments_site_id"), ["site_id"], unique=False)

    op.create_table(
        "route_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route_plan_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("eta", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_route_stops_customer_id_customers")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_route_stops_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["route_plan_id"], ["route_plans.id"], name=op.f("fk_route_stops_route_plan_id_route_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_stops")),
    )
    with op.batch_alter_table("route_stops", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_route_stops_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_route_stops_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_route_stops_route_plan_id"), ["route_plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("route_stops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_stops_route_plan_id"))
        batch_op.drop_index(batch_op.f("ix_route_stops_order_id"))
        batch_op.drop_index(batch_op.f("ix_route_stops_customer_id"))

    op.drop_table("route_stops")
    with op.batch_alter_table("route_carrier_shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_carrier_shipments_site_id"))
        batch_op.drop_index(batch_op.f("ix_route_carrier_shipments_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_route_carrier_shipments_order_id"))
        batch_op.drop_index(batch_op.f("ix_route_carrier_shipments_carrier_tariff_id"))

    op.drop_table("route_carrier_shipments")
    with op.batch_alter_table("production_plan_ops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_plan_ops_work_center_id"))
        batch_op.drop_index(batch_op.f("ix_production_plan_ops_routing_operation_id"))
        batch_op.drop_index(batch_op.f("ix_production_plan_ops_plan_task_id"))

    op.drop_table("production_plan_ops")
    with op.batch_alter_table("route_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_plans_vehicle_id"))
        batch_op.drop_index(batch_op.f("ix_route_plans_site_id"))
        batch_op.drop_index(batch_op.f("ix_route_plans_proposal_id"))

    op.drop_table("route_plans")
    with op.batch_alter_table("production_plan_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_plan_tasks_task_id"))
        batch_op.drop_index(batch_op.f("ix_production_plan_tasks_site_id"))
        batch_op.drop_index(batch_op.f("ix_production_plan_tasks_proposal_id"))

    op.drop_table("production_plan_tasks")
