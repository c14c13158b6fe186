"""Warranty arithmetic at its edges: the last day, month ends, extensions, manufacturer terms."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from workflows.records.models import Customer, Product, Unit, WarrantyExtension
from workflows.records.warranty import (
    Terms,
    add_months,
    contract_end,
    effective_end,
    grant_extension,
    in_warranty,
    local_today,
    warranty_start,
)

D = date.fromisoformat
YEAR = Terms(delivered_on=D("2024-03-15"), warranty_months=12)  # last day 2025-03-14


@pytest.mark.parametrize(
    ("terms", "start", "contract", "effective"),
    [
        pytest.param(YEAR, "2024-03-15", "2025-03-14", "2025-03-14", id="one-year"),
        pytest.param(
            Terms(D("2024-03-01"), accepted_on=D("2024-03-20"), warranty_months=12),
            "2024-03-20",
            "2025-03-19",
            "2025-03-19",
            id="acceptance-starts-it",
        ),
        pytest.param(
            Terms(D("2024-03-01"), warranty_months=12),
            "2024-03-01",
            "2025-02-28",
            "2025-02-28",
            id="delivery-when-not-accepted",
        ),
        pytest.param(
            Terms(D("2024-01-31"), warranty_months=1),
            "2024-01-31",
            "2024-02-28",  # Jan 31 + 1 month clamps to Feb 29 (leap year), last day Feb 28
            "2024-02-28",
            id="jan-31-plus-a-month-leap",
        ),
        pytest.param(
            Terms(D("2023-01-31"), warranty_months=1),
            "2023-01-31",
            "2023-02-27",
            "2023-02-27",
            id="jan-31-plus-a-month",
        ),
        pytest.param(
            Terms(D("2024-02-29"), warranty_months=12),
            "2024-02-29",
            "2025-02-27",  # docs/records.md: 2024-02-29 + 12 months → 2025-02-28, last day 02-27
            "2025-02-27",
            id="feb-29-plus-a-year",
        ),
        pytest.param(
            Terms(D("2024-02-29"), warranty_months=48),
            "2024-02-29",
            "2028-02-28",
            "2028-02-28",
            id="feb-29-plus-four-years",
        ),
        pytest.param(
            Terms(D("2024-03-15"), warranty_months=12, extension_days=60),
            "2024-03-15",
            "2025-03-14",
            "2025-05-13",
            id="one-extension",
        ),
        pytest.param(
            Terms(D("2024-03-15"), warranty_months=12, extension_days=120),
            "2024-03-15",
            "2025-03-14",
            "2025-07-12",
            id="two-extensions",
        ),
        pytest.param(
            Terms(D("2024-03-15"), warranty_months=12, manufacturer_warranty_end=D("2025-06-30")),
            "2024-03-15",
            "2025-03-14",
            "2025-06-30",
            id="manufacturer-longer-wins",
        ),
        pytest.param(
            Terms(
                D("2024-03-15"),
                warranty_months=12,
                manufacturer_warranty_end=D("2025-06-30"),
                extension_days=60,
            ),
            "2024-03-15",
            "2025-03-14",
            "2025-08-29",
            id="extension-extends-the-manufacturer-warranty",
        ),
        pytest.param(
            Terms(D("2024-03-15"), warranty_months=12, manufacturer_warranty_end=D("2024-12-31")),
            "2024-03-15",
            "2025-03-14",
            "2025-03-14",
            id="manufacturer-shorter-ignored",
        ),
    ],
)
def test_warranty_dates(terms, start, contract, effective):
    assert warranty_start(terms) == D(start)
    assert contract_end(terms) == D(contract)
    assert effective_end(terms) == D(effective)
    # the last day is covered, the day after is not
    assert in_warranty(terms, D(effective))
    assert not in_warranty(terms, D(effective) + timedelta(days=1))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-11-30", 3, "2025-02-28"),
        ("2024-12-15", 1, "2025-01-15"),
        ("2024-03-31", 0, "2024-03-31"),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(D(day), months) == D(expected)


@pytest.mark.parametrize(
    ("now", "zone", "today"),
    [
        ("2026-01-01T15:59:00+00:00", None, "2026-01-01"),
        ("2026-01-01T16:00:00+00:00", None, "2026-01-02"),  # midnight in Shanghai
        ("2026-01-01T16:00:00+00:00", "UTC", "2026-01-01"),
        ("2026-01-01T16:00:00+00:00", "Asia/Singapore", "2026-01-02"),
    ],
)
def test_local_today_is_the_departments_day(monkeypatch, now, zone, today):
    if zone is None:
        monkeypatch.delenv("AFTERSALES_TIMEZONE", raising=False)
    else:
        monkeypatch.setenv("AFTERSALES_TIMEZONE", zone)
    with time_machine.travel(datetime.fromisoformat(now).astimezone(UTC), tick=False):
        assert local_today() == D(today)


def _unit(session, **terms) -> Unit:
    tag = uuid.uuid4().hex[:8]
    unit = Unit(
        serial_number=f"SN-W-{tag}",
        product=Product(model=f"W-{tag}", name="测试", part_family=f"w-{tag}"),
        customer=Customer(code=f"W-{tag}", name="测试客户"),
        production_batch="B-W",
        **terms,
    )
    session.add(unit)
    session.flush()
    return unit


def test_an_extension_granted_on_the_last_day_moves_the_end_60_days(db_session):
    unit = _unit(db_session, delivered_on=D("2024-03-15"), warranty_months=12)
    last_day = effective_end(unit)
    assert last_day == D("2025-03-14") and in_warranty(unit, last_day)

    first = grant_extension(db_session, unit, reason="无法修复", actor="tech1", on=last_day)
    assert (first.days, first.granted_on, first.granted_by) == (60, last_day, "tech1")
    assert unit.extension_days == 60
    assert effective_end(unit) == D("2025-05-13")
    assert in_warranty(unit, D("2025-05-13")) and not in_warranty(unit, D("2025-05-14"))

    # each unresolvable failure adds 60 more
    grant_extension(db_session, unit, reason="再次无法修复", actor="tech2", on=D("2025-05-01"))
    assert unit.extension_days == 120
    assert effective_end(unit) == D("2025-07-12")
    assert [(e.days, e.granted_by) for e in unit.extensions] == [(60, "tech1"), (60, "tech2")]
    assert db_session.get(WarrantyExtension, first.id).unit_id == unit.id


def test_an_extension_is_dated_today_by_default(db_session):
    unit = _unit(db_session, delivered_on=D("2024-03-15"), warranty_months=12)
    assert grant_extension(db_session, unit, reason="r", actor="tech1").granted_on == local_today()
    with pytest.raises(ValueError):
        grant_extension(db_session, unit, days=0, reason="r", actor="tech1")


def test_the_demo_units_are_in_and_out_of_warranty_as_described(db_session):
    from sqlalchemy import select

    from workflows.demo import DEMO_UNITS

    today = local_today()
    units = {
        u.serial_number: u
        for u in db_session.scalars(
            select(Unit).where(Unit.serial_number.in_([d.serial_number for d in DEMO_UNITS]))
        )
    }
    covered = {serial: in_warranty(unit, today) for serial, unit in units.items()}
    assert covered == {d.serial_number: d.serial_number != "SN-C001-0002" for d in DEMO_UNITS}
    # in warranty only thanks to the manufacturer
    thanks = units["SN-C002-0002"]
    assert contract_end(thanks) < today <= thanks.manufacturer_warranty_end
