"""Synthetic scheduling cases of any size, for the scale benchmark and tests.

A plant of ``work_centers`` work centers (a third with 2-3 units, a fifth with
sequence-dependent changeovers between four families), two shifts a day on weekdays
plus random downtime, and orders of 4-12 operations routed at random (some with an
alternative work center, some needing a skilled person from a pool working early or
late shifts), released over the first days and due a few days after release.
Minute 0 is a Monday 00:00.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import polars as pl

from planning.scheduling.calendar import UNAVAILABILITY_SCHEMA, complement
from planning.scheduling.problem import (
    OPERATIONS_SCHEMA,
    PERSONNEL_AVAILABILITY_SCHEMA,
    PERSONNEL_SCHEMA,
    RESOURCES_SCHEMA,
    SETUP_TIMES_SCHEMA,
    PlantFrames,
)

DAY = 24 * 60
WEEK = 7 * DAY
FAMILIES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class SyntheticCase:
    """The input frames of ``schedule_operations``."""

    operations: pl.DataFrame
    resources: pl.DataFrame
    frames: PlantFrames


def synthetic_case(
    operations: int = 5000,
    work_centers: int = 50,
    *,
    persons: int = 40,
    skills: int = 8,
    weeks: int = 12,
    seed: int = 7,
) -> SyntheticCase:
    """A case of exactly ``operations`` operations on ``work_centers`` work centers;
    the calendars span ``weeks`` weeks (after that work centers are always open and
    persons never available)."""
    rng = random.Random(seed)
    centers = [f"WC{c:02d}" for c in range(1, work_centers + 1)]
    units = {c: rng.choices((1, 2, 3), weights=(6, 3, 1))[0] for c in centers}
    with_setups = set(rng.sample(centers, max(1, work_centers // 5)))
    skill_names = [f"S{s}" for s in range(1, skills + 1)]

    rows = []
    order = 0
    count = 0
    while count < operations:
        order += 1
        order_id = f"WO{order:05d}"
        steps = min(rng.randint(4, 12), operations - count, work_centers)
        count += steps
        release = rng.randint(0, 4 * DAY)
        due = release + rng.randint(3, 12) * DAY
        weight = rng.choice((1.0, 1.0, 2.0, 5.0))
        route = rng.sample(centers, steps)
        for step, center in enumerate(route, start=1):
            minutes = rng.randint(20, 180)
            skill = rng.choice(skill_names) if rng.random() < 0.15 else None
            choices = [(center, minutes)]
            if rng.random() < 0.3:
                other = rng.choice([c for c in centers if c != center])
                choices.append((other, max(1, round(minutes * rng.uniform(0.8, 1.3)))))
            material = release + rng.randint(0, 2 * DAY) if rng.random() < 0.05 else None
            for where, duration in choices:
                family = rng.choice(FAMILIES) if where in with_setups else None
                rows.append(
                    (
                        order_id,
                        step * 10,
                        where,
                        duration,
                        family,
                        skill,
                        release if step == 1 else material,
                        due,
                        weight,
                    )
                )
    operations_frame = pl.DataFrame(rows, schema=OPERATIONS_SCHEMA, orient="row")

    shifts = [
        (w * WEEK + d * DAY + 6 * 60, w * WEEK + d * DAY + 22 * 60)
        for w in range(weeks)
        for d in range(5)
    ]
    closed = [(s, e) for s, e in complement(shifts) if e <= weeks * WEEK]
    unavailability = [(c, s, e) for c in centers for s, e in closed]
    for _ in range(work_centers // 5):
        start = rng.randint(0, 2 * WEEK)
        unavailability.append((rng.choice(centers), start, start + rng.randint(2, 8) * 60))

    setup_rows = [
        (center, a, b, rng.randint(15, 60))
        for center in sorted(with_setups)
        for a in FAMILIES
        for b in FAMILIES
        if a != b
    ]
    staff = []
    availability = []
    for p in range(1, persons + 1):
        person_id = f"P{p:03d}"
        for skill in rng.sample(skill_names, rng.randint(1, 3)):
            staff.append((person_id, skill))
        early = p % 2 == 0
        for w in range(weeks):
            for d in range(5):
                begin = w * WEEK + d * DAY + (6 if early else 14) * 60
                availability.append((person_id, begin, begin + 8 * 60))
    covered = {skill for _, skill in staff}
    for skill in skill_names:
        if skill not in covered:
            staff.append((f"P{persons:03d}", skill))

    return SyntheticCase(
        operations=operations_frame,
        resources=pl.DataFrame(
            [(c, units[c]) for c in centers], schema=RESOURCES_SCHEMA, orient="row"
        ),
        frames=PlantFrames(
            unavailability=pl.DataFrame(unavailability, schema=UNAVAILABILITY_SCHEMA, orient="row"),
            setup_times=pl.DataFrame(setup_rows, schema=SETUP_TIMES_SCHEMA, orient="row"),
            personnel=pl.DataFrame(staff, schema=PERSONNEL_SCHEMA, orient="row"),
            personnel_availability=pl.DataFrame(
                availability, schema=PERSONNEL_AVAILABILITY_SCHEMA, orient="row"
            ),
        ),
    )
