"""Incidents: failures inside a diagram, described for the administrator who must act on them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .audit import record
from .evaluator import ExpressionError
from .models import Incident, ProcessInstance, utcnow

_REPR = re.compile(r"<[^<>]*\bat 0x[0-9a-f]+>|<Task object[^>]*>")


@dataclass(frozen=True)
class Failure:
    task_spec: str | None
    task_name: str | None
    message: str
    message_zh: str
    line: int | None


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__


def describe_failure(exc: BaseException, workflow) -> Failure:
    """Name the failed step and say what went wrong, without Python internals."""
    task = next((getattr(e, "task", None) for e in _chain(exc) if getattr(e, "task", None)), None)
    spec = task.task_spec if task is not None else None
    name = (spec.bpmn_name or spec.name) if spec is not None else None
    expression_error = next((e for e in _chain(exc) if isinstance(e, ExpressionError)), None)
    if expression_error is not None:
        detail, detail_zh = expression_error.message, expression_error.message_zh
        line = expression_error.line
    else:
        detail = _REPR.sub("", str(exc)).strip() or type(exc).__name__
        detail_zh = detail
        line = next((e.line_number for e in _chain(exc) if getattr(e, "line_number", None)), None)
    where = f"Step '{name}'" if name else "A step"
    where_zh = f"步骤“{name}”" if name else "某个步骤"
    return Failure(
        task_spec=spec.name if spec is not None else None,
        task_name=name,
        message=f"{where} failed: {detail}",
        message_zh=f"{where_zh}执行失败：{detail_zh}",
        line=line,
    )


def open_incident(session: Session, instance: ProcessInstance, failure: Failure) -> Incident:
    incident = Incident(
        instance_id=instance.id,
        task_spec=failure.task_spec,
        task_name=failure.task_name,
        message=failure.message,
        message_zh=failure.message_zh,
        line=failure.line,
    )
    session.add(incident)
    record(
        session,
        "incident",
        "system",
        instance_id=instance.id,
        payload={
            "task": failure.task_spec,
            "name": failure.task_name,
            "message": failure.message,
            "message_zh": failure.message_zh,
            "line": failure.line,
        },
    )
    return incident


def resolve_incidents(session: Session, instance_id: int, actor: str) -> None:
    session.execute(
        update(Incident)
        .where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by=actor)
    )


def open_incidents(session: Session, instance_id: int) -> list[Incident]:
    return list(
        session.scalars(
            select(Incident)
            .where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
            .order_by(Incident.id)
        )
    )
