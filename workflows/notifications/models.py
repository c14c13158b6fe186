"""A notification: what a person should know, shown in the app and e-mailed once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, utcnow

# what the e-mail of a notification has come to
EMAIL_STATUSES = ("pending", "sent", "failed", "skipped")


def is_site_path(link: str) -> bool:
    """A path on this site (`/tasks/7`), never another host or a `javascript:` URL."""
    return link.startswith("/") and not link.startswith("//") and "\\" not in link


class Notification(Base):
    """Texts are written in both languages when the event happens, so each reader sees theirs."""

    __tablename__ = "notification"
    __table_args__ = (
        # the bell's unread count is one COUNT over this index
        Index("ix_notification_recipient_read_at", "recipient", "read_at"),
        Index("ix_notification_email_status_created_at", "email_status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(100))  # a username
    kind: Mapped[str] = mapped_column(String(40))  # task_assigned, sla_reminder, ...
    subject_zh: Mapped[str] = mapped_column(String(300))
    subject_en: Mapped[str] = mapped_column(String(300))
    body_zh: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="SET NULL"), index=True
    )
    # "reminders go out once each": a second notify() with the same key creates nothing
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    email_status: Mapped[str] = mapped_column(String(10), default="pending")
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]

    def subject(self, locale: str) -> str:
        return self.subject_zh if locale.startswith("zh") else self.subject_en

    def body(self, locale: str) -> str:
        return self.body_zh if locale.startswith("zh") else self.body_en

    def mark_sent(self) -> None:
        self._expect_pending()
        self.email_attempts += 1
        self.email_status, self.sent_at, self.email_error = "sent", utcnow(), None

    def mark_skipped(self) -> None:
        self._expect_pending()
        self.email_status = "skipped"

    def record_failure(self, error: str, *, final: bool) -> None:
        """Count a failed attempt; `final` gives up on the e-mail (the notification stays)."""
        self._expect_pending()
        self.email_attempts += 1
        self.email_error = error[:500]
        if final:
            self.email_status = "failed"

    def _expect_pending(self) -> None:
        if self.email_status != "pending":
            raise ValueError(f"notification {self.id}: e-mail already {self.email_status}")
