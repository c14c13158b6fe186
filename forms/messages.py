"""Every sentence the forms package shows a person, in English and Simplified Chinese.

Form texts written by process designers (labels, options, static text) are not here:
they live in the form file, with English in its ``translations`` map.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Locale = Literal["en", "zh_CN"]
DEFAULT_LOCALE: Locale = "zh_CN"

# Messages shown when submitted data does not pass validation.
VALIDATION: dict[str, tuple[str, str]] = {
    "required": ("This field is required.", "此项为必填项。"),
    "text": ("Enter text.", "请输入文本。"),
    "min_length": ("Enter at least {n} characters.", "请至少输入 {n} 个字符。"),
    "max_length": ("Enter at most {n} characters.", "最多只能输入 {n} 个字符。"),
    "pattern": ("This value is not in the expected format.", "格式不正确。"),
    "email": ("Enter a valid email address.", "请输入有效的电子邮箱地址。"),
    "phone": ("Enter a valid phone number.", "请输入有效的电话号码。"),
    "number": ("Enter a number.", "请输入数字。"),
    "integer": ("Enter a whole number.", "请输入整数。"),
    "decimals": ("Use at most {n} decimal places.", "最多保留 {n} 位小数。"),
    "min": ("Must be at least {min}.", "不能小于 {min}。"),
    "max": ("Must be at most {max}.", "不能大于 {max}。"),
    "boolean": ("Choose yes or no.", "请选择是或否。"),
    "choice": ("Choose one of the listed options.", "请从列出的选项中选择。"),
    "choices": ("Choose only from the listed options.", "只能从列出的选项中选择。"),
    "date": ("Enter a date as YYYY-MM-DD.", "请输入日期，格式为 YYYY-MM-DD。"),
    "time": ("Enter a time as HH:MM.", "请输入时间，格式为 HH:MM。"),
    "datetime": (
        "Enter a date and time as YYYY-MM-DD HH:MM.",
        "请输入日期和时间，格式为 YYYY-MM-DD HH:MM。",
    ),
    "past_date": ("Choose today or a later date.", "请选择今天或之后的日期。"),
}

# Words the HTML renderer adds around the designer's texts.
UI: dict[str, tuple[str, str]] = {
    "choose": ("Choose…", "请选择…"),
    "required_mark": ("required", "必填"),
}

# Problems found while loading a form file; shown to the process designer at deploy time.
LOAD: dict[str, tuple[str, str]] = {
    "bad_encoding": (
        "The file is not valid UTF-8 text. Save it as UTF-8.",
        "文件不是有效的 UTF-8 文本，请以 UTF-8 编码保存。",
    ),
    "bad_json": (
        "The file is not valid JSON (line {line}, column {column}: {detail}). "
        "Fix the syntax, or export the form again from the form editor.",
        "文件不是有效的 JSON（第 {line} 行，第 {column} 列：{detail}）。"
        "请修正语法，或从表单编辑器重新导出。",
    ),
    "duplicate_json_key": (
        "The JSON object has the property '{name}' twice. Keep only one.",
        "JSON 对象中属性“{name}”出现了两次，请只保留一个。",
    ),
    "not_object": (
        "A form file must contain one JSON object with 'id' and 'components'.",
        "表单文件必须是一个包含“id”和“components”的 JSON 对象。",
    ),
    "form_type": (
        "The form has type '{value}'; only 'default' forms are supported.",
        "表单类型为“{value}”，目前只支持“default”类型。",
    ),
    "form_id": (
        "The form needs an 'id' (a non-empty text). User tasks refer to the form by it.",
        "表单需要一个“id”（非空文本），用户任务通过它引用表单。",
    ),
    "components_list": (
        "'components' must be a list of components.",
        "“components”必须是组件列表。",
    ),
    "component_object": (
        "Each component must be a JSON object with a 'type'.",
        "每个组件都必须是带有“type”的 JSON 对象。",
    ),
    "unsupported_type": (
        "Component '{name}' uses type '{type}', which Aftersales does not support yet. {hint}",
        "组件“{name}”使用了类型“{type}”，Aftersales 暂不支持。{hint_zh}",
    ),
    "missing_key": (
        "Component '{name}' of type '{type}' needs a 'key': the name its value is saved under.",
        "类型为“{type}”的组件“{name}”需要一个“key”，即保存其值所用的名称。",
    ),
    "bad_key": (
        "Key '{name}' cannot be used: use letters, digits and underscores, starting with a "
        "letter, and not a Python keyword, so the value can be used in diagram expressions.",
        "键“{name}”不可用：请只使用字母、数字和下划线，以字母开头，且不能是 Python 关键字，"
        "以便在流程图表达式中使用该值。",
    ),
    "duplicate_key": (
        "The key '{name}' is used by more than one component. Give each field its own key.",
        "键“{name}”被多个组件使用，请为每个字段设置不同的键。",
    ),
    "duplicate_id": (
        "The component id '{name}' appears more than once. Give each component its own id.",
        "组件 id“{name}”出现了多次，请为每个组件设置不同的 id。",
    ),
    "unsupported_validate": (
        "Component '{name}' uses the validation rule '{rule}', which a {type} does not "
        "support in Aftersales. Remove it; supported here: {allowed}.",
        "组件“{name}”使用了验证规则“{rule}”，Aftersales 的 {type} 组件不支持该规则。"
        "请删除它；此处支持：{allowed}。",
    ),
    "bad_validate_value": (
        "Component '{name}': validation rule '{rule}' must be {expected}.",
        "组件“{name}”：验证规则“{rule}”必须是{expected_zh}。",
    ),
    "min_over_max": (
        "Component '{name}': '{low}' is greater than '{high}'. Swap or correct them.",
        "组件“{name}”：“{low}”大于“{high}”，请交换或更正。",
    ),
    "bad_pattern": (
        "Component '{name}': the pattern is not a valid regular expression ({detail}).",
        "组件“{name}”：pattern 不是有效的正则表达式（{detail}）。",
    ),
    "bad_validation_type": (
        "Component '{name}': validationType '{value}' is not supported. "
        "Use 'email', 'phone' or a custom pattern.",
        "组件“{name}”：不支持 validationType“{value}”，请使用“email”“phone”或自定义 pattern。",
    ),
    "unsupported_property": (
        "Component '{name}' uses '{prop}', which Aftersales does not support yet. {hint}",
        "组件“{name}”使用了“{prop}”，Aftersales 暂不支持。{hint_zh}",
    ),
    "feel_expression": (
        "Component '{name}' uses a FEEL expression in '{prop}'. Aftersales does not evaluate "
        "expressions in forms; write a fixed value instead.",
        "组件“{name}”在“{prop}”中使用了 FEEL 表达式。"
        "Aftersales 不在表单中计算表达式，请改为固定值。",
    ),
    "bad_property": (
        "Component '{name}': '{prop}' must be {expected}.",
        "组件“{name}”：“{prop}”必须是{expected_zh}。",
    ),
    "values_missing": (
        "Component '{name}' needs a non-empty 'values' list of options "
        '({{"label": …, "value": …}}).',
        '组件“{name}”需要非空的“values”选项列表（{{"label": …, "value": …}}）。',
    ),
    "bad_option": (
        "Component '{name}': each option needs a 'label' (text) and a 'value' (text or number).",
        "组件“{name}”：每个选项都需要“label”（文本）和“value”（文本或数字）。",
    ),
    "duplicate_option": (
        "Component '{name}' has the option value '{value}' twice. Give each option its own value.",
        "组件“{name}”中选项值“{value}”出现了两次，请为每个选项设置不同的值。",
    ),
    "bad_subtype": (
        "Component '{name}' has subtype '{value}'. Use 'date', 'time' or 'datetime'.",
        "组件“{name}”的 subtype 为“{value}”，请使用“date”“time”或“datetime”。",
    ),
    "bad_default": (
        "Component '{name}': the defaultValue is not a valid value for this field ({detail}).",
        "组件“{name}”：defaultValue 不是该字段的有效值（{detail_zh}）。",
    ),
    "group_path": (
        "Group '{name}' has the path '{value}'. Aftersales keeps all fields at the top level; "
        "leave the group's path empty.",
        "分组“{name}”的 path 为“{value}”。Aftersales 将所有字段保存在顶层，请将分组的 path 留空。",
    ),
    "translations": (
        '\'translations\' must look like {{"en": {{"中文文本": "English text"}}}}.',
        '“translations”的格式应为 {{"en": {{"中文文本": "English text"}}}}。',
    ),
    "translation_locale": (
        "'translations' has the language '{value}'; only 'en' is supported "
        "(the form itself is written in Chinese).",
        "“translations”中有语言“{value}”；目前只支持“en”（表单本身用中文编写）。",
    ),
    "duplicate_form": (
        "The form id '{name}' is used by more than one file ({files}). Give each form its own id.",
        "表单 id“{name}”被多个文件使用（{files}），请为每个表单设置不同的 id。",
    ),
    "not_a_folder": (
        "The forms folder '{name}' does not exist.",
        "表单文件夹“{name}”不存在。",
    ),
}


def normalize_locale(locale: str | None) -> Locale:
    """Map 'en', 'en-US', 'zh', 'zh-CN', 'zh_Hans' … to the two locales the app ships."""
    if locale and locale.replace("-", "_").lower().split("_")[0] == "en":
        return "en"
    return DEFAULT_LOCALE


def message(catalog: dict[str, tuple[str, str]], code: str, locale: str, **params: object) -> str:
    """One sentence from a catalog in the given locale, with ``{placeholders}`` filled in."""
    en, zh = catalog[code]
    return (en if normalize_locale(locale) == "en" else zh).format(**params)


def validation_translator(locale: str) -> Callable[..., str]:
    """A function ``t(code, **params)`` returning validation messages in one locale."""

    def t(code: str, **params: object) -> str:
        return message(VALIDATION, code, locale, **params)

    return t
