"""Every shipped process driven to each of its end events through the engine service layer.

Each task completion loads the instance from the database and saves it again, so the
instance is serialized and restored after every step. Timers are fired the way the timer
job does it (`Engine.fire_timers`) once the clock has been moved past their due time
(time-machine), so the waits are the diagram's own: the table's P3D before a follow-up visit,
`sla_due(...)` for a late first reply.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import select

from engine.audit import history
from engine.evaluator import Evaluator
from engine.models import HumanTask, ProcessInstance
from engine.runtime import Actor, Engine
from tests.sample_data import fill, request_data

STARTER = Actor("cs1", frozenset({"customer_service"}))
FOLLOW_UP_AFTER = timedelta(days=3)  # the P3D of diagrams/sla_targets.dmn

# path name -> (category, answers by task spec: list of overrides used in turn, expected end)
PATHS = {
    "technical support": ("installation", {}, "service_completed"),
    "repair fixed first time": ("repair", {}, "repair_closed"),
    "repair escalated to the supervisor twice": (
        "repair",
        {
            "diagnose_and_repair": [{"fault_fixed": "no"}],
            "repair_per_plan": [{"fault_fixed": "no"}, {"fault_fixed": "yes"}],
        },
        "repair_closed",
    ),
    "quality complaint": ("quality_complaint", {}, "complaint_closed"),
    "major complaint, plan returned once, customer not satisfied once": (
        "quality_complaint",
        {
            "define_problem_type": [{"severity": "major"}],
            "approve_plan": [{"plan_decision": "return"}, {"plan_decision": "approve"}],
            "confirm_effect": [{"effect_confirmed": "no"}, {"effect_confirmed": "yes"}],
        },
        "complaint_closed",
    ),
}


def sla_due(within: str, calendar: str) -> str:
    """Stands in for the app's business-time function: `within` counted as wall-clock time."""
    assert calendar in ("standard", "24x7"), calendar
    span = TimerEventDefinition.get_timedelta_from_start(
        TimerEventDefinition.parse_iso_duration(within)
    )
    return (datetime.now(UTC) + span).isoformat()


@pytest.fixture(scope="module")
def sla_engine() -> Engine:
    """An engine whose diagrams can call sla_due, as the app's engine can."""
    evaluator = Evaluator()
    evaluator.register("sla_due", sla_due)
    return Engine(evaluator)


def _actor_for(task: HumanTask) -> Actor:
    if task.assignee:
        return Actor(task.assignee, frozenset())
    return Actor(f"someone-{task.role}", frozenset(task.roles))


def _open_tasks(session, instance_id: int) -> list[HumanTask]:
    return session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
        .order_by(HumanTask.spec_name)
    ).all()


def _fire_when_due(session, engine: Engine, instance_id: int) -> datetime | None:
    """Move the clock past the instance's next timer and run the timer job; its due time."""
    session.expire_all()
    due = session.get(ProcessInstance, instance_id).next_timer_at
    if due is None:
        return None
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        engine.fire_timers(session, instance_id)
        session.commit()
    return due


def _drive(session, engine, category, answers, max_steps=60):
    started = datetime.now(UTC)
    instance = engine.start(
        session, "customer_request", {**request_data(category), "initiator": "cs1"}, STARTER
    )
    session.commit()
    seen: list[str] = []
    used: dict[str, int] = {}
    for _ in range(max_steps):
        tasks = _open_tasks(session, instance.id)
        if not tasks:
            due = _fire_when_due(session, engine, instance.id)
            if due is None:
                break
            # only the follow-up visit waits with nothing open, 3 days after closure
            assert due - started > FOLLOW_UP_AFTER - timedelta(minutes=1)
            seen.append("timer")
            continue
        task = tasks[0]
        turn = used.get(task.spec_name, 0)
        used[task.spec_name] = turn + 1
        overrides = answers.get(task.spec_name, [])
        data = fill(
            task.form_key,
            **(overrides[turn] if turn < len(overrides) else overrides[-1] if overrides else {}),
        )
        engine.complete_task(session, task.id, data, _actor_for(task))
        session.commit()
        seen.append(task.spec_name)
    session.expire_all()
    return session.get(ProcessInstance, instance.id), seen


@pytest.mark.parametrize("path", PATHS)
def test_every_path_reaches_its_end(session, sla_engine, deployed, path):
    category, answers, end = PATHS[path]
    instance, seen = _drive(session, sla_engine, category, answers)
    assert instance.status == "completed", (instance.status, seen)
    assert "handle_overdue_reply" not in seen  # every reply was in time
    follow_up = next(s for s in seen if s.startswith("follow_up_"))
    assert seen[seen.index(follow_up) - 1] == "timer"  # the visit waited for its date
    events = history(session, instance.id)
    ends = [e.payload["task"] for e in events if e.payload.get("kind") == "EndEvent"]
    assert end in ends
    steps = [e.payload["task"] for e in events if e.payload.get("kind") == "BusinessRuleTask"]
    assert steps[:2] == ["route_request", "determine_sla_targets"]
    for spec, overrides in answers.items():  # every planned answer was used
        assert seen.count(spec) >= len(overrides), (spec, seen)


def test_the_repair_loop_does_not_arm_the_reply_timer_again(session, sla_engine, deployed):
    """After the supervisor's plan the technician repairs per the plan: the first response
    (and its reply timer) is not entered again, so a long second round is not "overdue"."""
    instance = sla_engine.start(
        session, "customer_request", {**request_data("repair"), "initiator": "cs1"}, STARTER
    )
    session.commit()
    session.expire_all()
    assert session.get(ProcessInstance, instance.id).next_timer_at is not None  # reply timer
    for spec, answers in (
        ("diagnose_and_repair", {"fault_fixed": "no"}),
        ("decide_repair_plan", {}),
    ):
        [task] = _open_tasks(session, instance.id)
        assert task.spec_name == spec
        sla_engine.complete_task(session, task.id, fill(task.form_key, **answers), _actor_for(task))
        session.commit()

    [task] = _open_tasks(session, instance.id)
    assert (task.spec_name, task.role, task.form_key) == (
        "repair_per_plan",
        "repair_tech",
        "repair_per_plan",
    )
    session.expire_all()
    assert session.get(ProcessInstance, instance.id).next_timer_at is None  # nothing armed
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3), tick=False):
        sla_engine.fire_timers(session, instance.id)  # a round longer than the reply's PT2H
        session.commit()
    assert [t.spec_name for t in _open_tasks(session, instance.id)] == ["repair_per_plan"]


def test_quality_complaint_runs_root_cause_in_parallel(session, sla_engine, deployed):
    instance = sla_engine.start(
        session, "customer_request", {**request_data(), "initiator": "cs1"}, STARTER
    )
    session.commit()
    quality = Actor("quality1", frozenset({"quality"}))
    for spec in ("verify_defect", "define_problem_type"):
        [task] = _open_tasks(session, instance.id)
        assert task.spec_name == spec and task.role == "quality"
        sla_engine.complete_task(session, task.id, fill(task.form_key, severity="minor"), quality)
        session.commit()
    open_now = _open_tasks(session, instance.id)
    assert {(t.spec_name, t.role) for t in open_now} == {
        ("root_cause_rd", "rd"),
        ("root_cause_production", "production"),
        ("root_cause_qa", "qa"),
        ("root_cause_tech", "tech_support"),
    }


def test_a_late_reply_is_escalated_to_the_supervisor_by_the_timer_job(
    session, sla_engine, deployed
):
    instance = sla_engine.start(
        session,
        "customer_request",
        {**request_data("repair", priority="urgent", contract_tier="premium"), "initiator": "cs1"},
        STARTER,
    )
    session.commit()
    [task] = _open_tasks(session, instance.id)
    assert task.spec_name == "diagnose_and_repair"
    # premium: a reply within 30 minutes, round the clock
    assert instance.summary.get("contract_tier") == "premium"
    session.expire_all()
    due = session.get(ProcessInstance, instance.id).next_timer_at
    assert timedelta(minutes=29) < due - datetime.now(UTC) <= timedelta(minutes=30)

    assert _fire_when_due(session, sla_engine, instance.id) == due
    open_now = _open_tasks(session, instance.id)
    assert {(t.spec_name, t.role) for t in open_now} == {
        ("diagnose_and_repair", "repair_tech"),  # the technician keeps the task
        ("handle_overdue_reply", "supervisor"),
    }
    escalation = next(t for t in open_now if t.spec_name == "handle_overdue_reply")
    sla_engine.complete_task(
        session,
        escalation.id,
        fill("handle_escalation"),
        Actor("supervisor1", frozenset({"supervisor"})),
    )
    session.commit()
    assert [t.spec_name for t in _open_tasks(session, instance.id)] == ["diagnose_and_repair"]
    ends = [
        e.payload["task"]
        for e in history(session, instance.id)
        if e.payload.get("kind") == "EndEvent"
    ]
    assert ends == ["escalation_handled"]
