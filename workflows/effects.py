"""Task effects: what a person's step does to the department's records.

The registry and the engine's step hook; the effects themselves live beside the records they
write (`workflows/records/effects/`, `workflows/appraisal/effects.py`) and register on import
(`workflows/runtime.py` imports them).

A diagram names an effect on the element (`<camunda:property name="effect" value="…"/>`); the
engine calls it under the instance lock, in the same transaction, before the task runs (see
`engine.runtime.StepCall`). An effect reads the submitted values and the case data, writes
records, and returns values for the process (gateways and decision tables after it read them).
It refuses with `InvalidData` (422, per field) or `Conflict` (409): the transaction is rolled
back and the task stays open, so nothing is half-saved. docs/records.md lists every effect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import InvalidData, field_message, fields_invalid
from engine.models import ProcessInstance
from engine.runtime import Actor, StepCall

# the language of whoever is acting, for per-field messages (set by casework per request)
current_locale: ContextVar[str] = ContextVar("current_locale", default="zh_CN")

Effect = Callable[["EffectContext"], Mapping[str, Any] | None]
EFFECTS: dict[str, Effect] = {}


def effect(name: str) -> Callable[[Effect], Effect]:
    """Register an effect under the name diagrams use."""

    def register(function: Effect) -> Effect:
        if name in EFFECTS:
            raise ValueError(f"effect {name} registered twice")
        EFFECTS[name] = function
        return function

    return register


@dataclass
class EffectContext:
    call: StepCall

    @property
    def session(self) -> Session:
        return self.call.session

    @property
    def instance(self) -> ProcessInstance:
        return self.call.instance

    @property
    def actor(self) -> Actor:
        return self.call.actor

    @property
    def data(self) -> Mapping[str, Any]:
        return self.call.data

    @property
    def zh(self) -> bool:
        return current_locale.get().startswith("zh")

    def refuse(self, field: str, en: str, zh: str) -> InvalidData:
        """A 422 naming one field, in the actor's language."""
        return fields_invalid({field: field_message(current_locale.get(), en, zh)})

    def text(self, key: str) -> str:
        value = self.data.get(key)
        return "" if value is None else str(value).strip()

    def number(self, key: str, *, minimum: Decimal = Decimal(0), above: bool = False) -> Decimal:
        """A decimal field ≥ minimum (> minimum with `above`), or a 422."""
        raw = self.data.get(key)
        try:
            value = Decimal(str(raw)) if raw not in (None, "") else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise self.refuse(key, "Enter a number.", "请输入数字。")
        if value < minimum or (above and value == minimum):
            sign_en, sign_zh = ("greater than", "大于") if above else ("at least", "不小于")
            raise self.refuse(
                key, f"Enter a number {sign_en} {minimum}.", f"请输入{sign_zh} {minimum} 的数字。"
            )
        return value

    def yes(self, key: str) -> bool:
        return self.data.get(key) in ("yes", True, "true")


def run_effects(call: StepCall) -> Mapping[str, Any] | None:
    """The engine's step hook: run the effect drawn on the element, if any."""
    name = call.properties.get("effect")
    if not name:
        return None
    return EFFECTS[name](EffectContext(call))


def effect_names() -> frozenset[str]:
    return frozenset(EFFECTS)
