"""Checks of Camunda-specific settings: implementations, listeners, messages and forms.

Camunda 7 attaches behaviour to elements through extension settings; the engine runs none of
it, so each one is reported with what to draw instead. Camunda 8 (Zeebe) settings are named as
such, since the fix is to open the diagram as a Camunda 7 one.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml import etree

from .bundle_xml import CAMUNDA_NS, ZEEBE_NS, Document, bpmn_children, camunda, is_bpmn, local
from .deploy_messages import Report

_FORM_PREFIX = re.compile(r"^(embedded|camunda-forms|app|deployment|bpmn)\s*:", re.IGNORECASE)
_IMPLEMENTATIONS = (
    ("class", 'calls the Java class "{}"', "调用 Java 类“{}”"),
    ("delegateExpression", 'uses the delegate expression "{}"', "使用委托表达式“{}”"),
    ("expression", 'evaluates the Java expression "{}"', "执行 Java 表达式“{}”"),
    ("topic", 'is handed to an external worker (topic "{}")', "交给外部工作者处理（主题“{}”）"),
)
_LISTENERS = {"executionListener": ("an execution", "执行"), "taskListener": ("a task", "任务")}


def has_implementation(el: etree._Element) -> bool:
    """Whether Camunda 7 or 8 would run `el` through code outside the diagram."""
    return any(camunda(el, attr) for attr, _, _ in _IMPLEMENTATIONS) or bool(
        el.findall(f".//{{{CAMUNDA_NS}}}connector")
        or el.findall(f".//{{{ZEEBE_NS}}}taskDefinition")
    )


def implementation(el: etree._Element) -> dict[str, str]:
    """How `el` is implemented, as the {how}/{how_zh} part of the service_task message."""
    for attr, how, how_zh in _IMPLEMENTATIONS:
        if camunda(el, attr):
            return {
                "how": how.format(camunda(el, attr)),
                "how_zh": how_zh.format(camunda(el, attr)),
            }
    connector = el.find(f".//{{{CAMUNDA_NS}}}connectorId")
    if connector is not None:
        return {
            "how": f'uses the connector "{connector.text}"',
            "how_zh": f"使用连接器“{connector.text}”",
        }
    job = el.find(f".//{{{ZEEBE_NS}}}taskDefinition")
    if job is not None:
        return {
            "how": f'is a Camunda 8 job (type "{job.get("type")}")',
            "how_zh": f"是 Camunda 8 作业（类型“{job.get('type')}”）",
        }
    return {"how": "has no implementation", "how_zh": "没有实现"}


def check_extensions(report: Report, doc: Document, extensions: etree._Element) -> None:
    """Listeners, input/output mappings and generated forms in one extensionElements."""
    owner = extensions.getparent()
    if is_bpmn(owner, "multiInstanceLoopCharacteristics"):
        owner = owner.getparent()
    for child in extensions:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != CAMUNDA_NS:
            continue
        if local(child) in _LISTENERS:
            kind, kind_zh = _LISTENERS[local(child)]
            report.add("listener", doc, owner, line=child.sourceline, kind=kind, kind_zh=kind_zh)
        elif local(child) == "inputOutput":
            report.add("input_output", doc, owner, line=child.sourceline)
        elif local(child) == "formData":
            report.add("generated_form", doc, owner, line=child.sourceline)


def check_zeebe(report: Report, doc: Document, owner: etree._Element) -> None:
    """One problem per element that carries Camunda 8 settings."""
    if is_bpmn(owner, "multiInstanceLoopCharacteristics"):
        owner = owner.getparent()
    if owner.find(f".//{{{ZEEBE_NS}}}taskDefinition") is not None:
        return  # reported as a job the engine cannot run
    names = sorted(
        {
            f"zeebe:{local(child)}"
            for ext in bpmn_children(owner, "extensionElements")
            for child in ext
            if isinstance(child.tag, str) and etree.QName(child).namespace == ZEEBE_NS
        }
    )
    report.add("zeebe", doc, owner, names=", ".join(names))


def check_message_ref(
    report: Report, doc: Document, owner: etree._Element, ref: str | None
) -> None:
    """Messages travel between processes by name, so the referenced message needs one."""
    message = doc.by_id.get(ref or "")
    name = (message.get("name") or "").strip() if message is not None else ""
    if not name:
        report.add("message_unnamed", doc, owner)
    elif "{" in name:
        report.add("message_expression", doc, owner, text=name)


def check_form(
    report: Report, doc: Document, el: etree._Element, form_keys: Collection[str]
) -> None:
    """A form key must name a form-js form uploaded now or deployed before."""
    key = (camunda(el, "formKey") or camunda(el, "formRef") or "").strip()
    if not key or key in form_keys:
        return
    if _FORM_PREFIX.match(key) or "/" in key or key.endswith((".html", ".form")):
        suggest = re.sub(r"\.(html|form)$", "", re.split(r"[:/]", key)[-1]) or "my-form"
        report.add("form_prefixed", doc, el, key=key, suggest=suggest)
    else:
        report.add("form_unknown", doc, el, key=key)
