"""The CP-SAT hint: a feasible schedule given to a model as a value of every variable.

``build_model`` hints its ``current`` assignment (the dispatching schedule, or the
schedule around a window); ``solve`` hints each phase with the best schedule of the
phase before. CP-SAT works best from a complete hint, so ``hint_values`` gives every
variable a value, the changeover circuits' arcs included; a phase that runs out of
time before reaching its hint keeps the hint's value of its term (``term_value``).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from planning.scheduling.assignment import Assignment

if TYPE_CHECKING:  # model imports this module to hint what it builds
    from planning.scheduling.model import ScheduleModel, Term, UnitCircuit


def hint_values(model: ScheduleModel, assignment: Assignment) -> dict[int, int]:
    """The value of every model variable in ``assignment`` (variable index -> value)."""
    problem = model.problem
    values: dict[int, int] = {}

    def put(variable: object, value: int) -> None:
        if isinstance(variable, cp_model.IntVar):
            values[variable.index] = int(value)

    for op, start in model.starts.items():
        put(start, assignment.start[op])
    for op, end in model.end_vars.items():
        put(end, assignment.end(problem, op))
    for (op, a), literal in model.presences.items():
        put(literal, assignment.alternative[op] == a)
    for (op, a, unit), literal in model.units.items():
        put(literal, assignment.alternative[op] == a and assignment.unit[op] == unit)
    for (op, a, person), literal in model.people.items():
        put(literal, assignment.alternative[op] == a and assignment.person[op] == person)
    for circuit in model.circuits:
        _circuit_hint(model, circuit, assignment, put)
    completion = {
        problem.operations[op].order: assignment.end(problem, op) + tail
        for op, tail in model.tails.items()
    }
    put(model.makespan, max(completion.values()))
    for number, late in model.tardiness.items():
        put(late, max(0, completion[number] - problem.orders[number].due))
    return values


def _circuit_hint(
    model: ScheduleModel,
    circuit: UnitCircuit,
    assignment: Assignment,
    put: Callable[[object, int], None],
) -> None:
    problem = model.problem
    present = []
    for j, node in enumerate(circuit.nodes, start=1):
        op = node.op
        chosen = problem.operations[op].alternatives[assignment.alternative[op]]
        if chosen.work_center == circuit.center and assignment.unit[op] == circuit.unit:
            present.append((assignment.start[op], j))
    present.sort()
    order = [j for _, j in present]
    put(circuit.idle, not order)
    setup_in = {j: 0 for j in range(1, len(circuit.nodes) + 1)}
    for j in range(1, len(circuit.nodes) + 1):
        put(circuit.first[j - 1], bool(order) and order[0] == j)
        put(circuit.last[j - 1], bool(order) and order[-1] == j)
    if order:
        first = circuit.nodes[order[0] - 1]
        setup_in[order[0]] = problem.setup(circuit.center, circuit.initial_family, first.family)
    consecutive = set(pairwise(order))
    for (i, j), literal in circuit.arcs.items():
        put(literal, (i, j) in consecutive)
        if (i, j) in consecutive:
            setup_in[j] = problem.setup(
                circuit.center, circuit.nodes[i - 1].family, circuit.nodes[j - 1].family
            )
    for j, node in enumerate(circuit.nodes, start=1):
        if node.size is None:
            continue
        put(node.size, node.duration + setup_in[j])
        start = assignment.start[node.op]
        put(node.ext_start, start - setup_in[j])


def add_hint(model: ScheduleModel, assignment: Assignment) -> None:
    """Replace the model's hint by ``assignment``; every variable gets a value, as
    CP-SAT works best from a complete hint."""
    model.cp.clear_hints()
    values = hint_values(model, assignment)
    hint = model.cp.proto.solution_hint
    hint.vars.extend(values.keys())
    hint.values.extend(values.values())


def term_value(term: Term, values: dict[int, int]) -> int:
    """The value of an objective term under ``values`` (variable index -> value)."""
    return sum(coefficient * values.get(variable.index, 0) for variable, coefficient in term)
