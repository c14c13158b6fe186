"""Reads on notifications; a person only ever sees their own."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Notification


def unread_count(session: Session, username: str) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient == username, Notification.read_at.is_(None))
    )


def recent(session: Session, username: str, limit: int = 50) -> list[Notification]:
    """`username`'s notifications, newest first."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.recipient == username)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def notification_for(session: Session, username: str, notification_id: int) -> Notification | None:
    """The notification if it is `username`'s, else None (someone else's is not found)."""
    return session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.recipient == username
        )
    )
