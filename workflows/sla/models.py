"""Service clocks of a case, stored: one row per promise (reply, on site, resolved)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, utcnow


class SlaClockRecord(Base):
    __tablename__ = "sla_clock"
    __table_args__ = (UniqueConstraint("instance_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # reply, onsite, resolve
    # a built-in name or a site calendar spec (workflows.sla.calendars)
    calendar: Mapped[str] = mapped_column(String(200))
    # SlaClock.to_dict(): target, start, pauses, stop
    clock: Mapped[dict[str, Any]]
    # the deadline while the clock runs (None while paused or stopped), for the sweep's index
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    # when the sweep must look next: the next reminder mark or the deadline (None when done)
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(index=True)  # the KPIs count by it
    breached_at: Mapped[datetime | None]
    # reminder thresholds already sent (percent of the target used), so each goes out once
    reminded: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
