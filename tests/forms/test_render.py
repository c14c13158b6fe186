from __future__ import annotations

import re

from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from forms import FormDefinition
from tests.forms.helpers import make_form

OPTIONS = [{"label": "洗衣机", "value": "washer"}, {"label": "冰箱", "value": "fridge"}]


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    match = re.search(rf'<[a-z]+[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert match, f"no element with id {element_id!r} in {html}"
    return match.group(0)


def test_output_is_markup_without_form_or_submit(cr_record: FormDefinition) -> None:
    html = cr_record.render_html()
    assert isinstance(html, Markup)
    assert "<form" not in html
    assert 'type="submit"' not in html


def test_labels_point_at_unique_prefixed_ids(cr_record: FormDefinition) -> None:
    html = cr_record.render_html()
    for field in cr_record.fields:
        assert f'for="f-{field.key}"' in html
        assert html.count(f'id="f-{field.key}"') == 1
    assert 'name="customer"' in html


def test_label_with_script_is_escaped() -> None:
    form = make_form(
        {
            "type": "textfield",
            "key": "a",
            "label": "<script>alert(1)</script>",
            "description": '"><img src=x onerror=alert(2)>',
        }
    )
    html = form.render_html({"a": '"><script>alert(3)</script>'})
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"' in html


def test_option_labels_values_and_errors_are_escaped() -> None:
    form = make_form(
        {"type": "select", "key": "s", "values": [{"label": "<b>x</b>", "value": '"v'}]}
    )
    html = form.render_html(errors={"s": ["<i>bad</i>"]})
    assert "<b>" not in html and "<i>" not in html
    assert 'value="&#34;v"' in html


def test_textfield_attributes_from_rules() -> None:
    form = make_form(
        {
            "type": "textfield",
            "key": "serial",
            "label": "序列号",
            "validate": {"required": True, "minLength": 2, "maxLength": 20, "pattern": "[A-Z0-9]+"},
        },
        {"type": "textfield", "key": "mail", "validate": {"validationType": "email"}},
        {"type": "textfield", "key": "tel", "validate": {"validationType": "phone"}},
    )
    html = form.render_html()
    serial = tag(html, "f-serial")
    for attribute in ('type="text"', "required", 'minlength="2"', 'maxlength="20"'):
        assert attribute in serial
    assert 'pattern="[A-Z0-9]+"' in serial
    assert 'type="email"' in tag(html, "f-mail")
    assert 'type="tel"' in tag(html, "f-tel")


def test_number_attributes() -> None:
    form = make_form(
        {"type": "number", "key": "qty", "validate": {"min": 1, "max": 10}, "decimalDigits": 0},
        {"type": "number", "key": "price", "decimalDigits": 2},
        {"type": "number", "key": "weight", "increment": "0.5"},
        {"type": "number", "key": "free"},
    )
    html = form.render_html({"qty": 3})
    qty = tag(html, "f-qty")
    assert 'type="number"' in qty and 'min="1"' in qty and 'max="10"' in qty
    assert 'step="1"' in qty and 'value="3"' in qty
    assert 'step="0.01"' in tag(html, "f-price")
    assert 'step="0.5"' in tag(html, "f-weight")
    assert 'step="any"' in tag(html, "f-free")


def test_datetime_input_types_and_values() -> None:
    form = make_form(
        {"type": "datetime", "key": "d", "subtype": "date", "dateLabel": "日期"},
        {"type": "datetime", "key": "t", "subtype": "time", "timeLabel": "时间"},
        {"type": "datetime", "key": "dt", "subtype": "datetime", "dateLabel": "日期时间"},
    )
    html = form.render_html({"d": "2024-05-01", "t": "09:30+08:00", "dt": "2024-05-01T09:30+08:00"})
    assert 'type="date"' in tag(html, "f-d") and 'value="2024-05-01"' in tag(html, "f-d")
    assert 'type="time"' in tag(html, "f-t") and 'value="09:30"' in tag(html, "f-t")
    assert 'type="datetime-local"' in tag(html, "f-dt")
    assert 'value="2024-05-01T09:30"' in tag(html, "f-dt")
    assert ">日期<" in html  # dateLabel stands in for the missing label


def test_textarea_rows_and_content() -> None:
    form = make_form({"type": "textarea", "key": "note", "label": "备注"})
    html = form.render_html({"note": "第一行\n</textarea><b>"})
    assert 'rows="4"' in tag(html, "f-note")
    assert ">第一行\n&lt;/textarea&gt;&lt;b&gt;</textarea>" in html


def test_select_has_options_and_selection(cr_record: FormDefinition) -> None:
    html = cr_record.render_html({"category": "fridge"})
    assert '<option value="">请选择…</option>' in html
    assert '<option value="fridge" selected>冰箱</option>' in html
    assert '<option value="washer">洗衣机</option>' in html
    assert "required" in tag(html, "f-category")


def test_taglist_is_a_multiple_select() -> None:
    form = make_form({"type": "taglist", "key": "tags", "values": OPTIONS})
    html = form.render_html({"tags": ["washer", "fridge"]})
    assert "multiple" in tag(html, "f-tags")
    assert html.count(" selected") == 2


def test_radio_and_checklist_are_form_checks_in_a_fieldset() -> None:
    form = make_form(
        {
            "type": "radio",
            "key": "r",
            "label": "类别",
            "values": OPTIONS,
            "validate": {"required": True},
        },
        {"type": "checklist", "key": "c", "label": "配件", "values": OPTIONS},
    )
    html = form.render_html(MultiDict([("r", "fridge"), ("c", "washer"), ("c", "fridge")]))
    assert '<fieldset class="mb-3" id="f-r"' in html
    assert "<legend" in html
    assert 'type="radio"' in tag(html, "f-r-0") and "required" in tag(html, "f-r-0")
    assert "checked" in tag(html, "f-r-1") and "checked" not in tag(html, "f-r-0")
    assert 'for="f-r-1"' in html
    assert 'type="checkbox"' in tag(html, "f-c-0")
    assert "checked" in tag(html, "f-c-0") and "checked" in tag(html, "f-c-1")
    assert "required" not in tag(html, "f-c-0")  # would demand every box


def test_checkbox_checked_from_default_and_from_data() -> None:
    form = make_form({"type": "checkbox", "key": "ok", "label": "同意", "defaultValue": True})
    assert "checked" in tag(form.render_html(), "f-ok")
    assert "checked" not in tag(form.render_html({"ok": False}), "f-ok")
    assert 'class="form-check-input"' in tag(form.render_html(), "f-ok")


def test_defaults_fill_empty_fields() -> None:
    form = make_form({"type": "textfield", "key": "city", "defaultValue": "上海"})
    assert 'value="上海"' in tag(form.render_html(), "f-city")
    assert 'value="北京"' in tag(form.render_html({"city": "北京"}), "f-city")


def test_description_is_form_text_linked_by_aria(cr_record: FormDefinition) -> None:
    html = cr_record.render_html()
    assert '<div id="f-problem-help" class="form-text">请描述故障现象</div>' in html
    assert 'aria-describedby="f-problem-help"' in tag(html, "f-problem")


def test_errors_mark_the_control_invalid(cr_record: FormDefinition) -> None:
    data = {"customer": "", "problem": "坏了"}
    _, errors = cr_record.validate(data)
    html = cr_record.render_html(data, errors)
    assert "is-invalid" in tag(html, "f-customer")
    assert '<div id="f-customer-error" class="invalid-feedback">此项为必填项。</div>' in html
    assert 'aria-describedby="f-problem-help f-problem-error"' in tag(html, "f-problem")
    assert "is-invalid" not in tag(html, "f-purchase_date")


def test_group_errors_are_forced_visible() -> None:
    form = make_form({"type": "radio", "key": "r", "values": OPTIONS})
    html = form.render_html(errors={"r": "请选择"})
    assert 'class="invalid-feedback d-block">请选择</div>' in html


def test_errors_for_unknown_keys_show_as_an_alert(cr_record: FormDefinition) -> None:
    html = cr_record.render_html(errors={"_task": ["任务已被他人完成。"]})
    assert html.startswith('<div class="alert alert-danger" role="alert"><div>任务已被他人完成。')


def test_readonly_disables_everything_and_drops_required(cr_record: FormDefinition) -> None:
    html = cr_record.render_html({"customer": "张三", "category": "washer"}, readonly=True)
    for field in cr_record.fields:
        opening = tag(html, f"f-{field.key}")
        assert "disabled" in opening
        assert "required" not in opening
    assert 'value="张三"' in tag(html, "f-customer")


def test_readonly_component_uses_readonly_attribute() -> None:
    form = make_form({"type": "textfield", "key": "ticket", "readonly": True})
    assert "readonly" in tag(form.render_html({"ticket": "T-1"}), "f-ticket")


def test_required_fields_are_marked_in_the_label(cr_record: FormDefinition) -> None:
    html = cr_record.render_html(locale="en")
    assert 'Customer name <span class="text-danger" title="required">*</span></label>' in html


def test_translations_apply_in_english(cr_record: FormDefinition) -> None:
    html = cr_record.render_html(locale="en")
    assert ">Customer name " in html
    assert '<option value="washer">Washing machine</option>' in html
    assert '<option value="">Choose…</option>' in html
    assert "Describe what goes wrong" in html
    assert "<h3>Customer repair request</h3>" in html
    assert "<strong>accurately</strong>" in html
    assert "客户" not in html


def test_text_component_markdown_is_escaped() -> None:
    form = make_form(
        {
            "type": "text",
            "text": "## 注意\n\n- 先**断电**\n- 见 [手册](https://example.com/a?b=1&c=2)\n\n"
            "<script>x</script> [坏](javascript:alert(1))",
        }
    )
    html = form.render_html()
    assert "<h4>注意</h4>" in html
    assert "<ul><li>先<strong>断电</strong></li>" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer"' in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert 'href="javascript' not in html


def test_spacer_separator_and_group() -> None:
    form = make_form(
        {"type": "spacer", "height": 30},
        {"type": "separator"},
        {"type": "group", "label": "地址", "components": [{"type": "textfield", "key": "city"}]},
    )
    html = form.render_html()
    assert '<div style="height: 30px" aria-hidden="true"></div>' in html
    assert "<hr>" in html
    assert '<legend class="fs-6">地址</legend>' in html
    assert 'id="f-city"' in html


def test_fields_sharing_a_layout_row_sit_side_by_side(cr_record: FormDefinition) -> None:
    html = cr_record.render_html()
    row = html[html.index('<div class="row">') : html.index('data-field="category"')]
    assert 'id="f-customer"' in row and 'id="f-phone"' in row
    assert html.count('<div class="col-md-6">') == 2  # 8 of 16 form-js columns


def test_adorners_make_an_input_group() -> None:
    form = make_form(
        {
            "type": "number",
            "key": "price",
            "appearance": {"prefixAdorner": "¥", "suffixAdorner": "元"},
        },
        translations={"en": {"元": "CNY"}},
    )
    html = form.render_html(errors={"price": ["x"]}, locale="en")
    assert '<div class="input-group has-validation"><span class="input-group-text">¥</span>' in html
    assert '<span class="input-group-text">CNY</span><div id="f-price-error"' in html
