"""Hand-checked cases: each rule of the scheduling model on a few operations."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from scheduling_checks import violations

from planning.config import SolverSettings
from planning.scheduling.assignment import evaluate
from planning.scheduling.errors import SchedulingInputError
from planning.scheduling.lexicographic_solve import solve
from planning.scheduling.model import build_model
from planning.scheduling.problem import PlantFrames, build_problem
from planning.scheduling.result_frames import SCHEDULE_SCHEMA, to_schedule_frame, with_timestamps
from planning.scheduling.schedule_run import schedule_operations

QUICK = SolverSettings(time_limit_seconds=10, workers=2, seed=1)


def _operations(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows))


def _resources(**units: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"work_center_id": list(units), "capacity_units": list(units.values())},
        schema={"work_center_id": pl.String, "capacity_units": pl.Int64},
    )


def _schedule(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=SCHEDULE_SCHEMA, orient="row")


def _op(order: str, seq: int, center: str, minutes: int, **more: object) -> dict:
    return {
        "order_id": order,
        "op_seq": seq,
        "work_center_id": center,
        "duration_minutes": minutes,
    } | more


def _run(operations: pl.DataFrame, resources: pl.DataFrame, **frames: pl.DataFrame):
    plant = PlantFrames(**frames)
    outcome = schedule_operations(operations, resources, plant, settings=QUICK)
    assert violations(outcome.schedule, operations, resources, plant) == []
    return outcome


def test_operations_follow_their_order_and_wait_for_their_release():
    operations = pl.DataFrame(
        [
            _op("A", 10, "M1", 5, release_minute=3),
            _op("A", 20, "M2", 4, release_minute=0),
            _op("B", 10, "M2", 6, release_minute=0),
        ]
    )
    outcome = _run(operations, _resources(M1=1, M2=1))
    expected = _schedule(
        ("A", 10, "M1", 1, None, 3, 8, 0),
        ("A", 20, "M2", 1, None, 8, 12, 0),
        ("B", 10, "M2", 1, None, 0, 6, 0),
    )
    assert_frame_equal(outcome.schedule, expected)
    assert (outcome.report.makespan, outcome.report.status) == (12, "OPTIMAL")


def test_an_operation_takes_the_alternative_that_finishes_the_schedule_first():
    # A runs 10 on M1 or 3 on M2; B (released at 3) runs 5 on M2 only.
    operations = _operations(
        _op("A", 10, "M1", 10),
        _op("A", 10, "M2", 3),
        _op("B", 10, "M2", 5, release_minute=3),
    )
    outcome = _run(operations, _resources(M1=1, M2=1))
    expected = _schedule(("A", 10, "M2", 1, None, 0, 3, 0), ("B", 10, "M2", 1, None, 3, 8, 0))
    assert_frame_equal(outcome.schedule, expected)


def test_identical_units_run_in_parallel_and_get_numbered():
    operations = _operations(*(_op(order, 10, "OVEN", 10) for order in "ABC"))
    outcome = _run(operations, _resources(OVEN=2))
    assert outcome.report.makespan == 20
    assert sorted(outcome.schedule.get_column("unit").to_list()) == [1, 1, 2]


def test_an_operation_never_runs_into_an_unavailable_window():
    operations = _operations(_op("A", 10, "M1", 30), _op("B", 10, "M1", 15))
    closed = pl.DataFrame({"work_center_id": ["M1"], "start_minute": [20], "end_minute": [60]})
    outcome = _run(operations, _resources(M1=1), unavailability=closed)
    expected = _schedule(("A", 10, "M1", 1, None, 60, 90, 0), ("B", 10, "M1", 1, None, 0, 15, 0))
    assert_frame_equal(outcome.schedule, expected)


def _changeovers(minutes: int, center: str | None = None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "work_center_id": [center, center],
            "from_family": ["red", "blue"],
            "to_family": ["blue", "red"],
            "setup_minutes": [minutes, minutes],
        },
        schema={
            "work_center_id": pl.String,
            "from_family": pl.String,
            "to_family": pl.String,
            "setup_minutes": pl.Int64,
        },
    )


def test_sequence_dependent_changeovers_group_families():
    families = ["red", "blue", "red", "blue"]
    operations = _operations(
        *(
            _op(order, 10, "M1", 10, setup_family=f)
            for order, f in zip("ABCD", families, strict=True)
        )
    )
    outcome = _run(operations, _resources(M1=1), setup_times=_changeovers(5))
    assert (outcome.report.makespan, outcome.report.total_setup_minutes) == (45, 5)
    sequence = outcome.schedule.sort("start_minute").get_column("order_id").to_list()
    colours = [families["ABCD".index(order)] for order in sequence]
    assert colours in (["red", "red", "blue", "blue"], ["blue", "blue", "red", "red"])


def test_a_changeover_is_machine_time_and_avoids_unavailable_windows_too():
    operations = _operations(
        _op("A", 10, "M1", 10, setup_family="red"), _op("B", 10, "M1", 10, setup_family="blue")
    )
    closed = pl.DataFrame({"work_center_id": ["M1"], "start_minute": [10], "end_minute": [15]})
    outcome = _run(operations, _resources(M1=1), unavailability=closed, setup_times=_changeovers(5))
    second = outcome.schedule.sort("start_minute").row(1, named=True)
    assert (second["start_minute"], second["setup_minutes"]) == (20, 5)  # changeover 15..20


def test_changeovers_on_several_units_split_the_families():
    operations = _operations(
        *(
            _op(order, 10, "PRESS", 10, setup_family=family)
            for order, family in zip("ABCD", ["red", "blue", "red", "blue"], strict=True)
        )
    )
    outcome = _run(operations, _resources(PRESS=2), setup_times=_changeovers(30, "PRESS"))
    assert (outcome.report.makespan, outcome.report.total_setup_minutes) == (20, 0)
    per_unit = outcome.schedule.group_by("unit").agg(pl.col("order_id").sort())
    assert sorted(per_unit.get_column("order_id").to_list()) == [["A", "C"], ["B", "D"]]


def _welding(*persons: str) -> pl.DataFrame:
    return pl.DataFrame(
        {"person_id": list(persons), "skill": ["weld"] * len(persons)},
        schema={"person_id": pl.String, "skill": pl.String},
    )


def _two_welds() -> pl.DataFrame:
    return _operations(
        _op("A", 10, "M1", 10, skill="weld"),
        _op("B", 10, "M2", 10, skill="weld"),
        _op("C", 10, "M3", 5),
    )


def test_one_welder_does_the_welds_one_after_the_other():
    outcome = _run(_two_welds(), _resources(M1=1, M2=1, M3=1), personnel=_welding("P1"))
    assert outcome.report.makespan == 20
    assert outcome.schedule.get_column("person_id").to_list() == ["P1", "P1", None]


def test_two_welders_weld_at_the_same_time():
    outcome = _run(_two_welds(), _resources(M1=1, M2=1, M3=1), personnel=_welding("P1", "P2"))
    assert outcome.report.makespan == 10
    assert set(outcome.schedule.get_column("person_id").drop_nulls()) == {"P1", "P2"}


def test_a_weld_waits_for_its_welder_to_be_available():
    available = pl.DataFrame({"person_id": ["P1"], "start_minute": [30], "end_minute": [45]})
    outcome = _run(
        _two_welds(),
        _resources(M1=1, M2=1, M3=1),
        personnel=_welding("P1"),
        personnel_availability=pl.concat(
            [
                available,
                pl.DataFrame({"person_id": ["P1"], "start_minute": [50], "end_minute": [90]}),
            ]
        ),
    )
    starts = sorted(outcome.schedule.filter(pl.col("person_id") == "P1")["start_minute"])
    assert starts == [30, 50]  # the second weld does not fit in 40..45


def test_the_heavier_order_goes_first_when_not_both_can_be_on_time():
    operations = _operations(
        _op("A", 10, "M1", 10, due_minute=10, weight=1.0),
        _op("B", 10, "M1", 10, due_minute=10, weight=5.0),
    )
    outcome = _run(operations, _resources(M1=1))
    expected = pl.DataFrame(
        {
            "order_id": ["A", "B"],
            "completion_minute": [20, 10],
            "due_minute": [10, 10],
            "tardiness_minutes": [10, 0],
            "weighted_tardiness": [10.0, 0.0],
            "late": [True, False],
        }
    )
    assert_frame_equal(outcome.orders, expected)
    assert outcome.report.weighted_tardiness == 10.0


def test_tardiness_comes_before_makespan():
    # A first gives makespan 60 but B late by 10; B first keeps B on time, makespan 70.
    operations = _operations(
        _op("A", 10, "M1", 10, due_minute=1000),
        _op("A", 20, "M2", 50, due_minute=1000),
        _op("B", 10, "M1", 10, due_minute=10),
    )
    outcome = _run(operations, _resources(M1=1, M2=1))
    assert (outcome.report.weighted_tardiness, outcome.report.makespan) == (0.0, 70)
    assert [phase.objective for phase in outcome.report.phases] == [
        "weighted_tardiness",
        "makespan",
    ]


def test_the_model_steps_can_be_called_one_by_one_with_readable_names():
    operations = _operations(
        _op("WO1", 10, "M1", 5), _op("WO1", 20, "M2", 7), _op("WO2", 10, "M1", 3)
    )
    problem = build_problem(operations, _resources(M1=1, M2=1))
    model = build_model(problem)
    names = {variable.name for variable in model.cp.proto.variables}
    assert {"WO1/10", "WO1/20", "WO2/10"} <= names
    intervals = {c.name for c in model.cp.proto.constraints if c.has_interval()}
    assert "WO1/20 on M2" in intervals
    result = solve(model, QUICK)
    assert [(p.objective, p.status, p.value, p.bound) for p in result.phases] == [
        ("makespan", "OPTIMAL", 12, 12)
    ]
    schedule = to_schedule_frame(problem, result.assignment)
    assert evaluate(problem, result.assignment).makespan == 12
    assert violations(schedule, operations, _resources(M1=1, M2=1)) == []


def test_timestamps_count_minutes_from_the_schedule_start():
    schedule = _schedule(("A", 10, "M1", 1, None, 90, 150, 0))
    stamped = with_timestamps(schedule, datetime(2026, 11, 23, 6, 0))
    assert stamped.select("start_at", "end_at").row(0) == (
        datetime(2026, 11, 23, 7, 30),
        datetime(2026, 11, 23, 8, 30),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda ops, res: (ops.drop("duration_minutes"), res),
            "required column 'duration_minutes'",
        ),
        (lambda ops, res: (ops, res.filter(pl.col("work_center_id") == "M1")), "not in resources"),
        (
            lambda ops, res: (ops.with_columns(duration_minutes=pl.lit(0)), res),
            "duration_minutes must be >= 1",
        ),
        (lambda ops, res: (ops, res.with_columns(capacity_units=pl.lit(0))), "capacity_units"),
        (lambda ops, res: (pl.concat([ops, ops.head(1)]), res), "lists work center 'M1' twice"),
        (
            lambda ops, res: (ops.with_columns(op_seq=pl.lit("ten")), res),
            "column 'op_seq' does not hold",
        ),
        (lambda ops, res: (ops.with_columns(skill=pl.lit("weld")), res), "nobody in personnel"),
    ],
)
def test_frames_that_cannot_be_scheduled_name_what_is_wrong(change, message):
    operations = _operations(_op("A", 10, "M1", 5), _op("A", 20, "M2", 5))
    operations, resources = change(operations, _resources(M1=1, M2=1))
    with pytest.raises(SchedulingInputError, match=message) as raised:
        schedule_operations(operations, resources, settings=QUICK)
    assert raised.value.exit_code == 2
