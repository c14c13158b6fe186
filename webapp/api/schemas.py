"""What the API returns, as marshmallow schemas."""

from __future__ import annotations

from marshmallow import Schema, fields

from workflows.records.warranty import effective_end, in_warranty, local_today


class TaskSchema(Schema):
    id = fields.String()
    instance_id = fields.Integer()
    process = fields.String(attribute="process_key")
    name = fields.String(attribute="spec_name")
    title = fields.Method("get_title")
    role = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    claimed_by = fields.String(allow_none=True)
    form_key = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    status = fields.String()

    def get_title(self, task) -> str:
        locale = self.context_locale()
        return (task.name_en or task.name) if locale == "en" else task.name

    def context_locale(self) -> str:
        from ..i18n import current_locale

        return "en" if current_locale() == "en" else "zh_CN"


class AuditEventSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    actor = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    task_id = fields.String(allow_none=True)
    payload = fields.Dict()


class IncidentSchema(Schema):
    id = fields.Integer()
    task = fields.String(attribute="task_spec", allow_none=True)
    task_name = fields.String(allow_none=True)
    message = fields.String()
    message_zh = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime(allow_none=True)


class InstanceSchema(Schema):
    id = fields.Integer()
    process = fields.String(attribute="process_key")
    version = fields.Integer(attribute="definition_version")
    status = fields.String()
    business_key = fields.String(allow_none=True)
    started_by = fields.String(allow_none=True)
    started_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)
    data = fields.Dict(attribute="summary")
    row_version = fields.Integer(attribute="version")


class DefinitionSchema(Schema):
    key = fields.String()
    name = fields.String()
    name_en = fields.String(allow_none=True)
    version = fields.Integer()
    deployed_at = fields.AwareDateTime()


class DecisionSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    name = fields.String()
    filename = fields.String()
    deployed_at = fields.AwareDateTime()
    deployed_by = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "The .dmn file as uploaded (one decision)"})


# schemas hold no per-request state; building one costs more than a dump, so build them once
task_schema = TaskSchema()
tasks_schema = TaskSchema(many=True)
instance_schema = InstanceSchema()
events_schema = AuditEventSchema(many=True)
incidents_schema = IncidentSchema(many=True)
definition_schema = DefinitionSchema()
decision_schema = DecisionSchema(exclude=("source",))
decision_source_schema = DecisionSchema()


# -- the department's records ---------------------------------------------------------------------
def _money():
    """Money (and hours) as a decimal string with two places, so no cent is lost to floats."""
    return fields.Decimal(
        places=2, as_string=True, allow_none=True, metadata={"type": "string", "format": "decimal"}
    )


class SiteSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    timezone = fields.String()
    hours = fields.String()
    weekdays = fields.String()
    holidays = fields.String()


class CustomerRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class CustomerSchema(CustomerRefSchema):
    contact_name = fields.String()
    phone = fields.String()
    email = fields.String()
    contract_tier = fields.String()
    created_at = fields.AwareDateTime()
    sites = fields.List(fields.Nested(SiteSchema))


class ProductSchema(Schema):
    id = fields.Integer()
    model = fields.String()
    name = fields.String()
    part_family = fields.String()
    warranty_months = fields.Integer()


class UnitRefSchema(Schema):
    id = fields.Integer()
    serial_number = fields.String()


class WarrantyExtensionSchema(Schema):
    id = fields.Integer()
    days = fields.Integer()
    granted_on = fields.Date()
    reason = fields.String()
    repair_order_id = fields.Integer(allow_none=True)
    granted_by = fields.String()


class UnitSchema(UnitRefSchema):
    """A unit; `warranty_end` and `in_warranty` are computed for today (local)."""

    product = fields.Nested(ProductSchema)
    customer = fields.Nested(CustomerRefSchema)
    site = fields.Nested(SiteSchema, allow_none=True)
    production_batch = fields.String()
    delivered_on = fields.Date()
    accepted_on = fields.Date(allow_none=True)
    warranty_months = fields.Integer()
    manufacturer_warranty_end = fields.Date(allow_none=True)
    extension_days = fields.Integer()
    status = fields.String()
    warranty_end = fields.Function(
        lambda unit: effective_end(unit).isoformat(), metadata={"type": "string", "format": "date"}
    )
    in_warranty = fields.Function(
        lambda unit: in_warranty(unit, local_today()), metadata={"type": "boolean"}
    )


class PartSchema(Schema):
    id = fields.Integer()
    part_number = fields.String()
    name = fields.String()
    family = fields.String()
    spec = fields.String()
    on_hand = fields.Integer()
    reserved = fields.Integer()
    available = fields.Integer()


class PartLineSchema(Schema):
    part_number = fields.String(attribute="part.part_number")
    name = fields.String(attribute="part.name")
    quantity = fields.Integer()
    status = fields.String()


class AcceptanceItemSchema(Schema):
    item = fields.String()
    accepted = fields.Boolean()
    remark = fields.String()


class RepairOrderSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer(allow_none=True)
    service_case_id = fields.Integer(allow_none=True)
    unit = fields.Nested(UnitRefSchema)
    customer = fields.Nested(CustomerRefSchema)
    mode = fields.String()
    reported_fault = fields.String()
    engineer = fields.String(allow_none=True)
    in_warranty = fields.Boolean()
    warranty_end = fields.Date()
    quote_status = fields.String()
    quote_amount = _money()
    diagnosis = fields.String()
    resolution = fields.String(allow_none=True)
    labour_hours = _money()
    charge = _money()
    parts = fields.List(fields.Nested(PartLineSchema), attribute="reservations")
    loaner = fields.Function(
        lambda order: order.loaner.asset_tag if order.loaner else None,
        metadata={"type": "string", "nullable": True, "description": "asset tag"},
    )
    loaner_issued_at = fields.AwareDateTime(allow_none=True)
    loaner_returned_at = fields.AwareDateTime(allow_none=True)
    acceptance = fields.List(fields.Nested(AcceptanceItemSchema))
    accepted_by_name = fields.String(allow_none=True)
    accepted_at = fields.AwareDateTime(allow_none=True)
    status = fields.String()
    opened_at = fields.AwareDateTime()
    returned_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)


class ReturnRequestSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer(allow_none=True)
    unit = fields.Nested(UnitRefSchema)
    customer = fields.Nested(CustomerRefSchema)
    kind = fields.String()
    reason_code = fields.String()
    reason = fields.String()
    days_since_delivery = fields.Integer()
    eligible = fields.Boolean(allow_none=True)
    policy_rule = fields.String(allow_none=True)
    pickup_on = fields.Date(allow_none=True)
    carrier = fields.String(allow_none=True)
    inspection_ok = fields.Boolean(allow_none=True)
    inspection_result = fields.String()
    outcome = fields.String(allow_none=True)
    outcome_reason = fields.String()
    refund_amount = _money()
    replacement_unit_id = fields.Integer(allow_none=True)
    status = fields.String()
    opened_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)


class ServiceCaseSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer(allow_none=True)
    customer_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    customer_name = fields.String()
    channel = fields.String()
    category = fields.String()
    priority = fields.String()
    description = fields.String()
    status = fields.String()
    received_at = fields.AwareDateTime()
    first_reply_at = fields.AwareDateTime(allow_none=True)
    onsite_at = fields.AwareDateTime(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)


class FailureRecordSchema(Schema):
    id = fields.Integer()
    repair_order_id = fields.Integer(allow_none=True)
    unit = fields.Nested(UnitRefSchema)
    product_model = fields.String(attribute="product.model")
    production_batch = fields.String()
    phenomenon = fields.String()
    problem_type = fields.String()
    sent_upstream_at = fields.AwareDateTime(allow_none=True)
    upstream_summary = fields.String()
    upstream_tracking = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.AwareDateTime()


class FamilyStockSchema(Schema):
    family = fields.String()
    on_hand = fields.Integer()
    service_volume = fields.Integer()
    required = fields.Integer()
    ok = fields.Boolean()


class RepairRateSchema(Schema):
    """Failures against units delivered; `production_batch` null is the product's total."""

    product_model = fields.String()
    production_batch = fields.String(allow_none=True)
    units = fields.Integer()
    failures = fields.Integer()
    rate = fields.Float()


customer_schema = CustomerSchema()
customers_schema = CustomerSchema(many=True)
unit_schema = UnitSchema()
units_schema = UnitSchema(many=True)
extensions_schema = WarrantyExtensionSchema(many=True)
parts_schema = PartSchema(many=True)
repair_order_schema = RepairOrderSchema()
repair_orders_schema = RepairOrderSchema(many=True)
return_request_schema = ReturnRequestSchema()
return_requests_schema = ReturnRequestSchema(many=True)
service_cases_schema = ServiceCaseSchema(many=True)
failure_records_schema = FailureRecordSchema(many=True)
family_stock_schema = FamilyStockSchema(many=True)
repair_rates_schema = RepairRateSchema(many=True)
