"""A loaded form: what the engine, the task pages and the API use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup
from marshmallow import Schema, ValidationError

from forms.components import FormField, Group, Node
from forms.messages import normalize_locale
from forms.render import render_form
from forms.schema import build_schema, flatten_messages, submitted_values


class FormDefinition:
    """One form-js form, checked and ready to validate and render submissions.

    Build it with ``load_form``; the constructor trusts that its parts are valid.
    """

    def __init__(
        self,
        key: str,
        title: str | None,
        raw: dict,
        nodes: tuple[Node, ...],
        translations: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.key = key
        self.title = title
        self.raw = raw
        self.nodes = nodes
        self.translations = translations or {}
        self.fields: list[FormField] = list(_walk_fields(nodes))
        self._by_key = {f.key: f for f in self.fields}
        self._schemas: dict[str, Schema] = {}  # one per locale: messages are baked in

    def __repr__(self) -> str:
        return f"<FormDefinition {self.key!r} fields={[f.key for f in self.fields]}>"

    def field(self, key: str) -> FormField:
        """The input field with this key; KeyError if the form has none."""
        return self._by_key[key]

    def translate(self, text: str | None, locale: str) -> str:
        """A text of the form (written in Chinese) in the given locale, via its translations."""
        if not text:
            return ""
        if normalize_locale(locale) == "en":
            return self.translations.get("en", {}).get(text, text)
        return text

    def label(self, key: str, locale: str) -> str:
        """The label of field ``key`` in the locale; the key itself for keys the form lacks."""
        field = self._by_key.get(key)
        return self.translate(field.label, locale) if field else key

    def option_label(self, key: str, value: Any, locale: str) -> str:
        """The label shown for a saved option value, e.g. to list a completed task's data."""
        field = self._by_key.get(key)
        for option in field.options if field else ():
            if str(option.value) == str(value):
                return self.translate(option.label, locale)
        return "" if value is None else str(value)

    def schema(self, locale: str = "zh_CN") -> Schema:
        """The marshmallow schema behind ``validate``, built once per locale."""
        locale = normalize_locale(locale)
        if locale not in self._schemas:
            self._schemas[locale] = build_schema(self.fields, locale)
        return self._schemas[locale]

    def validate(
        self, data: Mapping | None, locale: str = "zh_CN"
    ) -> tuple[dict, dict[str, list[str]]]:
        """Clean and validate submitted data; returns (clean_data, errors).

        ``errors`` maps a field key to its messages in ``locale``; ``clean_data`` holds only
        the form's editable fields that passed, as JSON-serializable values.
        """
        try:
            clean = self.schema(locale).load(submitted_values(data, self.fields))
            errors: dict[str, list[str]] = {}
        except ValidationError as err:
            clean = err.valid_data if isinstance(err.valid_data, dict) else {}
            errors = {key: flatten_messages(value) for key, value in err.messages_dict.items()}
        order = [f.key for f in self.fields]
        return {k: clean[k] for k in order if k in clean}, errors

    def render_html(
        self,
        data: Mapping | None = None,
        errors: Mapping | None = None,
        locale: str = "zh_CN",
        readonly: bool = False,
    ) -> Markup:
        """Bootstrap 5 form controls (no <form> tag, no submit button) with values and errors."""
        return render_form(self, data, errors, locale, readonly)


def _walk_fields(nodes: tuple[Node, ...]):
    for node in nodes:
        if isinstance(node, FormField):
            yield node
        elif isinstance(node, Group):
            yield from _walk_fields(node.children)
