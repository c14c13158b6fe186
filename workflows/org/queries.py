"""Reads on the organisation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import User, UserRole


def user_by_name(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)))


def users_with_role(session: Session, role: str) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == role, User.active.is_(True))
            .order_by(User.username)
        )
    )


def display_names(session: Session, usernames) -> dict[str, str]:
    names = {u for u in usernames if u}
    if not names:
        return {}
    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(names)))
    return dict(rows.all())
