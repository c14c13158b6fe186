"""Process 2a, repair and replacement (产品维修和更换管理): the tables of
diagrams/repair_replacement.bpmn; `layout.py` writes it.

Started directly (a repair request) or called by process 1 with the case's data, in which case
the case already runs the service clocks. Element ids, effects and form keys follow
docs/records.md.
"""

from __future__ import annotations

from bpmn_kit import Diagram, Flow, Lane, Node

CS, TECH, STORE, SUP = "customer_service", "repair_tech", "warehouse", "supervisor"
LANES = [
    Lane(CS, "客服专员", "Customer service"),
    # three rows: the quote and the 24-hour replacement above the repair phase (R1), the main
    # line (R2), and the repair phase's second row (R3)
    Lane(TECH, "维修工程师", "Repair technician", height=450),
    Lane(STORE, "备件管理", "Spare parts"),
    Lane(SUP, "售后工程部主管", "After-sales supervisor"),
]
R1, R2, R3 = 65, 215, 335
LOOP_Y = 160  # the repair phase's "test failed" loop, under its name
# the repair phase: columns 15.45-21, from under R1 to below R3
REPAIR_BOX = (15.45, 21.0, 128, 390)


def effect(name: str, *sla: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """The record effect the app runs when the step completes (docs/records.md), and clocks."""
    return (("effect", name), *sla)


def task(id, name, name_en, lane, col, *, y=None, parent=None, properties=(), form=None):
    return Node(
        id,
        "user",
        name,
        name_en,
        lane,
        col,
        form=form or id,
        y=y,
        parent=parent,
        properties=properties,
    )


def xor(id, name, name_en, lane, col, *, y=None, parent=None, label_at="below"):
    return Node(id, "xor", name, name_en, lane, col, y=y, parent=parent, label_at=label_at)


def end(id, name, name_en, lane, col, *, y=None, parent=None):
    return Node(id, "end", name, name_en, lane, col, y=y, parent=parent)


IN = "repair_work"  # the embedded sub-process of the repair phase

NODES = [
    # intake: a direct request starts its own clocks; a called one runs on the case's
    Node(
        "repair_requested",
        "start",
        "收到维修请求",
        "Repair request received",
        CS,
        0,
        form="repair_request_start",
        properties=effect("repair.open"),
    ),
    xor(
        "called_from_case", "由客户请求转来？", "From a customer request?", CS, 1, label_at="above"
    ),
    Node(
        "determine_repair_sla",
        "rule",
        "确定服务时限",
        "Determine the service deadlines",
        CS,
        2,
        decision="sla_targets",
        properties=(("sla_start", "reply,onsite,resolve"),),
    ),
    xor("sla_merge", "", "", CS, 3),
    task(
        "register_repair",
        "登记维修单并指派工程师",
        "Register the repair, assign an engineer",
        CS,
        4,
        properties=effect("repair.register", ("sla_stop", "reply")),
    ),
    # a late first response goes to the supervisor; customer service keeps the task
    Node(
        "reply_overdue_register_repair",
        "boundary",
        "答复超时",
        "Reply overdue",
        CS,
        0,
        timer=("timeDate", "sla_due(reply_within, sla_calendar)"),
        attached_to="register_repair",
    ),
    task(
        "handle_overdue_repair_reply",
        "处理答复超时",
        "Handle the overdue reply",
        SUP,
        4,
        form="handle_escalation",
    ),
    end("repair_escalation_handled", "超时已处理", "Escalation handled", SUP, 4 + 100 / 160),
    # warranty and quote
    Node(
        "decide_warranty",
        "rule",
        "保修判定",
        "Check the warranty",
        CS,
        5,
        decision="warranty_policy",
    ),
    xor("charge_check", "是否收费？", "Charged?", CS, 6, label_at="above"),
    task(
        "prepare_quote",
        "报价",
        "Prepare the quote",
        TECH,
        7,
        y=R1,
        properties=effect("repair.quote", ("sla_pause", "resolve")),
    ),
    task(
        "record_quote_answer",
        "记录客户是否接受报价",
        "Record the customer's answer",
        CS,
        8,
        properties=effect("repair.quote_answer", ("sla_resume", "resolve")),
    ),
    xor("quote_answer_check", "接受报价？", "Quote accepted?", CS, 9, label_at="above_left"),
    xor("quote_merge", "", "", TECH, 9, y=R2),
    # diagnosis, the supervisor's plan when the engineer sees no way, spare parts
    task(
        "diagnose_fault",
        "诊断故障",
        "Diagnose the fault",
        TECH,
        10,
        y=R2,
        properties=effect("repair.diagnose", ("sla_stop", "onsite")),
    ),
    xor("plan_check", "能否修复？", "Resolvable?", TECH, 11, y=R2, label_at="above"),
    task(
        "decide_repair_plan_escalation",
        "主管决定维修方案",
        "Decide the repair plan",
        SUP,
        11,
    ),
    xor("parts_check", "需要备件？", "Parts needed?", TECH, 12, y=R2, label_at="above_left"),
    task(
        "reserve_parts",
        "预留备件",
        "Reserve the parts",
        TECH,
        13,
        y=R2,
        properties=effect("parts.reserve"),
    ),
    xor("stock_check", "库存不足？", "Stock short?", TECH, 14, y=R2, label_at="above"),
    task(
        "replenish_parts",
        "备件补货入库",
        "Replenish the parts",
        STORE,
        14,
        properties=effect("parts.receive"),
    ),
    xor("repair_merge", "", "", TECH, 15, y=R2),
    # the repair phase: its timers run from when it is entered
    Node(
        IN,
        "subprocess",
        "维修阶段",
        "Repair phase",
        TECH,
        REPAIR_BOX[0],
        box=REPAIR_BOX,
    ),
    Node("repair_work_started", "start", "开始维修", "Repair started", TECH, 15.8, y=R2, parent=IN),
    task(
        "repair_unit",
        "维修或更换配件",
        "Repair or replace parts",
        TECH,
        16.55,
        y=R2,
        parent=IN,
        properties=effect("repair.record_work"),
    ),
    xor(
        "resolution_check",
        "无法修复？",
        "Unresolvable?",
        TECH,
        17.45,
        y=R2,
        parent=IN,
        label_at="above",
    ),
    xor("replace_check", "在保修期内？", "In warranty?", TECH, 17.45, y=R3, parent=IN),
    end("repair_work_unresolved", "无法修复", "Unresolvable", TECH, 16.55, y=R3, parent=IN),
    task(
        "replace_unit",
        "整机更换并延长保修",
        "Replace the unit, extend the warranty",
        TECH,
        18.3,
        y=R3,
        parent=IN,
        properties=effect("warranty.extend"),
    ),
    task("test_unit", "试机测试", "Test the unit", TECH, 19.15, y=R2, parent=IN),
    xor("test_check", "测试通过？", "Test passed?", TECH, 20, y=R2, parent=IN),
    end("repair_work_done", "维修完成", "Repair done", TECH, 20.6, y=R2, parent=IN),
    # over 2 days: a free loaner; not fixed in 24 hours: a free part of the same spec
    Node(
        "loaner_due",
        "boundary",
        "维修超过 2 天",
        "Repair over 2 days",
        TECH,
        0,
        timer=("timeDuration", "P2D"),
        attached_to=IN,
        at_col=15.85,
    ),
    task(
        "issue_loaner",
        "提供备用机",
        "Lend a unit",
        STORE,
        15.85,
        properties=effect("loaner.issue"),
    ),
    end("loaner_issued", "备用机已借出", "Loaner lent", STORE, 16.7),
    Node(
        "replacement_due",
        "boundary",
        "24 小时未修复",
        "Not fixed in 24 h",
        TECH,
        0,
        timer=("timeDuration", "PT24H"),
        attached_to=IN,
        edge="top",
        at_col=15.85,
    ),
    xor(
        "replacement_warranty_check",
        "在保修期内？",
        "In warranty?",
        TECH,
        15.85,
        y=R1,
        label_at="above_left",
    ),
    Node(
        "no_free_replacement",
        "end",
        "保修期外不免费更换",
        "Out of warranty: no free part",
        CS,
        15.85,
        label_at="above",
    ),
    task(
        "offer_replacement_part",
        "提供同规格配件",
        "Provide a same-spec part",
        TECH,
        16.8,
        y=R1,
        properties=effect("parts.replace_same_spec"),
    ),
    xor("substitute_check", "替代型号？", "Substitute model?", TECH, 17.75, y=R1),
    task(
        "substitute_consent",
        "征求客户同意替代型号",
        "Ask for consent to a substitute",
        CS,
        17.75,
        properties=effect("repair.substitute_consent"),
    ),
    end("substitute_answered", "客户已答复", "Customer answered", CS, 18.6),
    end("same_spec_part_offered", "已提供同规格配件", "Same-spec part provided", TECH, 18.6, y=R1),
    # after the repair phase: back to the customer, acceptance, failure record
    xor("outcome_check", "未修复且已过保？", "Unrepaired, out of warranty?", TECH, 21.5, y=R2),
    task(
        "return_unrepaired",
        "不修退回",
        "Return unrepaired",
        TECH,
        21.5,
        y=R1,
        # (our reading) the customer declined, or nothing more is owed: both promises end here
        properties=effect("repair.return", ("sla_stop", "onsite,resolve")),
    ),
    end("returned_unrepaired", "未修复退回", "Returned unrepaired", TECH, 22.3, y=R1),
    task(
        "return_unit",
        "交还设备",
        "Return the unit",
        TECH,
        22.5,
        y=R2,
        properties=effect("repair.return"),
    ),
    task(
        "customer_acceptance",
        "客户逐项验收",
        "Customer acceptance",
        CS,
        23.4,
        properties=effect("repair.accept"),
    ),
    xor("acceptance_check", "验收通过？", "Accepted?", CS, 24.4, label_at="above"),
    # reached only when every item is accepted: "not accepted" must not stop the clock
    Node(
        "repair_accepted",
        "milestone",
        "维修已验收",
        "Repair accepted",
        CS,
        25.2,
        properties=(("sla_stop", "resolve"),),
    ),
    task(
        "record_failure",
        "记录故障和问题种类",
        "Record the failure",
        TECH,
        26,
        y=R2,
        properties=effect("failure.record"),
    ),
    xor("defective_check", "有不良配件？", "Defective parts?", TECH, 27, y=R2, label_at="above"),
    task(
        "send_parts_upstream",
        "不良配件寄回上家",
        "Send defective parts upstream",
        STORE,
        27,
        properties=effect("parts.send_upstream"),
    ),
    Node(
        "repair_completed", "end", "维修结束", "Repair finished", TECH, 28, y=R2, label_at="above"
    ),
]


def _bypass_sla(lay):
    """Called from a case: under the deadline table, up into the merge."""
    gw, merge = lay.node("called_from_case"), lay.node("sla_merge")
    y = lay.cy(gw) + 55
    return [lay.side(gw, "bottom"), (lay.cx(gw), y), (lay.cx(merge), y), lay.side(merge, "bottom")]


def _quote_declined(lay):
    """Along the top of the customer-service lane to the return, right of the repair phase."""
    gw, target = lay.node("quote_answer_check"), lay.node("return_unrepaired")
    y = lay.lane_top(CS) + 12
    return [lay.side(gw, "top"), (lay.cx(gw), y), (lay.cx(target), y), lay.side(target, "top")]


def _no_parts(lay):
    """No parts needed: over the parts reservation into the merge before the repair phase."""
    gw, merge = lay.node("parts_check"), lay.node("repair_merge")
    y = lay.lane_top(TECH) + 152
    return [lay.side(gw, "top"), (lay.cx(gw), y), (lay.cx(merge), y), lay.side(merge, "top")]


def _into_repair_phase(lay):
    merge = lay.node("repair_merge")
    right = lay.side(merge, "right")
    return [right, (lay.col_x(REPAIR_BOX[0]), right[1])]


def _out_of_repair_phase(lay):
    gw = lay.node("outcome_check")
    left = lay.side(gw, "left")
    return [(lay.col_x(REPAIR_BOX[1]), left[1]), left]


def _test_failed(lay):
    """Test failed: under the phase's top edge back into the repair task."""
    gw, target = lay.node("test_check"), lay.node("repair_unit")
    y = lay.lane_top(TECH) + LOOP_Y
    return [lay.side(gw, "top"), (lay.cx(gw), y), (lay.cx(target), y), lay.side(target, "top")]


def _not_accepted(lay):
    """Not accepted: down the right of the return, back into the repair phase at its second row."""
    gw = lay.node("acceptance_check")
    y = lay.lane_top(TECH) + R3
    return [lay.side(gw, "bottom"), (lay.cx(gw), y), (lay.col_x(REPAIR_BOX[1]), y)]


FLOWS = [
    Flow("repair_requested", "called_from_case"),
    Flow(
        "called_from_case",
        "determine_repair_sla",
        "直接受理",
        "Direct request",
        "service_case_id == None",
    ),
    Flow(
        "called_from_case",
        "sla_merge",
        "由客户请求转来",
        "From a customer request",
        default=True,
        route="points",
        points=[_bypass_sla],
    ),
    Flow("determine_repair_sla", "sla_merge"),
    Flow("sla_merge", "register_repair"),
    Flow("reply_overdue_register_repair", "handle_overdue_repair_reply", route="vertical"),
    Flow("handle_overdue_repair_reply", "repair_escalation_handled"),
    Flow("register_repair", "decide_warranty"),
    Flow("decide_warranty", "charge_check"),
    Flow(
        "charge_check",
        "prepare_quote",
        "收费，先报价",
        "Charged: quote",
        'charge_policy == "quote"',
        route="hv",
    ),
    Flow("charge_check", "quote_merge", "免费", "Free", default=True),
    Flow("prepare_quote", "record_quote_answer", route="hv"),
    Flow("record_quote_answer", "quote_answer_check"),
    Flow(
        "quote_answer_check",
        "return_unrepaired",
        "不接受",
        "Declined",
        'quote_accepted == "no"',
        route="points",
        points=[_quote_declined],
        label_below=True,
    ),
    Flow("quote_answer_check", "quote_merge", "接受", "Accepted", default=True),
    Flow("quote_merge", "diagnose_fault"),
    Flow("diagnose_fault", "plan_check"),
    Flow(
        "plan_check",
        "decide_repair_plan_escalation",
        "无法修复",
        "Unresolvable",
        'repair_plan == "unresolvable"',
    ),
    Flow("plan_check", "parts_check", "可修复", "Resolvable", default=True),
    Flow("decide_repair_plan_escalation", "parts_check", route="hv"),
    Flow("parts_check", "reserve_parts", "需要", "Yes", "needs_parts == True"),
    Flow(
        "parts_check",
        "repair_merge",
        "无需备件",
        "No parts",
        default=True,
        route="points",
        points=[_no_parts],
    ),
    Flow("reserve_parts", "stock_check"),
    Flow("stock_check", "replenish_parts", "不足", "Short", "parts_short == True"),
    Flow("stock_check", "repair_merge", "已预留", "Reserved", default=True),
    Flow("replenish_parts", "reserve_parts", route="hv"),
    Flow("repair_merge", IN, route="points", points=[_into_repair_phase]),
    # inside the repair phase
    Flow("repair_work_started", "repair_unit"),
    Flow("repair_unit", "resolution_check"),
    Flow(
        "resolution_check",
        "replace_check",
        "无法修复",
        "Unresolvable",
        'resolution == "unresolvable"',
    ),
    Flow("resolution_check", "test_unit", "已修复", "Fixed", default=True),
    Flow("replace_check", "replace_unit", "是", "Yes", "in_warranty == True"),
    Flow("replace_check", "repair_work_unresolved", "否", "No", default=True),
    Flow("replace_unit", "test_unit", route="hv"),
    Flow("test_unit", "test_check"),
    Flow(
        "test_check",
        "repair_unit",
        "未通过",
        "Failed",
        'test_passed == "no"',
        route="points",
        points=[_test_failed],
    ),
    Flow("test_check", "repair_work_done", "通过", "Passed", default=True),
    # the repair phase's timers
    Flow("loaner_due", "issue_loaner", route="vertical"),
    Flow("issue_loaner", "loaner_issued"),
    Flow("replacement_due", "replacement_warranty_check", route="vertical"),
    Flow(
        "replacement_warranty_check",
        "offer_replacement_part",
        "是",
        "Yes",
        "in_warranty == True",
    ),
    Flow("replacement_warranty_check", "no_free_replacement", "否", "No", default=True),
    Flow("offer_replacement_part", "substitute_check"),
    Flow(
        "substitute_check",
        "substitute_consent",
        "替代型号",
        "Substitute",
        'replacement == "substitute"',
    ),
    Flow("substitute_check", "same_spec_part_offered", "同规格", "Same spec", default=True),
    Flow("substitute_consent", "substitute_answered"),
    # after the repair phase
    Flow(IN, "outcome_check", route="points", points=[_out_of_repair_phase]),
    Flow(
        "outcome_check",
        "return_unrepaired",
        "是",
        "Yes",
        'resolution == "unresolvable" and in_warranty == False',
    ),
    Flow("outcome_check", "return_unit", "否", "No", default=True),
    Flow("return_unrepaired", "returned_unrepaired"),
    Flow("return_unit", "customer_acceptance", route="hv"),
    Flow("customer_acceptance", "acceptance_check"),
    Flow(
        "acceptance_check",
        IN,
        "未通过，重新维修",
        "Not accepted: repair again",
        "accepted == False",
        route="points",
        points=[_not_accepted],
    ),
    Flow("acceptance_check", "repair_accepted", "通过", "Accepted", default=True),
    Flow("repair_accepted", "record_failure", route="hv"),
    Flow("record_failure", "defective_check"),
    Flow("defective_check", "send_parts_upstream", "有", "Yes", 'defective_parts == "yes"'),
    Flow("defective_check", "repair_completed", "无", "No", default=True),
    Flow("send_parts_upstream", "repair_completed", route="hv"),
]

DIAGRAM = Diagram(
    process_id="repair_replacement",
    name="产品维修和更换",
    name_en="Repair and replacement",
    starters="customer_service,repair_tech,supervisor,admin",
    lanes=LANES,
    nodes=NODES,
    flows=FLOWS,
)
