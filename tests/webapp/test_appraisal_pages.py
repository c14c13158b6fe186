"""The appraisal pages as each persona uses them: HR launches a quarter and reminds raters,
decides on the bottom of the department, approvers sign the result sheet one by one or all at
once, everyone reads their own published result (never who rated them) and may appeal, HR
keeps the weights and grade bands, the readers see the year's summary.

Quarters are taken through the shipped diagrams with the core's operations and the one
complete-task path, and end published, so nothing is left in anyone's inbox. Assertions look
at data-testid hooks and status codes, so they hold whether the zh_CN catalog is compiled or not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from engine.models import HumanTask
from engine.runtime import Actor
from tests.webapp.test_pages import Browser
from tests.workflows.test_appraisal_launch import forget_quarters
from workflows import casework
from workflows.appraisal import appeals, grades, operations, scoring, sheet
from workflows.appraisal.models import Appraisal, AppraisalCycle
from workflows.org.queries import user_by_name

PUBLISHED = "2047Q1"  # launch to publication, a return in round 1, an appeal's revision
WALKED = "2046Q4"  # taken through compiling and approval by a test below
LAUNCHED = "2048Q3"  # launched from the page, then removed
RATING = "2048Q1"  # read while raters are still at it, then finished
# every rater gives the person this on every dimension, so the composite is this number
SCORES = {"supervisor": 88, "cs1": 95, "cs2": 85, "tech1": 75, "tech2": 65, "install1": 55}
OTHER_SCORE = 80
APPROVERS = {
    "approve_supervisor": "supervisor",
    "approve_hr": "hr",
    "approve_director": "director",
    "approve_gm": "gm",
}
RETURN_COMMENT = "请复核末位人员的处理意见。"


# -- walking a quarter with the core's operations --------------------------------------------------
def actor_of(session, username: str) -> Actor:
    return Actor(username, user_by_name(session, username).roles)


def open_tasks(session, instance_id: int, spec: str | None = None) -> list[HumanTask]:
    session.expire_all()
    stmt = select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
    if spec:
        stmt = stmt.where(HumanTask.spec_name == spec)
    return list(session.scalars(stmt.order_by(HumanTask.created_at, HumanTask.id)))


def complete(session, task: HumanTask, username: str, data: Mapping) -> None:
    casework.complete_task(session, task.id, dict(data), actor_of(session, username))
    session.commit()


def launch(session, quarter: str) -> AppraisalCycle:
    """A quarter launched as the background job would, every rating given."""
    cycle = operations.create_cycle(session, quarter, actor_of(session, "hr"))
    session.commit()
    operations.launch_cycle(session, cycle.id, session.commit)
    for appraisal in session.scalars(select(Appraisal).where(Appraisal.cycle_id == cycle.id)):
        given = SCORES.get(appraisal.employee, OTHER_SCORE)
        values = dict.fromkeys(scoring.DIMENSIONS[appraisal.kind], given)
        for task in open_tasks(session, appraisal.instance_id):
            complete(session, task, task.assignee, {**values, "comment": "本季度表现"})
    session.expire_all()
    return session.get(AppraisalCycle, cycle.id)


def decide_flagged(session, cycle: AppraisalCycle) -> None:
    decisions = [
        {"employee": a.employee, "choice": "training_wait", "reason": "末位，安排培训", "days": 5}
        for a in sheet.queries.needs_decision(sheet.queries.cycle_appraisals(session, cycle.id))
    ]
    sheet.set_consequences(session, cycle.id, decisions, actor_of(session, "hr"))
    session.commit()


def sign(session, cycle: AppraisalCycle, spec: str, decision: str = "approve") -> None:
    (task,) = open_tasks(session, cycle.sheet_instance_id, spec)
    data = {"decision": decision}
    if decision == "return":
        data["comment"] = RETURN_COMMENT
    complete(session, task, APPROVERS[spec], data)


def compile_sheet(session, cycle: AppraisalCycle) -> None:
    (task,) = open_tasks(session, cycle.sheet_instance_id, "compile_results")
    complete(session, task, "hr", {"decisions_note": "已在结果处理表上作出决定"})


def published_quarter(session) -> AppraisalCycle:
    """PUBLISHED, made on first use: the plant director returns round 1, HR revises, round 2
    is approved by everyone; cs1 appeals and HR revises cs1's composite."""
    cycle = session.scalar(select(AppraisalCycle).where(AppraisalCycle.quarter == PUBLISHED))
    if cycle is not None:
        return cycle
    cycle = launch(session, PUBLISHED)
    decide_flagged(session, cycle)
    compile_sheet(session, cycle)
    for spec in ("approve_supervisor", "approve_hr"):
        sign(session, cycle, spec)
    sign(session, cycle, "approve_director", "return")
    (task,) = open_tasks(session, cycle.sheet_instance_id, "revise_results")
    complete(session, task, "hr", {"revision_note": "已复核"})
    for spec in APPROVERS:
        sign(session, cycle, spec)
    mine = session.scalar(
        select(Appraisal).where(Appraisal.cycle_id == cycle.id, Appraisal.employee == "tech1")
    )
    appeal, _facts = appeals.open_appeal(
        session, mine.id, "对上级评分有异议，请求复核。", actor_of(session, "tech1")
    )
    appeals.decide_appeal(
        session, appeal.id, "revised", "78.5", "复核后调整", actor_of(session, "hr")
    )
    session.commit()
    session.expire_all()
    return session.get(AppraisalCycle, cycle.id)


@dataclass(frozen=True)
class Published:
    cycle_id: int
    appraisals: dict[str, int]  # employee -> appraisal id


@pytest.fixture(scope="session")
def published(app) -> Published:
    from webapp.extensions import db

    with app.app_context():
        cycle = published_quarter(db.session)
        assert cycle.status == "published"
        ids = {a.employee: a.id for a in cycle.appraisals}
        return Published(cycle.id, ids)


@pytest.fixture
def browser(app):
    return lambda username: Browser(app, username)


def tagged(page: str, testid: str) -> list[str]:
    """The tags carrying data-testid=`testid`."""
    return re.findall(rf'<[^>]*data-testid="{testid}"[^>]*>', page)


# -- who sees what --------------------------------------------------------------------------------
PAGES = ("/appraisal", "/appraisal/approvals", "/appraisal/annual/2047", "/appraisal/settings")
READERS = ("hr", "director", "gm")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("username", [*READERS, "supervisor", "cs1", "quality1"])
def test_pages_render_for_each_persona(browser, published, username, lang):
    person = browser(username)
    reader = username in READERS
    sheet_path = f"/appraisal/cycles/{published.cycle_id}/sheet"
    for path in (*PAGES, sheet_path):
        response = person.get(f"{path}?lang={lang}")
        readable = (
            reader
            or path in ("/appraisal", "/appraisal/approvals")
            or (path == sheet_path and username == "supervisor")  # who signs the sheet reads it
        )
        # a sheet one takes no part in is missing, as cases are; the readers' pages forbidden
        refused = 404 if path == sheet_path else 403
        assert response.status_code == (200 if readable else refused), (path, response.status_code)
        page = response.get_data(as_text=True)
        assert f'<html lang="{"en" if lang == "en" else "zh-CN"}">' in page
        if readable:
            assert 'data-testid="appraisal-nav"' in page
    home = person.get(f"/appraisal?lang={lang}").get_data(as_text=True)
    assert bool(tagged(home, "cycles")) is reader
    assert bool(tagged(home, "launch-form")) is (username == "hr")
    # the navbar offers the appraisal to whoever has something there
    tasks = person.get(f"/tasks?lang={lang}").get_data(as_text=True)
    assert ('data-testid="nav-appraisal"' in tasks) is (username != "quality1")
    if lang == "en":
        assert "My results" in home or reader
        assert "Appraisal" in tasks or username == "quality1"


@pytest.mark.parametrize("username", ["supervisor", "cs1", "quality1"])
@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_only_readers_export(browser, published, username, fmt):
    person = browser(username)
    assert person.get(f"/appraisal/cycles/{published.cycle_id}/results.{fmt}").status_code == 403
    assert person.get(f"/appraisal/annual/2047.{fmt}").status_code == 403


def test_an_employee_sees_only_their_own_results_and_no_rater(app, browser, published):
    from webapp.extensions import db

    page = browser("cs1").text("/appraisal")
    rows = tagged(page, "my-result")
    assert len(rows) == 1 and f'data-appraisal-id="{published.appraisals["cs1"]}"' in rows[0]
    assert 'data-composite="95.00"' in page
    for other in ("cs2", "tech1", "install1", "supervisor"):
        assert f'data-appraisal-id="{published.appraisals[other]}"' not in page
    # nobody who rated cs1 (the supervisor, the peer cs2) is named
    with app.app_context():
        for rater in ("supervisor", "cs2", "manager"):
            assert user_by_name(db.session, rater).display_name not in page
    assert not tagged(page, "cycles") and not tagged(page, "sheet-link")


def test_an_employee_sees_a_revision_beside_the_original_and_may_appeal(browser, published):
    tech1 = browser("tech1")
    page = tech1.text("/appraisal?lang=en")
    (row,) = tagged(page, "my-result")
    assert 'data-composite="75.00"' in page  # the original stays
    assert 'data-testid="revised-composite" data-composite="78.50"' in page
    appraisal_id = published.appraisals["tech1"]
    link = f"/processes/appraisal_appeal/start?appraisal_id={appraisal_id}"
    assert f'href="{link}"' in page
    start = tech1.text(link)
    assert re.search(rf'name="appraisal_id"[^>]*value="{appraisal_id}"', start) or re.search(
        rf'value="{appraisal_id}"[^>]*name="appraisal_id"', start
    )


def test_the_sheet_shows_everyone_groups_and_the_approval_trail(app, browser, published):
    from webapp.extensions import db

    page = browser("gm").text(f"/appraisal/cycles/{published.cycle_id}/sheet")
    rows = tagged(page, "sheet-row")
    assert len(rows) == len(published.appraisals)
    flagged = [r for r in rows if 'data-flagged="true"' in r]
    assert len(flagged) == 1 and 'data-employee="install1"' in flagged[0]
    assert 'data-testid="decision" data-choice="training_wait"' in page
    assert 'data-group="客服组" data-average="90.00"' in page  # (95 + 85) / 2
    trail = tagged(page, "signature")
    assert [re.search(r'data-step="(\w+)"', s)[1] for s in trail] == [
        "supervisor",
        "hr",
        "plant_director",
        "supervisor",
        "hr",
        "plant_director",
        "gm",
    ]
    assert 'data-decision="return" data-round="1"' in trail[2]
    assert RETURN_COMMENT in page
    with app.app_context():
        assert user_by_name(db.session, "director").display_name in page
    assert tagged(page, "export-xlsx") and tagged(page, "export-pdf")
    assert not tagged(page, "decision-form")  # published: nothing to decide any more


def test_the_annual_summary_uses_the_revision(browser, published):
    page = browser("hr").text("/appraisal/annual/2047")
    (row,) = [r for r in tagged(page, "annual-row") if 'data-employee="tech1"' in r]
    assert 'data-score="78.50"' in row
    (cs1,) = [r for r in tagged(page, "annual-row") if 'data-employee="cs1"' in r]
    assert 'data-score="95.00"' in cs1


# -- HR launches and reminds ----------------------------------------------------------------------
def test_hr_launches_a_quarter_once(app, browser, monkeypatch):
    from webapp.extensions import db
    from workflows import jobs

    queued: list[int] = []
    monkeypatch.setattr(jobs.launch_appraisal_cycle, "delay", queued.append)
    hr = browser("hr")
    try:
        response = hr.post("/appraisal/cycles", {"quarter": LAUNCHED})
        assert response.status_code == 302
        page = hr.get(response.headers["Location"]).get_data(as_text=True)
        (row,) = [r for r in tagged(page, "cycle") if f'data-quarter="{LAUNCHED}"' in r]
        assert queued == [int(re.search(r'data-cycle-id="(\d+)"', row)[1])]
        assert f'data-quarter="{LAUNCHED}"' in page and 'data-status="launching"' in page

        again = hr.post("/appraisal/cycles", {"quarter": LAUNCHED})
        assert again.status_code == 409
        assert 'data-testid="field-error" data-field="quarter"' in again.get_data(as_text=True)
        english = hr.post("/appraisal/cycles?lang=en", {"quarter": LAUNCHED})
        assert "This quarter already has a cycle" in english.get_data(as_text=True)

        malformed = hr.post("/appraisal/cycles", {"quarter": "2048-3"})
        assert malformed.status_code == 422
        assert browser("gm").post("/appraisal/cycles", {"quarter": "2048Q4"}).status_code == 403
        assert queued == queued[:1]
    finally:
        with app.app_context():
            db.session.execute(delete(AppraisalCycle).where(AppraisalCycle.quarter == LAUNCHED))
            db.session.commit()


def test_hr_sees_who_has_not_rated_and_reminds_them(app, browser, published):
    """While a quarter is rating: the raters still to fill forms, reminded on request."""
    from webapp.extensions import db
    from workflows.notifications.models import Notification

    with app.app_context():
        hr = actor_of(db.session, "hr")
        cycle = operations.create_cycle(db.session, RATING, hr)
        db.session.commit()
        operations.launch_cycle(db.session, cycle.id, db.session.commit)
        cycle_id = cycle.id
    try:
        page = browser("hr").text("/appraisal")
        (row,) = [r for r in tagged(page, "cycle") if f'data-quarter="{RATING}"' in r]
        start = page.index(row) + len(row)
        end = page.find('data-testid="cycle" ', start)
        part = page[start : end if end > 0 else None]
        assert 'data-testid="pending-rater" data-rater="supervisor"' in part
        assert 'data-testid="progress-ratings" data-done="0"' in part

        response = browser("hr").post(f"/appraisal/cycles/{cycle_id}/remind")
        assert response.status_code == 302
        with app.app_context():
            assert db.session.scalar(
                select(Notification).where(
                    Notification.recipient == "supervisor",
                    Notification.kind == "appraisal_reminder",
                )
            )
        assert browser("gm").post(f"/appraisal/cycles/{cycle_id}/remind").status_code == 403
    finally:
        with app.app_context():
            _finish(db.session, cycle_id)


def _finish(session, cycle_id: int) -> None:
    """Rate, compile and approve a quarter, so nobody's inbox keeps its tasks."""
    cycle = session.get(AppraisalCycle, cycle_id)
    for appraisal in cycle.appraisals:
        given = SCORES.get(appraisal.employee, OTHER_SCORE)
        values = dict.fromkeys(scoring.DIMENSIONS[appraisal.kind], given)
        for task in open_tasks(session, appraisal.instance_id):
            complete(session, task, task.assignee, values)
    session.expire_all()
    cycle = session.get(AppraisalCycle, cycle_id)
    decide_flagged(session, cycle)
    compile_sheet(session, cycle)
    for spec in APPROVERS:
        sign(session, cycle, spec)


# -- the result sheet: decisions, then approving all ----------------------------------------------
def test_hr_decides_on_the_sheet_then_approvers_approve_all(app, browser, published):
    from webapp.extensions import db

    with app.app_context():
        cycle = launch(db.session, WALKED)
        cycle_id, sheet_id = cycle.id, cycle.sheet_instance_id
        assert cycle.status == "compiling"
    hr = browser("hr")
    path = f"/appraisal/cycles/{cycle_id}/sheet"
    page = hr.text(path)
    assert [p for p in tagged(page, "decision-person") if 'data-employee="install1"' in p]
    assert 'data-testid="sheet-task" data-task-name="compile_results"' in page

    # a decision needs a reason; a training wait at least 3 days
    refused = hr.post(
        f"/appraisal/cycles/{cycle_id}/consequences",
        {"employee": "install1", "choice_install1": "training_wait", "days_install1": "2"},
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'data-field="reason_install1"' in text and 'data-field="days_install1"' in text
    saved = hr.post(
        f"/appraisal/cycles/{cycle_id}/consequences",
        {"employee": "install1", "choice_install1": "transfer", "reason_install1": "调往安装岗位"},
    )
    assert saved.status_code == 302
    assert 'data-testid="decision" data-choice="transfer"' in hr.text(path)
    assert (
        browser("gm")
        .post(
            f"/appraisal/cycles/{cycle_id}/consequences",
            {"employee": "install1", "choice_install1": "keep", "reason_install1": "留用"},
        )
        .status_code
        == 403
    )
    with app.app_context():
        compile_sheet(db.session, db.session.get(AppraisalCycle, cycle_id))

    # each approver in turn: their task listed, approve all, the outcome per task
    for username, spec in [
        ("supervisor", "approve_supervisor"),
        ("hr", "approve_hr"),
        ("director", "approve_director"),
        ("gm", "approve_gm"),
    ]:
        person = browser(username)
        with app.app_context():
            (task,) = open_tasks(db.session, sheet_id, spec)
        listed = person.text("/appraisal/approvals")
        assert f'data-task-id="{task.id}" data-task-name="{spec}"' in listed
        response = person.post("/appraisal/approvals/approve-all")
        assert response.status_code == 200
        done = response.get_data(as_text=True)
        (outcome,) = [o for o in tagged(done, "outcome") if f'data-task-id="{task.id}"' in o]
        assert 'data-approved="true"' in outcome
        assert f'data-task-id="{task.id}"' not in "".join(tagged(done, "approval-task"))

    page = browser("director").text(path)
    assert 'data-status="published"' in page
    assert len(tagged(page, "signature")) == 4
    empty = browser("supervisor").post("/appraisal/approvals/approve-all")
    assert 'data-testid="approve-all-outcomes"' in empty.get_data(as_text=True)


# -- settings -------------------------------------------------------------------------------------
def _settings_form(weights=None, bands=None) -> dict:
    weights = weights or scoring.DEFAULT_WEIGHTS
    bands = bands or scoring.DEFAULT_BANDS
    form = {
        f"weights.{case}.{group}": str(value)
        for case, row in weights.items()
        for group, value in row.items()
    }
    form |= {f"bands.{grade}": str(value) for grade, value in bands.items()}
    return form


def test_hr_edits_weights_and_bands_validated(app, browser):
    from webapp.extensions import db
    from workflows.appraisal import queries

    hr = browser("hr")
    page = hr.text("/appraisal/settings")
    assert 'name="weights.all.superior" value="40"' in page
    try:
        uneven = {
            **scoring.DEFAULT_WEIGHTS,
            "all": {"superior": 50, "peers": 30, "subordinates": 30},
        }
        response = hr.post("/appraisal/settings", _settings_form(weights=uneven))
        assert response.status_code == 422
        text = response.get_data(as_text=True)
        assert 'data-field="weights.all"' in text and 'value="50"' in text

        upside_down = {"优": 90, "良": 92, "中": 70, "较差": 60}
        response = hr.post("/appraisal/settings", _settings_form(bands=upside_down))
        assert response.status_code == 422
        assert 'data-field="bands"' in response.get_data(as_text=True)

        bands = {"优": 95, "良": 85, "中": 72.5, "较差": 60}
        response = hr.post("/appraisal/settings", _settings_form(bands=bands))
        assert response.status_code == 302
        with app.app_context():
            assert queries.current_settings(db.session).updated_by == "hr"
            table, _ = grades.current_table(db.session)
            # saved as a new version of the grade table, which now grades by these bounds
            assert table.deployed_by == "hr"
            assert grades.grade(db.session, table.id, Decimal("72.49")) == "较差"
            assert grades.grade(db.session, table.id, Decimal("72.50")) == "中"
        page = hr.text("/appraisal/settings")
        assert 'value="72.50"' in page and 'data-testid="grade-table"' in page
        download = hr.get("/appraisal/settings/appraisal_grade.dmn")
        assert download.status_code == 200 and b"&gt;= 72.5<" in download.data

        readonly = browser("gm").text("/appraisal/settings")
        assert "readonly" in readonly and 'data-testid="save-settings"' not in readonly
        assert browser("gm").post("/appraisal/settings", _settings_form()).status_code == 403
        assert browser("cs1").get("/appraisal/settings").status_code == 403
    finally:
        assert hr.post("/appraisal/settings", _settings_form()).status_code == 302


def test_a_rating_task_shows_whom_it_rates_not_the_cases_bookkeeping(app, browser):
    from webapp.extensions import db

    with app.app_context():
        cycle = operations.create_cycle(db.session, "2050Q1", actor_of(db.session, "hr"))
        db.session.commit()
        operations.launch_cycle(db.session, cycle.id, db.session.commit)
        cs2 = db.session.scalar(
            select(Appraisal).where(Appraisal.cycle_id == cycle.id, Appraisal.employee == "cs2")
        )
        (task,) = open_tasks(db.session, cs2.instance_id, "rate_competency_specialist [child]")[:1]
        page = browser(task.assignee).text(f"/tasks/{task.id}")
        _finish(db.session, cycle.id)
        forget_quarters(db.session, ["2050Q1"])
    assert "郑丽" in page  # cs2's display name, the person rated
    for bookkeeping in ("performance_raters", "competency_raters", "cycle_id", "appraisal_id"):
        assert bookkeeping not in page
