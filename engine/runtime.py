"""The engine: starts instances and moves them on, one locked, versioned mutation at a time.

Every public method takes the caller's session, flushes, and never commits: the caller's unit
of work commits once (or rolls back everything). A step that fails inside the diagram (a
script, a condition, a decision table) does not roll back: the instance is saved as it stands,
marked `error`, with an incident naming the step, so an administrator can fix and retry it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from .audit import record
from .decisions import DecisionCheck, DecisionTable, compile_table, latest_decision
from .definitions import Deployed, deploy, get_latest_or_404
from .errors import Conflict, Forbidden, NotFound, task_gone
from .evaluator import Evaluator
from .incidents import Failure, describe_failure, open_incident, resolve_incidents
from .models import (
    AuditEvent,
    DecisionDefinition,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    utcnow,
)
from .script_engine import make_script_engine
from .serialization import SERIALIZER_VERSION, StateSerializer
from .tasklist import can_act, sync_human_tasks, update_rows

# task kinds whose completion is worth a line in the case timeline
_TIMELINE_SPECS = ("BusinessRuleTask", "ScriptTask", "EndEvent", "CallActivity")
# compiled decision table versions kept; a version never changes, so any of them may be dropped
_DECISION_CACHE_SIZE = 64


@dataclass(frozen=True)
class Actor:
    """Who is acting: a username and the roles they hold right now."""

    username: str
    roles: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


SYSTEM = Actor("system", frozenset({"system"}))

# called after every save with the session, the instance, its workflow and the spec names of
# the steps completed in this mutation, in order (human tasks and automatic steps alike)
InstanceListener = Callable[[Session, ProcessInstance, BpmnWorkflow, list[str]], None]


@dataclass
class StepCall:
    """A person's step about to run: a human task being completed, or a case being started.

    Step hooks see it under the instance lock, in the caller's transaction, before the task
    runs; what they return is merged into the task's data. A hook that refuses raises an
    EngineError and the caller's transaction is rolled back. `after_save` callbacks run once
    the instance is saved (at start, that is when it first has an id).
    """

    session: Session
    instance: ProcessInstance
    actor: Actor
    step: str  # spec name of the task, or of the start event
    properties: Mapping[str, str]  # <camunda:property> values drawn on the element
    data: Mapping[str, Any]  # the data the step sees, the submitted values included
    after_save: list[Callable[[ProcessInstance], None]] = field(default_factory=list)


StepHook = Callable[[StepCall], Mapping[str, Any] | None]


@dataclass(frozen=True)
class CompiledDefinition:
    """What running an instance needs of its definition version; immutable, so cached."""

    id: int
    key: str
    version: int
    spec: Any
    subprocess_specs: dict
    task_meta: dict
    properties: dict  # spec name -> <camunda:property> values drawn on the element


@dataclass
class _Events:
    """Audit events gathered during a mutation, written once the instance has its id."""

    rows: list[tuple[str, str | None, str | None, dict]]
    steps: list[str] = field(default_factory=list)

    def add(self, event: str, actor: str | None, task_id: str | None = None, **payload) -> None:
        self.rows.append((event, actor, task_id, payload))

    def write(self, session: Session, instance_id: int) -> None:
        if self.rows:
            now = utcnow()
            # straight to the table: the ORM's bulk path costs more than the insert itself
            session.connection().execute(
                insert(AuditEvent.__table__),
                [
                    {
                        "kind": kind,
                        "actor": actor,
                        "instance_id": instance_id,
                        "task_id": task_id,
                        "payload": payload,
                        "at": now,
                    }
                    for kind, actor, task_id, payload in self.rows
                ],
            )
        self.rows.clear()


class Engine:
    """The BPMN runtime on SpiffWorkflow, assembled from an evaluator and a serializer."""

    def __init__(
        self,
        evaluator: Evaluator | None = None,
        serializer: StateSerializer | None = None,
        role_keys: frozenset[str] | None = None,
        property_values: Mapping[str, frozenset[str]] | None = None,
        decision_checks: Mapping[str, DecisionCheck] | None = None,
    ):
        self.evaluator = evaluator or Evaluator()
        self.role_keys = role_keys  # lanes named like one of these are read as candidate roles
        self.property_values = property_values  # element properties the application acts on
        # decisions the application evaluates itself (deployable alone), and what each must pass
        self.decision_checks = dict(decision_checks or {})
        self.script_engine = make_script_engine(self.evaluator)
        self.serializer = serializer or StateSerializer()
        self._listeners: list[InstanceListener] = []
        self._step_hooks: list[StepHook] = []
        self._compiled: dict[int, CompiledDefinition] = {}
        self._tables: OrderedDict[int, tuple[str, DecisionTable]] = OrderedDict()
        self._tables_lock = threading.Lock()

    def on_save(self, listener: InstanceListener) -> None:
        """Call `listener(session, instance, workflow, steps)` after every save."""
        self._listeners.append(listener)

    def before_step(self, hook: StepHook) -> None:
        """Call `hook(StepCall)` before a person's step runs (see StepCall)."""
        self._step_hooks.append(hook)

    def _run_step_hooks(self, call: StepCall) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        for hook in self._step_hooks:
            extra.update(hook(call) or {})
        return extra

    # -- definitions ---------------------------------------------------------------------------
    def deploy(
        self,
        session: Session,
        files: Mapping[str, bytes],
        actor: Actor,
        *,
        keep_edits: bool = False,
    ) -> list[Deployed]:
        """See engine.definitions.deploy (`keep_edits`: the shipped set at start-up)."""
        return deploy(
            session,
            files,
            evaluator=self.evaluator,
            serializer=self.serializer,
            actor=actor.username,
            role_keys=self.role_keys,
            property_values=self.property_values,
            decision_checks=self.decision_checks,
            keep_edits=keep_edits,
        )

    def decision_table(self, session: Session, definition_id: int) -> DecisionTable:
        """The compiled table of a stored decision version, cached (a version never changes)."""
        definition = session.get(DecisionDefinition, definition_id)
        if definition is None:
            raise NotFound(
                f"There is no decision table version {definition_id}.",
                f"没有编号为 {definition_id} 的决策表版本。",
            )
        with self._tables_lock:
            cached = self._tables.get(definition_id)
            # the checksum tells a rolled-back version from another that got its id (SQLite)
            if cached is not None and cached[0] == definition.checksum:
                self._tables.move_to_end(definition_id)
                return cached[1]
        table = compile_table(definition.filename, definition.source, self.evaluator)
        with self._tables_lock:
            self._tables[definition_id] = (definition.checksum, table)
            while len(self._tables) > _DECISION_CACHE_SIZE:
                self._tables.popitem(last=False)
        return table

    def latest_decision_table(
        self, session: Session, key: str
    ) -> tuple[DecisionDefinition, DecisionTable] | None:
        """The newest version of decision `key` and its compiled table; None if none is deployed."""
        definition = latest_decision(session, key)
        if definition is None:
            return None
        return definition, self.decision_table(session, definition.id)

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
        compiled = self.compiled(session, definition.id, definition)
        workflow = BpmnWorkflow(
            compiled.spec, compiled.subprocess_specs, script_engine=self.script_engine
        )
        workflow.task_tree.data.update(data)
        instance = ProcessInstance(
            definition_id=definition.id,
            process_key=definition.key,
            definition_version=definition.version,
            business_key=business_key,
            started_by=actor.username,
            status="running",
            summary=dict(data),
        )
        call = None
        if self._step_hooks:
            call = StepCall(session, instance, actor, "", {}, dict(data))
            for start in compiled.spec.start.outputs:
                if start.name in compiled.properties:
                    call.step, call.properties = start.name, compiled.properties[start.name]
            extra = self._run_step_hooks(call)
            data = {**data, **extra}
            workflow.task_tree.data.update(extra)
            instance.summary = dict(data)
        events = _Events([])
        events.add("start", actor.username, data=dict(data))
        # run to the first wait before inserting, so the row is written once, complete
        failure = self._advance(workflow, events)
        session.add(instance)
        self._save(session, instance, workflow, compiled, events, failure, open_rows={})
        for callback in call.after_save if call else ():
            callback(instance)
        return instance

    def load(
        self, session: Session, instance_id: int, *, lock: bool = True, skip_locked: bool = False
    ):
        """The instance row (locked for this transaction) and its restored workflow.

        With `skip_locked`, an instance another transaction holds is not waited for:
        (None, None) comes back (PostgreSQL; SQLite serialises writers anyway).
        """
        stmt = select(ProcessInstance).where(ProcessInstance.id == instance_id)
        if lock:
            stmt = stmt.with_for_update(skip_locked=skip_locked)
        instance = session.scalars(stmt.execution_options(populate_existing=True)).first()
        if instance is None:
            if skip_locked and session.get(ProcessInstance, instance_id) is not None:
                return None, None
            raise NotFound(f"There is no case {instance_id}.", f"没有编号为 {instance_id} 的案例。")
        return instance, self._restore(session, instance)

    def _restore(self, session: Session, instance: ProcessInstance) -> BpmnWorkflow:
        compiled = self.compiled(session, instance.definition_id)
        workflow = self.serializer.load_state(
            instance.state, compiled.spec, compiled.subprocess_specs
        )
        workflow.script_engine = self.script_engine
        return workflow

    def compiled(
        self, session: Session, definition_id: int, definition: ProcessDefinition | None = None
    ) -> CompiledDefinition:
        """The restored spec and task metadata of a definition version, cached per process."""
        cached = self._compiled.get(definition_id)
        if cached is not None:
            return cached
        definition = definition or session.get(ProcessDefinition, definition_id)
        spec, subprocess_specs = self.serializer.load_spec(
            definition.id, lambda: definition.spec_json
        )
        cached = CompiledDefinition(
            definition.id,
            definition.key,
            definition.version,
            spec,
            subprocess_specs,
            dict(definition.task_meta),
            dict(definition.element_properties or {}),
        )
        self._compiled[definition_id] = cached
        return cached

    # -- human tasks ---------------------------------------------------------------------------
    def _open_task(
        self,
        session: Session,
        task_id: str,
        *,
        restore: bool = True,
        check: Callable[[HumanTask], Any] | None = None,
    ):
        """Lock the task's instance, then read its task rows as they stand after the lock.

        `check(row)` runs first on the locked row (the caller's visibility rule, so a task the
        caller may not see is reported missing before anything else). Returns what `check`
        returned, the task row, the instance, its workflow and the instance's open task rows.
        """
        owner = select(HumanTask.instance_id).where(HumanTask.id == task_id).scalar_subquery()
        # one round trip: lock the instance row and read its task rows as they stand now
        pairs = session.execute(
            select(ProcessInstance, HumanTask)
            .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
            .where(
                ProcessInstance.id == owner,
                or_(HumanTask.status == "open", HumanTask.id == task_id),
            )
            .with_for_update(of=ProcessInstance)
            .execution_options(populate_existing=True)
        ).all()
        if not pairs:
            raise NotFound("There is no such task.", "没有这个任务。")
        instance = pairs[0][0]
        rows = {task.id: task for _, task in pairs}
        row = rows[task_id]
        checked = check(row) if check is not None else None
        if row.status != "open":
            raise task_gone()
        if instance.status == "suspended":
            raise Conflict(
                "This case is suspended; an administrator must resume it first.",
                "该案例已暂停，需由管理员恢复后才能继续。",
            )
        workflow = self._restore(session, instance) if restore else None
        open_rows = {k: r for k, r in rows.items() if r.status == "open"}
        return checked, row, instance, workflow, open_rows

    def complete_task(
        self,
        session: Session,
        task_id: str,
        data: Mapping[str, Any] | Callable[[HumanTask], Mapping[str, Any]],
        actor: Actor,
        *,
        expected_version: int | None = None,
    ) -> ProcessInstance:
        """Complete a READY human task and run the engine on.

        `data` is validated data, or a function that gets the locked task row and returns it
        (so the caller's checks and form validation see the row as it stands, in one read).
        """
        prepared, row, instance, workflow, open_rows = self._open_task(
            session, task_id, check=data if callable(data) else None
        )
        if callable(data):
            data = prepared
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
        drawn = self.compiled(session, instance.definition_id).properties.get(row.spec_name, {})
        call = None
        if self._step_hooks:
            call = StepCall(session, instance, actor, row.spec_name, drawn, {**task.data, **data})
            data = {**data, **self._run_step_hooks(call)}
        task.data.update(data)
        task.run()
        closed = update_rows(
            session,
            [row],
            only_open=True,
            status="completed",
            completed_at=utcnow(),
            completed_by=actor.username,
        )
        if not closed:
            raise task_gone()
        del open_rows[task_id]
        private = drawn.get("private") == "true"
        events = _Events([], [row.spec_name])
        events.add(
            "complete",
            actor.username,
            task_id,
            task=row.spec_name,
            name=row.name,
            name_en=row.name_en,
            # a private step (a rating, a vote) keeps its answers out of the case's data and
            # history, which others taking part can read; the application files them itself
            data={} if private else dict(data),
        )
        if not private:
            instance.summary = {**instance.summary, **data}
        self._run_and_save(session, instance, workflow, events, open_rows)
        for callback in call.after_save if call else ():
            callback(instance)
        return instance

    def _task_event(
        self, session, kind: str, actor: Actor, row: HumanTask, instance, **extra
    ) -> None:
        self._touch(instance)
        record(
            session,
            kind,
            actor.username,
            instance_id=instance.id,
            task_id=row.id,
            payload={"task": row.spec_name, "name": row.name, "name_en": row.name_en, **extra},
        )
        session.flush()

    def claim(self, session: Session, task_id: str, actor: Actor) -> HumanTask:
        _, row, instance, _, _ = self._open_task(session, task_id, restore=False)
        if row.claimed_by == actor.username:
            return row
        if row.claimed_by is not None:
            raise Conflict(
                f"{row.claimed_by} has already claimed this task.",
                f"{row.claimed_by} 已认领此任务。",
            )
        if not can_act(row, actor):
            raise Forbidden("This task is not open to you.", "此任务不对您开放。")
        row.claimed_by = actor.username
        self._task_event(session, "claim", actor, row, instance)
        return row

    def unclaim(self, session: Session, task_id: str, actor: Actor) -> HumanTask:
        _, row, instance, _, _ = self._open_task(session, task_id, restore=False)
        if row.claimed_by is None:
            return row
        if row.claimed_by != actor.username and not actor.is_admin:
            raise Conflict(
                f"{row.claimed_by} has claimed this task; only they can release it.",
                f"此任务已被 {row.claimed_by} 认领，只有其本人可以释放。",
            )
        row.claimed_by = None
        self._task_event(session, "unclaim", actor, row, instance)
        return row

    def assign(self, session: Session, task_id: str, username: str, actor: Actor) -> HumanTask:
        """Give an open task to a specific person (the caller checked they may)."""
        _, row, instance, _, _ = self._open_task(session, task_id, restore=False)
        previous = row.assignee
        row.assignee, row.claimed_by = username, None
        self._task_event(
            session, "assign", actor, row, instance, **{"from": previous, "to": username}
        )
        return row

    def fire_timers(self, session: Session, instance_id: int) -> ProcessInstance | None:
        """Advance an instance whose timers are due; a no-op when none is (fired already), or
        when another worker is advancing it right now."""
        instance, workflow = self.load(session, instance_id, skip_locked=True)
        if instance is None or instance.status not in ("running", "waiting"):
            return None
        if instance.next_timer_at is None or instance.next_timer_at > utcnow():
            return None
        workflow.refresh_timers()
        events = _Events([])
        events.add("timer", "system", due=instance.next_timer_at.isoformat())
        self._run_and_save(session, instance, workflow, events)
        return instance

    def record_failure(self, session: Session, instance_id: int, exc: BaseException) -> None:
        """A background step on this instance kept failing: mark it failed with an incident.

        Runs in a transaction of its own after the failed one was rolled back; `retry`
        re-runs whatever was due.
        """
        instance = session.get(ProcessInstance, instance_id)
        if instance is None or instance.status in ("completed", "terminated"):
            return
        instance.status = "error"
        self._touch(instance)
        kind = type(exc).__name__
        failure = Failure(
            task_spec=None,
            task_name=None,
            message=f"Moving this case on in the background kept failing ({kind}). "
            "Once the cause is fixed, retry the case.",
            message_zh=f"后台推进该案例多次失败（{kind}）。排除原因后，请重试该案例。",
            line=None,
        )
        open_incident(session, instance, failure)
        session.flush()

    # -- administration ------------------------------------------------------------------------
    def retry(
        self,
        session: Session,
        instance_id: int,
        actor: Actor,
        data: Mapping[str, Any] | None = None,
    ) -> ProcessInstance:
        """Re-run the steps that failed, after whatever caused the failure was fixed.

        `data`, when given, is merged into the failed steps' data first: the administrator's
        correction of a missing or wrong value (recorded in the audit trail).
        """
        instance, workflow = self.load(session, instance_id)
        failed = workflow.get_tasks(state=TaskState.ERROR)
        if instance.status != "error":
            raise Conflict("This case has no failed step to retry.", "该案例没有可重试的失败步骤。")
        for task in failed:
            task.data.update(data or {})
            task._set_state(TaskState.READY)
        # a background failure leaves no failed task: whatever timer was due runs now
        workflow.refresh_timers()
        if data:
            instance.summary = {**instance.summary, **data}
        resolve_incidents(session, instance.id, actor.username)
        events = _Events([])
        events.add(
            "retry", actor.username, tasks=[t.task_spec.name for t in failed], data=dict(data or {})
        )
        instance.status = "running"
        self._run_and_save(session, instance, workflow, events)
        return instance

    def set_suspended(self, session: Session, instance_id: int, suspended: bool, actor: Actor):
        instance, workflow = self.load(session, instance_id)
        if suspended and instance.status in ("completed", "terminated"):
            raise Conflict("A finished case cannot be suspended.", "已结束的案例不能暂停。")
        if not suspended and instance.status != "suspended":
            raise Conflict("This case is not suspended.", "该案例未处于暂停状态。")
        events = _Events([])
        events.add("suspend" if suspended else "resume", actor.username)
        instance.status = "suspended" if suspended else "running"
        self._save(
            session, instance, workflow, self.compiled(session, instance.definition_id), events
        )
        return instance

    def terminate(self, session: Session, instance_id: int, actor: Actor) -> ProcessInstance:
        instance, workflow = self.load(session, instance_id)
        if instance.status in ("completed", "terminated"):
            raise Conflict("This case has already ended.", "该案例已结束。")
        workflow.cancel()
        instance.status = "terminated"
        events = _Events([])
        events.add("terminate", actor.username)
        self._save(
            session, instance, workflow, self.compiled(session, instance.definition_id), events
        )
        return instance

    # -- internals -----------------------------------------------------------------------------
    def _run_and_save(
        self,
        session: Session,
        instance: ProcessInstance,
        workflow,
        events: _Events,
        open_rows: dict[str, HumanTask] | None = None,
    ) -> None:
        failure = self._advance(workflow, events)
        compiled = self.compiled(session, instance.definition_id)
        self._save(session, instance, workflow, compiled, events, failure, open_rows)

    def _advance(self, workflow: BpmnWorkflow, events: _Events) -> Failure | None:
        """Run engine steps; a failure inside the diagram is returned, not raised."""

        def step_done(task):
            events.steps.append(task.task_spec.name)
            kind = type(task.task_spec).__name__
            if kind in _TIMELINE_SPECS:
                events.add(
                    "step",
                    "system",
                    str(task.id),
                    task=task.task_spec.name,
                    name=task.task_spec.bpmn_name or task.task_spec.name,
                    kind=kind,
                )

        try:
            workflow.do_engine_steps(did_complete_task=step_done)
        except Exception as exc:  # noqa: BLE001 - anything a diagram does wrong is an incident
            return describe_failure(exc, workflow)
        return None

    def _save(
        self,
        session: Session,
        instance: ProcessInstance,
        workflow: BpmnWorkflow,
        compiled: CompiledDefinition,
        events: _Events,
        failure: Failure | None = None,
        open_rows: dict[str, HumanTask] | None = None,
    ) -> None:
        """Write state, status, timers, task rows, incidents and audit events of one mutation."""
        if failure is not None:
            instance.status = "error"
        instance.state = self.serializer.dump_state(workflow)
        instance.serializer_version = SERIALIZER_VERSION
        self._touch(instance)
        if workflow.is_completed() and instance.status not in ("terminated", "error", "completed"):
            instance.status, instance.ended_at = "completed", utcnow()
            events.add("end", "system")
        elif instance.status in ("running", "waiting"):
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            instance.status = "running" if ready else "waiting"
        elif instance.status == "terminated" and instance.ended_at is None:
            instance.ended_at = utcnow()
        instance.next_timer_at = (
            _next_timer(workflow) if instance.status in ("running", "waiting") else None
        )
        # the row first: its version check makes a concurrent writer fail before it writes anything
        session.flush()
        if failure is not None:
            open_incident(session, instance, failure)
        events.write(session, instance.id)
        # the open tasks after this mutation, for callers to answer with (not a mapped column)
        instance.current_tasks = sync_human_tasks(
            session, instance, workflow, self.evaluator, compiled.task_meta, open_rows
        )
        for listener in self._listeners:
            listener(session, instance, workflow, list(events.steps))
        session.flush()

    @staticmethod
    def _touch(instance: ProcessInstance) -> None:
        # also bumps the row version, so concurrent writers of the same case conflict
        instance.updated_at = utcnow()


def timer_due(task: Any) -> datetime | None:
    """When a waiting timer task fires (aware), or None for a task that is no armed timer."""
    definition = getattr(task.task_spec, "event_definition", None)
    if not isinstance(definition, TimerEventDefinition):
        return None
    return _due(definition.details(task).value)


def _next_timer(workflow: BpmnWorkflow) -> datetime | None:
    due = [_due(event.value) for event in workflow.waiting_events()]
    return min((d for d in due if d is not None), default=None)


def _due(value: Any) -> datetime | None:
    """The aware due time in a timer's event value (a cycle keeps it under "next")."""
    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        due = datetime.fromisoformat(value)
    except ValueError:
        return None
    return due if due.tzinfo is not None else None
