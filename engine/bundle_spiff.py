"""Running SpiffWorkflow's Camunda parser over checked documents, in words for people.

SpiffWorkflow's exceptions carry an element id but no line, and about a quarter of its
messages are unfit for a person (reprs, XML dumps, KeyError). Everything raised here is
caught and turned into a sentence naming the element and its line; the library's own text
is never shown.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_CONFIG

from .bundle_rewrite import original_id
from .bundle_xml import Document, label, local
from .deploy_messages import Report

_GENERIC = (
    "the engine could not read its settings.",
    "引擎无法读取它的设置。",
    "Check this element's settings in the properties panel, or draw it again.",
    "请在属性面板中检查该元素的设置，或重新绘制它。",
)
# SpiffWorkflow message (start) -> (reason, reason_zh, advice, advice_zh)
_KNOWN: list[tuple[str, tuple[str, str, str, str]]] = [
    (
        r"There is no support implemented",
        (
            "the engine does not support this kind of element.",
            "引擎不支持这种元素。",
            "Replace it with a task, user task, script task, gateway or event.",
            "请改用任务、用户任务、脚本任务、网关或事件。",
        ),
    ),
    (
        r"Multiple outgoing flows are not supported",
        (
            "it has several outgoing flows.",
            "它有多条流出连线。",
            "Add a gateway after it and connect the flows to the gateway.",
            "请在其后添加网关，并把这些连线接到网关上。",
        ),
    ),
    (
        r"When looking for a task spec",
        (
            "one of its flows leads to an element that is not in the diagram.",
            "它的某条连线指向图中不存在的元素。",
            "Reconnect or delete that flow.",
            "请重新连接或删除该连线。",
        ),
    ),
    (
        r"Non-default exclusive outgoing sequence flow without condition",
        (
            "this flow leaves a gateway without a condition and is not its default flow.",
            "该连线从网关引出，但既没有条件也不是默认连线。",
            "Give it a condition, or mark it as the default flow.",
            "请为它设置条件，或设为默认连线。",
        ),
    ),
    (
        r"Cancel Events may only be used with transactions",
        (
            "a cancel event can only be attached to a transaction.",
            "取消事件只能附加在事务子流程上。",
            "Attach it to a transaction sub-process, or use an error event.",
            "请把它附加到事务子流程上，或改用错误事件。",
        ),
    ),
    (
        r"Expected an? (\w+) node|TypeError\(.*raise_validation_exception",
        (
            "it refers to a message, signal, error or escalation that is not defined in this file.",
            "它引用的消息、信号、错误或升级在本文件中未定义。",
            "Choose one that exists in the properties panel.",
            "请在属性面板中选择一个已定义的。",
        ),
    ),
    (
        r"Correlation|correlation",
        (
            "its message correlation is incomplete.",
            "它的消息关联设置不完整。",
            "Give every correlation property a retrieval expression for each message.",
            "请为每个关联属性针对每条消息设置取值表达式。",
        ),
    ),
    (
        r"No start event found|Exactly one start event",
        (
            "it has no usable start event.",
            "它没有可用的开始事件。",
            "Add one plain start event where it begins.",
            "请在开始处添加一个普通开始事件。",
        ),
    ),
    (
        r"Unsupported Catch Event",
        (
            "it has no trigger.",
            "它没有触发条件。",
            "Choose what it waits for (timer, message, error, ...) or delete it.",
            "请选择它等待的内容（定时器、消息、错误等），或删除它。",
        ),
    ),
]


def engine_specs(
    bpmn: list[Document], dmn: list[Document], keys: dict[str, Document], report: Report
) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Parse every process in `keys` with SpiffWorkflow; return key -> (spec, subprocess specs)."""
    parser = CamundaParser()
    docs = bpmn + dmn
    for doc in dmn:
        guarded_parse(
            report,
            docs,
            doc,
            doc.root,
            lambda d=doc: parser.add_dmn_xml(d.root, filename=d.filename),
        )
    for doc in bpmn:
        guarded_parse(
            report,
            docs,
            doc,
            doc.root,
            lambda d=doc: parser.add_bpmn_xml(d.root, filename=d.filename),
        )
    if report:
        return {}
    registry = BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG)
    specs: dict[str, tuple[Any, dict[str, Any]]] = {}
    for key, doc in keys.items():
        process = doc.by_id[key]

        def build(key: str = key) -> tuple[Any, dict[str, Any]]:
            spec = parser.get_spec(key)
            subprocesses = parser.get_subprocess_specs(key)
            BpmnWorkflow(spec, subprocesses)  # predicts the task tree: finds loops it cannot follow
            registry.convert(spec)  # the storage layer must be able to save it
            for sub in subprocesses.values():
                registry.convert(sub)
            return spec, subprocesses

        result = guarded_parse(report, docs, doc, process, build)
        if result is not None:
            specs[key] = result
    return specs


def guarded_parse(
    report: Report, docs: list[Document], doc: Document, fallback: etree._Element, call
):
    """Run `call`; turn anything it raises into a problem about the element it names."""
    try:
        return call()
    except RecursionError:
        report.add("engine_loop", doc, fallback, process=_process_label(fallback))
    except ValidationException as exc:
        _report_validation(report, docs, doc, fallback, exc)
    except Exception as exc:  # noqa: BLE001 - the library also raises KeyError, TypeError...
        reason, reason_zh, advice, advice_zh = _explain(exc)
        report.add(
            "engine_refused",
            doc,
            fallback,
            reason=reason,
            reason_zh=reason_zh,
            advice=advice,
            advice_zh=advice_zh,
        )
    return None


def _report_validation(
    report: Report,
    docs: list[Document],
    doc: Document,
    fallback: etree._Element,
    exc: ValidationException,
) -> None:
    element_id = original_id(getattr(exc, "id", None) or None)
    owner, el = doc, None
    for candidate in [d for d in docs if d.filename == getattr(exc, "file_name", "")] + docs:
        if element_id and element_id in candidate.by_id:
            owner, el = candidate, candidate.by_id[element_id]
            break
    el = el if el is not None else fallback
    if str(exc.args[0] if exc.args else "").startswith("RecursionError"):
        # the parser wraps its own RecursionError: the path through the diagram is too long
        report.add("engine_loop", owner, el, process=_process_label(el))
        return
    reason, reason_zh, advice, advice_zh = _explain(exc)
    report.add(
        "engine_refused",
        owner,
        el,
        reason=reason,
        reason_zh=reason_zh,
        advice=advice,
        advice_zh=advice_zh,
    )


def _process_label(el: etree._Element) -> str:
    """The name of the top-level process an element belongs to."""
    for node in (el, *el.iterancestors()):
        if local(node) == "process":
            return label(node)
    return label(el)


def _explain(exc: BaseException) -> tuple[str, str, str, str]:
    text = str(exc.args[0]) if exc.args else ""
    for pattern, sentences in _KNOWN:
        if re.search(pattern, text):
            return sentences
    return _GENERIC
