"""Launching a quarter: who is appraised and by whom (from the org chart), one appraisal per
person however often the launch runs or wherever it stopped, and the scores the last rating
computes with the cycle's own copy of the weights.

The processes are stand-ins that end at once, so these tests need neither the appraisal
diagrams nor leave tasks in anyone's inbox. Each test launches its own quarter.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import ProcessInstance
from engine.runtime import Actor
from workflows.appraisal import grades, operations, queries, scoring
from workflows.appraisal.models import (
    Appeal,
    Appraisal,
    AppraisalCycle,
    Approval,
    RaterAssignment,
    Rating,
    ScoreRevision,
)
from workflows.org.models import User
from workflows.org.queries import user_by_name

HR = Actor("hr", frozenset({"hr"}))
OWNER = Actor("owner", frozenset({"process_owner"}))
DEMO_APPRAISED = {"supervisor", "cs1", "cs2", "tech1", "tech2", "install1"}
DEMO_NOT_APPRAISED = {"quality1", "returns1", "parts1", "manager", "hr", "director", "gm"}
STAND_IN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_{key}"
                  targetNamespace="https://aftersales.example/tests">
  <bpmn:process id="{key}" name="{key}" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""
KEYS = {"appraisal_process": "stand_in_appraisal", "results_process": "stand_in_results"}
QUARTERS = ("2031Q1", "2031Q2", "2031Q4", "2032Q1", "2032Q2", "2032Q3")


def forget_quarters(session, quarters) -> None:
    """Remove the appraisal records of these quarters (their cases stay, ended), so tests that
    count someone's results elsewhere in the session see only their own."""
    cycles = select(AppraisalCycle.id).where(AppraisalCycle.quarter.in_(quarters))
    appraisals = select(Appraisal.id).where(Appraisal.cycle_id.in_(cycles))
    assignments = select(RaterAssignment.id).where(RaterAssignment.appraisal_id.in_(appraisals))
    for stmt in (
        delete(ScoreRevision).where(ScoreRevision.appraisal_id.in_(appraisals)),
        delete(Appeal).where(Appeal.appraisal_id.in_(appraisals)),
        delete(Rating).where(Rating.assignment_id.in_(assignments)),
        delete(RaterAssignment).where(RaterAssignment.appraisal_id.in_(appraisals)),
        delete(Approval).where(Approval.cycle_id.in_(cycles)),
        delete(Appraisal).where(Appraisal.cycle_id.in_(cycles)),
        delete(AppraisalCycle).where(AppraisalCycle.quarter.in_(quarters)),
    ):
        session.execute(stmt)
    session.commit()


@pytest.fixture(scope="module")
def stand_ins(app):
    from webapp.extensions import db
    from workflows.runtime import get_engine

    with app.app_context():
        files = {f"{k}.bpmn": STAND_IN.format(key=k).encode() for k in KEYS.values()}
        get_engine().deploy(db.session, files, OWNER)
        db.session.commit()
    return KEYS


@pytest.fixture(scope="module", autouse=True)
def forgotten(app):
    yield
    from webapp.extensions import db

    with app.app_context():
        forget_quarters(db.session, QUARTERS)


@pytest.fixture
def db(app, stand_ins):
    from webapp.extensions import db

    with app.app_context():
        yield db.session
        db.session.rollback()


def _demo(scope) -> dict[str, queries.Appraisee]:
    return {p.username: p for p in scope if p.username in DEMO_APPRAISED | DEMO_NOT_APPRAISED}


def _reports_of(db, username: str) -> tuple[str, ...]:
    boss = user_by_name(db, username)
    return tuple(
        db.scalars(
            select(User.username)
            .where(User.manager_id == boss.id, User.active.is_(True))
            .order_by(User.username)
        )
    )


def test_the_supervisor_and_the_specialists_under_them_are_appraised(db):
    people = _demo(queries.appraisal_scope(db))
    assert set(people) == DEMO_APPRAISED
    assert people["supervisor"].kind == "supervisor"
    assert {people[u].kind for u in DEMO_APPRAISED - {"supervisor"}} == {"specialist"}


def test_raters_come_from_the_org_chart(db):
    people = _demo(queries.appraisal_scope(db))
    supervisor = people["supervisor"]
    assert supervisor.superior == "manager"
    # every active direct report rates the supervisor, specialists or not
    assert supervisor.subordinates == _reports_of(db, "supervisor")
    assert {"cs1", "cs2", "tech1", "tech2", "install1", "quality1", "returns1", "parts1"} <= set(
        supervisor.subordinates
    )
    assert supervisor.peers == ()
    assert supervisor.performance_raters == ["manager"]
    assert supervisor.competency_raters == ["manager", *supervisor.subordinates]

    cs1 = people["cs1"]
    assert (cs1.superior, cs1.peers, cs1.subordinates) == ("supervisor", ("cs2",), ())
    assert cs1.competency_raters == ["supervisor", "cs2"]
    assert (people["tech2"].peers, people["tech1"].peers) == (("tech1",), ("tech2",))

    install1 = people["install1"]
    assert (install1.superior, install1.peers, install1.subordinates) == ("supervisor", (), ())
    assert install1.assignments() == [
        ("supervisor", "superior", "performance"),
        ("supervisor", "superior", "competency"),
    ]


def test_someone_who_left_is_neither_appraised_nor_a_rater(db):
    user_by_name(db, "tech2").active = False
    db.flush()
    people = _demo(queries.appraisal_scope(db))
    assert "tech2" not in people
    assert people["tech1"].peers == ()
    assert "tech2" not in people["supervisor"].subordinates
    db.rollback()


def _launch(db, quarter: str, commit=None) -> AppraisalCycle:
    cycle = operations.create_cycle(db, quarter, HR)
    db.commit()
    operations.launch_cycle(db, cycle.id, commit or db.commit, **KEYS)
    return db.get(AppraisalCycle, cycle.id)


def _appraisals(db, cycle_id: int) -> list[Appraisal]:
    return list(
        db.scalars(
            select(Appraisal).where(Appraisal.cycle_id == cycle_id).order_by(Appraisal.employee)
        )
    )


def _instances(db, quarter: str) -> dict[str, int]:
    keys = db.execute(
        select(ProcessInstance.business_key, func.count())
        .where(ProcessInstance.business_key.like(f"appraisal%:{quarter}%"))
        .group_by(ProcessInstance.business_key)
    ).all()
    return dict(keys)


def test_a_launch_run_twice_starts_one_appraisal_per_person(db):
    cycle = _launch(db, "2031Q1")
    scope = {p.username: p for p in queries.appraisal_scope(db)}
    appraisals = _appraisals(db, cycle.id)
    assert [a.employee for a in appraisals] == sorted(scope)
    assert (cycle.status, cycle.total) == ("rating", len(scope))
    assert cycle.sheet_instance_id is not None

    again = operations.launch_cycle(db, cycle.id, db.commit, **KEYS)
    assert again.status == "rating"
    for person in scope.values():
        assert operations.launch_person(db, cycle.id, person) is None
    assert len(_appraisals(db, cycle.id)) == len(scope)
    started = _instances(db, "2031Q1")
    assert set(started.values()) == {1}
    assert len(started) == len(scope) + 1  # and the one result sheet

    cs1 = next(a for a in appraisals if a.employee == "cs1")
    instance = db.get(ProcessInstance, cs1.instance_id)
    assert instance.process_key == "stand_in_appraisal"
    assert instance.started_by == "system"
    assert instance.summary["performance_raters"] == ["supervisor"]
    assert instance.summary["competency_raters"] == ["supervisor", "cs2"]
    assert {k: instance.summary[k] for k in ("kind", "employee", "appraisal_id", "cycle_id")} == {
        "kind": "specialist",
        "employee": "cs1",
        "appraisal_id": cs1.id,
        "cycle_id": cycle.id,
    }
    assert sorted((a.rater, a.group, a.form) for a in cs1.assignments) == [
        ("cs2", "peer", "competency"),
        ("supervisor", "superior", "competency"),
        ("supervisor", "superior", "performance"),
    ]


def test_a_launch_that_stopped_half_way_resumes_without_duplicates(db):
    cycle = operations.create_cycle(db, "2031Q2", HR)
    db.commit()
    commits = 0

    def worker_lost_at_the_third_person():
        nonlocal commits
        commits += 1
        if commits == 3:
            raise RuntimeError("worker lost")  # before this person's transaction commits
        db.commit()

    with pytest.raises(RuntimeError):
        operations.launch_cycle(db, cycle.id, worker_lost_at_the_third_person, **KEYS)
    db.rollback()
    assert len(_appraisals(db, cycle.id)) == 2
    assert db.get(AppraisalCycle, cycle.id).status == "launching"
    assert db.get(AppraisalCycle, cycle.id).sheet_instance_id is None

    operations.launch_cycle(db, cycle.id, db.commit, **KEYS)
    scope = sorted(p.username for p in queries.appraisal_scope(db))
    assert [a.employee for a in _appraisals(db, cycle.id)] == scope
    started = _instances(db, "2031Q2")
    assert set(started.values()) == {1}
    assert len(started) == len(scope) + 1
    assert db.get(AppraisalCycle, cycle.id).status == "rating"


def test_a_quarter_is_launched_once_and_written_properly(db):
    with pytest.raises(InvalidData) as malformed:
        operations.create_cycle(db, "2031Q5", HR)
    assert "quarter" in malformed.value.errors
    for bad in ("2031-Q1", "Q1 2031", "", None, 20311):
        with pytest.raises(InvalidData):
            operations.create_cycle(db, bad, HR)
    operations.create_cycle(db, "2031Q4", HR)
    db.commit()
    with pytest.raises(Conflict):
        operations.create_cycle(db, "2031Q4", HR)
    with pytest.raises(Forbidden):
        operations.create_cycle(db, "2032Q4", Actor("gm", frozenset({"gm"})))


def _form(values: tuple, kind: str = "specialist") -> dict:
    return dict(zip(scoring.DIMENSIONS[kind], values, strict=True))


def _rate_everyone(db, appraisal: Appraisal, scores: dict[str, int]) -> None:
    dims = scoring.DIMENSIONS[appraisal.kind]
    for assignment in list(appraisal.assignments):
        values = {d: scores[assignment.rater] for d in dims}
        operations.record_rating(db, appraisal.id, assignment.rater, assignment.form, values)


def test_the_last_rating_scores_with_the_weights_and_grades_the_cycle_was_launched_with(db):
    cycle = _launch(db, "2032Q1")
    launched_with = cycle.grade_table_id
    # HR changes the weights and the grades after the launch: this quarter keeps its copy of
    # the weights and its version of the grade table (优 from 85 would make cs1's 89.67 优)
    before = dict(queries.current_settings(db).weights)
    changed = {**scoring.DEFAULT_WEIGHTS, "no_subordinates": {"superior": 25, "peers": 75}}
    operations.update_settings(db, changed, {"优": 85, "良": 80, "中": 70, "较差": 60}, HR)
    db.commit()
    newer, _ = grades.current_table(db)
    assert newer.id != launched_with and newer.deployed_by == "hr"
    try:
        _score_cs1(db, cycle)
    finally:
        operations.update_settings(db, before, scoring.DEFAULT_BANDS, HR)
        db.commit()


def _score_cs1(db, cycle: AppraisalCycle) -> None:
    cs1 = next(a for a in _appraisals(db, cycle.id) if a.employee == "cs1")
    operations.record_rating(db, cs1.id, "supervisor", "performance", _form((90, 88, 86)))
    assert cs1.status == "rating"
    operations.record_rating(db, cs1.id, "supervisor", "competency", _form((88, 90, 88)))
    operations.record_rating(db, cs1.id, "cs2", "competency", _form((92, 91, 92)))
    # superior: (90+88+86+88+90+88)/6 = 88.333…; peers: 275/3 = 91.666…; 60/40 → 89.666…
    assert cs1.status == "scored"
    assert cs1.weights == {"superior": 60, "peers": 40}
    assert (cs1.composite, cs1.grade, cs1.consequence) == (Decimal("89.67"), "良", "none")
    assert (cs1.superior_avg, cs1.peers_avg, cs1.subordinates_avg) == (
        Decimal("88.3333"),
        Decimal("91.6667"),
        None,
    )


def test_ratings_are_refused_out_of_range_twice_or_by_someone_else(db):
    cycle = _launch(db, "2032Q2")
    install1 = next(a for a in _appraisals(db, cycle.id) if a.employee == "install1")
    with pytest.raises(InvalidData) as refused:
        operations.record_rating(
            db, install1.id, "supervisor", "performance", _form((101, 80, 80.5))
        )
    assert set(refused.value.errors) == {"individual_results", "work_attitude"}
    with pytest.raises(Conflict):  # cs2 rates cs1, not install1
        operations.record_rating(db, install1.id, "cs2", "competency", _form((80,) * 3))
    operations.record_rating(db, install1.id, "supervisor", "performance", _form((70,) * 3))
    with pytest.raises(Conflict):
        operations.record_rating(db, install1.id, "supervisor", "performance", _form((80,) * 3))
    operations.record_rating(db, install1.id, "supervisor", "competency", _form((59,) * 3))
    # the superior alone: (70·3 + 59·3) / 6 = 64.5
    assert (install1.weights, install1.composite, install1.grade) == (
        {"superior": 100},
        Decimal("64.50"),
        "较差",
    )
    with pytest.raises(Conflict):
        operations.record_rating(db, install1.id, "supervisor", "competency", {})
    db.commit()


def test_the_cycle_is_ready_to_compile_when_the_last_person_is_scored(db):
    cycle = _launch(db, "2032Q3")
    appraisals = _appraisals(db, cycle.id)
    for appraisal in appraisals:
        assert db.get(AppraisalCycle, cycle.id).status == "rating"
        _rate_everyone(db, appraisal, {r: 80 for r in {a.rater for a in appraisal.assignments}})
    assert db.get(AppraisalCycle, cycle.id).status == "compiling"
    assert queries.pending_raters(db, cycle.id) == []
    assert queries.progress(db, cycle).done == len(appraisals)
    db.commit()
