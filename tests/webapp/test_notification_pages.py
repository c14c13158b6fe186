"""The bell and the notifications page: the unread count, the list in the reader's language,
marking read, and nobody seeing or marking someone else's notifications."""

from __future__ import annotations

import re
import uuid

import pytest

_FIELD_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_BADGE = re.compile(r'data-testid="unread-count" data-count="(\d+)"')
_ITEM = re.compile(r'data-testid="notification" data-notification-id="(\d+)" data-unread="(\w+)"')


class Reader:
    """A browser session of one person, logged in through the login page."""

    def __init__(self, app, username: str):
        self.username = username
        self.client = app.test_client()
        token = _FIELD_TOKEN.search(self.client.get("/login").get_data(as_text=True))[1]
        response = self.client.post(
            "/login", data={"username": username, "password": "demo", "csrf_token": token}
        )
        assert response.status_code == 302
        self.token = _FIELD_TOKEN.search(self.page("/notifications"))[1]

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def unread_badge(self) -> int:
        found = _BADGE.search(self.page("/tasks"))
        return int(found[1]) if found else 0

    def items(self, path: str = "/notifications") -> dict[int, bool]:
        """notification id -> unread, in the order shown."""
        return {int(i): unread == "true" for i, unread in _ITEM.findall(self.page(path))}

    def mark_read(self, notification_id: int | str | None = None, token: str | None = None):
        data = {"csrf_token": self.token if token is None else token}
        if notification_id is not None:
            data["id"] = str(notification_id)
        return self.client.post("/notifications/read", data=data)


@pytest.fixture(autouse=True)
def no_mail(monkeypatch):
    """These tests are about the pages: the e-mail jobs are not queued."""
    from workflows import jobs

    monkeypatch.setattr(jobs.send_notification_email, "delay", lambda _id: None)


def _person_with_notifications(app, locale: str, count: int = 2) -> tuple[str, list[int]]:
    from webapp.extensions import db
    from workflows.notifications import notify
    from workflows.org.operations import create_user

    with app.app_context():
        name = f"p{uuid.uuid4().hex[:10]}"
        create_user(db.session, name, "demo", locale=locale, email=f"{name}@aftersales.example")
        ids = [
            notify(
                db.session,
                name,
                "sla_reminder",
                subject=(f"截止提醒 {n}", f"Deadline reminder {n}"),
                body=("还有两小时。", "Two hours left."),
                link=f"/cases/{n}",
            ).id
            for n in range(1, count + 1)
        ]
        db.session.commit()
    return name, ids


def test_the_bell_counts_unread_and_the_list_reads_in_chinese(app):
    name, ids = _person_with_notifications(app, "zh_CN")
    reader = Reader(app, name)
    assert reader.unread_badge() == 2
    page = reader.page("/notifications")
    assert 'lang="zh-CN"' in page
    assert "截止提醒 2" in page and "还有两小时。" in page
    assert "Deadline reminder" not in page
    assert 'href="/cases/1"' in page
    assert list(reader.items()) == ids[::-1]  # newest first
    assert all(reader.items().values())  # all unread, highlighted


def test_the_list_reads_in_english_for_an_english_reader(app):
    name, ids = _person_with_notifications(app, "en", count=1)
    reader = Reader(app, name)
    page = reader.page("/notifications")
    assert 'lang="en"' in page
    assert "Deadline reminder 1" in page and "Two hours left." in page
    assert "截止提醒" not in page
    # the same notification, read in the other language
    assert "截止提醒 1" in reader.page("/notifications?lang=zh_CN")


def test_marking_one_then_all_read(app):
    name, ids = _person_with_notifications(app, "zh_CN", count=3)
    reader = Reader(app, name)
    response = reader.mark_read(ids[0])
    assert response.status_code == 303 and response.headers["Location"] == "/notifications"
    assert reader.items() == {ids[2]: True, ids[1]: True, ids[0]: False}
    assert reader.unread_badge() == 2

    assert reader.mark_read().status_code == 303
    assert not any(reader.items().values())
    assert reader.unread_badge() == 0
    assert 'data-testid="unread-count"' not in reader.page("/tasks")
    assert reader.mark_read(ids[0]).status_code == 303  # already read: nothing to do


def test_nobody_sees_or_marks_someone_elses_notifications(app):
    owner, ids = _person_with_notifications(app, "zh_CN")
    other, _ = _person_with_notifications(app, "zh_CN", count=1)
    intruder = Reader(app, other)
    assert not set(intruder.items()) & set(ids)
    assert intruder.unread_badge() == 1
    assert intruder.mark_read(ids[0]).status_code == 404
    assert intruder.mark_read("first").status_code == 400
    assert intruder.mark_read().status_code == 303  # "all" means all of one's own
    assert Reader(app, owner).items() == {ids[1]: True, ids[0]: True}


def test_marking_read_needs_the_csrf_token_and_a_login(app):
    name, ids = _person_with_notifications(app, "zh_CN", count=1)
    reader = Reader(app, name)
    assert reader.mark_read(ids[0], token="").status_code == 400
    assert reader.items() == {ids[0]: True}
    stranger = app.test_client()
    assert stranger.get("/notifications").status_code == 302
    assert stranger.post("/notifications/read").status_code == 400  # no token, no entry


def test_a_person_without_notifications_sees_an_empty_list(app):
    name, _ = _person_with_notifications(app, "en", count=0)
    reader = Reader(app, name)
    assert 'data-testid="empty"' in reader.page("/notifications")
    assert reader.unread_badge() == 0
