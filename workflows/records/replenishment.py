"""The 3 % rule at work: a `replenish_stock` case for each part family that falls short."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.definitions import latest_definition
from engine.models import ProcessInstance
from engine.runtime import SYSTEM

from ..runtime import get_engine
from .stock import family_stock

log = logging.getLogger(__name__)

REPLENISH_PROCESS = "replenish_stock"
# a case in one of these states is still being worked on
OPEN_STATUSES = ("running", "waiting", "suspended", "error")


def business_key(family: str) -> str:
    return f"replenish:{family}"


def has_open_case(session: Session, key: str) -> bool:
    return (
        session.scalar(
            select(ProcessInstance.id)
            .where(ProcessInstance.business_key == key, ProcessInstance.status.in_(OPEN_STATUSES))
            .limit(1)
        )
        is not None
    )


def start_replenishment(
    session: Session, *, process_key: str = REPLENISH_PROCESS
) -> list[ProcessInstance]:
    """Start a replenishment case for each short family that has none open; flush only."""
    if latest_definition(session, process_key) is None:
        log.info("no '%s' process is deployed; spare stock not checked", process_key)
        return []
    started = []
    for row in family_stock(session):
        key = business_key(row.family)
        if row.ok or has_open_case(session, key):
            continue
        data = {
            "family": row.family,
            "on_hand": row.on_hand,
            "required": row.required,
            "service_volume": row.service_volume,
        }
        # the system is no person: start_case's starter roles and start form are for people,
        # so the engine starts it directly, as it fires timers
        started.append(get_engine().start(session, process_key, data, SYSTEM, business_key=key))
        log.info("started %s for %s: %s", process_key, key, data)
    session.flush()
    return started
