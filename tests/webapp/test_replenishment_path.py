"""The 3 % rule end to end: a family short of stock gets one replenishment case, the
warehouse receives parts through it, and the family is covered again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.webapp.repair_walk import do, open_tasks
from workflows.records.models import Customer, Part, Product, Unit
from workflows.records.replenishment import business_key, start_replenishment
from workflows.records.stock import family_stock

FAMILY = "t-replenish"


def test_a_short_family_is_replenished_through_the_warehouse(app, api):
    from webapp.extensions import db

    with app.app_context():
        customer = db.session.scalar(select(Customer).where(Customer.code == "C001"))
        product = Product(model="T-REPL-1", name="补货测试机型", part_family=FAMILY)
        db.session.add_all([product, Part(part_number="T-REPL-P", name="测试件", family=FAMILY)])
        db.session.flush()
        for n in range(40):  # 40 units in service: 3 % → 2 parts needed, 0 on hand
            db.session.add(
                Unit(
                    serial_number=f"T-REPL-{n:03d}",
                    product_id=product.id,
                    customer_id=customer.id,
                    production_batch="T-R",
                    delivered_on=date(2026, 1, 5),
                )
            )
        db.session.commit()
        started = start_replenishment(db.session)
        db.session.commit()
        ours = [i for i in started if i.business_key == business_key(FAMILY)]
        assert len(ours) == 1
        case_id = ours[0].id
        assert ours[0].summary["required"] == 2
        # a second check while the case is open starts no other
        again = start_replenishment(db.session)
        db.session.commit()
        assert business_key(FAMILY) not in {i.business_key for i in again}

    assert open_tasks(api, case_id)["replenish_family"]["role"] == "warehouse"
    do(api, case_id, "replenish_family", part_number="T-REPL-P", quantity=5, supplier_note="")
    assert open_tasks(api, case_id) == {}
    with app.app_context():
        row = next(r for r in family_stock(db.session) if r.family == FAMILY)
        assert (row.on_hand, row.required, row.ok) == (5, 2, True)
