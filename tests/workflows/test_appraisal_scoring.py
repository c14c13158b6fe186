"""Art. 15–17 and Art. 9 in numbers: weights by which groups rated, composites rounded once,
grades by the shipped grade table (inclusive lower bounds), the annual mean, and the settings
HR may save."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from engine.decisions import compile_table
from engine.evaluator import Evaluator
from workflows.appraisal import grades, scoring
from workflows.appraisal.scoring import DEFAULT_BANDS, DEFAULT_WEIGHTS

D = Decimal
SHIPPED = Path(__file__).parents[2] / "diagrams" / grades.GRADE_FILE


@pytest.fixture(scope="module")
def table():
    """The grade table as shipped, compiled as deploy compiles it."""
    return compile_table(SHIPPED.name, SHIPPED.read_bytes(), Evaluator())


@pytest.mark.parametrize(
    ("averages", "weights", "composite"),
    [
        # every group rated: 40 / 30 / 30
        (
            {"superior": 90, "peers": 80, "subordinates": 70},
            {"superior": 40, "peers": 30, "subordinates": 30},
            "81.00",
        ),
        # no peers: superior 60, subordinates 40
        (
            {"superior": 90, "peers": None, "subordinates": 70},
            {"superior": 60, "subordinates": 40},
            "82.00",
        ),
        # no subordinates: superior 60, peers 40
        (
            {"superior": 90, "peers": 80, "subordinates": None},
            {"superior": 60, "peers": 40},
            "86.00",
        ),
        # neither: the superior alone
        ({"superior": 90, "peers": None, "subordinates": None}, {"superior": 100}, "90.00"),
    ],
    ids=["all", "no_peers", "no_subordinates", "neither"],
)
def test_the_weights_follow_which_groups_rated(averages, weights, composite):
    score, applied = scoring.composite(averages, DEFAULT_WEIGHTS)
    assert applied == weights
    assert score == D(composite)
    assert str(score) == composite  # two places, always


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100.00", "优"),
        ("90.00", "优"),
        ("89.99", "良"),
        ("80.00", "良"),
        ("79.99", "中"),
        ("70.00", "中"),
        ("69.99", "较差"),
        ("60.00", "较差"),
        ("59.99", "差"),
        ("0.00", "差"),
    ],
)
def test_each_band_includes_its_lower_bound(table, score, grade):
    assert grades.grade_of(table, D(score)) == grade


@pytest.mark.parametrize(
    ("grade", "consequence"),
    [("优", "none"), ("良", "none"), ("中", "no_raise"), ("较差", "no_raise"), ("差", "step_down")],
)
def test_art_17_proposes_a_consequence_with_the_grade(grade, consequence):
    assert scoring.consequence(grade) == consequence


def _rounded_first(averages, weights):
    """What rounding each average to 2 places before weighting would give (the wrong way)."""
    parts = {g: scoring.round_to(v) for g, v in averages.items() if v is not None}
    return scoring.round_to(sum(Fraction(weights[g]) * Fraction(v) for g, v in parts.items()) / 100)


@pytest.mark.parametrize(
    ("averages", "weights", "once", "first"),
    [
        # 88.333… and 91.666… with the superior at 25 %, the peers at 75 % (a saved setting):
        # 22.0833… + 68.75 = 90.8333… → 90.83; rounded first 22.0825 + 68.7525 = 90.835 → 90.84
        (
            {"superior": Fraction(265, 3), "peers": Fraction(275, 3), "subordinates": None},
            {**DEFAULT_WEIGHTS, "no_subordinates": {"superior": 25, "peers": 75}},
            "90.83",
            "90.84",
        ),
        # the default 40/30/30: a supervisor's eight subordinates average 80.041666…
        (
            {
                "superior": Fraction(500, 6),
                "peers": Fraction(80),
                "subordinates": Fraction(1921, 24),
            },
            DEFAULT_WEIGHTS,
            "81.35",
            "81.34",
        ),
    ],
)
def test_the_composite_is_rounded_once_not_its_parts(averages, weights, once, first):
    score, applied = scoring.composite(averages, weights)
    assert score == D(once)
    assert _rounded_first(averages, applied) == D(first) != score


def test_a_raters_score_is_the_mean_of_every_dimension_they_gave():
    performance = {"individual_results": 90, "work_ability": 85, "work_attitude": 80}
    competency = {"individual_results": 88, "work_ability": 86, "work_attitude": 84}
    assert scoring.rater_score([performance, competency]) == Fraction(513, 6)  # 85.5
    assert scoring.rater_score([{"a": 88, "b": 88, "c": 89}]) == Fraction(265, 3)
    # a group's average stays exact until the composite is rounded
    assert scoring.mean([Fraction(265, 3), Fraction(275, 3)]) == 90


def test_half_up_at_the_second_place():
    assert scoring.round_to(Fraction(80015, 1000)) == D("80.02")
    assert scoring.round_to(Fraction(80014999, 1000000)) == D("80.01")
    assert scoring.round_to(Fraction(2, 3), 4) == D("0.6667")


@pytest.mark.parametrize(
    ("quarters", "annual", "grade"),
    [
        (["88.33", "91.67", "90.00"], "90.00", "优"),
        (["85.00", "86.00", "86.00"], "85.67", "良"),  # 85.666… rounded once
        (["80.01", "80.02"], "80.02", "良"),  # 80.015 half up
        (["79.99"], "79.99", "中"),
        (["90.00", "89.99", "89.99", "89.99"], "89.99", "良"),  # 89.9925
    ],
)
def test_the_year_is_the_mean_of_its_quarters(table, quarters, annual, grade):
    score = scoring.annual(D(q) for q in quarters)
    assert score == D(annual)
    assert grades.grade_of(table, score) == grade


def test_no_quarter_no_annual_score():
    assert scoring.annual([]) is None


def test_a_quarter_launched_before_the_grade_table_grades_by_its_own_bands():
    stricter = {"优": 95, "良": 85, "中": 75, "较差": 65}
    assert scoring.grade(D("95.00"), stricter) == "优"
    assert scoring.grade(D("90.00"), stricter) == "良"
    assert scoring.grade(D("64.99"), stricter) == "差"


# -- what HR may save -----------------------------------------------------------------------------
def test_the_default_settings_are_valid():
    assert scoring.weight_errors(DEFAULT_WEIGHTS) == {}
    assert scoring.band_errors(DEFAULT_BANDS) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"all": {"superior": 40, "peers": 30, "subordinates": 20}}, "weights.all"),
        ({"no_peers": {"superior": 60, "subordinates": 41}}, "weights.no_peers"),
        ({"no_subordinates": {"superior": 50, "peers": 40}}, "weights.no_subordinates"),
        ({"neither": {"superior": 99.5}}, "weights.neither"),
        ({"neither": {"superior": 100, "peers": 0}}, "weights.neither"),  # a group it lacks
        ({"all": {"superior": -10, "peers": 60, "subordinates": 50}}, "weights.all"),
        ({"all": {"superior": "forty", "peers": 30, "subordinates": 30}}, "weights.all"),
        ({"all": {"superior": True, "peers": 69, "subordinates": 30}}, "weights.all"),
    ],
)
def test_each_weight_case_must_add_up_to_100(change, field):
    assert field in scoring.weight_errors({**DEFAULT_WEIGHTS, **change})


def test_weights_may_have_decimals_when_they_add_up():
    weights = {**DEFAULT_WEIGHTS, "all": {"superior": 33.34, "peers": 33.33, "subordinates": 33.33}}
    assert scoring.weight_errors(weights) == {}


def test_every_weight_case_is_needed():
    missing = {k: v for k, v in DEFAULT_WEIGHTS.items() if k != "neither"}
    assert "weights" in scoring.weight_errors(missing)
    assert "weights" in scoring.weight_errors([40, 30, 30])


@pytest.mark.parametrize(
    "bands",
    [
        {"优": 90, "良": 90, "中": 70, "较差": 60},  # equal
        {"优": 80, "良": 90, "中": 70, "较差": 60},  # ascending
        {"优": 90, "良": 80, "中": 70},  # a grade missing
        {"优": 190, "良": 80, "中": 70, "较差": 60},  # above 100
        {"优": 90, "良": 80, "中": 70, "较差": -1},
        {"优": 90, "良": 80, "中": 70, "较差": 60, "差": 0},  # 差 has no bound
    ],
)
def test_bands_must_be_strictly_descending_bounds_of_the_four_grades(bands):
    assert "bands" in scoring.band_errors(bands)
