"""Checks of a BPMN diagram beyond what SpiffWorkflow's parser looks at.

Each check reports what a process owner must change; nothing here stops at the first
problem. Camunda 7 settings that carry behaviour the engine would silently drop (Java
delegates, listeners, variable mappings, generated forms, ...) are refused rather than
ignored, so a deployed process never does less than its diagram says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .bundle_camunda import (
    check_extensions,
    check_form,
    check_message_ref,
    check_zeebe,
    has_implementation,
    implementation,
)
from .bundle_expressions import ExpressionChecker, evaluator_check
from .bundle_rewrite import deployed_processes
from .bundle_xml import (
    BPMN_NS,
    CAMUNDA_NS,
    ZEEBE_NS,
    Document,
    bpmn_children,
    camunda,
    is_bpmn,
    local,
)
from .deploy_messages import Report
from .juel import is_juel

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EVENT_DEFINITIONS = (
    "messageEventDefinition",
    "timerEventDefinition",
    "errorEventDefinition",
    "signalEventDefinition",
    "escalationEventDefinition",
    "conditionalEventDefinition",
    "cancelEventDefinition",
    "compensateEventDefinition",
    "terminateEventDefinition",
    "linkEventDefinition",
)


def has_condition(flow: etree._Element) -> bool:
    return any((holder.text or "").strip() for holder in bpmn_children(flow, "conditionExpression"))


@dataclass
class BundleIndex:
    """What every check may refer to: processes, decisions and forms of the whole set."""

    evaluator: Any
    processes: dict[str, tuple[Document, etree._Element, bool]] = field(default_factory=dict)
    decisions: dict[str, tuple[Document, etree._Element]] = field(default_factory=dict)
    form_keys: set[str] = field(default_factory=set)


class BpmnChecker:
    """Checks one BPMN document against the index; translates its expressions in place."""

    def __init__(self, doc: Document, index: BundleIndex, report: Report) -> None:
        self.doc, self.index, self.report = doc, index, report
        self.exprs = ExpressionChecker(doc, index.evaluator, report)
        self.outgoing: dict[str, list[etree._Element]] = {}
        for flow in doc.root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            self.outgoing.setdefault(flow.get("sourceRef", ""), []).append(flow)

    def run(self) -> None:
        for process in deployed_processes(self.doc):
            self.process(process)

    def add(self, code: str, el: etree._Element, **params: object) -> None:
        self.report.add(code, self.doc, el, **params)

    def process(self, process: etree._Element) -> None:
        if not bpmn_children(process, "startEvent"):
            self.add("no_start_event", process)
        if camunda(process, "candidateStarterUsers"):
            self.add("starter_users", process)
        starters = camunda(process, "candidateStarterGroups") or ""
        if "{" in starters:
            self.add("candidate_groups_expression", process, text=starters)
        for el in process.iter():
            if not isinstance(el.tag, str):
                continue
            if (
                etree.QName(el).namespace == ZEEBE_NS
                and local(el.getparent()) == "extensionElements"
            ):
                check_zeebe(self.report, self.doc, el.getparent().getparent())
            elif is_bpmn(el, "extensionElements"):
                check_extensions(self.report, self.doc, el)
            elif is_bpmn(el):
                handler = getattr(self, f"on_{local(el)}", None)
                if handler is not None:
                    handler(el)

    # -- elements --------------------------------------------------------------------------
    def on_serviceTask(self, el: etree._Element) -> None:
        self.add("service_task", el, **implementation(el))

    def on_sendTask(self, el: etree._Element) -> None:
        if has_implementation(el):
            self.add("service_task", el, **implementation(el))
        elif el.get("messageRef") is None and not bpmn_children(el, "messageEventDefinition"):
            self.add("send_no_message", el)
        elif el.get("messageRef") is not None:
            check_message_ref(self.report, self.doc, el, el.get("messageRef"))

    def on_receiveTask(self, el: etree._Element) -> None:
        if el.get("messageRef") is None:
            self.add("receive_no_message", el)
        else:
            check_message_ref(self.report, self.doc, el, el.get("messageRef"))

    def on_businessRuleTask(self, el: etree._Element) -> None:
        ref = camunda(el, "decisionRef")
        if ref is None:
            code = "service_task" if has_implementation(el) else "decision_missing"
            self.add(code, el, **implementation(el))
        elif "{" in ref:
            self.add("decision_dynamic", el, ref=ref)
        elif ref not in self.index.decisions:
            names = ", ".join(sorted(self.index.decisions))
            self.add(
                "decision_not_found",
                el,
                ref=ref,
                available=f" (uploaded: {names})" if names else "",
                available_zh=f"（已上传：{names}）" if names else "",
            )
        if camunda(el, "resultVariable"):
            self.add("result_variable", el, variable=camunda(el, "resultVariable"))

    def on_scriptTask(self, el: etree._Element) -> None:
        self.exprs.script(el)

    def on_userTask(self, el: etree._Element) -> None:
        check_form(self.report, self.doc, el, self.index.form_keys)
        groups = camunda(el, "candidateGroups") or ""
        if "{" in groups:
            self.add("candidate_groups_expression", el, text=groups)
        if camunda(el, "candidateUsers"):
            self.add("candidate_users", el)
        assignee = (camunda(el, "assignee") or "").strip()
        if is_juel(assignee):
            python = self.exprs.to_python(el, assignee, "assignee", el.sourceline)
            refused = python and evaluator_check(self.index.evaluator, python, "eval")
            if refused:
                self.add(
                    "expression_refused",
                    el,
                    role="assignee",
                    text=assignee,
                    reason=refused[0],
                    reason_zh=refused[1],
                )

    def on_startEvent(self, el: etree._Element) -> None:
        if local(el.getparent()) == "process":
            check_form(self.report, self.doc, el, self.index.form_keys)
            if camunda(el, "initiator"):
                self.add("initiator", el, variable=camunda(el, "initiator"))

    def on_callActivity(self, el: etree._Element) -> None:
        ref = el.get("calledElement")
        if camunda(el, "caseRef"):
            self.add("case_ref", el)
        elif not ref:
            self.add("called_unset", el)
        elif "{" in ref:
            self.add("called_dynamic", el, ref=ref)
        elif ref not in self.index.processes:
            self.add("called_missing", el, ref=ref)
        elif not self.index.processes[ref][2]:
            self.add("called_not_executable", el, ref=ref)
        for mapping in el.iter(f"{{{CAMUNDA_NS}}}in", f"{{{CAMUNDA_NS}}}out"):
            if mapping.get("variables") != "all":
                self.add("variable_mapping", el)
                break

    def on_subProcess(self, el: etree._Element) -> None:
        starts = bpmn_children(el, "startEvent")
        if len(starts) != 1:
            self.add("subprocess_start", el, count=len(starts))
        if not bpmn_children(el, "endEvent"):
            self.add("subprocess_end", el)

    on_transaction = on_subProcess

    def on_complexGateway(self, el: etree._Element) -> None:
        self.add("complex_gateway", el)

    def on_adHocSubProcess(self, el: etree._Element) -> None:
        self.add("adhoc_subprocess", el)

    def on_compensateEventDefinition(self, el: etree._Element) -> None:
        self.add("compensation", el.getparent(), line=el.sourceline)

    def on_boundaryEvent(self, el: etree._Element) -> None:
        if not any(local(child) in _EVENT_DEFINITIONS for child in el):
            self.add("boundary_no_event", el)

    def on_messageEventDefinition(self, el: etree._Element) -> None:
        event = el.getparent()
        if has_implementation(el):
            self.add("service_task", event, **implementation(el))
        else:
            check_message_ref(self.report, self.doc, event, el.get("messageRef"))

    def on_timerEventDefinition(self, el: etree._Element) -> None:
        self.exprs.timer(el.getparent(), el)

    def on_conditionalEventDefinition(self, el: etree._Element) -> None:
        holders = bpmn_children(el, "condition")
        self.exprs.expression(el.getparent(), holders[0] if holders else None, "condition")

    def on_sequenceFlow(self, el: etree._Element) -> None:
        for end in ("sourceRef", "targetRef"):
            if el.get(end) not in self.doc.by_id:
                self.add("flow_dangling", el, ref=el.get(end) or "")
        for holder in bpmn_children(el, "conditionExpression"):
            if not (holder.text or "").strip():
                el.remove(holder)  # an empty condition is drawn as no condition at all
            elif self.exprs.condition_language(el, holder):
                self.exprs.expression(el, holder, "condition")

    def on_exclusiveGateway(self, el: etree._Element) -> None:
        leaving = self.outgoing.get(el.get("id", ""), [])
        if len(leaving) < 2:
            return
        gateway, gateway_zh = self.doc.describe(el)
        for flow in leaving:
            if flow.get("id") != el.get("default") and not has_condition(flow):
                self.add("flow_needs_condition", flow, gateway=gateway, gateway_zh=gateway_zh)

    on_inclusiveGateway = on_exclusiveGateway

    def on_multiInstanceLoopCharacteristics(self, el: etree._Element) -> None:
        activity = el.getparent()
        collection = (camunda(el, "collection") or "").strip()
        cardinality = bpmn_children(el, "loopCardinality")
        if collection:
            name = collection[2:-1].strip() if is_juel(collection) else collection
            if _IDENTIFIER.match(name):
                el.set(f"{{{CAMUNDA_NS}}}collection", name)
            else:
                self.add("mi_collection_name", activity, line=el.sourceline, text=collection)
        elif cardinality:
            self.exprs.expression(activity, cardinality[0], "loop cardinality")
        else:
            self.add("mi_no_collection", activity, line=el.sourceline)
        for holder in bpmn_children(el, "completionCondition"):
            self.exprs.expression(activity, holder, "completion condition", required=False)

    def on_standardLoopCharacteristics(self, el: etree._Element) -> None:
        holders = bpmn_children(el, "loopCondition")
        if holders and (holders[0].text or "").strip():
            self.exprs.expression(el.getparent(), holders[0], "loop condition")
        elif el.get("loopMaximum") is None:
            self.add("loop_no_condition", el.getparent(), line=el.sourceline)


def check_call_cycles(index: BundleIndex, report: Report) -> None:
    """A process that calls itself, directly or through others, never finishes: refuse it."""
    calls: dict[str, list[etree._Element]] = {}
    for key, (_doc, process, deployed) in index.processes.items():
        if deployed:
            calls[key] = list(process.iter(f"{{{BPMN_NS}}}callActivity"))
    for start in calls:
        path, todo = {start: [start]}, [start]
        while todo:
            current = todo.pop()
            for call in calls.get(current, []):
                target = call.get("calledElement", "")
                if target == start:
                    doc = index.processes[current][0]
                    through = " → ".join([*path[current], start])
                    report.add("call_cycle", doc, call, ref=target, path=through)
                elif target in calls and target not in path:
                    path[target] = [*path[current], target]
                    todo.append(target)
