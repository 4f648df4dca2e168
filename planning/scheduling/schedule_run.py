"""Scheduling work orders end to end: frames in, schedule frames and a report out.

``schedule_operations`` is what the planner calls. It checks the frames
(``build_problem``), builds a feasible start with the dispatching rule, then improves
it with CP-SAT: as one model given that start as a complete hint (``build_model``,
``solve``), or, above ``decompose_above_operations`` operations, in rolling time
windows (``improve_in_windows``). Either way the result is at least as good as the
dispatching schedule and feasible, whatever the time limit.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import polars as pl

from planning.config import SolverSettings
from planning.scheduling.assignment import Assignment, Objective, evaluate, left_shift
from planning.scheduling.bounds import makespan_lower_bound, weighted_tardiness_lower_bound
from planning.scheduling.decomposition import improve_in_windows
from planning.scheduling.dispatch import best_dispatch
from planning.scheduling.lexicographic_solve import PhaseReport, solve
from planning.scheduling.model import build_model, safe_horizon
from planning.scheduling.problem import (
    WEIGHT_SCALE,
    PlantFrames,
    SchedulingProblem,
    build_problem,
)
from planning.scheduling.result_frames import order_completion_frame, to_schedule_frame

logger = logging.getLogger(__name__)

QUICK_PRESOLVE_ABOVE_OPERATIONS = 400  # probing costs more than it gains on big models
FINISH_SECONDS_PER_OPERATION = 2e-4  # kept back from the limit to build the result frames


@dataclass(frozen=True)
class ScheduleReport:
    """How a schedule run went.

    ``status`` is OPTIMAL when CP-SAT proved every objective phase optimal (or the
    makespan meets its bound), else FEASIBLE. ``makespan_bound`` (minutes) is a
    makespan no schedule can beat: CP-SAT's bound when makespan was the first
    objective, else a work-center load and order-chain bound;
    ``weighted_tardiness_bound`` comes from the order chains. Tardiness is in
    weight x minutes. ``heuristic`` is the objective of the dispatching start.
    ``method`` is ``model`` (one CP-SAT model) or ``windows`` (decomposition; then
    ``windows`` counts the windows solved)."""

    status: str
    weighted_tardiness: float
    makespan: int
    total_setup_minutes: int
    makespan_bound: int
    weighted_tardiness_bound: float
    heuristic: Objective
    method: str
    windows: int
    phases: tuple[PhaseReport, ...]
    wall_seconds: float


@dataclass(frozen=True)
class ScheduleOutcome:
    """The schedule (``result_frames.SCHEDULE_SCHEMA``), order completions
    (``result_frames.ORDER_COMPLETION_SCHEMA``) and the run report."""

    schedule: pl.DataFrame
    orders: pl.DataFrame
    report: ScheduleReport


def schedule_operations(
    operations: pl.DataFrame,
    resources: pl.DataFrame,
    frames: PlantFrames | None = None,
    *,
    settings: SolverSettings | None = None,
) -> ScheduleOutcome:
    """Schedule the operations (frames as in ``planning.scheduling.problem``) on finite
    capacity within ``settings.time_limit_seconds``.

    Raises SchedulingInputError (exit code 2) for frames that cannot be scheduled."""
    problem = build_problem(operations, resources, frames)
    assignment, report = schedule_problem(problem, settings or SolverSettings())
    return ScheduleOutcome(
        to_schedule_frame(problem, assignment),
        order_completion_frame(problem, assignment),
        report,
    )


def horizon(problem: SchedulingProblem, heuristic: Objective) -> int:
    """The minute every operation must end by in the model. Without due minutes, the
    dispatching makespan: no better schedule ends later. With them, a lower tardiness
    might need a later end, so the dispatching makespan plus a quarter (and at least
    past the latest due minute): a model horizon as long as the safe one
    (``model.safe_horizon``, all work back to back) would carry every calendar window
    of months and slow CP-SAT down for schedules no planner wants."""
    if not problem.has_due_dates:
        return heuristic.makespan
    latest_due = max(order.due for order in problem.orders if order.due is not None)
    first_release = min(op.release for op in problem.operations)
    margin = (heuristic.makespan - first_release) // 4
    return min(max(heuristic.makespan + margin, latest_due + margin), safe_horizon(problem))


def schedule_problem(
    problem: SchedulingProblem, settings: SolverSettings
) -> tuple[Assignment, ScheduleReport]:
    """The best schedule found for a checked problem, and the report."""
    started = time.perf_counter()
    start, rule = best_dispatch(problem)
    heuristic = evaluate(problem, start)
    logger.info("%s; dispatching schedule %s", problem.describe(), tuple(heuristic))
    reserve = FINISH_SECONDS_PER_OPERATION * len(problem.operations)
    left = settings.time_limit_seconds - reserve - (time.perf_counter() - started)
    phases: tuple[PhaseReport, ...] = ()
    windows = 0
    bound = makespan_lower_bound(problem)
    if len(problem.operations) > settings.decompose_above_operations:
        method = "windows"
        assignment, windows = improve_in_windows(
            problem, start, settings, time_limit=left, rule=rule
        )
        status = "FEASIBLE"
    else:
        method = "model"
        model = build_model(problem, current=start, horizon=horizon(problem, heuristic))
        left = settings.time_limit_seconds - reserve - (time.perf_counter() - started)
        quick = len(problem.operations) > QUICK_PRESOLVE_ABOVE_OPERATIONS
        result = solve(model, settings, time_limit=max(left, 0.1), quick_presolve=quick)
        # Semi-active: no operation can start earlier without changing a sequence.
        assignment = left_shift(problem, result.assignment)
        phases, status = result.phases, result.status
        first = phases[0] if phases else None
        if first is not None and first.objective == "makespan":
            bound = max(bound, first.bound)
    final = evaluate(problem, assignment)
    if final.makespan == bound and not problem.has_due_dates and not problem.has_setups:
        status = "OPTIMAL"
    report = ScheduleReport(
        status=status,
        weighted_tardiness=final.weighted_tardiness / WEIGHT_SCALE,
        makespan=final.makespan,
        total_setup_minutes=final.total_setup,
        makespan_bound=min(bound, final.makespan),
        weighted_tardiness_bound=weighted_tardiness_lower_bound(problem) / WEIGHT_SCALE,
        heuristic=heuristic,
        method=method,
        windows=windows,
        phases=phases,
        wall_seconds=time.perf_counter() - started,
    )
    logger.info(
        "schedule: status=%s objective=%s bound=%d wall=%.1fs",
        report.status,
        tuple(final),
        report.makespan_bound,
        report.wall_seconds,
    )
    return assignment, report
