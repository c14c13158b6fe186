"""Reading uploaded diagram files safely, and naming their elements for people.

Uploads are untrusted: no DTDs, no entities, no network, bounded size, depth and element
count. Every element keeps its line (lxml ``sourceline``) so a problem can point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
DMN_NAMESPACES = (
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
)
NSMAP = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ELEMENTS = 50_000
# libxml2 refuses deeper trees unless huge_tree is on; 256 levels is plenty for BPMN.
_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "remove_pis": True,
}
_PROLOG_ITEM = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->)", re.DOTALL)

# What each element is called in a sentence, in English and Chinese.
KINDS: dict[str, tuple[str, str]] = {
    "process": ("process", "流程"),
    "userTask": ("user task", "用户任务"),
    "manualTask": ("manual task", "手工任务"),
    "task": ("task", "任务"),
    "serviceTask": ("service task", "服务任务"),
    "sendTask": ("send task", "发送任务"),
    "receiveTask": ("receive task", "接收任务"),
    "scriptTask": ("script task", "脚本任务"),
    "businessRuleTask": ("business rule task", "业务规则任务"),
    "callActivity": ("call activity", "调用活动"),
    "subProcess": ("sub-process", "子流程"),
    "transaction": ("transaction", "事务子流程"),
    "adHocSubProcess": ("ad-hoc sub-process", "临时子流程"),
    "exclusiveGateway": ("gateway", "排他网关"),
    "inclusiveGateway": ("inclusive gateway", "包容网关"),
    "parallelGateway": ("parallel gateway", "并行网关"),
    "eventBasedGateway": ("event-based gateway", "事件网关"),
    "complexGateway": ("complex gateway", "复杂网关"),
    "startEvent": ("start event", "开始事件"),
    "endEvent": ("end event", "结束事件"),
    "intermediateCatchEvent": ("intermediate event", "中间事件"),
    "intermediateThrowEvent": ("intermediate event", "中间事件"),
    "boundaryEvent": ("boundary event", "边界事件"),
    "sequenceFlow": ("flow", "连线"),
    "message": ("message", "消息"),
    "dataStore": ("data store", "数据存储"),
    "decision": ("decision", "决策"),
    "decisionTable": ("decision table", "决策表"),
    "inputEntry": ("rule cell", "规则单元格"),
    "outputEntry": ("rule cell", "规则单元格"),
    "input": ("input column", "输入列"),
    "output": ("output column", "输出列"),
}


class XmlRejected(Exception):
    """The file cannot be read as XML at all; `code` names the message, `line` where."""

    def __init__(self, code: str, line: int | None = None, **params: object) -> None:
        super().__init__(code)
        self.code, self.line, self.params = code, line, params


def load_xml(raw: bytes) -> etree._Element:
    """Parse untrusted XML bytes into an element tree, or raise XmlRejected."""
    if len(raw) > MAX_FILE_BYTES:
        raise XmlRejected("file_too_large", None, limit_mb=MAX_FILE_BYTES // (1024 * 1024))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    declaration = _declaration_offset(raw)
    if declaration is not None:
        raise XmlRejected("doctype", _line_of(raw, declaration))
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise XmlRejected("not_utf8", _line_of(raw, err.start)) from None
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as err:
        raise XmlRejected("not_xml", err.lineno or 1, detail=_plain(err.msg)) from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        raise XmlRejected("doctype", 1)
    for count, _ in enumerate(root.iter(), start=1):
        if count > MAX_ELEMENTS:
            raise XmlRejected("too_many_elements", None, limit=MAX_ELEMENTS)
    return root


def _declaration_offset(raw: bytes) -> int | None:
    """Where a <!DOCTYPE ...> (with its entities) starts before the root element, if any."""
    position = 0
    while match := _PROLOG_ITEM.match(raw, position):
        position = match.end()
    rest = raw[position:].lstrip()
    return len(raw) - len(rest) if rest.startswith(b"<!") else None


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, max(offset, 0)) + 1


def _plain(text: str | None) -> str:
    """libxml2's message without its trailing '(<string>, line N)' location."""
    return re.sub(r"\s*\(<string>, line \d+\)\s*$", "", text or "").strip()


def local(el: etree._Element) -> str:
    """The tag without its namespace ('userTask')."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def is_bpmn(el: etree._Element, *names: str) -> bool:
    return (
        isinstance(el.tag, str)
        and etree.QName(el).namespace == BPMN_NS
        and (not names or local(el) in names)
    )


def camunda(el: etree._Element, attribute: str) -> str | None:
    return el.get(f"{{{CAMUNDA_NS}}}{attribute}")


def bpmn_children(el: etree._Element, *names: str) -> list[etree._Element]:
    return [child for child in el if is_bpmn(child, *names)]


def label(el: etree._Element) -> str:
    """The element as a person sees it on the diagram: its name, else its id."""
    name = " ".join((el.get("name") or "").split())
    return name or el.get("id") or local(el)


@dataclass
class Document:
    """One uploaded BPMN or DMN file: its tree and an index of elements by id."""

    filename: str
    text: str
    root: etree._Element
    by_id: dict[str, etree._Element] = field(default_factory=dict)
    duplicates: list[etree._Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Only the model's own elements: vendor extensions reuse ids for other purposes.
        namespace = etree.QName(self.root).namespace
        for el in self.root.iter(f"{{{namespace}}}*"):
            el_id = el.get("id")
            if el_id is None:
                continue
            if el_id in self.by_id:
                self.duplicates.append(el)
            else:
                self.by_id[el_id] = el

    def describe(self, el: etree._Element) -> tuple[str, str]:
        """('the user task "Approve"', '用户任务“Approve”'); flows also name their ends."""
        kind, kind_zh = KINDS.get(local(el), ("element", "元素"))
        text = label(el)
        if local(el) == "sequenceFlow" and not (el.get("name") or "").strip():
            source, target = (
                self.by_id.get(el.get("sourceRef", "")),
                self.by_id.get(el.get("targetRef", "")),
            )
            if source is not None and target is not None:
                ends = (label(source), label(target))
                return (
                    f'the flow "{text}" from "{ends[0]}" to "{ends[1]}"',
                    f"从“{ends[0]}”到“{ends[1]}”的连线“{text}”",
                )
        return f'the {kind} "{text}"', f"{kind_zh}“{text}”"
