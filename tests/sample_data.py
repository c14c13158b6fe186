"""Valid sample answers for any shipped form, so tests can walk a process with realistic data."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FORMS_DIR = Path(__file__).resolve().parents[1] / "forms"

# values for fields whose pattern or meaning a generic filler cannot guess
KNOWN = {
    "serial_number": "SN-2026-0001",
    "contact": "13800138000",
    "customer_name": "华东精密机械有限公司",
    "product_model": "AS-300",
    "reassign_to": "",  # optional: an escalation keeps the task with its owner
    # records (docs/records.md): empty optional references let the record be found by serial
    "customer_code": "",
    "engineer": "",  # any repair technician may claim the repair
    "asset_tag": "",  # any available loaner of the product
    "part1_number": "PWR-200",
    "part1_qty": 1,
    "part2_number": "",
    "part2_qty": None,
    "part_number": "PWR-200",
    "quote_amount": 1200,
    "charge": 0,  # free in warranty
    "tracking_number": "SF1234567890",
    "signed_by_name": "王工",
    "carrier": "顺丰速运",
    "replacement_serial": "",  # an exchange names the new unit; a refund does not
    # the follow-up visit's survey (case.follow_up) refuses a visit in the future, whatever
    # the day the tests run and the zone they run in
    "visited_on": (date.today() - timedelta(days=1)).isoformat(),
}


def form_json(key: str) -> dict:
    return json.loads((FORMS_DIR / f"{key}.form").read_text(encoding="utf-8"))


def _value(component: dict) -> Any:
    kind = component["type"]
    validate = component.get("validate") or {}
    values = [v["value"] for v in component.get("values") or []]
    if component["key"] in KNOWN:
        return KNOWN[component["key"]]
    if kind in ("radio", "select"):
        return values[0]
    if kind in ("checklist", "taglist"):
        return values[:1]
    if kind == "checkbox":
        return True
    if kind == "number":
        return (
            validate.get("min", 0) + 1
            if validate.get("max", 10) > validate.get("min", 0)
            else validate["min"]
        )
    if kind == "datetime":
        return "2026-11-28" if component.get("subtype") == "date" else "2026-11-28T10:00"
    text = "测试记录：情况已核实，详见附件说明。"
    return text[: validate.get("maxLength", len(text))]


def fill(key: str, **overrides: Any) -> dict[str, Any]:
    """A valid submission for form `key`: every field answered, then `overrides` applied."""
    data = {}
    for component in form_json(key)["components"]:
        for child in [component, *component.get("components", [])]:
            # disabled and readonly fields only show data: a post never carries them
            if (
                child.get("key")
                and child["type"] not in ("text",)
                and not (child.get("disabled") or child.get("readonly"))
            ):
                data[child["key"]] = _value(child)
    data.update(overrides)
    return data


def request_data(category: str = "quality_complaint", **overrides: Any) -> dict[str, Any]:
    defaults = {
        "priority": "normal",
        "description": "设备运行时出现异常噪音，客户要求尽快处理。",
        # the start looks the serial up in the records (case.open): a sample one is on no file
        "serial_number": "",
    }
    return fill("customer_request_start", category=category, **{**defaults, **overrides})
