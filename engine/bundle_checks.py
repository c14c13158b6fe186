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

from .bundle_expressions import ExpressionChecker, evaluator_check
from .bundle_rewrite import deployed_processes
from .bundle_xml import BPMN_NS, CAMUNDA_NS, ZEEBE_NS, Document, bpmn_children, camunda, is_bpmn, local
from .deploy_messages import Report
from .juel import is_juel

_FORM_PREFIX = re.compile(r"^(embedded|camunda-forms|app|deployment|bpmn)\s*:", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EVENT_DEFINITIONS = ("messageEventDefinition", "timerEventDefinition", "errorEventDefinition",
                      "signalEventDefinition", "escalationEventDefinition",
                      "conditionalEventDefinition", "cancelEventDefinition",
                      "compensateEventDefinition", "terminateEventDefinition",
                      "linkEventDefinition")
_IMPLEMENTATIONS = (
    ("class", 'calls the Java class "{}"', "调用 Java 类“{}”"),
    ("delegateExpression", 'uses the delegate expression "{}"', "使用委托表达式“{}”"),
    ("expression", 'evaluates the Java expression "{}"', "执行 Java 表达式“{}”"),
    ("topic", 'is handed to an external worker (topic "{}")', "交给外部工作者处理（主题“{}”）"),
)
_LISTENERS = {"executionListener": ("an execution", "执行"), "taskListener": ("a task", "任务")}


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
            if etree.QName(el).namespace == ZEEBE_NS and local(el.getparent()) == "extensionElements":
                self.zeebe(el.getparent().getparent())
            elif is_bpmn(el, "extensionElements"):
                self.extensions(el)
            elif is_bpmn(el):
                handler = getattr(self, f"on_{local(el)}", None)
                if handler is not None:
                    handler(el)

    # -- elements --------------------------------------------------------------------------
    def on_serviceTask(self, el: etree._Element) -> None:
        self.add("service_task", el, **self.implementation(el))

    def on_sendTask(self, el: etree._Element) -> None:
        if self.has_implementation(el):
            self.add("service_task", el, **self.implementation(el))
        elif el.get("messageRef") is None and not bpmn_children(el, "messageEventDefinition"):
            self.add("send_no_message", el)
        elif el.get("messageRef") is not None:
            self.message_ref(el, el.get("messageRef"))

    def on_receiveTask(self, el: etree._Element) -> None:
        if el.get("messageRef") is None:
            self.add("receive_no_message", el)
        else:
            self.message_ref(el, el.get("messageRef"))

    def on_businessRuleTask(self, el: etree._Element) -> None:
        ref = camunda(el, "decisionRef")
        if ref is None:
            code = "service_task" if self.has_implementation(el) else "decision_missing"
            self.add(code, el, **self.implementation(el))
        elif "{" in ref:
            self.add("decision_dynamic", el, ref=ref)
        elif ref not in self.index.decisions:
            names = ", ".join(sorted(self.index.decisions))
            self.add("decision_not_found", el, ref=ref,
                     available=f" (uploaded: {names})" if names else "",
                     available_zh=f"（已上传：{names}）" if names else "")
        if camunda(el, "resultVariable"):
            self.add("result_variable", el, variable=camunda(el, "resultVariable"))

    def on_scriptTask(self, el: etree._Element) -> None:
        self.exprs.script(el)

    def on_userTask(self, el: etree._Element) -> None:
        self.form(el)
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
                self.add("expression_refused", el, role="assignee", text=assignee,
                         reason=refused[0], reason_zh=refused[1])

    def on_startEvent(self, el: etree._Element) -> None:
        if local(el.getparent()) == "process":
            self.form(el)
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
        if self.has_implementation(el):
            self.add("service_task", event, **self.implementation(el))
        else:
            self.message_ref(event, el.get("messageRef"))

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

    # -- helpers -----------------------------------------------------------------------------
    def extensions(self, extensions: etree._Element) -> None:
        owner = extensions.getparent()
        if is_bpmn(owner, "multiInstanceLoopCharacteristics"):
            owner = owner.getparent()
        for child in extensions:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != CAMUNDA_NS:
                continue
            if local(child) in _LISTENERS:
                kind, kind_zh = _LISTENERS[local(child)]
                self.add("listener", owner, line=child.sourceline, kind=kind, kind_zh=kind_zh)
            elif local(child) == "inputOutput":
                self.add("input_output", owner, line=child.sourceline)
            elif local(child) == "formData":
                self.add("generated_form", owner, line=child.sourceline)

    def zeebe(self, owner: etree._Element) -> None:
        if is_bpmn(owner, "multiInstanceLoopCharacteristics"):
            owner = owner.getparent()
        if owner.find(f".//{{{ZEEBE_NS}}}taskDefinition") is not None:
            return  # reported as a job the engine cannot run
        names = sorted({f"zeebe:{local(child)}" for ext in bpmn_children(owner, "extensionElements")
                        for child in ext if isinstance(child.tag, str)
                        and etree.QName(child).namespace == ZEEBE_NS})
        self.add("zeebe", owner, names=", ".join(names))

    def has_implementation(self, el: etree._Element) -> bool:
        return any(camunda(el, attr) for attr, _, _ in _IMPLEMENTATIONS) or bool(
            el.findall(f".//{{{CAMUNDA_NS}}}connector") or el.findall(f".//{{{ZEEBE_NS}}}taskDefinition")
        )

    def implementation(self, el: etree._Element) -> dict[str, str]:
        for attr, how, how_zh in _IMPLEMENTATIONS:
            if camunda(el, attr):
                return {"how": how.format(camunda(el, attr)), "how_zh": how_zh.format(camunda(el, attr))}
        connector = el.find(f".//{{{CAMUNDA_NS}}}connectorId")
        if connector is not None:
            return {"how": f'uses the connector "{connector.text}"',
                    "how_zh": f"使用连接器“{connector.text}”"}
        job = el.find(f".//{{{ZEEBE_NS}}}taskDefinition")
        if job is not None:
            return {"how": f'is a Camunda 8 job (type "{job.get("type")}")',
                    "how_zh": f"是 Camunda 8 作业（类型“{job.get('type')}”）"}
        return {"how": "has no implementation", "how_zh": "没有实现"}

    def message_ref(self, owner: etree._Element, ref: str | None) -> None:
        message = self.doc.by_id.get(ref or "")
        name = (message.get("name") or "").strip() if message is not None else ""
        if not name:
            self.add("message_unnamed", owner)
        elif "{" in name:
            self.add("message_expression", owner, text=name)

    def form(self, el: etree._Element) -> None:
        key = (camunda(el, "formKey") or camunda(el, "formRef") or "").strip()
        if not key or key in self.index.form_keys:
            return
        if _FORM_PREFIX.match(key) or "/" in key or key.endswith((".html", ".form")):
            suggest = re.sub(r"\.(html|form)$", "", re.split(r"[:/]", key)[-1]) or "my-form"
            self.add("form_prefixed", el, key=key, suggest=suggest)
        else:
            self.add("form_unknown", el, key=key)
