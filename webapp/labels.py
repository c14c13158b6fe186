"""Words the pages show for stored codes (case statuses, timeline kinds, roles) and values.

One place for them, so a status reads the same on every page and in both languages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.blueprints import BlueprintSetupState
from flask_babel import format_datetime, format_timedelta, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from engine.models import ProcessInstance
from forms import FormDefinition
from workflows.org.models import role_label

from .i18n import current_locale

STATUS_LABELS = {
    "running": _l("In progress"),
    "waiting": _l("Waiting"),
    "completed": _l("Completed"),
    "error": _l("Failed"),
    "suspended": _l("Suspended"),
    "terminated": _l("Terminated"),
}

# Bootstrap colour of each status badge
STATUS_BADGES = {
    "running": "primary",
    "waiting": "info",
    "completed": "success",
    "error": "danger",
    "suspended": "warning",
    "terminated": "secondary",
}

# audit event kind -> what the timeline says happened
KIND_LABELS = {
    "start": _l("Started"),
    "complete": _l("Completed"),
    "claim": _l("Claimed"),
    "unclaim": _l("Released"),
    "assign": _l("Assigned"),
    "step": _l("Automatic step"),
    "incident": _l("Incident"),
    "retry": _l("Retried"),
    "suspend": _l("Suspended"),
    "resume": _l("Resumed"),
    "terminate": _l("Terminated"),
    "end": _l("Ended"),
    "timer": _l("Timer fired"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "secondary")


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def role_text(role: str | None) -> str:
    return role_label(role, current_locale()) if role else ""


def roles_text(roles: Iterable[str] | None) -> str:
    separator = "、" if current_locale().startswith("zh") else ", "
    return separator.join(role_text(r) for r in roles or ())


def case_ref(instance: ProcessInstance) -> str:
    """How people refer to a case: its business key, else its number."""
    return instance.business_key or f"#{instance.id}"


def when(value: datetime | None, format: str = "short") -> str:
    """A stored UTC time in the viewer's language and time zone; a dash when there is none."""
    return format_datetime(value, format) if value is not None else "—"


def overdue(value: datetime | None) -> bool:
    return value is not None and value < datetime.now(UTC)


def format_value(form: FormDefinition | None, key: str, value: Any, locale: str) -> str:
    """A stored field value as a person reads it: option labels, yes/no, lists joined."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        separator = "、" if locale.startswith("zh") else ", "
        return separator.join(format_value(form, key, item, locale) for item in value)
    if form is not None:
        return form.option_label(key, value, locale)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def time_span(delta: timedelta) -> str:
    """A duration in words in the reader's language, to the minute ("1 hour", "1小时")."""
    return format_timedelta(delta, granularity="minute", threshold=1.1)


def due_badge(due_at: datetime | None, *, finished: bool = False) -> Markup | str:
    """A coloured badge: time left before `due_at`, or how long it is overdue."""
    if due_at is None:
        return "—"
    left = due_at - datetime.now(UTC)
    if finished:
        colour, text = "secondary", when(due_at)
    elif left < timedelta(0):
        colour, text = "danger", _("Overdue by %(time)s", time=time_span(-left))
    elif left <= timedelta(hours=1):
        colour, text = "warning", _("%(time)s left", time=time_span(left))
    else:
        colour, text = "success", _("%(time)s left", time=time_span(left))
    return Markup(
        '<span class="badge text-bg-{}" title="{}" data-testid="due-badge">{}</span>'
    ).format(colour, when(due_at), text)


def hours_span(delta: timedelta) -> str:
    """A promise's target in hours or minutes ("40 hours", "30 minutes"), never in days:
    targets count working hours, and a day of them is not 24."""
    minutes = round(delta.total_seconds() / 60)
    if minutes < 60 or minutes % 60:
        return (
            ngettext("%(num)d minute", "%(num)d minutes", minutes)
            if minutes < 60
            else _("%(hours)d h %(minutes)d min", hours=minutes // 60, minutes=minutes % 60)
        )
    return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)


SLA_KIND_LABELS = {"reply": _l("Reply"), "onsite": _l("On site"), "resolve": _l("Resolved")}


def sla_kind(kind: str) -> str:
    return str(SLA_KIND_LABELS.get(kind, kind))


def register(state: BlueprintSetupState) -> None:
    """Make the helpers available to every template (called when a page blueprint registers)."""
    app: Flask = state.app
    app.jinja_env.globals.update(
        status_label=status_label,
        status_badge=status_badge,
        kind_label=kind_label,
        role_text=role_text,
        roles_text=roles_text,
        case_ref=case_ref,
        overdue=overdue,
        due_badge=due_badge,
        sla_kind=sla_kind,
    )
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["timespan"] = time_span
    app.jinja_env.filters["hours"] = hours_span
