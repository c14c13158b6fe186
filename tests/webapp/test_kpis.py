"""The department's KPIs: each figure counted from the records of a period, who may read them,
and the period as typed (the API's 422, the page's messages).

The flows are checked on a month of their own (March 2039): records are filed there directly
(cases that ran in that month), so every count is exact whatever else the session did; the
stocks (repair rates, spare parts) are as of now and must match their own pages' figures.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from tests.webapp.test_pages import Browser
from workflows.kpi.queries import Period, department_kpis
from workflows.records.models import (
    Customer,
    RepairOrder,
    SatisfactionSurvey,
    ServiceCase,
    Unit,
)
from workflows.records.queries import repair_rate
from workflows.records.stock import family_stock
from workflows.sla.calendars import calendar
from workflows.sla.clock import SlaClock
from workflows.sla.models import SlaClockRecord

MONTH = {"from": "2039-03-01", "to": "2039-03-31"}
T0 = datetime(2039, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _clock(kind: str, instance_id: int, target: timedelta, took: timedelta) -> SlaClockRecord:
    clock = SlaClock(T0, target, calendar("24x7")).stop(T0 + took)
    return SlaClockRecord(
        instance_id=instance_id,
        kind=kind,
        calendar="24x7",
        clock=clock.to_dict(),
        stopped_at=clock.stopped_at,
    )


@pytest.fixture
def browser(app):
    return lambda username: Browser(app, username)


@pytest.fixture(scope="module")
def march(app):
    """Three cases of March 2039: replies kept, kept and broken; one on-site visit, kept; one
    complaint of a design problem; four follow-up answers, three satisfied; two repairs closed,
    one in 1 day, one in 3 days with a loaner. The records are removed afterwards."""
    from webapp.extensions import db

    with app.app_context():
        session = db.session
        definition = session.scalars(
            select(ProcessDefinition).where(ProcessDefinition.key == "customer_request")
        ).first()
        unit = session.scalars(select(Unit).order_by(Unit.id)).first()
        customer = session.get(Customer, unit.customer_id)
        instances = [
            ProcessInstance(
                definition_id=definition.id,
                process_key="customer_request",
                definition_version=definition.version,
                status="completed",
                state="{}",
                serializer_version="kpi-test",
                started_at=T0,
                ended_at=T0 + timedelta(days=3),
                summary={},
            )
            for _ in range(3)
        ]
        session.add_all(instances)
        session.flush()
        cases = [
            ServiceCase(
                instance_id=instance.id,
                channel="phone",
                category=category,
                priority="normal",
                problem_type=problem,
                status="closed",
                received_at=T0,
                first_reply_at=T0 + timedelta(hours=1),
                onsite_at=T0 + timedelta(hours=5) if onsite else None,
                resolved_at=T0 + timedelta(days=1),
                closed_at=T0 + timedelta(days=3),
            )
            for instance, category, problem, onsite in zip(
                instances,
                ("repair", "technical_question", "quality_complaint"),
                (None, None, "design"),
                (True, False, False),
                strict=True,
            )
        ]
        session.add_all(cases)
        session.flush()
        hours = timedelta(hours=1)
        session.add_all(
            [
                _clock("reply", instances[0].id, 2 * hours, hours),
                _clock("reply", instances[1].id, 2 * hours, hours),
                _clock("reply", instances[2].id, 2 * hours, 3 * hours),  # broken
                _clock("onsite", instances[0].id, 12 * hours, 5 * hours),
                # stopped when the case ended, never on site: not an on-site promise
                _clock("onsite", instances[1].id, 12 * hours, 30 * hours),
            ]
        )
        session.add_all(
            SatisfactionSurvey(
                service_case_id=cases[n % 3].id,
                visited_at=T0 + timedelta(days=4),
                score=score,
                satisfied=satisfied,
                recorded_by="cs1",
                recorded_at=T0 + timedelta(days=4),
            )
            for n, (score, satisfied) in enumerate([(5, True), (4, True), (4, True), (2, False)])
        )
        repairs = [
            RepairOrder(
                service_case_id=cases[0].id,
                unit_id=unit.id,
                customer_id=customer.id,
                mode="carry_in",
                in_warranty=True,
                warranty_end=date(2040, 1, 1),
                status="closed",
                opened_at=T0,
                returned_at=T0 + took,
                closed_at=T0 + took + timedelta(hours=2),
                loaner_issued_at=T0 + timedelta(days=2) if lent else None,
            )
            for took, lent in ((timedelta(days=1), False), (timedelta(days=3), True))
        ]
        session.add_all(repairs)
        session.commit()
        ids = {
            "instances": [i.id for i in instances],
            "cases": [c.id for c in cases],
            "repairs": [r.id for r in repairs],
        }
    yield ids
    with app.app_context():
        session = db.session
        for stmt in (
            delete(RepairOrder).where(RepairOrder.id.in_(ids["repairs"])),
            delete(SatisfactionSurvey).where(SatisfactionSurvey.service_case_id.in_(ids["cases"])),
            delete(SlaClockRecord).where(SlaClockRecord.instance_id.in_(ids["instances"])),
            delete(ServiceCase).where(ServiceCase.id.in_(ids["cases"])),
            delete(ProcessInstance).where(ProcessInstance.id.in_(ids["instances"])),
        ):
            session.execute(stmt)
        session.commit()


def test_the_flows_of_a_period_are_counted_from_its_records(api, march):
    body = api("manager").get(f"/api/v1/kpis?from={MONTH['from']}&to={MONTH['to']}")
    assert body.status_code == 200, body.get_json()
    kpis = body.get_json()
    assert kpis["period"] == MONTH
    promises = {p["kind"]: p for p in kpis["promises"]}
    assert (promises["reply"]["kept"], promises["reply"]["broken"]) == (2, 1)
    assert promises["reply"]["rate"] == "0.6667"
    # the clock stopped only because the case ended is not an on-site visit
    assert (promises["onsite"]["kept"], promises["onsite"]["broken"]) == (1, 0)
    assert promises["resolve"]["total"] == 0 and promises["resolve"]["rate"] is None
    assert kpis["satisfaction"] == {
        "answers": 4,
        "satisfied": 3,
        "rate": "0.7500",
        "target": "0.90",
        "on_target": False,
        "average_score": "3.75",
    }
    repairs = kpis["repairs"]
    assert (repairs["closed"], repairs["over_limit"], repairs["loaners_lent"]) == (2, 1, 1)
    assert repairs["average_days"] == "2.00" and repairs["over_limit_rate"] == "0.5000"
    assert kpis["complaints"]["received"] == 1
    assert kpis["complaints"]["by_problem_type"] == {"design": 1}


def test_a_day_outside_the_period_counts_nothing(api, march):
    """The 11th to the 13th (Shanghai): after the clocks stopped and the cases came in (the
    10th), before the follow-ups (the 14th); both repairs closed within it."""
    kpis = api("gm").get("/api/v1/kpis?from=2039-03-11&to=2039-03-13").get_json()
    assert all(p["total"] == 0 for p in kpis["promises"])
    assert kpis["satisfaction"]["answers"] == 0 and kpis["satisfaction"]["rate"] is None
    assert kpis["satisfaction"]["on_target"] is None
    assert (kpis["repairs"]["closed"], kpis["repairs"]["loaners_lent"]) == (2, 1)
    assert kpis["complaints"]["received"] == 0
    # a day in Shanghai starts at 16:00 UTC the day before: the 10th's cases are not the 11th's
    assert (
        api("gm")
        .get("/api/v1/kpis?from=2039-03-10&to=2039-03-10")
        .get_json()["complaints"]["received"]
        == 1
    )


def test_stocks_are_as_of_now_and_agree_with_their_own_figures(app, march):
    from webapp.extensions import db

    with app.app_context():
        kpis = department_kpis(db.session, Period(date(2039, 3, 1), date(2039, 3, 31)))
        assert kpis.stock == family_stock(db.session)
        assert kpis.repair_rates == repair_rate(db.session)
        open_actions = db.session.scalar(
            select(HumanTask.id).where(
                HumanTask.status == "open", HumanTask.spec_name == "verify_implementation"
            )
        )
        assert (kpis.complaints.corrective_actions_open > 0) == (open_actions is not None)


@pytest.mark.parametrize(
    ("username", "status", "grades"),
    [
        ("manager", 200, False),
        ("supervisor", 200, False),
        ("gm", 200, True),
        ("hr", 200, True),
        ("cs1", 403, None),
        ("tech1", 403, None),
    ],
)
def test_managers_read_the_kpis_and_only_appraisal_readers_the_grades(
    api, username, status, grades
):
    response = api(username).get("/api/v1/kpis")
    assert response.status_code == status
    if status == 200:
        body = response.get_json()
        today = date.fromisoformat(body["period"]["to"])
        assert (
            body["period"]["from"]
            == date(today.year, 3 * ((today.month - 1) // 3) + 1, 1).isoformat()
        )
        # a list (maybe empty: nothing published this year) for appraisal readers, else null
        assert isinstance(body["grades"], list) if grades else body["grades"] is None


def test_grade_counts_come_from_published_results(app):
    from webapp.extensions import db
    from workflows.appraisal.models import Appraisal, AppraisalCycle
    from workflows.kpi.queries import grade_counts

    with app.app_context():
        published = db.session.scalars(
            select(Appraisal).join(AppraisalCycle).where(Appraisal.status == "published")
        ).all()
        for year in {a.cycle.year for a in published}:
            counted = {g.quarter: sum(g.counts.values()) for g in grade_counts(db.session, year)}
            expected: dict[str, int] = {}
            for a in published:
                if a.cycle.year == year:
                    expected[a.cycle.quarter] = expected.get(a.cycle.quarter, 0) + 1
            assert counted == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2039-02-30", "from"), ("to=soon", "to"), ("from=2039-03-02&to=2039-03-01", "to")],
)
def test_a_period_that_is_not_one_is_refused_per_field(api, browser, query, field):
    problem = api("manager").get(f"/api/v1/kpis?{query}")
    assert problem.status_code == 422
    assert list(problem.get_json()["errors"]) == [field]
    page = browser("manager").get(f"/kpi?{query}&lang=en")
    assert page.status_code == 422
    assert f'data-field="{field}"' in page.get_data(as_text=True)


def test_the_page_shows_the_period_and_its_figures(browser, march):
    page = browser("manager").text(f"/kpi?from={MONTH['from']}&to={MONTH['to']}")
    assert 'data-testid="promise" data-kind="reply" data-kept="2" data-broken="1"' in page
    assert 'data-testid="satisfaction" data-answers="4" data-satisfied="3"' in page
    assert 'data-testid="repairs" data-closed="2" data-over-limit="1" data-loaners="1"' in page
    assert 'data-testid="problem-type" data-type="design" data-count="1"' in page
    assert 'data-testid="nav-kpi"' in page
    assert 'data-testid="grade-count"' not in page  # the department manager: no grades
    # the GM reads the grades: none published in 2039
    assert 'data-testid="no-grades"' in browser("gm").text(
        f"/kpi?from={MONTH['from']}&to={MONTH['to']}"
    )
    assert 'data-testid="nav-kpi"' not in browser("cs1").text("/tasks")
    assert browser("cs1").get("/kpi").status_code == 403
