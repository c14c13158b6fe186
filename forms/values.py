"""Marshmallow fields, one per form-js input type, that clean what a person submitted.

Each accepts both what an HTML post sends (strings) and what a JSON client sends (typed
values), and returns JSON-serializable values only, so the result can go straight into the
workflow's task data. Messages come from the catalog through ``t``, already in one locale.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields, missing

from forms.components import FormField

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[\d\s()\-]{5,30}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}\S*")
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")
_TRUE = {"true", "on", "1", "yes"}
_FALSE = {"false", "off", "0", "no", ""}


def format_number(value: Decimal) -> str:
    """A Decimal as people write it: no exponent, no trailing zeros."""
    return format(value.normalize(), "f")


class FormValue(fields.Field):
    """Base for all form fields: required/blank handling shared by every type."""

    def __init__(self, form_field: FormField, t: Callable[..., str]) -> None:
        self.form_field = form_field
        self.t = t
        super().__init__(
            # The schema's attribute names are neutral ("field_0"); keys like "Meta" would
            # otherwise clash with the Schema class itself.
            data_key=form_field.key,
            attribute=form_field.key,
            required=form_field.required,
            load_default=missing if form_field.required else self.missing_value(),
            error_messages={"required": t("required")},
        )

    def missing_value(self) -> Any:
        """What an absent optional key becomes; by default it stays absent."""
        return missing

    def empty(self) -> Any:
        """What a blank optional value (None, '', whitespace) becomes."""
        return None

    def is_blank(self, value: Any) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())

    def deserialize(
        self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any
    ) -> Any:
        # marshmallow would return None before _deserialize; route it there instead so a
        # JSON null is treated like a blank HTML input: 'required', or the empty value.
        if value is None:
            value = ""
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if self.is_blank(value):
            if self.form_field.required:
                raise ValidationError(self.t("required"))
            return self.empty()
        return self.clean(value)

    def clean(self, value: Any) -> Any:
        """Convert and check a non-blank value; raise ValidationError with localized messages."""
        raise NotImplementedError


class TextValue(FormValue):
    """textfield and textarea: stripped text with length, pattern and format rules."""

    def clean(self, value: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise ValidationError(self.t("text"))
        # Browsers post newlines as CRLF but count them as one character for maxlength.
        text = value.replace("\r\n", "\n").strip()
        ff = self.form_field
        errors = []
        if ff.min_length is not None and len(text) < ff.min_length:
            errors.append(self.t("min_length", n=ff.min_length))
        if ff.max_length is not None and len(text) > ff.max_length:
            errors.append(self.t("max_length", n=ff.max_length))
        if ff.pattern is not None and not re.fullmatch(ff.pattern, text):
            errors.append(self.t("pattern"))
        if ff.validation_type == "email" and not _EMAIL.fullmatch(text):
            errors.append(self.t("email"))
        if ff.validation_type == "phone" and not _is_phone(text):
            errors.append(self.t("phone"))
        if errors:
            raise ValidationError(errors)
        return text


def _is_phone(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    return bool(_PHONE.fullmatch(text)) and 5 <= digits <= 20


class NumberValue(FormValue):
    """number: int when whole, else float; decimalDigits caps the decimal places."""

    def clean(self, value: Any) -> int | float | str:
        number = self._parse(value)
        ff = self.form_field
        places = max(0, -number.normalize().as_tuple().exponent)  # type: ignore[operator]
        if ff.decimal_digits == 0 and places:
            raise ValidationError(self.t("integer"))
        if ff.decimal_digits is not None and places > ff.decimal_digits:
            raise ValidationError(self.t("decimals", n=ff.decimal_digits))
        if ff.min is not None and number < ff.min:
            raise ValidationError(self.t("min", min=format_number(ff.min)))
        if ff.max is not None and number > ff.max:
            raise ValidationError(self.t("max", max=format_number(ff.max)))
        if ff.serialize_to_string:
            return format_number(number)
        if number == number.to_integral_value():
            return int(number)
        return float(number)

    def _parse(self, value: Any) -> Decimal:
        if isinstance(value, bool):
            raise ValidationError(self.t("number"))
        if isinstance(value, (int, float)):
            value = str(value)  # str() keeps what the client meant: 0.1, not 0.1000000000000000055
        elif isinstance(value, str):
            value = value.strip()
            if not _NUMBER.fullmatch(value):
                raise ValidationError(self.t("number"))
        else:
            raise ValidationError(self.t("number"))
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValidationError(self.t("number")) from None
        if not number.is_finite():
            raise ValidationError(self.t("number"))
        return number


class DateTimeValue(FormValue):
    """datetime: ISO 8601 strings: 'YYYY-MM-DD', 'HH:MM' or 'YYYY-MM-DDTHH:MM[:SS][offset]'."""

    def clean(self, value: Any) -> str:
        subtype = self.form_field.subtype
        if subtype == "date":
            day = self._parse_date(value)
            self._check_not_past(day)
            return day.isoformat()
        if subtype == "time":
            return self._parse_time(value)
        moment = self._parse_datetime(value)
        self._check_not_past(moment.date())
        return moment.isoformat(timespec="minutes" if not moment.second else "seconds")

    def _parse_date(self, value: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValidationError(self.t("date"))

    def _parse_time(self, value: Any) -> str:
        if isinstance(value, time):
            value = value.isoformat()
        match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValidationError(self.t("time"))
        offset = match[4] if self.form_field.time_format != "no_timezone" else None
        return f"{match[1]}:{match[2]}{offset or ''}"

    def _parse_datetime(self, value: Any) -> datetime:
        moment = value if isinstance(value, datetime) else None
        if isinstance(value, str) and _DATETIME.fullmatch(value.strip()):
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                moment = None
        if moment is None:
            raise ValidationError(self.t("datetime"))
        moment = moment.replace(microsecond=0)
        # A browser's datetime-local input has no zone; such values are kept as wall-clock time.
        if moment.tzinfo is not None:
            if self.form_field.time_format == "utc_normalized":
                moment = moment.astimezone(UTC)
            elif self.form_field.time_format == "no_timezone":
                moment = moment.replace(tzinfo=None)
        return moment

    def _check_not_past(self, day: date) -> None:
        if self.form_field.disallow_passed_dates and day < date.today():
            raise ValidationError(self.t("past_date"))


class BooleanValue(FormValue):
    """checkbox: True/False; an unticked box posts nothing, so a missing key means False."""

    def missing_value(self) -> Any:
        return False

    def empty(self) -> Any:
        return False

    def clean(self, value: Any) -> bool:
        if isinstance(value, bool):
            checked = value
        elif isinstance(value, int) and value in (0, 1):
            checked = bool(value)
        elif isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            checked = value.strip().lower() in _TRUE
        else:
            raise ValidationError(self.t("boolean"))
        if self.form_field.required and not checked:
            raise ValidationError(self.t("required"))
        return checked


class ChoiceValue(FormValue):
    """radio and select: one of the option values, returned with the option's own type."""

    def _match(self, value: Any) -> tuple[bool, Any]:
        # HTML posts send option values as strings; JSON clients send them typed.
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return False, None
        for option in self.form_field.options:
            if str(value) == str(option.value):
                return True, option.value
        return False, None

    def clean(self, value: Any) -> Any:
        found, option_value = self._match(value)
        if not found:
            raise ValidationError(self.t("choice"))
        return option_value


class ChoicesValue(ChoiceValue):
    """checklist and taglist: a list of option values, in the order of the options."""

    def missing_value(self) -> Any:
        # Nothing ticked posts nothing; an empty list says so better than a missing key.
        return list

    def empty(self) -> Any:
        return []

    def is_blank(self, value: Any) -> bool:
        return super().is_blank(value) or (isinstance(value, (list, tuple)) and not value)

    def clean(self, value: Any) -> list[Any]:
        items = [value] if isinstance(value, (str, int, float)) else value
        if not isinstance(items, (list, tuple)):
            raise ValidationError(self.t("choices"))
        chosen = []
        for item in items:
            found, option_value = self._match(item)
            if not found:
                raise ValidationError(self.t("choices"))
            chosen.append(option_value)
        return [o.value for o in self.form_field.options if o.value in chosen]


# One marshmallow field class per keyed component type.
FIELD_CLASSES: dict[str, type[FormValue]] = {
    "textfield": TextValue,
    "textarea": TextValue,
    "number": NumberValue,
    "datetime": DateTimeValue,
    "checkbox": BooleanValue,
    "radio": ChoiceValue,
    "select": ChoiceValue,
    "checklist": ChoicesValue,
    "taglist": ChoicesValue,
}
