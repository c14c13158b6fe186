"""Reads on the organisation."""

from __future__ import annotations

from dataclasses import dataclass, field

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


# -- the org chart: who reports to whom ------------------------------------------------------------
def direct_reports(session: Session, user: User) -> list[User]:
    """Active users whose manager is `user` (the appraisal's subordinates), by username."""
    return list(
        session.scalars(
            select(User)
            .where(User.manager_id == user.id, User.active.is_(True))
            .order_by(User.username)
        )
    )


def peers(session: Session, user: User) -> list[User]:
    """Active users with the same manager and a role in common with `user`, minus `user`.

    Nobody without a manager or without a role has peers."""
    if user.manager_id is None or not user.roles:
        return []
    return list(
        session.scalars(
            select(User)
            .where(
                User.manager_id == user.manager_id,
                User.active.is_(True),
                User.id != user.id,
                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(sorted(user.roles)))),
            )
            .order_by(User.username)
        )
    )


def superior(session: Session, user: User) -> User | None:
    """The person's manager, or None when they have none or the manager is no longer active."""
    manager = session.get(User, user.manager_id) if user.manager_id is not None else None
    return manager if manager is not None and manager.active else None


def skip_level(session: Session, user: User) -> User | None:
    """The manager's manager (who mediates an appeal), or None."""
    above = superior(session, user)
    return superior(session, above) if above is not None else None


@dataclass
class OrgNode:
    """One person on the org chart with the people who report to them."""

    user: User
    reports: list[OrgNode] = field(default_factory=list)


def org_chart(session: Session) -> list[OrgNode]:
    """The active users as a forest: people with no active manager at the top, reports under
    their manager, each level by username."""
    users = active_users(session)
    ids = {u.id for u in users}
    under: dict[int | None, list[User]] = {}
    for user in users:
        under.setdefault(user.manager_id if user.manager_id in ids else None, []).append(user)
    placed: set[int] = set()

    def node(user: User) -> OrgNode:
        placed.add(user.id)
        return OrgNode(user, [node(r) for r in under.get(user.id, []) if r.id not in placed])

    tops = [node(u) for u in under.get(None, [])]
    # a reporting loop written before the checks existed has no top: show it from anywhere
    tops += [node(u) for u in users if u.id not in placed]
    return tops


def group_names(session: Session) -> list[str]:
    """The groups people are in now, for suggestions."""
    rows = session.scalars(select(User.group).where(User.group.is_not(None)).distinct())
    return sorted(g for g in rows if g)
