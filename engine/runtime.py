"""The engine: starts instances and moves them on, one locked, versioned mutation at a time.

Every public method takes the caller's session, flushes, and never commits: the caller's unit
of work commits once (or rolls back everything). A step that fails inside the diagram (a
script, a condition, a decision table) does not roll back: the instance is saved as it stands,
marked `error`, with an incident naming the step, so an administrator can fix and retry it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from .audit import record
from .definitions import Deployed, deploy, get_latest_or_404
from .errors import Conflict, Forbidden, NotFound, task_gone
from .evaluator import Evaluator
from .script_engine import make_script_engine
from .incidents import describe_failure, open_incident, resolve_incidents
from .models import HumanTask, ProcessDefinition, ProcessInstance, utcnow
from .serialization import SERIALIZER_VERSION, StateSerializer
from .tasklist import can_act, sync_human_tasks

# task kinds whose completion is worth a line in the case timeline
_TIMELINE_SPECS = ("BusinessRuleTask", "ScriptTask", "EndEvent", "CallActivity")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a username and the roles they hold right now."""

    username: str
    roles: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


SYSTEM = Actor("system", frozenset({"system"}))

InstanceListener = Callable[[Session, ProcessInstance, BpmnWorkflow], None]


class Engine:
    """The BPMN runtime on SpiffWorkflow, assembled from an evaluator and a serializer."""

    def __init__(self, evaluator: Evaluator | None = None, serializer: StateSerializer | None = None):
        self.evaluator = evaluator or Evaluator()
        self.script_engine = make_script_engine(self.evaluator)
        self.serializer = serializer or StateSerializer()
        self._listeners: list[InstanceListener] = []

    def on_save(self, listener: InstanceListener) -> None:
        """Call `listener(session, instance, workflow)` after every save (domain records, timers)."""
        self._listeners.append(listener)

    # -- definitions ---------------------------------------------------------------------------
    def deploy(self, session: Session, files: Mapping[str, bytes], actor: Actor) -> list[Deployed]:
        return deploy(
            session, files, evaluator=self.evaluator, serializer=self.serializer, actor=actor.username
        )

    # -- instances -----------------------------------------------------------------------------
    def start(
        self,
        session: Session,
        key: str,
        data: Mapping[str, Any],
        actor: Actor,
        business_key: str | None = None,
    ) -> ProcessInstance:
        definition = get_latest_or_404(session, key)
        spec, subprocess_specs = self._spec(definition)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        start_task = workflow.task_tree
        start_task.data.update(data)
        instance = ProcessInstance(
            definition_id=definition.id,
            definition=definition,
            process_key=definition.key,
            business_key=business_key,
            started_by=actor.username,
            status="running",
            state="{}",
            serializer_version=SERIALIZER_VERSION,
            summary=dict(data),
        )
        session.add(instance)
        session.flush()
        record(session, "start", actor.username, instance_id=instance.id, payload={"data": dict(data)})
        self._advance(session, instance, workflow)
        self._save(session, instance, workflow)
        return instance

    def load(self, session: Session, instance_id: int, *, lock: bool = True):
        """The instance row (locked for this transaction) and its restored workflow."""
        stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id)
        if lock:
            stmt = stmt.with_for_update()
        instance = session.scalars(stmt.execution_options(populate_existing=True)).first()
        if instance is None:
            raise NotFound(f"There is no case {instance_id}.", f"没有编号为 {instance_id} 的案例。")
        spec, subprocess_specs = self._spec(instance.definition)
        workflow = self.serializer.load_state(instance.state, spec, subprocess_specs)
        workflow.script_engine = self.script_engine
        return instance, workflow

    def _spec(self, definition: ProcessDefinition):
        return self.serializer.load_spec(definition.id, lambda: definition.spec_json)

    # -- human tasks ---------------------------------------------------------------------------
    def _open_task(self, session: Session, task_id: str, actor: Actor):
        """Lock the task's instance, then re-read the task row as it stands after the lock."""
        row = session.get(HumanTask, task_id)
        if row is None:
            raise NotFound("There is no such task.", "没有这个任务。")
        instance, workflow = self.load(session, row.instance_id)
        row = session.scalars(
            select(HumanTask)
            .where(HumanTask.id == task_id)
            .execution_options(populate_existing=True)
        ).one()
        if row.status != "open":
            raise task_gone()
        if instance.status == "suspended":
            raise Conflict(
                "This case is suspended; an administrator must resume it first.",
                "该案例已暂停，需由管理员恢复后才能继续。",
            )
        return row, instance, workflow

    def complete_task(
        self,
        session: Session,
        task_id: str,
        data: Mapping[str, Any],
        actor: Actor,
        *,
        expected_version: int | None = None,
    ) -> ProcessInstance:
        """Complete a READY human task with already validated data and run the engine on."""
        row, instance, workflow = self._open_task(session, task_id, actor)
        if expected_version is not None and instance.version != expected_version:
            raise Conflict(
                "The case changed since you opened it. Reload and try again.",
                "您打开后该案例已被修改。请重新加载后再试。",
            )
        if not can_act(row, actor):
            raise Forbidden("This task is not yours to complete.", "您无权完成此任务。")
        task = workflow.get_task_from_id(UUID(task_id))
        # SpiffWorkflow's run() completes tasks in any state, cancelled ones included.
        if task is None or task.state != TaskState.READY:
            raise task_gone()
        task.data.update(data)
        task.run()
        now = utcnow()
        row.status, row.completed_at, row.completed_by = "completed", now, actor.username
        record(
            session,
            "complete",
            actor.username,
            instance_id=instance.id,
            task_id=task_id,
            payload={"task": row.spec_name, "name": row.name, "name_en": row.name_en, "data": dict(data)},
        )
        instance.summary = {**instance.summary, **data}
        self._advance(session, instance, workflow)
        self._save(session, instance, workflow)
        return instance

    def claim(self, session: Session, task_id: str, actor: Actor) -> HumanTask:
        row, instance, _ = self._open_task(session, task_id, actor)
        if row.claimed_by == actor.username:
            return row
        if row.claimed_by is not None:
            raise Conflict(
                f"{row.claimed_by} has already claimed this task.", f"{row.claimed_by} 已认领此任务。"
            )
        if not can_act(row, actor):
            raise Forbidden("This task is not open to you.", "此任务不对您开放。")
        row.claimed_by = actor.username
        self._touch(instance)
        record(session, "claim", actor.username, instance_id=instance.id, task_id=task_id,
               payload={"task": row.spec_name, "name": row.name, "name_en": row.name_en})
        session.flush()
        return row

    def unclaim(self, session: Session, task_id: str, actor: Actor) -> HumanTask:
        row, instance, _ = self._open_task(session, task_id, actor)
        if row.claimed_by is None:
            return row
        if row.claimed_by != actor.username and not actor.is_admin:
            raise Conflict(
                f"{row.claimed_by} has claimed this task; only they can release it.",
                f"此任务已被 {row.claimed_by} 认领，只有其本人可以释放。",
            )
        row.claimed_by = None
        self._touch(instance)
        record(session, "unclaim", actor.username, instance_id=instance.id, task_id=task_id,
               payload={"task": row.spec_name, "name": row.name, "name_en": row.name_en})
        session.flush()
        return row

    def assign(self, session: Session, task_id: str, username: str, actor: Actor) -> HumanTask:
        """Give an open task to a specific person (the caller checked they may)."""
        row, instance, _ = self._open_task(session, task_id, actor)
        previous = row.assignee
        row.assignee, row.claimed_by = username, None
        self._touch(instance)
        record(session, "assign", actor.username, instance_id=instance.id, task_id=task_id,
               payload={"task": row.spec_name, "name": row.name, "name_en": row.name_en,
                        "from": previous, "to": username})
        session.flush()
        return row

    def fire_timers(self, session: Session, instance_id: int) -> ProcessInstance | None:
        """Advance an instance whose timers are due; a no-op when none is (fired already)."""
        instance, workflow = self.load(session, instance_id)
        if instance.status not in ("running", "waiting"):
            return None
        if instance.next_timer_at is None or instance.next_timer_at > utcnow():
            return None
        workflow.refresh_timers()
        record(session, "timer", "system", instance_id=instance.id,
               payload={"due": instance.next_timer_at.isoformat()})
        self._advance(session, instance, workflow)
        self._save(session, instance, workflow)
        return instance

    # -- administration ------------------------------------------------------------------------
    def retry(self, session: Session, instance_id: int, actor: Actor) -> ProcessInstance:
        """Re-run the steps that failed, after whatever caused the failure was fixed."""
        instance, workflow = self.load(session, instance_id)
        failed = workflow.get_tasks(state=TaskState.ERROR)
        if instance.status != "error" or not failed:
            raise Conflict("This case has no failed step to retry.", "该案例没有可重试的失败步骤。")
        for task in failed:
            task._set_state(TaskState.READY)
        resolve_incidents(session, instance.id, actor.username)
        record(session, "retry", actor.username, instance_id=instance.id,
               payload={"tasks": [t.task_spec.name for t in failed]})
        instance.status = "running"
        self._advance(session, instance, workflow)
        self._save(session, instance, workflow)
        return instance

    def set_suspended(self, session: Session, instance_id: int, suspended: bool, actor: Actor):
        instance, workflow = self.load(session, instance_id)
        if suspended and instance.status in ("completed", "terminated"):
            raise Conflict("A finished case cannot be suspended.", "已结束的案例不能暂停。")
        if not suspended and instance.status != "suspended":
            raise Conflict("This case is not suspended.", "该案例未处于暂停状态。")
        record(session, "suspend" if suspended else "resume", actor.username, instance_id=instance.id)
        instance.status = "suspended" if suspended else "running"
        self._save(session, instance, workflow)
        return instance

    def terminate(self, session: Session, instance_id: int, actor: Actor) -> ProcessInstance:
        instance, workflow = self.load(session, instance_id)
        if instance.status in ("completed", "terminated"):
            raise Conflict("This case has already ended.", "该案例已结束。")
        workflow.cancel()
        instance.status = "terminated"
        record(session, "terminate", actor.username, instance_id=instance.id)
        self._save(session, instance, workflow)
        return instance

    # -- internals -----------------------------------------------------------------------------
    def _advance(self, session: Session, instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
        """Run engine steps; a failure inside the diagram becomes an incident, not an exception."""

        def step_done(task):
            if type(task.task_spec).__name__ in _TIMELINE_SPECS:
                record(session, "step", "system", instance_id=instance.id, task_id=str(task.id),
                       payload={"task": task.task_spec.name,
                                "name": task.task_spec.bpmn_name or task.task_spec.name,
                                "kind": type(task.task_spec).__name__})

        try:
            workflow.do_engine_steps(did_complete_task=step_done)
        except Exception as exc:  # noqa: BLE001 - anything a diagram does wrong is an incident
            failure = describe_failure(exc, workflow)
            open_incident(session, instance, failure)
            instance.status = "error"

    def _save(self, session: Session, instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
        instance.state = self.serializer.dump_state(workflow)
        instance.serializer_version = SERIALIZER_VERSION
        self._touch(instance)
        if workflow.is_completed() and instance.status not in ("terminated", "error"):
            if instance.status != "completed":
                instance.status, instance.ended_at = "completed", utcnow()
                record(session, "end", "system", instance_id=instance.id)
        elif instance.status in ("running", "waiting"):
            instance.status = "running" if workflow.get_tasks(state=TaskState.READY, manual=True) else "waiting"
        elif instance.status == "terminated" and instance.ended_at is None:
            instance.ended_at = utcnow()
        instance.next_timer_at = _next_timer(workflow) if instance.status in ("running", "waiting") else None
        sync_human_tasks(session, instance, workflow, self.evaluator)
        for listener in self._listeners:
            listener(session, instance, workflow)
        session.flush()

    @staticmethod
    def _touch(instance: ProcessInstance) -> None:
        # also bumps the row version, so concurrent writers of the same case conflict
        instance.updated_at = utcnow()


def _next_timer(workflow: BpmnWorkflow) -> datetime | None:
    due = []
    for event in workflow.waiting_events():
        value = event.value
        if isinstance(value, dict):
            value = value.get("next")
        if isinstance(value, str):
            try:
                due.append(datetime.fromisoformat(value))
            except ValueError:
                continue
    aware = [d for d in due if d.tzinfo is not None]
    return min(aware) if aware else None
