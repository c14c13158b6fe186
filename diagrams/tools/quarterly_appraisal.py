"""Process 3, the quarterly appraisal of one person (季度绩效考核): the tables of
diagrams/quarterly_appraisal.bpmn; `layout.py` writes it.

Started by the cycle launch job (as the system) for each person in scope, with `cycle_id`,
`appraisal_id`, `employee`, `employee_name`, `kind` (supervisor | specialist) and the raters:
`performance_raters` (the superior) and `competency_raters` (superior, peers, subordinates).
Each rater gets their own task, assigned by name (one instance per rater of a parallel
multi-instance task, the rater in `rater`). Element ids, form keys and effects follow
docs/appraisal.md.
"""

from __future__ import annotations

from bpmn_kit import Diagram, Flow, Lane, Node

RATERS = "raters"
LANES = [
    # people named per appraisal, not a role: no `role` property, each task names its rater
    Lane(RATERS, "评分人", "Raters", height=480, role=False),
]
# the supervisor's forms on two rows above the main line, the specialist's on two below
MAIN, SUP, SPEC = 240, 120, 360
ROW = 60  # a form's row from its branch's line


def rate(id, name, name_en, col, y, collection):
    return Node(
        id,
        "user",
        name,
        name_en,
        RATERS,
        col,
        form=id.removeprefix("rate_"),
        assignee="${rater}",
        y=y,
        each=(collection, "rater"),
        # ratings are filed as records, anonymous to the person rated: not in the case data
        properties=(("effect", "appraisal.rate"), ("private", "true")),
    )


NODES = [
    Node("appraisal_started", "start", "考核开始", "Appraisal started", RATERS, 0, y=MAIN),
    Node(
        "kind_check",
        "xor",
        "岗位类别？",
        "Kind of position?",
        RATERS,
        1,
        y=MAIN,
        label_at="above_left",
    ),
    Node("supervisor_forms", "and", "", "", RATERS, 2, y=SUP),
    Node("specialist_forms", "and", "", "", RATERS, 2, y=SPEC),
    rate(
        "rate_performance_supervisor",
        "工作业绩评估（主管）",
        "Rate performance (supervisor)",
        3,
        SUP - ROW,
        "performance_raters",
    ),
    rate(
        "rate_competency_supervisor",
        "综合能力评估（主管）",
        "Rate competency (supervisor)",
        3,
        SUP + ROW,
        "competency_raters",
    ),
    rate(
        "rate_performance_specialist",
        "工作业绩评估（专员）",
        "Rate performance (specialist)",
        3,
        SPEC - ROW,
        "performance_raters",
    ),
    rate(
        "rate_competency_specialist",
        "综合能力评估（专员）",
        "Rate competency (specialist)",
        3,
        SPEC + ROW,
        "competency_raters",
    ),
    Node("supervisor_rated", "and", "", "", RATERS, 4, y=SUP),
    Node("specialist_rated", "and", "", "", RATERS, 4, y=SPEC),
    Node("kind_merge", "xor", "", "", RATERS, 5, y=MAIN),
    Node("appraisal_rated", "end", "评分完成", "Rated", RATERS, 6, y=MAIN),
]

FLOWS = [
    Flow("appraisal_started", "kind_check"),
    Flow("kind_check", "supervisor_forms", "主管", "Supervisor", 'kind == "supervisor"'),
    Flow("kind_check", "specialist_forms", "专员", "Specialist", 'kind == "specialist"'),
    Flow("supervisor_forms", "rate_performance_supervisor"),
    Flow("supervisor_forms", "rate_competency_supervisor"),
    Flow("specialist_forms", "rate_performance_specialist"),
    Flow("specialist_forms", "rate_competency_specialist"),
    Flow("rate_performance_supervisor", "supervisor_rated"),
    Flow("rate_competency_supervisor", "supervisor_rated"),
    Flow("rate_performance_specialist", "specialist_rated"),
    Flow("rate_competency_specialist", "specialist_rated"),
    Flow("supervisor_rated", "kind_merge", route="hv"),
    Flow("specialist_rated", "kind_merge", route="hv"),
    Flow("kind_merge", "appraisal_rated"),
]

DIAGRAM = Diagram(
    process_id="quarterly_appraisal",
    name="季度绩效考核",
    name_en="Quarterly appraisal",
    # started by the cycle launch job, never from the start page
    starters="admin",
    lanes=LANES,
    nodes=NODES,
    flows=FLOWS,
)
