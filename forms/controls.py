"""One renderer per input type: Bootstrap 5 markup for a single form field.

Everything from the form file or the submitted data is escaped by markupsafe; only the
tags written here are markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from forms.components import FormField
from forms.messages import UI, message
from forms.values import format_number

if TYPE_CHECKING:
    from forms.definition import FormDefinition

_DATETIME_LOCAL = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)")
_CHECKED = {"true", "on", "1", "yes"}
_INPUT_TYPES = {"textfield": "text", "number": "number"}
_DATETIME_TYPES = {"date": "date", "time": "time", "datetime": "datetime-local"}


def attrs(**values: Any) -> Markup:
    """HTML attributes from keywords: class_ → class, aria_x → aria-x; None/False are left out."""
    parts = []
    for name, value in values.items():
        if value is None or value is False:
            continue
        name = name.rstrip("_").replace("_", "-")
        if value is True:
            parts.append(Markup(" {}").format(name))
        else:
            parts.append(Markup(' {}="{}"').format(name, value))
    return Markup("").join(parts)


@dataclass
class Page:
    """What every renderer needs to know about this rendering."""

    form: FormDefinition
    data: Mapping
    errors: Mapping
    locale: str
    readonly: bool

    def t(self, text: str | None) -> str:
        return self.form.translate(text, self.locale)

    def ui(self, code: str) -> str:
        return message(UI, code, self.locale)

    def value(self, field: FormField) -> Any:
        if field.key not in self.data:
            return field.default
        getlist = getattr(self.data, "getlist", None)
        return getlist(field.key) if getlist and field.multiple else self.data[field.key]

    def messages(self, key: str) -> list[str]:
        found = self.errors.get(key) or []
        return [found] if isinstance(found, str) else list(found)

    def locked(self, field: FormField) -> bool:
        return self.readonly or not field.editable


def _label(page: Page, field: FormField, tag: str = "label", css: str = "form-label") -> Markup:
    mark = Markup("")
    if field.required and not page.locked(field):
        mark = Markup(' <span class="text-danger" title="{}">*</span>').format(
            page.ui("required_mark")
        )
    target = attrs(for_=f"f-{field.key}") if tag == "label" else Markup("")
    return Markup("<{tag}{target}{cls}>{text}{mark}</{tag}>\n").format(
        tag=Markup(tag), target=target, cls=attrs(class_=css), text=page.t(field.label), mark=mark
    )


def _help(page: Page, field: FormField, group: bool = False) -> tuple[Markup, Markup, str | None]:
    """(description, errors, aria-describedby) for a field."""
    ids, description, feedback = [], Markup(""), Markup("")
    if field.description:
        ids.append(f"f-{field.key}-help")
        description = Markup('<div id="{}" class="form-text">{}</div>\n').format(
            ids[-1], page.t(field.description)
        )
    messages = page.messages(field.key)
    if messages:
        ids.append(f"f-{field.key}-error")
        # Bootstrap only shows invalid-feedback next to an .is-invalid sibling; groups force it.
        css = "invalid-feedback d-block" if group else "invalid-feedback"
        feedback = Markup('<div id="{}" class="{}">{}</div>\n').format(
            ids[-1], css, Markup("<br>").join(messages)
        )
    return description, feedback, " ".join(ids) or None


def _control_class(page: Page, field: FormField, base: str) -> str:
    return f"{base} is-invalid" if page.messages(field.key) else base


def _wrap(field: FormField, *parts: Markup) -> Markup:
    return Markup('<div class="mb-3"{}>\n{}</div>\n').format(
        attrs(data_field=field.key), Markup("").join(parts)
    )


def _input(page: Page, field: FormField) -> Markup:
    description, feedback, described = _help(page, field)
    value = page.value(field)
    kind = _INPUT_TYPES.get(field.type, "text")
    if field.validation_type == "email":
        kind = "email"
    elif field.validation_type == "phone":
        kind = "tel"
    number = field.type == "number"
    if field.type == "datetime":
        kind = _DATETIME_TYPES[field.subtype or "date"]
        value = _datetime_value(field, value)
    step = None
    if number:
        # Without a step the browser would refuse decimals that the server accepts.
        places = field.decimal_digits
        step = field.increment or (
            format_number(Decimal(1).scaleb(-places)) if places is not None else "any"
        )
    control = Markup("<input{}>\n").format(
        attrs(
            type=kind,
            class_=_control_class(page, field, "form-control"),
            id=f"f-{field.key}",
            name=field.key,
            value="" if value is None else value,
            required=field.required and not page.locked(field),
            readonly=field.readonly and not page.readonly,
            disabled=page.readonly or field.disabled,
            minlength=field.min_length,
            maxlength=field.max_length,
            pattern=field.pattern,
            min=format_number(field.min) if number and field.min is not None else None,
            max=format_number(field.max) if number and field.max is not None else None,
            step=step,
            aria_describedby=described,
        )
    )
    if field.prefix or field.suffix:
        control = _adorned(page, field, control, feedback)
        feedback = Markup("")
    return _wrap(field, _label(page, field), control, description, feedback)


def _adorned(page: Page, field: FormField, control: Markup, feedback: Markup) -> Markup:
    def adorner(text: str | None) -> Markup:
        if not text:
            return Markup("")
        return Markup('<span class="input-group-text">{}</span>').format(page.t(text))

    return Markup('<div class="input-group has-validation">{}{}{}{}</div>\n').format(
        adorner(field.prefix), control, adorner(field.suffix), feedback
    )


def _datetime_value(field: FormField, value: Any) -> str | None:
    if not isinstance(value, str):
        return None if value is None else str(value)
    if field.subtype == "time":
        return value[:5]
    if field.subtype == "date":
        return value[:10]
    match = _DATETIME_LOCAL.match(value)
    # datetime-local takes wall-clock time without an offset.
    return f"{match[1]}T{match[2]}" if match else value


def _textarea(page: Page, field: FormField) -> Markup:
    description, feedback, described = _help(page, field)
    value = page.value(field)
    control = Markup("<textarea{}>{}</textarea>\n").format(
        attrs(
            class_=_control_class(page, field, "form-control"),
            id=f"f-{field.key}",
            name=field.key,
            rows=4,
            required=field.required and not page.locked(field),
            readonly=field.readonly and not page.readonly,
            disabled=page.readonly or field.disabled,
            minlength=field.min_length,
            maxlength=field.max_length,
            aria_describedby=described,
        ),
        "" if value is None else value,
    )
    return _wrap(field, _label(page, field), control, description, feedback)


def _checkbox(page: Page, field: FormField) -> Markup:
    description, feedback, described = _help(page, field)
    value = page.value(field)
    checked = value is True or str(value).strip().lower() in _CHECKED
    control = Markup("<input{}>\n").format(
        attrs(
            type="checkbox",
            class_=_control_class(page, field, "form-check-input"),
            id=f"f-{field.key}",
            name=field.key,
            value="true",
            checked=checked,
            required=field.required and not page.locked(field),
            disabled=page.locked(field),
            aria_describedby=described,
        )
    )
    label = _label(page, field, css="form-check-label")
    return Markup('<div class="mb-3 form-check"{}>\n{}{}{}{}</div>\n').format(
        attrs(data_field=field.key), control, label, description, feedback
    )


def _chosen(page: Page, field: FormField) -> set[str]:
    value = page.value(field)
    values = value if isinstance(value, (list, tuple)) else [] if value is None else [value]
    return {str(v) for v in values}


def _select(page: Page, field: FormField) -> Markup:
    description, feedback, described = _help(page, field)
    chosen = _chosen(page, field)
    options = []
    if not field.multiple:
        options.append(Markup('<option value="">{}</option>').format(page.ui("choose")))
    for option in field.options:
        options.append(
            Markup("<option{}>{}</option>").format(
                attrs(value=option.value, selected=str(option.value) in chosen),
                page.t(option.label),
            )
        )
    control = Markup("<select{}>\n{}\n</select>\n").format(
        attrs(
            class_=_control_class(page, field, "form-select"),
            id=f"f-{field.key}",
            name=field.key,
            multiple=field.multiple,
            required=field.required and not page.locked(field),
            disabled=page.locked(field),
            aria_describedby=described,
        ),
        Markup("\n").join(options),
    )
    return _wrap(field, _label(page, field), control, description, feedback)


def _choices(page: Page, field: FormField) -> Markup:
    """radio and checklist: a fieldset of form-check inputs, one per option."""
    description, feedback, described = _help(page, field, group=True)
    chosen = _chosen(page, field)
    kind = "checkbox" if field.multiple else "radio"
    items = []
    for index, option in enumerate(field.options):
        item_id = f"f-{field.key}-{index}"
        control = Markup("<input{}>").format(
            attrs(
                type=kind,
                class_=_control_class(page, field, "form-check-input"),
                id=item_id,
                name=field.key,
                value=option.value,
                checked=str(option.value) in chosen,
                # A required checkbox would demand every box; only radios use the attribute.
                required=kind == "radio" and field.required and not page.locked(field),
                disabled=page.locked(field),
            )
        )
        label = Markup('<label class="form-check-label"{}>{}</label>').format(
            attrs(for_=item_id), page.t(option.label)
        )
        items.append(Markup('<div class="form-check">{}{}</div>\n').format(control, label))
    return Markup('<fieldset class="mb-3"{}>\n{}{}{}{}</fieldset>\n').format(
        attrs(id=f"f-{field.key}", data_field=field.key, aria_describedby=described),
        _label(page, field, tag="legend", css="form-label fs-6"),
        Markup("").join(items),
        description,
        feedback,
    )


RENDERERS: dict[str, Callable[[Page, FormField], Markup]] = {
    "textfield": _input,
    "number": _input,
    "datetime": _input,
    "textarea": _textarea,
    "checkbox": _checkbox,
    "select": _select,
    "taglist": _select,
    "radio": _choices,
    "checklist": _choices,
}
