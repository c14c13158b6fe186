"""Process 1, customer request intake and complaint-to-resolution (客户信息管理 + 客户投诉处理).

The tables of diagrams/customer_request.bpmn; `layout.py` writes it.
"""

from __future__ import annotations

from bpmn_kit import COL_W, LANE_H, Diagram, Flow, Lane, Node

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


# Columns: intake 0-3; first responses at 4; the tails of the three routes share the
# customer-service row (technical support 6-9, repair 10-12, quality complaint 18-24); the
# supervisor handles late replies at 4, under the repair call. A repair or replacement is
# process 2 (diagrams/repair_replacement.bpmn), called with all the case data in and out; its
# first response carries its own reply timer.
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
        # the app opens the service case (and finds the customer and unit) when it starts
        properties=(("effect", "case.open"),),
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
        # the app records the survey, for the satisfaction rate (all three follow-ups)
        properties=(("effect", "case.follow_up"),),
    ),
    Node(
        "service_completed",
        "end",
        "技术支持完成",
        "Technical support completed",
        "customer_service",
        9,
    ),
    # repair and replacement: process 2
    Node(
        "repair_case",
        "call",
        "产品维修和更换",
        "Repair and replacement",
        "repair_tech",
        4,
        called="repair_replacement",
    ),
    wait_before_follow_up("repair", 10),
    Node(
        "follow_up_repair",
        "user",
        "回访并调查满意度",
        "Follow-up visit and survey",
        "customer_service",
        11,
        form="follow_up_visit",
        properties=(("effect", "case.follow_up"),),
    ),
    Node("repair_closed", "end", "维修结案", "Repair closed", "customer_service", 12),
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
        # the app files the problem type on the service case, for the complaints by type
        properties=(("effect", "case.classify_complaint"),),
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
        properties=(("effect", "case.follow_up"),),
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


def _overdue_service_visit_to_supervisor(lay):
    """From under the service visit, left of the repair call, down to the supervisor's task:
    the one crossing (the route into the repair call) the escalations need."""
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
        "repair_case",
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
    Flow("reply_overdue_verify_defect", "handle_overdue_reply", route="vertical"),
    Flow("handle_overdue_reply", "escalation_handled"),
    # technical support
    Flow("plan_service_visit", "perform_technical_service"),
    Flow("perform_technical_service", "inform_customer_of_service", route="hvh", mid_x=5.5),
    Flow("inform_customer_of_service", "wait_before_follow_up_service"),
    Flow("wait_before_follow_up_service", "follow_up_service"),
    Flow("follow_up_service", "service_completed"),
    # repair
    Flow("repair_case", "wait_before_follow_up_repair", route="hvh", mid_x=9.5),
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


DIAGRAM = Diagram(
    process_id="customer_request",
    name="客户请求处理",
    name_en="Customer request",
    starters="customer_service,admin",
    lanes=[Lane(*lane) for lane in LANES],
    nodes=NODES,
    flows=FLOWS,
)
