"""The quarterly appraisal through the JSON API and the shipped diagrams: launching a quarter,
rating, the result sheet's decisions and signatures, publication, who sees what, appeals,
the year's summary and the settings.

One quarter (2041Q2) is taken from launch to publication once per module (`quarter`), every
task completed, so nothing is left in anyone's inbox; the tests read what each step left.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.models import HumanTask, ProcessInstance
from engine.runtime import Actor
from tests.conftest import ApiClient
from tests.workflows.test_appraisal_launch import forget_quarters
from workflows.appraisal import scoring, sheet
from workflows.appraisal.models import Appraisal, AppraisalCycle
from workflows.org.operations import issue_token
from workflows.org.queries import user_by_name

QUARTER = "2041Q2"
LAUNCHED = "2042Q1"  # launched only, by the 202/409/422 test
# what each person's raters give on every dimension: install1 ends 差, at the bottom
BASE = {"supervisor": 85, "cs1": 88, "cs2": 82, "tech1": 78, "tech2": 72, "install1": 55}
ROLE_USERS = {"hr": "hr", "supervisor": "supervisor", "plant_director": "director", "gm": "gm"}


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


class Clients:
    """An API client per username, with a token issued directly (any user, any password)."""

    def __init__(self, app, db: Session):
        self.app, self.db, self.tokens = app, db, {}

    def __call__(self, username: str) -> ApiClient:
        if username not in self.tokens:
            self.tokens[username], _ = issue_token(self.db, user_by_name(self.db, username))
            self.db.commit()
        return ApiClient(self.app.test_client(), self.tokens[username])

    def put(self, username: str, path: str, body) -> object:
        client = self(username)
        return client.client.put(path, json=body, headers=client.headers)


def _open(db: Session, instance_ids, spec: str | None = None) -> list[HumanTask]:
    db.expire_all()
    stmt = select(HumanTask).where(
        HumanTask.instance_id.in_(list(instance_ids)), HumanTask.status == "open"
    )
    if spec:
        stmt = stmt.where(HumanTask.spec_name == spec)
    return list(db.scalars(stmt.order_by(HumanTask.created_at, HumanTask.id)))


def _actor_of(task: HumanTask) -> str:
    return task.assignee or ROLE_USERS[task.role]


@dataclass
class Flow:
    """What taking QUARTER from launch to publication saw on the way."""

    cycle_id: int = 0
    created: dict = field(default_factory=dict)
    appraisals: dict[str, int] = field(default_factory=dict)  # employee -> appraisal id
    instances: dict[str, int] = field(default_factory=dict)  # employee -> rating case
    sheet_id: int = 0
    seen: dict[str, object] = field(default_factory=dict)


def _rate(clients: Clients, db: Session, task: HumanTask, employee: str, kind: str, score: int):
    values = dict.fromkeys(scoring.DIMENSIONS[kind], score)
    return clients(_actor_of(task)).post(
        f"/api/v1/tasks/{task.id}/complete", json={"data": {**values, "comment": "季度表现"}}
    )


@pytest.fixture(scope="module", autouse=True)
def forgotten(app):
    """The quarters of this module leave no appraisal records for later tests to count."""
    yield
    from webapp.extensions import db

    with app.app_context():
        forget_quarters(db.session, (QUARTER, LAUNCHED))


@pytest.fixture(scope="module")
def quarter(app) -> Flow:
    from webapp.extensions import db as flask_db
    from workflows import jobs

    with app.app_context():
        engine = flask_db.engine
    db = Session(engine)
    clients, flow = Clients(app, db), Flow()

    # launch: 202, then the job (run here in-process) starts everyone's case, twice = once
    with pytest.MonkeyPatch.context() as patch:
        queued: list[int] = []
        patch.setattr(jobs.launch_appraisal_cycle, "delay", queued.append)
        flow.created = _ok(
            clients("hr").post("/api/v1/appraisal-cycles", json={"quarter": QUARTER}), 202
        )
    flow.cycle_id = flow.created["id"]
    assert queued == [flow.cycle_id]
    jobs.launch_appraisal_cycle(flow.cycle_id)
    jobs.launch_appraisal_cycle(flow.cycle_id)
    db.expire_all()
    rows = db.scalars(select(Appraisal).where(Appraisal.cycle_id == flow.cycle_id)).all()
    flow.appraisals = {a.employee: a.id for a in rows}
    flow.instances = {a.employee: a.instance_id for a in rows}
    kinds = {a.employee: a.kind for a in rows}
    flow.sheet_id = db.get(AppraisalCycle, flow.cycle_id).sheet_instance_id
    flow.seen["rating_cases"] = db.scalars(
        select(ProcessInstance.business_key).where(
            ProcessInstance.business_key.like(f"appraisal:{QUARTER}:%")
        )
    ).all()
    flow.seen["cycle_rating"] = clients("hr").get(f"/api/v1/appraisal-cycles/{flow.cycle_id}")
    flow.seen["cs1_list_rating"] = clients("cs1").get(f"/api/v1/appraisals?quarter={QUARTER}")
    flow.seen["hr_list_rating"] = clients("hr").get(f"/api/v1/appraisals?quarter={QUARTER}")
    flow.seen["remind"] = clients("hr").post(f"/api/v1/appraisal-cycles/{flow.cycle_id}/remind")

    # raters are anonymous to the supervisor, who otherwise reads every case
    own = flow.instances["supervisor"]
    flow.seen["own_case"] = clients("supervisor").get(f"/api/v1/process-instances/{own}")
    flow.seen["own_task"] = clients("supervisor").get(f"/api/v1/tasks/{_open(db, [own])[0].id}")
    flow.seen["own_in_list"] = clients("supervisor").get(
        f"/api/v1/process-instances?business_key=appraisal:{QUARTER}:supervisor"
    )
    flow.seen["cs1_case"] = clients("supervisor").get(
        f"/api/v1/process-instances/{flow.instances['cs1']}"
    )

    # every form but the manager's competency form of the supervisor
    by_instance = {i: e for e, i in flow.instances.items()}
    last = None
    tasks = _open(db, flow.instances.values())
    flow.seen["out_of_range"] = _rate(
        clients, db, tasks[0], "", kinds[by_instance[tasks[0].instance_id]], 101
    )
    for task in tasks:
        employee = by_instance[task.instance_id]
        if (
            employee == "supervisor"
            and task.assignee == "manager"
            and "competency" in task.spec_name
        ):
            last = task
            continue
        response = _rate(clients, db, task, employee, kinds[employee], BASE.get(employee, 80))
        assert response.status_code == 200, response.get_json()
    compile_task = _open(db, [flow.sheet_id], "compile_results")[0]
    flow.seen["early_compile"] = clients("hr").post(
        f"/api/v1/tasks/{compile_task.id}/complete", json={"data": {}}
    )
    assert _rate(clients, db, last, "supervisor", "supervisor", 85).status_code == 200
    assert _open(db, flow.instances.values()) == []

    # HR decides on the bottom of the department and every 差, then compiles
    hr = clients("hr")
    base = f"/api/v1/appraisal-cycles/{flow.cycle_id}"
    flow.seen["undecided_compile"] = hr.post(
        f"/api/v1/tasks/{compile_task.id}/complete", json={"data": {"decisions_note": ""}}
    )
    flow.seen["flagged"] = hr.get(f"{base}/consequences")
    flow.seen["two_days"] = hr.post(
        f"{base}/consequences",
        json={
            "decisions": [
                {"employee": "install1", "choice": "training_wait", "days": 2, "reason": "考核为差"}
            ]
        },
    )
    flow.seen["not_flagged"] = hr.post(
        f"{base}/consequences",
        json={"decisions": [{"employee": "cs1", "choice": "keep", "reason": "x"}]},
    )
    flow.seen["decided"] = hr.post(
        f"{base}/consequences",
        json={
            "decisions": [
                {
                    "employee": "install1",
                    "choice": "training_wait",
                    "days": 5,
                    "reason": "考核为差，待岗培训",
                }
            ]
        },
    )
    assert _ok(
        hr.post(
            f"/api/v1/tasks/{compile_task.id}/complete",
            json={"data": {"decisions_note": "见结果表"}},
        )
    )

    # out of turn: HR cannot sign before the supervisor (the effect checks the step too)
    try:
        sheet.sign_sheet(db, flow.cycle_id, "hr", "approve", "", Actor("hr", frozenset({"hr"})))
    except Conflict as refused:
        flow.seen["out_of_turn"] = refused
    db.rollback()

    # the supervisor returns the sheet; HR revises; round 2
    approve = _open(db, [flow.sheet_id], "approve_supervisor")[0]
    supervisor = clients("supervisor")
    flow.seen["return_without_comment"] = supervisor.post(
        f"/api/v1/tasks/{approve.id}/complete", json={"data": {"decision": "return"}}
    )
    _ok(
        supervisor.post(
            f"/api/v1/tasks/{approve.id}/complete",
            json={"data": {"decision": "return", "comment": "请核对安装组的处理意见"}},
        )
    )
    flow.seen["returned"] = hr.get(base).get_json()
    revise = _open(db, [flow.sheet_id], "revise_results")[0]
    _ok(hr.post(f"/api/v1/tasks/{revise.id}/complete", json={"data": {"revision_note": "已核对"}}))
    flow.seen["revised"] = hr.get(base).get_json()

    # then every approver at once, in order; the GM's approval publishes
    for username in ("supervisor", "hr", "director"):
        flow.seen[f"approve_all_{username}"] = clients(username).post(
            "/api/v1/approvals/approve-all"
        )
    flow.seen["cs1_before_gm"] = clients("cs1").get(f"/api/v1/appraisals/{flow.appraisals['cs1']}")
    flow.seen["approve_all_gm"] = clients("gm").post("/api/v1/approvals/approve-all")
    flow.seen["nothing_left"] = clients("gm").post("/api/v1/approvals/approve-all")
    flow.seen["published"] = hr.get(base).get_json()
    yield flow
    db.close()


# -- launching ------------------------------------------------------------------------------------
@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """Launch jobs queued by the requests, kept from the broker (a worker would run them)."""
    from workflows import jobs

    ids: list[int] = []
    monkeypatch.setattr(jobs.launch_appraisal_cycle, "delay", ids.append)
    return ids


def test_hr_launches_a_quarter_once_202_409_422(api, queued):
    hr = api("hr")
    created = _ok(hr.post("/api/v1/appraisal-cycles", json={"quarter": LAUNCHED}), 202)
    assert queued == [created["id"]]  # after the commit: the job finds the cycle
    assert created["quarter"] == LAUNCHED and created["status"] == "launching"
    assert created["progress"]["done"] == 0 and created["progress"]["total"] >= 6
    again = _problem(hr.post("/api/v1/appraisal-cycles", json={"quarter": LAUNCHED}), 409)
    assert LAUNCHED in again["detail"]
    for malformed in ("2042Q5", "2042Q0", "42Q1", "2042-Q1", ""):
        body = _problem(hr.post("/api/v1/appraisal-cycles", json={"quarter": malformed}), 422)
        assert "quarter" in body["errors"]
    _problem(hr.post("/api/v1/appraisal-cycles", json={}), 422)
    for other in ("gm", "director", "supervisor", "cs1", "admin"):
        _problem(api(other).post("/api/v1/appraisal-cycles", json={"quarter": "2042Q2"}), 403)


def test_the_launch_starts_one_case_per_person_and_one_sheet(quarter):
    assert quarter.created["status"] == "launching"
    assert set(quarter.appraisals) >= {"supervisor", "cs1", "cs2", "tech1", "tech2", "install1"}
    assert not {"quality1", "returns1", "parts1"} & set(quarter.appraisals)
    assert sorted(quarter.seen["rating_cases"]) == sorted(
        f"appraisal:{QUARTER}:{e}" for e in quarter.appraisals
    )
    assert quarter.sheet_id
    cycle = _ok(quarter.seen["cycle_rating"])
    assert cycle["status"] == "rating" and cycle["progress"]["done"] == 0
    pending = {p["rater"]: p["count"] for p in cycle["pending_raters"]}
    assert pending["manager"] == 2  # the supervisor's performance and competency forms
    assert pending["cs2"] == 2  # cs1's competency form, and the supervisor's
    notified = _ok(quarter.seen["remind"])
    assert notified["notified"] == len(pending)


def test_raters_stay_anonymous_to_the_person_rated(quarter):
    _problem(quarter.seen["own_case"], 404)
    _problem(quarter.seen["own_task"], 404)
    assert _ok(quarter.seen["own_in_list"])["total"] == 0
    _ok(quarter.seen["cs1_case"])  # a case reader still reads the others'


def test_ratings_and_compiling_are_checked(quarter):
    errors = _problem(quarter.seen["out_of_range"], 422)["errors"]
    assert set(errors) in [set(dims) for dims in scoring.DIMENSIONS.values()]
    early = _problem(quarter.seen["early_compile"], 409)
    assert "部门经理 李强（1 份）" in early["detail"]
    assert "decisions_note" in _problem(quarter.seen["undecided_compile"], 422)["errors"]
    flagged = _ok(quarter.seen["flagged"])["items"]
    assert [a["employee"] for a in flagged] == ["install1"]
    assert flagged[0]["grade"] == "差" and flagged[0]["consequence"] == "step_down"
    assert "days_install1" in _problem(quarter.seen["two_days"], 422)["errors"]
    assert "choice_cs1" in _problem(quarter.seen["not_flagged"], 422)["errors"]
    decided = _ok(quarter.seen["decided"])["items"][0]
    assert (decided["consequence_choice"], decided["consequence_days"]) == ("training_wait", 5)


def test_the_sheet_is_signed_in_order_and_a_return_starts_a_new_round(quarter):
    assert isinstance(quarter.seen["out_of_turn"], Conflict)
    assert "comment" in _problem(quarter.seen["return_without_comment"], 422)["errors"]
    assert (quarter.seen["returned"]["status"], quarter.seen["returned"]["round"]) == (
        "compiling",
        1,
    )
    assert (quarter.seen["revised"]["status"], quarter.seen["revised"]["round"]) == ("approving", 2)
    assert quarter.seen["revised"]["current_step"] == "supervisor"
    for username, step in (
        ("supervisor", "approve_supervisor"),
        ("hr", "approve_hr"),
        ("director", "approve_director"),
        ("gm", "approve_gm"),
    ):
        report = _ok(quarter.seen[f"approve_all_{username}"])
        assert (report["approved"], report["failed"]) == (1, 0)
        assert [item["step"] for item in report["items"]] == [step]
    assert _ok(quarter.seen["nothing_left"])["items"] == []
    _problem(quarter.seen["cs1_before_gm"], 404)
    assert quarter.seen["published"]["status"] == "published"


def test_an_employee_sees_only_their_own_published_result_and_no_rater(quarter, api):
    assert _ok(quarter.seen["cs1_list_rating"])["items"] == []
    assert len(_ok(quarter.seen["hr_list_rating"])["items"]) == len(quarter.appraisals)
    cs1 = api("cs1")
    mine = _ok(cs1.get(f"/api/v1/appraisals?quarter={QUARTER}"))
    assert [a["employee"] for a in mine["items"]] == ["cs1"]
    body = _ok(cs1.get(f"/api/v1/appraisals/{quarter.appraisals['cs1']}"))
    assert body["status"] == "published"
    assert body["weights"] == {"superior": 60, "peers": 40}
    assert body["scores"] == {"superior": "88.0000", "peers": "88.0000", "subordinates": None}
    assert (body["composite"], body["grade"]) == ("88.00", "良")
    # the appeal window is the result process's timer, drawn as 7 days from publication
    window = datetime.fromisoformat(body["appeal_until"]) - datetime.fromisoformat(
        body["published_at"]
    )
    assert timedelta(days=7) <= window < timedelta(days=7, minutes=1)
    text = json.dumps(body, ensure_ascii=False)
    for rater in ("supervisor", "cs2", "周伟", "郑丽"):
        assert rater not in text
    _problem(cs1.get(f"/api/v1/appraisals/{quarter.appraisals['cs2']}"), 404)
    # the supervisor reads every case, but only their own appraisal
    own = _ok(api("supervisor").get(f"/api/v1/appraisals?quarter={QUARTER}"))
    assert [a["employee"] for a in own["items"]] == ["supervisor"]
    assert own["items"][0]["weights"] == {"superior": 60, "subordinates": 40}  # no peers


@pytest.mark.parametrize("reader", ["hr", "director", "gm"])
def test_hr_the_plant_director_and_the_gm_see_everyone(quarter, api, reader):
    client = api(reader)
    listed = _ok(client.get(f"/api/v1/appraisals?quarter={QUARTER}"))
    assert {a["employee"] for a in listed["items"]} == set(quarter.appraisals)
    install1 = _ok(client.get(f"/api/v1/appraisals/{quarter.appraisals['install1']}"))
    assert (install1["composite"], install1["grade"], install1["needs_decision"]) == (
        "55.00",
        "差",
        True,
    )
    cycle = _ok(client.get(f"/api/v1/appraisal-cycles/{quarter.cycle_id}"))
    assert cycle["status"] == "published" and cycle["pending_raters"] == []


@pytest.mark.parametrize("other", ["cs1", "supervisor", "manager", "admin"])
def test_cycles_are_for_hr_the_plant_director_and_the_gm(quarter, api, other):
    _problem(api(other).get(f"/api/v1/appraisal-cycles/{quarter.cycle_id}"), 403)
    _problem(api(other).get("/api/v1/appraisal-cycles"), 403)


def test_an_unknown_cycle_or_appraisal_is_404(api):
    _problem(api("hr").get("/api/v1/appraisal-cycles/999999"), 404)
    _problem(api("hr").get("/api/v1/appraisals/999999"), 404)


# -- appeals --------------------------------------------------------------------------------------
def test_an_appeal_revises_beside_the_original(quarter, api, app):
    from webapp.extensions import db as flask_db

    with app.app_context():
        engine = flask_db.engine
    db = Session(engine)
    clients = Clients(app, db)
    cs1_id = quarter.appraisals["cs1"]
    start = {
        "process": "appraisal_appeal",
        "data": {"appraisal_id": cs1_id, "reason": "我认为同事评分没有反映本季度的客户表扬。"},
    }
    body = _problem(api("tech1").post("/api/v1/process-instances", json=start), 422)
    assert "appraisal_id" in body["errors"]
    appeal = _ok(api("cs1").post("/api/v1/process-instances", json=start), 201)
    _problem(api("cs1").post("/api/v1/process-instances", json=start), 409)
    assert (appeal["data"]["superior"], appeal["data"]["skip_level"]) == ("supervisor", "manager")

    steps = [
        ("accept_appeal", {"acceptance_note": "受理"}),
        ("organise_hearing", {"hearing_on": "2041-07-10", "hearing_note": "周三面谈"}),
        ("superior_statement", {"statement": "同意复核同事评分"}),
        ("mediate_appeal", {"settled": "yes", "mediation_note": "同意修改"}),
        (
            "record_appeal_outcome",
            {"outcome": "revised", "revised_composite": 90.5, "outcome_reason": "补充客户表扬记录"},
        ),
    ]
    for spec, data in steps:
        (task,) = _open(db, [appeal["id"]], spec)
        _ok(clients(_actor_of(task)).post(f"/api/v1/tasks/{task.id}/complete", json={"data": data}))
    assert _open(db, [appeal["id"]]) == []

    revised = _ok(api("cs1").get(f"/api/v1/appraisals/{cs1_id}"))
    assert (revised["composite"], revised["grade"]) == ("88.00", "良")  # the original stays
    assert revised["revision"]["composite"] == "90.50" and revised["revision"]["grade"] == "优"
    assert revised["effective"] == {"composite": "90.50", "grade": "优"}
    annual = _ok(api("cs1").get("/api/v1/appraisals/annual?year=2041"))
    assert [
        (r["employee"], r["quarters"]["Q2"], r["score"], r["grade"]) for r in annual["items"]
    ] == [("cs1", "90.50", "90.50", "优")]
    # a decided appeal may be followed by none other: it is no longer open, the week runs on
    db.close()


def test_the_appeal_window_closes_when_its_timer_fires(quarter, api, app):
    from webapp.extensions import db as flask_db
    from workflows.runtime import get_engine

    hr = api("hr")
    cycle = _ok(hr.get(f"/api/v1/appraisal-cycles/{quarter.cycle_id}"))
    until = datetime.fromisoformat(cycle["appeals_until"])
    assert cycle["appeals_closed_at"] is None
    with app.app_context():
        sheet_case = flask_db.session.get(ProcessInstance, cycle["sheet_instance_id"])
        # the window is the waiting timer: its due time is the case's next timer
        assert sheet_case.next_timer_at == until and sheet_case.status == "waiting"
    with time_machine.travel(until + timedelta(seconds=1), tick=False), app.app_context():
        get_engine().fire_timers(flask_db.session, cycle["sheet_instance_id"])
        flask_db.session.commit()
    closed = _ok(hr.get(f"/api/v1/appraisal-cycles/{quarter.cycle_id}"))
    assert closed["appeals_closed_at"] is not None
    with app.app_context():
        sheet_case = flask_db.session.get(ProcessInstance, cycle["sheet_instance_id"])
        assert sheet_case.status == "completed"
    start = {
        "process": "appraisal_appeal",
        "data": {"appraisal_id": quarter.appraisals["cs2"], "reason": "我对本季度的评分有异议。"},
    }
    late = _problem(api("cs2").post("/api/v1/process-instances", json=start), 422)
    assert "申诉期已于" in late["errors"]["appraisal_id"][0]  # … ended at …


def test_the_year_summary_per_person(quarter, api):
    everyone = _ok(api("gm").get("/api/v1/appraisals/annual?year=2041"))
    rows = {r["employee"]: r for r in everyone["items"]}
    assert set(rows) == set(quarter.appraisals)
    assert rows["install1"]["quarters"] == {"Q1": None, "Q2": "55.00", "Q3": None, "Q4": None}
    assert (rows["install1"]["score"], rows["install1"]["grade"]) == ("55.00", "差")
    _problem(api("gm").get("/api/v1/appraisals/annual?year=twenty"), 400)
    assert _ok(api("gm").get("/api/v1/appraisals/annual?year=1999"))["items"] == []


# -- settings -------------------------------------------------------------------------------------
def test_settings_are_edited_by_hr_only_and_validated(api):
    hr, gm = api("hr"), api("gm")
    current = _ok(gm.get("/api/v1/appraisal-settings"))
    assert set(current["weights"]) == set(scoring.CASES)
    _problem(api("cs1").get("/api/v1/appraisal-settings"), 403)

    def put(client, body):
        return client.client.put("/api/v1/appraisal-settings", json=body, headers=client.headers)

    good = {"weights": scoring.DEFAULT_WEIGHTS, "bands": scoring.DEFAULT_BANDS}
    _problem(put(gm, good), 403)
    _problem(put(api("director"), good), 403)
    bad_weights = {
        **good,
        "weights": {**scoring.DEFAULT_WEIGHTS, "no_peers": {"superior": 70, "subordinates": 40}},
    }
    errors = _problem(put(hr, bad_weights), 422)["errors"]
    assert list(errors) == ["weights.no_peers"]
    assert "110" in errors["weights.no_peers"][0]
    flat = {**good, "bands": {"优": 90, "良": 80, "中": 80, "较差": 60}}
    assert list(_problem(put(hr, flat), 422)["errors"]) == ["bands"]
    stricter = {
        "weights": scoring.DEFAULT_WEIGHTS,
        "bands": {"优": 95, "良": 85, "中": 75, "较差": 65},
    }
    before = _ok(gm.get("/api/v1/appraisal-settings"))["grade_table"]["version"]
    saved = _ok(put(hr, stricter))
    # the bounds are a new version of the grade table, read back from the table itself
    assert saved["bands"] == {
        "优": "95.00",
        "良": "85.00",
        "中": "75.00",
        "较差": "65.00",
        "差": "0.00",
    }
    assert saved["grade_table"]["version"] == before + 1
    assert saved["grade_table"]["deployed_by"] == saved["updated_by"] == "hr"
    assert _ok(gm.get("/api/v1/appraisal-settings"))["bands"]["优"] == "95.00"
    # the same bounds again: no new version
    assert _ok(put(hr, stricter))["grade_table"]["version"] == before + 1
    restored = _ok(put(hr, good))
    assert restored["bands"]["优"] == "90.00" and restored["grade_table"]["version"] == before + 2


def test_the_api_is_described(api):
    paths = _ok(api("hr").get("/api/v1/openapi.json"))["paths"]
    for path in (
        "/appraisal-cycles",
        "/appraisal-cycles/{id}",
        "/appraisal-cycles/{id}/remind",
        "/appraisal-cycles/{id}/consequences",
        "/appraisals",
        "/appraisals/{id}",
        "/appraisals/annual",
        "/appraisal-settings",
        "/approvals/approve-all",
    ):
        assert path in paths
