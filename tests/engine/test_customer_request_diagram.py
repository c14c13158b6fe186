"""Process 1, customer request intake and complaint-to-resolution, driven on raw SpiffWorkflow.

Every path is run to its end event, and the instance is saved and restored (JSON) after
every step, as the engine does between requests. At each step the test checks which user
tasks are ready and which role (candidateGroups, read from the file as the engine reads it)
may act on them, so the routing is proven, not assumed.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.evaluator import Evaluator
from engine.script_engine import make_script_engine

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = ROOT / "diagrams"
FORMS = ROOT / "forms"
BPMN_FILE = DIAGRAMS / "customer_request.bpmn"
DMN_FILE = DIAGRAMS / "route_request.dmn"
PROCESS = "customer_request"

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
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
END_EVENTS = {"service_completed", "repair_closed", "complaint_closed"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))


# every expression runs through the engine's restricted evaluator, as in production
SCRIPT_ENGINE = make_script_engine(Evaluator())


# --- what the file says, read as the engine reads it ---------------------------------------


def _tree(path: Path) -> etree._ElementTree:
    return etree.parse(str(path))


def _name_en(element: etree._Element) -> str | None:
    found = element.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property[@name='name_en']/@value",
        namespaces=NS,
    )
    return found[0] if found else None


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
    parser = CamundaParser(validator=BpmnValidator())
    parser.add_bpmn_file(str(BPMN_FILE))
    parser.add_dmn_file(str(DMN_FILE))
    return parser.get_spec(PROCESS)


class Case:
    """One process instance, kept only as serialized JSON between steps like the engine keeps it."""

    def __init__(self, spec, start_data: dict) -> None:
        # initiator is set by the app (the logged-in user), not part of the form
        form_data = {k: v for k, v in start_data.items() if k != "initiator"}
        start_data = {
            **_submitted("customer_request_start", form_data),
            "initiator": start_data["initiator"],
        }
        workflow = BpmnWorkflow(spec, script_engine=SCRIPT_ENGINE)
        [start] = workflow.get_tasks(state=TaskState.READY)
        start.data.update(start_data)
        workflow.do_engine_steps()
        self.saved = SERIALIZER.serialize_json(workflow)

    def load(self) -> BpmnWorkflow:
        workflow = SERIALIZER.deserialize_json(self.saved)
        if SCRIPT_ENGINE is not None:
            workflow.script_engine = SCRIPT_ENGINE
        return workflow

    def ready(self) -> dict[str, list[str]]:
        """READY user tasks by id, with the roles (candidateGroups) that may act on each."""
        workflow = self.load()
        tasks = workflow.get_tasks(state=TaskState.READY, manual=True)
        return {t.task_spec.name: USER_TASKS[t.task_spec.name]["groups"] for t in tasks}

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
        data = _submitted(USER_TASKS[task_id]["form"], data)
        workflow = self.load()
        [task] = self._ready(workflow, task_id)
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        self.saved = SERIALIZER.serialize_json(workflow)

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


# --- routing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category, route, first_task, role",
    [
        ("installation", "tech_support", "plan_service_visit", "tech_support"),
        ("commissioning", "tech_support", "plan_service_visit", "tech_support"),
        ("training", "tech_support", "plan_service_visit", "tech_support"),
        ("technical_question", "tech_support", "plan_service_visit", "tech_support"),
        ("repair", "repair", "diagnose_and_repair", "repair_tech"),
        ("replacement", "repair", "diagnose_and_repair", "repair_tech"),
        ("quality_complaint", "quality", "verify_defect", "quality"),
    ],
)
def test_each_category_is_routed_to_its_role(spec, category, route, first_task, role):
    case = Case(spec, start_data(category, priority="urgent"))

    assert case.ready() == {first_task: [role]}
    data = case.data_of(first_task)
    assert data["route"] == route
    assert data["priority"] == "urgent"  # passed through the routing table unchanged


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
    assert case.ready() == {"follow_up_service": ["customer_service"]}

    case.complete("follow_up_service", follow_up())
    assert case.ready() == {}
    assert case.ended_at() == {"service_completed"}
    assert case.final_data()["satisfaction"] == 5


# --- repair --------------------------------------------------------------------------------


def test_repair_escalates_to_the_supervisor_until_fixed_then_closes(spec):
    case = Case(spec, start_data("repair"))
    assert case.ready() == {"diagnose_and_repair": ["repair_tech"]}

    not_fixed = {
        "diagnosis": "主板电源模块烧毁。",
        "repair_action": "repair",
        "parts_used": "",
        "fault_fixed": "no",
    }
    case.complete("diagnose_and_repair", not_fixed)
    assert case.ready() == {"decide_repair_plan": ["supervisor"]}

    case.complete(
        "decide_repair_plan",
        {"repair_plan": "更换同规格主板。", "replacement_approved": True, "loaner_provided": True},
    )
    assert case.ready() == {"diagnose_and_repair": ["repair_tech"]}  # back to the technician
    assert case.data_of("diagnose_and_repair")["repair_plan"] == "更换同规格主板。"

    case.complete("diagnose_and_repair", not_fixed)  # a second escalation round
    assert case.ready() == {"decide_repair_plan": ["supervisor"]}
    case.complete(
        "decide_repair_plan",
        {"repair_plan": "整机更换。", "replacement_approved": True, "loaner_provided": False},
    )
    assert case.ready() == {"diagnose_and_repair": ["repair_tech"]}

    case.complete(
        "diagnose_and_repair",
        {
            "diagnosis": "主板电源模块烧毁。",
            "repair_action": "replace",
            "parts_used": "整机 PX-200 ×1",
            "fault_fixed": "yes",
        },
    )
    assert case.ready() == {"record_customer_acceptance": ["customer_service"]}

    case.complete(
        "record_customer_acceptance",
        {
            "accepted_items": ["function_restored", "appearance_intact", "accessories_complete"],
            "accepted_by": "王工",
            "accepted_on": "2026-03-03",
        },
    )
    assert case.ready() == {"follow_up_repair": ["customer_service"]}

    case.complete("follow_up_repair", follow_up("no"))
    assert case.ready() == {}
    assert case.ended_at() == {"repair_closed"}


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

    case.complete("confirm_effect", {"effect_confirmed": "yes", "effect_feedback": "效果良好。"})
    assert case.ready() == {"follow_up_complaint": ["customer_service"]}
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
    assert case.ready() == {"follow_up_complaint": ["customer_service"]}
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
    [rule] = process.xpath("./bpmn:businessRuleTask", namespaces=NS)
    assert rule.get("id") == "route_request" == rule.get(f"{CAMUNDA}decisionRef")


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
