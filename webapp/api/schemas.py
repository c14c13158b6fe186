"""What the API returns, as marshmallow schemas."""

from __future__ import annotations

from marshmallow import Schema, fields


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


# schemas hold no per-request state; building one costs more than a dump, so build them once
task_schema = TaskSchema()
tasks_schema = TaskSchema(many=True)
instance_schema = InstanceSchema()
events_schema = AuditEventSchema(many=True)
incidents_schema = IncidentSchema(many=True)
definition_schema = DefinitionSchema()
