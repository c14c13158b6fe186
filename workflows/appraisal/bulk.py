""" "Approve all": an approver signs every result sheet waiting for them, one by one, through
the one complete-task path, so each signature gets exactly the checks a single one gets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import EngineError, instance_changed
from engine.runtime import Actor

from .. import casework
from . import queries


@dataclass(frozen=True)
class Signed:
    """What happened to one approval task: `error` is None when it was approved."""

    task_id: str
    instance_id: int
    task: str  # approve_supervisor, approve_hr, …
    error: EngineError | None = None

    @property
    def approved(self) -> bool:
        return self.error is None


def approve_all(
    session: Session, actor: Actor, *, commit: Callable[[], None], locale: str = "zh_CN"
) -> list[Signed]:
    """Approve each open sheet approval `actor` may act on, each in its own transaction
    (`commit` ends it): one that fails is rolled back alone and reported, the rest go on."""
    mine = [(t.id, t.instance_id, t.spec_name) for t in queries.approvals_for(session, actor)]
    done = []
    for task_id, instance_id, task in mine:
        try:
            casework.complete_task(session, task_id, {"decision": "approve"}, actor, locale=locale)
            commit()
            done.append(Signed(task_id, instance_id, task))
        except (EngineError, StaleDataError) as exc:
            session.rollback()
            error = instance_changed() if isinstance(exc, StaleDataError) else exc
            done.append(Signed(task_id, instance_id, task, error))
    return done
