"""Write a BPMN process with a tidy drawing from tables of nodes and flows.

A process is a `Diagram`: role lanes are rows, columns are steps from left to right, edges are
orthogonal. Each process has its table module next to this one (customer_request.py, ...);
`layout.py` writes them all. The committed .bpmn files are what the engine deploys; these
tables only keep their drawings tidy and their dialect uniform (Camunda 7 attributes, roles on
lanes, `name_en` and the app's step properties as <camunda:property>).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

DIAGRAMS = Path(__file__).resolve().parents[1]

COL_W = 160
LANE_H = 150
POOL_X = 100
POOL_Y = 60
POOL_HEADER = 30
FIRST_COL_X = POOL_X + POOL_HEADER + 90  # centre of column 0
SIZES = {
    "start": (36, 36),
    "end": (36, 36),
    "timer": (36, 36),
    "boundary": (36, 36),
    "milestone": (36, 36),
    "xor": (50, 50),
    "and": (50, 50),
    "user": (100, 80),
    "rule": (100, 80),
    "call": (100, 80),
}
TAGS = {
    "start": "startEvent",
    "end": "endEvent",
    "timer": "intermediateCatchEvent",
    "boundary": "boundaryEvent",
    "milestone": "intermediateThrowEvent",
    "user": "userTask",
    "rule": "businessRuleTask",
    "call": "callActivity",
    "subprocess": "subProcess",
    "xor": "exclusiveGateway",
    "and": "parallelGateway",
}


@dataclass(frozen=True)
class Lane:
    key: str  # the role key: the lane's `role` property and its tasks' candidateGroups
    name: str  # the role's display name
    name_en: str
    height: float = LANE_H
    # False for a lane of people named per case (tasks there carry an assignee, no role)
    role: bool = True


@dataclass
class Node:
    id: str
    kind: str  # a key of TAGS
    name: str
    name_en: str
    lane: str
    col: float
    form: str | None = None
    groups: str | None = None  # candidateGroups; defaults to the lane's role
    assignee: str | None = None
    decision: str | None = None
    called: str | None = None  # a call activity's process (all variables in and out)
    label_at: str = "below"  # where a gateway or event label goes: below, above, above_left
    # <camunda:property> pairs besides name_en (effect, sla_*: read by the application)
    properties: tuple[tuple[str, str], ...] = ()
    timer: tuple[str, str] | None = None  # (timeDate | timeDuration, text)
    attached_to: str | None = None  # a boundary event's activity
    edge: str = "bottom"  # the activity edge a boundary event sits on: bottom or top
    offset: float = -25  # x of a boundary event's centre from its task's centre
    at_col: float | None = None  # ... or its column (on a sub-process)
    y: float | None = None  # centre below the lane's top; default: the lane's middle
    parent: str | None = None  # the embedded sub-process it is drawn and runs in
    # an expanded sub-process: (left column, right column, top, bottom below the lane's top)
    box: tuple[float, float, float, float] | None = None
    # a parallel multi-instance activity: (collection variable, element variable)
    each: tuple[str, str] | None = None


@dataclass
class Flow:
    source: str
    target: str
    name: str | None = None
    name_en: str | None = None
    condition: str | None = None
    default: bool = False
    route: str = "auto"  # auto, hvh, hv, vh, vertical, or "points"
    mid_x: float | None = None  # column (may be .5) of the vertical leg of an hvh route
    points: list = field(default_factory=list)  # for route="points": callables of the layout
    label_below: bool = False  # put the label under its horizontal leg instead of above

    @property
    def id(self) -> str:
        return f"flow_{self.source}_to_{self.target}"


@dataclass
class Diagram:
    process_id: str
    name: str
    name_en: str
    starters: str  # candidateStarterGroups
    lanes: list[Lane]
    nodes: list[Node]
    flows: list[Flow]

    @property
    def path(self) -> Path:
        return DIAGRAMS / f"{self.process_id}.bpmn"

    def write(self) -> Path:
        self.path.write_text(render(self), encoding="utf-8")
        return self.path


class Layout:
    """Positions on the grid: lanes are rows, columns are steps from left to right."""

    def __init__(self, diagram: Diagram):
        self.lanes = diagram.lanes
        self.nodes = {n.id: n for n in diagram.nodes}
        self.last_col = max(n.box[1] if n.box else n.col for n in diagram.nodes)

    def node(self, node_id):
        return self.nodes[node_id]

    def lane_top(self, lane):
        top = POOL_Y
        for each in self.lanes:
            if each.key == lane:
                return top
            top += each.height
        raise KeyError(lane)

    def lane_height(self, lane):
        return next(each.height for each in self.lanes if each.key == lane)

    def col_x(self, col):
        return FIRST_COL_X + col * COL_W

    def size(self, n):
        if n.box:
            left, right, top, bottom = n.box
            return self.col_x(right) - self.col_x(left), bottom - top
        return SIZES[n.kind]

    def cx(self, n):
        if n.box:
            return (self.col_x(n.box[0]) + self.col_x(n.box[1])) / 2
        if n.attached_to:
            if n.at_col is not None:
                return self.col_x(n.at_col)
            return self.cx(self.node(n.attached_to)) + n.offset
        return self.col_x(n.col)

    def cy(self, n):
        if n.box:
            return self.lane_top(n.lane) + (n.box[2] + n.box[3]) / 2
        if n.attached_to:  # centred on the task's edge, so the shape overlaps its border
            host = self.node(n.attached_to)
            half = self.size(host)[1] / 2
            return self.cy(host) + (half if n.edge == "bottom" else -half)
        y = n.y if n.y is not None else self.lane_height(n.lane) / 2
        return self.lane_top(n.lane) + y

    def bounds(self, n):
        w, h = self.size(n)
        return self.cx(n) - w / 2, self.cy(n) - h / 2, w, h

    def side(self, n, which):
        w, h = self.size(n)
        x, y = self.cx(n), self.cy(n)
        return {
            "left": (x - w / 2, y),
            "right": (x + w / 2, y),
            "top": (x, y - h / 2),
            "bottom": (x, y + h / 2),
        }[which]

    def pool_width(self):
        return self.col_x(self.last_col) - POOL_X + 110

    def pool_height(self):
        return sum(lane.height for lane in self.lanes)

    def route(self, flow):
        s, t = self.node(flow.source), self.node(flow.target)
        sx, sy, tx, ty = self.cx(s), self.cy(s), self.cx(t), self.cy(t)
        kind = flow.route
        if kind == "points":
            return flow.points[0](self)
        if kind == "auto":
            if sy == ty or sx == tx:
                kind = "straight"
            elif s.kind in ("xor", "and"):
                kind = "vh"
            elif t.kind in ("xor", "and"):
                kind = "hv"
            else:
                kind = "hvh"
        if kind == "vertical":  # straight up or down from a boundary event into the target
            a, b = ("bottom", "top") if ty > sy else ("top", "bottom")
            return [self.side(s, a), (sx, self.side(t, b)[1])]
        if kind == "straight":
            if sy == ty:
                a, b = ("right", "left") if tx > sx else ("left", "right")
            else:
                a, b = ("bottom", "top") if ty > sy else ("top", "bottom")
            return [self.side(s, a), self.side(t, b)]
        if kind == "vh":
            start = self.side(s, "bottom" if ty > sy else "top")
            end = self.side(t, "left" if tx > sx else "right")
            return [start, (sx, ty), end]
        if kind == "hv":
            start = self.side(s, "right" if tx > sx else "left")
            end = self.side(t, "top" if ty > sy else "bottom")
            return [start, (tx, sy), end]
        if kind == "hvh":
            start, end = self.side(s, "right"), self.side(t, "left")
            mx = self.col_x(flow.mid_x) if flow.mid_x is not None else (start[0] + end[0]) / 2
            return [start, (mx, sy), (mx, ty), end]
        raise ValueError(f"unknown route {kind!r} for {flow.id}")


def label_bounds(points, text, below=False):
    """Put a flow label just above the first horizontal leg (or beside a vertical one)."""
    w = max(24, 12 * len(text) + 6)
    legs = list(pairwise(points))
    for (x1, y1), (x2, y2) in legs:
        if y1 == y2 and abs(x2 - x1) >= 40:
            x = x1 + 8 if x2 > x1 else x1 - 8 - w  # near where the leg starts
            return x, y1 + 4 if below else y1 - 20, w, 14
    (x1, y1), (x2, y2) = legs[0]
    return x1 + 6, min(y1, y2) + 6, w, 14


def node_label_bounds(lay, n):
    w = max(40, min(120, 12 * len(n.name) + 6))
    lines = (12 * len(n.name) + 119) // 120
    _, y, _, bh = lay.bounds(n)
    cx = lay.cx(n)
    if n.kind == "boundary":  # beside the event, outside its task
        return cx + 20, lay.cy(n) + (4 if n.edge == "bottom" else -18), w, 14
    if n.label_at == "above":
        return cx - w / 2, y - 8 - 14 * lines, w, 14 * lines
    if n.label_at == "above_left":  # clear of edges leaving by the top and the bottom
        return cx - w - 4, y - 14 * lines, w, 14 * lines
    return cx - w / 2, y + bh + 6, w, 14 * lines


def props(*pairs, indent, extra=""):
    pad = " " * indent
    rows = "".join(
        f'{pad}    <camunda:property name="{k}" value={quoteattr(v)} />\n' for k, v in pairs
    )
    return (
        f"{pad}<bpmn:extensionElements>\n{extra}{pad}  <camunda:properties>\n{rows}"
        f"{pad}  </camunda:properties>\n{pad}</bpmn:extensionElements>\n"
    )


def fmt(v):
    return f"{v:g}"


def render(diagram: Diagram) -> str:
    pid = diagram.process_id
    lay = Layout(diagram)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"'
        ' xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
        ' xmlns:di="http://www.omg.org/spec/DD/20100524/DI"'
        ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' id="{pid}_definitions"'
        ' targetNamespace="http://aftersales.example/bpmn"'
        ' exporter="Aftersales diagrams/tools/layout.py" exporterVersion="1">\n',
        f'  <bpmn:collaboration id="{pid}_collaboration">\n',
        f'    <bpmn:participant id="{pid}_participant" name="{diagram.name}"'
        f' processRef="{pid}" />\n',
        "  </bpmn:collaboration>\n",
        f'  <bpmn:process id="{pid}" name="{diagram.name}" isExecutable="true"'
        f' camunda:candidateStarterGroups="{diagram.starters}">\n',
        props(("name_en", diagram.name_en), indent=4),
        f'    <bpmn:laneSet id="{pid}_lanes">\n',
    ]
    for lane in diagram.lanes:
        out.append(f'      <bpmn:lane id="lane_{lane.key}" name="{lane.name}">\n')
        pairs = (("name_en", lane.name_en),) + ((("role", lane.key),) if lane.role else ())
        out.append(props(*pairs, indent=8))
        out.extend(
            f"        <bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>\n"
            for n in diagram.nodes
            if n.lane == lane.key and n.parent is None
        )
        out.append("      </bpmn:lane>\n")
    out.append("    </bpmn:laneSet>\n")
    out.extend(_elements(diagram, None, indent=4))
    out.append("  </bpmn:process>\n")
    out.extend(_drawing(diagram, lay))
    out.append("</bpmn:definitions>\n")
    return "".join(out)


def _elements(diagram: Diagram, parent: str | None, indent: int) -> list[str]:
    """The nodes and flows of one scope (the process or an embedded sub-process)."""
    pad = " " * indent
    nodes = [n for n in diagram.nodes if n.parent == parent]
    ids = {n.id for n in nodes}
    flows = [f for f in diagram.flows if f.source in ids]
    incoming = {n.id: [f.id for f in diagram.flows if f.target == n.id] for n in nodes}
    outgoing = {n.id: [f.id for f in flows if f.source == n.id] for n in nodes}
    defaults = {f.source: f.id for f in flows if f.default}
    lanes = {lane.key for lane in diagram.lanes if lane.role}
    out = []
    for n in nodes:
        tag = TAGS[n.kind]
        attrs = [f'id="{n.id}"']
        if n.name:
            attrs.append(f"name={quoteattr(n.name)}")
        if n.kind == "start" and n.form:
            attrs.append(f'camunda:formKey="{n.form}"')
        if n.kind == "user":
            attrs.append(f'camunda:formKey="{n.form}"')
            if n.groups or n.lane in lanes:
                attrs.append(f'camunda:candidateGroups="{n.groups or n.lane}"')
                assert (n.groups or n.lane) in lanes, n.id
            else:  # a lane without a role: the task names its person
                assert n.assignee, n.id
            if n.assignee:
                attrs.append(f"camunda:assignee={quoteattr(n.assignee)}")
        if n.kind == "rule":
            attrs.append(f'camunda:decisionRef="{n.decision}"')
        if n.kind == "call":
            attrs.append(f'calledElement="{n.called}"')
        if n.kind == "boundary":
            attrs.append(f'cancelActivity="false" attachedToRef="{n.attached_to}"')
        if n.id in defaults:
            attrs.append(f'default="{defaults[n.id]}"')
        out.append(f"{pad}<bpmn:{tag} {' '.join(attrs)}>\n")
        mappings = (
            f'{pad}    <camunda:in variables="all" />\n{pad}    <camunda:out variables="all" />\n'
            if n.kind == "call"
            else ""
        )
        pairs = ((("name_en", n.name_en),) if n.name_en else ()) + n.properties
        if pairs:
            out.append(props(*pairs, indent=indent + 2, extra=mappings))
        out.extend(f"{pad}  <bpmn:incoming>{i}</bpmn:incoming>\n" for i in incoming[n.id])
        out.extend(f"{pad}  <bpmn:outgoing>{o}</bpmn:outgoing>\n" for o in outgoing[n.id])
        if n.each:
            collection, variable = n.each
            out.append(
                f'{pad}  <bpmn:multiInstanceLoopCharacteristics isSequential="false"'
                f' camunda:collection="{collection}" camunda:elementVariable="{variable}" />\n'
            )
        if n.timer:
            kind, text = n.timer
            out.append(
                f'{pad}  <bpmn:timerEventDefinition id="{n.id}_timer">\n'
                f'{pad}    <bpmn:{kind} xsi:type="bpmn:tFormalExpression">{escape(text)}'
                f"</bpmn:{kind}>\n{pad}  </bpmn:timerEventDefinition>\n"
            )
        if n.kind == "subprocess":
            out.extend(_elements(diagram, n.id, indent + 2))
        out.append(f"{pad}</bpmn:{tag}>\n")

    for f in flows:
        attrs = f'id="{f.id}"' + (f" name={quoteattr(f.name)}" if f.name else "")
        attrs += f' sourceRef="{f.source}" targetRef="{f.target}"'
        if not f.name_en and not f.condition:
            out.append(f"{pad}<bpmn:sequenceFlow {attrs} />\n")
            continue
        out.append(f"{pad}<bpmn:sequenceFlow {attrs}>\n")
        if f.name_en:
            out.append(props(("name_en", f.name_en), indent=indent + 2))
        if f.condition:
            out.append(
                f'{pad}  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                f"{escape(f.condition)}</bpmn:conditionExpression>\n"
            )
        out.append(f"{pad}</bpmn:sequenceFlow>\n")
    return out


def _drawing(diagram: Diagram, lay: Layout) -> list[str]:
    """Diagram interchange: the pool, its lanes, every node and every edge."""
    pid = diagram.process_id
    out = [
        f'  <bpmndi:BPMNDiagram id="{pid}_diagram">\n',
        f'    <bpmndi:BPMNPlane id="{pid}_plane" bpmnElement="{pid}_collaboration">\n',
    ]
    pool_w = lay.pool_width()
    out.append(
        shape(f"{pid}_participant", POOL_X, POOL_Y, pool_w, lay.pool_height(), horizontal=True)
    )
    for lane in diagram.lanes:
        out.append(
            shape(
                f"lane_{lane.key}",
                POOL_X + POOL_HEADER,
                lay.lane_top(lane.key),
                pool_w - POOL_HEADER,
                lane.height,
                horizontal=True,
            )
        )
    # sub-processes before what they contain, boundary events after the activities they sit
    # on, so viewers draw each on top of what it belongs to
    order = {"subprocess": 0, "boundary": 2}
    for n in sorted(diagram.nodes, key=lambda n: order.get(n.kind, 1)):
        x, y, w, h = lay.bounds(n)
        extra = ' isMarkerVisible="true"' if n.kind == "xor" else ""
        extra += ' isExpanded="true"' if n.kind == "subprocess" else ""
        label = (
            node_label_bounds(lay, n)
            if n.name and n.kind not in ("user", "rule", "call", "subprocess")
            else None
        )
        out.append(shape(n.id, x, y, w, h, extra=extra, label=label))
    for f in diagram.flows:
        pts = lay.route(f)
        out.append(f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">\n')
        out.extend(f'        <di:waypoint x="{fmt(px)}" y="{fmt(py)}" />\n' for px, py in pts)
        if f.name:
            lx, ly, lw, lh = label_bounds(pts, f.name, f.label_below)
            out.append(
                f'        <bpmndi:BPMNLabel>\n          <dc:Bounds x="{fmt(lx)}"'
                f' y="{fmt(ly)}" width="{fmt(lw)}" height="{fmt(lh)}" />\n'
                "        </bpmndi:BPMNLabel>\n"
            )
        out.append("      </bpmndi:BPMNEdge>\n")
    out.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n")
    return out


def shape(element, x, y, w, h, extra="", horizontal=False, label=None):
    hz = ' isHorizontal="true"' if horizontal else ""
    head = (
        f'      <bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{hz}{extra}>\n'
        f'        <dc:Bounds x="{fmt(x)}" y="{fmt(y)}" width="{fmt(w)}" height="{fmt(h)}" />\n'
    )
    if label:
        lx, ly, lw, lh = label
        head += (
            "        <bpmndi:BPMNLabel>\n"
            f'          <dc:Bounds x="{fmt(lx)}" y="{fmt(ly)}" width="{fmt(lw)}"'
            f' height="{fmt(lh)}" />\n        </bpmndi:BPMNLabel>\n'
        )
    return head + "      </bpmndi:BPMNShape>\n"
