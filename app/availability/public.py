"""What other domains may use from availability: the slot engine's answers and the rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.availability import repository
from app.availability.engine import Candidate
from app.availability.errors import HomeVisitNotPossible, ServicesNotBookable
from app.availability.service import REFUSAL_REASONS, Placed, Refusal, Slot, find_slots, place

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class BlockRef:
    id: UUID
    practitioner_id: UUID
    start_at: datetime
    end_at: datetime
    reason: str | None


async def blocks_between(
    session: AsyncSession, start: datetime, end: datetime, practitioner_ids: list[UUID] | None
) -> list[BlockRef]:
    blocks = await repository.blocks_between(session, start, end, practitioner_ids=practitioner_ids)
    return [BlockRef(b.id, b.practitioner_id, b.start_at, b.end_at, b.reason) for b in blocks]


@dataclass(frozen=True, slots=True)
class ClosureRef:
    id: UUID
    start_date: date
    end_date: date
    reason: str | None


async def closures_between(session: AsyncSession, start: date, end: date) -> list[ClosureRef]:
    """The salon's closures touching the local dates [start, end]."""
    found = await repository.closures_between(session, start, end)
    return [ClosureRef(c.id, c.start_date, c.end_date, c.reason) for c in found]


@dataclass(frozen=True, slots=True)
class Rules:
    slot_interval_minutes: int
    min_lead_time_minutes: int
    max_advance_days: int
    hold_minutes: int
    cancellation_notice_hours: int
    home_travel_fee_cents: int
    deposit_policy: str


async def booking_rules(session: AsyncSession) -> Rules:
    row = await repository.get_booking_rules(session)
    return Rules(
        slot_interval_minutes=row.slot_interval_minutes,
        min_lead_time_minutes=row.min_lead_time_minutes,
        max_advance_days=row.max_advance_days,
        hold_minutes=row.hold_minutes,
        cancellation_notice_hours=row.cancellation_notice_hours,
        home_travel_fee_cents=row.home_travel_fee_cents,
        deposit_policy=row.deposit_policy,
    )


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine): close enough to road distance to set a radius."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


async def home_visit_fee(session: AsyncSession, *, latitude: Decimal, longitude: Decimal) -> int:
    """The travel fee for a home visit at this point, or HomeVisitNotPossible when it is
    outside the salon's radius."""
    row = await repository.get_booking_rules(session)
    distance = _distance_km(
        (float(row.salon_latitude), float(row.salon_longitude)), (float(latitude), float(longitude))
    )
    if distance > float(row.home_visit_radius_km):
        raise HomeVisitNotPossible(
            f"This address is {distance:.1f} km away; the salon visits clients within "
            f"{row.home_visit_radius_km} km.",
            extra={"distance_km": round(distance, 1)},
        )
    return int(row.home_travel_fee_cents)


__all__ = [
    "REFUSAL_REASONS",
    "BlockRef",
    "Candidate",
    "ClosureRef",
    "Placed",
    "Refusal",
    "Rules",
    "ServicesNotBookable",
    "Slot",
    "blocks_between",
    "booking_rules",
    "closures_between",
    "find_slots",
    "home_visit_fee",
    "place",
]
