"""Properties every produced schedule has, on generated plants: no unit or person
double-booked, operation order, releases, calendars, changeovers and skills kept."""

from __future__ import annotations

import pytest
from scheduling_checks import violations
from synthetic_plant import synthetic_case

from planning.config import SolverSettings
from planning.scheduling.assignment import evaluate, left_shift, with_units
from planning.scheduling.dispatch import RULES, dispatch
from planning.scheduling.problem import build_problem
from planning.scheduling.result_frames import to_schedule_frame
from planning.scheduling.schedule_run import schedule_operations


def _case(seed: int, operations: int = 120, work_centers: int = 6):
    return synthetic_case(operations, work_centers, persons=6, skills=3, weeks=6, seed=seed)


@pytest.mark.parametrize("rule", RULES)
def test_every_dispatching_rule_gives_a_feasible_schedule(rule):
    case = _case(seed=3, operations=600, work_centers=12)
    inputs = (case.operations, case.resources, case.frames)
    problem = build_problem(*inputs)
    assignment = dispatch(problem, rule)
    assert violations(to_schedule_frame(problem, assignment), *inputs) == []
    shifted = left_shift(problem, assignment)
    assert all(a <= b for a, b in zip(shifted.start, assignment.start, strict=True))
    assert evaluate(problem, shifted) <= evaluate(problem, assignment)
    assert violations(to_schedule_frame(problem, shifted), *inputs) == []
    renumbered = with_units(problem, shifted)  # cumulative work centers: lowest free unit
    assert violations(to_schedule_frame(problem, renumbered), *inputs) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_cp_sat_model_keeps_every_rule_and_never_loses_to_the_dispatcher(seed):
    case = _case(seed)
    inputs = (case.operations, case.resources, case.frames)
    outcome = schedule_operations(*inputs, settings=SolverSettings(time_limit_seconds=3, seed=seed))
    assert outcome.report.method == "model"
    assert violations(outcome.schedule, *inputs) == []
    report = outcome.report
    final = (report.weighted_tardiness * 100, report.makespan, report.total_setup_minutes)
    assert final <= tuple(report.heuristic)
    assert report.makespan >= report.makespan_bound
    assert report.weighted_tardiness >= report.weighted_tardiness_bound


@pytest.mark.parametrize("seed", [1, 2])
def test_window_decomposition_keeps_every_rule_and_never_loses_to_the_dispatcher(seed):
    case = _case(seed, operations=240, work_centers=8)
    settings = SolverSettings(
        time_limit_seconds=6, seed=seed, decompose_above_operations=0, window_operations=40
    )
    inputs = (case.operations, case.resources, case.frames)
    outcome = schedule_operations(*inputs, settings=settings)
    assert outcome.report.method == "windows"
    assert outcome.report.windows >= 3
    assert violations(outcome.schedule, *inputs) == []
    report = outcome.report
    final = (report.weighted_tardiness * 100, report.makespan, report.total_setup_minutes)
    assert final <= tuple(report.heuristic)


@pytest.mark.slow
def test_five_thousand_operations_on_fifty_work_centers_in_two_minutes():
    case = synthetic_case(5000, 50)
    inputs = (case.operations, case.resources, case.frames)
    outcome = schedule_operations(
        *inputs, settings=SolverSettings(time_limit_seconds=120, workers=2)
    )
    report = outcome.report
    assert report.wall_seconds < 130
    assert outcome.schedule.height == 5000
    assert violations(outcome.schedule, *inputs) == []
    assert report.weighted_tardiness * 100 < 0.9 * report.heuristic.weighted_tardiness
