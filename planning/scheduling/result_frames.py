"""The schedule as frames (``to_schedule_frame``, ``order_completion_frame``) and its
conversion to the contract's ``schedule`` table timestamps (``with_timestamps``)."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from planning.scheduling.assignment import Assignment
from planning.scheduling.problem import WEIGHT_SCALE, SchedulingProblem

SCHEDULE_SCHEMA = pl.Schema(
    {
        "order_id": pl.String,
        "op_seq": pl.Int64,
        "work_center_id": pl.String,
        "unit": pl.Int64,
        "person_id": pl.String,
        "start_minute": pl.Int64,
        "end_minute": pl.Int64,
        "setup_minutes": pl.Int64,
    }
)
"""One row per operation: where (work center, unit 1..capacity_units), who (person, or
null when no skill is needed) and when: ``[start_minute, end_minute)`` from the schedule
start, the changeover of ``setup_minutes`` running right before ``start_minute``."""

ORDER_COMPLETION_SCHEMA = pl.Schema(
    {
        "order_id": pl.String,
        "completion_minute": pl.Int64,
        "due_minute": pl.Int64,
        "tardiness_minutes": pl.Int64,
        "weighted_tardiness": pl.Float64,
        "late": pl.Boolean,
    }
)
"""One row per order: when its last operation ends, against its due minute (null when
it has none); ``late`` marks the orders the schedule cannot finish in time."""


def to_schedule_frame(problem: SchedulingProblem, assignment: Assignment) -> pl.DataFrame:
    """The schedule (SCHEDULE_SCHEMA), sorted by order and op_seq."""
    rows = []
    for op, operation in enumerate(problem.operations):
        alternative = operation.alternatives[assignment.alternative[op]]
        person = assignment.person[op]
        rows.append(
            (
                problem.orders[operation.order].order_id,
                operation.op_seq,
                problem.work_centers[alternative.work_center].work_center_id,
                assignment.unit[op],
                None if person is None else problem.persons[person].person_id,
                assignment.start[op],
                assignment.start[op] + alternative.duration,
                assignment.setup[op],
            )
        )
    return pl.DataFrame(rows, schema=SCHEDULE_SCHEMA, orient="row").sort("order_id", "op_seq")


def order_completion_frame(problem: SchedulingProblem, assignment: Assignment) -> pl.DataFrame:
    """Completion against due minute per order (ORDER_COMPLETION_SCHEMA)."""
    rows = []
    for order in problem.orders:
        completion = assignment.end(problem, order.operations[-1])
        late = None if order.due is None else max(0, completion - order.due)
        rows.append(
            (
                order.order_id,
                completion,
                order.due,
                late,
                None if late is None else late * order.weight / WEIGHT_SCALE,
                bool(late),
            )
        )
    return pl.DataFrame(rows, schema=ORDER_COMPLETION_SCHEMA, orient="row").sort("order_id")


def with_timestamps(schedule: pl.DataFrame, origin: datetime) -> pl.DataFrame:
    """``schedule`` with ``start_at`` and ``end_at`` timestamps: minutes after
    ``origin`` (the moment minute 0 stands for)."""
    return schedule.with_columns(
        (pl.lit(origin) + pl.duration(minutes=pl.col("start_minute"))).alias("start_at"),
        (pl.lit(origin) + pl.duration(minutes=pl.col("end_minute"))).alias("end_at"),
    )
