"""The records through the JSON API: shapes, pagination, filters, 404 and 403 as problem+json."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from tests.webapp.test_records_pages import EXPIRED, IN_WARRANTY, RecordSet, record_set
from workflows.records.warranty import add_months, local_today

_UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


@pytest.fixture
def records(app) -> RecordSet:
    from webapp.extensions import db

    with app.app_context():
        return record_set(db.session)


def _ok(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def _page_shape(body: dict) -> None:
    assert set(body) >= {"items", "total", "page", "per_page"}


# -- customers ------------------------------------------------------------------------------------
def test_customers_search_and_pagination(api, records):
    cs1 = api("cs1")
    body = _ok(cs1.get("/api/v1/customers?q=Lion City"))
    _page_shape(body)
    assert [c["code"] for c in body["items"]] == ["C003"]
    first = _ok(cs1.get("/api/v1/customers?per_page=2&page=1"))
    second = _ok(cs1.get("/api/v1/customers?per_page=2&page=2"))
    assert first["total"] >= 4 and first["per_page"] == 2 and len(first["items"]) == 2
    assert second["page"] == 2
    assert {c["id"] for c in first["items"]}.isdisjoint(c["id"] for c in second["items"])
    _problem(cs1.get("/api/v1/customers?page=x"), 400)


def test_customer_detail(api, records):
    body = _ok(api("cs1").get(f"/api/v1/customers/{records.customer_id}"))
    assert body["code"] == "T-REC" and body["contract_tier"] == "premium"
    assert body["sites"][0] == {
        "id": body["sites"][0]["id"],
        "name": "苏州测试工厂",
        "address": "苏州工业园区",
        "timezone": "Asia/Shanghai",
        "hours": "08:00-12:00,13:00-17:00",
        "weekdays": "mon-sat",
        "holidays": "CN",
    }
    assert _UTC_TIME.match(body["created_at"])
    assert [u["serial_number"] for u in body["units"]] == [IN_WARRANTY, EXPIRED]


# -- units ----------------------------------------------------------------------------------------
def test_unit_by_serial(api):
    body = _ok(api("cs1").get("/api/v1/units?serial=SN-C001-0001"))
    assert body["total"] == 1
    (unit,) = body["items"]
    assert unit["serial_number"] == "SN-C001-0001"
    assert unit["customer"]["code"] == "C001" and unit["product"]["model"] == "CNC-500"
    assert unit["in_warranty"] is True
    assert date.fromisoformat(unit["warranty_end"]) >= local_today()
    assert _ok(api("cs1").get("/api/v1/units?serial=SN-NOPE"))["items"] == []


def test_units_search(api, records):
    body = _ok(api("cs1").get("/api/v1/units?q=TREC-100"))
    assert [u["serial_number"] for u in body["items"]] == [IN_WARRANTY, EXPIRED]
    assert [u["in_warranty"] for u in body["items"]] == [True, False]


def test_unit_detail_with_warranty_extensions_and_history(api, records):
    body = _ok(api("cs1").get(f"/api/v1/units/{records.unit_id}"))
    accepted = date.fromisoformat(body["accepted_on"])
    # accepted + 12 months − 1 day, then the 60-day extension
    contract_end = add_months(accepted, 12) - timedelta(days=1)
    assert body["warranty_end"] == (contract_end + timedelta(days=60)).isoformat()
    assert body["in_warranty"] is True and body["extension_days"] == 60
    (extension,) = body["extensions"]
    assert extension["days"] == 60 and extension["repair_order_id"] == records.repair_id
    kinds = [entry["kind"] for entry in body["history"]]
    assert sorted(kinds) == [
        "failure_record",
        "repair_order",
        "return_request",
        "service_case",
        "warranty_extension",
    ]
    times = [datetime.fromisoformat(entry["at"]) for entry in body["history"]]
    assert times == sorted(times, reverse=True)
    assert all(_UTC_TIME.match(entry["at"]) for entry in body["history"])
    repair = next(e["record"] for e in body["history"] if e["kind"] == "repair_order")
    assert repair["id"] == records.repair_id and repair["instance_id"] == records.case_id


def test_expired_unit(api, records):
    body = _ok(api("cs1").get(f"/api/v1/units/{records.expired_unit_id}"))
    assert body["in_warranty"] is False and body["history"] == []
    assert date.fromisoformat(body["warranty_end"]) < local_today()


# -- repair orders, parts, returns ----------------------------------------------------------------
def test_repair_orders_list_and_filters(api, records):
    tech1 = api("tech1")
    body = _ok(tech1.get(f"/api/v1/repair-orders?unit={records.unit_id}"))
    _page_shape(body)
    assert [o["id"] for o in body["items"]] == [records.repair_id]
    closed = _ok(tech1.get(f"/api/v1/repair-orders?unit={records.unit_id}&status=closed"))
    assert closed["total"] == 1
    still_open = _ok(tech1.get(f"/api/v1/repair-orders?unit={records.unit_id}&status=open"))
    assert still_open["total"] == 0
    _problem(tech1.get("/api/v1/repair-orders?status=lost"), 400)
    _problem(tech1.get("/api/v1/repair-orders?unit=abc"), 400)


def test_repair_order_detail(api, records):
    body = _ok(api("cs1").get(f"/api/v1/repair-orders/{records.repair_id}"))
    assert body["unit"] == {"id": records.unit_id, "serial_number": IN_WARRANTY}
    assert body["mode"] == "onsite" and body["engineer"] == "tech1"
    assert body["in_warranty"] is True and date.fromisoformat(body["warranty_end"])
    assert body["labour_hours"] == "2.50" and body["charge"] == "0.00"  # money as strings
    assert body["quote_amount"] is None and body["quote_status"] == "none"
    assert body["parts"] == [
        {"part_number": "SP-TREC-01", "name": "测试轴承", "quantity": 1, "status": "consumed"}
    ]
    assert body["loaner"] == "LN-TREC-01" and _UTC_TIME.match(body["loaner_issued_at"])
    assert body["loaner_returned_at"] is None
    assert [(a["item"], a["accepted"]) for a in body["acceptance"]] == [
        ("appearance", True),
        ("function", True),
        ("accessories", True),
        ("documents", False),
    ]
    assert body["accepted_by_name"] == "赵工" and _UTC_TIME.match(body["accepted_at"])
    assert body["instance_id"] == records.case_id


def test_parts_with_the_three_percent_check(api, records):
    body = _ok(api("parts1").get("/api/v1/parts?per_page=200"))
    _page_shape(body)
    parts = {p["part_number"]: p for p in body["items"]}
    assert parts["SP-TREC-01"] == {
        "id": parts["SP-TREC-01"]["id"],
        "part_number": "SP-TREC-01",
        "name": "测试轴承",
        "family": "trec",
        "spec": "6204",
        "on_hand": 5,
        "reserved": 0,
        "available": 5,
    }
    assert "SP-SPD-01" in parts
    families = {f["family"]: f for f in body["families"]}
    assert families["trec"] == {
        "family": "trec",
        "on_hand": 5,
        "service_volume": 2,
        "required": 1,
        "ok": True,
    }
    assert {"spindle", "controller"} <= set(families)


def test_return_requests(api, records):
    returns1 = api("returns1")
    body = _ok(returns1.get(f"/api/v1/return-requests?unit={records.unit_id}"))
    assert [r["id"] for r in body["items"]] == [records.return_id]
    assert _ok(returns1.get("/api/v1/return-requests?status=closed"))["total"] >= 1
    _problem(returns1.get("/api/v1/return-requests?status=lost"), 400)
    rma = _ok(returns1.get(f"/api/v1/return-requests/{records.return_id}"))
    assert rma["kind"] == "exchange" and rma["reason_code"] == "quality_defect"
    assert rma["eligible"] is True and rma["policy_rule"] == "quality defect in warranty: exchange"
    assert rma["outcome"] == "exchange" and rma["refund_amount"] is None
    assert rma["instance_id"] == records.return_case_id
    assert rma["customer"]["code"] == "T-REC"


# -- failures and repair rates --------------------------------------------------------------------
def test_failure_records_and_repair_rate(api, records):
    rd1 = api("rd1")  # outside the department: the figures, not the records behind them
    body = _ok(rd1.get(f"/api/v1/failure-records?unit={records.unit_id}"))
    (failure,) = body["items"]
    assert failure["product_model"] == "TREC-100" and failure["production_batch"] == "TB-01"
    assert failure["problem_type"] == "material" and failure["repair_order_id"] == records.repair_id
    assert _ok(rd1.get("/api/v1/failure-records?batch=TB-02"))["items"] == []
    rates = _ok(rd1.get("/api/v1/repair-rate"))
    _page_shape(rates)
    mine = {r["production_batch"]: r for r in rates["items"] if r["product_model"] == "TREC-100"}
    assert mine[None] == {
        "product_model": "TREC-100",
        "production_batch": None,
        "units": 2,
        "failures": 1,
        "rate": 0.5,
    }
    assert mine["TB-01"]["rate"] == 1.0 and mine["TB-02"]["rate"] == 0.0
    _problem(rd1.get(f"/api/v1/units/{records.unit_id}"), 403)


# -- errors and access ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers/999999",
        "/api/v1/units/999999",
        "/api/v1/repair-orders/999999",
        "/api/v1/return-requests/999999",
    ],
)
def test_unknown_ids_are_404(api, path):
    _problem(api("cs1").get(path), 404)


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("hr", "/api/v1/customers", 403),
        ("hr", "/api/v1/units?serial=SN-C001-0001", 403),
        ("hr", "/api/v1/failure-records", 403),
        ("hr", "/api/v1/repair-rate", 403),
        ("gm", "/api/v1/parts", 403),
        ("gm", "/api/v1/repair-rate", 200),
        ("api", "/api/v1/units", 200),  # integrations read the records
        ("api", "/api/v1/repair-orders", 200),
        ("supervisor", "/api/v1/return-requests", 200),
    ],
)
def test_who_may_read_through_the_api(api, username, path, status):
    response = api(username).get(path)
    if status == 200:
        _ok(response)
    else:
        _problem(response, status)


def test_not_logged_in_is_401(api):
    _problem(api(None).get("/api/v1/units"), 401)


def test_openapi_describes_the_record_endpoints(api):
    spec = _ok(api(None).get("/api/v1/openapi.json"))
    for path in (
        "/customers",
        "/customers/{id}",
        "/units",
        "/units/{id}",
        "/repair-orders",
        "/repair-orders/{id}",
        "/parts",
        "/return-requests",
        "/return-requests/{id}",
        "/failure-records",
        "/repair-rate",
    ):
        assert "get" in spec["paths"][path], path
    unit = spec["components"]["schemas"]["Unit"]["properties"]
    assert unit["warranty_end"]["format"] == "date" and unit["in_warranty"]["type"] == "boolean"
    assert spec["components"]["schemas"]["RepairOrder"]["properties"]["charge"]["type"] == "string"
