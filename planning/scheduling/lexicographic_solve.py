"""Solving a ``ScheduleModel`` with CP-SAT, lexicographically (``solve``).

The objective is lexicographic, by phases rather than by weights: weighted tardiness
first, then makespan, then total changeover minutes (a window model has one more
term, estimated tardiness, after the first; see ``model._add_objective_terms``). Each
phase minimizes one term; its best value then becomes a constraint (``term <= value``)
and its best schedule the complete hint of the next phase, so a later phase can never
make an earlier term worse. Phases a model does not have (no due minutes, no
changeovers) are skipped, so a pure job shop is one makespan solve with the whole
time budget. Each phase gets an equal share of the time left; time a phase does not
need (it proved optimality) goes to the next.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planning.config import SolverSettings
from planning.errors import StepFailedError
from planning.scheduling.assignment import Assignment, with_sequence_setups, with_units
from planning.scheduling.hints import add_hint, hint_values, term_value
from planning.scheduling.model import ScheduleModel, objective_expression

logger = logging.getLogger(__name__)

OBJECTIVE_ORDER = ("weighted_tardiness", "estimated_tardiness", "makespan", "total_setup")
SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)


@dataclass(frozen=True)
class PhaseReport:
    """One CP-SAT solve: the term it minimized, its status, best value, proven lower
    bound and wall seconds."""

    objective: str
    status: str
    value: int
    bound: int
    wall_seconds: float


@dataclass(frozen=True)
class SolveResult:
    assignment: Assignment
    phases: tuple[PhaseReport, ...]
    wall_seconds: float

    @property
    def status(self) -> str:
        """OPTIMAL when every phase proved optimality, else FEASIBLE."""
        return "OPTIMAL" if all(p.status == "OPTIMAL" for p in self.phases) else "FEASIBLE"


def solve(
    model: ScheduleModel,
    settings: SolverSettings,
    *,
    time_limit: float | None = None,
    quick_presolve: bool = False,
) -> SolveResult:
    """Minimize the model's objective terms lexicographically (see module docstring)
    within ``time_limit`` seconds (default: the settings' limit). ``quick_presolve``
    skips probing, which pays on short solves of models that start from a hint.

    Raises StepFailedError when CP-SAT proves the model infeasible, or finds no
    schedule in time and the model has no hint to fall back on."""
    limit = settings.time_limit_seconds if time_limit is None else time_limit
    started = time.perf_counter()
    names = [name for name in OBJECTIVE_ORDER if name in model.objective_terms]
    current = model.current
    phases = []
    for k, name in enumerate(names):
        left = limit - (time.perf_counter() - started)
        budget = max(left / (len(names) - k), 0.05)
        term = model.objective_terms[name]
        expression = objective_expression(term)
        model.cp.minimize(expression)
        if current is not None:
            add_hint(model, current)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = budget
        solver.parameters.num_workers = settings.workers
        solver.parameters.random_seed = settings.seed
        solver.parameters.log_search_progress = settings.log_search
        if quick_presolve:
            solver.parameters.cp_model_probing_level = 0
        status = solver.solve(model.cp)
        bound = solver.best_objective_bound
        bound = math.ceil(bound - 1e-6) if math.isfinite(bound) else 0
        if status in SOLVED:
            current = extract(model, solver)
            value = round(solver.objective_value)
        elif status == cp_model.INFEASIBLE or current is None:
            raise StepFailedError(
                f"CP-SAT found no schedule ({solver.status_name(status)}) "
                f"minimizing {name} in {solver.wall_time:.1f} s"
            )
        else:  # out of time before reaching the hint: keep it
            value = term_value(term, hint_values(model, current))
        model.cp.add(expression <= value)  # later phases keep this term at its best
        report = PhaseReport(
            name, solver.status_name(status), value, min(bound, value), solver.wall_time
        )
        logger.info(
            "%s: status=%s objective=%d bound=%d wall=%.2fs",
            name,
            report.status,
            report.value,
            report.bound,
            report.wall_seconds,
        )
        phases.append(report)
    if current is None:
        raise StepFailedError("the model has no objective and no hint")
    return SolveResult(current, tuple(phases), time.perf_counter() - started)


def extract(model: ScheduleModel, solver: cp_model.CpSolver) -> Assignment:
    """The solver's schedule as an Assignment; operations outside the model's window
    keep their place in ``model.current``. Units of cumulative work centers are
    numbered and changeovers recomputed from the unit sequences."""
    problem = model.problem
    count = len(problem.operations)
    base = model.current
    alternative = list(base.alternative) if base else [0] * count
    unit = list(base.unit) if base else [1] * count
    person = list(base.person) if base else [None] * count
    start = list(base.start) if base else [0] * count
    for op, variable in model.starts.items():
        start[op] = solver.value(variable)
        alternative[op] = 0
        unit[op] = 1
        person[op] = None
    for (op, a), literal in model.presences.items():
        if solver.boolean_value(literal):
            alternative[op] = a
    for (op, a, u), literal in model.units.items():
        if a == alternative[op] and (isinstance(literal, int) or solver.boolean_value(literal)):
            unit[op] = u
    for (op, a, p), literal in model.people.items():
        if a == alternative[op] and solver.boolean_value(literal):
            person[op] = p
    assignment = Assignment(
        tuple(alternative), tuple(unit), tuple(person), tuple(start), (0,) * count
    )
    return with_sequence_setups(problem, with_units(problem, assignment))
