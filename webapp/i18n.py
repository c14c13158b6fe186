"""Language choice: the user's saved choice, then the session, then the browser; zh-CN by default."""

from __future__ import annotations

from flask import Flask, current_app, g, request, session

from .extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    wanted = request.args.get("lang") if request else None
    if wanted in languages:
        return wanted
    if session.get("locale") in languages:
        return session["locale"]
    user = getattr(g, "user", None)
    if user is not None and user.locale in languages:
        return user.locale
    best = request.accept_languages.best_match(["zh_CN", "zh", "en"]) if request else None
    if best == "en":
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str | None:
    """The viewer's own time zone when they set one, else the department's."""
    user = getattr(g, "user", None)
    return user.timezone if user is not None and user.timezone else None


def current_locale() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale) if locale else "zh_CN"


def pick(locale: str, zh: str | None, en: str | None) -> str:
    """The text for `locale` from a Chinese/English pair, falling back to the other."""
    if locale.startswith("zh"):
        return zh or en or ""
    return en or zh or ""


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    @app.context_processor
    def _inject():
        locale = current_locale()
        return {"locale": locale, "pick": lambda zh, en: pick(locale, zh, en)}
