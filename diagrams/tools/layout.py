"""Write diagrams/customer_request.bpmn: process 1 (客户信息管理 + 客户投诉处理) with its layout.

The committed .bpmn is the artifact the engine deploys; this script only keeps the drawing
tidy (a grid of role lanes and columns, orthogonal edges). Edit the tables below, then run
`.venv/bin/python diagrams/tools/layout.py` from the project root and review the diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

OUT = Path(__file__).resolve().parents[1] / "customer_request.bpmn"

PROCESS_ID = "customer_request"
PROCESS_NAME = "客户请求处理"
PROCESS_NAME_EN = "Customer request"
STARTERS = "customer_service,admin"

# (role key, lane name = role display name, English name)
LANES = [
    ("customer_service", "客服专员", "Customer service"),
    ("tech_support", "技术支持", "Technical support"),
    ("repair_tech", "维修工程师", "Repair technician"),
    ("supervisor", "售后工程部主管", "After-sales supervisor"),
    ("quality", "质量投诉人员", "Quality complaints"),
    ("rd", "研发部门", "R&D"),
    ("production", "生产部门", "Production"),
    ("qa", "质量部门", "Quality assurance"),
]

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
}


@dataclass
class Node:
    id: str
    kind: str  # start, end, user, rule, xor, and, timer, boundary, milestone
    name: str
    name_en: str
    lane: str
    col: float
    form: str | None = None
    groups: str | None = None  # candidateGroups; defaults to the lane's role
    assignee: str | None = None
    decision: str | None = None
    label_at: str = "below"  # where a gateway or event label goes: below, above, above_left
    # <camunda:property> pairs besides name_en (sla_start, sla_stop: read by workflows/sla)
    properties: tuple[tuple[str, str], ...] = ()
    timer: tuple[str, str] | None = None  # (timeDate | timeDuration, Python expression)
    attached_to: str | None = None  # a boundary event's task
    edge: str = "bottom"  # the task edge a boundary event sits on: bottom or top
    offset: float = -25  # x of a boundary event's centre from its task's centre


# Escalation when a first response is late; the app registers sla_due() with the evaluator.
REPLY_OVERDUE = ("timeDate", "sla_due(reply_within, sla_calendar)")
# A data value from diagrams/sla_targets.dmn, so process owners change it in the table.
FOLLOW_UP_DELAY = ("timeDuration", "follow_up_after")


def reply_overdue(task: str, lane: str, edge: str = "bottom") -> Node:
    """A non-interrupting timer on a first-response task: the supervisor is told, the worker
    keeps the task."""
    return Node(
        f"reply_overdue_{task}",
        "boundary",
        "答复超时",
        "Reply overdue",
        lane,
        0,
        timer=REPLY_OVERDUE,
        attached_to=task,
        edge=edge,
    )


def wait_before_follow_up(branch: str, col: float) -> Node:
    return Node(
        f"wait_before_follow_up_{branch}",
        "timer",
        "等待回访",
        "Wait before the follow-up visit",
        "customer_service",
        col,
        timer=FOLLOW_UP_DELAY,
    )


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


# Columns: intake 0-3; first responses at 4; the tails of the three routes share the
# customer-service row (technical support 6-9, repair 10-13, quality complaint 18-24); the
# supervisor handles late replies at 4, under the repair task. A repair that is not fixed loops
# through the supervisor's plan (5.5) and the repair per the plan (6.5) back to the check.
NODES = [
    # intake, routing and the service deadlines
    Node(
        "request_received",
        "start",
        "收到客户请求",
        "Request received",
        "customer_service",
        0,
        form="customer_request_start",
    ),
    Node(
        "route_request",
        "rule",
        "分类并分派请求",
        "Classify and route the request",
        "customer_service",
        1,
        decision="route_request",
    ),
    Node(
        "determine_sla_targets",
        "rule",
        "确定服务时限",
        "Determine the service deadlines",
        "customer_service",
        2,
        decision="sla_targets",
        # the app starts these clocks when this step completes
        properties=(("sla_start", "reply,onsite,resolve"),),
    ),
    Node(
        "route_decision", "xor", "分派给谁？", "Routed to?", "customer_service", 3, label_at="above"
    ),
    # a late first response goes to the supervisor; the worker keeps the task
    reply_overdue("plan_service_visit", "tech_support"),
    reply_overdue("diagnose_and_repair", "repair_tech"),
    reply_overdue("verify_defect", "quality", edge="top"),  # the supervisor's lane is above
    Node(
        "handle_overdue_reply",
        "user",
        "处理答复超时",
        "Handle the overdue reply",
        "supervisor",
        4,
        form="handle_escalation",
    ),
    Node(
        "escalation_handled",
        "end",
        "超时已处理",
        "Escalation handled",
        "supervisor",
        4 + 100 / COL_W,
    ),
    # technical support: installation, commissioning, training
    Node(
        "plan_service_visit",
        "user",
        "安排技术服务",
        "Plan the service visit",
        "tech_support",
        4,
        form="plan_service_visit",
        properties=(("sla_stop", "reply"),),
    ),
    Node(
        "perform_technical_service",
        "user",
        "实施安装调试或培训并记录结果",
        "Perform the service and record the result",
        "tech_support",
        5,
        form="perform_technical_service",
        properties=(("sla_stop", "onsite"),),
    ),
    Node(
        "inform_customer_of_service",
        "user",
        "告知客户服务结果",
        "Tell the customer the result",
        "customer_service",
        6,
        form="inform_customer",
        assignee="${initiator}",
        properties=(("sla_stop", "resolve"),),
    ),
    wait_before_follow_up("service", 7),
    Node(
        "follow_up_service",
        "user",
        "回访并调查满意度",
        "Follow-up visit and survey",
        "customer_service",
        8,
        form="follow_up_visit",
    ),
    Node(
        "service_completed",
        "end",
        "技术支持完成",
        "Technical support completed",
        "customer_service",
        9,
    ),
    # repair and replacement (process 2 deepens this)
    Node(
        "diagnose_and_repair",
        "user",
        "诊断并维修或更换",
        "Diagnose and repair or replace",
        "repair_tech",
        4,
        form="diagnose_and_repair",
        properties=(("sla_stop", "reply,onsite"),),
    ),
    Node(
        "fault_fixed_check",
        "xor",
        "故障已排除？",
        "Fault fixed?",
        "repair_tech",
        5.5,
        label_at="above_left",  # "yes" leaves by the top
    ),
    Node(
        "decide_repair_plan",
        "user",
        "主管决定维修方案",
        "Decide the repair plan",
        "supervisor",
        5.5,
        form="decide_repair_plan",
    ),
    # The loop comes back here, not to diagnose_and_repair: that is the first response, and
    # entering it again would arm its reply timer again. No sla_stop: the reply and on-site
    # clocks stopped when the first diagnosis was completed, which always comes before.
    Node(
        "repair_per_plan",
        "user",
        "按方案维修",
        "Repair according to the plan",
        "repair_tech",
        6.5,
        form="repair_per_plan",
    ),
    Node(
        "record_customer_acceptance",
        "user",
        "记录客户逐项验收",
        "Record the customer's acceptance",
        "customer_service",
        10,
        form="record_customer_acceptance",
        properties=(("sla_stop", "resolve"),),
    ),
    wait_before_follow_up("repair", 11),
    Node(
        "follow_up_repair",
        "user",
        "回访并调查满意度",
        "Follow-up visit and survey",
        "customer_service",
        12,
        form="follow_up_visit",
    ),
    Node("repair_closed", "end", "维修结案", "Repair closed", "customer_service", 13),
    # quality complaint
    Node(
        "verify_defect",
        "user",
        "投诉备案并验证不良现象",
        "File the complaint, verify the defect",
        "quality",
        4,
        form="verify_defect",
        # (our reading) the defect is verified on site, so this also meets the on-site promise
        properties=(("sla_stop", "reply,onsite"),),
    ),
    Node(
        "define_problem_type",
        "user",
        "界定问题种类",
        "Define the problem type",
        "quality",
        5.5,
        form="define_problem_type",
    ),
    Node("severity_check", "xor", "重大投诉或索赔？", "Major complaint or claim?", "quality", 7),
    Node(
        "review_major_complaint",
        "user",
        "主管处理重大投诉及索赔",
        "Review the major complaint or claim",
        "supervisor",
        8,
        form="review_major_complaint",
    ),
    Node("severity_merge", "xor", "", "", "quality", 9),
    Node(
        "root_cause_split",
        "and",
        "组织原因分析",
        "Organise root-cause analysis",
        "quality",
        10,
        label_at="above_left",
    ),
    Node(
        "root_cause_tech",
        "user",
        "技术部门分析原因并提出措施",
        "Technical support: root cause and measures",
        "tech_support",
        11.5,
        form="root_cause_tech",
    ),
    Node(
        "root_cause_rd",
        "user",
        "研发部门分析原因并提出措施",
        "R&D: root cause and measures",
        "rd",
        11.5,
        form="root_cause_rd",
    ),
    Node(
        "root_cause_production",
        "user",
        "生产部门分析原因并提出措施",
        "Production: root cause and measures",
        "production",
        11.5,
        form="root_cause_production",
    ),
    Node(
        "root_cause_qa",
        "user",
        "质量部门分析原因并提出措施",
        "QA: root cause and measures",
        "qa",
        11.5,
        form="root_cause_qa",
    ),
    Node("root_cause_join", "and", "", "", "quality", 13),
    Node(
        "consolidate_improvement_plan",
        "user",
        "汇总改善方案",
        "Consolidate the improvement plan",
        "quality",
        14,
        form="consolidate_improvement_plan",
    ),
    Node(
        "approve_plan",
        "user",
        "主管审批改善方案",
        "Approve the improvement plan",
        "supervisor",
        15,
        form="approve_plan",
    ),
    Node("plan_decision_check", "xor", "批准？", "Approved?", "supervisor", 16, label_at="above"),
    Node(
        "verify_implementation",
        "user",
        "监督并验证改善措施实施",
        "Verify the implementation",
        "quality",
        17,
        form="verify_implementation",
    ),
    Node(
        "inform_customer_of_resolution",
        "user",
        "告知客户处理结果",
        "Tell the customer the result",
        "customer_service",
        18,
        form="inform_customer",
        assignee="${initiator}",
    ),
    Node(
        "confirm_effect",
        "user",
        "与客户确认服务效果",
        "Confirm the effect with the customer",
        "customer_service",
        19,
        form="confirm_effect",
        assignee="${initiator}",
    ),
    Node("effect_check", "xor", "客户满意？", "Customer satisfied?", "customer_service", 20),
    # Reached only when the customer is satisfied: a "not satisfied" answer must not stop the
    # resolution clock, and the app stops a clock at the first completion that names it.
    Node(
        "complaint_resolved",
        "milestone",
        "投诉已解决",
        "Complaint resolved",
        "customer_service",
        21,
        properties=(("sla_stop", "resolve"),),
    ),
    wait_before_follow_up("complaint", 22),
    Node(
        "follow_up_complaint",
        "user",
        "回访并调查满意度",
        "Follow-up visit and survey",
        "customer_service",
        23,
        form="follow_up_visit",
    ),
    Node("complaint_closed", "end", "投诉结案", "Complaint closed", "customer_service", 24),
]


def _return_to_plan_below(lay):
    """Supervisor returns the plan: under the quality row back into the plan task's bottom."""
    gw, plan = lay.node("plan_decision_check"), lay.node("consolidate_improvement_plan")
    y = lay.cy(plan) + LANE_H / 2 - 18
    return [lay.side(gw, "bottom"), (lay.cx(gw), y), (lay.cx(plan), y), lay.side(plan, "bottom")]


def _not_satisfied_to_plan(lay):
    """Customer not satisfied: along the top of the customer-service lane, down into the plan."""
    gw, plan = lay.node("effect_check"), lay.node("consolidate_improvement_plan")
    y = lay.lane_top("customer_service") + 16
    return [lay.side(gw, "top"), (lay.cx(gw), y), (lay.cx(plan), y), lay.side(plan, "top")]


def _fixed_to_acceptance(lay):
    """Fault fixed: up out of the gateway, along the top of the technician's lane over the
    repair per the plan, then up at column 9.5 into the acceptance (as the route did before)."""
    gw, task = lay.node("fault_fixed_check"), lay.node("record_customer_acceptance")
    x, y = lay.col_x(9.5), lay.lane_top("repair_tech") + 16
    return [lay.side(gw, "top"), (lay.cx(gw), y), (x, y), (x, lay.cy(task)), lay.side(task, "left")]


def _overdue_service_visit_to_supervisor(lay):
    """From under the service visit, left of the repair task, down to the supervisor's task:
    the one crossing (the route into the repair task) the three routes' escalations need."""
    event, task = lay.node("reply_overdue_plan_service_visit"), lay.node("handle_overdue_reply")
    x0, y0 = lay.side(event, "bottom")
    x = lay.col_x(3) + 85  # clear of the labels of the routes
    y = lay.cy(lay.node("plan_service_visit")) + LANE_H / 2 - 10
    left = lay.side(task, "left")
    return [(x0, y0), (x0, y), (x, y), (x, left[1]), left]


FLOWS = [
    Flow("request_received", "route_request"),
    Flow("route_request", "determine_sla_targets"),
    Flow("determine_sla_targets", "route_decision"),
    Flow(
        "route_decision",
        "plan_service_visit",
        "技术支持",
        "Technical support",
        'route == "tech_support"',
    ),
    Flow(
        "route_decision",
        "diagnose_and_repair",
        "维修/更换",
        "Repair or replacement",
        'route == "repair"',
    ),
    Flow("route_decision", "verify_defect", "质量投诉", "Quality complaint", 'route == "quality"'),
    # overdue first responses
    Flow(
        "reply_overdue_plan_service_visit",
        "handle_overdue_reply",
        route="points",
        points=[_overdue_service_visit_to_supervisor],
    ),
    Flow("reply_overdue_diagnose_and_repair", "handle_overdue_reply", route="vertical"),
    Flow("reply_overdue_verify_defect", "handle_overdue_reply", route="vertical"),
    Flow("handle_overdue_reply", "escalation_handled"),
    # technical support
    Flow("plan_service_visit", "perform_technical_service"),
    Flow("perform_technical_service", "inform_customer_of_service", route="hvh", mid_x=5.5),
    Flow("inform_customer_of_service", "wait_before_follow_up_service"),
    Flow("wait_before_follow_up_service", "follow_up_service"),
    Flow("follow_up_service", "service_completed"),
    # repair
    Flow("diagnose_and_repair", "fault_fixed_check"),
    Flow(
        "fault_fixed_check",
        "record_customer_acceptance",
        "是",
        "Yes",
        'fault_fixed == "yes"',
        route="points",
        points=[_fixed_to_acceptance],
        label_below=True,
    ),
    Flow("fault_fixed_check", "decide_repair_plan", "否", "No", default=True),
    Flow("decide_repair_plan", "repair_per_plan", route="hv"),
    Flow("repair_per_plan", "fault_fixed_check"),
    Flow("record_customer_acceptance", "wait_before_follow_up_repair"),
    Flow("wait_before_follow_up_repair", "follow_up_repair"),
    Flow("follow_up_repair", "repair_closed"),
    # quality complaint
    Flow("verify_defect", "define_problem_type"),
    Flow("define_problem_type", "severity_check"),
    Flow("severity_check", "review_major_complaint", "是", "Yes", 'severity == "major"'),
    Flow("severity_check", "severity_merge", "否", "No", default=True),
    Flow("review_major_complaint", "severity_merge"),
    Flow("severity_merge", "root_cause_split"),
    Flow("root_cause_split", "root_cause_tech"),
    Flow("root_cause_split", "root_cause_rd"),
    Flow("root_cause_split", "root_cause_production"),
    Flow("root_cause_split", "root_cause_qa"),
    Flow("root_cause_tech", "root_cause_join"),
    Flow("root_cause_rd", "root_cause_join"),
    Flow("root_cause_production", "root_cause_join"),
    Flow("root_cause_qa", "root_cause_join"),
    Flow("root_cause_join", "consolidate_improvement_plan"),
    Flow("consolidate_improvement_plan", "approve_plan", route="hvh", mid_x=14.5),
    Flow("approve_plan", "plan_decision_check"),
    Flow(
        "plan_decision_check",
        "verify_implementation",
        "批准",
        "Approved",
        'plan_decision == "approve"',
        route="hv",
    ),
    Flow(
        "plan_decision_check",
        "consolidate_improvement_plan",
        "退回修改",
        "Returned",
        default=True,
        route="points",
        points=[_return_to_plan_below],
    ),
    Flow("verify_implementation", "inform_customer_of_resolution", route="hvh", mid_x=17.5),
    Flow("inform_customer_of_resolution", "confirm_effect"),
    Flow("confirm_effect", "effect_check"),
    Flow("effect_check", "complaint_resolved", "满意", "Satisfied", 'effect_confirmed == "yes"'),
    Flow(
        "effect_check",
        "consolidate_improvement_plan",
        "不满意，修订方案",
        "Not satisfied: revise",
        default=True,
        route="points",
        points=[_not_satisfied_to_plan],
        label_below=True,
    ),
    Flow("complaint_resolved", "wait_before_follow_up_complaint"),
    Flow("wait_before_follow_up_complaint", "follow_up_complaint"),
    Flow("follow_up_complaint", "complaint_closed"),
]


def flow_id(flow: Flow) -> str:
    return f"flow_{flow.source}_to_{flow.target}"


class Layout:
    """Positions on the grid: lanes are rows, columns are steps from left to right."""

    def __init__(self, nodes):
        self.nodes = {n.id: n for n in nodes}
        self.lane_index = {key: i for i, (key, _, _) in enumerate(LANES)}
        self.last_col = max(n.col for n in nodes)

    def node(self, node_id):
        return self.nodes[node_id]

    def lane_top(self, lane):
        return POOL_Y + self.lane_index[lane] * LANE_H

    def col_x(self, col):
        return FIRST_COL_X + col * COL_W

    def cx(self, n):
        if n.attached_to:
            return self.cx(self.node(n.attached_to)) + n.offset
        return self.col_x(n.col)

    def cy(self, n):
        if n.attached_to:  # centred on the task's edge, so the shape overlaps its border
            host = self.node(n.attached_to)
            half = SIZES[host.kind][1] / 2
            return self.cy(host) + (half if n.edge == "bottom" else -half)
        return self.lane_top(n.lane) + LANE_H / 2

    def bounds(self, n):
        w, h = SIZES[n.kind]
        return self.cx(n) - w / 2, self.cy(n) - h / 2, w, h

    def side(self, n, which):
        w, h = SIZES[n.kind]
        x, y = self.cx(n), self.cy(n)
        return {
            "left": (x - w / 2, y),
            "right": (x + w / 2, y),
            "top": (x, y - h / 2),
            "bottom": (x, y + h / 2),
        }[which]

    def pool_width(self):
        return self.col_x(self.last_col) - POOL_X + 110

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
        raise ValueError(f"unknown route {kind!r} for {flow_id(flow)}")


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


def props(*pairs, indent):
    pad = " " * indent
    rows = "".join(
        f'{pad}    <camunda:property name="{k}" value={quoteattr(v)} />\n' for k, v in pairs
    )
    return (
        f"{pad}<bpmn:extensionElements>\n{pad}  <camunda:properties>\n{rows}"
        f"{pad}  </camunda:properties>\n{pad}</bpmn:extensionElements>\n"
    )


def fmt(v):
    return f"{v:g}"


def render(nodes, flows) -> str:
    lay = Layout(nodes)
    incoming = {n.id: [] for n in nodes}
    outgoing = {n.id: [] for n in nodes}
    for f in flows:
        outgoing[f.source].append(flow_id(f))
        incoming[f.target].append(flow_id(f))
    defaults = {f.source: flow_id(f) for f in flows if f.default}

    definitions = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"'
        ' xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
        ' xmlns:di="http://www.omg.org/spec/DD/20100524/DI"'
        ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' id="customer_request_definitions"'
        ' targetNamespace="http://aftersales.example/bpmn"'
        ' exporter="Aftersales diagrams/tools/layout.py" exporterVersion="1">\n'
    )
    participant = (
        f'    <bpmn:participant id="customer_request_participant" name="{PROCESS_NAME}"'
        f' processRef="{PROCESS_ID}" />\n'
    )
    process = (
        f'  <bpmn:process id="{PROCESS_ID}" name="{PROCESS_NAME}" isExecutable="true"'
        f' camunda:candidateStarterGroups="{STARTERS}">\n'
    )
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        definitions,
        '  <bpmn:collaboration id="customer_request_collaboration">\n',
        participant,
        "  </bpmn:collaboration>\n",
        process,
        props(("name_en", PROCESS_NAME_EN), indent=4),
        '    <bpmn:laneSet id="customer_request_lanes">\n',
    ]
    for key, name, name_en in LANES:
        out.append(f'      <bpmn:lane id="lane_{key}" name="{name}">\n')
        out.append(props(("name_en", name_en), ("role", key), indent=8))
        out.extend(
            f"        <bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>\n" for n in nodes if n.lane == key
        )
        out.append("      </bpmn:lane>\n")
    out.append("    </bpmn:laneSet>\n")

    tags = {
        "start": "startEvent",
        "end": "endEvent",
        "timer": "intermediateCatchEvent",
        "boundary": "boundaryEvent",
        "milestone": "intermediateThrowEvent",
        "user": "userTask",
        "rule": "businessRuleTask",
        "xor": "exclusiveGateway",
        "and": "parallelGateway",
    }
    for n in nodes:
        attrs = [f'id="{n.id}"']
        if n.name:
            attrs.append(f"name={quoteattr(n.name)}")
        if n.kind == "start" and n.form:
            attrs.append(f'camunda:formKey="{n.form}"')
        if n.kind == "user":
            attrs.append(f'camunda:formKey="{n.form}"')
            attrs.append(f'camunda:candidateGroups="{n.groups or n.lane}"')
            if n.assignee:
                attrs.append(f"camunda:assignee={quoteattr(n.assignee)}")
        if n.kind == "rule":
            attrs.append(f'camunda:decisionRef="{n.decision}"')
        if n.kind == "boundary":
            attrs.append(f'cancelActivity="false" attachedToRef="{n.attached_to}"')
        if n.id in defaults:
            attrs.append(f'default="{defaults[n.id]}"')
        out.append(f"    <bpmn:{tags[n.kind]} {' '.join(attrs)}>\n")
        if n.name_en or n.properties:
            pairs = ((("name_en", n.name_en),) if n.name_en else ()) + n.properties
            out.append(props(*pairs, indent=6))
        out.extend(f"      <bpmn:incoming>{i}</bpmn:incoming>\n" for i in incoming[n.id])
        out.extend(f"      <bpmn:outgoing>{o}</bpmn:outgoing>\n" for o in outgoing[n.id])
        if n.timer:
            kind, text = n.timer
            out.append(
                f'      <bpmn:timerEventDefinition id="{n.id}_timer">\n'
                f'        <bpmn:{kind} xsi:type="bpmn:tFormalExpression">{escape(text)}'
                f"</bpmn:{kind}>\n      </bpmn:timerEventDefinition>\n"
            )
        out.append(f"    </bpmn:{tags[n.kind]}>\n")

    for f in flows:
        attrs = f'id="{flow_id(f)}"' + (f" name={quoteattr(f.name)}" if f.name else "")
        attrs += f' sourceRef="{f.source}" targetRef="{f.target}"'
        if not f.name_en and not f.condition:
            out.append(f"    <bpmn:sequenceFlow {attrs} />\n")
            continue
        out.append(f"    <bpmn:sequenceFlow {attrs}>\n")
        if f.name_en:
            out.append(props(("name_en", f.name_en), indent=6))
        if f.condition:
            out.append(
                '      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                f"{escape(f.condition)}</bpmn:conditionExpression>\n"
            )
        out.append("    </bpmn:sequenceFlow>\n")
    out.append("  </bpmn:process>\n")

    # diagram interchange
    out.append('  <bpmndi:BPMNDiagram id="customer_request_diagram">\n')
    out.append(
        '    <bpmndi:BPMNPlane id="customer_request_plane"'
        ' bpmnElement="customer_request_collaboration">\n'
    )
    pool_w, pool_h = lay.pool_width(), LANE_H * len(LANES)
    out.append(
        shape("customer_request_participant", POOL_X, POOL_Y, pool_w, pool_h, horizontal=True)
    )
    for key, _, _ in LANES:
        out.append(
            shape(
                f"lane_{key}",
                POOL_X + POOL_HEADER,
                lay.lane_top(key),
                pool_w - POOL_HEADER,
                LANE_H,
                horizontal=True,
            )
        )
    # boundary events after the tasks they sit on, so viewers draw them on top
    for n in sorted(nodes, key=lambda n: n.kind == "boundary"):
        x, y, w, h = lay.bounds(n)
        extra = ' isMarkerVisible="true"' if n.kind == "xor" else ""
        label = node_label_bounds(lay, n) if n.name and n.kind not in ("user", "rule") else None
        out.append(shape(n.id, x, y, w, h, extra=extra, label=label))
    for f in flows:
        pts = lay.route(f)
        out.append(f'      <bpmndi:BPMNEdge id="{flow_id(f)}_di" bpmnElement="{flow_id(f)}">\n')
        out.extend(f'        <di:waypoint x="{fmt(px)}" y="{fmt(py)}" />\n' for px, py in pts)
        if f.name:
            lx, ly, lw, lh = label_bounds(pts, f.name, f.label_below)
            out.append(
                f'        <bpmndi:BPMNLabel>\n          <dc:Bounds x="{fmt(lx)}"'
                f' y="{fmt(ly)}" width="{fmt(lw)}" height="{fmt(lh)}" />\n'
                "        </bpmndi:BPMNLabel>\n"
            )
        out.append("      </bpmndi:BPMNEdge>\n")
    out.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n</bpmn:definitions>\n")
    return "".join(out)


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


if __name__ == "__main__":
    OUT.write_text(render(NODES, FLOWS), encoding="utf-8")
    print(f"wrote {OUT}")
