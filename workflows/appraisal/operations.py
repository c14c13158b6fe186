"""Writes on the appraisal: settings, launching a quarter, reminders, ratings and scores.
The result sheet is in `sheet.py`, appeals in `appeals.py`. Flush only: the API view, page or
Celery job that calls these commits (the launch job once per person).

Refusals are `InvalidData` (422, per field, in the caller's language) or `Conflict` (409),
with sentences in Chinese and English.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import exc, func, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidData, field_message, fields_invalid
from engine.models import utcnow
from engine.runtime import SYSTEM, Actor

from .. import permissions
from ..notifications.operations import notify
from ..records.warranty import local_today
from . import grades, queries, scoring
from .models import (
    Appraisal,
    AppraisalCycle,
    AppraisalSettings,
    RaterAssignment,
    Rating,
)

log = logging.getLogger(__name__)

APPRAISAL_PROCESS = "quarterly_appraisal"
RESULTS_PROCESS = "appraisal_results"
CENT = Decimal("0.01")
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
# a rater assignment's group -> the average it counts in
GROUP_AVERAGES = {"superior": "superior", "peer": "peers", "subordinate": "subordinates"}


def invalid(errors: Mapping[str, tuple[str, str]], locale: str) -> InvalidData:
    """A 422 with per-field messages given as (English, 中文)."""
    return fields_invalid({field: field_message(locale, *texts) for field, texts in errors.items()})


def locked_cycle(session: Session, cycle_id: int, *, lock: bool = True) -> AppraisalCycle:
    stmt = select(AppraisalCycle).where(AppraisalCycle.id == cycle_id)
    cycle = session.scalar(
        stmt.with_for_update().execution_options(populate_existing=True) if lock else stmt
    )
    if cycle is None:
        raise Conflict(
            f"There is no appraisal cycle {cycle_id}.", f"没有编号为 {cycle_id} 的考核周期。"
        )
    return cycle


# -- settings ---------------------------------------------------------------------------------------
def update_settings(
    session: Session, weights: Any, bands: Any, actor: Actor, *, locale: str = "zh_CN"
) -> AppraisalSettings:
    """HR sets the weights (each case adds up to 100) and the grade bands (strictly
    descending). New bounds are written as a new version of the grade table; running cycles
    keep the weights and the table version they were launched with."""
    permissions.require_appraisal_hr(actor)
    errors = scoring.weight_errors(weights) | scoring.band_errors(bands)
    if errors:
        raise invalid(errors, locale)
    row = session.scalar(select(AppraisalSettings).order_by(AppraisalSettings.id).limit(1))
    if row is None:
        row = AppraisalSettings()
        session.add(row)
    # in the rules' order (superior, peers, subordinates), plain numbers
    row.weights = {
        case: {group: _plain(weights[case][group]) for group in groups}
        for case, groups in scoring.CASES.items()
    }
    row.updated_by, row.updated_at = actor.username, utcnow()
    _deploy_bands(session, bands, actor)
    session.flush()
    return row


def _deploy_bands(session: Session, bands: Mapping[str, Any], actor: Actor) -> None:
    """A new version of the grade table when `bands` grade differently from the current one."""
    from workflows.runtime import get_engine

    wanted = {g: Decimal(str(bands[g])) for g in scoring.BANDED_GRADES}
    definition, _ = grades.current_table(session)
    current = grades.lower_bounds(session, definition.id)
    # scores have 2 decimals: a bound of 89.995 grades exactly as 90.00 does
    if all(current[g] == wanted[g].quantize(CENT, rounding=ROUND_CEILING) for g in wanted):
        return
    text = grades.table_dmn(wanted)
    get_engine().deploy(session, {grades.GRADE_FILE: text.encode()}, actor)


def _plain_bounds(bounds: Mapping[str, Decimal | None]) -> dict[str, int | float | None]:
    return {g: _plain(b) if b is not None else None for g, b in bounds.items()}


def _plain(value: Any) -> int | float:
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


# -- launching a quarter ----------------------------------------------------------------------------
def create_cycle(
    session: Session, quarter: Any, actor: Actor, *, locale: str = "zh_CN"
) -> AppraisalCycle:
    """HR opens a quarter (status `launching`) with a copy of today's weights and the grade
    table's current version (its bands copied for display); the
    launch job then starts one appraisal per person in scope."""
    permissions.require_appraisal_hr(actor)
    if not isinstance(quarter, str) or not QUARTER.match(quarter.strip()):
        raise invalid(
            {
                "quarter": (
                    "Enter the quarter as year and quarter, e.g. 2026Q3 (quarters 1 to 4).",
                    "请按“年份+季度”填写季度，例如 2026Q3（季度为 1 到 4）。",
                )
            },
            locale,
        )
    quarter = quarter.strip()
    if queries.cycle_by_quarter(session, quarter) is not None:
        raise _quarter_taken(quarter)
    settings = queries.current_settings(session)
    table, _ = grades.current_table(session)
    cycle = AppraisalCycle(
        quarter=quarter,
        status="launching",
        total=len(queries.appraisal_scope(session)),
        launched_by=actor.username,
        launched_at=utcnow(),
        weights=copy.deepcopy(settings.weights),
        grade_table_id=table.id,
        bands=_plain_bounds(grades.lower_bounds(session, table.id)),
    )
    session.add(cycle)
    try:
        session.flush()
    except exc.IntegrityError as error:  # someone launched the same quarter a moment ago
        raise _quarter_taken(quarter) from error
    return cycle


def _quarter_taken(quarter: str) -> Conflict:
    return Conflict(
        f"The quarter {quarter} already has an appraisal cycle. Open it from the list.",
        f"{quarter} 季度已有考核周期。请从列表中打开它。",
    )


def _engine():
    # the runtime registers this package's effects when it is built: imported late, not above
    from ..runtime import get_engine

    return get_engine()


def launch_person(
    session: Session,
    cycle_id: int,
    person: queries.Appraisee,
    *,
    process_key: str = APPRAISAL_PROCESS,
) -> Appraisal | None:
    """Create the person's appraisal, their raters' assignments and start their
    `quarterly_appraisal` (as the system); None when they have one already. Flush only."""
    cycle = locked_cycle(session, cycle_id)
    if cycle.status != "launching":
        return None
    exists = session.scalar(
        select(Appraisal.id).where(
            Appraisal.cycle_id == cycle.id, Appraisal.employee == person.username
        )
    )
    if exists is not None:
        return None
    appraisal = Appraisal(cycle_id=cycle.id, employee=person.username, kind=person.kind)
    appraisal.assignments = [
        RaterAssignment(rater=rater, group=group, form=form)
        for rater, group, form in person.assignments()
    ]
    session.add(appraisal)
    session.flush()
    data = {
        "cycle_id": cycle.id,
        "quarter": cycle.quarter,
        "appraisal_id": appraisal.id,
        "employee": person.username,
        "employee_name": person.display_name,
        "kind": person.kind,
        "performance_raters": person.performance_raters,
        "competency_raters": person.competency_raters,
    }
    instance = _engine().start(
        session,
        process_key,
        data,
        SYSTEM,
        business_key=f"appraisal:{cycle.quarter}:{person.username}",
    )
    appraisal.instance_id = instance.id
    session.flush()
    return appraisal


def finish_launch(
    session: Session, cycle_id: int, *, process_key: str = RESULTS_PROCESS
) -> AppraisalCycle:
    """Everyone has their appraisal: start the cycle's result sheet once; status `rating`
    (`compiling` straight away when nobody is waiting for a rating)."""
    cycle = locked_cycle(session, cycle_id)
    if cycle.status != "launching":
        return cycle
    if cycle.sheet_instance_id is None:
        data = {"cycle_id": cycle.id, "quarter": cycle.quarter}
        sheet = _engine().start(
            session, process_key, data, SYSTEM, business_key=f"appraisal-results:{cycle.quarter}"
        )
        cycle.sheet_instance_id = sheet.id
    cycle.total = session.scalar(
        select(func.count()).select_from(Appraisal).where(Appraisal.cycle_id == cycle.id)
    )
    cycle.launched()
    if not _unscored(session, cycle.id):
        cycle.all_rated()
    session.flush()
    return cycle


def launch_cycle(
    session: Session,
    cycle_id: int,
    commit: Callable[[], None],
    *,
    appraisal_process: str = APPRAISAL_PROCESS,
    results_process: str = RESULTS_PROCESS,
) -> AppraisalCycle | None:
    """Start every appraisal of a `launching` cycle, each in its own transaction (`commit`
    after each), then the result sheet. Safe to run again, also after a crash half-way:
    whoever has an appraisal is skipped."""
    cycle = session.get(AppraisalCycle, cycle_id)
    if cycle is None or cycle.status != "launching":
        return cycle
    for person in queries.appraisal_scope(session):
        if launch_person(session, cycle_id, person, process_key=appraisal_process) is not None:
            commit()
    cycle = finish_launch(session, cycle_id, process_key=results_process)
    commit()
    log.info("appraisal cycle %s launched: %s people", cycle.quarter, cycle.total)
    return cycle


def remind_raters(
    session: Session, cycle_id: int, actor: Actor, *, locale: str = "zh_CN"
) -> list[tuple[str, int]]:
    """Tell each rater who still has forms to fill; once a day at most. Returns them."""
    permissions.require_appraisal_hr(actor)
    cycle = locked_cycle(session, cycle_id, lock=False)
    pending = queries.pending_raters(session, cycle.id)
    today = local_today().isoformat()
    for rater, count in pending:
        notify(
            session,
            rater,
            "appraisal_reminder",
            subject=(
                f"请完成 {cycle.quarter} 绩效考核评分（{count} 份）",
                f"Please fill in your {cycle.quarter} appraisal forms ({count})",
            ),
            body=(
                "人力资源部提醒您：您还有考核评估表未填写，请在待办任务中完成。",
                "HR reminds you that appraisal forms are waiting for you in your tasks.",
            ),
            link="/tasks",
            dedup_key=f"appraisal-remind:{cycle.id}:{rater}:{today}",
        )
    return pending


# -- ratings and scores -----------------------------------------------------------------------------
def whole_number(value: Any) -> int | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite() or number != number.to_integral_value() or not 0 <= number <= 100:
        return None
    return int(number)


def record_rating(
    session: Session,
    appraisal_id: int,
    rater: str,
    form: str,
    values: Mapping[str, Any],
    *,
    locale: str = "zh_CN",
) -> Rating:
    """Save a rater's form (each dimension a whole number 0–100, optional `comment`); the
    last form of an appraisal scores it, in the same transaction."""
    appraisal = session.get(Appraisal, appraisal_id)
    if appraisal is None or appraisal.status != "rating":
        raise Conflict("This appraisal is no longer waiting for ratings.", "该考核已不再等待评分。")
    scores, errors = {}, {}
    for dimension in scoring.DIMENSIONS[appraisal.kind]:
        score = whole_number(values.get(dimension))
        if score is None:
            errors[dimension] = ("Enter a whole number from 0 to 100.", "请输入 0 到 100 的整数。")
        scores[dimension] = score
    if errors:
        raise invalid(errors, locale)
    assignment = session.scalar(
        select(RaterAssignment).where(
            RaterAssignment.appraisal_id == appraisal.id,
            RaterAssignment.rater == rater,
            RaterAssignment.form == form,
            RaterAssignment.status == "open",
        )
    )
    if assignment is None:
        raise Conflict(
            "You have no open appraisal form of this kind for this person: it was filled "
            "in already, or was never yours.",
            "您没有此人的这份待填考核表：可能已经填写，或不是分配给您的。",
        )
    comment = values.get("comment")
    rating = Rating(
        assignment=assignment,
        scores=scores,
        comment=str(comment).strip() if comment else "",
        submitted_at=utcnow(),
    )
    assignment.status = "done"
    session.add(rating)
    session.flush()
    if not any(a.status == "open" for a in appraisal.assignments):
        score_appraisal(session, appraisal)
    return rating


def score_appraisal(session: Session, appraisal: Appraisal) -> Appraisal:
    """Group averages, the composite (rounded once) and the grade, by the cycle's weights
    and bands; the cycle moves to `compiling` when this was the last one."""
    cycle = locked_cycle(session, appraisal.cycle_id)  # serialises the last two appraisals scored
    by_rater: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for assignment in appraisal.assignments:
        if assignment.rating is not None:
            key = (GROUP_AVERAGES[assignment.group], assignment.rater)
            by_rater.setdefault(key, []).append(assignment.rating.scores)
    averages = {
        group: scoring.mean(
            scoring.rater_score(forms) for (g, _), forms in by_rater.items() if g == group
        )
        for group in scoring.GROUP_KEYS
    }
    composite, applied = scoring.composite(averages, cycle.weights)
    grade = grades.cycle_grade(session, cycle, composite)
    appraisal.superior_avg = _stored(averages["superior"])
    appraisal.peers_avg = _stored(averages["peers"])
    appraisal.subordinates_avg = _stored(averages["subordinates"])
    appraisal.weights, appraisal.composite, appraisal.grade = applied, composite, grade
    appraisal.consequence = scoring.consequence(grade)
    appraisal.scored()
    session.flush()
    # a cycle still launching checks this when it finishes
    if cycle.status == "rating" and not _unscored(session, cycle.id):
        cycle.all_rated()
        session.flush()
    return appraisal


def _stored(average) -> Decimal | None:
    # for display only: the composite was computed from the exact averages
    return scoring.round_to(average, 4) if average is not None else None


def _unscored(session: Session, cycle_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Appraisal)
        .where(Appraisal.cycle_id == cycle_id, Appraisal.status == "rating")
    )
