"""The scheduling problem: input frame schemas, and their check into a compact problem.

All times are integer minutes from the schedule start (minute 0).

Input frames (columns in ``*_SCHEMA``; optional columns may be absent or null):

``operations``: one row per (order_id, op_seq, work_center_id) alternative.
    Operations of an order run in ``op_seq`` order, each starting after the previous
    one ends. An operation runs on exactly one of its alternative work centers, for
    that row's ``duration_minutes`` (>= 1), on one unit of it. ``setup_family`` (for
    sequence-dependent changeovers) and ``skill`` (a person with that skill must be
    assigned for the whole operation) belong to the alternative row.
    ``release_minute`` (default 0) is the operation's earliest start, e.g. when its
    material arrives; the largest value on the operation's rows counts.
    ``due_minute`` and ``weight`` (default 1.0, resolved to 0.01) belong to the order:
    the smallest due and the largest weight on its rows count; an order without a due
    minute has no tardiness.
``resources``: work_center_id, capacity_units (number of identical units, >= 1).
    Every work center an operation names must be listed.
``unavailability``: work_center_id, start_minute, end_minute: off-shift time and
    downtime, applying to every unit. An operation may not overlap an unavailable
    window: it must fit inside one available stretch, never split over a shift end.
    A changeover before an operation is machine time too and must fit in the same
    stretch. Rows of work centers not in ``resources`` are ignored.
``setup_times``: work_center_id (null = every work center), from_family, to_family,
    setup_minutes: the changeover between consecutive operations on the same unit.
    Pairs not listed (and the first operation on a unit) need none.
``personnel``: person_id, skill (one row per skill a person has).
``personnel_availability``: person_id, start_minute, end_minute: the windows in which
    a person can work; a person without rows is always available.

The four frames after ``resources`` travel together as ``PlantFrames``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import polars as pl

from planning.scheduling.calendar import UNAVAILABILITY_SCHEMA, Calendar, complement, merge_windows
from planning.scheduling.errors import SchedulingInputError

OPERATIONS_SCHEMA = pl.Schema(
    {
        "order_id": pl.String,
        "op_seq": pl.Int64,
        "work_center_id": pl.String,
        "duration_minutes": pl.Int64,
        "setup_family": pl.String,
        "skill": pl.String,
        "release_minute": pl.Int64,
        "due_minute": pl.Int64,
        "weight": pl.Float64,
    }
)
OPERATIONS_REQUIRED = ("order_id", "op_seq", "work_center_id", "duration_minutes")
RESOURCES_SCHEMA = pl.Schema({"work_center_id": pl.String, "capacity_units": pl.Int64})
SETUP_TIMES_SCHEMA = pl.Schema(
    {
        "work_center_id": pl.String,
        "from_family": pl.String,
        "to_family": pl.String,
        "setup_minutes": pl.Int64,
    }
)
PERSONNEL_SCHEMA = pl.Schema({"person_id": pl.String, "skill": pl.String})
PERSONNEL_AVAILABILITY_SCHEMA = pl.Schema(
    {"person_id": pl.String, "start_minute": pl.Int64, "end_minute": pl.Int64}
)
WEIGHT_SCALE = 100  # order weights are resolved to 1/100


@dataclass(frozen=True)
class PlantFrames:
    """The input frames beside operations and resources (see the module docstring):
    work-center unavailability, changeover times, personnel skills and availability.
    Each defaults to an empty frame: always open, no changeovers, nobody."""

    unavailability: pl.DataFrame = field(
        default_factory=partial(pl.DataFrame, schema=UNAVAILABILITY_SCHEMA)
    )
    setup_times: pl.DataFrame = field(
        default_factory=partial(pl.DataFrame, schema=SETUP_TIMES_SCHEMA)
    )
    personnel: pl.DataFrame = field(default_factory=partial(pl.DataFrame, schema=PERSONNEL_SCHEMA))
    personnel_availability: pl.DataFrame = field(
        default_factory=partial(pl.DataFrame, schema=PERSONNEL_AVAILABILITY_SCHEMA)
    )


@dataclass(frozen=True)
class Alternative:
    """One way to run an operation: on a work center, for a duration in minutes."""

    work_center: int
    duration: int
    setup_family: int | None = None
    skill: int | None = None


@dataclass(frozen=True)
class Operation:
    order: int
    op_seq: int
    release: int
    alternatives: tuple[Alternative, ...]
    predecessor: int | None
    successor: int | None
    name: str  # "order_id/op_seq", used for CP-SAT variable names

    @property
    def min_duration(self) -> int:
        return min(alternative.duration for alternative in self.alternatives)


@dataclass(frozen=True)
class Order:
    order_id: str
    operations: tuple[int, ...]
    due: int | None
    weight: int  # in 1/WEIGHT_SCALE


@dataclass(frozen=True)
class WorkCenter:
    work_center_id: str
    units: int
    calendar: Calendar
    has_setups: bool  # some changeover between families run here takes time


@dataclass(frozen=True)
class Person:
    person_id: str
    skills: frozenset[int]
    calendar: Calendar


@dataclass(frozen=True)
class SchedulingProblem:
    """The checked, indexed problem that the heuristic and the CP-SAT model share."""

    operations: tuple[Operation, ...]
    orders: tuple[Order, ...]
    work_centers: tuple[WorkCenter, ...]
    persons: tuple[Person, ...]
    families: tuple[str, ...]
    skills: tuple[str, ...]
    setup_table: dict[tuple[int, int, int], int] = field(default_factory=dict)
    qualified: tuple[tuple[int, ...], ...] = ()  # per skill: the persons who have it

    def setup(self, work_center: int, from_family: int | None, to_family: int | None) -> int:
        """Changeover minutes on a unit of ``work_center`` between two families."""
        if from_family is None or to_family is None:
            return 0
        return self.setup_table.get((work_center, from_family, to_family), 0)

    def max_setup_into(self, work_center: int, to_family: int | None) -> int:
        if to_family is None or not self.work_centers[work_center].has_setups:
            return 0
        return max(
            (self.setup(work_center, f, to_family) for f in range(len(self.families))),
            default=0,
        )

    def uses_sequences(self, work_center: int) -> bool:
        """Units of this work center are sequenced one by one (changeovers matter)."""
        return self.work_centers[work_center].has_setups

    def uses_cumulative(self, work_center: int) -> bool:
        """Several identical units without changeovers: one cumulative resource, with
        units assigned after solving."""
        center = self.work_centers[work_center]
        return center.units > 1 and not center.has_setups

    @property
    def has_due_dates(self) -> bool:
        return any(order.due is not None for order in self.orders)

    @property
    def has_setups(self) -> bool:
        return any(center.has_setups for center in self.work_centers)

    def describe(self) -> str:
        alternatives = sum(len(op.alternatives) for op in self.operations)
        return (
            f"{len(self.orders)} orders, {len(self.operations)} operations "
            f"({alternatives} alternatives), {len(self.work_centers)} work centers, "
            f"{len(self.persons)} persons"
        )


def conform(
    frame: pl.DataFrame | None, schema: pl.Schema, required: Sequence[str], name: str
) -> pl.DataFrame:
    """``frame`` with exactly ``schema``'s columns and types: optional columns added as
    nulls, required ones checked for presence and nulls. None is an empty frame."""
    if frame is None:
        return pl.DataFrame(schema=schema)
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise SchedulingInputError(
            f"{name}: required column {missing[0]!r} is missing", file=name, column=missing[0]
        )
    columns = []
    for column, dtype in schema.items():
        if column not in frame.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(column))
            continue
        try:
            frame.select(pl.col(column).cast(dtype, strict=True))
        except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError):
            raise SchedulingInputError(
                f"{name}: column {column!r} does not hold {dtype} values",
                file=name,
                column=column,
            ) from None
        columns.append(pl.col(column).cast(dtype))
    conformed = frame.select(columns)
    for column in required:
        nulls = conformed.get_column(column).is_null()
        if nulls.any():
            row = int(nulls.arg_true()[0]) + 1
            raise SchedulingInputError(
                f"{name}: column {column!r} is empty in row {row}", file=name, column=column
            )
    return conformed


def build_problem(
    operations: pl.DataFrame, resources: pl.DataFrame, frames: PlantFrames | None = None
) -> SchedulingProblem:
    """Check the input frames (see the module docstring) and index them.

    Raises SchedulingInputError naming the frame, column or operation at fault.
    """
    frames = PlantFrames() if frames is None else frames
    operations = conform(operations, OPERATIONS_SCHEMA, OPERATIONS_REQUIRED, "operations")
    resources = conform(resources, RESOURCES_SCHEMA, tuple(RESOURCES_SCHEMA), "resources")
    unavailability = conform(
        frames.unavailability,
        UNAVAILABILITY_SCHEMA,
        tuple(UNAVAILABILITY_SCHEMA),
        "unavailability",
    )
    setup_times = conform(
        frames.setup_times,
        SETUP_TIMES_SCHEMA,
        ("from_family", "to_family", "setup_minutes"),
        "setup_times",
    )
    personnel = conform(frames.personnel, PERSONNEL_SCHEMA, tuple(PERSONNEL_SCHEMA), "personnel")
    personnel_availability = conform(
        frames.personnel_availability,
        PERSONNEL_AVAILABILITY_SCHEMA,
        tuple(PERSONNEL_AVAILABILITY_SCHEMA),
        "personnel_availability",
    )
    _check_values(operations, resources, unavailability, setup_times, personnel_availability)

    center_ids = resources.get_column("work_center_id").to_list()
    if len(set(center_ids)) != len(center_ids):
        raise SchedulingInputError("resources: a work_center_id is listed twice", file="resources")
    center_index = {center: i for i, center in enumerate(center_ids)}
    unknown = operations.filter(~pl.col("work_center_id").is_in(center_ids))
    if unknown.height:
        row = unknown.row(0, named=True)
        raise SchedulingInputError(
            f"operations: operation {row['order_id']}/{row['op_seq']} names work center "
            f"{row['work_center_id']!r}, which is not in resources",
            file="operations",
            column="work_center_id",
        )
    duplicated = operations.filter(
        pl.struct("order_id", "op_seq", "work_center_id").is_duplicated()
    )
    if duplicated.height:
        row = duplicated.row(0, named=True)
        raise SchedulingInputError(
            f"operations: operation {row['order_id']}/{row['op_seq']} lists work center "
            f"{row['work_center_id']!r} twice",
            file="operations",
        )

    families = tuple(sorted(operations.get_column("setup_family").drop_nulls().unique()))
    family_index = {family: i for i, family in enumerate(families)}
    person_ids = sorted(
        set(personnel.get_column("person_id")) | set(personnel_availability["person_id"])
    )
    skills = tuple(
        sorted(set(operations.get_column("skill").drop_nulls()) | set(personnel["skill"]))
    )
    skill_index = {skill: i for i, skill in enumerate(skills)}

    persons = _persons(person_ids, personnel, personnel_availability, skill_index)
    qualified = tuple(
        tuple(p for p, person in enumerate(persons) if s in person.skills)
        for s in range(len(skills))
    )
    setup_table = _setup_table(setup_times, center_index, family_index)
    orders, ops = _operations(operations, center_index, family_index, skill_index, qualified)

    centers = []
    for i, row in enumerate(resources.iter_rows(named=True)):
        windows = unavailability.filter(pl.col("work_center_id") == row["work_center_id"])
        calendar = Calendar(merge_windows(windows.select("start_minute", "end_minute").rows()))
        run_here = {
            alternative.setup_family
            for op in ops
            for alternative in op.alternatives
            if alternative.work_center == i and alternative.setup_family is not None
        }
        has_setups = any(setup_table.get((i, f, g), 0) > 0 for f in run_here for g in run_here)
        centers.append(
            WorkCenter(row["work_center_id"], row["capacity_units"], calendar, has_setups)
        )

    return SchedulingProblem(
        operations=tuple(ops),
        orders=tuple(orders),
        work_centers=tuple(centers),
        persons=tuple(persons),
        families=families,
        skills=skills,
        setup_table=setup_table,
        qualified=qualified,
    )


def _check_values(
    operations: pl.DataFrame,
    resources: pl.DataFrame,
    unavailability: pl.DataFrame,
    setup_times: pl.DataFrame,
    personnel_availability: pl.DataFrame,
) -> None:
    checks = [
        (operations, "operations", "duration_minutes", pl.col("duration_minutes") >= 1, ">= 1"),
        (
            operations,
            "operations",
            "release_minute",
            pl.col("release_minute").fill_null(0) >= 0,
            ">= 0",
        ),
        (operations, "operations", "weight", pl.col("weight").fill_null(1.0) >= 0, ">= 0"),
        (resources, "resources", "capacity_units", pl.col("capacity_units") >= 1, ">= 1"),
        (
            unavailability,
            "unavailability",
            "end_minute",
            pl.col("end_minute") > pl.col("start_minute"),
            "after start_minute",
        ),
        (setup_times, "setup_times", "setup_minutes", pl.col("setup_minutes") >= 0, ">= 0"),
        (
            personnel_availability,
            "personnel_availability",
            "end_minute",
            pl.col("end_minute") > pl.col("start_minute"),
            "after start_minute",
        ),
    ]
    for frame, name, column, condition, expected in checks:
        bad = frame.with_row_index("row", offset=1).filter(~condition)
        if bad.height:
            row = bad.row(0, named=True)
            raise SchedulingInputError(
                f"{name}: {column} must be {expected}, got {row[column]} in row {row['row']}",
                file=name,
                column=column,
            )


def _persons(
    person_ids: list[str],
    personnel: pl.DataFrame,
    availability: pl.DataFrame,
    skill_index: dict[str, int],
) -> list[Person]:
    skills_of: dict[str, set[int]] = {person: set() for person in person_ids}
    for person, skill in personnel.iter_rows():
        skills_of[person].add(skill_index[skill])
    windows_of: dict[str, list[tuple[int, int]]] = {}
    for person, start, end in availability.iter_rows():
        windows_of.setdefault(person, []).append((start, end))
    return [
        Person(
            person,
            frozenset(skills_of[person]),
            Calendar(complement(windows_of[person]) if person in windows_of else ()),
        )
        for person in person_ids
    ]


def _setup_table(
    setup_times: pl.DataFrame, center_index: dict[str, int], family_index: dict[str, int]
) -> dict[tuple[int, int, int], int]:
    """(work center, from family, to family) -> minutes; rows naming a work center
    override the rows for every work center."""
    table: dict[tuple[int, int, int], int] = {}
    rows = setup_times.filter(
        pl.col("from_family").is_in(list(family_index))
        & pl.col("to_family").is_in(list(family_index))
    ).sort(pl.col("work_center_id").is_not_null())  # the general rows first
    for center, from_family, to_family, minutes in rows.iter_rows():
        centers = center_index.values() if center is None else [center_index.get(center)]
        for c in centers:
            if c is not None:
                table[(c, family_index[from_family], family_index[to_family])] = minutes
    return {key: minutes for key, minutes in table.items() if minutes > 0}


def _operations(
    operations: pl.DataFrame,
    center_index: dict[str, int],
    family_index: dict[str, int],
    skill_index: dict[str, int],
    qualified: tuple[tuple[int, ...], ...],
) -> tuple[list[Order], list[Operation]]:
    rows = operations.sort("order_id", "op_seq", "work_center_id")
    grouped: dict[str, dict[int, list[dict]]] = {}
    for row in rows.iter_rows(named=True):
        grouped.setdefault(row["order_id"], {}).setdefault(row["op_seq"], []).append(row)
    orders: list[Order] = []
    ops: list[Operation] = []
    for order_number, (order_id, steps) in enumerate(grouped.items()):
        all_rows = [row for step in steps.values() for row in step]
        dues = [row["due_minute"] for row in all_rows if row["due_minute"] is not None]
        weights = [row["weight"] for row in all_rows if row["weight"] is not None]
        first = len(ops)
        for position, (op_seq, step) in enumerate(steps.items()):
            alternatives = []
            for row in step:
                skill = None if row["skill"] is None else skill_index[row["skill"]]
                if skill is not None and not qualified[skill]:
                    continue  # nobody can staff this alternative
                alternatives.append(
                    Alternative(
                        work_center=center_index[row["work_center_id"]],
                        duration=row["duration_minutes"],
                        setup_family=(
                            None
                            if row["setup_family"] is None
                            else family_index[row["setup_family"]]
                        ),
                        skill=skill,
                    )
                )
            if not alternatives:
                raise SchedulingInputError(
                    f"operations: operation {order_id}/{op_seq} needs skill "
                    f"{step[0]['skill']!r}, which nobody in personnel has",
                    file="operations",
                    column="skill",
                )
            index = first + position
            ops.append(
                Operation(
                    order=order_number,
                    op_seq=op_seq,
                    release=max(row["release_minute"] or 0 for row in step),
                    alternatives=tuple(alternatives),
                    predecessor=index - 1 if position > 0 else None,
                    successor=index + 1 if position < len(steps) - 1 else None,
                    name=f"{order_id}/{op_seq}",
                )
            )
        orders.append(
            Order(
                order_id=order_id,
                operations=tuple(range(first, len(ops))),
                due=min(dues) if dues else None,
                weight=round((max(weights) if weights else 1.0) * WEIGHT_SCALE),
            )
        )
    return orders, ops
