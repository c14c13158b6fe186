"""People, roles and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base, utcnow

# role key -> (中文, English); the keys are what diagrams name in candidateGroups
ROLES: dict[str, tuple[str, str]] = {
    "admin": ("系统管理员", "Administrator"),
    "process_owner": ("流程负责人", "Process owner"),
    "gm": ("总经理", "General manager"),
    "plant_director": ("厂务部厂长", "Plant director"),
    "hr": ("人力资源部", "Human resources"),
    "dept_manager": ("部门经理", "Department manager"),
    "supervisor": ("售后工程部主管", "After-sales supervisor"),
    "customer_service": ("客服专员", "Customer service"),
    "repair_tech": ("维修工程师", "Repair technician"),
    "tech_support": ("技术支持", "Technical support"),
    "quality": ("质量投诉专员", "Quality complaints"),
    "returns": ("退换货专员", "Returns and exchanges"),
    "warehouse": ("备件管理", "Spare parts"),
    "rd": ("研发部", "R&D"),
    "production": ("生产部", "Production"),
    "qa": ("质量部", "Quality assurance"),
    "integration": ("系统集成", "Integration"),
}


def role_label(role: str, locale: str) -> str:
    zh, en = ROLES.get(role, (role, role))
    return zh if locale.startswith("zh") else en


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    # times are shown in this zone (None: the department's, AFTERSALES_TIMEZONE)
    timezone: Mapped[str | None] = mapped_column(String(50))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # the team within the department, e.g. 客服组 / 维修组 / 安装组 (free text, set by HR)
    group: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    manager: Mapped[User | None] = relationship(remote_side=[id])
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """Failed logins, kept in the database so the limit holds across processes."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)  # username and client address
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
