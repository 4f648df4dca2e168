"""Time windows in minutes from the schedule start, and fitting work between them.

A calendar here is the list of a work center's or a person's *unavailable* windows,
half-open ``[start, end)`` minutes from the schedule start, sorted and merged. An
operation may not overlap an unavailable window: it must fit entirely inside one
available stretch (it is never split across a shift end). ``FOREVER`` closes a
calendar for good, e.g. after a person's last availability window.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import polars as pl

FOREVER = 10**12  # minutes; the end of a window that never ends

Window = tuple[int, int]  # [start, end) in minutes from the schedule start

UNAVAILABILITY_SCHEMA = pl.Schema(
    {"work_center_id": pl.String, "start_minute": pl.Int64, "end_minute": pl.Int64}
)


def merge_windows(windows: Iterable[Window]) -> tuple[Window, ...]:
    """Sorted, non-overlapping windows; touching windows are joined."""
    merged: list[list[int]] = []
    for start, end in sorted(w for w in windows if w[1] > w[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def complement(available: Iterable[Window], *, start: int = 0) -> tuple[Window, ...]:
    """The unavailable windows around ``available`` ones, from ``start`` to FOREVER."""
    gaps: list[Window] = []
    cursor = start
    for window_start, window_end in merge_windows(available):
        if window_start > cursor:
            gaps.append((cursor, window_start))
        cursor = max(cursor, window_end)
    gaps.append((cursor, FOREVER))
    return tuple(gaps)


@dataclass(frozen=True)
class Calendar:
    """Unavailable windows of one resource, for fast "first conflict" look-ups."""

    windows: tuple[Window, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ends", [end for _, end in self.windows])

    def conflict(self, start: int, end: int) -> Window | None:
        """The first unavailable window overlapping ``[start, end)``, or None."""
        position = bisect_right(self._ends, start)  # type: ignore[attr-defined]
        if position < len(self.windows) and self.windows[position][0] < end:
            return self.windows[position]
        return None

    def within(self, low: int, high: int) -> list[Window]:
        """The windows overlapping ``[low, high)``, clipped to it."""
        return [
            (max(start, low), min(end, high))
            for start, end in self.windows
            if start < high and end > low
        ]


def earliest_fit(
    earliest: int,
    duration: int,
    setup: int,
    machine: Calendar,
    person: Calendar | None = None,
    *,
    setup_after: int = 0,
) -> int | None:
    """Earliest operation start ``t >= earliest`` such that the changeover
    ``[t - setup, t)`` and the operation ``[t, t + duration)`` avoid the machine's
    unavailable windows, the operation avoids the person's, and the changeover starts
    no earlier than ``setup_after`` (the machine's previous operation end).
    None when the person's calendar closes before the operation fits."""
    start = max(earliest, setup_after + setup)
    while True:
        moved = False
        blocked = machine.conflict(start - setup, start + duration)
        if blocked is not None:
            start = blocked[1] + setup
            moved = True
        if person is not None:
            blocked = person.conflict(start, start + duration)
            if blocked is not None:
                start = blocked[1]
                moved = True
        if start >= FOREVER:
            return None
        if not moved:
            return start


def _clock(value: object) -> timedelta:
    """A shift boundary ('06:00', '06:00:00', '24:00' or a time) as time since midnight."""
    if isinstance(value, time):
        return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
    parts = [int(part) for part in str(value).strip().split(":")]
    hours, minutes, seconds = [*parts, 0, 0][:3]
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def unavailability_from_shifts(
    shifts: pl.DataFrame,
    origin: datetime,
    horizon_minutes: int,
    downtime: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Unavailable windows (UNAVAILABILITY_SCHEMA) of each work center from its weekly
    shift calendar and its downtime, in minutes from ``origin``.

    ``shifts`` has the contract's columns work_center_id, weekday (0 = Monday),
    start_time, end_time (``HH:MM``; an end at or before the start runs past
    midnight). A work center with shifts is unavailable outside them from ``origin``
    to ``origin + horizon_minutes``; after that its calendar is open, so an overloaded
    plan still gets a schedule (and reports the lateness). A work center without shift
    rows is always available. ``downtime`` (work_center_id, start_at, end_at as
    datetimes) adds windows; those before ``origin`` are dropped.
    """
    windows: dict[str, list[Window]] = {}
    first_day = origin.date() - timedelta(days=1)  # a night shift may start the day before
    days = horizon_minutes // (24 * 60) + 2
    by_center: dict[str, list[tuple[int, timedelta, timedelta]]] = {}
    for row in shifts.iter_rows(named=True):
        by_center.setdefault(str(row["work_center_id"]), []).append(
            (int(row["weekday"]), _clock(row["start_time"]), _clock(row["end_time"]))
        )
    for center, rows in by_center.items():
        available: list[Window] = []
        for offset in range(days + 1):
            day = first_day + timedelta(days=offset)
            midnight = datetime.combine(day, time())
            for weekday, start, end in rows:
                if weekday != day.weekday():
                    continue
                shift_end = end if end > start else end + timedelta(days=1)
                available.append(
                    (_minutes(midnight + start, origin), _minutes(midnight + shift_end, origin))
                )
        closed = [
            (start, min(end, horizon_minutes))
            for start, end in complement(available, start=0)
            if start < horizon_minutes
        ]
        windows[center] = closed
    if downtime is not None:
        for row in downtime.iter_rows(named=True):
            start, end = _minutes(row["start_at"], origin), _minutes(row["end_at"], origin)
            if end > 0:
                windows.setdefault(str(row["work_center_id"]), []).append((max(start, 0), end))
    rows_out = [
        (center, start, end)
        for center in sorted(windows)
        for start, end in merge_windows(windows[center])
    ]
    return pl.DataFrame(rows_out, schema=UNAVAILABILITY_SCHEMA, orient="row")


def _minutes(moment: datetime, origin: datetime) -> int:
    return int((moment - origin).total_seconds() // 60)
