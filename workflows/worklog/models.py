"""A person's daily work log (每日工作安排日志表) and their goal-plan changes.

Both belong to an employee (a username) and are decided by that employee's manager on the org
chart; the models guard their own state changes (a reviewed log no longer changes, a decided
goal-plan change is not decided again).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.errors import Conflict
from engine.models import Base, utcnow

from ..org.models import User

PLAN_CHANGE_STATUSES = ("pending", "approved", "rejected")


class WorkLog(Base):
    """What one person planned and did on one day: one entry per person and day."""

    __tablename__ = "work_log"
    __table_args__ = (UniqueConstraint("employee", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee: Mapped[str] = mapped_column(ForeignKey("app_user.username"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    plan: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)

    author: Mapped[User] = relationship(lazy="joined")

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None

    def _require_open(self) -> None:
        if self.reviewed:
            raise Conflict(
                f"The log of {self.day.isoformat()} was already reviewed; it can no longer "
                "change. Add what is missing to today's log.",
                f"{self.day.isoformat()} 的日志已审阅，不能再修改。请把遗漏的内容写入今天的日志。",
            )

    def write(self, plan: str, done: str) -> None:
        self._require_open()
        self.plan, self.done, self.updated_at = plan, done, utcnow()

    def review(self, reviewer: str, note: str | None) -> None:
        self._require_open()
        self.reviewed_by, self.reviewed_at, self.review_note = reviewer, utcnow(), note or None


class GoalPlanChange(Base):
    """A change to a person's goal plan for a quarter, approved or rejected by their manager."""

    __tablename__ = "goal_plan_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee: Mapped[str] = mapped_column(ForeignKey("app_user.username"), index=True)
    quarter: Mapped[str] = mapped_column(String(6), index=True)  # "2026Q3"
    change: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)

    author: Mapped[User] = relationship(lazy="joined")

    def decide(self, approve: bool, reviewer: str, note: str | None) -> None:
        if self.status != "pending":
            raise Conflict(
                "This goal-plan change was already decided. Reload the page to see the decision.",
                "这项目标计划变更已有决定。请刷新页面查看结果。",
            )
        self.status = "approved" if approve else "rejected"
        self.reviewed_by, self.reviewed_at, self.review_note = reviewer, utcnow(), note or None
