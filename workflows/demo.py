"""The demo organisation of docs/API (everyone's password is `demo`) and its records:
customers, products, units in and out of warranty, spare parts and loaners."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .org.models import User
from .org.operations import create_user
from .records.models import Customer, LoanerUnit, Part, Product, Site, Unit
from .records.warranty import local_today

# username, display name, roles, manager
DEMO_USERS: list[tuple[str, str, tuple[str, ...], str | None]] = [
    ("admin", "系统管理员", ("admin",), None),
    ("owner", "流程负责人 王工", ("process_owner",), None),
    ("gm", "总经理 赵总", ("gm",), None),
    ("director", "厂长 钱厂长", ("plant_director",), "gm"),
    ("hr", "人力资源 孙敏", ("hr",), "director"),
    ("manager", "部门经理 李强", ("dept_manager",), "director"),
    ("supervisor", "售后主管 周伟", ("supervisor",), "manager"),
    ("cs1", "客服 吴芳", ("customer_service",), "supervisor"),
    ("cs2", "客服 郑丽", ("customer_service",), "supervisor"),
    ("tech1", "维修工程师 王磊", ("repair_tech",), "supervisor"),
    ("tech2", "维修工程师 冯涛", ("repair_tech",), "supervisor"),
    ("install1", "安装技术员 陈刚", ("tech_support",), "supervisor"),
    ("quality1", "质量投诉专员 褚静", ("quality",), "supervisor"),
    ("returns1", "退换货专员 卫東", ("returns",), "supervisor"),
    ("parts1", "备件管理员 蒋红", ("warehouse",), "supervisor"),
    ("rd1", "研发工程师 沈阳", ("rd",), "director"),
    ("prod1", "生产主管 韩梅", ("production",), "director"),
    ("qa1", "质量工程师 杨帆", ("qa",), "director"),
    ("api", "系统集成账号", ("integration",), None),
]
DEMO_PASSWORD = "demo"
# username -> group within the department (User.group)
DEMO_GROUPS: dict[str, str] = {
    "supervisor": "售后工程部",
    "cs1": "客服组",
    "cs2": "客服组",
    "tech1": "维修组",
    "tech2": "维修组",
    "install1": "安装组",
    "quality1": "质量组",
    "returns1": "物流备件组",
    "parts1": "物流备件组",
}


def is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(User)) == 0


def load_demo(session: Session) -> int:
    """Create the demo users and records (skipping any that exist); returns how many users
    were created."""
    created = load_demo_users(session)
    load_demo_records(session)
    return created


def load_demo_users(session: Session) -> int:
    """Create the demo users (skipping any that exist); returns how many were created."""
    existing = set(session.scalars(select(User.username)))
    by_name = {u.username: u for u in session.scalars(select(User))}
    created = 0
    for username, display_name, roles, manager in DEMO_USERS:
        if username in existing:
            continue
        by_name[username] = create_user(
            session,
            username,
            DEMO_PASSWORD,
            display_name=display_name,
            roles=roles,
            manager=by_name.get(manager) if manager else None,
            email=f"{username}@aftersales.example",
        )
        created += 1
    # demo users made before groups existed get theirs; a group someone set stays
    for username, group in DEMO_GROUPS.items():
        user = by_name.get(username)
        if user is not None and user.group is None:
            user.group = group
    session.flush()
    return created


class DemoSite(NamedTuple):
    name: str
    timezone: str = "Asia/Shanghai"
    hours: str = "08:30-12:00,13:00-17:30"
    weekdays: str = "mon-fri"
    holidays: str = "CN"


class DemoCustomer(NamedTuple):
    code: str
    name: str
    contract_tier: str
    contact_name: str
    phone: str
    site: DemoSite


class DemoProduct(NamedTuple):
    model: str
    name: str
    part_family: str
    warranty_months: int


class DemoUnit(NamedTuple):
    """Dates count in days from the day the demo is loaded, so warranty states stay true."""

    serial_number: str
    model: str
    customer: str
    production_batch: str
    delivered_days_ago: int
    accepted_days_ago: int | None = None
    warranty_months: int | None = None  # None: the product's
    manufacturer_end_in_days: int | None = None


class DemoPart(NamedTuple):
    part_number: str
    name: str
    family: str
    spec: str
    on_hand: int


DEMO_CUSTOMERS: list[DemoCustomer] = [
    DemoCustomer(
        "C001",
        "华东精密机械有限公司",
        "standard",
        "刘经理",
        "021-5555-0101",
        DemoSite("上海工厂", "Asia/Shanghai", "08:30-12:00,13:00-17:30", "mon-fri", "CN"),
    ),
    DemoCustomer("C002", "南方电子科技股份有限公司", "premium", "陈女士", "", DemoSite("深圳总部")),
    DemoCustomer(
        "C003",
        "Lion City Automation Pte Ltd",
        "standard",
        "Mr Tan",
        "",
        DemoSite("Singapore plant", "Asia/Singapore", "09:00-13:00,14:00-18:00", "mon-fri", "none"),
    ),
]

DEMO_PRODUCTS: list[DemoProduct] = [
    DemoProduct("CNC-500", "立式数控加工中心", "spindle", 12),
    DemoProduct("CNC-800", "卧式数控加工中心", "spindle", 48),
    DemoProduct("PLC-200", "可编程控制器", "controller", 60),
]

DEMO_UNITS: list[DemoUnit] = [
    DemoUnit("SN-C001-0001", "CNC-500", "C001", "B2026-03", 120, accepted_days_ago=110),
    DemoUnit("SN-C001-0002", "CNC-500", "C001", "B2024-07", 900),  # out of warranty
    DemoUnit("SN-C001-0003", "CNC-800", "C001", "B2025-01", 700),  # in: 48 months
    DemoUnit("SN-C002-0001", "PLC-200", "C002", "P2025-11", 300),
    # in warranty only thanks to the manufacturer's
    DemoUnit("SN-C002-0002", "CNC-500", "C002", "B2024-07", 500, manufacturer_end_in_days=100),
    DemoUnit("SN-C003-0001", "CNC-500", "C003", "B2026-03", 5),
    DemoUnit("SN-C003-0002", "PLC-200", "C003", "P2025-11", 20),
]

DEMO_PARTS: list[DemoPart] = [
    DemoPart("SP-SPD-01", "主轴轴承", "spindle", "7014C P4", 10),
    DemoPart("SP-SPD-02", "主轴电机", "spindle", "11kW", 1),
    DemoPart("SP-SPD-03", "拉刀机构", "spindle", "BT40", 0),
    DemoPart("SP-CTL-01", "CPU 模块", "controller", "PLC-200 CPU", 4),
    DemoPart("SP-CTL-02", "电源模块", "controller", "PSU-24V-5A", 2),
    DemoPart("SP-CTL-03", "电源模块（替代型号）", "controller", "PSU-24V-5A-B", 3),
]

# asset tag, product model
DEMO_LOANERS: list[tuple[str, str]] = [("LN-CNC-01", "CNC-500"), ("LN-PLC-01", "PLC-200")]


def _existing(session: Session, column) -> set[str]:
    return set(session.scalars(select(column)))


def load_demo_records(session: Session, today: date | None = None) -> int:
    """Create the demo records that do not exist yet, dated from `today` (local); returns how
    many rows were created."""
    today = today or local_today()
    created = 0

    customers = {c.code: c for c in session.scalars(select(Customer))}
    for spec in DEMO_CUSTOMERS:
        if spec.code in customers:
            continue
        customer = Customer(
            code=spec.code,
            name=spec.name,
            contract_tier=spec.contract_tier,
            contact_name=spec.contact_name,
            phone=spec.phone,
        )
        customer.sites = [Site(**spec.site._asdict())]
        session.add(customer)
        customers[spec.code] = customer
        created += 2

    products = {p.model: p for p in session.scalars(select(Product))}
    for spec in DEMO_PRODUCTS:
        if spec.model not in products:
            products[spec.model] = Product(**spec._asdict())
            session.add(products[spec.model])
            created += 1
    session.flush()

    serials = _existing(session, Unit.serial_number)
    for spec in DEMO_UNITS:
        if spec.serial_number in serials:
            continue
        product, customer = products[spec.model], customers[spec.customer]
        session.add(
            Unit(
                serial_number=spec.serial_number,
                product=product,
                customer=customer,
                site=customer.sites[0] if customer.sites else None,
                production_batch=spec.production_batch,
                delivered_on=today - timedelta(days=spec.delivered_days_ago),
                accepted_on=(
                    today - timedelta(days=spec.accepted_days_ago)
                    if spec.accepted_days_ago is not None
                    else None
                ),
                warranty_months=spec.warranty_months or product.warranty_months,
                manufacturer_warranty_end=(
                    today + timedelta(days=spec.manufacturer_end_in_days)
                    if spec.manufacturer_end_in_days is not None
                    else None
                ),
            )
        )
        created += 1

    part_numbers = _existing(session, Part.part_number)
    for spec in DEMO_PARTS:
        if spec.part_number not in part_numbers:
            session.add(Part(**spec._asdict()))
            created += 1

    tags = _existing(session, LoanerUnit.asset_tag)
    for tag, model in DEMO_LOANERS:
        if tag not in tags:
            session.add(LoanerUnit(asset_tag=tag, product=products[model]))
            created += 1
    session.flush()
    return created
