"""Improving a large schedule with CP-SAT in rolling time windows.

One model of thousands of operations (with changeover circuits and staffing
alternatives) is too slow to even presolve on two cores. Instead, starting from the
dispatching schedule, the operations are taken in start order in windows of about
``window_operations`` operations, each overlapping the previous one by half. A
window's operations are re-scheduled by the same CP-SAT model (``build_model`` with a
``Scope``) within the time span they occupy now, everything else staying fixed, with
the current schedule as the window's complete hint (see ``model`` for the window
objective). After each window, the operations after it are re-dispatched by the
dispatching rule from the new state, and the better of that and the left-shifted
old plan (both never worse than before the window) is kept, so a gain early in the
schedule carries forward. Windows that CP-SAT closes quickly grow, ones it cannot
close shrink. Passes over the schedule repeat while they improve it and time remains.
"""

from __future__ import annotations

import logging
import time

from planning.config import SolverSettings
from planning.errors import StepFailedError
from planning.scheduling.assignment import Assignment, evaluate, left_shift
from planning.scheduling.dispatch import dispatch
from planning.scheduling.lexicographic_solve import solve
from planning.scheduling.model import Scope, build_model
from planning.scheduling.problem import SchedulingProblem

logger = logging.getLogger(__name__)

MIN_WINDOW_SECONDS = 0.5  # less than this left: stop rather than start another window
MIN_WINDOW_OPERATIONS = 40
MAX_WINDOW_OPERATIONS = 1000


def improve_in_windows(
    problem: SchedulingProblem,
    assignment: Assignment,
    settings: SolverSettings,
    *,
    time_limit: float,
    rule: str = "slack",
) -> tuple[Assignment, int]:
    """A schedule no worse than ``assignment`` (lexicographically), improved for up to
    ``time_limit`` seconds; also the number of windows solved. ``rule`` is the
    dispatching rule that re-plans the operations after each window."""
    started = time.perf_counter()
    current = left_shift(problem, assignment)
    best = evaluate(problem, current)
    count = len(problem.operations)
    size = max(settings.window_operations, MIN_WINDOW_OPERATIONS)
    solved = 0
    while True:
        position = 0
        while position < count:
            left = time_limit - (time.perf_counter() - started)
            if left < MIN_WINDOW_SECONDS:
                return current, solved
            by_start = sorted(range(count), key=lambda op: (current.start[op], op))
            chunk = by_start[position : position + size]
            scope = Scope(
                frozenset(chunk),
                min(current.start[op] - current.setup[op] for op in chunk),
                max(current.end(problem, op) for op in chunk),
            )
            step = max(size // 2, 1)
            windows_left = max(1, -(-(count - position - size) // step) + 1)
            try:
                model = build_model(problem, current=current, scope=scope)
                left = time_limit - (time.perf_counter() - started)
                budget = max(left / windows_left, MIN_WINDOW_SECONDS / 2)
                result = solve(model, settings, time_limit=budget, quick_presolve=True)
            except StepFailedError as error:  # keep the window as it is
                logger.warning("window [%d, %d) skipped: %s", scope.low, scope.high, error)
                position += step
                continue
            solved += 1
            # Windows CP-SAT closes early can be larger; ones it cannot close, smaller.
            if result.status == "OPTIMAL" and result.wall_seconds < budget / 2:
                size = min(round(size * 1.25), MAX_WINDOW_OPERATIONS)
            elif result.status != "OPTIMAL":
                size = max(round(size * 0.8), MIN_WINDOW_OPERATIONS)
            improved = left_shift(problem, result.assignment)
            if position + size < count:  # re-plan what follows the window by the rule
                kept = by_start[: position + size]
                replanned = left_shift(
                    problem, dispatch(problem, rule, fixed=result.assignment, keep=kept)
                )
                improved = min(improved, replanned, key=lambda a: evaluate(problem, a))
            # Estimated terms can trade real lateness for lateness that a left shift
            # does not recover: never let a window make the schedule worse.
            current = min(improved, current, key=lambda a: evaluate(problem, a))
            logger.info(
                "window of %d operations [%d, %d) min: %s -> %s",
                len(chunk),
                scope.low,
                scope.high,
                result.status,
                tuple(evaluate(problem, current)),
            )
            if position + size >= count:
                break
            position += step
        value = evaluate(problem, current)
        if value >= best:
            return current, solved
        best = value
