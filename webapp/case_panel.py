"""What the case and task pages show about a case: its data, its timeline, its diagram source."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from engine.bundle_xml import BPMN_NS, CAMUNDA_NS, XmlRejected, load_xml
from engine.errors import NotFound
from engine.models import AuditEvent, ProcessDefinition, ProcessInstance
from forms import FormDefinition
from workflows.casework import form_for
from workflows.org.queries import display_names

from .i18n import pick
from .labels import format_value

# keys the application adds to a case's data; the page shows them elsewhere
_SYSTEM_KEYS = frozenset({"initiator"})


def submitted_data(posted: MultiDict, form: FormDefinition | None) -> dict[str, Any]:
    """A posted HTML form as plain data: one value per key, lists for multi-value fields."""
    multiple = {f.key for f in form.fields if f.multiple} if form is not None else set()
    data: dict[str, Any] = {}
    for key, values in posted.to_dict(flat=False).items():
        if key == "csrf_token":
            continue
        data[key] = values if key in multiple or len(values) > 1 else values[0]
    return data


def request_details(instance: ProcessInstance, locale: str) -> list[tuple[str, str]]:
    """(label, value) for the case data: the start form's fields first, in its order."""
    definition = instance.definition
    start_form = form_for(definition, definition.start_form_key)
    forms = [f for f in (form_for(definition, k) for k in definition.forms) if f is not None]
    if start_form is not None:
        forms.insert(0, start_form)
    summary = instance.summary or {}
    if start_form is not None:
        # the request as recorded; later answers are shown with their task in the timeline
        keys = [f.key for f in start_form.fields if f.key in summary]
    else:
        # a case started by the system: what its forms name, not its bookkeeping (ids, the
        # lists of raters); everything when no form names any of it
        labelled = [k for k in summary if any(_has_field(f, k) for f in forms)]
        keys = labelled or list(summary)
    details = []
    for key in keys:
        if key in _SYSTEM_KEYS:
            continue
        owner = next((f for f in forms if _has_field(f, key)), None)
        label = owner.label(key, locale) if owner is not None else key
        details.append((label, format_value(owner, key, summary[key], locale)))
    return details


def _has_field(form: FormDefinition, key: str) -> bool:
    return any(f.key == key for f in form.fields)


@dataclass
class Entry:
    """One line of a case's timeline."""

    at: datetime
    kind: str
    actor: str
    task: str = ""
    note: str = ""
    data: list[tuple[str, str]] = field(default_factory=list)


def timeline(
    session: Session, instance: ProcessInstance, events: list[AuditEvent], locale: str
) -> list[Entry]:
    """The audit history as people read it: who did what to which step, in `locale`."""
    definition = instance.definition
    people = {e.actor for e in events} | {(e.payload or {}).get("to") for e in events}
    names = display_names(session, people)
    step_names = element_names(definition)
    entries = []
    for event in events:
        payload = event.payload or {}
        spec = payload.get("task")
        zh, en = step_names.get(spec, (None, None)) if spec else (None, None)
        task = pick(locale, payload.get("name") or zh, payload.get("name_en") or en)
        entry = Entry(at=event.at, kind=event.kind, actor=_who(event.actor, names), task=task)
        if event.kind == "complete":
            form = form_for(definition, (definition.task_meta.get(spec) or {}).get("form_key"))
            entry.data = _answers(form, payload.get("data") or {}, locale)
        elif event.kind == "incident":
            entry.note = pick(locale, payload.get("message_zh"), payload.get("message"))
        elif event.kind == "assign":
            entry.note = _("to %(name)s", name=_who(payload.get("to"), names))
        entries.append(entry)
    return entries


def _who(username: str | None, names: Mapping[str, str]) -> str:
    if not username or username == "system":
        return _("System")
    return names.get(username, username)


def _answers(
    form: FormDefinition | None, data: Mapping[str, Any], locale: str
) -> list[tuple[str, str]]:
    if form is None:
        return [(key, format_value(None, key, value, locale)) for key, value in data.items()]
    return [
        (form.label(key, locale), format_value(form, key, value, locale))
        for key, value in data.items()
    ]


def process_xml(definition: ProcessDefinition, key: str | None = None) -> str:
    """The BPMN file of the deployed version that holds process `key` (by default its own)."""
    marker = re.compile(rf'<(?:\w+:)?process\b[^>]*\bid="{re.escape(key or definition.key)}"')
    for name, text in sorted(definition.source_files.items()):
        if name.endswith(".bpmn") and marker.search(text):
            return text
    raise NotFound("The diagram of this process is missing.", "缺少此流程的流程图。")


_CALLED = re.compile(r'<(?:\w+:)?callActivity\b[^>]*\bcalledElement="([^"]+)"')
_PROCESS_NAME = r'<(?:\w+:)?process\b[^>]*\bid="{key}"[^>]*\bname="([^"]*)"'


@dataclass(frozen=True)
class CalledDiagram:
    key: str
    name: str  # as drawn (Chinese in the shipped diagrams)


# definition id -> the processes it calls; a deployed version never changes
_CALLS: dict[int, list[str]] = {}


def called_keys(definition: ProcessDefinition) -> list[str]:
    """The processes this one calls (call activities), in drawing order."""
    if definition.id not in _CALLS:
        _CALLS[definition.id] = list(dict.fromkeys(_CALLED.findall(process_xml(definition))))
    return _CALLS[definition.id]


def called_diagrams(definition: ProcessDefinition, reached: set[str]) -> list[CalledDiagram]:
    """The processes this one calls whose steps the case has reached, to draw beside it."""
    found = []
    for key in called_keys(definition):
        try:
            xml = process_xml(definition, key)
        except NotFound:
            continue
        if any(f'id="{step}"' in xml for step in reached):
            name = re.search(_PROCESS_NAME.format(key=re.escape(key)), xml)
            found.append(CalledDiagram(key, name[1] if name else key))
    return found


_NAME_EN = (
    f"{{{BPMN_NS}}}extensionElements/{{{CAMUNDA_NS}}}properties"
    f"/{{{CAMUNDA_NS}}}property[@name='name_en']"
)
# (definition id, checksum) -> element id -> (Chinese name, English name)
_NAMES: dict[tuple[int, str], dict[str, tuple[str | None, str | None]]] = {}


def element_names(definition: ProcessDefinition) -> dict[str, tuple[str | None, str | None]]:
    """Names of the diagram's elements, so automatic steps read well in both languages."""
    cache_key = (definition.id, definition.checksum)
    if cache_key not in _NAMES:
        try:
            root = load_xml(process_xml(definition).encode())
        except (NotFound, XmlRejected):
            return {}
        names = {}
        for el in root.iter():
            if isinstance(el.tag, str) and el.get("id"):
                english = el.find(_NAME_EN)
                names[el.get("id")] = (
                    el.get("name"),
                    english.get("value") if english is not None else None,
                )
        _NAMES[cache_key] = names
    return _NAMES[cache_key]
