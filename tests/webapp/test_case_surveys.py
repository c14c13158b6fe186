"""What the department's KPIs count, recorded as the steps of process 1 are completed: the
follow-up visit's survey (case.follow_up) and a quality complaint's problem type
(case.classify_complaint)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from engine.errors import Conflict
from engine.models import ProcessInstance
from engine.runtime import Actor, StepCall
from tests.sample_data import request_data
from tests.webapp.repair_walk import do, open_tasks, started, submit, walk
from workflows.effects import EFFECTS, EffectContext
from workflows.records.models import SatisfactionSurvey, ServiceCase
from workflows.records.warranty import department_zone, local_today
from workflows.runtime import get_engine

TECHNICAL_SERVICE = [("plan_service_visit", {}), ("perform_technical_service", {})]


def filed(db, instance_id: int) -> ServiceCase:
    db.expire_all()
    return db.scalar(select(ServiceCase).where(ServiceCase.instance_id == instance_id))


def surveys(db, case: ServiceCase) -> list[SatisfactionSurvey]:
    db.expire_all()
    return list(
        db.scalars(select(SatisfactionSurvey).where(SatisfactionSurvey.service_case_id == case.id))
    )


def after_the_wait(app, instance_id: int) -> None:
    """Run the timer job once the table's follow-up delay (P3D) has passed."""
    from webapp.extensions import db as flask_db

    with time_machine.travel(datetime.now(UTC) + timedelta(days=4), tick=False), app.app_context():
        get_engine().fire_timers(flask_db.session, instance_id)
        flask_db.session.commit()


@pytest.fixture
def at_follow_up(app, api) -> dict:
    """A technical-support request (installation) served and waiting at its follow-up visit."""
    case = started(api, "customer_request", request_data("installation", customer_code="C001"))
    walk(api, case["id"], TECHNICAL_SERVICE)
    do(api, case["id"], "inform_customer_of_service")
    assert open_tasks(api, case["id"]) == {}  # waiting for the visit's date
    after_the_wait(app, case["id"])
    assert set(open_tasks(api, case["id"])) == {"follow_up_service"}
    return case


def test_the_follow_up_visit_files_the_survey_on_the_service_case(api, db, at_follow_up):
    case = filed(db, at_follow_up["id"])
    today = local_today()
    do(
        api,
        at_follow_up["id"],
        "follow_up_service",
        visited_on=today.isoformat(),
        satisfaction=4,
        satisfied="yes",
        follow_up_comments="安装很顺利，希望培训再多一天。",
    )
    assert open_tasks(api, at_follow_up["id"]) == {}
    [survey] = surveys(db, case)
    assert (survey.score, survey.satisfied, survey.recorded_by) == (4, True, "cs1")
    assert survey.comments == "安装很顺利，希望培训再多一天。"
    assert survey.instance_id == at_follow_up["id"]
    # the day the person entered, in the department's zone; stored as a UTC instant
    start_of_day = datetime.combine(today, time(), tzinfo=department_zone())
    assert survey.visited_at == start_of_day and survey.visited_at.utcoffset() == timedelta(0)
    assert survey.visited_at.astimezone(department_zone()).date() == today
    assert filed(db, at_follow_up["id"]).status == "closed"


def test_a_dissatisfied_answer_is_filed_as_such(api, db, at_follow_up):
    yesterday = local_today() - timedelta(days=1)
    do(
        api,
        at_follow_up["id"],
        "follow_up_service",
        visited_on=yesterday.isoformat(),
        satisfaction=2,
        satisfied="no",
    )
    [survey] = surveys(db, filed(db, at_follow_up["id"]))
    assert (survey.score, survey.satisfied) == (2, False)
    assert survey.visited_at.astimezone(department_zone()).date() == yesterday


def test_a_visit_in_the_future_is_refused_and_nothing_is_saved(api, db, at_follow_up):
    tomorrow = local_today() + timedelta(days=1)
    response = submit(api, at_follow_up["id"], "follow_up_service", visited_on=tomorrow.isoformat())
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"visited_on"}
    assert "回访日期不能晚于今天" in errors["visited_on"][0]  # cs1 works in Chinese
    assert set(open_tasks(api, at_follow_up["id"])) == {"follow_up_service"}
    case = filed(db, at_follow_up["id"])
    assert surveys(db, case) == [] and case.status != "closed"


def test_the_complaints_problem_type_is_filed_on_the_service_case(api, db):
    complaint = started(api, "customer_request", request_data(customer_code="C002"))
    assert filed(db, complaint["id"]).problem_type is None
    do(api, complaint["id"], "verify_defect")
    do(
        api,
        complaint["id"],
        "define_problem_type",
        problem_type="packaging_transport",
        severity="minor",
    )
    assert filed(db, complaint["id"]).problem_type == "packaging_transport"
    assert "root_cause_qa" in open_tasks(api, complaint["id"])  # the complaint moved on


@pytest.mark.parametrize("effect", ["case.follow_up", "case.classify_complaint"])
def test_a_case_without_a_service_case_is_refused(app, api, effect):
    from webapp.extensions import db as flask_db

    case = started(api, "customer_request", request_data(customer_code="C001"))
    answers = {
        "service_case_id": None,  # as no case of process 1 has: case.open always files one
        "visited_on": local_today().isoformat(),
        "satisfaction": 5,
        "satisfied": "yes",
        "problem_type": "design",
    }
    with app.app_context():
        session = flask_db.session
        instance = session.get(ProcessInstance, case["id"])
        cs1 = Actor("cs1", frozenset({"customer_service"}))
        call = StepCall(session, instance, cs1, "", {}, answers)
        with pytest.raises(Conflict) as refused:
            EFFECTS[effect](EffectContext(call))
        assert "no service case" in refused.value.message
        assert "没有对应的服务记录" in refused.value.message_zh
        session.rollback()
