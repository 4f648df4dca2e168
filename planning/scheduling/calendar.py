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
from datetime import datetime

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


def without(windows: Iterable[Window], removed: Iterable[Window]) -> tuple[Window, ...]:
    """The parts of ``windows``, in their order, that no ``removed`` window covers."""
    cuts = merge_windows(removed)
    parts: list[Window] = []
    for start, end in windows:
        for cut_start, cut_end in cuts:
            if cut_start >= end:
                break
            if cut_end > start:
                if cut_start > start:
                    parts.append((start, cut_start))
                start = max(start, cut_end)
        if start < end:
            parts.append((start, end))
    return tuple(parts)


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


def in_minutes(periods: pl.DataFrame, origin: datetime) -> pl.DataFrame:
    """work_center_id, start_minute, end_minute of ``periods`` (work_center_id and the
    timestamps start_at, end_at, as the marts hold windows and downtime) in minutes
    from ``origin``."""
    return periods.select(
        "work_center_id",
        start_minute=(pl.col("start_at") - pl.lit(origin)).dt.total_minutes(),
        end_minute=(pl.col("end_at") - pl.lit(origin)).dt.total_minutes(),
    )


def unavailability(
    work_centers: Iterable[str],
    windows: pl.DataFrame,
    downtime: pl.DataFrame,
    horizon_minutes: int,
) -> pl.DataFrame:
    """Unavailable windows (UNAVAILABILITY_SCHEMA) of each of ``work_centers``: the time
    outside its available ``windows`` until ``horizon_minutes``, then only its
    ``downtime``. After the horizon its calendar is open, so an overloaded plan still
    gets a schedule (and reports the lateness); a work center without windows is
    closed until then.

    ``windows`` and ``downtime`` have work_center_id, start_minute, end_minute: the
    marts fct_work_center_windows (shifts less downtime and holidays) and
    fct_work_center_downtime
    ``in_minutes`` from the schedule start.
    """
    available = _by_center(windows)
    down = _by_center(downtime)
    rows = []
    for center in sorted(set(work_centers)):
        closed = [
            (start, min(end, horizon_minutes))
            for start, end in complement(available.get(center, ()), start=0)
            if start < horizon_minutes
        ]
        closed += [
            (max(start, horizon_minutes), end)
            for start, end in down.get(center, ())
            if end > horizon_minutes
        ]
        rows += [(center, start, end) for start, end in merge_windows(closed)]
    return pl.DataFrame(rows, schema=UNAVAILABILITY_SCHEMA, orient="row")


def _by_center(windows: pl.DataFrame) -> dict[str, list[Window]]:
    by_center: dict[str, list[Window]] = {}
    for center, start, end in windows.select(
        "work_center_id", "start_minute", "end_minute"
    ).iter_rows():
        by_center.setdefault(center, []).append((start, end))
    return by_center
