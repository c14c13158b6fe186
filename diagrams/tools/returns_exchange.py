"""Process 2b, returns and exchanges (退换货): the tables of diagrams/returns_exchange.bpmn;
`layout.py` writes it. Element ids, effects and form keys follow docs/records.md.
"""

from __future__ import annotations

from bpmn_kit import Diagram, Flow, Lane, Node

CS, RETURNS = "customer_service", "returns"
LANES = [
    Lane(CS, "客服专员", "Customer service"),
    Lane(RETURNS, "退换货专员", "Returns and exchanges"),
]


def task(id, name, name_en, lane, col, effect):
    return Node(id, "user", name, name_en, lane, col, form=id, properties=(("effect", effect),))


NODES = [
    Node(
        "return_requested",
        "start",
        "收到退换货申请",
        "Return request received",
        CS,
        0,
        form="return_request_start",
        properties=(("effect", "rma.open"),),
    ),
    Node(
        "check_return_policy",
        "rule",
        "按退换货政策判定",
        "Check the returns policy",
        CS,
        1,
        decision="return_policy",
    ),
    task("review_eligibility", "审核退换条件", "Review eligibility", RETURNS, 2, "rma.review"),
    Node("eligible_check", "xor", "符合条件？", "Eligible?", RETURNS, 3),
    task("arrange_pickup", "安排取件", "Arrange the pickup", RETURNS, 4, "rma.pickup"),
    task("inspect_return", "检验退回设备", "Inspect the returned unit", RETURNS, 5, "rma.inspect"),
    Node("inspection_check", "xor", "检验合格？", "Inspection passed?", RETURNS, 6),
    task(
        "settle_return",
        "退款或换货并更新库存",
        "Refund or exchange, update stock",
        RETURNS,
        7,
        "rma.settle",
    ),
    Node("return_closed", "end", "退换货结案", "Return closed", RETURNS, 8),
    task(
        "inform_rejection",
        "告知客户不予退换",
        "Tell the customer it is refused",
        CS,
        6,
        "rma.reject",
    ),
    Node("return_rejected", "end", "不予退换", "Refused", CS, 7),
]

FLOWS = [
    Flow("return_requested", "check_return_policy"),
    Flow("check_return_policy", "review_eligibility", route="hv"),
    Flow("review_eligibility", "eligible_check"),
    Flow("eligible_check", "inform_rejection", "否", "No", "eligible == False"),
    Flow("eligible_check", "arrange_pickup", "是", "Yes", default=True),
    Flow("arrange_pickup", "inspect_return"),
    Flow("inspect_return", "inspection_check"),
    Flow("inspection_check", "inform_rejection", "不合格", "Failed", "inspection_ok == False"),
    Flow("inspection_check", "settle_return", "合格", "Passed", default=True),
    Flow("settle_return", "return_closed"),
    Flow("inform_rejection", "return_rejected"),
]

DIAGRAM = Diagram(
    process_id="returns_exchange",
    name="退换货",
    name_en="Returns and exchanges",
    starters="customer_service,returns,admin",
    lanes=LANES,
    nodes=NODES,
    flows=FLOWS,
)
