"""Half-open intervals `[start, end)` of epoch seconds, kept sorted and merged.

Two intervals that only touch do not overlap; overlapping or touching intervals merge.
Membership and overlap tests are bisections on the sorted starts and ends.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

Interval = tuple[int, int]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Both lists merged; returns where both hold."""
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Both lists merged; returns `a` without what `b` covers."""
    result: list[Interval] = []
    j = 0
    for start, end in a:
        cursor = start
        while j < len(b) and b[j][1] <= cursor:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cursor:
                result.append((cursor, b[k][0]))
            cursor = max(cursor, b[k][1])
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


class IntervalSet:
    """A merged interval list with fast `covers` and `overlaps` queries."""

    __slots__ = ("ends", "intervals", "starts")

    def __init__(self, intervals: Iterable[Interval] = ()) -> None:
        self.intervals = merge(intervals)
        self.starts = [start for start, _ in self.intervals]
        self.ends = [end for _, end in self.intervals]

    def covers(self, start: int, end: int) -> bool:
        """Is all of [start, end) inside one interval?"""
        i = bisect_right(self.starts, start) - 1
        return i >= 0 and self.ends[i] >= end

    def overlaps(self, start: int, end: int) -> bool:
        """Does any interval share time with [start, end)?"""
        i = bisect_right(self.ends, start)
        return i < len(self.starts) and self.starts[i] < end

    def around(self, moment: int) -> Interval | None:
        """The interval containing `moment` (its end included), if any."""
        i = bisect_right(self.starts, moment) - 1
        if i >= 0 and self.ends[i] >= moment:
            return self.intervals[i]
        return None

    def previous_end(self, moment: int) -> int | None:
        """The latest end at or before `moment`."""
        i = bisect_right(self.ends, moment) - 1
        return self.ends[i] if i >= 0 else None

    def next_start(self, moment: int) -> int | None:
        """The earliest start at or after `moment`."""
        i = bisect_left(self.starts, moment)
        return self.starts[i] if i < len(self.starts) else None
