"""Notifications are e-mailed once, after the commit that caused them, through a real SMTP
server (the aiosmtpd sink); a failed send is retried and never undoes the business change."""

from __future__ import annotations

import socket
import time
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select

from workflows.notifications import Notification, notify
from workflows.notifications.delivery import (
    MAX_ATTEMPTS,
    MailSettings,
    configure_mail,
    mail_settings,
)
from workflows.notifications.sink import MailSink
from workflows.org.models import User
from workflows.org.operations import create_user


@pytest.fixture
def db(app):
    """The Flask-SQLAlchemy session in an app context, with the jobs bound to this app."""
    from webapp.celery_app import make_celery
    from webapp.extensions import db

    make_celery(app)
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def queued(monkeypatch):
    """The ids handed to `send_notification_email.delay` (nothing reaches the broker)."""
    from workflows import jobs

    ids: list[int] = []
    monkeypatch.setattr(jobs.send_notification_email, "delay", ids.append)
    return ids


def _use_smtp(port: int, **changes) -> MailSettings:
    return configure_mail(replace(mail_settings(), host="127.0.0.1", port=port, **changes))


@pytest.fixture
def sink():
    with MailSink() as running:
        previous = _use_smtp(running.port, base_url="http://aftersales.test")
        yield running
        configure_mail(previous)


def _person(session, locale: str = "zh_CN", email: bool = True) -> User:
    name = f"n{uuid.uuid4().hex[:10]}"
    return create_user(
        session,
        name,
        "demo",
        display_name=f"测试 {name}",
        email=f"{name}@aftersales.example" if email else None,
        locale=locale,
    )


def _task_assigned(session, user: User, **kw) -> Notification | None:
    return notify(
        session,
        user.username,
        "task_assigned",
        subject=("新任务：客户报修 RMA-7", "New task: customer request RMA-7"),
        body=("请在今天内处理。", "Please handle it today."),
        link="/tasks/abc",
        **kw,
    )


def _send(notification_id: int) -> str:
    from workflows import jobs

    return jobs.send_notification_email.apply(args=[notification_id]).get()


def _fresh(session, notification_id: int) -> Notification:
    session.expire_all()
    return session.get(Notification, notification_id)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_committed_notification_is_emailed_once_in_the_readers_language(db, queued, sink):
    zh_user, en_user = _person(db, "zh_CN"), _person(db, "en")
    for_zh, for_en = _task_assigned(db, zh_user), _task_assigned(db, en_user)
    assert queued == []  # nothing before the commit
    db.commit()
    assert queued == [for_zh.id, for_en.id]

    assert [_send(i) for i in queued] == ["sent", "sent"]
    assert [_send(i) for i in queued] == ["sent", "sent"]  # a second run sends nothing

    mails = sink.wait_for(2)
    assert len(mails) == 2
    by_address = {mail.recipients[0]: mail for mail in mails}
    chinese, english = by_address[zh_user.email], by_address[en_user.email]
    assert chinese.subject == "新任务：客户报修 RMA-7"
    assert "请在今天内处理。" in chinese.text
    assert "http://aftersales.test/tasks/abc" in chinese.text
    assert chinese.message["To"].addresses[0].display_name == zh_user.display_name
    assert english.subject == "New task: customer request RMA-7"
    assert "Please handle it today." in english.text
    assert chinese.mail_from == english.mail_from == "aftersales@localhost"
    for notification_id in queued:
        row = _fresh(db, notification_id)
        assert (row.email_status, row.email_attempts, row.email_error) == ("sent", 1, None)
        assert row.sent_at is not None


def test_a_rolled_back_transaction_queues_nothing_and_leaves_no_row(db, queued, sink):
    user = _person(db)
    db.commit()
    _task_assigned(db, user)
    db.rollback()
    assert queued == []

    # a savepoint rolled back inside a transaction that commits: only what it kept is sent
    kept = _task_assigned(db, user)
    with pytest.raises(RuntimeError), db.begin_nested():
        _task_assigned(db, user)
        raise RuntimeError("the step failed")
    db.commit()
    assert queued == [kept.id]
    assert db.scalar(select(func.count()).where(Notification.recipient == user.username)) == 1
    assert sink.messages == []


def test_a_session_closed_without_commit_queues_nothing(app, db, queued):
    user = _person(db)
    db.commit()
    _task_assigned(db, user)
    db.close()
    db.commit()
    assert queued == []


def test_smtp_down_retries_then_marks_failed_and_keeps_the_business_change(db, queued):
    previous = _use_smtp(_closed_port())
    try:
        # the business change and its notification commit together
        newcomer = _person(db)
        notification = _task_assigned(db, newcomer)
        db.commit()
        assert _send(notification.id) == "failed"
    finally:
        configure_mail(previous)

    row = _fresh(db, notification.id)
    assert row.email_status == "failed"
    assert row.email_attempts == MAX_ATTEMPTS  # the first try and every retry
    assert "Connection refused" in row.email_error or "ConnectionRefusedError" in row.email_error
    assert row.sent_at is None and row.read_at is None
    assert db.scalar(select(User).where(User.username == newcomer.username)) is not None
    assert _send(notification.id) == "failed"  # given up: a late duplicate does not retry


def test_a_refused_address_fails_at_once(db, queued):
    user = _person(db)
    notification = _task_assigned(db, user)
    db.commit()
    with MailSink(refuse=frozenset({user.email})) as refusing:
        previous = _use_smtp(refusing.port)
        try:
            assert _send(notification.id) == "failed"
        finally:
            configure_mail(previous)
    row = _fresh(db, notification.id)
    assert row.email_attempts == 1
    assert row.email_error.startswith("550")
    assert refusing.messages == []


def test_the_same_dedup_key_gives_one_notification(db, queued, sink):
    user = _person(db)
    key = f"sla_reminder:{uuid.uuid4()}"
    first = _task_assigned(db, user, dedup_key=key)
    assert first is not None
    assert _task_assigned(db, user, dedup_key=key) is None
    db.commit()
    assert _task_assigned(db, user, dedup_key=key) is None  # in a later transaction too
    db.commit()
    assert queued == [first.id]
    assert db.scalar(select(func.count()).where(Notification.dedup_key == key)) == 1
    _send(first.id)
    assert len(sink.wait_for(1)) == 1


def test_a_person_without_email_is_skipped(db, queued, sink):
    user = _person(db, email=False)
    notification = _task_assigned(db, user)
    db.commit()
    assert _send(notification.id) == "skipped"
    assert _fresh(db, notification.id).email_status == "skipped"
    assert sink.messages == []


def test_a_failure_to_queue_does_not_undo_the_commit(db, monkeypatch, caplog):
    from workflows import jobs

    def broker_down(_notification_id):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(jobs.send_notification_email, "delay", broker_down)
    user = _person(db)
    notification = _task_assigned(db, user)
    db.commit()
    assert "could not queue e-mail" in caplog.text
    assert _fresh(db, notification.id).email_status == "pending"
    assert db.scalar(select(User).where(User.username == user.username)) is not None


def test_the_sweep_queues_emails_whose_job_was_lost(db, queued):
    from workflows import jobs

    user = _person(db)
    lost = _task_assigned(db, user)
    recent = _task_assigned(db, user)
    db.commit()
    lost.created_at -= jobs.NOTIFICATION_EMAIL_LOST_AFTER + timedelta(minutes=1)
    db.commit()
    queued.clear()
    jobs.sweep_notification_emails.apply().get()
    assert lost.id in queued and recent.id not in queued


def test_a_link_must_stay_on_this_site(db):
    with pytest.raises(ValueError):
        notify(db, "cs1", "task_assigned", subject=("x", "x"), link="https://evil.example/")


def test_settings_come_from_config_then_environment():
    settings = MailSettings.from_config(
        {"SMTP_PORT": "2525", "SMTP_STARTTLS": "true", "SMTP_HOST": ""},
        env={"SMTP_HOST": "mail.example", "SMTP_USERNAME": "robot"},
    )
    assert (settings.host, settings.port, settings.starttls) == ("mail.example", 2525, True)
    assert settings.username == "robot" and settings.sender == "aftersales@localhost"
    assert MailSettings.from_config({}, env={}) == MailSettings()


def test_a_committed_notification_is_emailed_through_the_worker(app, sink):
    from webapp.celery_app import make_celery
    from webapp.extensions import db

    celery = make_celery(app)
    _use_smtp(sink.port, base_url="http://aftersales.test")  # binding the app set its own SMTP
    celery.control.purge()  # only this test's job on the queue
    with app.app_context():
        user = _person(db.session, "zh_CN")
        notification = _task_assigned(db.session, user)
        db.session.commit()  # queues the job through the configured broker
        notification_id = notification.id
        db.session.remove()

    with start_worker(celery, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        mails = sink.wait_for(1, timeout=30)
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline and status != "sent":
            with app.app_context():
                status = db.session.scalar(
                    select(Notification.email_status).where(Notification.id == notification_id)
                )
                db.session.remove()
            time.sleep(0.1)
    assert [(m.recipients, m.subject) for m in mails] == [([user.email], "新任务：客户报修 RMA-7")]
    assert status == "sent"
