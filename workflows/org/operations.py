"""Writes on the organisation: users, passwords, tokens, login throttling. Flush only."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from engine.models import utcnow

from .models import ApiToken, LoginAttempt, User, UserRole

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
