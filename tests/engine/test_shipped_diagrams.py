"""Every shipped process driven to each of its end events through the engine service layer.

Each task completion loads the instance from the database and saves it again, so the
instance is serialized and restored after every step. Timers are fired the way the timer
job does it (`Engine.fire_timers`) once the clock has been moved past their due time
(time-machine), so the waits are the diagram's own: the table's P3D before a follow-up visit,
`sla_due(...)` for a late first reply. The record effects do not run here: a stand-in returns
what each would (tests/engine/test_repair_diagrams.py), so a repair runs through process 2 as
it does in production. Process 2 on its own is driven there.
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
from tests.engine.test_repair_diagrams import Records
from tests.sample_data import fill, request_data

STARTER = Actor("cs1", frozenset({"customer_service"}))
FOLLOW_UP_AFTER = timedelta(days=3)  # the P3D of diagrams/sla_targets.dmn

# path name -> (category, answers by task spec: list of overrides used in turn, expected end)
PATHS = {
    "technical support": ("installation", {}, "service_completed"),
    "repair fixed first time": ("repair", {}, "repair_closed"),
    "repair: supervisor's plan, test failed once, not accepted once": (
        "repair",
        {
            "diagnose_fault": [{"repair_plan": "unresolvable"}],
            "repair_unit": [{"resolution": "replaced_part"}],
            "test_unit": [{"test_passed": "no"}, {"test_passed": "yes"}],
            "customer_acceptance": [{"accept_appearance": "no"}, {"accept_appearance": "yes"}],
            "record_failure": [{"defective_parts": "no"}],
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


@pytest.fixture
def records() -> Records:
    return Records()


@pytest.fixture
def sla_engine(records) -> Engine:
    """An engine whose diagrams can call sla_due, as the app's engine can, and whose record
    effects are stood in for."""
    evaluator = Evaluator()
    evaluator.register("sla_due", sla_due)
    engine = Engine(evaluator)
    engine.before_step(records)
    return engine


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
    assert not [s for s in seen if s.startswith("handle_overdue")]  # every reply was in time
    follow_up = next(s for s in seen if s.startswith("follow_up_"))
    assert seen[seen.index(follow_up) - 1] == "timer"  # the visit waited for its date
    events = history(session, instance.id)
    ends = [e.payload["task"] for e in events if e.payload.get("kind") == "EndEvent"]
    assert end in ends
    steps = [e.payload["task"] for e in events if e.payload.get("kind") == "BusinessRuleTask"]
    assert steps[:2] == ["route_request", "determine_sla_targets"]
    assert "determine_repair_sla" not in steps  # a called repair runs on the case's clocks
    for spec, overrides in answers.items():  # every planned answer was used
        assert seen.count(spec) >= len(overrides), (spec, seen)


def test_a_repair_runs_in_process_2_with_the_case_data_in_and_out(
    session, sla_engine, records, deployed
):
    """The repair route calls repair_replacement: its tasks go to their roles with the case's
    data, the case's clocks run on (no second deadline table), and what the repair recorded
    comes back to the case for the follow-up visit."""
    instance = sla_engine.start(
        session, "customer_request", {**request_data("repair"), "initiator": "cs1"}, STARTER
    )
    session.commit()
    assert records.calls == [("request_received", "case.open")]
    roles = {}
    for _ in range(20):
        tasks = _open_tasks(session, instance.id)
        if not tasks:
            break
        [task] = tasks
        roles[task.spec_name] = (task.role, task.form_key)
        sla_engine.complete_task(session, task.id, fill(task.form_key), _actor_for(task))
        session.commit()
    assert roles == {
        "register_repair": ("customer_service", "register_repair"),
        "diagnose_fault": ("repair_tech", "diagnose_fault"),
        "repair_unit": ("repair_tech", "repair_unit"),
        "test_unit": ("repair_tech", "test_unit"),
        "return_unit": ("repair_tech", "return_unit"),
        "customer_acceptance": ("customer_service", "customer_acceptance"),
        "record_failure": ("repair_tech", "record_failure"),
        "send_parts_upstream": ("warehouse", "send_parts_upstream"),
    }
    # the register step saw the case the start opened
    assert records.seen["register_repair"]["service_case_id"] == 7
    assert records.seen["register_repair"]["sla_calendar"] == "standard"

    _fire_when_due(session, sla_engine, instance.id)  # the follow-up visit's date
    [task] = _open_tasks(session, instance.id)
    assert task.spec_name == "follow_up_repair"
    sla_engine.complete_task(session, task.id, fill(task.form_key), _actor_for(task))
    session.commit()
    after = records.seen["follow_up_repair"]
    assert (after["repair_order_id"], after["failure_record_id"]) == (11, 5)
    assert after["accepted"] is True
    session.expire_all()
    assert session.get(ProcessInstance, instance.id).status == "completed"
    events = history(session, instance.id)
    assert "repair_case" in [
        e.payload["task"] for e in events if e.payload.get("kind") == "CallActivity"
    ]
    rules = [e.payload["task"] for e in events if e.payload.get("kind") == "BusinessRuleTask"]
    assert rules == ["route_request", "determine_sla_targets", "decide_warranty"]


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
    assert task.spec_name == "register_repair"  # the first step of process 2
    # premium: a reply within 30 minutes, round the clock
    assert instance.summary.get("contract_tier") == "premium"
    session.expire_all()
    due = session.get(ProcessInstance, instance.id).next_timer_at
    assert timedelta(minutes=29) < due - datetime.now(UTC) <= timedelta(minutes=30)

    assert _fire_when_due(session, sla_engine, instance.id) == due
    open_now = _open_tasks(session, instance.id)
    assert {(t.spec_name, t.role) for t in open_now} == {
        ("register_repair", "customer_service"),  # customer service keeps the task
        ("handle_overdue_repair_reply", "supervisor"),
    }
    escalation = next(t for t in open_now if t.spec_name == "handle_overdue_repair_reply")
    sla_engine.complete_task(
        session,
        escalation.id,
        fill("handle_escalation"),
        Actor("supervisor1", frozenset({"supervisor"})),
    )
    session.commit()
    assert [t.spec_name for t in _open_tasks(session, instance.id)] == ["register_repair"]
    ends = [
        e.payload["task"]
        for e in history(session, instance.id)
        if e.payload.get("kind") == "EndEvent"
    ]
    assert ends == ["repair_escalation_handled"]
