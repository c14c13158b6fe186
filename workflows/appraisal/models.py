"""The quarterly appraisal (process 3): settings, cycles, each person's appraisal, who rates
whom, the ratings, the result sheet's approvals, appeals and the revisions they decide.

Models guard their own state changes: an illegal transition raises `Conflict`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.errors import Conflict
from engine.models import Base, utcnow

CYCLE_STATUSES = ("launching", "rating", "compiling", "approving", "published")
KINDS = ("supervisor", "specialist")
GROUPS = ("superior", "peer", "subordinate")
FORMS = ("performance", "competency")
# the result sheet is signed in this order (Art. 14)
APPROVAL_STEPS = ("supervisor", "hr", "plant_director", "gm")
CONSEQUENCE_CHOICES = ("keep", "training_wait", "transfer", "dismissal")
APPEAL_OUTCOMES = ("upheld", "revised")

Average = Numeric(9, 4)
Score = Numeric(5, 2)


class AppraisalSettings(Base):
    """Weights (Art. 15) as HR keeps them; one row. The grades (Art. 16) are a decision
    table (grades.GRADE_DECISION), versioned like the diagrams."""

    __tablename__ = "appraisal_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # case -> group -> percent, see scoring.DEFAULT_WEIGHTS
    weights: Mapped[dict[str, Any]]
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppraisalCycle(Base):
    """One quarter's appraisal, scored by the weights copied and the grade table version
    current when it was launched."""

    __tablename__ = "appraisal_cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(6), unique=True)  # 2026Q3
    status: Mapped[str] = mapped_column(String(20), default="launching")
    total: Mapped[int] = mapped_column(default=0)  # people in scope
    launched_by: Mapped[str] = mapped_column(String(100))
    launched_at: Mapped[datetime] = mapped_column(default=utcnow)
    weights: Mapped[dict[str, Any]]
    # the grade table's version that grades this quarter (none for a quarter launched before
    # grades were a table: it keeps grading by its bands)
    grade_table_id: Mapped[int | None] = mapped_column(ForeignKey("decision_definition.id"))
    # grade -> lowest score of that grade under the table (None: never given), for display
    bands: Mapped[dict[str, Any]]
    # appeals are open while the result process waits on its appeal window (a timer): until
    # that timer's due time, closed when it fires
    appeals_until: Mapped[datetime | None]
    appeals_closed_at: Mapped[datetime | None]
    # the result sheet's approval round: a return sends it back to HR, a revision starts the next
    round: Mapped[int] = mapped_column(default=1)
    sheet_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))

    appraisals: Mapped[list[Appraisal]] = relationship(
        back_populates="cycle", order_by="Appraisal.employee"
    )

    @property
    def year(self) -> int:
        return int(self.quarter[:4])

    def _move(self, allowed: tuple[str, ...], to: str, en: str, zh: str) -> None:
        if self.status not in allowed:
            raise Conflict(en, zh)
        self.status = to

    def launched(self) -> None:
        self._move(
            ("launching",),
            "rating",
            "This appraisal cycle has already been launched.",
            "该考核周期已发起。",
        )

    def all_rated(self) -> None:
        self._move(
            ("launching", "rating"),
            "compiling",
            "This appraisal cycle is past its rating.",
            "该考核周期已过评分阶段。",
        )

    def compiled(self) -> None:
        self._move(
            ("compiling",),
            "approving",
            "The result sheet can only be compiled once everyone is rated, before approval.",
            "只有在全部评分完成后、审批之前才能汇总考核结果。",
        )

    def returned(self) -> None:
        self._move(
            ("approving",),
            "compiling",
            "The result sheet is not waiting for approval.",
            "考核结果表不在审批中。",
        )

    def revised(self) -> None:
        self._move(
            ("compiling",),
            "approving",
            "The result sheet was not returned for revision.",
            "考核结果表未被退回修改。",
        )
        self.round += 1

    def published(self) -> None:
        self._move(
            ("approving",),
            "published",
            "The result sheet is not waiting for the general manager's approval.",
            "考核结果表不在等待总经理审批。",
        )


class Appraisal(Base):
    """One person's appraisal in a cycle. `composite` and `grade` are the original result;
    an appeal's outcome is a ScoreRevision beside it (see `effective_composite`)."""

    __tablename__ = "appraisal"
    __table_args__ = (UniqueConstraint("cycle_id", "employee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("appraisal_cycle.id"), index=True)
    employee: Mapped[str] = mapped_column(String(100), index=True)  # a username
    kind: Mapped[str] = mapped_column(String(20))  # supervisor | specialist
    status: Mapped[str] = mapped_column(String(20), default="rating")  # rating|scored|published
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    # group averages, null when the group has nobody
    superior_avg: Mapped[Decimal | None] = mapped_column(Average)
    peers_avg: Mapped[Decimal | None] = mapped_column(Average)
    subordinates_avg: Mapped[Decimal | None] = mapped_column(Average)
    weights: Mapped[dict[str, Any] | None]  # group -> percent, as applied
    composite: Mapped[Decimal | None] = mapped_column(Score)
    grade: Mapped[str | None] = mapped_column(String(10))  # 优 良 中 较差 差
    consequence: Mapped[str | None] = mapped_column(String(20))  # none | no_raise | step_down
    # HR's decision for the bottom of the department and every 差 (Art. 17)
    consequence_choice: Mapped[str | None] = mapped_column(String(20))
    consequence_reason: Mapped[str | None] = mapped_column(Text)
    consequence_days: Mapped[int | None]  # unpaid training wait, at least 3 days
    scored_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]

    cycle: Mapped[AppraisalCycle] = relationship(back_populates="appraisals")
    assignments: Mapped[list[RaterAssignment]] = relationship(
        back_populates="appraisal", order_by="RaterAssignment.id"
    )
    revisions: Mapped[list[ScoreRevision]] = relationship(order_by="ScoreRevision.id")

    @property
    def revision(self) -> ScoreRevision | None:
        return self.revisions[-1] if self.revisions else None

    @property
    def effective_composite(self) -> Decimal | None:
        return self.revision.revised_composite if self.revision else self.composite

    @property
    def effective_grade(self) -> str | None:
        return self.revision.revised_grade if self.revision else self.grade

    def scored(self) -> None:
        if self.status != "rating":
            raise Conflict("This appraisal is already scored.", "该考核已评分。")
        self.status = "scored"
        self.scored_at = utcnow()

    @property
    def appeal_until(self) -> datetime | None:
        """When the appeal window closes (the result process's timer), once published."""
        return self.cycle.appeals_until if self.status == "published" else None

    @property
    def appeals_open(self) -> bool:
        until = self.appeal_until
        return until is not None and self.cycle.appeals_closed_at is None and utcnow() < until

    def publish(self) -> None:
        if self.status != "scored":
            raise Conflict(
                "Only a scored appraisal can be published.", "只有已评分的考核才能公布。"
            )
        self.status, self.published_at = "published", utcnow()


class RaterAssignment(Base):
    """Who fills which form for whom; rater names never reach the person rated."""

    __tablename__ = "rater_assignment"
    __table_args__ = (UniqueConstraint("appraisal_id", "rater", "form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisal.id"), index=True)
    rater: Mapped[str] = mapped_column(String(100), index=True)
    group: Mapped[str] = mapped_column(String(20))  # superior | peer | subordinate
    form: Mapped[str] = mapped_column(String(20))  # performance | competency
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done

    appraisal: Mapped[Appraisal] = relationship(back_populates="assignments")
    rating: Mapped[Rating | None] = relationship(back_populates="assignment")


class Rating(Base):
    __tablename__ = "appraisal_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("rater_assignment.id"), unique=True)
    scores: Mapped[dict[str, Any]]  # dimension -> 0..100
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped[RaterAssignment] = relationship(back_populates="rating")


class Approval(Base):
    """A signature on the result sheet: one step of one round."""

    __tablename__ = "appraisal_approval"
    __table_args__ = (UniqueConstraint("cycle_id", "round", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("appraisal_cycle.id"), index=True)
    round: Mapped[int]
    step: Mapped[str] = mapped_column(String(20))  # supervisor | hr | plant_director | gm
    decision: Mapped[str] = mapped_column(String(10))  # approve | return
    comment: Mapped[str] = mapped_column(Text, default="")
    signer: Mapped[str] = mapped_column(String(100))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Appeal(Base):
    __tablename__ = "appraisal_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisal.id"), index=True)
    filed_by: Mapped[str] = mapped_column(String(100))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | upheld | revised
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]

    appraisal: Mapped[Appraisal] = relationship()

    def decide(self, outcome: str, note: str, decided_by: str) -> None:
        if self.status != "open":
            raise Conflict("This appeal has already been decided.", "该申诉已有结论。")
        self.status, self.outcome_note = outcome, note
        self.decided_by, self.decided_at = decided_by, utcnow()


class ScoreRevision(Base):
    """An appeal's revised result, beside the original, never over it."""

    __tablename__ = "score_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    appraisal_id: Mapped[int] = mapped_column(ForeignKey("appraisal.id"), index=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appraisal_appeal.id"), unique=True)
    original_composite: Mapped[Decimal] = mapped_column(Score)
    original_grade: Mapped[str] = mapped_column(String(10))
    revised_composite: Mapped[Decimal] = mapped_column(Score)
    revised_grade: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
