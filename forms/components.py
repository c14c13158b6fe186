"""What a loaded form is made of: fields people fill in, and display-only parts around them.

The registry ``COMPONENT_TYPES`` says which form-js component types Aftersales understands
and which validation rules each accepts; the loader, the schema builder and the renderer
all read it, so a new type is added in one place per concern.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forms.messages import LOAD, message, normalize_locale


@dataclass(frozen=True)
class FormProblem:
    """One thing wrong with a form file, in both languages."""

    component: str | None  # the component's key or id; None for the whole file
    message: str
    message_zh: str
    filename: str | None = None


class FormError(Exception):
    """A form file is invalid or uses something Aftersales does not support."""

    def __init__(self, problems: list[FormProblem], filename: str | None = None) -> None:
        self.problems = problems
        self.filename = filename
        super().__init__(self._summary())

    def _summary(self) -> str:
        return " ".join(_located(p, p.message) for p in self.problems)

    def messages(self, locale: str = "zh_CN") -> list[str]:
        """The problems as sentences in the given locale, each naming its file."""
        en = normalize_locale(locale) == "en"
        return [_located(p, p.message if en else p.message_zh) for p in self.problems]


def _located(problem: FormProblem, text: str) -> str:
    return f"{problem.filename}: {text}" if problem.filename else text


def problem(code: str, component: str | None = None, **params: Any) -> FormProblem:
    """A FormProblem from the LOAD catalog; params ending in _zh fill the Chinese sentence."""
    params.setdefault("name", component)
    for key in ("hint", "expected", "detail"):
        params.setdefault(f"{key}_zh", params.get(key, ""))
    return FormProblem(
        component=component,
        message=message(LOAD, code, "en", **params),
        message_zh=message(LOAD, code, "zh_CN", **params),
    )


@dataclass(frozen=True)
class ComponentType:
    """How Aftersales treats one form-js component type."""

    name: str
    keyed: bool  # has a value saved under its key
    validate_keys: frozenset[str] = frozenset()
    has_options: bool = False  # takes a 'values' list
    multiple: bool = False  # value is a list


_TEXT_RULES = frozenset({"required", "minLength", "maxLength"})

COMPONENT_TYPES: dict[str, ComponentType] = {
    t.name: t
    for t in (
        ComponentType("textfield", True, _TEXT_RULES | {"pattern", "validationType"}),
        ComponentType("textarea", True, _TEXT_RULES),
        ComponentType("number", True, frozenset({"required", "min", "max"})),
        ComponentType("datetime", True, frozenset({"required"})),
        ComponentType("checkbox", True, frozenset({"required"})),
        ComponentType("radio", True, frozenset({"required"}), has_options=True),
        ComponentType("select", True, frozenset({"required"}), has_options=True),
        ComponentType("checklist", True, frozenset({"required"}), True, multiple=True),
        ComponentType("taglist", True, frozenset({"required"}), True, multiple=True),
        ComponentType("text", False),
        ComponentType("spacer", False),
        ComponentType("separator", False),
        ComponentType("group", False),
    )
}

# (English hint, Chinese hint) for form-js types people are likely to try.
UNSUPPORTED_TYPE_HINTS: dict[str, tuple[str, str]] = {
    "filepicker": (
        "Use a textfield with a link instead.",
        "请改用文本框填写链接。",
    ),
    "documentPreview": (
        "Use a text component with a link instead.",
        "请改用文本组件并附上链接。",
    ),
    "image": (
        "Use a text component with a link to the picture instead.",
        "请改用文本组件并附上图片链接。",
    ),
    "iframe": (
        "Use a text component with a link instead.",
        "请改用文本组件并附上链接。",
    ),
    "html": (
        "Use a text component (Markdown) instead.",
        "请改用文本组件（Markdown）。",
    ),
    "button": (
        "Remove it: the task page has its own submit button.",
        "请删除它：任务页面自带提交按钮。",
    ),
    "dynamiclist": (
        "Use a textarea, or separate fields for each entry.",
        "请改用多行文本框，或为每一项使用单独的字段。",
    ),
    "table": (
        "Use a text component instead.",
        "请改用文本组件。",
    ),
    "expression": (
        "Compute the value in a script task of the diagram instead.",
        "请改为在流程图的脚本任务中计算该值。",
    ),
}


# (English hint, Chinese hint) for form-js properties that need a FEEL engine or process data.
UNSUPPORTED_PROPERTY_HINTS: dict[str, tuple[str, str]] = {
    "conditional": (
        "Show the field always, or split the task in two.",
        "请让该字段始终显示，或将任务拆分为两个。",
    ),
    "valuesKey": ("List the options in 'values'.", "请在“values”中列出选项。"),
    "valuesExpression": ("List the options in 'values'.", "请在“values”中列出选项。"),
}


def unsupported_type_hint(type_name: str) -> tuple[str, str]:
    """What to use instead of an unsupported component type, in (en, zh)."""
    if type_name in UNSUPPORTED_TYPE_HINTS:
        return UNSUPPORTED_TYPE_HINTS[type_name]
    names = ", ".join(COMPONENT_TYPES)
    return f"Use one of: {names}.", f"请使用以下类型之一：{names}。"


@dataclass(frozen=True)
class Option:
    """One choice of a select, radio, checklist or taglist."""

    value: str | int | float
    label: str


@dataclass(frozen=True)
class Layout:
    """form-js grid placement: components sharing a row id sit side by side."""

    row: str | None = None
    columns: int | None = None  # out of 16, as in form-js


@dataclass(frozen=True)
class FormField:
    """An input component: its value is saved under ``key`` when the task is completed."""

    key: str
    type: str
    label: str
    id: str | None = None
    required: bool = False
    description: str | None = None
    default: Any = None
    disabled: bool = False
    readonly: bool = False
    options: tuple[Option, ...] = ()
    min: Any = None  # Decimal, for numbers
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    validation_type: str | None = None  # 'email' or 'phone'
    subtype: str | None = None  # datetime: 'date', 'time' or 'datetime'
    time_format: str = "utc_offset"  # form-js timeSerializingFormat
    disallow_passed_dates: bool = False
    decimal_digits: int | None = None
    increment: str | None = None
    serialize_to_string: bool = False
    prefix: str | None = None  # appearance adorners shown beside the input
    suffix: str | None = None
    layout: Layout = field(default_factory=Layout)

    @property
    def multiple(self) -> bool:
        """True when the value is a list (checklist, taglist)."""
        return COMPONENT_TYPES[self.type].multiple

    @property
    def editable(self) -> bool:
        """False for disabled and readonly fields, whose values are never taken from a post."""
        return not (self.disabled or self.readonly)


@dataclass(frozen=True)
class Decoration:
    """A display-only component: static text, a spacer or a separator line."""

    type: str
    id: str | None = None
    text: str = ""
    height: int | None = None
    layout: Layout = field(default_factory=Layout)


@dataclass(frozen=True)
class Group:
    """A labelled box around other components; its fields stay at the top level of the data."""

    id: str | None
    label: str | None
    children: tuple[Node, ...]
    layout: Layout = field(default_factory=Layout)


Node = FormField | Decoration | Group
