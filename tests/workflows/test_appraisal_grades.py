"""The grade table (Art. 16) as a deployed decision table: the shipped file, what a table must
do to be accepted, the bands read back from it, and HR's bounds written as a new table."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from engine.decisions import compile_table
from engine.evaluator import Evaluator
from workflows.appraisal import grades
from workflows.appraisal.scoring import DEFAULT_BANDS

D = Decimal
SHIPPED = Path(__file__).parents[2] / "diagrams" / grades.GRADE_FILE
EVALUATOR = Evaluator()


def table_of(text: str):
    return compile_table(grades.GRADE_FILE, text, EVALUATOR)


def _rules(*rules: tuple[str, str], output: str = "grade", policy: str = "FIRST") -> str:
    """A one-input table on `score` with (input entry, output entry) rows."""
    body = "".join(
        f'<rule id="r{n}"><inputEntry id="r{n}i"><text>{entry}</text></inputEntry>'
        f'<outputEntry id="r{n}o"><text>{out}</text></outputEntry></rule>'
        for n, (entry, out) in enumerate(rules)
    )
    return (
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" '
        'namespace="http://aftersales.example/dmn">'
        '<decision id="appraisal_grade" name="grades">'
        f'<decisionTable id="t" hitPolicy="{policy}">'
        '<input id="i"><inputExpression id="ie" typeRef="number"><text>score</text>'
        "</inputExpression></input>"
        f'<output id="o" name="{output}" typeRef="string"/>'
        f"{body}</decisionTable></decision></definitions>"
    )


def test_the_shipped_table_is_what_the_settings_write_for_the_default_bands():
    """Edit the bands through HR's settings (or `grades.table_dmn`), never this file by hand."""
    assert SHIPPED.read_text(encoding="utf-8") == grades.table_dmn(DEFAULT_BANDS)


def test_the_shipped_table_grades_every_score_and_reads_back_as_the_article_16_bands():
    table = table_of(SHIPPED.read_text(encoding="utf-8"))
    assert grades.check_table(table) == []
    assert grades.bands_of(table) == {
        "优": D("90.00"),
        "良": D("80.00"),
        "中": D("70.00"),
        "较差": D("60.00"),
        "差": D("0.00"),
    }


@pytest.mark.parametrize(
    ("bands", "score", "grade"),
    [
        ({"优": 95, "良": 85, "中": 75, "较差": 65}, "94.99", "良"),
        ({"优": 95, "良": 85, "中": 75, "较差": 65}, "95.00", "优"),
        ({"优": 95, "良": 85, "中": 75, "较差": 65}, "64.99", "差"),
        # a bound between two scores: the first score above it is the band's lowest
        ({"优": 89.5, "良": 80, "中": 72.25, "较差": 60}, "89.49", "良"),
        ({"优": 89.5, "良": 80, "中": 72.25, "较差": 60}, "89.50", "优"),
        ({"优": 89.5, "良": 80, "中": 72.25, "较差": 60}, "72.25", "中"),
    ],
)
def test_written_bounds_grade_at_their_edges(bands, score, grade):
    table = table_of(grades.table_dmn(bands))
    assert grades.check_table(table) == []
    assert grades.grade_of(table, D(score)) == grade


@pytest.mark.parametrize(
    ("text", "says_en", "says_zh"),
    [
        (  # nothing below 60: a score of 59.99 would have no grade
            _rules((">= 90", '"优"'), (">= 60", '"良"')),
            "Scores from 0.00 to 59.99 get no grade",
            "0.00 至 59.99 的分数没有等级",
        ),
        (  # a grade that is not one of the five
            _rules((">= 90", '"A"'), ("-", '"差"')),
            "grade 'A'",
            "“A”",
        ),
        (  # upside down: 80 gets 优 but 90 only 良
            _rules((">= 90", '"良"'), (">= 80", '"优"'), ("-", '"差"')),
            "a worse grade (良) than 89.99 (优)",
            "90.00 的等级（良）低于 89.99 的等级（优）",
        ),
        (  # the answer under another name
            _rules(("-", '"优"'), output="level"),
            'an output named "grade"',
            "“grade”",
        ),
    ],
    ids=["gap", "unknown grade", "not monotonic", "no grade output"],
)
def test_a_table_that_cannot_grade_every_score_is_refused_with_why(text, says_en, says_zh):
    [(en, zh)] = grades.check_table(table_of(text))
    assert says_en in en
    assert says_zh in zh


def test_a_cycle_grades_by_its_own_table_version(app):
    """Bounds saved after a launch make a new version; the older one still grades as before."""
    from webapp.extensions import db
    from workflows.runtime import get_engine

    with app.app_context():
        engine = get_engine()
        current, _ = grades.current_table(db.session)
        stricter = grades.table_dmn({"优": 95, "良": 85, "中": 75, "较差": 65})
        engine.deploy(db.session, {grades.GRADE_FILE: stricter.encode()}, _owner())
        newer, _ = grades.current_table(db.session)
        try:
            assert newer.version == current.version + 1
            assert grades.grade(db.session, current.id, D("90.00")) == "优"
            assert grades.grade(db.session, newer.id, D("90.00")) == "良"
            assert grades.lower_bounds(db.session, newer.id)["优"] == D("95.00")
        finally:
            db.session.rollback()


def test_a_grade_table_that_fails_its_check_is_not_deployed(app):
    from engine.deploy_messages import DeployRejected
    from webapp.extensions import db
    from workflows.runtime import get_engine

    with app.app_context():
        current, _ = grades.current_table(db.session)
        gap = _rules((">= 60", '"优"'))
        with pytest.raises(DeployRejected) as refused:
            get_engine().deploy(db.session, {grades.GRADE_FILE: gap.encode()}, _owner())
        [problem] = refused.value.problems
        assert "59.99" in problem.message and "59.99" in problem.message_zh
        db.session.rollback()
        assert grades.current_table(db.session)[0].id == current.id


def _owner():
    from engine.runtime import Actor

    return Actor("owner", frozenset({"process_owner"}))


def test_restarting_the_app_keeps_the_bounds_hr_saved(app):
    """`make run` deploys the shipped diagrams at every start; HR's table stays current."""
    from engine.runtime import Actor
    from webapp.cli import deploy_shipped
    from webapp.extensions import db
    from workflows.appraisal import operations, queries

    hr = Actor("hr", frozenset({"hr"}))
    with app.app_context():
        weights = dict(queries.current_settings(db.session).weights)
        operations.update_settings(
            db.session, weights, {"优": 92, "良": 82, "中": 72, "较差": 62}, hr
        )
        db.session.commit()
        saved, _ = grades.current_table(db.session)
        try:
            deployed = deploy_shipped()
            grade_table = next(d for d in deployed if d.definition.key == grades.GRADE_DECISION)
            assert not grade_table.created
            assert grades.current_table(db.session)[0].id == saved.id
        finally:
            operations.update_settings(db.session, weights, DEFAULT_BANDS, hr)
            db.session.commit()
        assert grades.lower_bounds(db.session, grades.current_table(db.session)[0].id)["优"] == 90
