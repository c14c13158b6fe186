from __future__ import annotations

import json

import pytest

from forms import FormDefinition, FormError, load_form, load_forms_dir
from tests.forms.helpers import DATA, make_form


def problems_of(excinfo: pytest.ExceptionInfo[FormError]) -> list[str]:
    return [p.message for p in excinfo.value.problems]


def test_editor_export_loads_with_fields_in_order(cr_record: FormDefinition) -> None:
    assert cr_record.key == "cr_record"
    assert cr_record.title == "报修登记"
    assert [f.key for f in cr_record.fields] == [
        "customer",
        "phone",
        "category",
        "purchase_date",
        "problem",
        "in_warranty",
    ]
    customer = cr_record.field("customer")
    assert (customer.type, customer.label, customer.required, customer.max_length) == (
        "textfield",
        "客户名称",
        True,
        200,
    )
    assert cr_record.field("phone").validation_type == "phone"
    assert [o.value for o in cr_record.field("category").options] == ["washer", "fridge"]
    assert cr_record.field("purchase_date").subtype == "date"


def test_raw_is_the_json_as_loaded() -> None:
    text = (DATA / "cr_record.form").read_text(encoding="utf-8")
    form = load_form(text)
    assert form.raw == json.loads(text)


def test_dict_source_is_copied_so_later_changes_do_not_leak_in() -> None:
    source = {"id": "f", "components": [{"type": "textfield", "key": "a", "label": "甲"}]}
    form = load_form(source)
    source["components"].clear()
    assert form.raw["components"][0]["key"] == "a"


def test_bytes_with_utf8_bom_load() -> None:
    text = '{"id": "f", "components": [{"type": "textfield", "key": "a", "label": "甲"}]}'
    assert load_form(b"\xef\xbb\xbf" + text.encode()).field("a").label == "甲"


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(FormError) as excinfo:
        load_form('{\n  "id": "f",\n  "components": [,]\n}', filename="broken.form")
    (problem,) = excinfo.value.problems
    assert "line 3, column 18" in problem.message
    assert "第 3 行，第 18 列" in problem.message_zh
    assert problem.filename == "broken.form"
    assert str(excinfo.value).startswith("broken.form: ")


def test_non_utf8_bytes_are_a_form_error() -> None:
    with pytest.raises(FormError, match="UTF-8"):
        load_form(b'{"id": "\xff"}')


def test_duplicate_json_property_is_a_form_error() -> None:
    with pytest.raises(FormError, match="'id' twice"):
        load_form('{"id": "a", "id": "b", "components": []}')


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("[]", "one JSON object"),
        ('{"components": []}', "needs an 'id'"),
        ('{"id": "f"}', "'components' must be a list"),
        ('{"id": "f", "type": "custom", "components": []}', "only 'default' forms"),
    ],
)
def test_form_level_problems(source: str, fragment: str) -> None:
    with pytest.raises(FormError, match=fragment):
        load_form(source)


def test_unsupported_type_names_component_and_what_to_use() -> None:
    with pytest.raises(FormError) as excinfo:
        make_form({"type": "filepicker", "key": "photo", "label": "照片"})
    (problem,) = excinfo.value.problems
    assert problem.component == "photo"
    assert problem.message == (
        "Component 'photo' uses type 'filepicker', which Aftersales does not support yet. "
        "Use a textfield with a link instead."
    )
    assert (
        problem.message_zh
        == "组件“photo”使用了类型“filepicker”，Aftersales 暂不支持。请改用文本框填写链接。"
    )


def test_unknown_type_lists_the_supported_ones() -> None:
    with pytest.raises(FormError, match="Use one of: textfield, textarea, number"):
        make_form({"type": "signature", "key": "sig"})


def test_duplicate_keys_are_a_form_error() -> None:
    with pytest.raises(FormError) as excinfo:
        make_form(
            {"type": "textfield", "key": "customer", "label": "客户"},
            {
                "type": "group",
                "components": [{"type": "textarea", "key": "customer", "label": "客户"}],
            },
        )
    assert problems_of(excinfo) == [
        "The key 'customer' is used by more than one component. Give each field its own key."
    ]


def test_duplicate_component_ids_are_a_form_error() -> None:
    with pytest.raises(FormError, match="id 'Field_1' appears more than once"):
        make_form(
            {"type": "textfield", "key": "a", "id": "Field_1"},
            {"type": "text", "text": "说明", "id": "Field_1"},
        )


@pytest.mark.parametrize("key", ["a.b", "1st", "with space", "class", ""])
def test_keys_must_be_usable_in_expressions(key: str) -> None:
    with pytest.raises(FormError, match="key" if key else "needs a 'key'"):
        make_form({"type": "textfield", "key": key, "label": "甲"})


@pytest.mark.parametrize(
    ("component", "fragment"),
    [
        ({"type": "textarea", "validate": {"pattern": "x"}}, "rule 'pattern'"),
        ({"type": "number", "validate": {"maxLength": 3}}, "rule 'maxLength'"),
        ({"type": "textfield", "validate": {"validationType": "url"}}, "validationType 'url'"),
        ({"type": "textfield", "validate": {"pattern": "("}}, "not a valid regular expression"),
        ({"type": "textfield", "validate": {"minLength": 5, "maxLength": 2}}, "'minLength' is"),
        ({"type": "number", "validate": {"min": 10, "max": 1}}, "'min' is greater than 'max'"),
        ({"type": "number", "validate": {"min": "ten"}}, "'validate.min' must be a number"),
        ({"type": "textfield", "validate": {"maxLength": -1}}, "a whole number of 0 or more"),
        ({"type": "textfield", "validate": {"required": "yes"}}, "must be true or false"),
        ({"type": "textfield", "validate": ["required"]}, "'validate' must be an object"),
    ],
)
def test_unsupported_or_invalid_validation_rules(component: dict, fragment: str) -> None:
    with pytest.raises(FormError, match=fragment):
        make_form({"key": "field", "label": "字段", **component})


def test_cleared_rules_left_by_the_editor_are_ignored() -> None:
    form = make_form(
        {"type": "textarea", "key": "a", "validate": {"pattern": "", "min": None}},
    )
    assert form.field("a").pattern is None


@pytest.mark.parametrize(
    ("component", "fragment"),
    [
        ({"type": "select"}, "non-empty 'values' list"),
        ({"type": "radio", "values": [{"label": "甲"}]}, r"needs a 'label' \(text\) and a 'value'"),
        (
            {"type": "checklist", "values": [{"label": "甲", "value": "a"}] * 2},
            "option value 'a' twice",
        ),
        ({"type": "select", "valuesKey": "options"}, "uses 'valuesKey'"),
        ({"type": "datetime", "subtype": "week"}, "subtype 'week'"),
        ({"type": "number", "decimalDigits": 1.5}, "'decimalDigits' must be a whole number"),
        ({"type": "number", "increment": -1}, "'increment' must be a positive number"),
        ({"type": "textfield", "readonly": "yes"}, "'readonly' must be true or false"),
        ({"type": "textfield", "label": "=customerName"}, "FEEL expression in 'label'"),
        ({"type": "textfield", "conditional": {"hide": "=x"}}, "uses 'conditional'"),
        ({"type": "textfield", "layout": {"columns": 20}}, "'layout.columns'"),
    ],
)
def test_component_property_problems(component: dict, fragment: str) -> None:
    with pytest.raises(FormError, match=fragment):
        make_form({"key": "field", "label": "字段", **component})


@pytest.mark.parametrize(
    "component",
    [
        {"type": "select", "values": [{"label": "甲", "value": "a"}], "defaultValue": "z"},
        {"type": "number", "validate": {"max": 5}, "defaultValue": 9},
        {"type": "textfield", "validate": {"pattern": "[0-9]+"}, "defaultValue": "abc"},
    ],
)
def test_invalid_default_value_is_a_form_error(component: dict) -> None:
    with pytest.raises(FormError, match="defaultValue is not a valid value"):
        make_form({"key": "field", "label": "字段", **component})


def test_group_with_a_path_is_refused_and_fields_inside_groups_are_found() -> None:
    with pytest.raises(FormError, match="leave the group's path empty"):
        make_form({"type": "group", "path": "address", "components": []})
    form = make_form(
        {"type": "group", "label": "地址", "components": [{"type": "textfield", "key": "city"}]}
    )
    assert [f.key for f in form.fields] == ["city"]
    assert form.field("city").label == "city"  # no label: the key stands in


def test_translations_must_be_english_string_maps() -> None:
    with pytest.raises(FormError, match="only 'en' is supported"):
        make_form(translations={"de": {"甲": "A"}})
    with pytest.raises(FormError, match="'translations' must look like"):
        make_form(translations={"en": ["甲"]})


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(FormError) as excinfo:
        make_form(
            {"type": "filepicker", "key": "photo"},
            {"type": "textfield", "key": "a", "validate": {"min": 1}},
            {"type": "textfield", "key": "a"},
        )
    assert [p.component for p in excinfo.value.problems] == ["photo", "a", "a"]
    assert excinfo.value.messages("zh_CN")[0].startswith("<form>: 组件“photo”")


def test_load_forms_dir_keys_forms_by_id(tmp_path) -> None:
    (tmp_path / "cr_record.form").write_bytes((DATA / "cr_record.form").read_bytes())
    (tmp_path / "other.form").write_text('{"id": "other", "components": []}', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a form", encoding="utf-8")
    forms = load_forms_dir(tmp_path)
    assert sorted(forms) == ["cr_record", "other"]


def test_load_forms_dir_reports_problems_of_all_files(tmp_path) -> None:
    (tmp_path / "a.form").write_text('{"id": "same", "components": []}', encoding="utf-8")
    (tmp_path / "b.form").write_text('{"id": "same", "components": []}', encoding="utf-8")
    (tmp_path / "c.form").write_text("{", encoding="utf-8")
    with pytest.raises(FormError) as excinfo:
        load_forms_dir(tmp_path)
    assert [p.filename for p in excinfo.value.problems] == ["c.form", "b.form"]
    assert "'same' is used by more than one file (a.form, b.form)" in str(excinfo.value)


def test_load_forms_dir_needs_an_existing_folder(tmp_path) -> None:
    with pytest.raises(FormError, match="does not exist"):
        load_forms_dir(tmp_path / "missing")
