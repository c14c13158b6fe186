"""Process 1, customer request intake and complaint-to-resolution, driven on raw SpiffWorkflow.

Every path is run to its end event, and the instance is saved and restored (JSON) after
every step, as the engine does between requests. At each step the test checks which user
tasks are ready and which role (candidateGroups, read from the file as the engine reads it)
may act on them, so the routing is proven, not assumed. The spec is the one the engine
deploys (engine.bundle, which also reads the repair route's process 2, called from here).
The record effects do not run here: a stand-in merges what each would return
(tests/engine/test_repair_diagrams.py), as the engine merges an effect's answer.

Time: the app registers `sla_due(within, calendar)` with the evaluator (business time on a
calendar); here a stand-in counts `within` as wall-clock time from now, or returns an
instant already past to make a reply overdue. Timers are made due by moving the clock
(time-machine) and then `refresh_timers()` + `do_engine_steps()`, as the engine's timer job
does, so the follow-up visit is proven to wait the table's P3D.
"""

from __future__ import annotations

import ast
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.bundle import parse_bundle
from engine.evaluator import Evaluator
from engine.script_engine import make_script_engine
from tests.engine.conftest import shipped_files
from tests.engine.test_repair_diagrams import Records

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = ROOT / "diagrams"
FORMS = ROOT / "forms"
BPMN_FILE = DIAGRAMS / "customer_request.bpmn"
DMN_FILE = DIAGRAMS / "route_request.dmn"
SLA_FILE = DIAGRAMS / "sla_targets.dmn"
REPAIR_FILE = DIAGRAMS / "repair_replacement.bpmn"  # process 2, which the repair route calls
PROCESS = "customer_request"

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
CAMUNDA = f"{{{NS['camunda']}}}"
ROLES = {
    "customer_service",
    "tech_support",
    "repair_tech",
    "quality",
    "rd",
    "production",
    "qa",
    "supervisor",
}
END_EVENTS = {"service_completed", "repair_closed", "complaint_closed", "escalation_handled"}
FIRST_RESPONSES = ("plan_service_visit", "verify_defect")  # a repair's is in process 2
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FOLLOW_UP_AFTER = timedelta(days=3)  # the P3D of diagrams/sla_targets.dmn

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))


# --- sla_due: the app's function, stood in for -----------------------------------------------

sla_due_calls: list[tuple[str, str]] = []


def sla_due_stand_in(late: bool = False):
    """`sla_due(within, calendar)` counting business time as wall-clock time (or already past)."""

    def sla_due(within: str, calendar: str) -> str:
        assert calendar in ("standard", "24x7"), calendar
        span = TimerEventDefinition.get_timedelta_from_start(
            TimerEventDefinition.parse_iso_duration(within)
        )
        sla_due_calls.append((within, calendar))
        now = datetime.now(UTC)
        return (now - timedelta(minutes=1) if late else now + span).isoformat()

    return sla_due


def _script_engine(late: bool = False) -> PythonScriptEngine:
    # every expression runs through the engine's restricted evaluator, as in production
    evaluator = Evaluator()
    evaluator.register("sla_due", sla_due_stand_in(late))
    return make_script_engine(evaluator)


ON_TIME = _script_engine()
REPLY_ALREADY_LATE = _script_engine(late=True)


# --- what the file says, read as the engine reads it ---------------------------------------


def _tree(path: Path) -> etree._ElementTree:
    return etree.parse(str(path))


def _name_en(element: etree._Element) -> str | None:
    found = element.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property[@name='name_en']/@value",
        namespaces=NS,
    )
    return found[0] if found else None


def _properties(element: etree._Element) -> dict[str, str]:
    """The element's <camunda:property> values but name_en, as the engine hands them to the app."""
    found = element.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS
    )
    return {p.get("name"): p.get("value") for p in found if p.get("name") != "name_en"}


def _user_tasks(path: Path = BPMN_FILE) -> dict[str, dict]:
    tasks = {}
    for node in _tree(path).xpath("//bpmn:userTask", namespaces=NS):
        groups = node.get(f"{CAMUNDA}candidateGroups") or ""
        tasks[node.get("id")] = {
            "name": node.get("name"),
            "name_en": _name_en(node),
            "groups": [g.strip() for g in groups.split(",") if g.strip()],
            "assignee": node.get(f"{CAMUNDA}assignee"),
            "form": node.get(f"{CAMUNDA}formKey"),
        }
    return tasks


USER_TASKS = _user_tasks()
# the user tasks a case may reach: its own and those of the repair process it calls
CASE_TASKS = {**USER_TASKS, **_user_tasks(REPAIR_FILE)}
# element id -> its properties, for every element (the engine hands them to the app's listener;
# SpiffWorkflow's CamundaParser reads them for tasks only, not for events)
PROPERTIES = {
    el.get("id"): found
    for el in _tree(BPMN_FILE).xpath("//bpmn:process/*[@id]", namespaces=NS)
    if (found := _properties(el))
}
# ... and of every step a case may pass, those of the called repair process included
STEP_PROPERTIES = {
    **{
        el.get("id"): found
        for el in _tree(REPAIR_FILE).xpath("//bpmn:process//*[@id]", namespaces=NS)
        if (found := _properties(el))
    },
    **PROPERTIES,
}


def _form(key: str) -> dict:
    return json.loads((FORMS / f"{key}.form").read_text(encoding="utf-8"))


def _components(components: list) -> list[dict]:
    """All components of a form, those inside groups included."""
    found = []
    for component in components:
        found.append(component)
        found.extend(_components(component.get("components", [])))
    return found


def _form_keys(key: str) -> set[str]:
    return {c["key"] for c in _components(_form(key)["components"]) if c.get("key")}


def _dmn_outputs(path: Path) -> set[str]:
    dmn = _tree(path)
    return set(dmn.xpath("//dmn:output/@name", namespaces={"dmn": dmn.getroot().nsmap[None]}))


def _submitted(form_key: str, data: dict) -> dict:
    """The data as the app would store it: checked and cleaned by the form loader if present."""
    unknown = set(data) - _form_keys(form_key)
    assert not unknown, f"data outside the form {form_key}: {unknown}"
    try:
        from forms.loader import load_form
    except ImportError:
        return data
    form = load_form((FORMS / f"{form_key}.form").read_bytes(), filename=f"{form_key}.form")
    clean, errors = form.validate(data)
    assert not errors, f"{form_key}: {errors}"
    return clean


# --- driving an instance -------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec():
    """The process as the engine deploys it, with the processes it calls."""
    evaluator = Evaluator()
    evaluator.register("sla_due", sla_due_stand_in())
    bundle = parse_bundle(shipped_files(), evaluator=evaluator)
    [process] = [p for p in bundle.processes if p.key == PROCESS]
    return process.spec, process.subprocess_specs


class Case:
    """One process instance, kept only as serialized JSON between steps like the engine keeps it.

    `stopped` records, per SLA clock, the step whose completion stopped it first, read from the
    steps' `sla_stop` properties as the app reads them (a clock stops once). What a step's
    record effect returns (`records`, a stand-in) is merged into its data before it runs.
    """

    def __init__(self, spec, start_data: dict, script_engine=ON_TIME) -> None:
        self.script_engine = script_engine
        self.records = Records()
        self.started: list[str] = []
        self.stopped: dict[str, str] = {}
        # initiator is set by the app (the logged-in user), not part of the form
        form_data = {k: v for k, v in start_data.items() if k != "initiator"}
        start_data = {
            **_submitted("customer_request_start", form_data),
            "initiator": start_data["initiator"],
        }
        start_data.update(self._effect("request_received", start_data))
        spec, subprocess_specs = spec
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
        [start] = workflow.get_tasks(state=TaskState.READY)
        start.data.update(start_data)
        self._run_engine(workflow)

    def load(self) -> BpmnWorkflow:
        workflow = SERIALIZER.deserialize_json(self.saved)
        workflow.script_engine = self.script_engine
        return workflow

    def ready(self) -> dict[str, list[str]]:
        """READY user tasks by id, with the roles (candidateGroups) that may act on each."""
        workflow = self.load()
        tasks = workflow.get_tasks(state=TaskState.READY, manual=True)
        return {t.task_spec.name: CASE_TASKS[t.task_spec.name]["groups"] for t in tasks}

    def data_of(self, task_id: str) -> dict:
        [task] = self._ready(self.load(), task_id)
        return dict(task.data)

    def assignee_of(self, task_id: str) -> str | None:
        """The assignee expression of a ready task evaluated over its data, as the engine does."""
        expression = USER_TASKS[task_id]["assignee"]
        if expression is None:
            return None
        workflow = self.load()
        [task] = self._ready(workflow, task_id)
        match = re.fullmatch(r"\$\{(.*)\}", expression.strip())
        return workflow.script_engine.evaluate(task, match.group(1) if match else expression)

    def complete(self, task_id: str, data: dict) -> None:
        data = _submitted(CASE_TASKS[task_id]["form"], data)
        workflow = self.load()
        [task] = self._ready(workflow, task_id)
        task.data.update(data)
        task.data.update(self._effect(task_id, dict(task.data)))
        task.run()
        self._completed(task)
        self._run_engine(workflow)

    def timers(self) -> dict[str, datetime]:
        """Armed timers: element id -> when due."""
        due = {}
        for task in self.load().get_tasks(state=TaskState.WAITING):
            definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition):
                value = definition.details(task).value
                due[task.task_spec.name] = TimerEventDefinition.get_datetime(value)
        return due

    def pass_time(self, span: timedelta) -> None:
        """Move the clock `span` ahead and let due timers fire, as the engine's timer job does."""
        with time_machine.travel(datetime.now(UTC) + span, tick=False):
            workflow = self.load()
            workflow.refresh_timers()
            self._run_engine(workflow)

    def ended_at(self) -> set[str]:
        workflow = self.load()
        assert workflow.is_completed()
        return {
            t.task_spec.name
            for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if t.task_spec.name in END_EVENTS
        }

    def final_data(self) -> dict:
        return dict(self.load().data)

    def _effect(self, step: str, data: dict) -> dict:
        effect = STEP_PROPERTIES.get(step, {}).get("effect")
        return self.records.returns(step, effect, data) or {}

    def _run_engine(self, workflow: BpmnWorkflow) -> None:
        workflow.do_engine_steps(did_complete_task=self._completed)
        self.saved = SERIALIZER.serialize_json(workflow)

    def _completed(self, task) -> None:
        properties = STEP_PROPERTIES.get(task.task_spec.name, {})
        self.started += [k for k in properties.get("sla_start", "").split(",") if k]
        for kind in [k for k in properties.get("sla_stop", "").split(",") if k]:
            self.stopped.setdefault(kind, task.task_spec.name)

    @staticmethod
    def _ready(workflow: BpmnWorkflow, task_id: str) -> list:
        tasks = [
            t
            for t in workflow.get_tasks(state=TaskState.READY, manual=True)
            if t.task_spec.name == task_id
        ]
        assert len(tasks) == 1, f"{task_id} is not ready"
        return tasks


def start_data(category: str, **overrides) -> dict:
    data = {
        "channel": "phone",
        "customer_name": "华东精密机械有限公司",
        "contact": "+86 21 5555 0100",
        "product_model": "PX-200",
        "serial_number": "PX200-2024-00117",
        "category": category,
        "priority": "high",
        "contract_tier": "standard",
        "description": "客户来电：设备开机后报警，无法进入工作状态。",
        "initiator": "cs1",
    }
    data.update(overrides)
    return data


def follow_up(satisfied: str = "yes") -> dict:
    return {
        "visited_on": "2026-03-02",
        "satisfaction": 5 if satisfied == "yes" else 2,
        "satisfied": satisfied,
        "follow_up_comments": "服务及时。",
    }


def inform() -> dict:
    return {
        "informed_at": "2026-03-01T10:00:00+08:00",
        "inform_channel": "phone",
        "customer_feedback": "客户已知悉。",
    }


def wait_for_follow_up(case: Case, follow_up_task: str) -> None:
    """After closure nothing is open until the follow-up date; then the visit is due."""
    branch = follow_up_task.removeprefix("follow_up_")
    assert case.ready() == {}
    [(timer, due)] = case.timers().items()
    assert timer == f"wait_before_follow_up_{branch}"
    assert abs(due - (datetime.now(UTC) + FOLLOW_UP_AFTER)) < timedelta(minutes=1)
    case.pass_time(FOLLOW_UP_AFTER - timedelta(minutes=5))
    assert case.ready() == {}  # not yet
    case.pass_time(FOLLOW_UP_AFTER + timedelta(minutes=1))
    assert case.ready() == {follow_up_task: ["customer_service"]}
    assert case.timers() == {}


# --- routing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category, route, first_task, role",
    [
        ("installation", "tech_support", "plan_service_visit", "tech_support"),
        ("commissioning", "tech_support", "plan_service_visit", "tech_support"),
        ("training", "tech_support", "plan_service_visit", "tech_support"),
        ("technical_question", "tech_support", "plan_service_visit", "tech_support"),
        # process 2 (called): customer service registers the repair first
        ("repair", "repair", "register_repair", "customer_service"),
        ("replacement", "repair", "register_repair", "customer_service"),
        ("quality_complaint", "quality", "verify_defect", "quality"),
    ],
)
def test_each_category_is_routed_to_its_role(spec, category, route, first_task, role):
    case = Case(spec, start_data(category, priority="urgent"))

    assert case.ready() == {first_task: [role]}
    data = case.data_of(first_task)
    assert data["route"] == route
    assert data["priority"] == "urgent"  # passed through the routing table unchanged


# --- service deadlines and escalation ------------------------------------------------------

STANDARD = "standard"


@pytest.mark.parametrize(
    "tier, category, priority, reply, onsite, resolve, calendar",
    [
        ("premium", "repair", "low", "PT30M", "PT1H30M", "PT2H", "24x7"),
        ("premium", "quality_complaint", "urgent", "PT30M", "PT1H30M", "PT2H", "24x7"),
        ("standard", "repair", "urgent", "PT2H", "PT12H", "PT16H", STANDARD),
        ("standard", "replacement", "high", "PT2H", "PT12H", "PT16H", STANDARD),
        ("standard", "repair", "normal", "PT2H", "PT24H", "PT16H", STANDARD),
        ("standard", "replacement", "low", "PT2H", "PT24H", "PT16H", STANDARD),
        ("standard", "installation", "high", "PT2H", "PT12H", "PT40H", STANDARD),
        ("standard", "training", "low", "PT2H", "PT24H", "PT40H", STANDARD),
        ("standard", "quality_complaint", "urgent", "PT2H", "PT12H", "PT40H", STANDARD),
        ("standard", "quality_complaint", "normal", "PT2H", "PT24H", "PT40H", STANDARD),
    ],
)
def test_the_deadlines_follow_the_contract_the_category_and_the_priority(
    spec, tier, category, priority, reply, onsite, resolve, calendar
):
    sla_due_calls.clear()
    case = Case(spec, start_data(category, priority=priority, contract_tier=tier))

    [first] = case.ready()
    data = case.data_of(first)
    assert (data["reply_within"], data["onsite_within"], data["resolve_within"]) == (
        reply,
        onsite,
        resolve,
    )
    assert data["sla_calendar"] == calendar
    assert data["follow_up_after"] == "P3D"
    assert case.started == ["reply", "onsite", "resolve"]  # once the targets are known
    # the reply timer is armed on the first response with the app's sla_due
    assert sla_due_calls == [(reply, calendar)]
    [(timer, due)] = case.timers().items()
    assert timer == f"reply_overdue_{first}"
    span = TimerEventDefinition.get_timedelta_from_start(
        TimerEventDefinition.parse_iso_duration(reply)
    )
    assert abs(due - (datetime.now(UTC) + span)) < timedelta(minutes=1)


FIRST_STEPS = {
    "installation": (
        "plan_service_visit",
        ["tech_support"],
        {
            "service_mode": "onsite",
            "scheduled_at": "2026-03-01T09:00:00+08:00",
            "service_address": "上海市嘉定区",
            "service_plan": "上门安装并调试，带安装手册。",
        },
        "perform_technical_service",
    ),
    "repair": (
        "register_repair",
        ["customer_service"],
        {
            "serial_number": "PX200-2024-00117",
            "mode": "onsite",
            "engineer": "tech1",
            "reported_fault": "开机后报警，无法进入工作状态。",
        },
        "diagnose_fault",
    ),
    "quality_complaint": (
        "verify_defect",
        ["quality"],
        {
            "defect_description": "批次 B2403 的设备连续运行 2 小时后过热停机。",
            "verification_method": "现场复现：满载运行 2 小时后温度超限。",
            "defect_reproduced": True,
            "production_batch": "B2403",
        },
        "define_problem_type",
    ),
}
ESCALATION = {
    "escalation_action": "已电话督促负责人，并向客户致歉、告知预计答复时间。",
    "reassign_to": "",
    "escalation_note": "",
}


@pytest.mark.parametrize("category", FIRST_STEPS)
def test_a_late_reply_goes_to_the_supervisor_and_the_worker_keeps_the_task(spec, category):
    first, roles, answer, after = FIRST_STEPS[category]
    case = Case(spec, start_data(category), script_engine=REPLY_ALREADY_LATE)
    # process 2 has its own supervisor's task for a repair's late reply
    escalation = "handle_overdue_repair_reply" if category == "repair" else "handle_overdue_reply"

    # the reply was due a minute ago: the supervisor is told; the task stays where it was
    assert case.ready() == {first: roles, escalation: ["supervisor"]}
    case.complete(escalation, ESCALATION)
    assert case.ready() == {first: roles}

    case.complete(first, answer)
    assert set(case.ready()) == {after}
    assert case.stopped["reply"] == first
    assert "reply_overdue_" + first not in case.timers()


def test_the_reply_timer_fires_when_its_time_has_passed_and_not_after_the_reply(spec):
    case = Case(spec, start_data("installation", priority="normal"))
    assert set(case.timers()) == {"reply_overdue_plan_service_visit"}

    case.pass_time(timedelta(hours=1))  # the stand-in counts PT2H as two hours from now
    assert case.ready() == {"plan_service_visit": ["tech_support"]}
    case.pass_time(timedelta(hours=2, minutes=1))
    assert case.ready() == {
        "plan_service_visit": ["tech_support"],
        "handle_overdue_reply": ["supervisor"],
    }

    # the late reply is given before the supervisor gets to it: both go on independently
    _, _, answer, after = FIRST_STEPS["installation"]
    case.complete("plan_service_visit", answer)
    assert case.ready() == {after: ["tech_support"], "handle_overdue_reply": ["supervisor"]}
    case.complete("handle_overdue_reply", {**ESCALATION, "reassign_to": "install2"})
    assert case.ready() == {after: ["tech_support"]}
    case.complete(
        after,
        {
            "performed_at": "2026-03-01T15:00:00+08:00",
            "work_performed": "设备安装完毕，调试正常运行。",
        },
    )
    case.complete("inform_customer_of_service", inform())
    wait_for_follow_up(case, "follow_up_service")
    case.complete("follow_up_service", follow_up())
    assert case.ended_at() == {"escalation_handled", "service_completed"}


def test_a_reply_in_time_cancels_the_escalation(spec):
    case = Case(spec, start_data("quality_complaint"))
    first, _, answer, after = FIRST_STEPS["quality_complaint"]
    case.complete(first, answer)
    assert case.timers() == {}
    case.pass_time(timedelta(days=1))
    assert set(case.ready()) == {after}  # no escalation after the reply


# --- technical support ---------------------------------------------------------------------


def test_technical_support_runs_to_service_completed(spec):
    case = Case(spec, start_data("installation"))
    assert case.ready() == {"plan_service_visit": ["tech_support"]}  # install1's role

    case.complete(
        "plan_service_visit",
        {
            "service_mode": "onsite",
            "scheduled_at": "2026-03-01T09:00:00+08:00",
            "service_address": "上海市嘉定区",
            "service_plan": "上门安装并调试，带安装手册。",
        },
    )
    assert case.ready() == {"perform_technical_service": ["tech_support"]}

    case.complete(
        "perform_technical_service",
        {
            "performed_at": "2026-03-01T15:00:00+08:00",
            "work_performed": "设备安装完毕，调试正常运行。",
        },
    )
    assert case.ready() == {"inform_customer_of_service": ["customer_service"]}
    assert case.assignee_of("inform_customer_of_service") == "cs1"  # who recorded the request

    case.complete("inform_customer_of_service", inform())
    wait_for_follow_up(case, "follow_up_service")

    case.complete("follow_up_service", follow_up())
    assert case.ready() == {}
    assert case.ended_at() == {"service_completed"}
    assert case.final_data()["satisfaction"] == 5
    assert case.started == ["reply", "onsite", "resolve"]
    assert case.stopped == {
        "reply": "plan_service_visit",
        "onsite": "perform_technical_service",
        "resolve": "inform_customer_of_service",
    }


# --- repair ---------------------------------------------------------------------------------

ACCEPTED = {
    "accept_appearance": "yes",
    "accept_function": "yes",
    "accept_accessories": "yes",
    "accept_documents": "yes",
    "signed_by_name": "王工",
    "acceptance_remarks": "",
}


def test_a_repair_runs_process_2_with_the_case_data_then_the_case_follows_up(spec):
    sla_due_calls.clear()
    case = Case(spec, start_data("repair"))
    assert case.ready() == {"register_repair": ["customer_service"]}
    assert set(case.timers()) == {"reply_overdue_register_repair"}
    data = case.data_of("register_repair")
    assert (data["route"], data["service_case_id"]) == ("repair", 7)  # case.open's case
    assert data["description"] == start_data("repair")["description"]

    _, _, register, _ = FIRST_STEPS["repair"]
    case.complete("register_repair", register)
    assert case.ready() == {"diagnose_fault": ["repair_tech"]}  # in warranty: free
    assert case.timers() == {}  # the reply was given: its timer is gone
    case.complete(
        "diagnose_fault",
        {
            "diagnosis": "主板电源模块烧毁。",
            "repair_plan": "replace_part",
            "part1_number": "PWR-200",
            "part1_qty": 1,
        },
    )
    assert case.ready() == {"repair_unit": ["repair_tech"]}
    assert set(case.timers()) == {"loaner_due", "replacement_due"}  # the repair phase's
    case.complete(
        "repair_unit",
        {
            "resolution": "replaced_part",
            "work_done": "更换电源模块，试机正常。",
            "labour_hours": 2,
            "charge": 0,
        },
    )
    case.complete("test_unit", {"test_passed": "yes", "test_notes": "满载运行 2 小时正常。"})
    assert case.timers() == {}
    case.complete("return_unit", {"returned_how": "handover", "tracking_number": ""})
    assert case.ready() == {"customer_acceptance": ["customer_service"]}
    case.complete("customer_acceptance", ACCEPTED)
    assert case.ready() == {"record_failure": ["repair_tech"]}
    case.complete(
        "record_failure",
        {"phenomenon": "开机报警。", "problem_type": "material", "defective_parts": "no"},
    )

    wait_for_follow_up(case, "follow_up_repair")  # back in the case
    case.complete("follow_up_repair", follow_up("no"))
    assert case.ready() == {}
    assert case.ended_at() == {"repair_closed"}
    assert sla_due_calls == [("PT2H", STANDARD)]  # the reply timer was armed once
    assert case.started == ["reply", "onsite", "resolve"]  # by the case, not again by process 2
    assert case.stopped == {
        "reply": "register_repair",
        "onsite": "diagnose_fault",
        "resolve": "repair_accepted",
    }
    final = case.final_data()  # what process 2 recorded came back to the case
    assert (final["repair_order_id"], final["failure_record_id"], final["accepted"]) == (
        11,
        5,
        True,
    )


def test_the_repair_route_calls_process_2_with_all_the_case_data():
    tree = _tree(BPMN_FILE)

    def targets(source: str) -> set[str]:
        flows = tree.xpath(f"//bpmn:sequenceFlow[@sourceRef='{source}']", namespaces=NS)
        return {f.get("targetRef") for f in flows}

    [call] = tree.xpath("//bpmn:callActivity", namespaces=NS)
    assert (call.get("id"), call.get("calledElement")) == ("repair_case", "repair_replacement")
    assert (call.get("name"), _name_en(call)) == ("产品维修和更换", "Repair and replacement")
    mappings = call.xpath("./bpmn:extensionElements/camunda:*[@variables]", namespaces=NS)
    assert [(etree.QName(m).localname, m.get("variables")) for m in mappings] == [
        ("in", "all"),
        ("out", "all"),
    ]
    [flow] = tree.xpath("//bpmn:sequenceFlow[@targetRef='repair_case']", namespaces=NS)
    assert flow.get("sourceRef") == "route_decision"
    assert flow.findtext("bpmn:conditionExpression", namespaces=NS) == 'route == "repair"'
    assert targets("repair_case") == {"wait_before_follow_up_repair"}
    # process 2 has its own reply timer, on its first response
    assert not tree.xpath("//bpmn:boundaryEvent[@attachedToRef='repair_case']", namespaces=NS)
    [start] = tree.xpath("//bpmn:startEvent", namespaces=NS)
    assert _properties(start) == {"effect": "case.open"}


# --- quality complaint ---------------------------------------------------------------------

ROOT_CAUSE_TASKS = {
    "root_cause_rd": ["rd"],
    "root_cause_production": ["production"],
    "root_cause_qa": ["qa"],
    "root_cause_tech": ["tech_support"],
}


def _file_and_classify(case: Case, severity: str) -> None:
    assert case.ready() == {"verify_defect": ["quality"]}
    case.complete(
        "verify_defect",
        {
            "defect_description": "批次 B2403 的设备连续运行 2 小时后过热停机。",
            "verification_method": "实验室复现：满载运行 2 小时后温度超限。",
            "defect_reproduced": True,
            "production_batch": "B2403",
        },
    )
    assert case.ready() == {"define_problem_type": ["quality"]}
    case.complete(
        "define_problem_type",
        {
            "problem_type": "design",
            "severity": severity,
            "claim_amount": 50000 if severity == "major" else None,
            "problem_summary": "散热设计余量不足。",
        },
    )


def _analyse_root_cause(case: Case) -> None:
    assert case.ready() == ROOT_CAUSE_TASKS  # all four departments at once
    remaining = dict(ROOT_CAUSE_TASKS)
    for task_id in ("root_cause_qa", "root_cause_rd", "root_cause_tech", "root_cause_production"):
        dept = task_id.removeprefix("root_cause_")
        case.complete(
            task_id,
            {
                f"{dept}_root_cause": f"{dept}：散热片尺寸偏小，风道受阻。",
                f"{dept}_corrective_action": f"{dept}：加大散热片。",
            },
        )
        del remaining[task_id]
        if remaining:
            assert case.ready() == remaining  # the join waits for every department
    assert case.ready() == {"consolidate_improvement_plan": ["quality"]}
    data = case.data_of("consolidate_improvement_plan")
    for dept in ("rd", "production", "qa", "tech"):
        assert data[f"{dept}_root_cause"].startswith(dept)


PLAN = {
    "root_cause_summary": "散热设计余量不足，风道受阻。",
    "improvement_plan": "加大散热片，改进风道，B2403 批次召回检测。",
    "plan_owner": "quality1",
    "plan_due_on": "2026-04-15",
}


def _approve_and_implement(case: Case) -> None:
    case.complete("approve_plan", {"plan_decision": "approve", "plan_review_comment": "同意。"})
    assert case.ready() == {"verify_implementation": ["quality"]}
    case.complete(
        "verify_implementation",
        {
            "implemented_on": "2026-04-10",
            "implementation_result": "新散热片已装机，满载 8 小时温度正常。",
        },
    )
    assert case.ready() == {"inform_customer_of_resolution": ["customer_service"]}
    assert case.assignee_of("inform_customer_of_resolution") == "cs1"
    case.complete("inform_customer_of_resolution", inform())
    assert case.ready() == {"confirm_effect": ["customer_service"]}
    assert case.assignee_of("confirm_effect") == "cs1"


def test_quality_complaint_with_a_returned_plan_and_an_unsatisfied_customer(spec):
    case = Case(spec, start_data("quality_complaint"))
    _file_and_classify(case, "serious")
    _analyse_root_cause(case)  # not major: no supervisor review first

    case.complete("consolidate_improvement_plan", PLAN)
    assert case.ready() == {"approve_plan": ["supervisor"]}
    case.complete(
        "approve_plan",
        {"plan_decision": "return", "plan_review_comment": "请补充召回范围和时间表。"},
    )
    assert case.ready() == {"consolidate_improvement_plan": ["quality"]}
    assert (
        case.data_of("consolidate_improvement_plan")["plan_review_comment"]
        == "请补充召回范围和时间表。"
    )

    case.complete(
        "consolidate_improvement_plan",
        {**PLAN, "improvement_plan": "加大散热片，B2403 批次 3 月底前召回。"},
    )
    assert case.ready() == {"approve_plan": ["supervisor"]}
    _approve_and_implement(case)

    case.complete(
        "confirm_effect", {"effect_confirmed": "no", "effect_feedback": "客户反映夏季仍偶发过热。"}
    )
    assert case.ready() == {"consolidate_improvement_plan": ["quality"]}  # a revised plan
    case.complete(
        "consolidate_improvement_plan",
        {**PLAN, "improvement_plan": "增加温控风扇，夏季高温时自动提速。"},
    )
    assert case.ready() == {"approve_plan": ["supervisor"]}
    _approve_and_implement(case)

    assert "resolve" not in case.stopped  # "not satisfied" is not a resolution

    case.complete("confirm_effect", {"effect_confirmed": "yes", "effect_feedback": "效果良好。"})
    assert case.stopped == {
        "reply": "verify_defect",
        "onsite": "verify_defect",
        "resolve": "complaint_resolved",
    }
    wait_for_follow_up(case, "follow_up_complaint")
    case.complete("follow_up_complaint", follow_up())
    assert case.ready() == {}
    assert case.ended_at() == {"complaint_closed"}
    assert case.final_data()["improvement_plan"] == "增加温控风扇，夏季高温时自动提速。"


def test_major_complaint_goes_to_the_supervisor_before_root_cause_analysis(spec):
    case = Case(spec, start_data("quality_complaint", priority="urgent"))
    _file_and_classify(case, "major")
    assert case.ready() == {"review_major_complaint": ["supervisor"]}

    case.complete(
        "review_major_complaint",
        {
            "claim_position": "negotiate",
            "major_complaint_instructions": "48 小时内给出原因分析，索赔金额与客户协商。",
        },
    )
    _analyse_root_cause(case)
    case.complete("consolidate_improvement_plan", PLAN)
    assert case.ready() == {"approve_plan": ["supervisor"]}
    _approve_and_implement(case)
    case.complete(
        "confirm_effect", {"effect_confirmed": "yes", "effect_feedback": "接受处理方案。"}
    )
    wait_for_follow_up(case, "follow_up_complaint")
    case.complete("follow_up_complaint", follow_up())
    assert case.ended_at() == {"complaint_closed"}


# --- the drawing and its conventions -------------------------------------------------------


def test_the_process_follows_the_engine_conventions():
    tree = _tree(BPMN_FILE)
    [process] = tree.xpath("//bpmn:process", namespaces=NS)
    assert process.get("id") == PROCESS
    assert process.get("isExecutable") == "true"
    assert process.get(f"{CAMUNDA}candidateStarterGroups") == "customer_service,admin"
    assert _name_en(process) == "Customer request"
    [start] = process.xpath("./bpmn:startEvent", namespaces=NS)
    assert start.get(f"{CAMUNDA}formKey") == "customer_request_start"

    for task_id, task in USER_TASKS.items():
        assert task["form"], task_id
        assert task["groups"] and set(task["groups"]) <= ROLES, task_id
        assert CHINESE.search(task["name"] or ""), task_id
        assert task["name_en"], task_id
        assert re.fullmatch(r"[a-z][a-z0-9_]*", task_id), task_id
    for end in process.xpath("./bpmn:endEvent", namespaces=NS):
        assert CHINESE.search(end.get("name") or "") and _name_en(end), end.get("id")
    assert {e.get("id") for e in process.xpath("./bpmn:endEvent", namespaces=NS)} == END_EVENTS
    rules = process.xpath("./bpmn:businessRuleTask", namespaces=NS)
    assert {r.get("id"): r.get(f"{CAMUNDA}decisionRef") for r in rules} == {
        "route_request": "route_request",
        "determine_sla_targets": "sla_targets",
    }
    for path, decision in ((DMN_FILE, "route_request"), (SLA_FILE, "sla_targets")):
        dmn = _tree(path)
        found = dmn.xpath("//dmn:decision/@id", namespaces={"dmn": dmn.getroot().nsmap[None]})
        assert found == [decision]


def test_the_sla_clocks_start_after_routing_and_stop_where_each_promise_is_met():
    """The conventions workflows/sla reads: which step starts the clocks, which stop them."""
    tree = _tree(BPMN_FILE)
    assert PROPERTIES == {
        # the effects of docs/records.md
        "request_received": {"effect": "case.open"},
        "define_problem_type": {"effect": "case.classify_complaint"},
        "follow_up_service": {"effect": "case.follow_up"},
        "follow_up_repair": {"effect": "case.follow_up"},
        "follow_up_complaint": {"effect": "case.follow_up"},
        # the clocks
        "determine_sla_targets": {"sla_start": "reply,onsite,resolve"},
        "plan_service_visit": {"sla_stop": "reply"},
        "perform_technical_service": {"sla_stop": "onsite"},
        "inform_customer_of_service": {"sla_stop": "resolve"},
        "verify_defect": {"sla_stop": "reply,onsite"},
        "complaint_resolved": {"sla_stop": "resolve"},
    }  # a repair's clocks stop in process 2 (tests/engine/test_repair_diagrams.py)
    [flow] = tree.xpath("//bpmn:sequenceFlow[@sourceRef='route_request']", namespaces=NS)
    assert flow.get("targetRef") == "determine_sla_targets"  # category and priority are known
    # the resolution of a complaint is reached from "satisfied" only
    [flow] = tree.xpath("//bpmn:sequenceFlow[@targetRef='complaint_resolved']", namespaces=NS)
    assert flow.get("sourceRef") == "effect_check"
    assert "effect_confirmed" in flow.findtext("bpmn:conditionExpression", namespaces=NS)


def test_each_first_response_has_a_non_interrupting_reply_timer_to_the_supervisor():
    tree = _tree(BPMN_FILE)
    events = tree.xpath("//bpmn:boundaryEvent", namespaces=NS)
    assert sorted(e.get("attachedToRef") for e in events) == sorted(FIRST_RESPONSES)
    for event in events:
        assert event.get("cancelActivity") == "false", event.get("id")
        assert (event.get("name"), _name_en(event)) == ("答复超时", "Reply overdue")
        [text] = event.xpath("./bpmn:timerEventDefinition/bpmn:timeDate/text()", namespaces=NS)
        assert text == "sla_due(reply_within, sla_calendar)"
        [flow] = tree.xpath(f"//bpmn:sequenceFlow[@sourceRef='{event.get('id')}']", namespaces=NS)
        assert flow.get("targetRef") == "handle_overdue_reply"
    assert USER_TASKS["handle_overdue_reply"]["groups"] == ["supervisor"]
    assert USER_TASKS["handle_overdue_reply"]["form"] == "handle_escalation"
    [flow] = tree.xpath("//bpmn:sequenceFlow[@sourceRef='handle_overdue_reply']", namespaces=NS)
    assert flow.get("targetRef") == "escalation_handled"


def test_each_follow_up_waits_for_the_delay_from_the_table():
    tree = _tree(BPMN_FILE)
    for branch in ("service", "repair", "complaint"):
        [event] = tree.xpath(
            f"//bpmn:intermediateCatchEvent[@id='wait_before_follow_up_{branch}']", namespaces=NS
        )
        [text] = event.xpath("./bpmn:timerEventDefinition/bpmn:timeDuration/text()", namespaces=NS)
        assert text == "follow_up_after"
        [flow] = tree.xpath(f"//bpmn:sequenceFlow[@sourceRef='{event.get('id')}']", namespaces=NS)
        assert flow.get("targetRef") == f"follow_up_{branch}"


def test_timers_read_only_what_the_decision_tables_write_and_the_app_registers():
    written = _dmn_outputs(SLA_FILE) | {"sla_due"}
    texts = _tree(BPMN_FILE).xpath("//bpmn:timerEventDefinition/*/text()", namespaces=NS)
    assert len(texts) == 5
    for text in texts:
        names = {n.id for n in ast.walk(ast.parse(text, mode="eval")) if isinstance(n, ast.Name)}
        assert names <= written, text


def test_the_deadline_table_is_python_spiffworkflow_runs_as_written():
    """First match, "-" for any, Python tests: no FEEL list or range that would never match."""
    dmn = _tree(SLA_FILE)
    ns = {"dmn": dmn.getroot().nsmap[None]}
    [table] = dmn.xpath("//dmn:decisionTable", namespaces=ns)
    assert table.get("hitPolicy") == "UNIQUE"
    inputs = dmn.xpath("//dmn:inputExpression/dmn:text/text()", namespaces=ns)
    assert inputs == ["contract_tier", "category", "priority"]  # as the issue asks
    assert _dmn_outputs(SLA_FILE) == {
        "reply_within",
        "onsite_within",
        "resolve_within",
        "sla_calendar",
        "follow_up_after",
    }
    rules = dmn.xpath("//dmn:rule", namespaces=ns)
    for rule in rules:
        for cell in rule.xpath("./dmn:inputEntry/dmn:text/text()", namespaces=ns):
            if cell != "-":
                ast.parse(cell.replace("?", "x"), mode="eval")
        *literals, calendar, follow_up_after = rule.xpath(
            "./dmn:outputEntry/dmn:text/text()", namespaces=ns
        )
        for text in literals:
            TimerEventDefinition.parse_iso_duration(ast.literal_eval(text))
        # round the clock for a premium contract, else the unit's site's (case.open sets it)
        premium = rule.get("id") == "rule_premium"
        assert calendar == ('"24x7"' if premium else "site_calendar")
        assert ast.literal_eval(follow_up_after) == "P3D"
    # the last rule catches everything, so every case gets deadlines
    last = rules[-1].xpath("./dmn:inputEntry/dmn:text/text()", namespaces=ns)
    assert last == ["-", "-", "-"]
    # the category cells name only categories the start form offers
    start_form = next(
        c for c in _form("customer_request_start")["components"] if c.get("key") == "category"
    )
    offered = {v["value"] for v in start_form["values"]}
    for rule in rules:
        cell = rule.xpath("./dmn:inputEntry/dmn:text/text()", namespaces=ns)[1]
        if cell != "-":
            tree = ast.parse(cell.replace("?", "x"), mode="eval")
            named = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
            assert named and named <= offered, cell


def _bounds(tree, element_id: str) -> tuple[float, float, float, float]:
    [b] = tree.xpath(f"//bpmndi:BPMNShape[@bpmnElement='{element_id}']/dc:Bounds", namespaces=NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def test_boundary_events_are_drawn_on_the_border_of_their_task():
    tree = _tree(BPMN_FILE)
    for event in tree.xpath("//bpmn:boundaryEvent", namespaces=NS):
        ex, ey, ew, eh = _bounds(tree, event.get("id"))
        tx, ty, tw, th = _bounds(tree, event.get("attachedToRef"))
        cx, cy = ex + ew / 2, ey + eh / 2
        assert tx < cx < tx + tw, event.get("id")
        assert cy in (ty, ty + th), event.get("id")  # centred on the top or bottom edge


def test_every_element_is_drawn():
    tree = _tree(BPMN_FILE)
    drawn_shapes = set(tree.xpath("//bpmndi:BPMNShape/@bpmnElement", namespaces=NS))
    nodes = tree.xpath(
        "//bpmn:process/*[not(self::bpmn:sequenceFlow or self::bpmn:laneSet"
        " or self::bpmn:extensionElements)] | //bpmn:lane | //bpmn:participant",
        namespaces=NS,
    )
    assert {n.get("id") for n in nodes} <= drawn_shapes
    for flow in tree.xpath("//bpmn:sequenceFlow", namespaces=NS):
        edges = tree.xpath(f"//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", namespaces=NS)
        assert len(edges) == 1, flow.get("id")
        assert len(edges[0].xpath("./di:waypoint", namespaces=NS)) >= 2, flow.get("id")


def test_gateway_conditions_read_keys_the_forms_or_the_routing_table_write():
    written = {"route", "priority"}  # outputs of route_request.dmn
    for key in {t["form"] for t in USER_TASKS.values()} | {"customer_request_start"}:
        written |= _form_keys(key)
    tree = _tree(BPMN_FILE)
    conditions = tree.xpath("//bpmn:sequenceFlow/bpmn:conditionExpression/text()", namespaces=NS)
    assert conditions
    for condition in conditions:
        assert "${" not in condition
        names = {
            n.id for n in ast.walk(ast.parse(condition, mode="eval")) if isinstance(n, ast.Name)
        }
        assert names <= written, condition
    dmn = _tree(DMN_FILE)
    dmn_ns = {"dmn": dmn.getroot().nsmap[None]}
    assert dmn.xpath("//dmn:inputExpression/dmn:text/text()", namespaces=dmn_ns) == ["category"]
    categories = set(dmn.xpath("//dmn:inputEntry/dmn:text/text()", namespaces=dmn_ns))
    start_form = next(
        c for c in _form("customer_request_start")["components"] if c.get("key") == "category"
    )
    assert {repr(v["value"]).replace("'", '"') for v in start_form["values"]} == categories


# --- forms ---------------------------------------------------------------------------------


def _referenced_form_keys() -> set[str]:
    keys = set()
    for path in DIAGRAMS.glob("*.bpmn"):
        keys |= set(_tree(path).xpath("//@camunda:formKey", namespaces=NS))
    return keys


def _shown_texts(form: dict) -> list[str]:
    texts = []
    for component in _components(form["components"]):
        for prop in ("label", "description", "text", "dateLabel", "timeLabel", "placeholder"):
            if isinstance(component.get(prop), str):
                texts.append(component[prop])
        texts.extend(v["label"] for v in component.get("values", []) if "label" in v)
    return texts


@pytest.mark.parametrize("form_key", sorted(_referenced_form_keys()))
def test_every_referenced_form_exists_and_is_translated(form_key):
    path = FORMS / f"{form_key}.form"
    assert path.is_file(), f"{path.name} is missing"
    form = json.loads(path.read_text(encoding="utf-8"))
    assert form["type"] == "default" and form["id"] == form_key
    keys = [c["key"] for c in _components(form["components"]) if c.get("key")]
    assert len(keys) == len(set(keys)), f"duplicate keys in {path.name}"
    ids = [c["id"] for c in _components(form["components"]) if c.get("id")]
    assert len(ids) == len(set(ids)), f"duplicate ids in {path.name}"
    english = form.get("translations", {}).get("en", {})
    untranslated = [t for t in _shown_texts(form) if CHINESE.search(t) and not english.get(t)]
    assert not untranslated, f"{path.name}: no English for {untranslated}"


def test_a_key_means_one_thing_across_the_forms_of_the_process():
    """All forms of one case write into one data dict: a shared key must be the same field."""
    seen: dict[str, tuple[str, str, str]] = {}
    for form_key in sorted({t["form"] for t in USER_TASKS.values()} | {"customer_request_start"}):
        for c in _components(_form(form_key)["components"]):
            if not c.get("key"):
                continue
            first = seen.setdefault(c["key"], (form_key, c["type"], c.get("label")))
            assert first[1:] == (c["type"], c.get("label")), f"{c['key']}: {first[0]} / {form_key}"
