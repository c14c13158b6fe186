"""Third-party BPMN diagrams (shared/conformance): each is either deployed and run, or
rejected with a plain sentence that names a real element and its line.

One row per file records the product decision and why. Accepted diagrams are started and
driven like a person would (completing every ready user/manual task), saving and restoring
the instance after every step, until they complete or wait only for a timer or a message.

Product decisions recorded here, beyond single diagrams:
- isExecutable="false": a file whose processes are all unmarked is deployed (bpmn-js and most
  modelers leave the flag off, so uploading is the owner's intent); in a file with executable
  processes the unmarked ones are partner pools and are skipped, as Camunda 7 does.
- Service tasks, Camunda listeners, connectors, external tasks, Java expressions and Camunda 8
  (Zeebe) jobs are refused, never run as no-ops: a deployed process must not do less than its
  diagram says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.bundle import DeployRejected, parse_bundle
from engine.evaluator import Evaluator
from engine.script_engine import make_script_engine

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"
MAX_STEPS = 200
_PYTHON_TEXT = re.compile(
    r"Traceback|0x[0-9a-fA-F]{4,}|\b\w+(Error|Exception):|<Element |<\?xml|\{http"
)


@dataclass(frozen=True)
class Row:
    path: str  # under shared/conformance
    decision: str  # "accept" or "reject"
    reason: str
    expect: str = ""  # reject: a fragment of one problem's message
    runs: dict[str, str] = field(default_factory=dict)  # accept: process key -> how far it runs
    data: dict = field(default_factory=dict)  # accept: what a person enters in each task


ROWS = [
    Row(
        "examples/bpmnio-examples__kitchen-sink.bpmn",
        "reject",
        "a showcase of every BPMN symbol: complex gateway, compensation, empty timers, "
        "conditions and messages, service/script/business rule tasks without implementation",
        expect="does not support complex gateways",
    ),
    Row(
        "examples/bpmnio-examples__pizza-collaboration.bpmn",
        "reject",
        "both pools are deployed (neither is marked executable), but their messages have no "
        "names, so no message could ever be delivered, and the 60-minute timer has no value",
        expect="does not refer to a named message",
    ),
    Row(
        "examples/bpmnio-token-sim__boundary-events.bpmn",
        "reject",
        "token-simulation fixture: boundary events without trigger, timers without value, "
        "conditional events without condition",
        expect="has no trigger",
    ),
    Row(
        "examples/bpmnio-token-sim__example.bpmn",
        "reject",
        "token-simulation fixture: empty timers, unnamed messages, empty conditions",
        expect="does not say when it fires",
    ),
    Row(
        "examples/bpmnio-token-sim__simple.bpmn",
        "reject",
        "gateway flows without conditions (a simulation picks by hand; an engine cannot) and "
        "a timer without value",
        expect="without a condition and is not the gateway's default",
    ),
    Row(
        "examples/camunda-platform__invoice.v2.bpmn",
        "reject",
        "needs Camunda's Java beans: embedded HTML forms, task listeners in JavaScript, a Java "
        "service task, a DMN file and a called process that are not in the upload",
        expect="Aftersales forms are form-js JSON files",
    ),
    Row(
        "examples/camunda__camunda-testing-job-announcement.bpmn",
        "reject",
        "service task and assignees are Java bean calls; the called process is not uploaded",
        expect="which is not in this upload",
    ),
    Row(
        "examples/camunda__invoiceApproval.bpmn",
        "reject",
        "runnable, but its Camunda Forms (camunda-forms:app:...) are not part of the upload",
        expect='uses the form "camunda-forms:app:task-form.form"',
    ),
    Row(
        "examples/camunda__invokeRestService.bpmn",
        "reject",
        "the holiday check is an HTTP connector with a JavaScript output script",
        expect='uses the connector "http-connector"',
    ),
    Row(
        "examples/camunda__loan-granting.bpmn",
        "reject",
        "external-task workers do every step; the start timer is a cron expression",
        expect="is handed to an external worker",
    ),
    Row(
        "examples/camunda__order-handling.bpmn",
        "reject",
        "external-task workers and a cron start timer",
        expect="uses the cron expression",
    ),
    Row(
        "examples/camunda__parse-bpmn__process.bpmn",
        "reject",
        "a Groovy script, a Java expression service task, generated form fields and an "
        "execution listener",
        expect="is written in groovy",
    ),
    Row(
        "examples/camunda__react-example.bpmn",
        "reject",
        "embedded HTML forms (embedded:app:...) that are not part of the upload",
        expect="Aftersales forms are form-js JSON files",
    ),
    Row(
        "examples/camunda__task-form-embedded-json-variables__process.bpmn",
        "reject",
        "conditions call Java methods on a JSON object; embedded forms; a Java delegate",
        expect="The engine cannot call 'customer.prop(...)'",
    ),
    Row(
        "miwg-reference/A.1.0.bpmn",
        "accept",
        "start, three tasks, end: runs once the unset Executable flag is read as intent",
        runs={"WFP-6-": "completes"},
    ),
    Row(
        "miwg-reference/A.2.0.bpmn",
        "reject",
        "the exclusive gateway's flows have no conditions and none is the default",
        expect="without a condition and is not the gateway's default flow",
    ),
    Row(
        "miwg-reference/A.2.1.bpmn",
        "reject",
        "two flows of the split gateway have no condition and are not the default",
        expect="without a condition and is not the gateway's default flow",
    ),
    Row(
        "miwg-reference/A.3.0.bpmn",
        "reject",
        "a collapsed sub-process with no start or end event, and an unnamed message",
        expect="needs exactly one (plain) start event",
    ),
    Row(
        "miwg-reference/A.4.0.bpmn",
        "accept",
        "two pools with plain tasks and an embedded sub-process; the implicit split after a "
        "task becomes a parallel gateway",
        runs={"WFP-6-1": "completes", "WFP-6-2": "completes"},
    ),
    Row(
        "miwg-reference/A.4.1.bpmn",
        "accept",
        "the same as A.4.0 drawn by another tool",
        runs={
            "sid-34746A54-1D7D-46CA-B219-0C4CEAE51170": "completes",
            "sid-54D696FD-DEDC-45F3-99DB-1404DA433FC4": "completes",
        },
    ),
    Row(
        "miwg-reference/B.1.0.bpmn",
        "reject",
        "descriptive model: timer without value, service tasks without implementation, "
        "unnamed messages, a call to a global task",
        expect="does not say when it fires",
    ),
    Row(
        "miwg-reference/B.2.0.bpmn",
        "reject",
        "descriptive model of every element: empty conditions, multi-instance without "
        "collection, unnamed messages, service tasks without implementation",
        expect="repeats for several items but does not say for which",
    ),
    Row(
        "miwg-reference/C.1.0.bpmn",
        "reject",
        "the executable invoice pool archives with a service task that has no implementation",
        expect='The service task "Archive Invoice" has no implementation',
    ),
    Row(
        "miwg-reference/C.1.1.bpmn",
        "reject",
        "conditions are XPath (bpmn:getDataObject) and archiving is an unimplemented service task",
        expect="bpmn:getDataObject('approved')",
    ),
    Row(
        "miwg-reference/C.2.0.bpmn",
        "reject",
        "unnamed messages and gateway flows without conditions",
        expect="does not refer to a named message",
    ),
    Row(
        "miwg-reference/C.3.0.bpmn",
        "reject",
        "gateway flows are labelled but have no conditions",
        expect="without a condition",
    ),
    Row(
        "miwg-reference/C.4.0.bpmn",
        "reject",
        "gateway flows without conditions, unnamed messages, an unimplemented service task",
        expect="without a condition",
    ),
    Row(
        "miwg-reference/C.5.0.bpmn",
        "reject",
        "gateway flows without conditions",
        expect="without a condition",
    ),
    Row(
        "miwg-reference/C.6.0.bpmn",
        "reject",
        "travel booking with compensation, unnamed messages and unimplemented service tasks",
        expect="uses compensation",
    ),
    Row(
        "miwg-reference/C.7.0.bpmn",
        "reject",
        "a business rule task without a decision, unimplemented service tasks, gateway flows "
        "without conditions",
        expect="does not say which decision to evaluate",
    ),
    Row(
        "miwg-reference/C.8.0.bpmn",
        "reject",
        "Camunda 8 jobs (zeebe:taskDefinition) and conditions that are prose",
        expect="is a Camunda 8 job",
    ),
    Row(
        "miwg-reference/C.8.1.bpmn",
        "reject",
        "Camunda 8 jobs (zeebe:taskDefinition) for every automatic step",
        expect="is a Camunda 8 job",
    ),
    Row(
        "miwg-reference/C.9.0.bpmn",
        "reject",
        "Camunda 8 diagram: FEEL conditions and Zeebe jobs",
        expect="is written in FEEL",
    ),
    Row(
        "miwg-reference/C.9.1.bpmn",
        "reject",
        "both send tasks are external-task workers (and Zeebe jobs)",
        expect="is handed to an external worker",
    ),
    Row(
        "miwg-reference/C.9.2.bpmn",
        "reject",
        "Camunda 8 diagram: Zeebe forms, mappings and multi-instance; calls C.9.1, which is "
        "not uploaded with it",
        expect="uses Camunda 8 (Zeebe) settings",
    ),
]


def test_every_conformance_file_has_one_row():
    assert CONFORMANCE.is_dir(), f"shared/conformance not found at {CONFORMANCE}"
    on_disk = sorted(str(p.relative_to(CONFORMANCE)) for p in CONFORMANCE.glob("*/*.bpmn"))
    assert sorted(row.path for row in ROWS) == on_disk


@pytest.mark.parametrize("row", ROWS, ids=[row.path.split("/")[-1] for row in ROWS])
def test_conformance(row: Row):
    path = CONFORMANCE / row.path
    files = {path.name: path.read_bytes()}
    if row.decision == "reject":
        with pytest.raises(DeployRejected) as rejected:
            parse_bundle(files, evaluator=Evaluator())
        _assert_plain(rejected.value.problems, path.read_bytes())
        assert any(row.expect in p.message for p in rejected.value.problems), [
            p.message for p in rejected.value.problems
        ]
        return
    bundle = parse_bundle(files, evaluator=Evaluator())
    assert {p.key for p in bundle.processes} == set(row.runs)
    for process in bundle.processes:
        assert _run(process, row.data) == row.runs[process.key], process.key


def _assert_plain(problems, source: bytes) -> None:
    elements = list(etree.fromstring(source).iter())
    ids = {el.get("id") for el in elements if el.get("id")}
    names = {" ".join(el.get("name").split()) for el in elements if el.get("name")}
    for problem in problems:
        assert problem.line is not None and problem.line >= 1, problem
        for text in (problem.message, problem.message_zh):
            assert not _PYTHON_TEXT.search(text), text
        assert any(f'"{x}"' in problem.message for x in ids | names if x), problem.message
        if problem.element_id is not None:
            assert problem.element_id in ids, problem


def _run(process, data: dict) -> str:
    """Drive one instance like a person would; say how far it gets."""
    engine = make_script_engine(Evaluator())
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=engine)
    workflow.do_engine_steps()
    for _ in range(MAX_STEPS):
        workflow = serializer.deserialize_json(serializer.serialize_json(workflow))
        workflow.script_engine = engine
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        assert ready[0].task_spec.name in process.tasks
        ready[0].data.update(data)
        ready[0].run()
        workflow.do_engine_steps()
    if workflow.completed:
        return "completes"
    kinds = sorted({_kind(event.event_type) for event in workflow.waiting_events()})
    return "waits for " + " and ".join(kinds) if kinds else "stuck"


def _kind(event_type: str) -> str:
    for word, kind in (
        ("Time", "timer"),
        ("Message", "message"),
        ("Signal", "signal"),
        ("Conditional", "condition"),
    ):
        if word in event_type:
            return kind
    return event_type
