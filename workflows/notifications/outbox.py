"""E-mails are queued only after the transaction that created their notifications commits.

`notify()` records the new notification's id on its session (`session.info`); listeners on
SQLAlchemy's `Session` class — so every session: Flask-SQLAlchemy's, a Celery job's, a
script's — queue one job per id when the outermost transaction commits, and forget the ids
when it rolls back or the session closes without committing. A job can therefore never run
before its row is visible, nor for a row that was rolled back. The notification row itself
is the outbox: should queueing fail after the commit (broker down, process killed), it stays
`pending` and `sweep_notification_emails` queues it again later.
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

log = logging.getLogger(__name__)

_PENDING = "notifications.pending_email"


def queue_after_commit(session: Session, notification_id: int) -> None:
    """Have the notification e-mailed once the session's current transaction commits."""
    if isinstance(session, scoped_session):  # Flask-SQLAlchemy's db.session
        session = session()
    # the innermost transaction, so rolling back a savepoint forgets what it created
    owner = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((notification_id, owner))


def _enqueue(notification_ids: list[int]) -> None:
    from workflows.jobs import send_notification_email  # jobs imports this package

    for notification_id in notification_ids:
        send_notification_email.delay(notification_id)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # also fired when a savepoint is released: only the outermost commit makes rows visible
    if session.in_nested_transaction() or not session.info.get(_PENDING):
        return
    ids = [notification_id for notification_id, _owner in session.info.pop(_PENDING)]
    try:
        _enqueue(ids)
    except Exception:
        # the business change is committed and must not fail now; the sweep sends these later
        log.exception("could not queue e-mail for notifications %s", ids)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if previous.parent is None:
        session.info.pop(_PENDING)
        return
    session.info[_PENDING] = [
        (notification_id, owner)
        for notification_id, owner in pending
        if not _within(owner, previous)
    ]


@event.listens_for(Session, "after_transaction_end")
def _after_end(session: Session, transaction: SessionTransaction) -> None:
    # closing a session without commit or rollback ends its transaction too
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False
