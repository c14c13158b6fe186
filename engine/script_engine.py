"""SpiffWorkflow's script engine wired to our Evaluator, so no diagram text reaches eval/exec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

from engine.evaluator import Evaluator, ExpressionError


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Routes conditions, timers, DMN cells and scripts through one Evaluator."""

    def __init__(self, evaluator: Evaluator):
        super().__init__({})
        self.evaluator = evaluator

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> Any:
        # Task data wins over the extras (DMN's `dmninputexpr`, data objects), as in SpiffWorkflow.
        scope = {**external_context, **context} if external_context else context
        return self.evaluator.evaluate(expression, scope)

    def execute(
        self,
        script: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> bool:
        if not external_context:
            self.evaluator.execute(script, context)
            return True
        scope = {**external_context, **context}
        self.evaluator.execute(script, scope)
        for name in [n for n in context if n not in scope]:
            del context[name]
        # Extras the script left alone are not task data; keep them out of it.
        context.update(
            {
                name: value
                for name, value in scope.items()
                if name in context or external_context.get(name, scope) is not value
            }
        )
        return True


class RestrictedScriptEngine(PythonScriptEngine):
    """Raises WorkflowTaskException carrying the ExpressionError (as __cause__ and attribute)."""

    def evaluate(
        self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except ExpressionError as err:
            raise task_error(task, err) from err

    def execute(
        self, task: Any, script: str, external_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            return self.environment.execute(script, task.data, external_context)
        except ExpressionError as err:
            raise task_error(task, err) from err


def task_error(task: Any, err: ExpressionError) -> WorkflowTaskException:
    """The WorkflowTaskException SpiffWorkflow expects, with our plain message and line."""
    lines = err.source.splitlines()
    error_line = lines[err.line - 1] if err.line and err.line <= len(lines) else ""
    wrapped = WorkflowTaskException(
        err.message, task=task, exception=err, line_number=err.line, error_line=error_line
    )
    wrapped.expression_error = err
    return wrapped


def make_script_engine(evaluator: Evaluator) -> PythonScriptEngine:
    """A PythonScriptEngine whose every evaluate/execute goes through `evaluator`."""
    return RestrictedScriptEngine(environment=RestrictedEnvironment(evaluator))
