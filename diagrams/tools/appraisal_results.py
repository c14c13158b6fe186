"""Process 3, the result sheet of a quarter (绩效考核结果处理): the tables of
diagrams/appraisal_results.bpmn; `layout.py` writes it.

Started by the cycle launch job with `cycle_id` and `quarter`. HR compiles the sheet (the
per-person consequences are chosen on the result sheet page before completing), then it is
signed in order (Art. 14): supervisor → HR → plant director → GM. A return at any step sends it
back to HR to revise, and the signing starts again from the supervisor. The GM's approval
publishes the results; the process then waits out the appeal window (a timer: appeals are
open while it waits, closed when it fires) and ends with the results final. Element ids, form keys
and effects follow docs/appraisal.md.
"""

from __future__ import annotations

from bpmn_kit import Diagram, Flow, Lane, Node

HR, SUP, DIRECTOR, GM = "hr", "supervisor", "plant_director", "gm"
LANES = [
    # two rows: the revision above (R1), the main line (R2)
    Lane(HR, "人力资源部", "Human resources", height=300),
    Lane(SUP, "售后工程部主管", "After-sales supervisor"),
    Lane(DIRECTOR, "厂务部厂长", "Plant director"),
    Lane(GM, "总经理", "General manager"),
]
R1, R2 = 75, 225


def approve(id, name, name_en, lane, col, *, y=None):
    return Node(
        id,
        "user",
        name,
        name_en,
        lane,
        col,
        form="approve_results",
        y=y,
        # each approver decides afresh: no signature pre-fills the next one's form
        properties=(("effect", "sheet.sign"), ("private", "true")),
    )


def check(id, name, name_en, lane, col, *, y=None):
    return Node(id, "xor", name, name_en, lane, col, y=y)


NODES = [
    Node("results_started", "start", "考核已发起", "Cycle launched", HR, 0, y=R2),
    Node(
        "compile_results",
        "user",
        "汇总考核结果",
        "Compile the result sheet",
        HR,
        1,
        form="compile_results",
        y=R2,
        properties=(("effect", "sheet.compile"),),
    ),
    Node(
        "revise_results",
        "user",
        "修改考核结果",
        "Revise the result sheet",
        HR,
        2,
        form="revise_results",
        y=R1,
        properties=(("effect", "sheet.revise"),),
    ),
    approve("approve_supervisor", "主管审核", "Supervisor signs", SUP, 2),
    check("supervisor_check", "主管同意？", "Supervisor approves?", SUP, 3),
    approve("approve_hr", "人力资源部审核", "HR signs", HR, 4, y=R2),
    check("hr_check", "人力资源部同意？", "HR approves?", HR, 5, y=R2),
    approve("approve_director", "厂长审核", "Plant director signs", DIRECTOR, 6),
    check("director_check", "厂长同意？", "Plant director approves?", DIRECTOR, 7),
    # the GM's signature also publishes the results (sheet.sign)
    approve("approve_gm", "总经理审批", "GM approves", GM, 8),
    check("gm_check", "总经理同意？", "GM approves?", GM, 9),
    # appeals are open while this waits (its property tells the application), closed when it
    # fires; the duration is the process owner's to change
    Node(
        "appeal_window",
        "timer",
        "申诉期（7 天）",
        "Appeal window (7 days)",
        GM,
        10,
        timer=("timeDuration", "P7D"),
        properties=(("appeals", "window"),),
    ),
    Node("results_final", "end", "结果生效", "Results final", GM, 11),
]


def _returned(gateway: str):
    """A return: up from the gateway to the revision row, left into the revision."""

    def points(lay):
        gw, target = lay.node(gateway), lay.node("revise_results")
        y = lay.lane_top(HR) + R1
        return [lay.side(gw, "top"), (lay.cx(gw), y), lay.side(target, "right")]

    return points


def _signed(gateway: str, target: str, route: str = "hv") -> list[Flow]:
    """A signing step's two ways on: approved to `target`, returned to HR for revision."""
    return [
        Flow(
            gateway,
            "revise_results",
            "退回",
            "Returned",
            'decision == "return"',
            route="points",
            points=[_returned(gateway)],
        ),
        Flow(gateway, target, "同意", "Approved", default=True, route=route),
    ]


FLOWS = [
    Flow("results_started", "compile_results"),
    Flow("compile_results", "approve_supervisor", route="hvh", mid_x=1.5),
    Flow("revise_results", "approve_supervisor", route="vertical"),
    Flow("approve_supervisor", "supervisor_check"),
    *_signed("supervisor_check", "approve_hr"),
    Flow("approve_hr", "hr_check"),
    *_signed("hr_check", "approve_director"),
    Flow("approve_director", "director_check"),
    *_signed("director_check", "approve_gm"),
    Flow("approve_gm", "gm_check"),
    *_signed("gm_check", "appeal_window", route="auto"),
    Flow("appeal_window", "results_final"),
]

DIAGRAM = Diagram(
    process_id="appraisal_results",
    name="绩效考核结果处理",
    name_en="Appraisal results",
    # started by the cycle launch job, never from the start page
    starters="admin",
    lanes=LANES,
    nodes=NODES,
    flows=FLOWS,
)
