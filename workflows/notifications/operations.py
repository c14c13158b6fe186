"""Writes on notifications: create one for a person, mark them read. Flush only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.models import utcnow

from .models import Notification, is_site_path
from .outbox import queue_after_commit

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def notify(
    session: Session,
    recipient: str,
    kind: str,
    *,
    subject: tuple[str, str],
    body: tuple[str, str] = ("", ""),
    link: str | None = None,
    instance_id: int | None = None,
    dedup_key: str | None = None,
) -> Notification | None:
    """Tell `recipient` something, in the app and by e-mail once the transaction commits.

    `subject` and `body` are (中文, English). With a `dedup_key` already used, nothing is
    created and None is returned, so a reminder goes out once however often it is asked for.
    """
    if link is not None and not is_site_path(link):
        raise ValueError(f"a notification links to a path on this site, not {link!r}")
    values = {
        "recipient": recipient,
        "kind": kind,
        "subject_zh": subject[0],
        "subject_en": subject[1],
        "body_zh": body[0],
        "body_en": body[1],
        "link": link,
        "instance_id": instance_id,
        "dedup_key": dedup_key,
    }
    if dedup_key is None:
        notification = Notification(**values)
        session.add(notification)
        session.flush()
    else:
        notification = _insert_once(session, values)
        if notification is None:
            return None
    queue_after_commit(session, notification.id)
    return notification


def _insert_once(session: Session, values: dict) -> Notification | None:
    # ON CONFLICT DO NOTHING: a concurrent duplicate neither fails nor rolls back the caller
    insert = _INSERT[session.get_bind().dialect.name]
    stmt = (
        insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Notification.dedup_key])
    )
    session.flush()
    return session.scalars(stmt.returning(Notification)).one_or_none()


def mark_read(session: Session, username: str, ids: Iterable[int] | Literal["all"]) -> int:
    """Mark `username`'s notifications read (those ids, or all); returns how many were unread."""
    stmt = update(Notification).where(
        Notification.recipient == username, Notification.read_at.is_(None)
    )
    if ids != "all":
        stmt = stmt.where(Notification.id.in_(list(ids)))
    return session.execute(stmt.values(read_at=utcnow())).rowcount
