"""The slot engine on hand-made data: no database, every rule in isolation."""

from __future__ import annotations

from uuid import UUID, uuid4

from app.availability.engine import SlotEngine, Step
from app.availability.intervals import IntervalSet, intersect, merge, subtract

H = 3600
M = 60
ANNE, BEA = uuid4(), uuid4()
ROOM = uuid4()


def step(
    minutes: int,
    *,
    before: int = 0,
    after: int = 0,
    pause_at: int = 0,
    pause: int = 0,
    rooms: tuple[UUID, ...] = (),
) -> Step:
    return Step(
        service_id=uuid4(),
        duration=minutes * M,
        buffer_before=before * M,
        buffer_after=after * M,
        processing_offset=pause_at * M,
        processing=pause * M,
        resource_ids=rooms,
    )


def engine(
    steps: dict[UUID, list[Step]],
    *,
    busy: dict[UUID, list[tuple[int, int]]] | None = None,
    rooms_busy: dict[UUID, list[tuple[int, int]]] | None = None,
    working: list[tuple[int, int]] | None = None,
) -> SlotEngine:
    hours = working or [(9 * H, 12 * H), (13 * H, 18 * H)]
    return SlotEngine(
        steps=steps,
        salon_open=IntervalSet([(9 * H, 19 * H)]),
        working={pid: IntervalSet(hours) for pid in steps},
        busy={pid: IntervalSet((busy or {}).get(pid, [])) for pid in steps},
        resource_busy={rid: IntervalSet(r) for rid, r in (rooms_busy or {}).items()},
        min_gap={pid: 30 * M for pid in steps},
    )


def test_intervals_merge_touching_and_overlapping_ranges() -> None:
    assert merge([(5, 8), (1, 3), (3, 4), (7, 10)]) == [(1, 4), (5, 10)]
    assert merge([(4, 4), (6, 5)]) == []  # empty and inverted ranges vanish


def test_intervals_subtract_and_intersect() -> None:
    assert subtract([(0, 10)], [(2, 3), (5, 7)]) == [(0, 2), (3, 5), (7, 10)]
    assert subtract([(0, 10)], [(0, 10)]) == []
    assert intersect([(0, 5), (8, 12)], [(3, 9)]) == [(3, 5), (8, 9)]


def test_half_open_ranges_let_bookings_touch() -> None:
    ranges = IntervalSet([(10, 20)])
    assert not ranges.overlaps(20, 30)
    assert not ranges.overlaps(0, 10)
    assert ranges.overlaps(19, 21)
    assert ranges.covers(10, 20)
    assert not ranges.covers(10, 21)


def test_a_service_may_end_exactly_at_closing_but_not_after() -> None:
    e = engine({ANNE: [step(60)]})
    assert e.place(ANNE, 17 * H) is not None
    assert e.place(ANNE, 17 * H + 15 * M) is None


def test_the_lunch_break_is_respected() -> None:
    e = engine({ANNE: [step(60)]})
    assert e.place(ANNE, 11 * H) is not None
    assert e.place(ANNE, 11 * H + 30 * M) is None  # would run into lunch
    assert e.place(ANNE, 12 * H + 30 * M) is None


def test_buffers_block_the_practitioner_around_other_bookings() -> None:
    e = engine({ANNE: [step(30, before=10, after=15)]}, busy={ANNE: [(10 * H, 11 * H)]})
    assert e.place(ANNE, 9 * H + 20 * M) is None  # its cleaning would run to 10:05
    assert e.place(ANNE, 9 * H + 15 * M) is not None  # cleaning ends exactly at 10:00
    assert e.place(ANNE, 11 * H) is None  # set-up would start at 10:50
    assert e.place(ANNE, 11 * H + 10 * M) is not None


def test_set_up_time_may_fall_before_opening() -> None:
    e = engine({ANNE: [step(30, before=10)]})
    candidate = e.place(ANNE, 9 * H)
    assert candidate is not None
    assert candidate.practitioner_allocations() == [(8 * H + 50 * M, 9 * H + 30 * M)]


def test_processing_time_frees_the_practitioner_but_not_the_room() -> None:
    colour = step(90, pause_at=30, pause=45, rooms=(ROOM,))
    e = engine({ANNE: [colour]})
    candidate = e.place(ANNE, 9 * H)
    assert candidate is not None
    assert candidate.practitioner_allocations() == [
        (9 * H, 9 * H + 30 * M),
        (10 * H + 15 * M, 10 * H + 30 * M),
    ]
    assert candidate.resource_allocations() == {ROOM: [(9 * H, 10 * H + 30 * M)]}

    # Meanwhile she can take another client for a 30-minute service, in another room.
    busy = {ANNE: candidate.practitioner_allocations()}
    quick = engine({ANNE: [step(30)]}, busy=busy)
    assert quick.place(ANNE, 9 * H + 30 * M) is not None
    assert quick.place(ANNE, 10 * H) is None


def test_a_busy_resource_blocks_every_practitioner() -> None:
    massage = step(60, after=10, rooms=(ROOM,))
    e = engine(
        {ANNE: [massage], BEA: [massage]},
        rooms_busy={ROOM: [(10 * H, 11 * H + 10 * M)]},
        working=[(9 * H, 18 * H)],
    )
    assert e.place(ANNE, 10 * H) is None
    assert e.place(BEA, 10 * H + 30 * M) is None
    assert e.place(BEA, 8 * H + 50 * M) is None  # the room needs its cleaning time too
    assert e.place(BEA, 11 * H + 10 * M) is not None


def test_two_services_chain_and_merge_into_one_stretch() -> None:
    e = engine({ANNE: [step(30, after=10), step(45, before=5)]})
    candidate = e.place(ANNE, 9 * H)
    assert candidate is not None
    assert candidate.end == 10 * H + 15 * M
    assert [p.start for p in candidate.placements] == [9 * H, 9 * H + 30 * M]
    assert candidate.practitioner_allocations() == [(9 * H, 10 * H + 15 * M)]


def test_a_sequence_fails_when_its_second_service_does_not_fit() -> None:
    e = engine({ANNE: [step(60), step(60)]}, busy={ANNE: [(10 * H + 30 * M, 11 * H)]})
    assert e.place(ANNE, 9 * H + 30 * M) is None
    e2 = engine({ANNE: [step(60), step(60)]})
    assert e2.place(ANNE, 11 * H) is None  # 11:00-13:00 would cross lunch
    assert e2.place(ANNE, 10 * H) is not None


def test_gap_free_flags_slots_that_leave_no_unusable_hole() -> None:
    e = engine({ANNE: [step(60)]}, busy={ANNE: [(10 * H + 30 * M, 12 * H)]})
    at_nine = e.place(ANNE, 9 * H)  # leaves 10:00-10:30, too short for 30 min? exactly 30: fine
    at_915 = e.place(ANNE, 9 * H + 15 * M)  # leaves 9:00-9:15 and 10:15-10:30: unusable
    at_930 = e.place(ANNE, 9 * H + 30 * M)  # fills up to the next booking
    assert at_nine is not None
    assert at_nine.gap_free
    assert at_915 is not None
    assert not at_915.gap_free
    assert at_930 is not None
    assert at_930.gap_free
