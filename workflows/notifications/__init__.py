"""Notifications: in the app (a bell, a list) and by e-mail, sent after the commit that caused them.

Importing this package registers the `notification` table on `Base.metadata` and the
session listeners that queue the e-mails (see `outbox`).
"""

from .models import Notification
from .operations import mark_read, notify
from .queries import notification_for, recent, unread_count

__all__ = ["Notification", "mark_read", "notification_for", "notify", "recent", "unread_count"]
