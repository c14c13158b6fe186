"""How an appraisal is scored (Art. 15–17, Art. 9): the one place.

Averages stay exact (Fractions: a third stays a third, no 28-digit Decimal rounding); the
composite is rounded once, to 2 decimals, half up.
Weights and bands are the cycle's copy of the settings, in these shapes:

- weights: case -> group -> percent, the cases by which groups have ratings
  (`all`, `no_peers`, `no_subordinates`, `neither`), e.g. DEFAULT_WEIGHTS;
- bands: grade -> inclusive lower bound for 优 良 中 较差; below the last is 差.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

GROUP_KEYS = ("superior", "peers", "subordinates")
# which groups each weight case has
CASES: dict[str, tuple[str, ...]] = {
    "all": ("superior", "peers", "subordinates"),
    "no_peers": ("superior", "subordinates"),
    "no_subordinates": ("superior", "peers"),
    "neither": ("superior",),
}
DEFAULT_WEIGHTS: dict[str, dict[str, int]] = {
    "all": {"superior": 40, "peers": 30, "subordinates": 30},
    "no_peers": {"superior": 60, "subordinates": 40},
    "no_subordinates": {"superior": 60, "peers": 40},
    "neither": {"superior": 100},
}
# best first; 差 is everything below the last bound
BANDED_GRADES = ("优", "良", "中", "较差")
LOWEST_GRADE = "差"
GRADES = (*BANDED_GRADES, LOWEST_GRADE)
DEFAULT_BANDS: dict[str, int] = {"优": 90, "良": 80, "中": 70, "较差": 60}
GRADE_LABELS = {
    "优": ("优", "Excellent"),
    "良": ("良", "Good"),
    "中": ("中", "Average"),
    "较差": ("较差", "Poor"),
    "差": ("差", "Unsatisfactory"),
}
# Art. 17, proposed with the grade
CONSEQUENCES = {"优": "none", "良": "none", "中": "no_raise", "较差": "no_raise", "差": "step_down"}
DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "supervisor": ("department_goals", "operating_performance", "management_performance"),
    "specialist": ("individual_results", "work_ability", "work_attitude"),
}
HUNDRED = Decimal(100)
Exact = Fraction | Decimal | int


def mean(values: Iterable[Exact]) -> Fraction | None:
    """The arithmetic mean, exact; None for no values."""
    items = [Fraction(v) for v in values]
    return sum(items, Fraction(0)) / len(items) if items else None


def rater_score(scores: Iterable[Mapping[str, Any]]) -> Fraction:
    """A rater's score: the mean of every dimension they gave, over all their forms."""
    result = mean(Fraction(str(v)) for form in scores for v in form.values())
    if result is None:
        raise ValueError("a rater with no scores")
    return result


def weight_case(has_peers: bool, has_subordinates: bool) -> str:
    if has_peers and has_subordinates:
        return "all"
    if has_subordinates:
        return "no_peers"
    if has_peers:
        return "no_subordinates"
    return "neither"


def round_to(value: Exact, places: int = 2) -> Decimal:
    """`value` rounded half up to `places` decimals, exactly (scores are never negative)."""
    scale = 10**places
    scaled = Fraction(value) * scale
    # half up: floor(x + 1/2), computed on the exact fraction
    units = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    return Decimal(units).scaleb(-places)


def composite(
    averages: Mapping[str, Exact | None], weights: Mapping[str, Mapping[str, Any]]
) -> tuple[Decimal, dict[str, Any]]:
    """Σ weight × group average, rounded once; and the weights applied (group -> percent)."""
    if averages.get("superior") is None:
        raise ValueError("an appraisal needs the superior's rating")
    case = weight_case(averages.get("peers") is not None, averages.get("subordinates") is not None)
    applied = {g: weights[case][g] for g in CASES[case]}
    total = sum(
        (Fraction(str(applied[g])) * Fraction(averages[g]) for g in CASES[case]), Fraction(0)
    )
    return round_to(total / 100), applied


def grade(score: Decimal, bands: Mapping[str, Any]) -> str:
    """The grade whose lower bound (inclusive) the score reaches first, best first."""
    for name in BANDED_GRADES:
        if score >= Decimal(str(bands[name])):
            return name
    return LOWEST_GRADE


def consequence(grade_: str) -> str:
    return CONSEQUENCES[grade_]


def annual(composites: Iterable[Decimal]) -> Decimal | None:
    """The year's score: the mean of the quarters' composites, rounded once."""
    result = mean(composites)
    return round_to(result) if result is not None else None


# -- settings as HR edits them --------------------------------------------------------------------
def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def weight_errors(weights: Any) -> dict[str, tuple[str, str]]:
    """Problems with a weights table, per field `weights.<case>`, as (English, 中文)."""
    if not isinstance(weights, Mapping) or set(weights) != set(CASES):
        return {
            "weights": (
                "Give the weights for each case: " + ", ".join(CASES) + ".",
                "请为每种情况填写权重：" + "、".join(CASES) + "。",
            )
        }
    errors = {}
    for case, groups in CASES.items():
        row = weights[case]
        numbers = {g: _number(row.get(g)) for g in groups} if isinstance(row, Mapping) else {}
        if (
            not isinstance(row, Mapping)
            or set(row) != set(groups)
            or any(n is None or n < 0 or n > HUNDRED for n in numbers.values())
        ):
            errors[f"weights.{case}"] = (
                "Give a percentage from 0 to 100 for each of: " + ", ".join(groups) + ".",
                "请为以下各组填写 0 到 100 的百分比：" + "、".join(groups) + "。",
            )
        elif sum(numbers.values(), Decimal(0)) != HUNDRED:
            errors[f"weights.{case}"] = (
                f"The weights of this case add up to {sum(numbers.values(), Decimal(0))} %; "
                "they must add up to 100 %.",
                f"该情况的权重合计为 {sum(numbers.values(), Decimal(0))}%，必须合计为 100%。",
            )
    return errors


def band_errors(bands: Any) -> dict[str, tuple[str, str]]:
    """Problems with the grade bands: four bounds from 0 to 100, strictly descending."""
    numbers = [_number(bands.get(g)) for g in BANDED_GRADES] if isinstance(bands, Mapping) else []
    if (
        not isinstance(bands, Mapping)
        or set(bands) != set(BANDED_GRADES)
        or any(n is None or n < 0 or n > HUNDRED for n in numbers)
    ):
        return {
            "bands": (
                "Give a lower bound from 0 to 100 for each grade: "
                + ", ".join(BANDED_GRADES)
                + ".",
                "请为每个等级填写 0 到 100 的下限：" + "、".join(BANDED_GRADES) + "。",
            )
        }
    if any(upper <= lower for upper, lower in zip(numbers, numbers[1:], strict=False)):
        return {
            "bands": (
                "Each grade's lower bound must be below the one of the grade above it "
                "(优 > 良 > 中 > 较差).",
                "每个等级的下限必须低于上一等级的下限（优 > 良 > 中 > 较差）。",
            )
        }
    return {}
