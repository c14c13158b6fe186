"""Every shipped process driven to each of its end events through the engine service layer.

Each task completion loads the instance from the database and saves it again, so the
instance is serialized and restored after every step.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.audit import history
from engine.models import HumanTask, ProcessInstance
from engine.runtime import Actor
from tests.sample_data import fill, request_data

STARTER = Actor("cs1", frozenset({"customer_service"}))

# path name -> (category, answers by task spec: list of overrides used in turn, expected end)
PATHS = {
    "technical support": ("installation", {}, "service_completed"),
    "repair fixed first time": ("repair", {}, "repair_closed"),
    "repair escalated to the supervisor": (
        "repair",
        {"diagnose_and_repair": [{"fault_fixed": "no"}, {"fault_fixed": "yes"}]},
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


def _actor_for(task: HumanTask) -> Actor:
    if task.assignee:
        return Actor(task.assignee, frozenset())
    return Actor(f"someone-{task.role}", frozenset(task.roles))


def _drive(session, engine, category, answers, max_steps=60):
    instance = engine.start(
        session, "customer_request", {**request_data(category), "initiator": "cs1"}, STARTER
    )
    session.commit()
    seen: list[str] = []
    used: dict[str, int] = {}
    for _ in range(max_steps):
        tasks = session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.status == "open"
            )
        ).all()
        if not tasks:
            break
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
def test_every_path_reaches_its_end(session, bpmn_engine, deployed, path):
    category, answers, end = PATHS[path]
    instance, seen = _drive(session, bpmn_engine, category, answers)
    assert instance.status == "completed", (instance.status, seen)
    ends = [
        e.payload["task"]
        for e in history(session, instance.id)
        if e.payload.get("kind") == "EndEvent"
    ]
    assert end in ends


def test_quality_complaint_runs_root_cause_in_parallel(session, bpmn_engine, deployed):
    instance = bpmn_engine.start(
        session, "customer_request", {**request_data(), "initiator": "cs1"}, STARTER
    )
    session.commit()
    quality = Actor("quality1", frozenset({"quality"}))
    for spec in ("verify_defect", "define_problem_type"):
        task = session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.status == "open"
            )
        ).one()
        assert task.spec_name == spec and task.role == "quality"
        bpmn_engine.complete_task(session, task.id, fill(task.form_key, severity="minor"), quality)
        session.commit()
    open_now = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.status == "open")
    ).all()
    assert {(t.spec_name, t.role) for t in open_now} == {
        ("root_cause_rd", "rd"),
        ("root_cause_production", "production"),
        ("root_cause_qa", "qa"),
        ("root_cause_tech", "tech_support"),
    }
