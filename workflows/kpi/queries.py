"""The department's KPIs for a period of local days, each from the records that hold its facts.

- service promises: the service clocks stopped in the period at their milestone (the first
  reply, on site, resolved: stamped on the service case), met or missed in business time;
  the clocks running past their deadline now;
- satisfaction: the follow-up answers recorded in the period (满意率, target ≥ 90 %);
- repairs: the orders closed in the period, their turnaround, those over 2 days, loaners lent;
- complaints received in the period by problem type, and the corrective actions still open;
- repair rate by product and batch, and spare stock against 3 % (as of now: they are stocks,
  not flows);
- appraisal grades per published quarter of the period's year (counts, no names).

Every figure is counted by SQL in one query per block; only the service clocks are read row by
row (business time needs each clock's calendar).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from engine.errors import field_message, fields_invalid
from engine.models import HumanTask, utcnow

from ..appraisal.models import Appraisal, AppraisalCycle
from ..appraisal.scoring import GRADES
from ..records.models import RepairOrder, SatisfactionSurvey, ServiceCase
from ..records.queries import RepairRate, repair_rate
from ..records.stock import FamilyStock, family_stock
from ..records.warranty import department_zone, local_today
from ..sla.models import SlaClockRecord
from ..sla.service import missed

SATISFACTION_TARGET = Decimal("0.90")  # GB/T 27922 manual §3.0
REPAIR_DAYS = 2  # a repair takes at most 2 days; beyond that a loaner (construction §5)
COMPLAINT = "quality_complaint"
# the milestone a service clock's stop is stamped as on the service case
MILESTONES = {
    "reply": ServiceCase.first_reply_at,
    "onsite": ServiceCase.onsite_at,
    "resolve": ServiceCase.resolved_at,
}
# the complaint's improvement plan is approved and its implementation not yet verified
CORRECTIVE_ACTION_TASK = "verify_implementation"


@dataclass(frozen=True)
class Period:
    """Local days `first` … `last` (inclusive), in the department's zone."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return _utc_midnight(self.first)

    @property
    def end(self) -> datetime:  # exclusive
        return _utc_midnight(self.last + timedelta(days=1))

    def holds(self, column):
        return and_(column >= self.start, column < self.end)

    @classmethod
    def quarter_to_date(cls, today: date | None = None) -> Period:
        today = today or local_today()
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return cls(first, today)

    @classmethod
    def parse(cls, first: str | None, last: str | None, locale: str) -> Period:
        """`from`/`to` as typed (YYYY-MM-DD, either may be left out: this quarter to date);
        InvalidData per field when a date is not one or the period runs backwards."""
        default = cls.quarter_to_date()
        days, errors = {}, {}
        for name, text, fallback in (("from", first, default.first), ("to", last, default.last)):
            try:
                days[name] = date.fromisoformat(text.strip()) if text and text.strip() else fallback
            except ValueError:
                errors[name] = field_message(
                    locale, "Enter a date as YYYY-MM-DD.", "请按 YYYY-MM-DD 格式填写日期。"
                )
        if not errors and days["from"] > days["to"]:
            errors["to"] = field_message(
                locale, "The period must not end before it starts.", "结束日期不能早于开始日期。"
            )
        if errors:
            raise fields_invalid(errors)
        return cls(days["from"], days["to"])


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), department_zone()).astimezone(UTC)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


@dataclass(frozen=True)
class Promise:
    """One service promise (reply, on site, resolved) over the period."""

    kind: str
    kept: int
    broken: int
    overdue_now: int  # running past their deadline at the time of asking

    @property
    def total(self) -> int:
        return self.kept + self.broken

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.kept, self.total)


@dataclass(frozen=True)
class Satisfaction:
    answers: int
    satisfied: int
    average_score: Decimal | None  # 1 … 5
    target: Decimal = SATISFACTION_TARGET

    @property
    def rate(self) -> Decimal | None:
        return _rate(self.satisfied, self.answers)

    @property
    def on_target(self) -> bool | None:
        return None if self.rate is None else self.rate >= self.target


@dataclass(frozen=True)
class Repairs:
    closed: int
    average_days: Decimal | None  # opened → returned to the customer (or closed)
    over_limit: int  # took more than REPAIR_DAYS
    loaners_lent: int  # in the period
    open_now: int

    @property
    def over_limit_rate(self) -> Decimal | None:
        return _rate(self.over_limit, self.closed)


@dataclass(frozen=True)
class Complaints:
    received: int
    by_problem_type: dict[str, int]  # "" for a complaint not yet classified
    corrective_actions_open: int


@dataclass(frozen=True)
class GradeCount:
    quarter: str
    counts: dict[str, int]  # every grade, published results (an appeal's revision counts)


@dataclass
class Kpis:
    period: Period
    promises: list[Promise]
    satisfaction: Satisfaction
    repairs: Repairs
    complaints: Complaints
    repair_rates: list[RepairRate]
    stock: list[FamilyStock]
    grades: list[GradeCount] | None = None  # None: not the reader's to see


def department_kpis(session: Session, period: Period, *, with_grades: bool = False) -> Kpis:
    return Kpis(
        period=period,
        promises=promises(session, period),
        satisfaction=satisfaction(session, period),
        repairs=repairs(session, period),
        complaints=complaints(session, period),
        repair_rates=repair_rate(session),
        stock=family_stock(session),
        grades=grade_counts(session, period.last.year) if with_grades else None,
    )


def promises(session: Session, period: Period) -> list[Promise]:
    """Clocks stopped in the period at their milestone: kept or broken; overdue ones now."""
    found = []
    overdue = dict(
        session.execute(
            select(SlaClockRecord.kind, func.count())
            .where(SlaClockRecord.due_at < utcnow())
            .group_by(SlaClockRecord.kind)
        ).all()
    )
    for kind, milestone in MILESTONES.items():
        stopped = session.scalars(
            select(SlaClockRecord)
            .join(ServiceCase, ServiceCase.instance_id == SlaClockRecord.instance_id)
            .where(
                SlaClockRecord.kind == kind,
                period.holds(SlaClockRecord.stopped_at),
                milestone.is_not(None),
            )
        ).all()
        broken = sum(1 for record in stopped if missed(record))
        found.append(Promise(kind, len(stopped) - broken, broken, overdue.get(kind, 0)))
    return found


def satisfaction(session: Session, period: Period) -> Satisfaction:
    answers, satisfied, average = session.execute(
        select(
            func.count(SatisfactionSurvey.id),
            func.coalesce(func.sum(case((SatisfactionSurvey.satisfied, 1), else_=0)), 0),
            func.avg(SatisfactionSurvey.score),
        ).where(period.holds(SatisfactionSurvey.recorded_at))
    ).one()
    mean = Decimal(str(average)).quantize(Decimal("0.01")) if average is not None else None
    return Satisfaction(int(answers), int(satisfied), mean)


def repairs(session: Session, period: Period) -> Repairs:
    closed = session.execute(
        select(RepairOrder.opened_at, RepairOrder.returned_at, RepairOrder.closed_at).where(
            RepairOrder.status == "closed", period.holds(RepairOrder.closed_at)
        )
    ).all()
    # turnaround ends when the unit went back to the customer; a replacement has no return
    spans = [(returned or ended) - opened for opened, returned, ended in closed]
    average = (
        (Decimal(sum(s.total_seconds() for s in spans)) / 86400 / len(spans)).quantize(
            Decimal("0.01")
        )
        if spans
        else None
    )
    limit = timedelta(days=REPAIR_DAYS)
    lent = session.scalar(
        select(func.count())
        .select_from(RepairOrder)
        .where(period.holds(RepairOrder.loaner_issued_at))
    )
    open_now = session.scalar(
        select(func.count()).select_from(RepairOrder).where(RepairOrder.status != "closed")
    )
    return Repairs(
        closed=len(spans),
        average_days=average,
        over_limit=sum(1 for s in spans if s > limit),
        loaners_lent=lent or 0,
        open_now=open_now or 0,
    )


def complaints(session: Session, period: Period) -> Complaints:
    rows = session.execute(
        select(ServiceCase.problem_type, func.count())
        .where(ServiceCase.category == COMPLAINT, period.holds(ServiceCase.received_at))
        .group_by(ServiceCase.problem_type)
    ).all()
    by_type = {problem or "": n for problem, n in rows}
    open_actions = session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .where(HumanTask.status == "open", HumanTask.spec_name == CORRECTIVE_ACTION_TASK)
    )
    return Complaints(sum(by_type.values()), by_type, open_actions or 0)


def grade_counts(session: Session, year: int) -> list[GradeCount]:
    """Published results per quarter of `year`, by grade (an appeal's revision where made)."""
    appraisals: Iterable[Appraisal] = session.scalars(
        select(Appraisal)
        .join(AppraisalCycle)
        .where(AppraisalCycle.quarter.like(f"{year:04d}Q_"), Appraisal.status == "published")
        .options(selectinload(Appraisal.cycle), selectinload(Appraisal.revisions))
    )
    counts: dict[str, dict[str, int]] = {}
    for appraisal in appraisals:
        quarter = counts.setdefault(appraisal.cycle.quarter, dict.fromkeys(GRADES, 0))
        quarter[appraisal.effective_grade] += 1
    return [GradeCount(q, counts[q]) for q in sorted(counts)]
