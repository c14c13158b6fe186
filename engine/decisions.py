"""Decision tables the application evaluates itself, deployed and versioned like processes.

A DMN file whose decision the application checks (`Engine(decision_checks=...)`) may be
deployed without a process that uses it. It is read by the pipeline a business rule task's
table goes through (safe XML reading, the DMN checks and FEEL rewrites, SpiffWorkflow's
Camunda parser) and its cells run on the one restricted Evaluator, never eval/exec. A
compiled table never changes: cache it per stored version and share it between threads.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .bundle_dmn import DmnChecker, decisions
from .bundle_spiff import guarded_parse
from .bundle_xml import DMN_NAMESPACES, Document, XmlRejected, label, load_xml
from .deploy_messages import DeployRejected, Report
from .evaluator import Evaluator, ExpressionError
from .models import DecisionDefinition
from .script_engine import RestrictedEnvironment

_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")  # as DMNEngine rewrites `?`


class DecisionError(Exception):
    """A decision table could not give an answer; `message`/`message_zh` say why, for people."""

    def __init__(self, message: str, message_zh: str):
        super().__init__(message)
        self.message, self.message_zh = message, message_zh

    def __reduce__(self) -> tuple:  # Celery pickles exceptions between processes
        return type(self), (self.message, self.message_zh)

    def text(self, locale: str) -> str:
        return self.message_zh if locale.startswith("zh") else self.message


@dataclass(frozen=True, eq=False)
class DecisionTable:
    """A compiled decision table: immutable, so safe to cache and to share between threads."""

    key: str  # the <decision id>
    name: str
    inputs: tuple[str, ...]  # input expression texts
    outputs: tuple[str, ...]  # output names, as the answer's keys
    hit_policy: str
    _engine: DMNEngine = field(repr=False)
    _workflow: _Workflow = field(repr=False)

    def evaluate(self, context: Mapping[str, Any]) -> dict[str, Any]:
        """The outputs of the matching rule(s) by the table's hit policy, as a business rule
        task would get them; DecisionError when a cell fails or no rule matches."""
        task = _Task(dict(context), self._workflow)
        try:
            result = self._engine.result(task)
        except Exception as exc:  # noqa: BLE001 - whatever a cell does wrong is the table's fault
            raise self._failure(exc, task) from exc
        if not result:
            raise self._no_match(task)
        return dict(result)

    def _shown(self) -> tuple[str, str]:
        if self.name == self.key:
            return f'"{self.key}"', f"“{self.key}”"
        return f'"{self.name}" ({self.key})', f"“{self.name}”（{self.key}）"

    def _no_match(self, task: _Task) -> DecisionError:
        shown, shown_zh = self._shown()
        values = []
        for text in self.inputs:
            try:
                value = self._workflow.script_engine.evaluate(task, text)
            except Exception:  # noqa: BLE001 - an input that cannot be shown is left out
                continue
            values.append(f"{text} = {_value_text(value)}")
        listed = ", ".join(values)
        return DecisionError(
            f"No rule of the decision {shown} matches {listed or 'the given values'}. Add a rule "
            'for these values, or end the table with a rule that has "-" in every input column.',
            f"决策{shown_zh}没有与 {listed or '给定取值'} 匹配的规则。请为这些取值添加规则，"
            "或在表末添加一条所有输入列均为“-”的规则。",
        )

    def _failure(self, exc: Exception, task: _Task) -> DecisionError:
        shown, shown_zh = self._shown()
        failed = exc.error if isinstance(exc, _CellFailed) else None
        cause = exc.__context__ if failed is None and exc.__context__ is not None else exc
        if failed is not None:
            reason, reason_zh = failed.message, failed.message_zh
        elif isinstance(cause, SyntaxError):
            reason = f"The cell has a syntax error: {cause.msg}. Correct it in the decision table."
            reason_zh = f"单元格有语法错误：{cause.msg}。请在决策表中改正。"
        else:
            kind = type(cause).__name__
            reason = f"The cell failed ({kind}). Correct it in the decision table."
            reason_zh = f"单元格求值失败（{kind}）。请在决策表中改正。"
        rule = self._failed_rule(exc, task, failed.source if failed else None)
        where = _cell(rule, failed.source) if rule is not None and failed else None
        if where is not None:
            column, cell = where
            place = f'rule {rule.row_number}, column "{column}" ({cell.strip()})'
            place_zh = f"第 {rule.row_number} 条规则的“{column}”列（{cell.strip()}）"
        elif rule is not None:
            place, place_zh = f"rule {rule.row_number}", f"第 {rule.row_number} 条规则"
        else:
            place, place_zh = "", ""
        return DecisionError(
            f"The decision {shown} could not be evaluated{': ' + place if place else ''}: {reason}",
            f"决策{shown_zh}无法求值{'：' + place_zh if place_zh else ''}：{reason_zh}",
        )

    def _failed_rule(self, exc: Exception, task: _Task, source: str | None) -> Any:
        """The rule whose cell failed: DMNEngine notes the row of an input; an output's row is
        the first matching rule that has the failed text (rows match again as they did)."""
        rules = self._engine.decision_table.rules
        for note in getattr(exc, "notes", ()):
            found = re.search(r"row (\d+)", note)
            if found and 0 < int(found[1]) <= len(rules):
                return rules[int(found[1]) - 1]
        if source is None:
            return None
        try:
            matched = self._engine.decide(task)
        except Exception:  # noqa: BLE001 - then the row is not known
            return None
        return next((r for r in matched if any(e.text == source for e in r.outputEntries)), None)


def _cell(rule: Any, source: str) -> tuple[str, str] | None:
    """(column title, cell text) of the cell of `rule` that ran as `source`."""
    for entry in rule.inputEntries:
        expression = entry.input.expression or ""
        for test in entry.lhs:
            if test is not None and source in (
                expression,
                _QUESTION.sub("dmninputexpr", test),
                f"({expression}) == ({test})",
                expression + test,
            ):
                column = entry.input
                return column.label or column.name or column.id, test
    for entry in rule.outputEntries:
        if entry.text == source:
            column = entry.output
            return column.label or column.name or column.id, entry.text
    return None


def _value_text(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


# Returns problems as (English sentence, 中文 sentence); empty when the table is acceptable.
DecisionCheck = Callable[[DecisionTable], list[tuple[str, str]]]


class _CellFailed(SpiffWorkflowException):
    """An ExpressionError on its way through DMNEngine, which notes the row of an input cell."""

    def __init__(self, error: ExpressionError):
        super().__init__(error.message)
        self.error = error


class _CellEngine:
    """What DMNEngine calls of a script engine, on the restricted evaluator.

    RestrictedScriptEngine wraps failures in WorkflowTaskException, which needs a real task;
    here they travel as _CellFailed and become DecisionError.
    """

    def __init__(self, evaluator: Evaluator):
        self.environment = RestrictedEnvironment(evaluator)

    def validate(self, expression: str) -> None:
        error = _syntax_error(expression)
        if error is not None:
            raise SyntaxError(*error)

    def evaluate(
        self, task: _Task, expression: str, external_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except ExpressionError as err:
            raise _CellFailed(err) from err


@lru_cache(maxsize=4096)
def _syntax_error(expression: str) -> tuple | None:
    """DMNEngine parses every cell on every evaluation to learn whether it needs `==`."""
    try:
        ast.parse(expression)
    except SyntaxError as err:
        return err.msg, (err.filename, err.lineno, err.offset, err.text)
    return None


class _Workflow:
    """The little of a workflow DMNEngine (and SpiffWorkflow's errors) read."""

    def __init__(self, script_engine: _CellEngine, filename: str, name: str):
        self.script_engine = script_engine
        self.spec = SimpleNamespace(file=filename)
        self.task_spec = SimpleNamespace(name=name, bpmn_name=name)
        self.top_workflow = self


class _Task:
    """One evaluation's stand-in for the business rule task DMNEngine expects."""

    __slots__ = ("data", "workflow", "task_spec")

    def __init__(self, data: dict[str, Any], workflow: _Workflow):
        self.data, self.workflow, self.task_spec = data, workflow, workflow.task_spec


def compile_table(filename: str, source: str | bytes, evaluator: Evaluator) -> DecisionTable:
    """Read, check and parse one DMN file as deploy does; DeployRejected if it is unfit."""
    raw = source.encode() if isinstance(source, str) else source
    report = Report()
    doc = _read(filename, raw, report)
    if doc is not None:
        DmnChecker(doc, evaluator, report).run()  # also rewrites FEEL true/false/null
    engine = None
    if not report:
        decision = decisions(doc)[0]
        parser = CamundaParser()

        def parse() -> DMNEngine:
            parser.add_dmn_xml(doc.root, filename=filename)
            return parser.get_engine(decision.get("id", ""), decision)

        engine = guarded_parse(report, [doc], doc, decision, parse)
    if report or engine is None:
        raise DeployRejected(report.problems)
    table = engine.decision_table
    name = label(decision)
    return DecisionTable(
        key=decision.get("id", ""),
        name=name,
        inputs=tuple((column.expression or "").strip() for column in table.inputs),
        outputs=tuple(column.name or column.label for column in table.outputs),
        hit_policy=table.hit_policy,
        _engine=engine,
        _workflow=_Workflow(_CellEngine(evaluator), filename, name),
    )


def _read(filename: str, raw: bytes, report: Report) -> Document | None:
    try:
        root = load_xml(raw)
    except XmlRejected as err:
        report.add(err.code, None, filename=filename, line=err.line, **err.params)
        return None
    tag = root.tag.split("}")[-1] if isinstance(root.tag, str) else ""
    if root.nsmap.get(root.prefix) not in DMN_NAMESPACES or tag != "definitions":
        report.add("not_dmn", None, filename=filename, line=root.sourceline, root=tag)
        return None
    return Document(filename, raw.decode("utf-8-sig"), root)


def latest_decision(session: Session, key: str) -> DecisionDefinition | None:
    """The newest deployed version of decision `key`, if any."""
    return session.scalars(
        select(DecisionDefinition)
        .where(DecisionDefinition.key == key)
        .order_by(DecisionDefinition.version.desc())
        .limit(1)
    ).first()


def latest_decisions(session: Session) -> list[DecisionDefinition]:
    """The newest version of each deployed decision, by key."""
    newest = (
        select(DecisionDefinition.key, func.max(DecisionDefinition.version).label("version"))
        .group_by(DecisionDefinition.key)
        .subquery()
    )
    return list(
        session.scalars(
            select(DecisionDefinition)
            .join(
                newest,
                (DecisionDefinition.key == newest.c.key)
                & (DecisionDefinition.version == newest.c.version),
            )
            .order_by(DecisionDefinition.key)
        )
    )
