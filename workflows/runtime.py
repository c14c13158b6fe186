"""The application's engine: one per process, with the after-sales functions and listeners."""

from __future__ import annotations

from functools import lru_cache

from engine.evaluator import Evaluator
from engine.runtime import Engine

from .appraisal import effects as _appraisal_effects  # noqa: F401  (registers them)
from .appraisal import grades, window
from .effects import effect_names, run_effects
from .org.models import ROLES
from .records import effects as _record_effects  # noqa: F401  (registers them)
from .records import milestones
from .sla import service as sla
from .sla.calendars import sla_due


def build_engine() -> Engine:
    """A new engine with what after-sales diagrams may call and what reacts to their steps."""
    evaluator = Evaluator()
    # diagrams compute deadlines in business time, e.g. a timer `sla_due(reply_within, sla_calendar)`
    evaluator.register("sla_due", sla_due)
    engine = Engine(
        evaluator,
        role_keys=frozenset(ROLES),
        property_values={"effect": effect_names(), window.PROPERTY: {window.WINDOW}},
        # decision tables the application evaluates itself, each with its deploy-time check
        decision_checks={grades.GRADE_DECISION: grades.check_table},
    )

    def drawn_properties(session, instance, workflow, steps):
        properties = engine.compiled(session, instance.definition_id).properties
        sla.on_instance_saved(session, instance, workflow, steps, properties)
        milestones.on_instance_saved(session, instance, steps, properties)
        window.on_instance_saved(session, instance, workflow, steps, properties)

    engine.on_save(drawn_properties)
    # steps that write the department's records do it in the same transaction
    engine.before_step(run_effects)
    return engine


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return build_engine()
