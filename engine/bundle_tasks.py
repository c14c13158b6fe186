"""Who does each waiting task, read from the diagram (SpiffWorkflow reads none of it).

A user, manual or plain task is described by a TaskMeta, keyed by the task spec name the
engine reports for its READY task (for a multi-instance or loop task that is the inner
"<id> [child]" spec).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .bundle_xml import BPMN_NS, CAMUNDA_NS, Document, bpmn_children, camunda, is_bpmn, label
from .deploy_messages import Report
from .juel import JuelUnsupported, is_juel, translate

_ROLE_LIKE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class TaskMeta:
    """One user task / manual task / plain task the engine will wait on."""

    spec_name: str  # the SpiffWorkflow task spec name (the element id)
    name: str  # as drawn (fallback: id)
    name_en: str | None  # <camunda:property name="name_en" value="..."/>
    form_key: str | None  # camunda:formKey (or camunda:formRef)
    roles: tuple[str, ...]  # camunda:candidateGroups, else the lane's name if it is a role key
    assignee: str | None  # camunda:assignee as a literal user name
    assignee_expr: str | None  # camunda:assignee written as ${expr}, translated to Python
    lane: str | None
    line: int | None


def property_value(el: etree._Element, name: str) -> str | None:
    """The value of <camunda:property name=...> in the element's own extension elements."""
    for extensions in bpmn_children(el, "extensionElements"):
        for prop in extensions.iter(f"{{{CAMUNDA_NS}}}property"):
            if prop.get("name") == name:
                return prop.get("value")
    return None


def element_properties(el: etree._Element) -> dict[str, str]:
    """Every <camunda:property> in the element's own extension elements but `name_en`."""
    found = {}
    for extensions in bpmn_children(el, "extensionElements"):
        for prop in extensions.iter(f"{{{CAMUNDA_NS}}}property"):
            name = prop.get("name")
            if name and name != "name_en":
                found[name] = prop.get("value") or ""
    return found


def lane_names(doc: Document) -> dict[str, str]:
    """Element id -> name of the innermost lane that lists it."""
    lanes: dict[str, str] = {}
    for lane in doc.root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in bpmn_children(lane, "flowNodeRef"):
            if ref.text:
                lanes[ref.text.strip()] = " ".join((lane.get("name") or "").split())
    return lanes


def task_meta(
    el: etree._Element, spec_name: str, lanes: dict[str, str], role_keys: Collection[str] | None
) -> TaskMeta:
    """Describe one waiting task drawn as `el`."""
    lane = None
    for node in (el, *el.iterancestors()):
        if node.get("id") in lanes:
            lane = lanes[node.get("id")] or None
            break
    groups = tuple(
        g.strip() for g in (camunda(el, "candidateGroups") or "").split(",") if g.strip()
    )
    if (
        not groups
        and lane
        and (lane in role_keys if role_keys is not None else _ROLE_LIKE.match(lane))
    ):
        groups = (lane,)
    assignee = (camunda(el, "assignee") or "").strip() or None
    assignee_expr = None
    if assignee and is_juel(assignee):
        try:
            assignee, assignee_expr = None, translate(assignee)
        except JuelUnsupported:  # already reported by the checks
            assignee = None
    return TaskMeta(
        spec_name=spec_name,
        name=label(el),
        name_en=property_value(el, "name_en"),
        form_key=(camunda(el, "formKey") or camunda(el, "formRef") or "").strip() or None,
        roles=groups,
        assignee=assignee,
        assignee_expr=assignee_expr,
        lane=lane,
        line=el.sourceline,
    )


def collect_tasks(
    specs: list[Any], docs: dict[str, Document], report: Report, role_keys: Collection[str] | None
) -> dict[str, TaskMeta]:
    """TaskMeta for every waiting task in `specs` (a process and the processes it uses)."""
    tasks: dict[str, TaskMeta] = {}
    where: dict[str, tuple[Document, etree._Element, str]] = {}
    lanes = {name: lane_names(doc) for name, doc in docs.items()}
    for spec in specs:
        doc = docs.get(spec.file)
        if doc is None:
            continue
        for task_spec in spec.task_specs.values():
            el = doc.by_id.get(getattr(task_spec, "bpmn_id", None) or "")
            if not getattr(task_spec, "manual", False) or el is None or not is_bpmn(el):
                continue
            earlier = where.get(task_spec.name)
            if earlier is not None and earlier[1] is not el:
                report.add(
                    "duplicate_task_id",
                    doc,
                    el,
                    id=el.get("id"),
                    process=earlier[2],
                    other=earlier[0].filename,
                    other_line=earlier[1].sourceline,
                )
                continue
            where[task_spec.name] = (doc, el, spec.name)
            tasks[task_spec.name] = task_meta(el, task_spec.name, lanes[doc.filename], role_keys)
    return tasks
