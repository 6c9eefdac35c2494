"""The slot engine: pure computation on data loaded beforehand, in epoch seconds.

For a practitioner, a sequence of services placed back to back from a start time fits when,
for every service:
- the salon is open for the client's whole service;
- the practitioner works during the parts where she is needed (her processing windows, when
  the client waits for a mask or a colour, are free for someone else);
- those parts, widened by the service's buffers, touch none of her busy time (bookings, live
  holds, blocks, absences). Buffers may fall outside working hours (setting up before the
  first client), never over another booking;
- each resource the service needs is free for the service and its buffers.
Consecutive services with the same practitioner or room merge into one stretch, so the
cleaning buffer of the first is not needed before the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from app.availability.intervals import Interval, IntervalSet, merge, subtract


@dataclass(frozen=True, slots=True)
class Step:
    """One service as one practitioner performs it (her own duration when she has one)."""

    service_id: UUID
    duration: int
    buffer_before: int
    buffer_after: int
    processing_offset: int
    processing: int
    resource_ids: tuple[UUID, ...]

    def active_parts(self, start: int) -> list[Interval]:
        """When the practitioner is needed (the service minus its processing window)."""
        end = start + self.duration
        if not self.processing:
            return [(start, end)]
        pause = start + self.processing_offset
        return [(start, pause), (pause + self.processing, end)]


@dataclass(frozen=True, slots=True)
class Placement:
    service_id: UUID
    practitioner_id: UUID
    start: int
    end: int
    practitioner_ranges: tuple[Interval, ...]
    resource_ranges: tuple[tuple[UUID, Interval], ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    practitioner_id: UUID
    placements: tuple[Placement, ...]
    gap_free: bool

    def practitioner_allocations(self) -> list[Interval]:
        return merge(r for p in self.placements for r in p.practitioner_ranges)

    def resource_allocations(self) -> dict[UUID, list[Interval]]:
        ranges: dict[UUID, list[Interval]] = {}
        for placement in self.placements:
            for resource_id, interval in placement.resource_ranges:
                ranges.setdefault(resource_id, []).append(interval)
        return {rid: merge(intervals) for rid, intervals in ranges.items()}


_EMPTY = IntervalSet()


class SlotEngine:
    def __init__(
        self,
        *,
        steps: dict[UUID, list[Step]],
        salon_open: IntervalSet,
        working: dict[UUID, IntervalSet],
        busy: dict[UUID, IntervalSet],
        resource_busy: dict[UUID, IntervalSet],
        min_gap: dict[UUID, int],
    ) -> None:
        self.steps = steps
        self.salon_open = salon_open
        self.working = working
        self.busy = busy
        self.resource_busy = resource_busy
        self.min_gap = min_gap
        self._free: dict[UUID, IntervalSet] = {}

    def scan(self, practitioner_id: UUID, starts: list[int]) -> list[Candidate]:
        """Every start in `starts` (sorted) at which the sequence fits with her. Starts outside
        her free time are skipped with one bisection each, before any placement is tried."""
        steps = self.steps.get(practitioner_id)
        if not steps:
            return []
        first = steps[0]
        first_length = first.processing_offset if first.processing else first.duration
        covers = self._free_time(practitioner_id).covers
        found = []
        for start in starts:
            if covers(start, start + first_length):
                candidate = self.place(practitioner_id, start)
                if candidate is not None:
                    found.append(candidate)
        return found

    def place(self, practitioner_id: UUID, start: int) -> Candidate | None:
        """The sequence with this practitioner from `start`, or None when it does not fit."""
        steps = self.steps.get(practitioner_id)
        if not steps:
            return None
        # Most starts fail here: the first stretch she is needed must lie in her free time.
        first_start, first_end = steps[0].active_parts(start)[0]
        if not self._free_time(practitioner_id).covers(first_start, first_end):
            return None
        working = self.working.get(practitioner_id, _EMPTY)
        busy = self.busy.get(practitioner_id, _EMPTY)
        placements: list[Placement] = []
        cursor = start
        for step in steps:
            placement = self._place_step(practitioner_id, step, cursor, working, busy)
            if placement is None:
                return None
            placements.append(placement)
            cursor = placement.end
        return Candidate(
            start=start,
            end=cursor,
            practitioner_id=practitioner_id,
            placements=tuple(placements),
            gap_free=self._gap_free(practitioner_id, placements),
        )

    def _place_step(
        self,
        practitioner_id: UUID,
        step: Step,
        start: int,
        working: IntervalSet,
        busy: IntervalSet,
    ) -> Placement | None:
        end = start + step.duration
        if not self.salon_open.covers(start, end):
            return None
        parts = step.active_parts(start)
        if not all(working.covers(a, b) for a, b in parts):
            return None
        ranges = list(parts)
        ranges[0] = (ranges[0][0] - step.buffer_before, ranges[0][1])
        ranges[-1] = (ranges[-1][0], ranges[-1][1] + step.buffer_after)
        if any(busy.overlaps(a, b) for a, b in ranges):
            return None
        room = (start - step.buffer_before, end + step.buffer_after)
        for resource_id in step.resource_ids:
            if self.resource_busy.get(resource_id, _EMPTY).overlaps(*room):
                return None
        return Placement(
            service_id=step.service_id,
            practitioner_id=practitioner_id,
            start=start,
            end=end,
            practitioner_ranges=tuple(ranges),
            resource_ranges=tuple((rid, room) for rid in step.resource_ids),
        )

    def _free_time(self, practitioner_id: UUID) -> IntervalSet:
        """Her working time minus her busy time, computed once per search."""
        free = self._free.get(practitioner_id)
        if free is None:
            free = IntervalSet(
                subtract(
                    self.working.get(practitioner_id, _EMPTY).intervals,
                    self.busy.get(practitioner_id, _EMPTY).intervals,
                )
            )
            self._free[practitioner_id] = free
        return free

    def _gap_free(self, practitioner_id: UUID, placements: list[Placement]) -> bool:
        """False when the booking would leave her a hole too short for any of her services."""
        free = self._free_time(practitioner_id)
        if len(placements) == 1:
            taken: list[Interval] | tuple[Interval, ...] = placements[0].practitioner_ranges
        else:
            taken = merge(r for p in placements for r in p.practitioner_ranges)
        shortest = self.min_gap.get(practitioner_id, 0)
        for a, b in taken:
            around = free.around(max(a, placements[0].start))
            if around is None:
                continue
            before, after = a - around[0], around[1] - b
            if 0 < before < shortest or 0 < after < shortest:
                return False
        return True
