"""Service clocks follow what the diagram says its steps mean, in business time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.evaluator import ExpressionError
from engine.models import HumanTask, utcnow
from engine.runtime import Actor
from workflows.sla.calendars import parse_duration, sla_due
from workflows.sla.models import SlaClockRecord
from workflows.sla.service import clock_of

OWNER = Actor("owner", frozenset({"process_owner"}))

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="sla" targetNamespace="x">
  <bpmn:process id="clocked" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="targets"/>
    <bpmn:scriptTask id="targets" name="Targets" scriptFormat="python">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="sla_start" value="reply,resolve"/>
      </camunda:properties></bpmn:extensionElements>
      <bpmn:script>reply_within = "PT2H"
resolve_within = "PT16H"
sla_calendar = "24x7"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="targets" targetRef="answer"/>
    <bpmn:userTask id="answer" name="Answer">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="sla_stop" value="reply"/>
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="answer" targetRef="quote"/>
    <bpmn:userTask id="quote" name="Send the quote">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="sla_pause" value="resolve"/>
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="quote" targetRef="accepted"/>
    <bpmn:userTask id="accepted" name="Quote accepted">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="sla_resume" value="resolve"/>
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f5" sourceRef="accepted" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def _clocks(session, instance_id):
    session.expire_all()
    return {
        r.kind: r
        for r in session.scalars(
            select(SlaClockRecord).where(SlaClockRecord.instance_id == instance_id)
        )
    }


def _complete_open(session, engine, instance_id):
    task = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
    ).one()
    engine.complete_task(session, task.id, {}, OWNER)
    session.commit()
    return task.spec_name


def test_clocks_start_stop_pause_and_resume_as_drawn(db_session):
    from workflows.runtime import get_engine

    engine = get_engine()
    engine.deploy(db_session, {"clocked.bpmn": DIAGRAM}, OWNER)
    instance = engine.start(db_session, "clocked", {}, OWNER)
    db_session.commit()

    clocks = _clocks(db_session, instance.id)
    assert set(clocks) == {"reply", "resolve"}
    reply = clock_of(clocks["reply"])
    assert reply.calendar.always_open and reply.target == timedelta(hours=2)
    assert clocks["reply"].due_at == reply.started_at + timedelta(hours=2)

    assert _complete_open(db_session, engine, instance.id) == "answer"
    clocks = _clocks(db_session, instance.id)
    assert clocks["reply"].stopped_at is not None and clocks["reply"].due_at is None
    assert clocks["resolve"].due_at is not None

    assert _complete_open(db_session, engine, instance.id) == "quote"
    clocks = _clocks(db_session, instance.id)
    assert clock_of(clocks["resolve"]).is_paused and clocks["resolve"].due_at is None

    assert _complete_open(db_session, engine, instance.id) == "accepted"
    clocks = _clocks(db_session, instance.id)
    resolve = clock_of(clocks["resolve"])
    # the case ended right after the resume: every clock stops, the pause was not charged
    assert resolve.is_stopped and not resolve.is_paused
    assert len(resolve.pauses) == 1 and resolve.pauses[0].resumed_at is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT2H", timedelta(hours=2)),
        ("PT30M", timedelta(minutes=30)),
        ("P3D", timedelta(days=3)),
        ("PT1H30M", timedelta(hours=1, minutes=30)),
        ("P1W", timedelta(weeks=1)),
    ],
)
def test_iso_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["2h", "P", "PT", "P1Y", ""])
def test_bad_durations_are_refused_with_a_sentence(text):
    with pytest.raises(ExpressionError, match="ISO 8601"):
        parse_duration(text)


def test_sla_due_on_the_premium_calendar_is_wall_clock_time():
    due = datetime.fromisoformat(sla_due("PT30M", "24x7"))
    assert timedelta(minutes=29) < due - utcnow() <= timedelta(minutes=30)
