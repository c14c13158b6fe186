"""app_user.timezone: the zone a person sees times in

Revision ID: 0004_user_timezone
Revises: 0003_clocks_notifications
Create Date: 2026-11-28 19:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_user_timezone"
down_revision = "0003_clocks_notifications"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=50), nullable=True))


def downgrade():
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("timezone")
