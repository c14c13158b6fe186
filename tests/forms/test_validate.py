from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from forms import FormDefinition
from tests.forms.helpers import make_form

OPTIONS = [{"label": "洗衣机", "value": "washer"}, {"label": "冰箱", "value": "fridge"}]
NUMBER_OPTIONS = [{"label": "一", "value": 1}, {"label": "二", "value": 2}]


def one_field(**component) -> FormDefinition:
    return make_form({"key": "v", "label": "值", **component})


def check(form: FormDefinition, value, locale: str = "en"):
    """Validate {'v': value}; return the clean value (or None) and v's errors."""
    clean, errors = form.validate({"v": value}, locale)
    json.dumps(clean)  # task data must always be JSON-serializable
    return clean.get("v"), errors.get("v", [])


# textfield / textarea


@pytest.mark.parametrize(("value", "expected"), [("  张三  ", "张三"), (42, "42")])
def test_text_is_stripped_and_numbers_accepted(value, expected) -> None:
    assert check(one_field(type="textfield"), value) == (expected, [])


def test_text_rejects_non_text() -> None:
    assert check(one_field(type="textfield"), {"a": 1}) == (None, ["Enter text."])


def test_required_text_blank_or_missing_or_null() -> None:
    form = one_field(type="textfield", validate={"required": True})
    for value in ("", "   ", None):
        assert check(form, value) == (None, ["This field is required."])
    assert form.validate({}, "en")[1] == {"v": ["This field is required."]}
    assert form.validate(None, "zh_CN")[1] == {"v": ["此项为必填项。"]}


def test_optional_blank_text_becomes_none_and_missing_is_omitted() -> None:
    form = one_field(type="textfield")
    assert form.validate({"v": ""}) == ({"v": None}, {})
    assert form.validate({}) == ({}, {})


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        ("ab", "Enter at least 3 characters.", "请至少输入 3 个字符。"),
        ("abcdef", "Enter at most 5 characters.", "最多只能输入 5 个字符。"),
    ],
)
def test_text_length_rules(value, en, zh) -> None:
    form = one_field(type="textfield", validate={"minLength": 3, "maxLength": 5})
    assert check(form, value, "en") == (None, [en])
    assert check(form, value, "zh_CN") == (None, [zh])
    assert check(form, "  abc  ") == ("abc", [])


def test_length_counts_chinese_characters_once() -> None:
    assert check(one_field(type="textfield", validate={"maxLength": 2}), "客户") == ("客户", [])


def test_pattern_must_match_the_whole_value() -> None:
    form = one_field(type="textfield", validate={"pattern": "[A-Z]{2}[0-9]{4}"})
    assert check(form, "SN1234") == ("SN1234", [])
    assert check(form, "SN12345") == (None, ["This value is not in the expected format."])
    assert check(form, "xSN1234", "zh") == (None, ["格式不正确。"])


@pytest.mark.parametrize(
    ("value", "valid"),
    [("li.lei@example.com", True), ("li.lei@example", False), ("a b@example.com", False)],
)
def test_email_validation_type(value, valid) -> None:
    form = one_field(type="textfield", validate={"validationType": "email"})
    expected = (value, []) if valid else (None, ["Enter a valid email address."])
    assert check(form, value) == expected


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("13800138000", True),
        ("+86 138 0013 8000", True),
        ("010-12345678", True),
        ("(010) 1234 5678", True),
        ("1234", False),
        ("call me", False),
    ],
)
def test_phone_validation_type(value, valid) -> None:
    form = one_field(type="textfield", validate={"validationType": "phone"})
    expected = (value, []) if valid else (None, ["Enter a valid phone number."])
    assert check(form, value) == expected
    if not valid:
        assert check(form, value, "zh_CN")[1] == ["请输入有效的电话号码。"]


def test_textarea_normalizes_browser_newlines_before_counting() -> None:
    form = one_field(type="textarea", validate={"maxLength": 3})
    assert check(form, " a\r\nb ") == ("a\nb", [])


# number


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (" 3.50 ", 3.5), (7, 7), (2.25, 2.25), ("-0.5", -0.5), (1e2, 100)],
)
def test_number_from_strings_and_json(value, expected) -> None:
    clean, errors = check(one_field(type="number"), value)
    assert (clean, errors) == (expected, [])
    assert type(clean) is type(expected)


@pytest.mark.parametrize("value", ["abc", "1,5", "1e3", "NaN", "Infinity", True, [1]])
def test_number_rejects_what_is_not_a_plain_number(value) -> None:
    assert check(one_field(type="number"), value) == (None, ["Enter a number."])
    assert check(one_field(type="number"), value, "zh_CN") == (None, ["请输入数字。"])


def test_number_min_and_max() -> None:
    form = one_field(type="number", validate={"min": 0, "max": 99.5})
    assert check(form, "-1") == (None, ["Must be at least 0."])
    assert check(form, 100) == (None, ["Must be at most 99.5."])
    assert check(form, "-1", "zh_CN") == (None, ["不能小于 0。"])
    assert check(form, 100, "zh_CN") == (None, ["不能大于 99.5。"])
    assert check(form, "99.5") == (99.5, [])
    assert check(form, 0) == (0, [])


def test_decimal_digits_cap_decimal_places() -> None:
    form = one_field(type="number", decimalDigits=2)
    assert check(form, "1.239") == (None, ["Use at most 2 decimal places."])
    assert check(form, "1.230") == (1.23, [])
    assert check(form, 0.1) == (0.1, [])
    whole = one_field(type="number", decimalDigits=0)
    assert check(whole, "2.5") == (None, ["Enter a whole number."])
    assert check(whole, "2.5", "zh_CN") == (None, ["请输入整数。"])
    assert check(whole, "2.0") == (2, [])


def test_serialize_to_string_keeps_exact_decimals() -> None:
    form = one_field(type="number", serializeToString=True)
    assert check(form, 0.1) == ("0.1", [])
    assert check(form, "1200") == ("1200", [])


def test_optional_blank_number_is_none() -> None:
    assert check(one_field(type="number"), "") == (None, [])
    assert one_field(type="number").validate({"v": ""}) == ({"v": None}, {})


# datetime


def test_date_subtype() -> None:
    form = one_field(type="datetime", subtype="date")
    assert check(form, "2024-05-01") == ("2024-05-01", [])
    assert check(form, date(2024, 5, 1)) == ("2024-05-01", [])
    for bad in ("2024-02-30", "01/05/2024", "20240501", 20240501):
        assert check(form, bad) == (None, ["Enter a date as YYYY-MM-DD."])
    assert check(form, "x", "zh_CN")[1] == ["请输入日期，格式为 YYYY-MM-DD。"]


def test_time_subtype() -> None:
    form = one_field(type="datetime", subtype="time")
    assert check(form, "09:30") == ("09:30", [])
    assert check(form, "09:30:00") == ("09:30", [])
    assert check(form, "09:30+08:00") == ("09:30+08:00", [])
    for bad in ("24:00", "9:30", "noon"):
        assert check(form, bad) == (None, ["Enter a time as HH:MM."])


def test_time_without_timezone_drops_the_offset() -> None:
    form = one_field(type="datetime", subtype="time", timeSerializingFormat="no_timezone")
    assert check(form, "09:30+08:00") == ("09:30", [])


def test_datetime_subtype_from_browser_and_json() -> None:
    form = one_field(type="datetime", subtype="datetime")
    assert check(form, "2024-05-01T09:30") == ("2024-05-01T09:30", [])
    assert check(form, "2024-05-01 09:30:15") == ("2024-05-01T09:30:15", [])
    assert check(form, "2024-05-01T09:30:00+08:00") == ("2024-05-01T09:30+08:00", [])
    assert check(form, "2024-05-01T09:30:00Z") == ("2024-05-01T09:30+00:00", [])
    assert check(form, "2024-05-01") == (None, ["Enter a date and time as YYYY-MM-DD HH:MM."])


def test_datetime_utc_normalized() -> None:
    form = one_field(type="datetime", subtype="datetime", timeSerializingFormat="utc_normalized")
    assert check(form, "2024-05-01T09:30+08:00") == ("2024-05-01T01:30+00:00", [])


def test_disallow_passed_dates() -> None:
    form = one_field(type="datetime", subtype="date", disallowPassedDates=True)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert check(form, yesterday) == (None, ["Choose today or a later date."])
    assert check(form, yesterday, "zh_CN") == (None, ["请选择今天或之后的日期。"])
    assert check(form, date.today().isoformat()) == (date.today().isoformat(), [])


# checkbox


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("on", True), ("true", True), (False, False), ("false", False), ("", False)],
)
def test_checkbox_from_html_and_json(value, expected) -> None:
    assert check(one_field(type="checkbox"), value) == (expected, [])


def test_unticked_checkbox_posts_nothing_and_means_false() -> None:
    assert one_field(type="checkbox").validate({}) == ({"v": False}, {})


def test_required_checkbox_must_be_ticked() -> None:
    form = one_field(type="checkbox", validate={"required": True})
    assert form.validate({}, "en")[1] == {"v": ["This field is required."]}
    assert check(form, "false") == (None, ["This field is required."])
    assert check(form, "on") == (True, [])


def test_checkbox_rejects_other_values() -> None:
    assert check(one_field(type="checkbox"), "maybe") == (None, ["Choose yes or no."])


# select / radio


@pytest.mark.parametrize("kind", ["select", "radio"])
def test_single_choice_must_be_an_option(kind) -> None:
    form = one_field(type=kind, values=OPTIONS)
    assert check(form, "fridge") == ("fridge", [])
    assert check(form, "oven") == (None, ["Choose one of the listed options."])
    assert check(form, "oven", "zh_CN") == (None, ["请从列出的选项中选择。"])
    assert check(form, "") == (None, [])


def test_number_option_values_keep_their_type_from_html_posts() -> None:
    form = one_field(type="radio", values=NUMBER_OPTIONS)
    assert check(form, "2") == (2, [])
    assert check(form, 2) == (2, [])
    assert check(form, True) == (None, ["Choose one of the listed options."])


def test_required_select() -> None:
    form = one_field(type="select", values=OPTIONS, validate={"required": True})
    assert check(form, "") == (None, ["This field is required."])


# checklist / taglist


@pytest.mark.parametrize("kind", ["checklist", "taglist"])
def test_multiple_choice_is_a_list_of_options_in_option_order(kind) -> None:
    form = one_field(type=kind, values=OPTIONS)
    assert check(form, ["fridge", "washer", "fridge"]) == (["washer", "fridge"], [])
    assert check(form, "fridge") == (["fridge"], [])
    assert check(form, ["fridge", "oven"]) == (None, ["Choose only from the listed options."])
    assert check(form, ["oven"], "zh_CN") == (None, ["只能从列出的选项中选择。"])
    assert check(form, {"washer": True}) == (None, ["Choose only from the listed options."])


def test_checklist_from_a_multidict_post() -> None:
    form = one_field(type="checklist", values=OPTIONS)
    post = MultiDict([("v", "washer"), ("v", "fridge")])
    assert form.validate(post) == ({"v": ["washer", "fridge"]}, {})


def test_checklist_nothing_ticked() -> None:
    assert one_field(type="checklist", values=OPTIONS).validate({}) == ({"v": []}, {})
    required = one_field(type="checklist", values=OPTIONS, validate={"required": True})
    assert required.validate(MultiDict(), "en")[1] == {"v": ["This field is required."]}
    assert check(required, []) == (None, ["This field is required."])


# the whole form


def test_unknown_keys_are_dropped(cr_record: FormDefinition) -> None:
    clean, errors = cr_record.validate(
        {
            "customer": "张三",
            "phone": "13800138000",
            "category": "washer",
            "problem": "不能脱水，有异响",
            "approved": True,
            "__class__": "x",
        }
    )
    assert errors == {}
    assert clean == {
        "customer": "张三",
        "phone": "13800138000",
        "category": "washer",
        "problem": "不能脱水，有异响",
        "in_warranty": False,
    }


def test_all_errors_are_reported_together_in_the_locale(cr_record: FormDefinition) -> None:
    clean, errors = cr_record.validate({"customer": "张三", "problem": "坏了"}, "zh-CN")
    assert errors == {
        "phone": ["此项为必填项。"],
        "category": ["此项为必填项。"],
        "problem": ["请至少输入 5 个字符。"],
    }
    assert clean["customer"] == "张三"


def test_locale_spellings_are_treated_alike(cr_record: FormDefinition) -> None:
    results = {loc: cr_record.validate({}, loc)[1] for loc in ("zh", "zh-CN", "zh_CN")}
    assert len({json.dumps(r, ensure_ascii=False) for r in results.values()}) == 1
    assert cr_record.validate({}, "en-US")[1]["phone"] == ["This field is required."]


def test_readonly_and_disabled_fields_are_never_taken_from_a_post() -> None:
    form = make_form(
        {"type": "textfield", "key": "ticket", "readonly": True, "validate": {"required": True}},
        {"type": "number", "key": "price", "disabled": True},
        {"type": "textfield", "key": "note"},
    )
    clean, errors = form.validate({"ticket": "forged", "price": 0, "note": "好"})
    assert (clean, errors) == ({"note": "好"}, {})


def test_display_components_hold_no_data() -> None:
    form = make_form({"type": "text", "text": "说明"}, {"type": "textfield", "key": "a"})
    assert form.validate({"a": "x", "text": "y"}) == ({"a": "x"}, {})


def test_schema_is_built_once_per_locale(cr_record: FormDefinition) -> None:
    assert cr_record.schema("zh") is cr_record.schema("zh_CN")
    assert cr_record.schema("en") is not cr_record.schema("zh_CN")


def test_keys_named_like_schema_attributes_still_work() -> None:
    keys = ["load", "fields", "Meta", "opts", "field_0"]
    form = make_form(*({"type": "textfield", "key": k} for k in keys))
    data = {k: k.upper() for k in keys}
    assert form.validate(data) == (data, {})
    assert form.validate({"Meta": [1]}, "en")[1] == {"Meta": ["Enter text."]}


def test_data_that_is_not_a_mapping_is_a_programming_error(cr_record: FormDefinition) -> None:
    with pytest.raises(TypeError, match="must be a mapping, not list"):
        cr_record.validate(["customer"])  # type: ignore[arg-type]
