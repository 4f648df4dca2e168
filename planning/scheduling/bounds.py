"""Lower bounds of a scheduling problem: order completions, weighted tardiness and
makespan that no schedule can beat. The run report states them beside the schedule
found; a makespan at its bound is optimal.
"""

from __future__ import annotations

from planning.scheduling.calendar import earliest_fit
from planning.scheduling.problem import SchedulingProblem


def completion_lower_bounds(problem: SchedulingProblem) -> list[int]:
    """Per order, a completion minute no schedule can beat: its operations back to back
    from their releases, each on its fastest alternative at the earliest time that
    alternative's calendar allows (capacity, persons and changeovers ignored)."""
    bounds = []
    for order in problem.orders:
        clock = 0
        for op in order.operations:
            operation = problem.operations[op]
            earliest = max(clock, operation.release)
            clock = min(
                (
                    earliest_fit(
                        earliest, a.duration, 0, problem.work_centers[a.work_center].calendar
                    )
                    or earliest
                )
                + a.duration
                for a in operation.alternatives
            )
        bounds.append(clock)
    return bounds


def weighted_tardiness_lower_bound(problem: SchedulingProblem) -> int:
    """Weighted tardiness (in 1/WEIGHT_SCALE) that no schedule can beat."""
    return sum(
        order.weight * max(0, bound - order.due)
        for order, bound in zip(problem.orders, completion_lower_bounds(problem), strict=True)
        if order.due is not None
    )


def makespan_lower_bound(problem: SchedulingProblem) -> int:
    """A makespan no schedule can beat: the latest order completion bound, and per
    work center the time its units need, in their available minutes, for the
    operations that can only run there, from the earliest release among them."""
    bound = max(completion_lower_bounds(problem), default=0)
    load: dict[int, list[int]] = {}
    for operation in problem.operations:
        if len(operation.alternatives) == 1:
            alternative = operation.alternatives[0]
            entry = load.setdefault(alternative.work_center, [0, operation.release])
            entry[0] += alternative.duration
            entry[1] = min(entry[1], operation.release)
    for center, (minutes, release) in load.items():
        work_center = problem.work_centers[center]
        needed = -(-minutes // work_center.units)  # minutes of available time per unit
        clock = release
        for start, end in work_center.calendar.windows:
            if end <= clock:
                continue
            if start > clock:
                if start - clock >= needed:
                    break
                needed -= start - clock
            clock = max(clock, end)
        bound = max(bound, clock + needed)
    return bound
