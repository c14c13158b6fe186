"""What the appraisal pages and exports show, read from the core's records: the result sheet
(绩效考核结果处理表) with its signatures, the year's summary (年度考核汇总表), and the few
reads `workflows.appraisal.queries` does not offer (a person's own results, open appeals,
forms filled per cycle). Reading only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, selectinload

from engine.runtime import Actor
from workflows import permissions
from workflows.appraisal import queries, scoring, sheet
from workflows.appraisal.models import (
    Appeal,
    Appraisal,
    AppraisalCycle,
    Approval,
    RaterAssignment,
)
from workflows.org.models import User, role_label
from workflows.org.queries import display_names

APPRAISED_ROLES = (queries.SUPERVISOR_ROLE, *queries.SPECIALIST_ROLES)
# a person whose role changed since still shows the kind they were appraised as
KIND_NAMES = {"supervisor": ("主管", "Supervisor"), "specialist": ("专员", "Specialist")}


# -- the result sheet -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetRow:
    number: int
    appraisal: Appraisal
    name: str
    position: str  # the role the person is appraised in
    group: str | None  # User.group: 客服组, 维修组 ...
    flagged: bool  # the bottom of the department or 差: HR decides (Art. 17)


@dataclass(frozen=True)
class GroupAverage:
    group: str
    people: int
    average: Decimal | None  # of the composites, rounded once


@dataclass(frozen=True)
class Signature:
    approval: Approval
    signer_name: str


@dataclass(frozen=True)
class ResultSheet:
    cycle: AppraisalCycle
    rows: list[SheetRow]
    groups: list[GroupAverage]
    trail: list[Signature]
    waiting_for: str | None  # the approval step the sheet waits for


def _position(user: User | None, kind: str, locale: str) -> str:
    role = next((r for r in APPRAISED_ROLES if user is not None and r in user.roles), None)
    if role is not None:
        return role_label(role, locale)
    zh, en = KIND_NAMES.get(kind, (kind, kind))
    return zh if locale.startswith("zh") else en


def result_sheet(session: Session, cycle: AppraisalCycle, locale: str) -> ResultSheet:
    """Everyone of the cycle with their scores, the groups' averages and the signatures."""
    appraisals = queries.cycle_appraisals(session, cycle.id)
    users = {
        u.username: u
        for u in session.scalars(
            select(User).where(User.username.in_([a.employee for a in appraisals]))
        )
    }
    # who is flagged is only known once everyone is scored
    all_scored = cycle.status not in ("launching", "rating")
    flagged = {a.id for a in queries.needs_decision(appraisals)} if all_scored else set()
    rows = []
    for number, appraisal in enumerate(appraisals, start=1):
        user = users.get(appraisal.employee)
        rows.append(
            SheetRow(
                number,
                appraisal,
                user.display_name if user else appraisal.employee,
                _position(user, appraisal.kind, locale),
                user.group if user else None,
                appraisal.id in flagged,
            )
        )
    by_group: dict[str, list[Decimal]] = {}
    for row in rows:
        if row.appraisal.composite is not None:
            by_group.setdefault(row.group or "—", []).append(row.appraisal.composite)
    groups = [
        GroupAverage(name, len(values), scoring.round_to(scoring.mean(values)))
        for name, values in sorted(by_group.items())
    ]
    return ResultSheet(
        cycle, rows, groups, signatures(session, [cycle]), sheet.current_step(session, cycle)
    )


def signatures(session: Session, cycles: list[AppraisalCycle]) -> list[Signature]:
    """The cycles' approvals, round by round, in the order they were signed."""
    approvals = list(
        session.scalars(
            select(Approval)
            .where(Approval.cycle_id.in_([c.id for c in cycles]))
            .order_by(Approval.cycle_id, Approval.round, Approval.signed_at, Approval.id)
        )
    )
    names = display_names(session, {a.signer for a in approvals})
    return [Signature(a, names.get(a.signer, a.signer)) for a in approvals]


# -- the year -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnualTable:
    year: int
    rows: list[queries.AnnualRow]
    revised: set[tuple[str, str]]  # (employee, "Q1".."Q4") whose composite an appeal revised
    groups: dict[str, str | None]  # employee -> group
    trail: list[tuple[str, list[Signature]]]  # quarter -> the signatures of its sheet


def annual_table(session: Session, year: int) -> AnnualTable:
    """The core's year summary, with which quarters an appeal revised and each sheet's
    signatures."""
    rows = queries.annual_summary(session, year)
    ids = [i for row in rows for i in row.appraisal_ids]
    revised = set()
    if ids:
        for appraisal in session.scalars(
            select(Appraisal)
            .where(Appraisal.id.in_(ids))
            .options(selectinload(Appraisal.revisions), selectinload(Appraisal.cycle))
        ):
            if appraisal.revision is not None:
                revised.add((appraisal.employee, appraisal.cycle.quarter[4:]))
    groups = dict(
        session.execute(
            select(User.username, User.group).where(User.username.in_([r.employee for r in rows]))
        ).all()
    )
    cycles = list(
        session.scalars(
            select(AppraisalCycle)
            .where(AppraisalCycle.quarter.like(f"{year:04d}Q_"))
            .order_by(AppraisalCycle.quarter)
        )
    )
    signed = signatures(session, cycles)
    trail = [(c.quarter, [s for s in signed if s.approval.cycle_id == c.id]) for c in cycles]
    return AnnualTable(year, rows, revised, groups, trail)


# -- reads the core does not offer ----------------------------------------------------------------
def _own(actor: Actor):
    return and_(
        permissions.appraisals_visible_to(actor),
        Appraisal.employee == actor.username,
        Appraisal.status == "published",
    )


def has_own_results(session: Session, actor: Actor) -> bool:
    return bool(session.scalar(select(exists().where(_own(actor)))))


def own_results(session: Session, actor: Actor) -> list[Appraisal]:
    """The actor's own published appraisals, newest quarter first."""
    return list(
        session.scalars(
            select(Appraisal)
            .join(AppraisalCycle)
            .where(_own(actor))
            .options(selectinload(Appraisal.revisions), selectinload(Appraisal.cycle))
            .order_by(AppraisalCycle.quarter.desc())
        )
    )


def open_appeals(session: Session, appraisal_ids: Iterable[int]) -> set[int]:
    """Which of these appraisals have an appeal under way."""
    ids = list(appraisal_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Appeal.appraisal_id).where(Appeal.appraisal_id.in_(ids), Appeal.status == "open")
        )
    )


def forms_filled(session: Session, cycle_ids: list[int]) -> dict[int, tuple[int, int]]:
    """cycle id -> (rating forms filled, forms expected)."""
    if not cycle_ids:
        return {}
    done = func.count(RaterAssignment.id).filter(RaterAssignment.status == "done")
    rows = session.execute(
        select(Appraisal.cycle_id, done, func.count(RaterAssignment.id))
        .join(RaterAssignment, RaterAssignment.appraisal_id == Appraisal.id)
        .where(Appraisal.cycle_id.in_(cycle_ids))
        .group_by(Appraisal.cycle_id)
    ).all()
    return {cycle_id: (filled, expected) for cycle_id, filled, expected in rows}
