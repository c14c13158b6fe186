"""The demo organisation of docs/API: everyone's password is `demo`."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .org.models import User
from .org.operations import create_user

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


def is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(User)) == 0


def load_demo(session: Session) -> int:
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
    return created
