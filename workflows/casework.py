"""Starting cases and completing tasks: the one path used by the web pages and the API alike.

Submitted data is always validated against the task's form on the server before the engine
sees it; invalid data leaves the task open and nothing changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import get_latest_or_404
from engine.errors import Forbidden, InvalidData, fields_invalid, task_gone
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from engine.runtime import Actor
from engine.tasklist import can_act
from forms import FormDefinition, load_form

from . import permissions
from .effects import current_locale
from .notifications.operations import notify
from .org.queries import user_by_name
from .runtime import get_engine

MAX_FREE_DATA_BYTES = 64 * 1024


# (definition id, form key) -> loaded form; a deployed definition version never changes
_forms: dict[tuple[int, str], FormDefinition | None] = {}


def form_for(definition: ProcessDefinition, key: str | None) -> FormDefinition | None:
    """The form `key` as deployed with this definition version."""
    if not key:
        return None
    cache_key = (definition.id, key)
    if cache_key not in _forms:
        raw = definition.forms.get(key)
        _forms[cache_key] = load_form(raw, f"{key}.form") if raw is not None else None
    return _forms[cache_key]


def form_for_task(session: Session, task: HumanTask) -> FormDefinition | None:
    """The task's form, without loading its instance or definition when cached."""
    if not task.form_key:
        return None
    cached = _forms.get((task.definition_id, task.form_key))
    if cached is not None:
        return cached
    return form_for(session.get(ProcessDefinition, task.definition_id), task.form_key)


def validate(form: FormDefinition | None, data: Any, locale: str) -> dict[str, Any]:
    """Clean `data` with `form`, or check free data is a small JSON object; raise InvalidData."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise InvalidData(
            "The data must be a JSON object.",
            "数据必须是 JSON 对象。",
            {"data": ["Expected an object." if not locale.startswith("zh") else "应为对象。"]},
        )
    if form is None:
        if len(json.dumps(data, default=str)) > MAX_FREE_DATA_BYTES:
            raise InvalidData("The data is too large.", "数据过大。")
        return json.loads(json.dumps(data, default=str))
    clean, errors = form.validate(data, locale)
    if errors:
        raise fields_invalid(errors)
    return clean


def start_case(
    session: Session,
    key: str,
    data: Any,
    actor: Actor,
    *,
    business_key: str | None = None,
    locale: str = "zh_CN",
) -> ProcessInstance:
    definition = get_latest_or_404(session, key)
    permissions.require_start(definition, actor)
    clean = validate(form_for(definition, definition.start_form_key), data, locale)
    # who recorded the request: diagrams hand follow-up work back to this person
    clean["initiator"] = actor.username
    current_locale.set(locale)
    return get_engine().start(session, key, clean, actor, business_key=business_key)


def complete_task(
    session: Session,
    task_id: str,
    data: Any,
    actor: Actor,
    *,
    locale: str = "zh_CN",
    expected_version: int | None = None,
) -> tuple[ProcessInstance, list[HumanTask]]:
    """Validate and complete; returns the instance and its tasks now open."""

    def checked_data(row: HumanTask) -> dict[str, Any]:
        # 404 before 409 before 403 before 422, all on the row as it stands under the lock
        permissions.require_task_visible(session, row, actor)
        if row.status != "open":
            raise task_gone()
        if not can_act(row, actor):
            raise Forbidden("This task is not yours to complete.", "您无权完成此任务。")
        return validate(form_for_task(session, row), data, locale)

    current_locale.set(locale)
    instance = get_engine().complete_task(
        session, task_id, checked_data, actor, expected_version=expected_version
    )
    return instance, sorted(instance.current_tasks, key=lambda t: (t.created_at, t.id))


def instance_tasks(session: Session, instance_id: int) -> list[HumanTask]:
    return list(
        session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id == instance_id)
            .order_by(HumanTask.created_at, HumanTask.id)
        )
    )


ADMIN_ACTIONS = ("retry", "suspend", "resume", "terminate")


def administer(
    session: Session,
    instance_id: int,
    action: str,
    actor: Actor,
    *,
    data: Any = None,
    locale: str = "zh_CN",
) -> ProcessInstance:
    """An administrator's lever on a case: retry a failed step (optionally correcting its data
    first), suspend, resume or terminate."""
    permissions.require_admin(actor)
    engine = get_engine()
    if action == "retry":
        return engine.retry(session, instance_id, actor, validate(None, data, locale))
    if action == "terminate":
        return engine.terminate(session, instance_id, actor)
    if action in ("suspend", "resume"):
        return engine.set_suspended(session, instance_id, action == "suspend", actor)
    raise ValueError(action)


def assign_task(
    session: Session, task_id: str, username: str, actor: Actor, *, locale: str = "zh_CN"
) -> HumanTask:
    """Give an open task to a named, active person: the supervisor's and admin's lever."""
    task = permissions.require_task_visible(session, session.get(HumanTask, task_id), actor)
    permissions.require_assign(actor, task)
    user = user_by_name(session, username) if username else None
    if user is None or not user.active:
        zh = locale.startswith("zh")
        raise InvalidData(
            f"There is no active user '{username}'. Choose a person from the list.",
            f"没有在职用户“{username}”。请从列表中选择人员。",
            {"username": ["没有这个在职用户。" if zh else "No active user with this name."]},
        )
    row = get_engine().assign(session, task_id, user.username, actor)
    if user.username != actor.username:
        instance = session.get(ProcessInstance, row.instance_id)
        case = instance.business_key or f"#{instance.id}"
        notify(
            session,
            user.username,
            "task_assigned",
            subject=(
                f"新任务：{row.name}（工单 {case}）",
                f"New task: {row.name_en or row.name} (case {case})",
            ),
            body=(
                f"{actor.username} 将此任务分配给您。",
                f"{actor.username} assigned this task to you.",
            ),
            link=f"/tasks/{row.id}",
            instance_id=row.instance_id,
        )
    return row
