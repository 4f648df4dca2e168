"""A dispatching-rule schedule: the feasible start that CP-SAT is given as a hint.

Non-delay list scheduling: among the operations whose predecessor is scheduled, the
one that can start earliest goes next, on the alternative, unit and person that
finish it earliest. Ties go by a priority rule (``RULES``): least slack to the order's
due minute, earliest due minute, least slack per unit of order weight, or most work
remaining in the order. ``best_dispatch`` tries them all and keeps the best schedule.
Every constraint of the model holds: releases, calendars, changeovers, skills.
Operations are appended to their unit's and person's sequence, which keeps
changeovers exact.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection
from typing import NamedTuple

from planning.scheduling.assignment import Assignment, evaluate, left_shift
from planning.scheduling.calendar import earliest_fit
from planning.scheduling.errors import SchedulingInputError
from planning.scheduling.problem import SchedulingProblem

NO_DUE = 10**15
RULES = ("slack", "due", "weighted_slack", "most_work_remaining")


class _Choice(NamedTuple):
    end: int
    start: int
    alternative: int
    unit: int
    person: int | None
    setup: int


def best_dispatch(problem: SchedulingProblem) -> tuple[Assignment, str]:
    """The lexicographically best left-shifted schedule over the priority rules (only
    most-work-remaining when no order has a due minute), and its rule."""
    rules = RULES if problem.has_due_dates else ("most_work_remaining",)
    schedules = [(left_shift(problem, dispatch(problem, rule)), rule) for rule in rules]
    return min(schedules, key=lambda pair: evaluate(problem, pair[0]))


def dispatch(
    problem: SchedulingProblem,
    rule: str = "slack",
    *,
    fixed: Assignment | None = None,
    keep: Collection[int] = (),
) -> Assignment:
    """A complete, feasible schedule by the non-delay dispatching rule above.

    With ``fixed`` and ``keep``, the operations in ``keep`` (a first part of each
    order's operations) stay where ``fixed`` has them and only the others are
    dispatched, after the kept ones on each unit and person."""
    if rule not in RULES:
        raise ValueError(f"unknown priority rule {rule!r}; expected one of {RULES}")
    operations = problem.operations
    count = len(operations)
    remaining = [0] * count  # minutes of work left in the order from this operation on
    for order in problem.orders:
        total = 0
        for op in reversed(order.operations):
            total += operations[op].min_duration
            remaining[op] = total
    unit_state = {
        (c, u): (0, None)
        for c, center in enumerate(problem.work_centers)
        for u in range(1, center.units + 1)
    }  # unit -> (end of its last operation, its setup family)
    person_free = [0] * len(problem.persons)
    ready = [0] * count

    def choose(op: int) -> _Choice | None:
        best: _Choice | None = None
        operation = operations[op]
        for a, alternative in enumerate(operation.alternatives):
            center = problem.work_centers[alternative.work_center]
            sequenced = problem.uses_sequences(alternative.work_center)
            people = (None,) if alternative.skill is None else problem.qualified[alternative.skill]
            seen_states = set()
            for unit in range(1, center.units + 1):
                free, last_family = unit_state[(alternative.work_center, unit)]
                if (free, last_family) in seen_states:
                    continue  # an identical unit gives the same answer
                seen_states.add((free, last_family))
                setup = (
                    problem.setup(alternative.work_center, last_family, alternative.setup_family)
                    if sequenced
                    else 0
                )
                for person in people:
                    earliest = ready[op]
                    calendar = None
                    if person is not None:
                        earliest = max(earliest, person_free[person])
                        calendar = problem.persons[person].calendar
                    start = earliest_fit(
                        earliest,
                        alternative.duration,
                        setup,
                        center.calendar,
                        calendar,
                        setup_after=free,
                    )
                    if start is None:
                        continue
                    choice = _Choice(start + alternative.duration, start, a, unit, person, setup)
                    if best is None or choice < best:
                        best = choice
        return best

    def priority(op: int) -> tuple[float, int]:
        order = problem.orders[operations[op].order]
        if rule == "most_work_remaining" or order.due is None:
            return (NO_DUE, -remaining[op])
        if rule == "due":
            return (order.due, -remaining[op])
        slack = order.due - ready[op] - remaining[op]
        if rule == "weighted_slack":  # late orders: heavier first; early ones: lighter wait
            weight = max(order.weight, 1)
            return (slack * weight if slack < 0 else slack / weight, -remaining[op])
        return (slack, -remaining[op])

    alternative = [0] * count
    unit = [1] * count
    person: list[int | None] = [None] * count
    start = [0] * count
    setup = [0] * count
    heap: list[tuple[int, tuple[float, int], int]] = []

    def push(op: int) -> None:
        choice = choose(op)
        if choice is None:
            raise SchedulingInputError(
                f"operations: operation {operations[op].name} cannot be staffed: no person "
                "with its skill has an availability window it fits in",
                file="operations",
                column="skill",
            )
        heapq.heappush(heap, (choice.start, priority(op), op))

    keep = frozenset(keep)
    for op in sorted(keep, key=lambda i: fixed.start[i]):
        alternative[op], unit[op], person[op] = (
            fixed.alternative[op],
            fixed.unit[op],
            fixed.person[op],
        )
        start[op], setup[op] = fixed.start[op], fixed.setup[op]
        chosen = operations[op].alternatives[fixed.alternative[op]]
        end = fixed.start[op] + chosen.duration
        key = (chosen.work_center, fixed.unit[op])
        if end >= unit_state[key][0]:
            unit_state[key] = (end, chosen.setup_family)
        if fixed.person[op] is not None:
            person_free[fixed.person[op]] = max(person_free[fixed.person[op]], end)
    for order in problem.orders:
        first = next((op for op in order.operations if op not in keep), None)
        if first is None:
            continue
        predecessor = operations[first].predecessor
        ready[first] = operations[first].release
        if predecessor is not None:
            ready[first] = max(
                ready[first], fixed.start[predecessor] + fixed.duration(problem, predecessor)
            )
        push(first)
    while heap:
        cached_start, _, op = heapq.heappop(heap)
        if op in keep:
            continue
        choice = choose(op)
        if choice is None or choice.start != cached_start:
            push(op)  # resources moved on since it was queued
            continue
        alternative[op], unit[op], person[op] = choice.alternative, choice.unit, choice.person
        start[op], setup[op] = choice.start, choice.setup
        chosen = operations[op].alternatives[choice.alternative]
        unit_state[(chosen.work_center, choice.unit)] = (choice.end, chosen.setup_family)
        if choice.person is not None:
            person_free[choice.person] = choice.end
        successor = operations[op].successor
        if successor is not None:
            ready[successor] = max(operations[successor].release, choice.end)
            push(successor)
    return Assignment(tuple(alternative), tuple(unit), tuple(person), tuple(start), tuple(setup))
