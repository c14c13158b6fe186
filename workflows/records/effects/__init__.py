"""The effects of the repair, return and request processes on the department's records
(see docs/records.md); registered on import."""

from workflows.effects import EffectContext, current_locale, effect

from . import cases, parts, repairs, returns  # noqa: E402,F401

__all__ = ["EffectContext", "current_locale", "effect"]
