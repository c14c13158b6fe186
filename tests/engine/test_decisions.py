"""Decision tables the application evaluates itself: compiled like deploy reads them, evaluated
on the restricted evaluator, deployed alone and versioned, checked by the application."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.bundle import DeployRejected
from engine.decisions import DecisionError, compile_table, latest_decision, latest_decisions
from engine.definitions import latest_definition, latest_forms
from engine.errors import NotFound
from engine.evaluator import Evaluator
from engine.models import AuditEvent, DecisionDefinition
from engine.runtime import Actor, Engine

OWNER = Actor("owner", frozenset({"process_owner"}))

GRADES = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="D" namespace="http://aftersales">
  <decision id="KEY" name="Grade by score">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_score" label="Score"><inputExpression id="ie" typeRef="number"><text>score</text></inputExpression></input>
      <output id="out_grade" label="Grade" name="grade" typeRef="string"/>
      <rule id="r1"><inputEntry id="c1"><text>&gt;= 90</text></inputEntry><outputEntry id="o1"><text>"A"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="c2"><text>&gt;= 60.1</text></inputEntry><outputEntry id="o2"><text>"B"</text></outputEntry></rule>
      <rule id="r3"><inputEntry id="c3"><text>&gt;= 60</text></inputEntry><outputEntry id="o3"><text>"C"</text></outputEntry></rule>
      <rule id="r4"><inputEntry id="c4"><text>LAST</text></inputEntry><outputEntry id="o4"><text>OUTPUT</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def grades(key: str = "grade_by_score", last: str = "-", output: str = '"D"') -> str:
    return GRADES.replace("KEY", key).replace("LAST", last).replace("OUTPUT", output)


def table(source: str | None = None):
    return compile_table("grades.dmn", source or grades(), Evaluator())


# -- compiling and evaluating ---------------------------------------------------------------------


def test_a_compiled_table_names_its_columns():
    compiled = table()
    assert (compiled.key, compiled.name) == ("grade_by_score", "Grade by score")
    assert compiled.inputs == ("score",) and compiled.outputs == ("grade",)


@pytest.mark.parametrize(
    "score, grade",
    [
        ("100", "A"),
        ("90.00", "A"),
        ("89.99", "B"),
        ("60.10", "B"),  # a Decimal meets the float 60.1 as written, not as 60.1000000000000014
        ("60.09", "C"),
        ("60.00", "C"),
        ("60", "C"),
        ("59.99", "D"),
        ("0", "D"),
    ],
)
def test_first_hit_grades_decimal_scores_at_the_edges(score, grade):
    assert table().evaluate({"score": Decimal(score)}) == {"grade": grade}


def test_int_and_float_scores_grade_like_decimals():
    compiled = table()
    assert compiled.evaluate({"score": 90}) == {"grade": "A"}
    assert compiled.evaluate({"score": 60.1}) == {"grade": "B"}
    assert compiled.evaluate({"score": 59.99}) == {"grade": "D"}


def test_collect_gives_every_matching_rule():
    source = grades().replace('hitPolicy="FIRST"', 'hitPolicy="COLLECT"')
    assert table(source).evaluate({"score": Decimal("95")}) == {"grade": ["A", "B", "C", "D"]}


def test_no_matching_rule_is_a_decision_error_in_both_languages():
    compiled = table(grades(last="&lt; 0"))
    with pytest.raises(DecisionError) as caught:
        compiled.evaluate({"score": Decimal("12.50")})
    error = caught.value
    assert 'No rule of the decision "Grade by score" (grade_by_score) matches score = 12.50' in (
        error.message
    )
    assert (
        "决策“Grade by score”（grade_by_score）没有与 score = 12.50 匹配的规则" in error.message_zh
    )
    assert error.text("zh_CN") == error.message_zh and error.text("en") == error.message


def test_a_failing_output_cell_names_its_rule_and_column():
    compiled = table(grades(output="score / zero"))
    with pytest.raises(DecisionError) as caught:
        compiled.evaluate({"score": Decimal("10"), "zero": 0})
    error = caught.value
    assert 'could not be evaluated: rule 4, column "Grade" (score / zero)' in error.message
    assert "第 4 条规则的“Grade”列（score / zero）" in error.message_zh
    assert "Division by zero" in error.message and "除数为零" in error.message_zh


def test_a_failing_input_cell_names_its_rule_and_column():
    compiled = table(grades(last="? &lt; limit"))
    with pytest.raises(DecisionError) as caught:
        compiled.evaluate({"score": Decimal("10")})
    assert 'rule 4, column "Score" (? < limit)' in caught.value.message
    assert "'limit' is not defined" in caught.value.message
    assert "第 4 条规则的“Score”列" in caught.value.message_zh


def test_a_missing_input_is_a_decision_error_not_a_crash():
    with pytest.raises(DecisionError) as caught:
        table().evaluate({"points": 3})
    assert "rule 1" in caught.value.message and "'score' is not defined" in caught.value.message


def test_cells_run_on_the_restricted_evaluator():
    items: list[int] = []
    with pytest.raises(DecisionError) as caught:  # plain eval would append
        table(grades(output="items.append(1)")).evaluate({"score": Decimal(1), "items": items})
    assert "cannot change data" in caught.value.message and items == []
    for refused in ("__import__('os').getcwd()", "open('/etc/passwd').read()"):
        with pytest.raises(DeployRejected):  # refused when compiled, as at deploy
            table(grades(output=refused))


def test_a_broken_source_is_refused_like_a_deploy():
    with pytest.raises(DeployRejected) as caught:
        table(grades(last="[1..10]"))
    assert any("1 <= ? <= 10" in p.message for p in caught.value.problems)
    with pytest.raises(DeployRejected) as caught:
        compile_table("x.dmn", b"<nope", Evaluator())
    assert caught.value.problems[0].file == "x.dmn"


def test_decimal_comparisons_with_float_literals_in_expressions():
    evaluator = Evaluator()
    score = {"s": Decimal("60.10"), "f": 0.1}
    assert evaluator.evaluate("s >= 60.1", score) is True
    assert evaluator.evaluate("s == 60.1", score) is True
    assert evaluator.evaluate("60 <= s < 60.1", score) is False
    assert evaluator.evaluate("60.1 <= s <= 60.2", score) is True
    assert evaluator.evaluate("s > -0.5", score) is True
    # floats among themselves keep Python's meaning
    assert evaluator.evaluate("f + 0.2 == 0.3", score) is False
    # a chain stops at the first false comparison, as in Python
    assert evaluator.evaluate("2 < 1.5 < not_defined", score) is False


# -- deploying --------------------------------------------------------------------------------------


def no_problems(compiled) -> list[tuple[str, str]]:
    return []


def top_grade_is_a(compiled) -> list[tuple[str, str]]:
    grade = compiled.evaluate({"score": Decimal(100)})["grade"]
    return [] if grade == "A" else [(f"100 grades {grade}.", f"100 分评为 {grade}。")]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(decision_checks={"grade_by_score": top_grade_is_a, "other": no_problems})


def count(session, key: str) -> int:
    return session.scalar(
        select(func.count()).select_from(DecisionDefinition).where(DecisionDefinition.key == key)
    )


def test_a_standalone_decision_deploys_alone_and_is_versioned(session, engine):
    first = engine.deploy(session, {"grades.dmn": grades().encode()}, OWNER)
    assert [(d.kind, d.created, d.definition.version) for d in first] == [("decision", True, 1)]
    stored = first[0].definition
    assert (stored.key, stored.name, stored.filename) == (
        "grade_by_score",
        "Grade by score",
        "grades.dmn",
    )
    assert stored.source == grades() and stored.deployed_by == "owner"
    audit = session.scalars(select(AuditEvent).where(AuditEvent.kind == "deploy")).all()
    assert {"key": "grade_by_score", "version": 1, "kind": "decision"} in [a.payload for a in audit]

    again = engine.deploy(session, {"grades.dmn": grades().encode()}, OWNER)
    assert [(d.created, d.definition.id) for d in again] == [(False, stored.id)]
    assert count(session, "grade_by_score") == 1

    changed = grades().replace('"D"', '"E"')
    second = engine.deploy(session, {"grades.dmn": changed.encode()}, OWNER)[0]
    assert second.created and second.definition.version == 2
    assert latest_decision(session, "grade_by_score").id == second.definition.id
    assert "grade_by_score" in [d.key for d in latest_decisions(session)]
    assert [d.version for d in latest_decisions(session) if d.key == "grade_by_score"] == [2]


def test_a_decision_the_application_does_not_evaluate_needs_a_process(session, engine):
    with pytest.raises(DeployRejected) as caught:
        engine.deploy(session, {"lonely.dmn": grades(key="lonely").encode()}, OWNER)
    (problem,) = caught.value.problems
    assert 'No process in this upload uses the decision "Grade by score"' in problem.message
    assert "uploaded alone: grade_by_score, other." in problem.message
    assert "单独上传：grade_by_score、other。" in problem.message_zh
    assert count(session, "lonely") == 0
    # an engine that evaluates no decision itself does not mention any
    with pytest.raises(DeployRejected) as caught:
        Engine().deploy(session, {"grades.dmn": grades().encode()}, OWNER)
    assert caught.value.problems[0].message.endswith("refers to it.")


def test_a_check_that_finds_problems_refuses_the_whole_upload(session, engine):
    bad = grades().replace('<text>"A"</text>', '<text>"B"</text>')
    files = {"grades.dmn": bad.encode(), "other.dmn": grades(key="other").encode()}
    with pytest.raises(DeployRejected) as caught:
        engine.deploy(session, files, OWNER)
    (problem,) = caught.value.problems
    assert problem.file == "grades.dmn" and problem.element_id == "grade_by_score"
    assert problem.line == 3
    assert problem.message == (
        'The decision "Grade by score" (grade_by_score) in grades.dmn cannot be deployed: '
        "100 grades B. Correct the table and upload it again."
    )
    assert "100 分评为 B。" in problem.message_zh and "grades.dmn" in problem.message_zh
    # nothing stored, not even the acceptable table of the same upload
    assert count(session, "grade_by_score") == 0 and count(session, "other") == 0


def test_a_check_that_lets_a_decision_error_through_is_a_problem(session, engine):
    failing = grades(last="? &lt; limit")
    with pytest.raises(DeployRejected) as caught:
        Engine(
            decision_checks={"grade_by_score": lambda t: t.evaluate({"score": 1}) and []}
        ).deploy(session, {"grades.dmn": failing.encode()}, OWNER)
    assert "'limit' is not defined" in caught.value.problems[0].message


def test_decisions_used_by_processes_are_stored_after_the_processes(session, engine):
    process = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="graded" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="rate"/>
    <bpmn:businessRuleTask id="rate" name="Rate" camunda:decisionRef="used_grades"/>
    <bpmn:sequenceFlow id="f2" sourceRef="rate" targetRef="e"/><bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""
    files = {"graded.bpmn": process, "used.dmn": grades(key="used_grades").encode()}
    deployed = engine.deploy(session, files, OWNER)
    assert [(d.kind, d.definition.key) for d in deployed] == [
        ("process", "graded"),
        ("decision", "used_grades"),
    ]
    # uploading the table alone gives the process a new version, and the table one
    changed = grades(key="used_grades").replace('"D"', '"E"').encode()
    again = engine.deploy(session, {"used.dmn": changed}, OWNER)
    assert [(d.kind, d.definition.version, d.created) for d in again] == [
        ("process", 2, True),
        ("decision", 2, True),
    ]


# -- the engine's compiled tables -----------------------------------------------------------------


def test_each_stored_version_evaluates_its_own_rules_and_is_cached(session, engine):
    first = engine.deploy(session, {"grades.dmn": grades().encode()}, OWNER)[0].definition
    second = engine.deploy(session, {"grades.dmn": grades().replace('"D"', '"E"').encode()}, OWNER)[
        0
    ].definition
    old, new = engine.decision_table(session, first.id), engine.decision_table(session, second.id)
    assert old.evaluate({"score": Decimal("10")}) == {"grade": "D"}
    assert new.evaluate({"score": Decimal("10")}) == {"grade": "E"}
    assert engine.decision_table(session, first.id) is old
    found, table_ = engine.latest_decision_table(session, "grade_by_score")
    assert found.id == second.id and table_ is new
    assert engine.latest_decision_table(session, "never_deployed") is None


def test_an_unknown_decision_version_is_not_found(session, engine):
    with pytest.raises(NotFound) as caught:
        engine.decision_table(session, 987654)
    assert "987654" in caught.value.message and "987654" in caught.value.message_zh


def test_the_shipped_set_at_start_up_keeps_what_was_deployed_since(session, engine):
    """`keep_edits`: a file identical to an earlier version does not replace a newer one;
    without it (an upload), deploying the earlier text again makes it current again."""
    shipped = grades(key="other")
    edited = shipped.replace('"D"', '"E"')
    first = engine.deploy(session, {"other.dmn": shipped.encode()}, OWNER)[0].definition
    edit = engine.deploy(session, {"other.dmn": edited.encode()}, OWNER)[0].definition
    restart = engine.deploy(session, {"other.dmn": shipped.encode()}, OWNER, keep_edits=True)
    assert [(d.created, d.definition.id) for d in restart] == [(False, first.id)]
    assert latest_decision(session, "other").id == edit.id
    # a shipped file that changed is deployed, edits or not
    upgraded = shipped.replace('"D"', '"F"')
    release = engine.deploy(session, {"other.dmn": upgraded.encode()}, OWNER, keep_edits=True)
    assert release[0].created and latest_decision(session, "other").version == 3
    # an upload of the first text is a deliberate rollback: a new version with that text
    rollback = engine.deploy(session, {"other.dmn": shipped.encode()}, OWNER)[0]
    assert rollback.created and rollback.definition.checksum == first.checksum


FORM = """{"id": "%s", "type": "default", "components": [
  {"type": "textfield", "key": "note", "label": "%s"}]}"""
USES_FORM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="noted" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t1"/>
    <bpmn:userTask id="t1" camunda:formKey="note_form" camunda:candidateGroups="admin"/>
    <bpmn:sequenceFlow id="f2" sourceRef="t1" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_form_deployed_again_after_an_edit(session, engine):
    """An earlier form's text uploaded again becomes current (one stored row per text); at
    start-up (`keep_edits`) the edit stays."""
    shipped, edited = FORM % ("note_form", "备注"), FORM % ("note_form", "说明")
    bpmn = USES_FORM.encode()
    engine.deploy(session, {"noted.bpmn": bpmn, "note_form.form": shipped.encode()}, OWNER)
    engine.deploy(session, {"note_form.form": edited.encode()}, OWNER)
    assert "说明" in latest_forms(session)["note_form"]
    restart = {"noted.bpmn": bpmn, "note_form.form": shipped.encode()}
    engine.deploy(session, restart, OWNER, keep_edits=True)
    assert "说明" in latest_forms(session)["note_form"]
    engine.deploy(session, {"note_form.form": shipped.encode()}, OWNER)
    assert "备注" in latest_forms(session)["note_form"]
    assert "备注" in json.dumps(latest_definition(session, "noted").forms, ensure_ascii=False)
