"""A few demo cases in different states, so every persona finds work and history on first login.

Run through the same start/complete path as people use (effects, clocks and all), after the
shipped diagrams are deployed and the demo organisation and records exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import HumanTask, ProcessInstance
from engine.runtime import Actor

from . import casework
from .appraisal import operations as appraisal
from .org.models import User
from .records.warranty import local_today


def _actor(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return Actor(user.username, frozenset(user.roles))


def _do(session: Session, instance: ProcessInstance, task: str, who: str, **data: Any) -> None:
    row = session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.spec_name == task,
            HumanTask.status == "open",
        )
    )
    # as on the task page: the form starts from the case data, the person changes what they must
    session.refresh(instance)
    casework.complete_task(session, row.id, {**instance.summary, **data}, _actor(session, who))


def _request(session: Session, category: str, **data: Any) -> ProcessInstance:
    answers = {
        "channel": "phone",
        "customer_code": "C001",
        "customer_name": "",
        "contact": "021-5555-0101",
        "product_model": "",
        "serial_number": "",
        "category": category,
        "priority": "normal",
        "contract_tier": "standard",
        "description": "",
        **data,
    }
    return casework.start_case(session, "customer_request", answers, _actor(session, "cs1"))


def has_cases(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(ProcessInstance)) > 0


def load_demo_cases(session: Session) -> int:
    """Start the demo cases and launch last quarter's appraisal; returns how many customer
    cases were started."""
    # a quality complaint just received: quality1 verifies it
    _request(
        session,
        "quality_complaint",
        serial_number="SN-C002-0001",
        customer_code="C002",
        priority="high",
        description="控制器批量出现通讯中断，客户要求质量分析。",
    )
    # a repair in warranty, registered and diagnosed: the technician repairs it
    repair = _request(
        session,
        "repair",
        serial_number="SN-C001-0001",
        description="主轴运转异响，加工表面有振纹。",
    )
    _do(session, repair, "register_repair", "cs1", serial_number="SN-C001-0001", mode="onsite")
    _do(
        session,
        repair,
        "diagnose_fault",
        "tech1",
        diagnosis="主轴前轴承磨损。",
        repair_plan="replace_part",
        part1_number="SP-SPD-01",
        part1_qty=2,
    )
    _do(session, repair, "reserve_parts", "tech1", wait_for_parts=False)
    # a repair out of warranty waiting for the customer's answer to the quote (clock paused)
    quoted = _request(
        session,
        "repair",
        serial_number="SN-C001-0002",
        description="设备通电后无法启动，控制面板无显示。",
    )
    _do(session, quoted, "register_repair", "cs1", serial_number="SN-C001-0002", mode="carry_in")
    _do(session, quoted, "prepare_quote", "tech2", quote_amount="3200", quote_note="更换电源模块")
    # a return within seven days of delivery, reviewed against the policy
    casework.start_case(
        session,
        "returns_exchange",
        {
            "customer_code": "C003",
            "serial_number": "SN-C003-0001",
            "kind": "return",
            "reason_code": "quality_defect",
            "reason": "开箱后发现显示屏坏点。",
        },
        _actor(session, "returns1"),
    )
    # last quarter's appraisal, launched: every rater finds their forms in the inbox
    today = local_today()
    year, quarter = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
    cycle = appraisal.create_cycle(session, f"{year}Q{quarter}", _actor(session, "hr"))
    session.flush()
    appraisal.launch_cycle(session, cycle.id, session.flush)
    return 4
