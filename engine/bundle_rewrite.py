"""Rewrites of the tree handed to SpiffWorkflow, so it runs what the diagram means.

Each rewrite keeps BPMN semantics and only changes how the diagram is drawn:
- a process marked not executable is deployed when its file has no executable process at
  all (bpmn-js and most modelers leave the flag off by default, so uploading it is the
  owner's intent); in a file that has executable processes, the others are partner pools
  and are skipped, as Camunda 7 does;
- data objects, data stores and I/O specifications are documentation, as in Camunda 7: the
  engine keeps all case data in the task data, so their associations are removed;
- link events become a flow from the throwing to the catching event;
- several flows leaving an activity or event become a gateway after it (parallel when
  unconditional, inclusive when conditional) and several flows entering one become an
  exclusive merge before it: SpiffWorkflow refuses the first and loops forever on the second.
"""

from __future__ import annotations

from lxml import etree

from .bundle_xml import BPMN_NS, Document, bpmn_children, is_bpmn, local
from .deploy_messages import Report

SYNTHETIC = "__aftersales_"  # marks ids of elements added here; see original_id()
_DOCUMENTATION_ONLY = (
    "dataInputAssociation",
    "dataOutputAssociation",
    "ioSpecification",
    "dataStoreReference",
    "property",
)
_SCOPES = ("process", "subProcess", "transaction", "adHocSubProcess")
_NOT_MERGED = (
    "startEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
    "complexGateway",
)


def deployed_processes(doc: Document) -> list[etree._Element]:
    """The top-level processes of `doc` to deploy (see the module docstring)."""
    processes = bpmn_children(doc.root, "process")
    marked = [p for p in processes if p.get("isExecutable", "true") != "false"]
    return marked or processes


def original_id(element_id: str | None) -> str | None:
    """The id of the drawn element an added element stands for."""
    if element_id and SYNTHETIC in element_id:
        return element_id.split(SYNTHETIC, 1)[0]
    return element_id


def rewrite(doc: Document, report: Report) -> None:
    """Apply every rewrite to `doc.root` in place; unmatched links are reported."""
    for process in deployed_processes(doc):
        process.set("isExecutable", "true")
    for el in list(doc.root.iter()):
        if is_bpmn(el, *_DOCUMENTATION_ONLY) or is_bpmn(el, "dataStore"):
            el.getparent().remove(el)
    for scope in [el for el in doc.root.iter() if is_bpmn(el, *_SCOPES)]:
        _join_links(doc, scope, report)
    for scope in [el for el in doc.root.iter() if is_bpmn(el, *_SCOPES)]:
        _make_gateways_explicit(scope)


def _link_name(event: etree._Element) -> str | None:
    for definition in bpmn_children(event, "linkEventDefinition"):
        return (definition.get("name") or event.get("name") or "").strip() or None
    return None


def _join_links(doc: Document, scope: etree._Element, report: Report) -> None:
    catches = {}
    for event in bpmn_children(scope, "intermediateCatchEvent"):
        name = _link_name(event)
        if name is not None:
            catches[name] = event
    for event in bpmn_children(scope, "intermediateThrowEvent"):
        name = _link_name(event)
        if name is None:
            continue
        target = catches.get(name)
        if target is None:
            report.add("link_unmatched", doc, event, link=name)
            continue
        _add_flow(scope, event.get("id"), target.get("id"), f"{event.get('id')}{SYNTHETIC}link")
    for event in bpmn_children(scope, "intermediateThrowEvent", "intermediateCatchEvent"):
        for definition in bpmn_children(event, "linkEventDefinition"):
            event.remove(definition)


def _add_flow(scope: etree._Element, source: str, target: str, flow_id: str) -> etree._Element:
    flow = etree.SubElement(scope, f"{{{BPMN_NS}}}sequenceFlow")
    flow.set("id", flow_id)
    flow.set("sourceRef", source)
    flow.set("targetRef", target)
    return flow


def _make_gateways_explicit(scope: etree._Element) -> None:
    flows = bpmn_children(scope, "sequenceFlow")
    nodes = {el.get("id"): el for el in scope if is_bpmn(el) and el.get("id")}
    incoming: dict[str, list[etree._Element]] = {}
    outgoing: dict[str, list[etree._Element]] = {}
    for flow in flows:
        incoming.setdefault(flow.get("targetRef", ""), []).append(flow)
        outgoing.setdefault(flow.get("sourceRef", ""), []).append(flow)
    for node_id, entering in incoming.items():
        node = nodes.get(node_id)
        if node is None or len(entering) < 2 or local(node) in _NOT_MERGED:
            continue
        if any(local(nodes.get(f.get("sourceRef"), node)) == "eventBasedGateway" for f in entering):
            continue  # the events behind an event-based gateway must follow it directly
        merge_id = f"{node_id}{SYNTHETIC}merge"
        etree.SubElement(scope, f"{{{BPMN_NS}}}exclusiveGateway").set("id", merge_id)
        for flow in entering:
            flow.set("targetRef", merge_id)
        _add_flow(scope, merge_id, node_id, f"{merge_id}_flow")
    for node_id, leaving in outgoing.items():
        node = nodes.get(node_id)
        if node is None or len(leaving) < 2 or local(node).endswith("Gateway"):
            continue
        conditional = any(bpmn_children(flow, "conditionExpression") for flow in leaving)
        kind = "inclusiveGateway" if conditional or node.get("default") else "parallelGateway"
        split_id = f"{node_id}{SYNTHETIC}split"
        split = etree.SubElement(scope, f"{{{BPMN_NS}}}{kind}")
        split.set("id", split_id)
        if node.get("default"):
            split.set("default", node.attrib.pop("default"))
        for flow in leaving:
            flow.set("sourceRef", split_id)
            if (
                kind == "inclusiveGateway"
                and flow.get("id") != split.get("default")
                and not bpmn_children(flow, "conditionExpression")
            ):
                # an unconditional flow out of an activity is always taken
                etree.SubElement(flow, f"{{{BPMN_NS}}}conditionExpression").text = "True"
        _add_flow(scope, node_id, split_id, f"{split_id}_flow")
