"""Process 3, an appeal against a published appraisal (绩效申诉, Art. 6–7): the tables of
diagrams/appraisal_appeal.bpmn; `layout.py` writes it.

Started by the employee on their own published result (start form `appeal_start`; the effect
`appeal.open` checks it and returns the usernames of the employee's `superior` and
`skip_level` manager). The plant affairs office accepts the appeal, HR organises the hearing,
the direct superior gives a statement, the skip-level manager mediates; what the department
cannot settle goes to the GM office. HR records the outcome. Element ids, form keys and effects
follow docs/appraisal.md.
"""

from __future__ import annotations

from bpmn_kit import Diagram, Flow, Lane, Node

EMPLOYEE, DIRECTOR, HR, SUPERIOR, SKIP, GM = (
    "appellant",
    "plant_director",
    "hr",
    "superior",
    "skip_level",
    "gm",
)
LANES = [
    # people named per appeal, not roles: no `role` property
    Lane(EMPLOYEE, "申诉人", "Appellant", role=False),
    Lane(DIRECTOR, "厂务部（厂长）", "Plant affairs office"),
    Lane(HR, "人力资源部", "Human resources"),
    Lane(SUPERIOR, "直接上级", "Direct superior", role=False),
    Lane(SKIP, "隔级上级", "Skip-level manager", role=False),
    Lane(GM, "总经理办公室", "GM office"),
]


def task(id, name, name_en, lane, col, *, assignee=None, properties=()):
    return Node(
        id, "user", name, name_en, lane, col, form=id, assignee=assignee, properties=properties
    )


NODES = [
    Node(
        "appeal_filed",
        "start",
        "提出申诉",
        "Appeal filed",
        EMPLOYEE,
        0,
        form="appeal_start",
        properties=(("effect", "appeal.open"),),
    ),
    task("accept_appeal", "受理申诉", "Accept the appeal", DIRECTOR, 1),
    task("organise_hearing", "组织申诉处理", "Organise the hearing", HR, 2),
    task(
        "superior_statement",
        "直接上级说明情况",
        "Superior's statement",
        SUPERIOR,
        3,
        assignee="${superior}",
    ),
    task(
        "mediate_appeal",
        "隔级上级调解",
        "Mediate the appeal",
        SKIP,
        4,
        assignee="${skip_level}",
    ),
    Node("settled_check", "xor", "调解成功？", "Settled?", SKIP, 5),
    task("gm_office_decision", "总经理办公室裁决", "GM office decides", GM, 6),
    task(
        "record_appeal_outcome",
        "记录申诉结果",
        "Record the outcome",
        HR,
        7,
        properties=(("effect", "appeal.decide"),),
    ),
    Node("appeal_closed", "end", "申诉结束", "Appeal closed", HR, 8),
]

FLOWS = [
    Flow("appeal_filed", "accept_appeal"),
    Flow("accept_appeal", "organise_hearing"),
    Flow("organise_hearing", "superior_statement"),
    Flow("superior_statement", "mediate_appeal"),
    Flow("mediate_appeal", "settled_check"),
    Flow(
        "settled_check",
        "record_appeal_outcome",
        "已调解",
        "Settled",
        'settled == "yes"',
    ),
    Flow(
        "settled_check",
        "gm_office_decision",
        "未调解",
        "Not settled",
        default=True,
        label_below=True,
    ),
    Flow("gm_office_decision", "record_appeal_outcome", route="hv"),
    Flow("record_appeal_outcome", "appeal_closed"),
]

DIAGRAM = Diagram(
    process_id="appraisal_appeal",
    name="绩效申诉",
    name_en="Appraisal appeal",
    # every position that is appraised may appeal its own published result
    starters="supervisor,customer_service,repair_tech,tech_support",
    lanes=LANES,
    nodes=NODES,
    flows=FLOWS,
)
