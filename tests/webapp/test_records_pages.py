"""The record pages as the department reads them: search, a customer, a unit with its warranty
and history, a repair order, stock, returns, failures; who may read them; a case's Records panel.

The records are written here directly with the models (the processes that write them are
tested on their own), on a customer and product of their own so other tests are not disturbed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.models import ProcessDefinition, ProcessInstance
from engine.runtime import Actor
from workflows import permissions
from workflows.org.models import ROLES
from workflows.records.models import (
    Customer,
    FailureRecord,
    LoanerUnit,
    Part,
    PartReservation,
    Product,
    RepairOrder,
    ReturnRequest,
    ServiceCase,
    Site,
    StockMovement,
    Unit,
    WarrantyExtension,
)
from workflows.records.warranty import add_months, local_today

_FIELD_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

CUSTOMER_CODE = "T-REC"
IN_WARRANTY = "SN-TREC-0001"
EXPIRED = "SN-TREC-0002"


@dataclass(frozen=True)
class RecordSet:
    customer_id: int
    unit_id: int
    expired_unit_id: int
    case_id: int  # the customer request's instance, which holds the service case and repair
    return_case_id: int
    repair_id: int
    return_id: int


def _instance(session, business_key: str) -> ProcessInstance:
    """A finished case row to hang records on; no process runs for it."""
    definition = session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == "customer_request")
        .order_by(ProcessDefinition.version.desc())
    )
    now = datetime.now(UTC)
    instance = ProcessInstance(
        definition_id=definition.id,
        process_key=definition.key,
        definition_version=definition.version,
        status="completed",
        business_key=business_key,
        state="{}",
        serializer_version="test",
        started_by="cs1",
        started_at=now - timedelta(days=20),
        ended_at=now,
        summary={},
    )
    session.add(instance)
    return instance


def record_set(session) -> RecordSet:
    """A customer with a unit in warranty that was repaired once (a part consumed, a loaner
    lent, 60 days of extension, a failure recorded) and returned once, and a unit out of
    warranty; created on first use."""
    customer = session.scalar(select(Customer).where(Customer.code == CUSTOMER_CODE))
    if customer is None:
        _create(session)
        session.commit()
        customer = session.scalar(select(Customer).where(Customer.code == CUSTOMER_CODE))
    units = {
        u.serial_number: u
        for u in session.scalars(select(Unit).where(Unit.customer_id == customer.id))
    }
    order = session.scalar(select(RepairOrder).where(RepairOrder.customer_id == customer.id))
    rma = session.scalar(select(ReturnRequest).where(ReturnRequest.customer_id == customer.id))
    return RecordSet(
        customer.id,
        units[IN_WARRANTY].id,
        units[EXPIRED].id,
        order.instance_id,
        rma.instance_id,
        order.id,
        rma.id,
    )


def _create(session) -> None:
    today = local_today()
    now = datetime.now(UTC)
    customer = Customer(
        code=CUSTOMER_CODE,
        name="档案测试精工有限公司",
        contact_name="赵工",
        phone="0512-0000-0000",
        email="zhao@trec.example",
        contract_tier="premium",
    )
    site = Site(
        name="苏州测试工厂",
        address="苏州工业园区",
        timezone="Asia/Shanghai",
        hours="08:00-12:00,13:00-17:00",
        weekdays="mon-sat",
        holidays="CN",
    )
    customer.sites = [site]
    product = Product(model="TREC-100", name="档案测试机", part_family="trec", warranty_months=12)
    unit = Unit(
        serial_number=IN_WARRANTY,
        product=product,
        customer=customer,
        site=site,
        production_batch="TB-01",
        delivered_on=today - timedelta(days=100),
        accepted_on=today - timedelta(days=95),
        warranty_months=12,
    )
    expired = Unit(
        serial_number=EXPIRED,
        product=product,
        customer=customer,
        site=site,
        production_batch="TB-02",
        delivered_on=today - timedelta(days=800),
        warranty_months=12,
    )
    part = Part(
        part_number="SP-TREC-01", name="测试轴承", family="trec", spec="6204", on_hand=5, reserved=0
    )
    loaner = LoanerUnit(asset_tag="LN-TREC-01", product=product, status="on_loan")
    case = _instance(session, "TREC-CASE")
    return_case = _instance(session, "TREC-RMA")
    session.add_all([customer, product, unit, expired, part, loaner])
    session.flush()

    service_case = ServiceCase(
        instance_id=case.id,
        customer=customer,
        unit=unit,
        customer_name=customer.name,
        channel="phone",
        category="repair",
        priority="high",
        description="主轴异响",
        status="closed",
        received_at=now - timedelta(days=20),
        first_reply_at=now - timedelta(days=20, hours=-1),
        onsite_at=now - timedelta(days=19),
        resolved_at=now - timedelta(days=10),
        closed_at=now - timedelta(days=9),
    )
    session.add(service_case)
    session.flush()
    order = RepairOrder(
        instance_id=case.id,
        service_case_id=service_case.id,
        unit=unit,
        customer=customer,
        mode="onsite",
        reported_fault="主轴异响，转速不稳",
        engineer="tech1",
        in_warranty=True,
        warranty_end=today + timedelta(days=270),
        diagnosis="主轴轴承磨损",
        resolution="replaced_part",
        labour_hours=Decimal("2.50"),
        charge=Decimal("0"),
        loaner=loaner,
        loaner_issued_at=now - timedelta(days=17),
        acceptance=[
            {"item": "appearance", "accepted": True, "remark": ""},
            {"item": "function", "accepted": True, "remark": "运行平稳"},
            {"item": "accessories", "accepted": True, "remark": ""},
            {"item": "documents", "accepted": False, "remark": "说明书补寄"},
        ],
        accepted_by_name="赵工",
        accepted_at=now - timedelta(days=10),
        status="closed",
        opened_at=now - timedelta(days=19),
        closed_at=now - timedelta(days=9),
    )
    session.add(order)
    session.flush()
    session.add_all(
        [
            PartReservation(part=part, repair_order=order, quantity=1, status="consumed"),
            StockMovement(
                part_id=part.id, kind="consume", quantity=1, repair_order_id=order.id, actor="tech1"
            ),
            StockMovement(
                loaner_id=loaner.id,
                kind="loaner_out",
                quantity=1,
                repair_order_id=order.id,
                actor="parts1",
            ),
            WarrantyExtension(
                unit=unit,
                days=60,
                granted_on=today - timedelta(days=12),
                reason="无法修复的故障",
                repair_order_id=order.id,
                granted_by="tech1",
            ),
            FailureRecord(
                repair_order_id=order.id,
                unit=unit,
                product=product,
                production_batch="TB-01",
                phenomenon="主轴轴承磨损导致异响",
                problem_type="material",
                recorded_by="tech1",
            ),
            ReturnRequest(
                instance_id=return_case.id,
                unit=unit,
                customer=customer,
                kind="exchange",
                reason_code="quality_defect",
                reason="更换后仍有异响",
                days_since_delivery=100,
                eligible=True,
                policy_rule="quality defect in warranty: exchange",
                inspection_ok=True,
                inspection_result="确认异响",
                outcome="exchange",
                status="closed",
            ),
        ]
    )
    unit.extension_days = 60


@pytest.fixture
def records(app) -> RecordSet:
    from webapp.extensions import db

    with app.app_context():
        return record_set(db.session)


class Reader:
    """A browser session of one person, logged in through the login page."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        token = _FIELD_TOKEN.search(self.client.get("/login").get_data(as_text=True))[1]
        response = self.client.post(
            "/login", data={"username": username, "password": "demo", "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    def get(self, path: str, lang: str = "zh_CN"):
        separator = "&" if "?" in path else "?"
        return self.client.get(f"{path}{separator}lang={lang}")

    def page(self, path: str, lang: str = "zh_CN") -> str:
        response = self.get(path, lang)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def reader(app):
    return lambda username: Reader(app, username)


# -- who may read ---------------------------------------------------------------------------------
DEPARTMENT = {
    "admin",
    "process_owner",
    "dept_manager",
    "supervisor",
    "customer_service",
    "repair_tech",
    "tech_support",
    "quality",
    "returns",
    "warehouse",
    "integration",
}
FAILURES_ONLY = {"gm", "plant_director", "rd", "production", "qa"}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_read_records(role):
    actor = Actor("someone", frozenset({role}))
    assert permissions.may_view_records(actor) is (role in DEPARTMENT)
    assert permissions.may_view_failures(actor) is (role in DEPARTMENT | FAILURES_ONLY)


def test_nobody_without_a_role_reads_records():
    nobody = Actor("nobody")
    assert not permissions.may_view_records(nobody) and not permissions.may_view_failures(nobody)


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("cs1", "/records/units", 200),
        ("parts1", "/records/parts", 200),
        ("returns1", "/records/returns", 200),
        ("hr", "/records/units", 403),
        ("hr", "/records/failures", 403),
        ("rd1", "/records/failures", 200),
        ("rd1", "/records/customers", 403),
        ("gm", "/records/repairs", 403),
        ("qa1", "/records/failures", 200),
    ],
)
def test_pages_are_for_those_allowed(reader, records, username, path, status):
    assert reader(username).get(path).status_code == status


def test_the_refusal_says_why(reader):
    page = reader("hr").get("/records/units", "en").get_data(as_text=True)
    assert "Only the after-sales department may read its records." in page
    page = reader("hr").get("/records/failures").get_data(as_text=True)
    assert "您的角色无权查看故障记录和返修率。" in page


def test_detail_pages_are_forbidden_too(reader, records):
    hr = reader("hr")
    assert hr.get(f"/records/units/{records.unit_id}").status_code == 403
    assert hr.get(f"/records/repairs/{records.repair_id}").status_code == 403


def test_not_logged_in_goes_to_the_login_page(app):
    response = app.test_client().get("/records/units")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("username", "target"), [("cs1", "/records/units"), ("rd1", "/records/failures")]
)
def test_navbar_leads_to_what_one_may_read(reader, username, target):
    person = reader(username)
    assert 'data-testid="nav-records"' in person.page("/tasks")
    response = person.get("/records")
    assert response.status_code == 302 and response.headers["Location"].startswith(target)


def test_no_records_link_for_those_who_may_not(reader):
    assert 'data-testid="nav-records"' not in reader("hr").page("/tasks")


# -- customers and units --------------------------------------------------------------------------
def test_customer_search_and_page(reader, records):
    cs1 = reader("cs1")
    found = cs1.page("/records/customers?q=C001")
    assert 'data-code="C001"' in found and "华东精密机械有限公司" in found
    assert 'data-code="C002"' not in found
    page = cs1.page(f"/records/customers/{records.customer_id}")
    assert "档案测试精工有限公司" in page and "赵工" in page and "0512-0000-0000" in page
    assert 'data-tier="premium"' in page and "尊享7×24合同" in page
    # the site's business calendar
    assert "苏州测试工厂" in page and "Asia/Shanghai" in page and "08:00-12:00, 13:00-17:00" in page
    assert "周一至周六" in page and "中国法定节假日" in page
    assert f'data-serial="{IN_WARRANTY}"' in page and f'data-serial="{EXPIRED}"' in page
    assert f"/records/repairs/{records.repair_id}" in page
    assert f"/records/returns/{records.return_id}" in page
    assert f'href="/cases/{records.case_id}"' in page  # the service case
    english = cs1.page(f"/records/customers/{records.customer_id}", "en")
    assert "Sites and business calendars" in english and "Premium 24×7 contract" in english
    assert "Monday to Saturday" in english


def test_search_finds_a_demo_unit_by_serial(reader):
    page = reader("cs1").page("/records/units?q=SN-C001-0001")
    assert re.findall(r'data-testid="unit-row" data-serial="([^"]+)"', page) == ["SN-C001-0001"]
    assert "华东精密机械有限公司" in page and "CNC-500" in page


def test_search_by_customer_and_model(reader, records):
    cs1 = reader("cs1")
    by_customer = cs1.page("/records/units?q=档案测试精工")
    assert f'data-serial="{IN_WARRANTY}"' in by_customer
    assert f'data-serial="{EXPIRED}"' in by_customer
    assert 'data-serial="SN-C001-0001"' not in by_customer
    assert f'data-serial="{IN_WARRANTY}"' in cs1.page("/records/units?q=TREC-100")
    assert 'data-testid="empty"' in cs1.page("/records/units?q=no-such-serial")


def test_unit_page_shows_warranty_and_full_history(reader, records):
    cs1 = reader("cs1")
    page = cs1.page(f"/records/units/{records.unit_id}")
    assert IN_WARRANTY in page and "TREC-100" in page and "TB-01" in page and "苏州测试工厂" in page
    assert 'data-in-warranty="true"' in page and "保修期内" in page
    # accepted 95 days ago, 12 months, plus 60 days of extension
    end = re.search(r'data-warranty-end="([\d-]+)"', page)[1]
    accepted = local_today() - timedelta(days=95)
    assert end == (add_months(accepted, 12) + timedelta(days=59)).isoformat()
    assert 'data-testid="extension-row"' in page and "无法修复的故障" in page
    kinds = re.findall(r'data-testid="history-entry" data-kind="(\w+)"', page)
    assert set(kinds) == {
        "service_case",
        "repair_order",
        "return_request",
        "failure_record",
        "warranty_extension",
    }
    assert f'href="/cases/{records.case_id}"' in page
    assert f"/records/repairs/{records.repair_id}" in page
    assert f"/records/returns/{records.return_id}" in page
    english = cs1.page(f"/records/units/{records.unit_id}", "en")
    assert "Service history" in english and "In warranty" in english and "Failure record" in english


def test_expired_unit_says_so(reader, records):
    page = reader("cs1").page(f"/records/units/{records.expired_unit_id}")
    assert 'data-in-warranty="false"' in page and "已过保" in page
    assert "尚无任何服务记录" in page
    assert "Out of warranty" in reader("cs1").page(
        f"/records/units/{records.expired_unit_id}", "en"
    )


# -- repair orders --------------------------------------------------------------------------------
def test_repair_list_filters(reader, records):
    cs1 = reader("cs1")
    page = cs1.page(f"/records/repairs?serial={IN_WARRANTY}")
    assert re.findall(r'data-repair-id="(\d+)"', page) == [str(records.repair_id)]
    assert f'data-repair-id="{records.repair_id}"' in cs1.page("/records/repairs?status=closed")
    assert f'data-repair-id="{records.repair_id}"' not in cs1.page("/records/repairs?status=open")
    assert cs1.get("/records/repairs?status=nonsense").status_code == 400


def test_repair_page(reader, records):
    tech1 = reader("tech1")
    page = tech1.page(f"/records/repairs/{records.repair_id}")
    assert "主轴异响，转速不稳" in page and "主轴轴承磨损" in page
    assert "维修工程师 王磊" in page  # the engineer by name
    assert "更换备件" in page and "上门维修" in page
    assert 'data-part="SP-TREC-01" data-status="consumed"' in page
    assert "LN-TREC-01" in page
    items = re.findall(r'data-item="(\w+)" data-accepted="(\w+)"', page)
    assert items == [
        ("appearance", "true"),
        ("function", "true"),
        ("accessories", "true"),
        ("documents", "false"),
    ]
    assert "赵工" in page and "说明书补寄" in page
    assert f'href="/cases/{records.case_id}"' in page
    english = tech1.page(f"/records/repairs/{records.repair_id}", "en")
    assert "Customer acceptance" in english and "Part replaced" in english
    assert "On-site repair" in english


# -- parts, returns, failures ---------------------------------------------------------------------
def test_parts_page(reader, records):
    page = reader("parts1").page("/records/parts")
    assert 'data-part="SP-TREC-01"' in page and 'data-part="SP-SPD-01"' in page
    assert 'data-family="trec" data-ok="true"' in page
    assert re.search(r'data-family="\w+" data-ok="(true|false)"', page)
    assert 'data-tag="LN-TREC-01" data-status="on_loan"' in page
    assert 'data-tag="LN-CNC-01"' in page
    assert 'data-testid="movement-row" data-kind="consume"' in page
    assert "3 %" in reader("parts1").page("/records/parts", "en")


def test_return_pages(reader, records):
    returns1 = reader("returns1")
    assert f'data-return-id="{records.return_id}"' in returns1.page("/records/returns")
    assert f'data-return-id="{records.return_id}"' not in returns1.page(
        "/records/returns?status=open"
    )
    page = returns1.page(f"/records/returns/{records.return_id}")
    assert "更换后仍有异响" in page and "quality defect in warranty: exchange" in page
    assert 'data-outcome="exchange"' in page and "确认异响" in page
    assert f'href="/cases/{records.return_case_id}"' in page
    assert "Policy rule that decided it" in returns1.page(
        f"/records/returns/{records.return_id}", "en"
    )


def test_failures_and_repair_rates(reader, records):
    page = reader("quality1").page("/records/failures")
    assert 'data-model="TREC-100" data-batch=""' in page  # the product's total
    row = re.search(r'data-model="TREC-100" data-batch="TB-01".*?</tr>', page, re.S)[0]
    assert re.findall(r'class="text-end">([^<]+)<', row) == ["1", "1", "100.0%"]
    assert f'data-serial="{IN_WARRANTY}"' in page and "物料/供应商" in page
    assert f"/records/units/{records.unit_id}" in page
    # outside the department: the figures, without links to records they may not open
    rd = reader("rd1").page("/records/failures")
    assert f'data-serial="{IN_WARRANTY}"' in rd and f"/records/units/{records.unit_id}" not in rd
    assert 'data-testid="records-nav"' not in rd
    assert "Repair rate by product and production batch" in reader("rd1").page(
        "/records/failures", "en"
    )


@pytest.mark.parametrize("kind", ["customers", "units", "repairs", "returns"])
def test_unknown_ids_are_404(reader, kind):
    assert reader("cs1").get(f"/records/{kind}/999999").status_code == 404


# -- the case page --------------------------------------------------------------------------------
def test_case_page_shows_the_records_panel(reader, records):
    cs1 = reader("cs1")
    page = cs1.page(f"/cases/{records.case_id}")
    assert 'data-testid="records-panel"' in page
    reached = dict(re.findall(r'data-milestone="(\w+)" data-reached="(\w+)"', page))
    assert reached == {
        "received": "true",
        "first_reply": "true",
        "onsite": "true",
        "resolved": "true",
        "closed": "true",
    }
    assert f'data-testid="case-repair" data-repair-id="{records.repair_id}"' in page
    assert f'href="/records/repairs/{records.repair_id}"' in page
    assert f'href="/records/units/{records.unit_id}"' in page
    english = cs1.page(f"/cases/{records.case_id}", "en")
    assert "First reply" in english and f"Repair order #{records.repair_id}" in english

    returns = cs1.page(f"/cases/{records.return_case_id}")
    assert f'data-testid="case-return" data-return-id="{records.return_id}"' in returns
    assert 'data-testid="case-repair"' not in returns


def test_case_page_without_records_has_no_panel(reader, records, app):
    from webapp.extensions import db

    with app.app_context():
        bare = _instance(db.session, "TREC-BARE")
        db.session.commit()
        bare_id = bare.id
    assert 'data-testid="records-panel"' not in reader("cs1").page(f"/cases/{bare_id}")
