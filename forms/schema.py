"""Turn a form's fields into a marshmallow schema that validates submitted data.

The schema holds one field per editable component (see ``forms.values``); unknown keys
are excluded, so nothing the form does not define is ever stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError

from forms.components import FormField
from forms.messages import validation_translator
from forms.values import FIELD_CLASSES


class _FormSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # keys the form does not define are never stored


def build_schema(form_fields: list[FormField], locale: str) -> Schema:
    """A schema instance for the fields a person may edit, with messages in ``locale``."""
    t = validation_translator(locale)
    editable = [f for f in form_fields if f.editable]
    declared = {f"field_{i}": FIELD_CLASSES[f.type](f, t) for i, f in enumerate(editable)}
    return _FormSchema.from_dict(declared, name="FormDataSchema")()


def submitted_values(data: Mapping[str, Any] | None, form_fields: list[FormField]) -> dict:
    """Pick the editable fields' values from a post or JSON body; everything else is dropped.

    A werkzeug MultiDict (request.form) repeats a key per ticked checklist box, so list
    fields are read with ``getlist``.
    """
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise TypeError(f"Form data must be a mapping, not {type(data).__name__}.")
    getlist = getattr(data, "getlist", None)
    values = {}
    for f in form_fields:
        if f.editable and f.key in data:
            values[f.key] = getlist(f.key) if getlist and f.multiple else data[f.key]
    return values


def check_default(form_field: FormField) -> tuple[str, str] | None:
    """Why a field's defaultValue would fail its own rules, as (en, zh); None when it is fine."""
    if form_field.default is None:
        return None
    messages = []
    for locale in ("en", "zh_CN"):
        try:
            FIELD_CLASSES[form_field.type](form_field, validation_translator(locale)).deserialize(
                form_field.default
            )
            return None
        except ValidationError as err:
            messages.append(" ".join(flatten_messages(err.messages)))
    return messages[0], messages[1]


def flatten_messages(messages: Any) -> list[str]:
    """marshmallow nests messages in lists and dicts; a person needs a flat list of sentences."""
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, Mapping):
        return [m for v in messages.values() for m in flatten_messages(v)]
    return [m for v in messages for m in flatten_messages(v)]
