"""A schedule in index form (``Assignment``) and what can be computed on it alone:
its objective, changeovers, unit numbering and left-shift compaction.

The heuristic, the CP-SAT model and the window decomposition all hand schedules to
each other in this form; ``result_frames`` turns it into frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise
from typing import NamedTuple

from planning.scheduling.calendar import earliest_fit
from planning.scheduling.problem import SchedulingProblem


@dataclass(frozen=True)
class Assignment:
    """Per operation (indexed like ``problem.operations``): the chosen alternative,
    the unit (1-based) of its work center, the person (index) or None, the start
    minute and the changeover minutes right before it on its unit."""

    alternative: tuple[int, ...]
    unit: tuple[int, ...]
    person: tuple[int | None, ...]
    start: tuple[int, ...]
    setup: tuple[int, ...]

    def end(self, problem: SchedulingProblem, op: int) -> int:
        return self.start[op] + self.duration(problem, op)

    def duration(self, problem: SchedulingProblem, op: int) -> int:
        return problem.operations[op].alternatives[self.alternative[op]].duration

    def work_center(self, problem: SchedulingProblem, op: int) -> int:
        return problem.operations[op].alternatives[self.alternative[op]].work_center


class Objective(NamedTuple):
    """The lexicographic objective: weighted tardiness (minutes x weight, in
    1/WEIGHT_SCALE), then makespan (minutes), then total changeover (minutes)."""

    weighted_tardiness: int
    makespan: int
    total_setup: int


def evaluate(problem: SchedulingProblem, assignment: Assignment) -> Objective:
    tardiness = 0
    makespan = 0
    for order in problem.orders:
        completion = assignment.end(problem, order.operations[-1])
        makespan = max(makespan, completion)
        if order.due is not None:
            tardiness += order.weight * max(0, completion - order.due)
    return Objective(tardiness, makespan, sum(assignment.setup))


def unit_sequences(
    problem: SchedulingProblem, assignment: Assignment
) -> dict[tuple[int, int], list[int]]:
    """(work center, unit) -> its operations in start order."""
    sequences: dict[tuple[int, int], list[int]] = {}
    for op in sorted(range(len(problem.operations)), key=assignment.start.__getitem__):
        key = (assignment.work_center(problem, op), assignment.unit[op])
        sequences.setdefault(key, []).append(op)
    return sequences


def family(problem: SchedulingProblem, assignment: Assignment, op: int) -> int | None:
    return problem.operations[op].alternatives[assignment.alternative[op]].setup_family


def with_sequence_setups(problem: SchedulingProblem, assignment: Assignment) -> Assignment:
    """``assignment`` with each changeover recomputed from its unit's sequence."""
    setup = [0] * len(problem.operations)
    for (center, _), sequence in unit_sequences(problem, assignment).items():
        if not problem.uses_sequences(center):
            continue
        for previous, op in pairwise(sequence):
            setup[op] = problem.setup(
                center, family(problem, assignment, previous), family(problem, assignment, op)
            )
    return replace(assignment, setup=tuple(setup))


def with_units(problem: SchedulingProblem, assignment: Assignment) -> Assignment:
    """Number the units of cumulative work centers: each operation, in start order,
    takes the lowest-numbered unit that is free. Never needs more units than the
    work center has, because at no minute do more operations run than it has units."""
    unit = list(assignment.unit)
    free_at: dict[int, list[int]] = {}
    for op in sorted(range(len(problem.operations)), key=assignment.start.__getitem__):
        center = assignment.work_center(problem, op)
        if not problem.uses_cumulative(center):
            continue
        units = free_at.setdefault(center, [0] * problem.work_centers[center].units)
        start = assignment.start[op]
        chosen = next((u for u, free in enumerate(units) if free <= start), None)
        if chosen is None:
            raise AssertionError(f"work center {center} over capacity at minute {start}")
        units[chosen] = assignment.end(problem, op)
        unit[op] = chosen + 1
    return replace(assignment, unit=tuple(unit))


def left_shift(problem: SchedulingProblem, assignment: Assignment) -> Assignment:
    """Start every operation as early as its order, unit, person, release and
    calendars allow, keeping each unit's and person's sequence. No operation moves
    later, so the objective never gets worse."""
    start = list(assignment.start)
    setup = list(assignment.setup)
    unit_last: dict[tuple[int, int], int] = {}
    person_last: dict[int, int] = {}
    end = [0] * len(start)
    for op in sorted(range(len(start)), key=lambda i: (assignment.start[i], i)):
        operation = problem.operations[op]
        alternative = operation.alternatives[assignment.alternative[op]]
        center = alternative.work_center
        key = (center, assignment.unit[op])
        previous = unit_last.get(key)
        earliest = operation.release
        if operation.predecessor is not None:
            earliest = max(earliest, end[operation.predecessor])
        person = assignment.person[op]
        if person is not None and person in person_last:
            earliest = max(earliest, end[person_last[person]])
        changeover = 0
        if previous is not None and problem.uses_sequences(center):
            changeover = problem.setup(
                center, family(problem, assignment, previous), alternative.setup_family
            )
        fitted = earliest_fit(
            earliest,
            alternative.duration,
            changeover,
            problem.work_centers[center].calendar,
            None if person is None else problem.persons[person].calendar,
            setup_after=0 if previous is None else end[previous],
        )
        if fitted is not None and fitted < start[op]:
            start[op] = fitted
        setup[op] = changeover
        end[op] = start[op] + alternative.duration
        unit_last[key] = op
        if person is not None:
            person_last[person] = op
    return replace(assignment, start=tuple(start), setup=tuple(setup))
