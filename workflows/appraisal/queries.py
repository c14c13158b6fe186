"""Reads on the appraisal: who is in scope and who rates them, progress, the people HR must
decide on, the year's summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine.models import HumanTask
from engine.runtime import Actor
from engine.tasklist import can_act

from ..org.models import User, UserRole
from ..org.queries import direct_reports, superior
from . import grades, scoring
from .models import Appraisal, AppraisalCycle, AppraisalSettings, RaterAssignment

SUPERVISOR_ROLE = "supervisor"
# the specialists (专员) Art. 2 appraises: customer service, maintenance and installation
SPECIALIST_ROLES = ("customer_service", "repair_tech", "tech_support")
RESULTS_APPROVAL_TASKS = {
    "approve_supervisor": "supervisor",
    "approve_hr": "hr",
    "approve_director": "plant_director",
    "approve_gm": "gm",
}


@dataclass(frozen=True)
class Appraisee:
    """A person in scope and the people who rate them (usernames, sorted)."""

    username: str
    display_name: str
    kind: str  # supervisor | specialist
    role: str
    superior: str
    peers: tuple[str, ...] = ()
    subordinates: tuple[str, ...] = ()

    @property
    def performance_raters(self) -> list[str]:
        return [self.superior]

    @property
    def competency_raters(self) -> list[str]:
        return [self.superior, *self.peers, *self.subordinates]

    def assignments(self) -> list[tuple[str, str, str]]:
        """(rater, group, form) for each form to fill."""
        return [
            (self.superior, "superior", "performance"),
            (self.superior, "superior", "competency"),
            *((p, "peer", "competency") for p in self.peers),
            *((s, "subordinate", "competency") for s in self.subordinates),
        ]


def _active_with_role(session: Session, role: str, manager_id: int | None = None) -> list[User]:
    stmt = (
        select(User)
        .join(UserRole)
        .where(UserRole.role == role, User.active.is_(True))
        .order_by(User.username)
    )
    if manager_id is not None:
        stmt = stmt.where(User.manager_id == manager_id)
    return list(session.scalars(stmt))


def _appraised_role(user: User) -> str | None:
    return next((r for r in SPECIALIST_ROLES if r in user.roles), None)


def appraisee(session: Session, user: User, kind: str, role: str) -> Appraisee | None:
    """The person with their raters from the org chart now; None without an active superior."""
    boss = superior(session, user)
    if boss is None:
        return None
    peers = [
        u.username for u in _active_with_role(session, role, user.manager_id) if u.id != user.id
    ]
    subordinates = [u.username for u in direct_reports(session, user)]
    return Appraisee(
        user.username,
        user.display_name,
        kind,
        role,
        boss.username,
        tuple(peers),
        tuple(subordinates),
    )


def appraisal_scope(session: Session) -> list[Appraisee]:
    """Everyone appraised this quarter: each active supervisor and the active specialists who
    report to them, by username. People without an active superior cannot be rated: left out."""
    found: dict[str, Appraisee] = {}
    for boss in _active_with_role(session, SUPERVISOR_ROLE):
        person = appraisee(session, boss, "supervisor", SUPERVISOR_ROLE)
        if person is not None:
            found[person.username] = person
        for report in direct_reports(session, boss):
            role = _appraised_role(report)
            if role is not None and report.username not in found:
                person = appraisee(session, report, "specialist", role)
                if person is not None:
                    found[person.username] = person
    return [found[name] for name in sorted(found)]


# -- settings and cycles ----------------------------------------------------------------------------
def current_settings(session: Session) -> AppraisalSettings:
    """The settings row, or an unsaved one holding the weights of Art. 15."""
    row = session.scalar(select(AppraisalSettings).order_by(AppraisalSettings.id).limit(1))
    return row or AppraisalSettings(weights=scoring.DEFAULT_WEIGHTS)


def cycle_by_quarter(session: Session, quarter: str) -> AppraisalCycle | None:
    return session.scalar(select(AppraisalCycle).where(AppraisalCycle.quarter == quarter))


@dataclass(frozen=True)
class Progress:
    done: int  # appraisals scored (every rating in)
    total: int  # people in scope
    launched: int  # appraisals started so far


def progress(session: Session, cycle: AppraisalCycle) -> Progress:
    rows = dict(
        session.execute(
            select(Appraisal.status, func.count())
            .where(Appraisal.cycle_id == cycle.id)
            .group_by(Appraisal.status)
        ).all()
    )
    launched = sum(rows.values())
    done = rows.get("scored", 0) + rows.get("published", 0)
    return Progress(done, max(cycle.total, launched), launched)


def pending_raters(session: Session, cycle_id: int) -> list[tuple[str, int]]:
    """(rater, forms still to fill) of a cycle, most forms first."""
    count = func.count(RaterAssignment.id)
    return [
        (rater, n)
        for rater, n in session.execute(
            select(RaterAssignment.rater, count)
            .join(Appraisal, Appraisal.id == RaterAssignment.appraisal_id)
            .where(Appraisal.cycle_id == cycle_id, RaterAssignment.status == "open")
            .group_by(RaterAssignment.rater)
            .order_by(count.desc(), RaterAssignment.rater)
        ).all()
    ]


def cycle_appraisals(session: Session, cycle_id: int) -> list[Appraisal]:
    return list(
        session.scalars(
            select(Appraisal)
            .where(Appraisal.cycle_id == cycle_id)
            .options(selectinload(Appraisal.revisions))
            .order_by(Appraisal.employee)
        )
    )


def needs_decision(appraisals: Sequence[Appraisal]) -> list[Appraisal]:
    """Art. 17: the bottom composite of the department and every 差, for HR to decide on.
    Only meaningful once every appraisal is scored."""
    scored = [a for a in appraisals if a.composite is not None]
    if not scored:
        return []
    bottom = min(a.composite for a in scored)
    return [a for a in scored if a.composite == bottom or a.grade == scoring.LOWEST_GRADE]


# -- the year ---------------------------------------------------------------------------------------
@dataclass
class AnnualRow:
    employee: str
    display_name: str
    quarters: dict[str, Decimal | None] = field(default_factory=dict)  # "Q1".."Q4"
    score: Decimal | None = None
    grade: str | None = None
    appraisal_ids: list[int] = field(default_factory=list)


def annual_summary(session: Session, year: int, *, employee: str | None = None) -> list[AnnualRow]:
    """Per person, the published quarters of `year` (an appeal's revision where there is one),
    the year's score (Art. 9: their mean, rounded once) and its grade, by the bands of the
    year's latest cycle (its grade table)."""
    stmt = (
        select(Appraisal)
        .join(AppraisalCycle)
        .where(AppraisalCycle.quarter.like(f"{year:04d}Q_"), Appraisal.status == "published")
        .options(selectinload(Appraisal.revisions), selectinload(Appraisal.cycle))
        .order_by(Appraisal.employee, AppraisalCycle.quarter)
    )
    if employee is not None:
        stmt = stmt.where(Appraisal.employee == employee)
    appraisals = list(session.scalars(stmt))
    if not appraisals:
        return []
    names = dict(
        session.execute(
            select(User.username, User.display_name).where(
                User.username.in_({a.employee for a in appraisals})
            )
        ).all()
    )
    latest = max((a.cycle for a in appraisals), key=lambda c: c.quarter)
    rows: dict[str, AnnualRow] = {}
    for appraisal in appraisals:
        row = rows.setdefault(
            appraisal.employee,
            AnnualRow(
                appraisal.employee,
                names.get(appraisal.employee, appraisal.employee),
                {f"Q{q}": None for q in range(1, 5)},
            ),
        )
        row.quarters[appraisal.cycle.quarter[4:]] = appraisal.effective_composite
        row.appraisal_ids.append(appraisal.id)
    for row in rows.values():
        row.score = scoring.annual(v for v in row.quarters.values() if v is not None)
        row.grade = (
            grades.cycle_grade(session, latest, row.score) if row.score is not None else None
        )
    return list(rows.values())


def open_results_approvals(session: Session) -> list[HumanTask]:
    """Open approval tasks of the result sheets, oldest first (who may act is checked later)."""
    return list(
        session.scalars(
            select(HumanTask)
            .where(
                HumanTask.status == "open",
                HumanTask.process_key == "appraisal_results",
                HumanTask.spec_name.in_(sorted(RESULTS_APPROVAL_TASKS)),
            )
            .order_by(HumanTask.created_at, HumanTask.id)
        )
    )


def approvals_for(session: Session, actor: Actor) -> list[HumanTask]:
    """The open sheet approvals `actor` may sign now, oldest first."""
    return [task for task in open_results_approvals(session) if can_act(task, actor)]
