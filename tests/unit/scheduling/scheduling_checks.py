"""An independent checker of schedule frames against the scheduling input frames.

It re-reads the input frames directly (not the indexed problem the scheduler builds)
so that a bug in the scheduler's indexing cannot hide a violation.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import polars as pl

from planning.scheduling.problem import PlantFrames


def violations(
    schedule: pl.DataFrame,
    operations: pl.DataFrame,
    resources: pl.DataFrame,
    frames: PlantFrames | None = None,
) -> list[str]:
    """Every broken rule of the schedule, as readable messages (empty: feasible)."""
    frames = PlantFrames() if frames is None else frames
    problems: list[str] = []
    alternatives: dict[tuple[str, int], dict[str, dict]] = defaultdict(dict)
    for row in operations.iter_rows(named=True):
        alternatives[(row["order_id"], row["op_seq"])][row["work_center_id"]] = row
    units = dict(resources.select("work_center_id", "capacity_units").iter_rows())
    rows = list(schedule.iter_rows(named=True))
    seen = {(r["order_id"], r["op_seq"]) for r in rows}
    if len(seen) != len(rows) or seen != set(alternatives):
        problems.append("the schedule must hold every operation exactly once")

    def family(row: dict) -> str | None:
        return alternatives[(row["order_id"], row["op_seq"])][row["work_center_id"]].get(
            "setup_family"
        )

    for row in rows:
        name = f"{row['order_id']}/{row['op_seq']}"
        option = alternatives.get((row["order_id"], row["op_seq"]), {}).get(row["work_center_id"])
        if option is None:
            problems.append(f"{name} runs on {row['work_center_id']}, not an alternative")
            continue
        if row["end_minute"] - row["start_minute"] != option["duration_minutes"]:
            problems.append(f"{name} does not last its {option['duration_minutes']} minutes")
        releases = [
            alt.get("release_minute") or 0
            for alt in alternatives[(row["order_id"], row["op_seq"])].values()
        ]
        if row["start_minute"] < max(releases):
            problems.append(f"{name} starts at {row['start_minute']} before its release")
        if not 1 <= row["unit"] <= units[row["work_center_id"]]:
            problems.append(f"{name} runs on unit {row['unit']} of {row['work_center_id']}")

    by_order: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_order[row["order_id"]].append(row)
    for order_rows in by_order.values():
        order_rows.sort(key=lambda r: r["op_seq"])
        for before, after in pairwise(order_rows):
            if after["start_minute"] < before["end_minute"]:
                problems.append(
                    f"{after['order_id']}/{after['op_seq']} starts before "
                    f"{before['order_id']}/{before['op_seq']} ends"
                )

    setups = {}
    general = frames.setup_times.filter(pl.col("work_center_id").is_null())
    specific = frames.setup_times.filter(pl.col("work_center_id").is_not_null())
    for center in units:
        for row in general.iter_rows(named=True):
            setups[(center, row["from_family"], row["to_family"])] = row["setup_minutes"]
    for row in specific.iter_rows(named=True):
        key = (row["work_center_id"], row["from_family"], row["to_family"])
        setups[key] = row["setup_minutes"]
    closed: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for center, start, end in frames.unavailability.select(
        "work_center_id", "start_minute", "end_minute"
    ).iter_rows():
        closed[center].append((start, end))
    by_unit: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in rows:
        by_unit[(row["work_center_id"], row["unit"])].append(row)
    for (center, unit), unit_rows in by_unit.items():
        unit_rows.sort(key=lambda r: r["start_minute"])
        previous = None
        for row in unit_rows:
            name = f"{row['order_id']}/{row['op_seq']}"
            expected = 0
            if previous is not None:
                expected = setups.get((center, family(previous), family(row)), 0)
            if row["setup_minutes"] != expected:
                problems.append(
                    f"{name} on {center}#{unit} has setup {row['setup_minutes']}, "
                    f"expected {expected}"
                )
            busy_from = row["start_minute"] - expected
            if previous is not None and busy_from < previous["end_minute"]:
                problems.append(
                    f"{name} (with its changeover) overlaps "
                    f"{previous['order_id']}/{previous['op_seq']} on {center}#{unit}"
                )
            for start, end in closed.get(center, []):
                if start < row["end_minute"] and busy_from < end:
                    problems.append(f"{name} overlaps unavailable [{start}, {end}) of {center}")
            previous = row

    skills = defaultdict(set)
    for person, skill in frames.personnel.select("person_id", "skill").iter_rows():
        skills[person].add(skill)
    windows = defaultdict(list)
    for person, start, end in frames.personnel_availability.select(
        "person_id", "start_minute", "end_minute"
    ).iter_rows():
        windows[person].append((start, end))
    for person, person_windows in windows.items():  # touching windows are one stretch
        merged: list[list[int]] = []
        for start, end in sorted(person_windows):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        windows[person] = [(start, end) for start, end in merged]
    by_person: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        name = f"{row['order_id']}/{row['op_seq']}"
        option = alternatives.get((row["order_id"], row["op_seq"]), {}).get(row["work_center_id"])
        needed = None if option is None else option.get("skill")
        person = row["person_id"]
        if needed is None:
            if person is not None:
                problems.append(f"{name} needs no skill but has {person} assigned")
            continue
        if person is None or needed not in skills[person]:
            problems.append(f"{name} needs skill {needed}; {person} does not have it")
            continue
        if person in windows and not any(
            start <= row["start_minute"] and row["end_minute"] <= end
            for start, end in windows[person]
        ):
            problems.append(f"{name} is outside every availability window of {person}")
        by_person[person].append(row)
    for person, person_rows in by_person.items():
        person_rows.sort(key=lambda r: r["start_minute"])
        for before, after in pairwise(person_rows):
            if after["start_minute"] < before["end_minute"]:
                problems.append(
                    f"{person} is on {before['order_id']}/{before['op_seq']} and "
                    f"{after['order_id']}/{after['op_seq']} at once"
                )
    return problems
