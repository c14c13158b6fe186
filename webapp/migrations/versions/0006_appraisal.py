"""The quarterly appraisal: settings, cycles, appraisals, rater assignments, ratings, the
result sheet's approvals, appeals and score revisions

Revision ID: 0006_appraisal
Revises: 0005_records
Create Date: 2026-11-28 21:43:31.245153

"""

import sqlalchemy as sa
from alembic import op

import engine.models

# revision identifiers, used by Alembic.
revision = "0006_appraisal"
down_revision = "0005_records"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appraisal_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("bands", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisal_settings")),
    )
    op.create_table(
        "appraisal_cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("launched_by", sa.String(length=100), nullable=False),
        sa.Column("launched_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("bands", sa.JSON(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("sheet_instance_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sheet_instance_id"],
            ["process_instance.id"],
            name=op.f("fk_appraisal_cycle_sheet_instance_id_process_instance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisal_cycle")),
        sa.UniqueConstraint("quarter", name=op.f("uq_appraisal_cycle_quarter")),
    )
    op.create_table(
        "appraisal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("employee", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("superior_avg", sa.Numeric(precision=9, scale=4), nullable=True),
        sa.Column("peers_avg", sa.Numeric(precision=9, scale=4), nullable=True),
        sa.Column("subordinates_avg", sa.Numeric(precision=9, scale=4), nullable=True),
        sa.Column("weights", sa.JSON(), nullable=True),
        sa.Column("composite", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("grade", sa.String(length=10), nullable=True),
        sa.Column("consequence", sa.String(length=20), nullable=True),
        sa.Column("consequence_choice", sa.String(length=20), nullable=True),
        sa.Column("consequence_reason", sa.Text(), nullable=True),
        sa.Column("consequence_days", sa.Integer(), nullable=True),
        sa.Column("scored_at", engine.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", engine.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("appeal_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["appraisal_cycle.id"], name=op.f("fk_appraisal_cycle_id_appraisal_cycle")
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_appraisal_instance_id_process_instance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisal")),
        sa.UniqueConstraint("cycle_id", "employee", name=op.f("uq_appraisal_cycle_id")),
    )
    with op.batch_alter_table("appraisal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appraisal_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appraisal_employee"), ["employee"], unique=False)

    op.create_table(
        "appraisal_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("signer", sa.String(length=100), nullable=False),
        sa.Column("signed_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["appraisal_cycle.id"],
            name=op.f("fk_appraisal_approval_cycle_id_appraisal_cycle"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisal_approval")),
        sa.UniqueConstraint(
            "cycle_id", "round", "step", name=op.f("uq_appraisal_approval_cycle_id")
        ),
    )
    with op.batch_alter_table("appraisal_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appraisal_approval_cycle_id"), ["cycle_id"], unique=False
        )

    op.create_table(
        "appraisal_appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appraisal_id", sa.Integer(), nullable=False),
        sa.Column("filed_by", sa.String(length=100), nullable=False),
        sa.Column("filed_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", engine.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appraisal_id"],
            ["appraisal.id"],
            name=op.f("fk_appraisal_appeal_appraisal_id_appraisal"),
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_appraisal_appeal_instance_id_process_instance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisal_appeal")),
    )
    with op.batch_alter_table("appraisal_appeal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appraisal_appeal_appraisal_id"), ["appraisal_id"], unique=False
        )

    op.create_table(
        "rater_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appraisal_id", sa.Integer(), nullable=False),
        sa.Column("rater", sa.String(length=100), nullable=False),
        sa.Column("group", sa.String(length=20), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["appraisal_id"],
            ["appraisal.id"],
            name=op.f("fk_rater_assignment_appraisal_id_appraisal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rater_assignment")),
        sa.UniqueConstraint(
            "appraisal_id", "rater", "form", name=op.f("uq_rater_assignment_appraisal_id")
        ),
    )
    with op.batch_alter_table("rater_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rater_assignment_appraisal_id"), ["appraisal_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rater_assignment_rater"), ["rater"], unique=False)

    op.create_table(
        "appraisal_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("submitted_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["rater_assignment.id"],
            name=op.f("fk_appraisal_rating_assignment_id_rater_assignment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisal_rating")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_appraisal_rating_assignment_id")),
    )
    op.create_table(
        "score_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appraisal_id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("original_composite", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("original_grade", sa.String(length=10), nullable=False),
        sa.Column("revised_composite", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("revised_grade", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", engine.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appraisal_appeal.id"],
            name=op.f("fk_score_revision_appeal_id_appraisal_appeal"),
        ),
        sa.ForeignKeyConstraint(
            ["appraisal_id"],
            ["appraisal.id"],
            name=op.f("fk_score_revision_appraisal_id_appraisal"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_revision")),
        sa.UniqueConstraint("appeal_id", name=op.f("uq_score_revision_appeal_id")),
    )
    with op.batch_alter_table("score_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_score_revision_appraisal_id"), ["appraisal_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("score_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_revision_appraisal_id"))

    op.drop_table("score_revision")
    op.drop_table("appraisal_rating")
    with op.batch_alter_table("rater_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rater_assignment_rater"))
        batch_op.drop_index(batch_op.f("ix_rater_assignment_appraisal_id"))

    op.drop_table("rater_assignment")
    with op.batch_alter_table("appraisal_appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appraisal_appeal_appraisal_id"))

    op.drop_table("appraisal_appeal")
    with op.batch_alter_table("appraisal_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appraisal_approval_cycle_id"))

    op.drop_table("appraisal_approval")
    with op.batch_alter_table("appraisal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appraisal_employee"))
        batch_op.drop_index(batch_op.f("ix_appraisal_cycle_id"))

    op.drop_table("appraisal")
    op.drop_table("appraisal_cycle")
    op.drop_table("appraisal_settings")
