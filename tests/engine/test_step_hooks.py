"""Step hooks: what an application does when a person's step runs (e.g. writing records),
in the step's transaction, before the task runs; a refusal leaves everything as it was."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Conflict
from engine.models import HumanTask, ProcessInstance
from engine.runtime import Actor, Engine
from tests.engine.test_bundle import bpmn, deploy, flow, one, rejected

OWNER = Actor("owner", frozenset({"process_owner"}))
CLERK = Actor("clerk", frozenset({"clerk"}))


def props(**values: str) -> str:
    inner = "".join(f'<camunda:property name="{k}" value="{v}"/>' for k, v in values.items())
    return f"<bpmn:extensionElements><camunda:properties>{inner}</camunda:properties></bpmn:extensionElements>"


DIAGRAM = bpmn(
    f'<bpmn:startEvent id="opened">{props(effect="open")}</bpmn:startEvent>'
    f'<bpmn:userTask id="check" camunda:candidateGroups="clerk">{props(effect="check")}</bpmn:userTask>'
    '<bpmn:exclusiveGateway id="ok_gate"/>'
    '<bpmn:userTask id="fix" camunda:candidateGroups="clerk"/>'
    '<bpmn:endEvent id="done"/>'
    + flow("opened", "check")
    + flow("check", "ok_gate")
    + flow("ok_gate", "done", condition="verdict == 'good'")
    + flow("ok_gate", "fix", condition="verdict != 'good'")
    + flow("fix", "done"),
    pid="hooked",
    attrs='isExecutable="true" name="Hooked"',
)


@pytest.fixture
def hooked(session):
    calls = []
    engine = Engine(property_values={"effect": frozenset({"open", "check"})})

    def hook(call):
        calls.append(call)
        if call.properties.get("effect") == "open":
            call.after_save.append(lambda instance: calls.append(("saved", instance.id)))
            return {"ticket": f"T-{call.data['n']}"}
        if call.properties.get("effect") == "check":
            if call.data.get("amount", 0) < 0:
                raise Conflict("Negative amounts are refused.", "拒绝负数金额。")
            return {"verdict": "good" if call.data["amount"] < 100 else "bad"}
        return None

    engine.before_step(hook)
    engine.deploy(session, {"hooked.bpmn": DIAGRAM}, OWNER)
    return engine, calls


def open_task(session, instance_id) -> HumanTask:
    return session.scalar(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
    )


def test_the_start_hook_adds_data_and_sees_the_saved_instance(session, hooked):
    engine, calls = hooked
    instance = engine.start(session, "hooked", {"n": 7}, CLERK)
    assert instance.summary["ticket"] == "T-7"
    assert calls[0].step == "opened" and calls[0].properties == {"effect": "open"}
    assert calls[-1] == ("saved", instance.id)


def test_a_task_hook_feeds_the_gateway_after_it(session, hooked):
    engine, _ = hooked
    small = engine.start(session, "hooked", {"n": 1}, CLERK)
    engine.complete_task(session, open_task(session, small.id).id, {"amount": 5}, CLERK)
    assert small.status == "completed"
    big = engine.start(session, "hooked", {"n": 2}, CLERK)
    engine.complete_task(session, open_task(session, big.id).id, {"amount": 500}, CLERK)
    assert open_task(session, big.id).spec_name == "fix"
    # a step without an effect still reaches the hook, with no properties
    engine.complete_task(session, open_task(session, big.id).id, {}, CLERK)
    assert big.status == "completed"


def test_a_refusing_hook_changes_nothing(session, hooked):
    engine, _ = hooked
    instance = engine.start(session, "hooked", {"n": 3}, CLERK)
    session.commit()
    task_id = open_task(session, instance.id).id
    with pytest.raises(Conflict):
        engine.complete_task(session, task_id, {"amount": -1}, CLERK)
    session.rollback()
    row = session.get(HumanTask, task_id)
    assert row.status == "open"
    assert session.get(ProcessInstance, instance.id).status in ("running", "waiting")


def test_an_unknown_effect_is_refused_at_deploy():
    problems = rejected({"hooked.bpmn": DIAGRAM}, property_values={"effect": frozenset({"open"})})
    problem = one(problems, '"effect" to "check"')
    assert problem.element_id == "check" and problem.line
    assert "open" in problem.message
    # without the application's list, any value is accepted
    assert deploy({"hooked.bpmn": DIAGRAM}).processes


PRIVATE = bpmn(
    f'<bpmn:startEvent id="begin"/>'
    f'<bpmn:userTask id="vote" camunda:candidateGroups="clerk">{props(private="true")}</bpmn:userTask>'
    '<bpmn:userTask id="next" camunda:candidateGroups="clerk"/>'
    '<bpmn:endEvent id="finish"/>'
    + flow("begin", "vote")
    + flow("vote", "next")
    + flow("next", "finish"),
    pid="secret",
)


def test_a_private_step_keeps_its_answers_out_of_the_case(session):
    from engine.models import AuditEvent

    engine = Engine()
    engine.deploy(session, {"secret.bpmn": PRIVATE}, OWNER)
    instance = engine.start(session, "secret", {"topic": "budget"}, CLERK)
    engine.complete_task(session, open_task(session, instance.id).id, {"score": 91}, CLERK)
    assert "score" not in instance.summary and instance.summary["topic"] == "budget"
    completed = session.scalar(
        select(AuditEvent).where(
            AuditEvent.instance_id == instance.id, AuditEvent.kind == "complete"
        )
    )
    assert completed.payload["data"] == {} and completed.payload["task"] == "vote"
    # the next person's form does not start from the private answers either
    assert open_task(session, instance.id).spec_name == "next"
