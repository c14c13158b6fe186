"""A service case's records: opening it (who the customer is, which unit, its warranty, the
site's calendar), a complaint's problem type, and the follow-up visit's survey."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from engine.errors import Conflict
from engine.models import utcnow
from workflows.effects import EffectContext, effect
from workflows.sla.calendars import calendar_spec

from ..models import Customer, SatisfactionSurvey, ServiceCase, Site, Unit
from ..queries import customer_by_code, unit_by_serial
from ..warranty import department_zone, effective_end, in_warranty, local_today

# the options of forms/define_problem_type.form (and of record_failure.form)
PROBLEM_TYPES = (
    "design",
    "manufacturing",
    "material",
    "packaging_transport",
    "installation_use",
    "other",
)


def identify(ctx: EffectContext) -> tuple[Customer | None, Unit | None]:
    """The customer and unit the submitted code and serial number name; 422 when either is
    unknown or the unit belongs to another customer."""
    code, serial = ctx.text("customer_code"), ctx.text("serial_number")
    customer = customer_by_code(ctx.session, code) if code else None
    if code and customer is None:
        raise ctx.refuse(
            "customer_code",
            f"There is no customer with the code {code}. Check the code, or leave it empty "
            "for a customer not yet on file.",
            f"没有编号为 {code} 的客户。请核对编号；尚未建档的客户请留空。",
        )
    unit = unit_by_serial(ctx.session, serial) if serial else None
    if serial and unit is None:
        raise ctx.refuse(
            "serial_number",
            f"There is no unit with the serial number {serial}. Check the nameplate.",
            f"没有序列号为 {serial} 的设备。请核对铭牌上的序列号。",
        )
    if unit is not None and customer is not None and unit.customer_id != customer.id:
        raise ctx.refuse(
            "serial_number",
            f"The unit {serial} belongs to another customer, not to {customer.name}.",
            f"序列号为 {serial} 的设备属于其他客户，不属于{customer.name}。",
        )
    if unit is not None and customer is None:
        customer = unit.customer
    return customer, unit


def site_calendar(site: Site | None) -> str:
    if site is None:
        return "standard"
    return calendar_spec(site.timezone, site.hours, site.weekdays, site.holidays)


def case_facts(customer: Customer | None, unit: Unit | None, data) -> dict[str, Any]:
    """What the process needs to know of the customer and the unit, for its decisions."""
    site = unit.site if unit is not None and unit.site is not None else None
    if site is None and customer is not None and customer.sites:
        site = customer.sites[0]
    facts: dict[str, Any] = {
        "customer_id": customer.id if customer else None,
        "customer_code": customer.code if customer else "",
        "customer_name": customer.name if customer else data.get("customer_name") or "",
        "contract_tier": customer.contract_tier
        if customer
        else data.get("contract_tier") or "standard",
        "site_calendar": site_calendar(site),
        "unit_id": unit.id if unit else None,
        "in_warranty": in_warranty(unit, local_today()) if unit else None,
        "warranty_end": effective_end(unit).isoformat() if unit else None,
    }
    if unit is not None:
        facts["product_model"] = unit.product.model
        facts["serial_number"] = unit.serial_number
        facts["production_batch"] = unit.production_batch
    return facts


def open_service_case(ctx: EffectContext, customer, unit, facts) -> ServiceCase:
    case = ServiceCase(
        customer_id=facts["customer_id"],
        unit_id=facts["unit_id"],
        customer_name=facts["customer_name"],
        channel=ctx.text("channel") or "phone",
        category=ctx.text("category") or "repair",
        priority=ctx.text("priority") or "normal",
        description=ctx.text("description") or ctx.text("reported_fault"),
        received_at=utcnow(),
    )
    ctx.session.add(case)
    ctx.session.flush()
    # the case row is written by the engine after this step; link the record to it then
    ctx.call.after_save.append(lambda instance: setattr(case, "instance_id", instance.id))
    return case


@effect("case.open")
def open_case(ctx: EffectContext) -> dict[str, Any]:
    """Process 1 starts: file the request as a service case."""
    customer, unit = identify(ctx)
    if customer is None and not ctx.text("customer_name"):
        raise ctx.refuse(
            "customer_name",
            "Enter the customer's code, the unit's serial number, or the customer's name.",
            "请填写客户编号、设备序列号或客户名称。",
        )
    facts = case_facts(customer, unit, ctx.data)
    case = open_service_case(ctx, customer, unit, facts)
    # the repair registration starts from what the customer reported
    return {**facts, "service_case_id": case.id, "reported_fault": case.description}


@effect("repair.open")
def open_repair(ctx: EffectContext) -> dict[str, Any]:
    """A repair started directly (not from a case): the unit must be on file."""
    if not ctx.text("serial_number"):
        raise ctx.refuse(
            "serial_number",
            "Enter the serial number of the unit to repair.",
            "请填写待维修设备的序列号。",
        )
    customer, unit = identify(ctx)
    return {**case_facts(customer, unit, ctx.data), "service_case_id": None, "category": "repair"}


def service_case(ctx: EffectContext) -> ServiceCase:
    """The service case `case.open` filed for this case; 409 when there is none."""
    case = ctx.session.get(ServiceCase, ctx.data.get("service_case_id") or 0)
    if case is None:
        raise Conflict(
            "This case has no service case on file, so its answers cannot be recorded. "
            "Ask an administrator to check the case.",
            "该案例没有对应的服务记录，无法保存本步骤的结果。请联系系统管理员核查该案例。",
        )
    return case


@effect("case.classify_complaint")
def classify_complaint(ctx: EffectContext) -> dict[str, Any]:
    """A quality complaint's problem type (界定问题种类), for the complaints by type."""
    case = service_case(ctx)
    problem_type = ctx.text("problem_type")
    if problem_type not in PROBLEM_TYPES:
        raise ctx.refuse("problem_type", "Choose the problem type.", "请选择问题种类。")
    case.problem_type = problem_type
    return {}


def visit_time(ctx: EffectContext) -> datetime:
    """`visited_on` as an aware UTC instant. The form sends an ISO date (a day in the
    department's zone: its start is stored); a date and time without an offset is wall-clock
    time there too. A visit in the future is refused."""
    try:
        moment = datetime.fromisoformat(ctx.text("visited_on"))
    except ValueError:
        raise ctx.refuse("visited_on", "Enter the date of the visit.", "请填写回访日期。") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=department_zone())
    moment = moment.astimezone(UTC)
    if moment > utcnow():
        raise ctx.refuse(
            "visited_on",
            "The visit cannot be in the future. Enter the day the customer was visited or called.",
            "回访日期不能晚于今天。请填写实际回访或致电客户的日期。",
        )
    return moment


@effect("case.follow_up")
def follow_up(ctx: EffectContext) -> dict[str, Any]:
    """The follow-up visit's survey (回访 / 满意度调查), counted in the satisfaction rate."""
    case = service_case(ctx)
    visited_at = visit_time(ctx)
    score = ctx.number("satisfaction", minimum=Decimal(1))
    if score > 5 or score != int(score):
        raise ctx.refuse(
            "satisfaction", "Enter a whole score from 1 to 5.", "请输入 1 到 5 的整数评分。"
        )
    if ctx.text("satisfied") not in ("yes", "no"):
        raise ctx.refuse("satisfied", "Choose yes or no.", "请选择是或否。")
    ctx.session.add(
        SatisfactionSurvey(
            service_case_id=case.id,
            instance_id=ctx.instance.id,
            visited_at=visited_at,
            score=int(score),
            satisfied=ctx.yes("satisfied"),
            comments=ctx.text("follow_up_comments"),
            recorded_by=ctx.actor.username,
        )
    )
    ctx.session.flush()
    return {}
