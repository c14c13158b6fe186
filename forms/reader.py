"""Walk a parsed form-js file, building its fields and collecting every problem in it.

Every problem is collected, not just the first, so a designer can fix a form in one round.
"""

from __future__ import annotations

import keyword
import re
from decimal import Decimal
from typing import Any

from forms.components import (
    COMPONENT_TYPES,
    UNSUPPORTED_PROPERTY_HINTS,
    Decoration,
    FormError,
    FormField,
    FormProblem,
    Group,
    Layout,
    Node,
    Option,
    problem,
    unsupported_type_hint,
)
from forms.definition import FormDefinition
from forms.schema import check_default

_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SUBTYPES = ("date", "time", "datetime")
_TIME_FORMATS = ("utc_offset", "utc_normalized", "no_timezone")
# Properties whose text is shown to people or steers behaviour; a FEEL '=…' there would
# silently show the formula instead of its result.
_FEEL_CHECKED = [
    "label",
    "description",
    "text",
    "dateLabel",
    "timeLabel",
    "readonly",
    "disabled",
    "defaultValue",
]


class FormReader:
    """Walks one parsed form file, building its nodes and collecting its problems."""

    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self.problems: list[FormProblem] = []
        self.keys: set[str] = set()
        self.ids: set[str] = set()

    def read(self) -> FormDefinition:
        raw = self.raw
        if raw.get("type", "default") != "default":
            self.problems.append(problem("form_type", value=raw.get("type")))
        key = raw.get("id")
        if not isinstance(key, str) or not key.strip():
            self.problems.append(problem("form_id"))
        translations = self._translations(raw.get("translations", {}))
        components = raw.get("components")
        nodes: tuple[Node, ...] = ()
        if isinstance(components, list):
            nodes = self._nodes(components)
        else:
            self.problems.append(problem("components_list"))
        if self.problems:
            raise FormError(self.problems)
        title = raw.get("title") or raw.get("name")
        return FormDefinition(
            key=key.strip(),
            title=title if isinstance(title, str) else None,
            raw=raw,
            nodes=nodes,
            translations=translations,
        )

    def _translations(self, value: Any) -> dict[str, dict[str, str]]:
        if not isinstance(value, dict) or not all(
            isinstance(m, dict) and all(isinstance(x, str) for pair in m.items() for x in pair)
            for m in value.values()
        ):
            self.problems.append(problem("translations"))
            return {}
        for lang in value:
            if lang != "en":
                self.problems.append(problem("translation_locale", value=lang))
        return {"en": value.get("en", {})}

    def _nodes(self, components: list) -> tuple[Node, ...]:
        nodes = []
        for index, component in enumerate(components):
            if not isinstance(component, dict) or not isinstance(component.get("type"), str):
                self.problems.append(problem("component_object", f"#{index + 1}"))
                continue
            node = self._node(component, index)
            if node is not None:
                nodes.append(node)
        return tuple(nodes)

    def _node(self, c: dict, index: int) -> Node | None:
        kind = c["type"]
        name = str(c.get("key") or c.get("id") or f"{kind} #{index + 1}")
        if kind not in COMPONENT_TYPES:
            hint, hint_zh = unsupported_type_hint(kind)
            self.problems.append(
                problem("unsupported_type", name, type=kind, hint=hint, hint_zh=hint_zh)
            )
            return None
        self._check_common(c, name)
        if COMPONENT_TYPES[kind].keyed:
            return self._field(c, name)
        layout = self._layout(c, name)
        cid = c.get("id") if isinstance(c.get("id"), str) else None
        if kind == "group":
            if c.get("path"):
                self.problems.append(problem("group_path", name, value=c["path"]))
            children = c.get("components", [])
            if not isinstance(children, list):
                self.problems.append(problem("components_list", name))
                children = []
            return Group(cid, self._text(c, "label", name), self._nodes(children), layout)
        height = c.get("height")
        if height is not None and (not isinstance(height, int) or isinstance(height, bool)):
            self._bad(name, "height", "a whole number of pixels", "以像素为单位的整数")
            height = None
        return Decoration(kind, cid, self._text(c, "text", name) or "", height, layout)

    def _check_common(self, c: dict, name: str) -> None:
        cid = c.get("id")
        if isinstance(cid, str):
            if cid in self.ids:
                self.problems.append(problem("duplicate_id", cid))
            self.ids.add(cid)
        for prop in _FEEL_CHECKED:
            if isinstance(c.get(prop), str) and c[prop].startswith("="):
                self.problems.append(problem("feel_expression", name, prop=prop))
        for prop, (hint, hint_zh) in UNSUPPORTED_PROPERTY_HINTS.items():
            if c.get(prop):
                self.problems.append(
                    problem("unsupported_property", name, prop=prop, hint=hint, hint_zh=hint_zh)
                )

    def _field(self, c: dict, name: str) -> FormField | None:
        kind = c["type"]
        key = c.get("key")
        if not isinstance(key, str) or not key:
            self.problems.append(problem("missing_key", name, type=kind))
            return None
        if not _KEY.fullmatch(key) or keyword.iskeyword(key):
            self.problems.append(problem("bad_key", key))
        elif key in self.keys:
            self.problems.append(problem("duplicate_key", key))
        self.keys.add(key)
        rules = self._rules(c, name)
        appearance = c.get("appearance") if isinstance(c.get("appearance"), dict) else {}
        label = self._text(c, "label", name)
        if kind == "datetime":
            label = label or self._text(c, "dateLabel", name) or self._text(c, "timeLabel", name)
        field = FormField(
            key=key,
            type=kind,
            label=label or key,
            id=c.get("id") if isinstance(c.get("id"), str) else None,
            description=self._text(c, "description", name),
            default=None if c.get("defaultValue") == "" else c.get("defaultValue"),
            disabled=self._flag(c, "disabled", name),
            readonly=self._flag(c, "readonly", name),
            options=self._options(c, name) if COMPONENT_TYPES[kind].has_options else (),
            subtype=self._choice(c, "subtype", _SUBTYPES, name) if kind == "datetime" else None,
            time_format=self._choice(c, "timeSerializingFormat", _TIME_FORMATS, name),
            disallow_passed_dates=self._flag(c, "disallowPassedDates", name),
            decimal_digits=self._count(c, "decimalDigits", name),
            increment=self._increment(c, name),
            serialize_to_string=self._flag(c, "serializeToString", name),
            prefix=self._text(appearance, "prefixAdorner", name),
            suffix=self._text(appearance, "suffixAdorner", name),
            layout=self._layout(c, name),
            **rules,
        )
        # A default is only worth checking against rules that were themselves valid.
        if all(p.component != name for p in self.problems):
            why = check_default(field)
            if why:
                self.problems.append(problem("bad_default", name, detail=why[0], detail_zh=why[1]))
        return field

    def _rules(self, c: dict, name: str) -> dict[str, Any]:
        validate = c.get("validate") or {}
        if not isinstance(validate, dict):
            self._bad(name, "validate", "an object", "一个对象")
            return {}
        allowed = COMPONENT_TYPES[c["type"]].validate_keys
        # The form-js editor leaves cleared rules behind as null or ''; they mean "no rule".
        given = {k: v for k, v in validate.items() if v is not None and v != ""}
        for rule in given.keys() - allowed:
            known = ", ".join(sorted(allowed))
            self.problems.append(
                problem("unsupported_validate", name, rule=rule, type=c["type"], allowed=known)
            )
        rules: dict[str, Any] = {"required": self._flag(given, "required", name, "validate.")}
        for rule, attr in (("min", "min"), ("max", "max")):
            if rule in given and rule in allowed:
                rules[attr] = self._decimal(given[rule], name, f"validate.{rule}")
        for rule, attr in (("minLength", "min_length"), ("maxLength", "max_length")):
            if rule in given and rule in allowed:
                rules[attr] = self._count(given, rule, name, "validate.")
        if "pattern" in given and "pattern" in allowed:
            rules["pattern"] = self._pattern(given["pattern"], name)
        kind = given.get("validationType") if "validationType" in allowed else None
        if kind not in (None, "custom", "email", "phone"):
            self.problems.append(problem("bad_validation_type", name, value=kind))
        rules["validation_type"] = kind if kind in ("email", "phone") else None
        for low, high, low_rule, high_rule in (
            ("min", "max", "min", "max"),
            ("min_length", "max_length", "minLength", "maxLength"),
        ):
            both = rules.get(low) is not None and rules.get(high) is not None
            if both and rules[low] > rules[high]:
                self.problems.append(problem("min_over_max", name, low=low_rule, high=high_rule))
        return rules

    def _pattern(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            self._bad(name, "validate.pattern", "a text", "文本")
            return None
        try:
            re.compile(value)
        except re.error as err:
            self.problems.append(problem("bad_pattern", name, detail=str(err)))
            return None
        return value

    def _options(self, c: dict, name: str) -> tuple[Option, ...]:
        values = c.get("values")
        if not isinstance(values, list) or not values:
            if not c.get("valuesKey") and not c.get("valuesExpression"):
                self.problems.append(problem("values_missing", name))
            return ()
        options, seen = [], set()
        for item in values:
            value = item.get("value") if isinstance(item, dict) else None
            label = item.get("label") if isinstance(item, dict) else None
            plain_value = isinstance(value, (str, int, float)) and not isinstance(value, bool)
            if not plain_value or not isinstance(label, str):
                self.problems.append(problem("bad_option", name))
                continue
            if str(value) in seen:
                self.problems.append(problem("duplicate_option", name, value=value))
            seen.add(str(value))
            options.append(Option(value, label))
        return tuple(options)

    def _layout(self, c: dict, name: str) -> Layout:
        layout = c.get("layout") if isinstance(c.get("layout"), dict) else {}
        row = layout.get("row")
        columns = layout.get("columns")
        if columns is not None and (not isinstance(columns, int) or not 1 <= columns <= 16):
            self._bad(name, "layout.columns", "a whole number from 1 to 16", "1 到 16 之间的整数")
            columns = None
        return Layout(row if isinstance(row, str) else None, columns)

    def _text(self, c: dict, prop: str, name: str) -> str | None:
        value = c.get(prop)
        if value is not None and not isinstance(value, str):
            self._bad(name, prop, "a text", "文本")
            return None
        return value or None

    def _flag(self, c: dict, prop: str, name: str, prefix: str = "") -> bool:
        value = c.get(prop, False)
        if not isinstance(value, bool):
            if not (isinstance(value, str) and value.startswith("=")):  # FEEL: reported already
                self._bad(name, prefix + prop, "true or false", "true 或 false")
            return False
        return value

    def _count(self, c: dict, prop: str, name: str, prefix: str = "") -> int | None:
        value = c.get(prop)
        whole = isinstance(value, int) and not isinstance(value, bool)
        if value is not None and (not whole or value < 0):
            self._bad(name, prefix + prop, "a whole number of 0 or more", "大于或等于 0 的整数")
            return None
        return value

    def _decimal(self, value: Any, name: str, prop: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._bad(name, prop, "a number", "数字")
            return None
        return Decimal(str(value))

    def _increment(self, c: dict, name: str) -> str | None:
        value = c.get("increment")
        if value in (None, ""):
            return None
        try:
            step = Decimal(str(value))
        except ArithmeticError:
            step = Decimal(0)
        if isinstance(value, bool) or not step.is_finite() or step <= 0:
            self._bad(name, "increment", "a positive number", "正数")
            return None
        return str(value)

    def _choice(self, c: dict, prop: str, allowed: tuple[str, ...], name: str) -> str:
        value = c.get(prop) or allowed[0]
        if value not in allowed:
            code = "bad_subtype" if prop == "subtype" else "bad_property"
            self.problems.append(
                problem(code, name, value=value, prop=prop, expected=" / ".join(allowed))
            )
            return allowed[0]
        return value

    def _bad(self, name: str, prop: str, expected: str, expected_zh: str) -> None:
        self.problems.append(
            problem("bad_property", name, prop=prop, expected=expected, expected_zh=expected_zh)
        )
