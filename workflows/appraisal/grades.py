"""Grades (Art. 16) from the decision table `appraisal_grade` (diagrams/appraisal_grade.dmn).

The table is deployed and versioned like a diagram; a cycle keeps the version it was launched
with, so editing the table never regrades a quarter already under way. A table is accepted at
deploy only when it grades every score a composite can be (0.00 to 100.00, two decimals) with
one of the five grades, and never gives a higher score a worse grade (`check_table`): the
bands HR reads on the settings page are derived from it (`bands_of`), never kept beside it.
HR's settings form writes a new version of the table (`table_dmn`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from engine.decisions import DecisionError
from engine.errors import Conflict

from . import scoring
from .scoring import BANDED_GRADES, GRADE_LABELS, GRADES, LOWEST_GRADE

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.decisions import DecisionTable
    from engine.models import DecisionDefinition

    from .models import AppraisalCycle

GRADE_DECISION = "appraisal_grade"
GRADE_FILE = f"{GRADE_DECISION}.dmn"
# every score a composite (or a year's mean) can be: rounded once, to 2 decimals
SCORES = tuple(Decimal(n).scaleb(-2) for n in range(10001))
_RULE_IDS = {
    "优": "excellent",
    "良": "good",
    "中": "average",
    "较差": "poor",
    "差": "unsatisfactory",
}


def grade_of(table: DecisionTable, score: Decimal) -> str:
    """The table's grade for `score`; Conflict when the table gives none of the five."""
    try:
        grade = table.evaluate({"score": score}).get("grade")
    except DecisionError as error:
        raise Conflict(
            f"The grade table could not grade {score}: {error.message}",
            f"等级表无法为 {score} 评定等级：{error.message_zh}",
        ) from error
    if grade not in GRADES:
        raise Conflict(
            f"The grade table gives {score} the grade {grade!r}, which is not one of "
            + ", ".join(GRADES)
            + ".",
            f"等级表为 {score} 评定的等级“{grade}”不是 " + "、".join(GRADES) + " 之一。",
        )
    return grade


def check_table(table: DecisionTable) -> list[tuple[str, str]]:
    """Why `table` cannot grade appraisals, as (English, 中文) sentences; empty when it can."""
    if "grade" not in table.outputs:
        return [
            (
                'The grade table needs an output named "grade" (it has: '
                + (", ".join(table.outputs) or "none")
                + ").",
                "等级表需要一个名为“grade”的输出列（现有："
                + ("、".join(table.outputs) or "无")
                + "）。",
            )
        ]
    previous: tuple[Decimal, str] | None = None
    for index, score in enumerate(SCORES):
        try:
            grade = grade_of(table, score)
        except Conflict as error:
            last = _last_ungraded(table, index)
            return [
                (
                    f"Scores from {score} to {last} get no grade. {error.message}",
                    f"{score} 至 {last} 的分数没有等级。{error.message_zh}",
                )
            ]
        if previous is not None and GRADES.index(grade) > GRADES.index(previous[1]):
            return [
                (
                    f"The grade table gives {score} a worse grade ({grade}) than "
                    f"{previous[0]} ({previous[1]}); a higher score must never grade lower.",
                    f"等级表给 {score} 的等级（{grade}）低于 {previous[0]} 的等级"
                    f"（{previous[1]}）；分数越高，等级不得越低。",
                )
            ]
        previous = (score, grade)
    return []


def _last_ungraded(table: DecisionTable, first: int) -> Decimal:
    """The end of the run of ungraded scores that starts at SCORES[first]."""
    for score_before, score in zip(SCORES[first:], SCORES[first + 1 :], strict=False):
        try:
            grade_of(table, score)
        except Conflict:
            continue
        return score_before
    return SCORES[-1]


def bands_of(table: DecisionTable) -> dict[str, Decimal | None]:
    """Each grade's lowest score under `table` (None for a grade it never gives)."""
    bands: dict[str, Decimal | None] = dict.fromkeys(GRADES)
    for score in SCORES:
        grade = grade_of(table, score)
        if bands[grade] is None:
            bands[grade] = score
    return bands


def current_table(session: Session) -> tuple[DecisionDefinition, DecisionTable]:
    """The newest deployed grade table; Conflict when none is deployed."""
    from workflows.runtime import get_engine

    found = get_engine().latest_decision_table(session, GRADE_DECISION)
    if found is None:
        raise Conflict(
            f"No grade table ({GRADE_FILE}) is deployed; deploy the shipped diagrams first.",
            f"尚未部署等级表（{GRADE_FILE}）；请先部署随附的流程图。",
        )
    return found


def deployed_bands(
    session: Session,
) -> tuple[DecisionDefinition | None, dict[str, Decimal | None]]:
    """The current grade table's version and each grade's lowest score; (None, {}) while no
    table is deployed (the weights can still be kept)."""
    try:
        definition, _ = current_table(session)
    except Conflict:
        return None, {}
    return definition, lower_bounds(session, definition.id)


def table(session: Session, definition_id: int) -> DecisionTable:
    from workflows.runtime import get_engine

    return get_engine().decision_table(session, definition_id)


def grade(session: Session, definition_id: int, score: Decimal) -> str:
    """`score`'s grade by the table version `definition_id` (a cycle's)."""
    return grade_of(table(session, definition_id), score)


def cycle_grade(session: Session, cycle: AppraisalCycle, score: Decimal) -> str:
    """`score`'s grade in `cycle`: by the table version it was launched with (a quarter
    launched before grades were a table grades by the bands it copied then)."""
    if cycle.grade_table_id is None:
        return scoring.grade(score, cycle.bands)
    return grade(session, cycle.grade_table_id, score)


@lru_cache(maxsize=16)
def _cached_bands(definition_id: int, table_: DecisionTable) -> dict[str, Decimal | None]:
    return bands_of(table_)


def lower_bounds(session: Session, definition_id: int) -> dict[str, Decimal | None]:
    """The lowest score of each grade under a table version (versions never change)."""
    return dict(_cached_bands(definition_id, table(session, definition_id)))


def table_dmn(bands: Mapping[str, Any]) -> str:
    """The grade table for lower bounds `bands` (grade -> inclusive lower bound, 优 … 较差),
    first match from the best grade down; below the last bound is 差."""
    rules = []
    for name in (*BANDED_GRADES, LOWEST_GRADE):
        rule = _RULE_IDS[name]
        bound = Decimal(str(bands[name])).normalize() if name in BANDED_GRADES else None
        entry = f"&gt;= {bound:f}" if bound is not None else "-"
        shown = f"{name} ≥ {bound:f}" if bound is not None else f"{name}（其余 / otherwise）"
        rules.append(
            f'      <rule id="rule_{rule}">\n'
            f"        <description>{escape(shown)} · {GRADE_LABELS[name][1]}</description>\n"
            f'        <inputEntry id="rule_{rule}_score">\n'
            f"          <text>{entry}</text>\n"
            "        </inputEntry>\n"
            f'        <outputEntry id="rule_{rule}_grade">\n'
            f'          <text>"{name}"</text>\n'
            "        </outputEntry>\n"
            "      </rule>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
        'id="appraisal_grade_definitions" name="考核等级" '
        'namespace="http://aftersales.example/dmn">\n'
        "  <!-- Grades by composite score (Art. 16), first match from the best grade down: a\n"
        "       score exactly on a bound gets the higher grade. The application evaluates this\n"
        "       table itself, with `score` (a Decimal, 0.00 to 100.00); it must answer `grade`,\n"
        "       one of 优 良 中 较差 差. HR's settings page writes new versions of it. -->\n"
        '  <decision id="appraisal_grade" name="考核等级">\n'
        "    <description>Appraisal grades (Art. 16): 优 excellent, 良 good, 中 average, "
        "较差 poor, 差 unsatisfactory.\n"
        "考核等级（第十六条）：优、良、中、较差、差。</description>\n"
        '    <decisionTable id="appraisal_grade_table" hitPolicy="FIRST">\n'
        '      <input id="input_score" label="综合得分">\n'
        '        <inputExpression id="input_score_expression" typeRef="number">\n'
        "          <text>score</text>\n"
        "        </inputExpression>\n"
        "      </input>\n"
        '      <output id="output_grade" label="等级" name="grade" typeRef="string" />\n'
        + "".join(rules)
        + "    </decisionTable>\n"
        "  </decision>\n"
        "</definitions>\n"
    )
