"""Reminders at 50 % and 80 % of a promise and the breach notice go out once each."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.runtime import Actor
from tests.workflows.test_sla_clocks import DIAGRAM
from workflows.notifications.models import Notification
from workflows.sla.models import SlaClockRecord
from workflows.sla.sweep import sweep

OWNER = Actor("owner", frozenset({"process_owner"}))


def _sent(session, instance_id):
    session.flush()
    return sorted(
        (n.kind, n.recipient, n.dedup_key.split(":")[2])
        for n in session.scalars(
            select(Notification).where(Notification.instance_id == instance_id)
        )
    )


def test_reminders_and_breach_are_sent_once(db_session):
    from workflows.runtime import get_engine

    engine = get_engine()
    engine.deploy(db_session, {"clocked.bpmn": DIAGRAM}, OWNER)
    instance = engine.start(db_session, "clocked", {}, OWNER)
    db_session.flush()
    reply = db_session.scalars(
        select(SlaClockRecord).where(
            SlaClockRecord.instance_id == instance.id, SlaClockRecord.kind == "reply"
        )
    ).one()
    started = reply.due_at - timedelta(hours=2)
    # nothing to tell before half of the two hours
    assert reply.next_check_at == started + timedelta(hours=1)
    sweep(db_session, started + timedelta(minutes=50))
    assert _sent(db_session, instance.id) == []

    sweep(db_session, started + timedelta(minutes=65))
    sweep(db_session, started + timedelta(minutes=70))  # a second pass adds nothing
    assert _sent(db_session, instance.id) == [("sla_reminder", "owner", "50")]

    sweep(db_session, started + timedelta(minutes=100))
    assert _sent(db_session, instance.id)[-1] == ("sla_reminder", "owner", "80")

    sweep(db_session, started + timedelta(minutes=125))
    sweep(db_session, started + timedelta(minutes=130))
    breaches = [s for s in _sent(db_session, instance.id) if s[0] == "sla_breached"]
    assert breaches == [
        ("sla_breached", "owner", "breach"),
        ("sla_breached", "supervisor", "breach"),
    ]
    assert reply.breached_at is not None and reply.next_check_at is None
    db_session.rollback()
