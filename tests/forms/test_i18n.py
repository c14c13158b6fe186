from __future__ import annotations

import re

import pytest

from forms import FormDefinition
from forms.messages import LOAD, UI, VALIDATION, normalize_locale


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("en_GB", "en"),
        ("zh", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh_CN", "zh_CN"),
        ("zh-Hans", "zh_CN"),
        (None, "zh_CN"),
        ("", "zh_CN"),
    ],
)
def test_locale_spellings(locale, expected) -> None:
    assert normalize_locale(locale) == expected


@pytest.mark.parametrize("catalog", [VALIDATION, UI, LOAD])
def test_every_message_exists_in_both_languages_with_the_same_placeholders(catalog) -> None:
    for code, (en, zh) in catalog.items():
        assert en and zh, code
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{code}: Chinese text missing"
        en_names = set(re.findall(r"(?<!\{)\{(\w+)\}", en))
        zh_names = {n.removesuffix("_zh") for n in re.findall(r"(?<!\{)\{(\w+)\}", zh)}
        assert en_names == zh_names, code


def test_label_uses_the_translation_map(cr_record: FormDefinition) -> None:
    assert cr_record.label("customer", "zh_CN") == "客户名称"
    assert cr_record.label("customer", "en") == "Customer name"
    assert cr_record.label("customer", "en-GB") == "Customer name"


def test_label_falls_back_to_chinese_then_to_the_key() -> None:
    from tests.forms.helpers import make_form

    form = make_form({"type": "textfield", "key": "serial", "label": "序列号"})
    assert form.label("serial", "en") == "序列号"
    assert form.label("gone", "en") == "gone"


def test_title_and_option_labels_translate(cr_record: FormDefinition) -> None:
    assert cr_record.translate(cr_record.title, "en") == "Repair request"
    assert cr_record.option_label("category", "fridge", "en") == "Fridge"
    assert cr_record.option_label("category", "fridge", "zh") == "冰箱"
    assert cr_record.option_label("category", "oven", "en") == "oven"
