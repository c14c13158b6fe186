"""Writes on the organisation: users, passwords, tokens, login throttling, and the org chart
(managers, roles, groups). Flush only."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from engine.errors import field_message, fields_invalid
from engine.models import utcnow
from engine.runtime import Actor

from .. import permissions
from .models import ROLES, ApiToken, LoginAttempt, User, UserRole

TOKEN_LIFETIME = timedelta(hours=12)
MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW = timedelta(minutes=15)
# checked against when the username is unknown, so timing does not reveal which usernames exist
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    display_name: str | None = None,
    roles: tuple[str, ...] = (),
    manager: User | None = None,
    email: str | None = None,
    locale: str = "zh_CN",
) -> User:
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
        manager=manager,
        email=email,
        locale=locale,
    )
    user.role_rows = [UserRole(role=r) for r in roles]
    session.add(user)
    session.flush()
    return user


class TooManyAttempts(Exception):
    """Login refused until the window passes."""


def _throttle_key(username: str, client: str) -> str:
    return f"{username.lower()}|{client}"


def authenticate(session: Session, username: str, password: str, client: str = "") -> User | None:
    """The active user with these credentials, or None; raises TooManyAttempts when throttled."""
    key = _throttle_key(username, client)
    since = utcnow() - FAILED_LOGIN_WINDOW
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.key == key, LoginAttempt.at > since)
    )
    if failures >= MAX_FAILED_LOGINS:
        raise TooManyAttempts()
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
    elif check_password_hash(user.password_hash, password):
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))
        return user
    session.add(LoginAttempt(key=key))
    session.flush()
    return None


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + TOKEN_LIFETIME
    session.add(ApiToken(token_hash=_hash_token(token), user_id=user.id, expires_at=expires_at))
    session.flush()
    return token, expires_at


def user_for_token(session: Session, token: str) -> User | None:
    # token, user and roles in one round trip: this runs on every API request
    row = session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == _hash_token(token))
        .options(joinedload(ApiToken.user).joinedload(User.role_rows))
    )
    if row is None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row.user


# -- the org chart: managers, roles, groups ------------------------------------------------------
class _Unset:
    """A field the caller leaves as it is."""


UNSET: Any = _Unset()
GROUP_MAX = 50


def _manager_error(user: User, manager: User | None, name: Any, locale: str) -> list[str] | None:
    """Why `manager` cannot be the person's manager, or None when they can."""
    if manager is None or not manager.active:
        return field_message(
            locale,
            f"There is no active user '{name}'. Choose a person from the list.",
            f"没有在职用户“{name}”。请从列表中选择人员。",
        )
    if manager.id == user.id:
        return field_message(
            locale,
            f"{user.display_name} cannot report to themselves. Choose someone else, or nobody.",
            f"{user.display_name} 不能向自己汇报。请选择其他人，或不设上级。",
        )
    above = manager
    seen = set()
    while above is not None and above.id not in seen:
        if above.id == user.id:
            return field_message(
                locale,
                f"{user.display_name} cannot report to {manager.display_name}: "
                f"{manager.display_name} already reports to {user.display_name}, directly or "
                f"through others. Choose someone outside {user.display_name}'s team.",
                f"{user.display_name} 不能向 {manager.display_name} 汇报：{manager.display_name} "
                f"已直接或间接向 {user.display_name} 汇报，这会形成汇报环。"
                f"请选择 {user.display_name} 团队以外的人员。",
            )
        seen.add(above.id)
        above = above.manager
    return None


def update_org(
    session: Session,
    user: User,
    actor: Actor,
    *,
    manager: str | None = UNSET,
    roles: Iterable[str] = UNSET,
    group: str | None = UNSET,
    locale: str = "zh_CN",
) -> User:
    """Set the person's manager (a username, or None for nobody), roles and group; fields left
    UNSET stay. All or nothing: InvalidData (422) per field, Forbidden (403) for the actor."""
    permissions.require_edit_org(actor)
    errors: dict[str, list[str]] = {}
    new_manager: User | None = None
    if manager is not UNSET and manager not in (None, ""):
        if isinstance(manager, str):
            new_manager = session.scalar(select(User).where(User.username == manager))
        problem = _manager_error(user, new_manager, manager, locale)
        if problem:
            errors["manager"] = problem
    new_roles: set[str] = set()
    if roles is not UNSET:
        if not isinstance(roles, list | tuple | set | frozenset) or not all(
            isinstance(r, str) for r in roles
        ):
            errors["roles"] = field_message(
                locale, "Send a list of role keys.", "请提交角色代码的列表。"
            )
        else:
            new_roles = set(roles)
            unknown = sorted(new_roles - set(ROLES))
            if unknown:
                errors["roles"] = field_message(
                    locale,
                    f"Unknown role(s): {', '.join(unknown)}. Choose from the list.",
                    f"未知角色：{'、'.join(unknown)}。请从列表中选择。",
                )
            elif "admin" in user.roles - new_roles and user.username == actor.username:
                errors["roles"] = field_message(
                    locale,
                    "You cannot take the administrator role from yourself; ask another "
                    "administrator.",
                    "您不能收回自己的系统管理员角色；请让另一位系统管理员操作。",
                )
    new_group: str | None = None
    if group is not UNSET and group is not None:
        if not isinstance(group, str) or len(group.strip()) > GROUP_MAX:
            errors["group"] = field_message(
                locale,
                f"Enter a group name of at most {GROUP_MAX} characters.",
                f"请输入不超过 {GROUP_MAX} 个字符的组名。",
            )
        else:
            new_group = group.strip() or None
    if errors:
        raise fields_invalid(errors)

    if roles is not UNSET:
        for role in sorted(new_roles ^ user.roles):
            permissions.require_change_role(actor, role)
        kept = [r for r in user.role_rows if r.role in new_roles]
        user.role_rows = kept + [UserRole(role=r) for r in sorted(new_roles - user.roles)]
    if manager is not UNSET:
        user.manager = new_manager
    if group is not UNSET:
        user.group = new_group
    session.flush()
    return user


def set_manager(
    session: Session, user: User, manager: str | None, actor: Actor, *, locale: str = "zh_CN"
) -> User:
    """Make `manager` (a username; None: nobody) the person's manager; no reporting loops."""
    return update_org(session, user, actor, manager=manager, locale=locale)


def set_roles(
    session: Session, user: User, roles: Iterable[str], actor: Actor, *, locale: str = "zh_CN"
) -> User:
    """Give the person exactly these roles (keys of ROLES)."""
    return update_org(session, user, actor, roles=roles, locale=locale)


def set_group(
    session: Session, user: User, group: str | None, actor: Actor, *, locale: str = "zh_CN"
) -> User:
    """Put the person in a group (None or blank: no group)."""
    return update_org(session, user, actor, group=group, locale=locale)
