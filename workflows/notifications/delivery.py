"""E-mailing a notification over SMTP, in the recipient's language; called by the Celery job.

Settings come from the application through `configure_mail` (the web app passes its config),
so this package never imports Flask. Each attempt is one transaction that touches only the
notification row: sending cannot change, or roll back, anything else.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import utcnow

from ..org.models import User
from ..org.queries import user_by_name
from .models import Notification

log = logging.getLogger(__name__)

# the first try and five retries (up to 30 s, 1, 2, 4, 8 min apart: see the job), then "failed"
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class MailSettings:
    host: str = "127.0.0.1"
    port: int = 8025  # the development sink: `python -m workflows.notifications.sink`
    sender: str = "aftersales@localhost"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0
    # e-mails link to pages by absolute address
    base_url: str = "http://127.0.0.1:5000"

    @classmethod
    def from_config(cls, config: Mapping, env: Mapping = os.environ) -> MailSettings:
        """SMTP_HOST, SMTP_PORT, SMTP_SENDER, SMTP_STARTTLS, SMTP_USERNAME, SMTP_PASSWORD,
        SMTP_TIMEOUT and AFTERSALES_BASE_URL from `config`, else the environment, else defaults."""

        def value(key: str, default):
            found = config.get(key)
            if found is None or found == "":
                found = env.get(key)
            return default if found is None or found == "" else found

        def flag(key: str) -> bool:
            found = value(key, False)
            return (
                found
                if isinstance(found, bool)
                else str(found).lower() in ("1", "true", "yes", "on")
            )

        defaults = cls()
        return cls(
            host=str(value("SMTP_HOST", defaults.host)),
            port=int(value("SMTP_PORT", defaults.port)),
            sender=str(value("SMTP_SENDER", defaults.sender)),
            starttls=flag("SMTP_STARTTLS"),
            username=value("SMTP_USERNAME", None),
            password=value("SMTP_PASSWORD", None),
            timeout=float(value("SMTP_TIMEOUT", defaults.timeout)),
            base_url=str(value("AFTERSALES_BASE_URL", defaults.base_url)).rstrip("/"),
        )


_settings = MailSettings()


def configure_mail(settings: MailSettings) -> MailSettings:
    """Use these SMTP settings from now on; returns the ones they replace."""
    global _settings
    previous, _settings = _settings, settings
    return previous


def mail_settings() -> MailSettings:
    return _settings


@dataclass(frozen=True)
class Outcome:
    """What an attempt came to; `retry` is the transient error to try again after."""

    status: str
    retry: Exception | None = None


def send_email(session: Session, notification_id: int) -> Outcome:
    """E-mail one notification unless that was done already; flush only."""
    # on PostgreSQL the row stays locked while sending, so a duplicate job skips it; a
    # notification that is gone was rolled back inside a savepoint
    notification = session.scalar(
        select(Notification)
        .where(Notification.id == notification_id)
        .with_for_update(skip_locked=True)
    )
    if notification is None:
        return Outcome("missing")
    if notification.email_status != "pending":
        return Outcome(notification.email_status)
    user = user_by_name(session, notification.recipient)
    if user is None or not user.active or not user.email:
        notification.mark_skipped()
        session.flush()
        return Outcome("skipped")
    settings = _settings
    try:
        _send(compose(notification, user, settings), settings)
    except (OSError, ValueError) as exc:  # smtplib.SMTPException is an OSError
        final = _is_permanent(exc) or notification.email_attempts + 1 >= MAX_ATTEMPTS
        notification.record_failure(_describe(exc), final=final)
        session.flush()
        if final:
            log.warning("e-mail for notification %s failed: %s", notification.id, exc)
        return Outcome(notification.email_status, retry=None if final else exc)
    notification.mark_sent()
    session.flush()
    return Outcome("sent")


def compose(notification: Notification, user: User, settings: MailSettings) -> EmailMessage:
    """The e-mail in the reader's language; EmailMessage encodes Chinese headers and body."""
    locale = user.locale or "zh_CN"
    message = EmailMessage()
    message["Subject"] = notification.subject(locale)
    message["From"] = settings.sender
    message["To"] = Address(user.display_name, addr_spec=user.email)
    message["Date"] = formatdate(usegmt=True)
    domain = settings.sender.rpartition("@")[2] or "localhost"
    # the same id on every attempt, so a mail client drops a copy that was sent twice
    message["Message-ID"] = f"<notification-{notification.id}@{domain}>"
    message["Content-Language"] = "zh-CN" if locale.startswith("zh") else "en"
    text = notification.body(locale)
    if notification.link:
        text = (
            f"{text}\n\n{settings.base_url}{notification.link}"
            if text
            else settings.base_url + notification.link
        )
    message.set_content(text + "\n")
    return message


def _send(message: EmailMessage, settings: MailSettings) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)


def _is_permanent(exc: Exception) -> bool:
    """Errors a retry cannot mend: a bad address, a 5xx answer, a server lacking STARTTLS."""
    if isinstance(exc, ValueError | smtplib.SMTPNotSupportedError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _describe(exc: Exception) -> str:
    """The server's answer (`550 5.1.1 No such mailbox`), else the kind of error and its text."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{_reply(code, text)} <{to}>" for to, (code, text) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    return f"{type(exc).__name__}: {exc}"


def _reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def stale_pending(session: Session, older_than: timedelta, limit: int = 500) -> list[int]:
    """Notifications still waiting for their e-mail long after every retry would have run."""
    cutoff: datetime = utcnow() - older_than
    return list(
        session.scalars(
            select(Notification.id)
            .where(Notification.email_status == "pending", Notification.created_at < cutoff)
            .order_by(Notification.id)
            .limit(limit)
        )
    )
