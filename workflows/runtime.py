"""The application's engine: one per process, with the after-sales functions registered."""

from __future__ import annotations

from functools import lru_cache

from engine.evaluator import Evaluator
from engine.runtime import Engine

from .org.models import ROLES


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    evaluator = Evaluator()
    return Engine(evaluator, role_keys=frozenset(ROLES))
