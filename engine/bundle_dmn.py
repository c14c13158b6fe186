"""Checks of DMN decision tables: what SpiffWorkflow would run wrongly or never match.

SpiffWorkflow evaluates DMN cells as Python, not FEEL: `[1..10]` is a syntax error at run
time and `1, 5, 7` or `not(5)` silently never match, so those are refused here with the
Python to write instead. FEEL's true/false/null are rewritten to Python in the parsed tree.
"""

from __future__ import annotations

import ast
import re

from lxml import etree

from .bundle_expressions import ExpressionChecker, evaluator_check
from .bundle_xml import Document, label, local
from .deploy_messages import Report

_SUPPORTED_POLICIES = {"UNIQUE", "FIRST", "ANY", "COLLECT"}
_RANGE = re.compile(
    r"^(?P<open>[\[\]\(])\s*(?P<lo>.+?)\s*\.\.\s*(?P<hi>.+?)\s*(?P<close>[\[\]\)])$"
)
_FEEL_LITERALS = {"true": "True", "false": "False", "null": "None"}
_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")  # as DMNEngine finds it


def children(el: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in el if isinstance(child.tag, str) and local(child) == name]


def decisions(doc: Document) -> list[etree._Element]:
    return children(doc.root, "decision")


class DmnChecker:
    """Checks the one decision table of a DMN document; rewrites FEEL literals in place."""

    def __init__(self, doc: Document, evaluator, report: Report) -> None:
        self.doc, self.evaluator, self.report = doc, evaluator, report
        self.exprs = ExpressionChecker(doc, evaluator, report)

    def run(self) -> None:
        found = decisions(self.doc)
        if len(found) != 1:
            self.report.add(
                "dmn_decision_count",
                self.doc,
                None,
                line=self.doc.root.sourceline,
                count=len(found),
            )
            return
        decision = found[0]
        tables = children(decision, "decisionTable")
        if len(tables) != 1 or len(decision) > len(tables) + _extras(decision):
            self.report.add("dmn_not_table", self.doc, decision)
            return
        self.table(decision, tables[0])

    def table(self, decision: etree._Element, table: etree._Element) -> None:
        for child in list(table):
            # SpiffWorkflow refuses anything else in a table (descriptions, annotations)
            if not isinstance(child.tag, str) or local(child) not in ("input", "output", "rule"):
                table.remove(child)
        policy = (table.get("hitPolicy") or "UNIQUE").upper()
        if policy not in _SUPPORTED_POLICIES or table.get("aggregation"):
            shown = f"{policy} {table.get('aggregation') or ''}".strip()
            self.report.add(
                "dmn_hit_policy", self.doc, decision, line=table.sourceline, policy=shown
            )
        inputs, outputs = children(table, "input"), children(table, "output")
        for column in inputs:
            for expression in children(column, "inputExpression"):
                texts = children(expression, "text")
                self.exprs.expression(column, texts[0] if texts else None, "input expression")
        for number, rule in enumerate(children(table, "rule"), start=1):
            cells = (children(rule, "inputEntry"), children(rule, "outputEntry"))
            for entries, columns, side in (
                (cells[0], inputs, ("input", "输入")),
                (cells[1], outputs, ("output", "输出")),
            ):
                if len(entries) != len(columns):
                    self.report.add(
                        "dmn_columns",
                        self.doc,
                        rule,
                        count=len(entries),
                        expected=len(columns),
                        side=side[0],
                        side_zh=side[1],
                    )
            for cell, column in zip(cells[0], inputs, strict=False):
                self.input_cell(self.where(decision, number, column), cell)
            for cell, column in zip(cells[1], outputs, strict=False):
                self.output_cell(self.where(decision, number, column), cell)

    def where(self, decision: etree._Element, number: int, column: etree._Element) -> dict:
        title = column.get("label") or column.get("name") or column.get("id") or ""
        text = label(decision)
        return {
            "what": f'rule {number}, column "{title}" of the decision "{text}"',
            "what_zh": f"决策“{text}”第 {number} 条规则的“{title}”列",
        }

    def input_cell(self, where: dict, cell: etree._Element) -> None:
        holder = _text(cell)
        text = (holder.text or "").strip() if holder is not None else ""
        if text in ("", "-"):
            return
        if text in _FEEL_LITERALS:
            holder.text = _FEEL_LITERALS[text]
            return
        suggestion = _feel_suggestion(text)
        if suggestion is not None:
            code, suggest = suggestion
            self.add(code, cell, holder, where, text=text, suggest=suggest)
            return
        refused = evaluator_check(self.evaluator, _as_python(text), "eval")
        if refused is not None:
            self.add(
                "expression_refused",
                cell,
                holder,
                where,
                role="input test",
                text=text,
                reason=refused[0],
                reason_zh=refused[1],
            )

    def output_cell(self, where: dict, cell: etree._Element) -> None:
        holder = _text(cell)
        text = (holder.text or "").strip() if holder is not None else ""
        if not text:
            return
        if text in _FEEL_LITERALS:
            holder.text = _FEEL_LITERALS[text]
            return
        refused = evaluator_check(self.evaluator, text, "eval")
        if refused is not None:
            self.add(
                "expression_refused",
                cell,
                holder,
                where,
                role="output value",
                text=text,
                reason=refused[0],
                reason_zh=refused[1],
            )

    def add(self, code: str, cell: etree._Element, holder, where: dict, **params) -> None:
        line = holder.sourceline if holder is not None else cell.sourceline
        self.report.add(code, self.doc, cell, line=line, **where, **params)


def _extras(decision: etree._Element) -> int:
    """Children of a decision that are not logic (descriptions, requirements, extensions)."""
    return len(
        [
            c
            for c in decision
            if not isinstance(c.tag, str)
            or local(c)
            in (
                "description",
                "extensionElements",
                "informationRequirement",
                "knowledgeRequirement",
                "authorityRequirement",
                "question",
                "allowedAnswers",
                "variable",
            )
        ]
    )


def _text(cell: etree._Element) -> etree._Element | None:
    found = children(cell, "text")
    return found[0] if found else None


def _feel_suggestion(text: str) -> tuple[str, str] | None:
    """(code, Python to write) for FEEL the engine would get wrong; None for plain Python."""
    match = _RANGE.match(text)
    if match:
        low = "<=" if match["open"] == "[" else "<"
        high = "<=" if match["close"] == "]" else "<"
        return "dmn_feel_range", f"{match['lo']} {low} ? {high} {match['hi']}"
    if re.match(r"^not\s*\(", text):
        inner = text[text.index("(") + 1 : text.rindex(")")] if ")" in text else text
        items = _top_level_split(inner)
        if len(items) > 1:
            return "dmn_feel_not", f"? not in [{', '.join(items)}]"
        return "dmn_feel_not", f"? != {inner.strip()}"
    items = _top_level_split(text)
    if len(items) > 1:
        return "dmn_feel_list", f"? in [{', '.join(items)}]"
    return None


def _top_level_split(text: str) -> list[str]:
    """Split on commas outside quotes and brackets."""
    items, depth, quote, current = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(current.strip())
            current = ""
            continue
        current += char
    items.append(current.strip())
    return [item for item in items if item]


def _as_python(text: str) -> str:
    """The Python the DMN engine will evaluate for an input cell (input stands in as x)."""
    if _QUESTION.search(text):
        return _QUESTION.sub("dmninputexpr", text)
    try:
        ast.parse(text, mode="eval")
        return text
    except SyntaxError:
        return f"dmninputexpr {text}"
