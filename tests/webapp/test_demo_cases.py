"""The demo cases `flask demo load` starts: each waits where a persona has work to do."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.models import HumanTask, ProcessInstance
from workflows.appraisal.models import Appraisal, AppraisalCycle
from workflows.demo_cases import load_demo_cases
from workflows.sla.models import SlaClockRecord


def test_demo_cases_wait_for_each_persona(app):
    from webapp.extensions import db

    with app.app_context():
        newest = db.session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id.desc()))
        newest_cycle = db.session.scalar(select(func.max(AppraisalCycle.id)))
        assert load_demo_cases(db.session) == 4
        db.session.commit()
        cases = db.session.scalars(
            select(ProcessInstance).where(
                ProcessInstance.id > (newest or 0),
                ProcessInstance.process_key.in_(("customer_request", "returns_exchange")),
            )
        ).all()
        waiting = {
            case.id: sorted(
                db.session.scalars(
                    select(HumanTask.spec_name).where(
                        HumanTask.instance_id == case.id, HumanTask.status == "open"
                    )
                )
            )
            for case in cases
        }
        assert sorted(tasks[0] for tasks in waiting.values()) == [
            "record_quote_answer",
            "repair_unit",
            "review_eligibility",
            "verify_defect",
        ]
        quoted = next(i for i, tasks in waiting.items() if tasks == ["record_quote_answer"])
        resolve = db.session.scalar(
            select(SlaClockRecord).where(
                SlaClockRecord.instance_id == quoted, SlaClockRecord.kind == "resolve"
            )
        )
        assert resolve.due_at is None  # paused while the customer considers the quote

        # last quarter's appraisal is launched: the raters find their forms in the inbox
        cycle = db.session.scalar(
            select(AppraisalCycle).where(AppraisalCycle.id > (newest_cycle or 0))
        )
        assert cycle is not None and cycle.status == "rating"
        raters = db.session.scalars(
            select(HumanTask.assignee)
            .join(Appraisal, Appraisal.instance_id == HumanTask.instance_id)
            .where(Appraisal.cycle_id == cycle.id, HumanTask.status == "open")
        ).all()
        assert {"manager", "supervisor", "cs1", "cs2"} <= set(raters)
