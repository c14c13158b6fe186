"""Expressions, scripts and timers in a diagram: translated to Python, then checked.

Each text is checked with the restricted evaluator at deploy time, so `import os` in a script
is refused before any case runs. Camunda `${...}` expressions are translated (engine.juel) and
ISO 8601 timer texts quoted, in the tree handed to SpiffWorkflow only; the uploaded text is
stored unchanged.
"""

from __future__ import annotations

import re

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .bundle_xml import CAMUNDA_NS, Document, bpmn_children, camunda, local
from .deploy_messages import Report
from .evaluator import ExpressionError
from .juel import JuelUnsupported, is_juel, translate

_CRON = re.compile(r"^\S+(\s+\S+){4,6}$")
_PYTHON_SCRIPT_FORMATS = {"", "python", "py", "python3"}
_TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")


def evaluator_check(evaluator, source: str, mode: str) -> tuple[str, str, int | None] | None:
    """None if the evaluator accepts `source`, else (message, message_zh, line)."""
    try:
        evaluator.check(source, mode=mode)
    except ExpressionError as err:
        return err.message, err.message_zh, err.line
    return None


class ExpressionChecker:
    """Translates and checks the expressions of one document, reporting into `report`."""

    def __init__(self, doc: Document, evaluator, report: Report) -> None:
        self.doc, self.evaluator, self.report = doc, evaluator, report

    def expression(
        self,
        owner: etree._Element,
        holder: etree._Element | None,
        what: str,
        *,
        required: bool = True,
        mode: str = "eval",
    ) -> str | None:
        """Check the text of `holder` (owned by `owner`); rewrite it to Python; None if bad."""
        text = (holder.text or "").strip() if holder is not None else ""
        line = holder.sourceline if holder is not None else owner.sourceline
        if not text:
            if required:
                self.report.add("expression_empty", self.doc, owner, line=line, role=what)
            return None
        python = self.to_python(owner, text, what, line)
        if python is None:
            return None
        refused = evaluator_check(self.evaluator, python, mode)
        if refused is not None:
            self.report.add(
                "expression_refused",
                self.doc,
                owner,
                line=line,
                role=what,
                text=text,
                reason=refused[0],
                reason_zh=refused[1],
            )
            return None
        if holder is not None:
            holder.text = python
        return python

    def to_python(
        self, owner: etree._Element, text: str, what: str, line: int | None
    ) -> str | None:
        if is_juel(text):
            try:
                return translate(text)
            except JuelUnsupported as err:
                self.report.add(
                    "juel_unsupported",
                    self.doc,
                    owner,
                    line=line,
                    role=what,
                    text=text,
                    hint=err.hint,
                    hint_zh=err.hint_zh,
                )
                return None
        if text.startswith("="):
            self.report.add("feel_expression", self.doc, owner, line=line, role=what, text=text)
            return None
        return text

    def condition_language(self, owner: etree._Element, holder: etree._Element) -> bool:
        language = (holder.get("language") or "").lower()
        if language and language not in ("python", "juel", "http://www.w3.org/1999/xpath"):
            self.report.add(
                "condition_language",
                self.doc,
                owner,
                line=holder.sourceline,
                language=holder.get("language"),
            )
            return False
        if holder.get(f"{{{CAMUNDA_NS}}}resource"):
            self.report.add("external_resource", self.doc, owner, line=holder.sourceline)
            return False
        return True

    def script(self, task: etree._Element) -> None:
        script_format = (task.get("scriptFormat") or "").strip().lower()
        if script_format not in _PYTHON_SCRIPT_FORMATS:
            self.report.add("script_language", self.doc, task, language=task.get("scriptFormat"))
            return
        if camunda(task, "resource"):
            self.report.add("external_resource", self.doc, task)
            return
        if camunda(task, "resultVariable"):
            self.report.add(
                "script_result_variable", self.doc, task, variable=camunda(task, "resultVariable")
            )
        holders = bpmn_children(task, "script")
        source = holders[0].text if holders else None
        if not source or not source.strip():
            self.report.add("script_missing", self.doc, task)
            return
        refused = evaluator_check(self.evaluator, source, "exec")
        if refused is not None:
            line_in_script = refused[2] or 1
            self.report.add(
                "script_refused",
                self.doc,
                task,
                line=(holders[0].sourceline or task.sourceline) + line_in_script - 1,
                script_line=line_in_script,
                reason=refused[0],
                reason_zh=refused[1],
            )

    def timer(self, event: etree._Element, definition: etree._Element) -> None:
        holders = [child for child in definition if local(child) in _TIMER_KINDS]
        if not holders or not (holders[0].text or "").strip():
            self.report.add("timer_missing", self.doc, event, line=definition.sourceline)
            return
        holder = holders[0]
        kind, text = local(holder), holder.text.strip()
        if is_juel(text) or not _looks_literal(text):
            if _CRON.match(text) and not is_juel(text):
                self.report.add("timer_cron", self.doc, event, line=holder.sourceline, text=text)
                return
            self.expression(event, holder, "timer")
            return
        if not _valid_literal(kind, text):
            code = (
                "timer_cycle"
                if kind == "timeCycle" and not text.upper().startswith("R")
                else "timer_literal"
            )
            self.report.add(
                code,
                self.doc,
                event,
                line=holder.sourceline,
                text=text,
                kind=_KIND_NAMES[kind][0],
                kind_zh=_KIND_NAMES[kind][1],
            )
            return
        # SpiffWorkflow evaluates timer texts as Python: the ISO text must become a string.
        holder.text = repr(text)


_KIND_NAMES = {
    "timeDate": (
        "a date and time such as 2030-01-31T09:00:00+08:00",
        "日期时间，例如 2030-01-31T09:00:00+08:00",
    ),
    "timeDuration": ("a duration such as PT4H or P2D", "时长，例如 PT4H 或 P2D"),
    "timeCycle": (
        "a repetition such as R3/PT1H (or R/P1D for no end)",
        "重复周期，例如 R3/PT1H（无限重复写 R/P1D）",
    ),
}


def _looks_literal(text: str) -> bool:
    """ISO 8601 texts start with P, R or a year; Python expressions and quotes do not."""
    return bool(re.match(r"^(P|R\d*/|\d{4}-)", text, re.IGNORECASE)) and " " not in text


def _valid_literal(kind: str, text: str) -> bool:
    try:
        if kind == "timeDate":
            TimerEventDefinition.get_datetime(text)
        elif kind == "timeDuration":
            if not text.upper().startswith("P"):
                return False
            TimerEventDefinition.parse_iso_duration(text)
        else:
            if not text.upper().startswith("R"):
                return False
            TimerEventDefinition.parse_iso_recurring_interval(text)
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises bare Exception for bad ISO texts
        return False
    return True
