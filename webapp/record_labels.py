"""Words for the codes records store (statuses, modes, reasons…), and the date, money and
yes/no filters the record pages and the case page's Records panel use."""

from __future__ import annotations

from datetime import date

from flask.blueprints import BlueprintSetupState
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# stored code -> words, per kind of code; codes not named here show as stored
RECORD_LABELS = {
    "tier": {"standard": _l("Standard contract"), "premium": _l("Premium 24×7 contract")},
    "unit_status": {
        "in_service": _l("In service"),
        "in_repair": _l("In repair"),
        "returned": _l("Returned"),
        "replaced": _l("Replaced"),
    },
    "weekdays": {
        "mon-fri": _l("Monday to Friday"),
        "mon-sat": _l("Monday to Saturday"),
        "mon-sun": _l("Every day"),
    },
    "holidays": {"CN": _l("Chinese public holidays"), "none": _l("No holidays")},
    "channel": {"phone": _l("Phone"), "email": _l("E-mail"), "web": _l("Website")},
    "category": {
        "installation": _l("Installation"),
        "commissioning": _l("Commissioning"),
        "training": _l("Training"),
        "technical_question": _l("Technical question"),
        "repair": _l("Repair"),
        "replacement": _l("Replacement"),
        "quality_complaint": _l("Quality complaint"),
    },
    "priority": {
        "low": _l("Low"),
        "normal": _l("Normal"),
        "high": _l("High"),
        "urgent": _l("Urgent"),
    },
    "case_status": {"open": _l("Open"), "closed": _l("Closed")},
    "mode": {"onsite": _l("On-site repair"), "carry_in": _l("Carry-in repair")},
    "quote": {
        "none": _l("No quote"),
        "sent": _l("Sent, awaiting answer"),
        "accepted": _l("Accepted"),
        "declined": _l("Declined"),
    },
    "resolution": {
        "repaired": _l("Repaired"),
        "replaced_part": _l("Part replaced"),
        "replaced_unit": _l("Unit replaced"),
        "unresolvable": _l("Could not be repaired"),
        "not_repaired": _l("Returned unrepaired"),
    },
    "repair_status": {
        "open": _l("Open"),
        "returned": _l("Returned to the customer"),
        "closed": _l("Closed"),
        "declined": _l("Quote declined"),
    },
    "reservation": {
        "reserved": _l("Reserved"),
        "consumed": _l("Consumed"),
        "released": _l("Released"),
    },
    "acceptance": {
        "appearance": _l("Appearance"),
        "function": _l("Function"),
        "accessories": _l("Accessories"),
        "documents": _l("Documents"),
    },
    "movement": {
        "receive": _l("Received"),
        "reserve": _l("Reserved"),
        "release": _l("Released"),
        "consume": _l("Consumed"),
        "send_upstream": _l("Sent upstream"),
        "loaner_out": _l("Loaner lent"),
        "loaner_in": _l("Loaner taken back"),
        "return_in": _l("Returned unit received"),
    },
    "loaner": {"available": _l("Available"), "on_loan": _l("On loan")},
    "rma_kind": {"return": _l("Return"), "exchange": _l("Exchange")},
    "rma_reason": {
        "quality_defect": _l("Quality defect"),
        "transport_damage": _l("Damaged in transport"),
        "not_as_described": _l("Not as described"),
        "changed_mind": _l("Changed their mind"),
    },
    "rma_outcome": {
        "refund": _l("Refund"),
        "exchange": _l("Exchange"),
        "repair": _l("Repair"),
        "reject": _l("Rejected"),
        "rejected": _l("Rejected"),
    },
    "rma_status": {"open": _l("Open"), "closed": _l("Closed")},
    "problem_type": {
        "design": _l("Design"),
        "manufacturing": _l("Manufacturing"),
        "material": _l("Material or supplier"),
        "packaging_transport": _l("Packaging or transport"),
        "installation_use": _l("Installation or use"),
        "other": _l("Other"),
    },
    "history": {
        "service_case": _l("Service case"),
        "repair_order": _l("Repair order"),
        "return_request": _l("Return or exchange"),
        "failure_record": _l("Failure record"),
        "warranty_extension": _l("Warranty extension"),
    },
}


def record_label(kind: str, code: str | None) -> str:
    if code is None or code == "":
        return "—"
    if kind == "acceptance":
        code = code.removeprefix("accept_")
    return str(RECORD_LABELS.get(kind, {}).get(code, code))


def day(value: date | None) -> str:
    """A local calendar date in the reader's language; a dash when there is none."""
    return format_date(value, "medium") if value is not None else "—"


def money(value) -> str:
    return format_decimal(value, "#,##0.00") if value is not None else "—"


def yes_no(value: bool | None) -> str:
    return "—" if value is None else (_("Yes") if value else _("No"))


def register(state: BlueprintSetupState) -> None:
    """The record helpers for every template (the case page shows a Records panel too)."""
    env = state.app.jinja_env
    env.globals.update(record_label=record_label, yes_no=yes_no)
    env.filters["day"] = day
    env.filters["money"] = money
    env.filters["percent"] = lambda rate: format_percent(rate, "#,##0.0%")
