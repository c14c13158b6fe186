"""Process 3 (the quarterly appraisal, its result sheet and appeals) driven to each of its end
events through the engine service layer, and its drawings and forms checked against the
contract (docs/appraisal.md).

Every completion loads the instance from the database and saves it again, so the instance is
serialized and restored after every step. The appraisal effects (workflows/appraisal) do not
run here: `Effects` stands in for them and returns what each effect returns, so the gateways
see the data they see in production. The rating tasks are parallel multi-instance tasks: the
engine reports each rater's task as the inner spec "<task id> [child]", assigned to the rater
named by `${rater}` in that child's data.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from lxml import etree
from sqlalchemy import select

from engine.audit import history
from engine.errors import Forbidden
from engine.evaluator import Evaluator
from engine.models import HumanTask, Incident, ProcessInstance, utcnow
from engine.runtime import Actor, Engine, StepCall
from forms.loader import load_form
from tests.sample_data import fill

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS = ROOT / "diagrams"
FORMS = ROOT / "forms"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
CAMUNDA = f"{{{NS['camunda']}}}"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
CHILD = " [child]"  # the engine's name for one instance of a multi-instance task

# --- the contract (docs/appraisal.md) --------------------------------------------------------

PROCESSES = {
    # process -> (name, English name, starter groups, lane roles (None: people named per case),
    # start form)
    "quarterly_appraisal": ("季度绩效考核", "Quarterly appraisal", "admin", [None], None),
    "appraisal_results": (
        "绩效考核结果处理",
        "Appraisal results",
        "admin",
        ["hr", "supervisor", "plant_director", "gm"],
        None,
    ),
    "appraisal_appeal": (
        "绩效申诉",
        "Appraisal appeal",
        "supervisor,customer_service,repair_tech,tech_support",
        [None, "plant_director", "hr", None, None, "gm"],
        "appeal_start",
    ),
}
DIMENSIONS = {
    "specialist": ("individual_results", "work_ability", "work_attitude"),
    "supervisor": ("department_goals", "operating_performance", "management_performance"),
}
LABELS = {
    "individual_results": "个人业绩",
    "work_ability": "工作能力",
    "work_attitude": "工作态度",
    "department_goals": "部门目标",
    "operating_performance": "部门营运绩效",
    "management_performance": "管理绩效",
}
RATING_TASKS = {
    f"rate_{sheet}_{kind}": (f"{sheet}_{kind}", f"{sheet}_raters")
    for kind in DIMENSIONS
    for sheet in ("performance", "competency")
}
# process -> user task -> (form key, candidate groups, assignee)
TASKS = {
    "quarterly_appraisal": {
        task: (form, None, "${rater}") for task, (form, _) in RATING_TASKS.items()
    },
    "appraisal_results": {
        "compile_results": ("compile_results", "hr", None),
        "approve_supervisor": ("approve_results", "supervisor", None),
        "approve_hr": ("approve_results", "hr", None),
        "approve_director": ("approve_results", "plant_director", None),
        "approve_gm": ("approve_results", "gm", None),
        "revise_results": ("revise_results", "hr", None),
    },
    "appraisal_appeal": {
        "accept_appeal": ("accept_appeal", "plant_director", None),
        "organise_hearing": ("organise_hearing", "hr", None),
        "superior_statement": ("superior_statement", None, "${superior}"),
        "mediate_appeal": ("mediate_appeal", None, "${skip_level}"),
        "gm_office_decision": ("gm_office_decision", "gm", None),
        "record_appeal_outcome": ("record_appeal_outcome", "hr", None),
    },
}
# process -> element -> effect
EFFECT_OF = {
    "quarterly_appraisal": dict.fromkeys(RATING_TASKS, "appraisal.rate"),
    "appraisal_results": {
        "compile_results": "sheet.compile",
        "approve_supervisor": "sheet.sign",
        "approve_hr": "sheet.sign",
        "approve_director": "sheet.sign",
        "approve_gm": "sheet.sign",
        "revise_results": "sheet.revise",
    },
    "appraisal_appeal": {"appeal_filed": "appeal.open", "record_appeal_outcome": "appeal.decide"},
}
EFFECTS = frozenset(e for elements in EFFECT_OF.values() for e in elements.values())
ENDS = {
    "quarterly_appraisal": "appraisal_rated",
    "appraisal_results": "results_final",
    "appraisal_appeal": "appeal_closed",
}
SUPERIOR, SKIP_LEVEL = "sup1", "mgr1"  # who appeal.open names for the appellant


def _rate(data: dict) -> dict:
    """appraisal.rate reads the rater and the dimensions of the kind: check they are there."""
    assert isinstance(data["rater"], str) and data["rater"], data
    for key in DIMENSIONS[data["kind"]]:
        assert 0 <= data[key] <= 100, (key, data[key])
    return {}


# what each effect returns, computed from the step's data as the effect would
RETURNS: dict[str, Callable[[dict], dict]] = {
    "appraisal.rate": _rate,
    "sheet.compile": lambda d: {},
    "sheet.sign": lambda d: {"decision": d["decision"]},
    "sheet.revise": lambda d: {},
    "appeal.open": lambda d: {"appeal_id": 3, "superior": SUPERIOR, "skip_level": SKIP_LEVEL},
    "appeal.decide": lambda d: {"outcome": d["outcome"]},
}


class Effects:
    """Stands in for the appraisal effects: a step hook returning what each effect would.

    `calls` lists (step, effect, actor, data) in order, the step as the engine names it.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, dict]] = []

    def __call__(self, call: StepCall) -> dict | None:
        effect = call.properties.get("effect")
        if effect is None:
            return None
        assert effect in EFFECTS, f"{call.step} names an effect outside the contract: {effect}"
        data = dict(call.data)
        self.calls.append((call.step, effect, call.actor.username, data))
        return RETURNS[effect](data)

    def steps(self) -> list[tuple[str, str]]:
        return [(step, effect) for step, effect, _, _ in self.calls]


@pytest.fixture
def effects() -> Effects:
    return Effects()


@pytest.fixture
def engine(deployed, effects) -> Engine:
    found = Engine(Evaluator())
    found.before_step(effects)
    return found


# --- driving an instance through the engine ------------------------------------------------

SYSTEM = Actor("system", frozenset({"admin"}))  # the cycle launch job


def _actor_for(task: HumanTask) -> Actor:
    if task.assignee:
        return Actor(task.assignee, frozenset())
    return Actor(f"someone-{task.role}", frozenset(task.roles))


def _valid(form_key: str, data: dict) -> dict:
    """The data as the app stores it: checked and cleaned by the task's form."""
    form = load_form((FORMS / f"{form_key}.form").read_bytes(), filename=f"{form_key}.form")
    clean, errors = form.validate(data)
    assert not errors, f"{form_key}: {errors}"
    return clean


class Run:
    """One instance, driven step by step; every step loads the instance and saves it again."""

    def __init__(self, session, engine: Engine, process: str, data: dict, actor: Actor) -> None:
        self.session, self.engine = session, engine
        self.instance = engine.start(session, process, data, actor)
        session.commit()

    def open(self) -> list[HumanTask]:
        self.session.expire_all()
        return list(
            self.session.scalars(
                select(HumanTask)
                .where(HumanTask.instance_id == self.instance.id, HumanTask.status == "open")
                .order_by(HumanTask.spec_name, HumanTask.assignee)
            )
        )

    def only(self, spec: str) -> HumanTask:
        rows = self.open()
        assert [row.spec_name for row in rows] == [spec], (spec, [r.spec_name for r in rows])
        return rows[0]

    def complete(self, row: HumanTask, actor: Actor | None = None, **answers: Any) -> None:
        data = _valid(row.form_key, fill(row.form_key, **answers))
        self.engine.complete_task(self.session, row.id, data, actor or _actor_for(row))
        self.session.commit()

    def walk(self, steps: list[tuple[str, dict]]) -> list[HumanTask]:
        """Complete `steps` in order, each the only open task when its turn comes."""
        done = []
        for spec, answers in steps:
            row = self.only(spec)
            self.complete(row, **answers)
            done.append(row)
        return done

    @property
    def status(self) -> str:
        self.session.expire_all()
        return self.session.get(ProcessInstance, self.instance.id).status

    def wait_out_timer(self) -> datetime:
        """Move the clock past the instance's next timer and run the timer job; its due time."""
        self.session.expire_all()
        due = self.session.get(ProcessInstance, self.instance.id).next_timer_at
        assert due is not None
        with time_machine.travel(due + timedelta(seconds=1), tick=False):
            self.engine.fire_timers(self.session, self.instance.id)
            self.session.commit()
        return due

    def passed(self, kind: str) -> list[str]:
        """The steps of one kind (EndEvent, UserTask, ...) the history records."""
        return [
            e.payload["task"]
            for e in history(self.session, self.instance.id)
            if e.payload.get("kind") == kind
        ]


# --- quarterly appraisal: each rater rates in their own task ---------------------------------

# path -> (kind, superior, peers or subordinates)
APPRAISALS = {
    "a supervisor: the superior and five subordinates": (
        "supervisor",
        "mgr1",
        ["cs1", "cs2", "tech1", "tech2", "ts1"],
    ),
    "a specialist: the superior and one peer": ("specialist", "sup1", ["cs2"]),
    "a specialist with no peer: the superior only": ("specialist", "sup1", []),
}


def appraisal_data(kind: str, superior: str, others: list[str], **overrides: Any) -> dict:
    return {
        "cycle_id": 1,
        "appraisal_id": 7,
        "employee": "cs1" if kind == "specialist" else "sup1",
        "employee_name": "张三",
        "kind": kind,
        "performance_raters": [superior],
        "competency_raters": [superior, *others],
        **overrides,
    }


def _scores(kind: str, base: int) -> dict[str, int]:
    return {key: base + i for i, key in enumerate(DIMENSIONS[kind])}


@pytest.mark.parametrize("path", APPRAISALS)
def test_each_rater_gets_their_own_task_and_the_last_rating_ends_it(session, engine, effects, path):
    kind, superior, others = APPRAISALS[path]
    run = Run(
        session, engine, "quarterly_appraisal", appraisal_data(kind, superior, others), SYSTEM
    )
    performance, competency = f"rate_performance_{kind}", f"rate_competency_{kind}"
    expected = {(performance + CHILD, superior)} | {
        (competency + CHILD, rater) for rater in [superior, *others]
    }

    rows = run.open()
    # one task per rater, assigned by name: nobody else may act on it, no role can claim it
    assert {(row.spec_name, row.assignee) for row in rows} == expected
    assert len(rows) == len(expected) == 2 + len(others)
    for row in rows:
        assert row.roles == [] and row.role is None, row.spec_name
        assert row.form_key == row.spec_name.removesuffix(CHILD).removeprefix("rate_")
    intruder = Actor("hr1", frozenset({"hr", "supervisor"}))
    with pytest.raises(Forbidden):
        engine.complete_task(session, rows[0].id, _scores(kind, 80), intruder)
    session.rollback()

    for n, row in enumerate(rows):
        assert run.status == "running"
        run.complete(row, comment=f"评语 {n}", **_scores(kind, 60 + n))
        left = {(r.spec_name, r.assignee) for r in run.open()}
        expected.discard((row.spec_name, row.assignee))
        assert left == expected  # the others' tasks survive the save and restore

    assert run.status == "completed"
    assert run.passed("EndEvent") == ["appraisal_rated"]
    # appraisal.rate ran once per task, as its rater, with that rater's answers
    assert [(step, effect, actor) for step, effect, actor, _ in effects.calls] == [
        (row.spec_name, "appraisal.rate", row.assignee) for row in rows
    ]
    for n, (_, _, actor, data) in enumerate(effects.calls):
        assert data["rater"] == actor
        assert data["comment"] == f"评语 {n}"
        assert {k: data[k] for k in DIMENSIONS[kind]} == _scores(kind, 60 + n)
        assert data["appraisal_id"] == 7


def test_an_unknown_kind_of_position_stops_with_an_incident(session, engine):
    run = Run(
        session,
        engine,
        "quarterly_appraisal",
        {**appraisal_data("specialist", "sup1", []), "kind": "manager"},
        SYSTEM,
    )
    assert run.status == "error"
    assert run.open() == []
    assert session.scalars(select(Incident).where(Incident.instance_id == run.instance.id)).all()


# --- the result sheet: signed in order, a return goes back to HR and starts again ------------

APPROVE = {"decision": "approve"}
RETURN = {"decision": "return", "comment": "末位人员的处理理由不充分，请补充。"}
SIGNERS = ["approve_supervisor", "approve_hr", "approve_director", "approve_gm"]
ROLE_OF = {
    "compile_results": "hr",
    "approve_supervisor": "supervisor",
    "approve_hr": "hr",
    "approve_director": "plant_director",
    "approve_gm": "gm",
    "revise_results": "hr",
}


def _signed(returned_at: str | None = None) -> list[tuple[str, dict]]:
    steps = []
    for signer in SIGNERS:
        steps.append((signer, RETURN if signer == returned_at else APPROVE))
        if signer == returned_at:
            break
    return steps


RESULT_PATHS = {
    "approved at every step": [("compile_results", {}), *_signed()],
    **{
        f"returned by {signer.removeprefix('approve_')}: revised, signed again from the supervisor": [
            ("compile_results", {"decisions_note": "末位人员已在结果表中逐人选择处理方式。"}),
            *_signed(returned_at=signer),
            ("revise_results", {"revision_note": "已补充末位人员的处理理由。"}),
            *_signed(),
        ]
        for signer in SIGNERS
    },
}


@pytest.mark.parametrize("path", RESULT_PATHS)
def test_every_result_sheet_path_reaches_publication(session, engine, effects, path):
    steps = RESULT_PATHS[path]
    run = Run(session, engine, "appraisal_results", {"cycle_id": 1, "quarter": "2026Q3"}, SYSTEM)

    started = utcnow()
    done = run.walk(steps)

    # published: the case waits out the appeal window (7 days) before the results are final
    assert run.open() == []
    assert run.status == "waiting"
    due = run.wait_out_timer()
    assert timedelta(days=7) <= due - started < timedelta(days=7, minutes=1)
    assert run.status == "completed"
    assert run.passed("EndEvent") == ["results_final"]
    assert {row.spec_name: row.roles for row in done} == {
        spec: [ROLE_OF[spec]] for spec, _ in steps
    }
    assert {row.form_key for row in done if row.spec_name in SIGNERS} == {"approve_results"}
    assert effects.steps() == [(spec, EFFECT_OF["appraisal_results"][spec]) for spec, _ in steps]
    signed = [data["decision"] for _, effect, _, data in effects.calls if effect == "sheet.sign"]
    assert signed == [answers["decision"] for spec, answers in steps if spec in SIGNERS]


def test_a_return_by_the_director_climbs_again_from_the_supervisor(session, engine, effects):
    run = Run(session, engine, "appraisal_results", {"cycle_id": 1, "quarter": "2026Q3"}, SYSTEM)
    run.walk([("compile_results", {}), *_signed(returned_at="approve_director")])
    row = run.only("revise_results")
    assert row.roles == ["hr"]
    run.complete(row, revision_note="已按厂长意见修改。")
    run.only("approve_supervisor")  # not back to the director: the whole chain signs again
    run.walk(_signed())
    assert run.status == "waiting"  # on the appeal window
    assert [step for step, _ in effects.steps()] == [
        "compile_results",
        "approve_supervisor",
        "approve_hr",
        "approve_director",
        "revise_results",
        *SIGNERS,
    ]


# --- appeals ---------------------------------------------------------------------------------

APPELLANT = Actor("tech1", frozenset({"repair_tech"}))
HEARD = [
    ("accept_appeal", {}),
    ("organise_hearing", {"hearing_on": "2026-10-12"}),
    ("superior_statement", {"statement": "同级评分按规定收集，计算无误。"}),
]
APPEAL_PATHS = {
    "settled by the skip-level manager: the result upheld": [
        *HEARD,
        ("mediate_appeal", {"settled": "yes"}),
        ("record_appeal_outcome", {"outcome": "upheld", "revised_composite": None}),
    ],
    "not settled: the GM office decides, the score revised": [
        *HEARD,
        ("mediate_appeal", {"settled": "no"}),
        ("gm_office_decision", {"gm_decision": "同意复核，综合得分调整为 78.50。"}),
        ("record_appeal_outcome", {"outcome": "revised", "revised_composite": 78.5}),
    ],
}


def appeal_request() -> dict:
    return _valid(
        "appeal_start", fill("appeal_start", appraisal_id=7, reason="同级评分缺失，综合得分偏低。")
    )


@pytest.mark.parametrize("path", APPEAL_PATHS)
def test_every_appeal_path_reaches_its_end(session, engine, effects, path):
    steps = APPEAL_PATHS[path]
    run = Run(session, engine, "appraisal_appeal", appeal_request(), APPELLANT)

    done = run.walk(steps)

    assert run.open() == []
    assert run.status == "completed"
    assert run.passed("EndEvent") == ["appeal_closed"]
    who = {row.spec_name: (row.roles, row.assignee) for row in done}
    assert who == {
        spec: {
            "accept_appeal": (["plant_director"], None),
            "organise_hearing": (["hr"], None),
            # named by appeal.open: the appellant's direct superior and skip-level manager
            "superior_statement": ([], SUPERIOR),
            "mediate_appeal": ([], SKIP_LEVEL),
            "gm_office_decision": (["gm"], None),
            "record_appeal_outcome": (["hr"], None),
        }[spec]
        for spec, _ in steps
    }
    assert effects.steps() == [
        ("appeal_filed", "appeal.open"),
        ("record_appeal_outcome", "appeal.decide"),
    ]
    _, _, filed_by, filed = effects.calls[0]
    assert (filed_by, filed["appraisal_id"]) == ("tech1", 7)
    decided = effects.calls[1][3]
    assert decided["outcome"] == steps[-1][1]["outcome"]
    assert decided.get("revised_composite") == steps[-1][1]["revised_composite"]


def test_only_the_named_superior_gives_the_statement(session, engine):
    run = Run(session, engine, "appraisal_appeal", appeal_request(), APPELLANT)
    run.walk(HEARD[:2])
    row = run.only("superior_statement")
    other_supervisor = Actor("sup2", frozenset({"supervisor"}))
    with pytest.raises(Forbidden):
        run.complete(row, other_supervisor)
    session.rollback()
    run.complete(row, Actor(SUPERIOR, frozenset({"supervisor"})))
    assert run.only("mediate_appeal").assignee == SKIP_LEVEL


# --- the drawings ----------------------------------------------------------------------------


def _tree(process: str) -> etree._ElementTree:
    return etree.parse(str(DIAGRAMS / f"{process}.bpmn"))


def _property(element, name: str) -> str | None:
    found = element.xpath(
        f"./bpmn:extensionElements/camunda:properties/camunda:property[@name='{name}']/@value",
        namespaces=NS,
    )
    return found[0] if found else None


def test_the_processes_deploy_with_the_others(deployed):
    assert set(deployed) >= {"customer_request", "repair_replacement", *PROCESSES}


@pytest.mark.parametrize("process", PROCESSES)
def test_each_process_is_drawn_in_the_house_dialect(process):
    name, name_en, starters, lanes, start_form = PROCESSES[process]
    tree = _tree(process)
    [element] = tree.xpath("//bpmn:process", namespaces=NS)
    assert (element.get("id"), element.get("name"), _property(element, "name_en")) == (
        process,
        name,
        name_en,
    )
    assert element.get(f"{CAMUNDA}candidateStarterGroups") == starters
    assert [_property(lane, "role") for lane in tree.xpath("//bpmn:lane", namespaces=NS)] == lanes
    for lane in tree.xpath("//bpmn:lane", namespaces=NS):
        assert CHINESE.search(lane.get("name")) and _property(lane, "name_en"), lane.get("id")
    [start] = element.xpath("./bpmn:startEvent", namespaces=NS)
    assert start.get(f"{CAMUNDA}formKey") == start_form
    [end] = element.xpath("./bpmn:endEvent", namespaces=NS)
    assert end.get("id") == ENDS[process]
    drawn = {
        node.get("id"): (
            node.get(f"{CAMUNDA}formKey"),
            node.get(f"{CAMUNDA}candidateGroups"),
            node.get(f"{CAMUNDA}assignee"),
        )
        for node in tree.xpath("//bpmn:userTask", namespaces=NS)
    }
    assert drawn == TASKS[process]
    effects = {
        el.get("id"): _property(el, "effect")
        for el in tree.xpath("//*[@id]", namespaces=NS)
        if _property(el, "effect")
    }
    assert effects == EFFECT_OF[process]
    for node in tree.xpath("//bpmn:userTask | //bpmn:endEvent | //bpmn:startEvent", namespaces=NS):
        assert CHINESE.search(node.get("name") or ""), node.get("id")
        assert _property(node, "name_en"), node.get("id")
    # a task whose lane carries a role is done by that role; one in a lane of people named
    # per case names its person
    lane_role = {
        ref: _property(lane, "role")
        for lane in tree.xpath("//bpmn:lane", namespaces=NS)
        for ref in lane.xpath("./bpmn:flowNodeRef/text()", namespaces=NS)
    }
    for task_id, (_, groups, assignee) in drawn.items():
        assert groups == lane_role[task_id], task_id
        assert (assignee is not None) == (groups is None), task_id


def test_the_rating_tasks_are_parallel_multi_instance_per_rater():
    tree = _tree("quarterly_appraisal")
    for task_id, (_, collection) in RATING_TASKS.items():
        [loop] = tree.xpath(
            f"//bpmn:userTask[@id='{task_id}']/bpmn:multiInstanceLoopCharacteristics",
            namespaces=NS,
        )
        assert loop.get("isSequential") == "false"
        assert loop.get(f"{CAMUNDA}collection") == collection
        assert loop.get(f"{CAMUNDA}elementVariable") == "rater"
    [kind] = tree.xpath("//bpmn:exclusiveGateway[@id='kind_check']", namespaces=NS)
    conditions = {
        f.get("targetRef"): f.findtext("bpmn:conditionExpression", namespaces=NS)
        for f in tree.xpath("//bpmn:sequenceFlow[@sourceRef='kind_check']", namespaces=NS)
    }
    assert conditions == {
        "supervisor_forms": 'kind == "supervisor"',
        "specialist_forms": 'kind == "specialist"',
    }
    assert kind.get("default") is None  # an unknown kind is an incident, not a guess


def test_every_signature_can_return_the_sheet_to_hr():
    tree = _tree("appraisal_results")
    for signer in SIGNERS:
        [gateway] = tree.xpath(
            f"//bpmn:sequenceFlow[@sourceRef='{signer}']/@targetRef", namespaces=NS
        )
        leaving = tree.xpath(f"//bpmn:sequenceFlow[@sourceRef='{gateway}']", namespaces=NS)
        returned = {
            f.get("targetRef"): f.findtext("bpmn:conditionExpression", namespaces=NS)
            for f in leaving
        }
        assert returned["revise_results"] == 'decision == "return"', signer
        [approved] = [f for f in leaving if f.get("targetRef") != "revise_results"]
        default = tree.xpath(f"//*[@id='{gateway}']/@default", namespaces=NS)
        assert default == [approved.get("id")], signer
    [back] = tree.xpath(
        "//bpmn:sequenceFlow[@sourceRef='revise_results']/@targetRef", namespaces=NS
    )
    assert back == "approve_supervisor"


def test_what_the_department_cannot_settle_goes_to_the_gm_office():
    tree = _tree("appraisal_appeal")
    leaving = tree.xpath("//bpmn:sequenceFlow[@sourceRef='settled_check']", namespaces=NS)
    assert {
        f.get("targetRef"): f.findtext("bpmn:conditionExpression", namespaces=NS) for f in leaving
    } == {"record_appeal_outcome": 'settled == "yes"', "gm_office_decision": None}
    [to_gm] = [f for f in leaving if f.get("targetRef") == "gm_office_decision"]
    assert tree.xpath("//*[@id='settled_check']/@default", namespaces=NS) == [to_gm.get("id")]


@pytest.mark.parametrize("process", PROCESSES)
def test_the_committed_diagram_is_what_the_layout_tool_writes(process):
    """Edit diagrams/tools/<process>.py and run diagrams/tools/layout.py, never the .bpmn."""
    sys.path.insert(0, str(DIAGRAMS / "tools"))
    try:
        import bpmn_kit
        import layout

        module = __import__(process)
    finally:
        sys.path.remove(str(DIAGRAMS / "tools"))
    assert module.DIAGRAM in layout.DIAGRAMS
    assert bpmn_kit.render(module.DIAGRAM) == (DIAGRAMS / f"{process}.bpmn").read_text(
        encoding="utf-8"
    )


def _bounds(tree, element_id: str) -> tuple[float, float, float, float]:
    [b] = tree.xpath(f"//bpmndi:BPMNShape[@bpmnElement='{element_id}']/dc:Bounds", namespaces=NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


@pytest.mark.parametrize("process", PROCESSES)
def test_every_element_is_drawn_and_inside_its_lane(process):
    tree = _tree(process)
    drawn = set(tree.xpath("//bpmndi:BPMNShape/@bpmnElement", namespaces=NS))
    nodes = tree.xpath(
        "//bpmn:process//*[@id][not(self::bpmn:sequenceFlow or self::bpmn:laneSet"
        " or self::bpmn:timerEventDefinition or ancestor::bpmn:extensionElements)]",
        namespaces=NS,
    )
    assert {n.get("id") for n in nodes} <= drawn
    for flow in tree.xpath("//bpmn:sequenceFlow", namespaces=NS):
        edges = tree.xpath(f"//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", namespaces=NS)
        assert len(edges) == 1, flow.get("id")
        assert len(edges[0].xpath("./di:waypoint", namespaces=NS)) >= 2, flow.get("id")
    for lane in tree.xpath("//bpmn:lane", namespaces=NS):
        _, lane_y, _, lane_h = _bounds(tree, lane.get("id"))
        for node_id in lane.xpath("./bpmn:flowNodeRef/text()", namespaces=NS):
            _, y, _, h = _bounds(tree, node_id)
            assert lane_y <= y and y + h <= lane_y + lane_h, node_id


# --- the forms -------------------------------------------------------------------------------


def _form(form_key: str) -> dict:
    return json.loads((FORMS / f"{form_key}.form").read_text(encoding="utf-8"))


def _fields(form_key: str) -> dict[str, dict]:
    return {c["key"]: c for c in _form(form_key)["components"] if c.get("key")}


def _form_keys() -> set[str]:
    keys = set()
    for process in PROCESSES:
        keys |= set(_tree(process).xpath("//@camunda:formKey", namespaces=NS))
    return keys


def test_every_form_of_the_contract_exists_and_loads():
    keys = _form_keys()
    assert keys == {
        "performance_specialist",
        "performance_supervisor",
        "competency_specialist",
        "competency_supervisor",
        "compile_results",
        "approve_results",
        "revise_results",
        "appeal_start",
        "accept_appeal",
        "organise_hearing",
        "superior_statement",
        "mediate_appeal",
        "gm_office_decision",
        "record_appeal_outcome",
    }
    for key in keys:
        form = load_form((FORMS / f"{key}.form").read_bytes(), filename=f"{key}.form")
        assert form.key == key


@pytest.mark.parametrize("form_key", sorted(f for f, _ in RATING_TASKS.values()))
def test_a_rating_form_asks_the_three_dimensions_of_its_kind(form_key):
    sheet, kind = form_key.split("_")
    raw = _form(form_key)
    title = {"performance": "工作业绩评估表", "competency": "综合能力评估表"}[sheet]
    assert raw["title"] == title and raw["translations"]["en"][title]
    fields = _fields(form_key)
    editable = {k: c for k, c in fields.items() if not c.get("readonly")}
    assert set(editable) == {*DIMENSIONS[kind], "comment"}
    for key in DIMENSIONS[kind]:
        c = fields[key]
        assert (c["type"], c["label"]) == ("number", LABELS[key])
        assert c["validate"] == {"required": True, "min": 0, "max": 100}
        assert c["decimalDigits"] == 0
    assert fields["comment"]["type"] == "textarea"
    assert not fields["comment"]["validate"].get("required")
    form = load_form((FORMS / f"{form_key}.form").read_bytes(), filename=f"{form_key}.form")
    _, errors = form.validate({**dict.fromkeys(DIMENSIONS[kind], 101)})
    assert set(errors) == set(DIMENSIONS[kind])


def _choice(form_key: str, key: str) -> list[str]:
    c = _fields(form_key)[key]
    assert c["type"] == "radio" and c["validate"]["required"], (form_key, key)
    return [v["value"] for v in c["values"]]


def test_the_result_sheet_and_appeal_forms_carry_the_contract_fields():
    compile_ = _fields("compile_results")
    assert compile_["decisions_note"]["type"] == "textarea"
    assert not compile_["decisions_note"]["validate"].get("required")
    texts = [c["text"] for c in _form("compile_results")["components"] if c["type"] == "text"]
    assert any("考核结果处理表页面" in t and "逐人" in t for t in texts)

    assert _choice("approve_results", "decision") == ["approve", "return"]
    assert _fields("approve_results")["comment"]["type"] == "textarea"
    assert _fields("revise_results")["revision_note"]["validate"]["required"]

    start = _fields("appeal_start")
    assert (
        start["appraisal_id"]["type"] == "number" and start["appraisal_id"]["validate"]["required"]
    )
    assert start["reason"]["type"] == "textarea"
    assert (
        start["reason"]["validate"]["minLength"] == 10 and start["reason"]["validate"]["required"]
    )

    assert _choice("mediate_appeal", "settled") == ["yes", "no"]
    assert _choice("record_appeal_outcome", "outcome") == ["upheld", "revised"]
    outcome = _fields("record_appeal_outcome")
    revised = outcome["revised_composite"]
    assert revised["type"] == "number" and not revised["validate"].get("required")
    assert (revised["validate"]["min"], revised["validate"]["max"]) == (0, 100)
    assert (
        outcome["outcome_reason"]["type"] == "textarea"
        and outcome["outcome_reason"]["validate"]["required"]
    )
    for key in ("gm_office_decision", "mediate_appeal"):
        assert any(c["type"] == "textarea" and not c.get("readonly") for c in _fields(key).values())


def test_every_text_of_the_forms_has_its_english():
    for form_key in sorted(_form_keys()):
        raw = _form(form_key)
        english = raw["translations"]["en"]
        texts = [raw.get("title")]
        for c in raw["components"]:
            texts += [c.get("label"), c.get("dateLabel"), c.get("description"), c.get("text")]
            texts += [v["label"] for v in c.get("values", [])]
        for text in filter(None, texts):
            assert english.get(text), (form_key, text)
