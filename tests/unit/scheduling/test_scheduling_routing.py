"""Work orders and routings become the scheduler's operations frame."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from planning.config import SolverSettings
from planning.scheduling.problem import PlantFrames
from planning.scheduling.routing import operations_from_work_orders, resources_from_work_centers
from planning.scheduling.schedule_run import schedule_operations


def test_each_work_order_gets_its_items_routing_with_durations_from_quantity():
    work_orders = pl.DataFrame(
        {
            "order_id": ["WO1", "WO2"],
            "item_id": ["FG", "UNROUTED"],
            "location_id": ["P1", "P1"],
            "qty": [10.0, 5.0],
            "due_minute": [600, 600],
        }
    )
    routings = pl.DataFrame(
        {
            "item_id": ["FG", "FG", "FG"],
            "location_id": ["P1", "P1", "P1"],
            "op_seq": [10, 20, 20],
            "work_center_id": ["CUT", "WELD", "WELD2"],
            "run_minutes_per_unit": [1.5, 2.0, 3.0],
            "setup_minutes": [20.0, None, 5.0],
            "skill": [None, "weld", "weld"],
        }
    )
    work_centers = pl.DataFrame(
        {
            "work_center_id": ["CUT", "WELD", "WELD2"],
            "location_id": ["P1"] * 3,
            "capacity_units": [1, 2, 1],
            "efficiency": [1.0, 0.8, None],
        }
    )
    operations = operations_from_work_orders(work_orders, routings, work_centers)
    expected = pl.DataFrame(
        {
            "order_id": ["WO1"] * 3,
            "op_seq": [10, 20, 20],
            "work_center_id": ["CUT", "WELD", "WELD2"],
            "duration_minutes": [35, 25, 35],  # 20 + 15; 20 / 0.8; 5 + 30
            "setup_family": [None, None, None],
            "skill": [None, "weld", "weld"],
            "release_minute": [None, None, None],
            "due_minute": [600, 600, 600],
            "weight": [None, None, None],
        },
        schema=operations.schema,
    )
    assert_frame_equal(operations, expected)

    resources = resources_from_work_centers(work_centers)
    personnel = pl.DataFrame({"person_id": ["P7"], "skill": ["weld"]})
    outcome = schedule_operations(
        operations,
        resources,
        PlantFrames(personnel=personnel),
        settings=SolverSettings(time_limit_seconds=5),
    )
    assert outcome.schedule.select("work_center_id", "person_id").rows() == [
        ("CUT", None),
        ("WELD", "P7"),
    ]
    assert outcome.report.makespan == 60
