"""What ``planner run`` prints of a plan (``planning.pipeline``)."""

from __future__ import annotations

import polars as pl

from planning.pipeline import describe_counts, describe_plan
from planning.report import value_counts


def test_the_exception_summary_gives_the_total_and_every_category():
    # the material plan's categories and the schedule's, as plan.exceptions holds them
    categories = ["shortage", "late_demand", "late_demand", "capacity_overload"]
    categories += ["missed_milestone", "unstaffed_operation", "late_demand"]
    exceptions = pl.DataFrame({"category": categories})
    line = describe_counts("exceptions in the plan", value_counts(exceptions, "category"))
    assert line == (
        "  7 exceptions in the plan: capacity_overload 1, late_demand 3, missed_milestone 1,"
        " shortage 1, unstaffed_operation 1"
    )


def test_the_material_plan_summary_says_its_exceptions_are_the_material_plans():
    summary = {
        "rows": {"work_orders": 3, "purchase_requests": 2, "transfer_orders": 0},
        "actions": {},
        "exceptions": {"late_demand": 2, "shortage": 1},
    }
    assert describe_plan(summary) == [
        "  planned 3 work orders, 2 purchase requests, 0 transfer orders",
        "  0 action messages",
        "  3 exceptions of the material plan: late_demand 2, shortage 1",
    ]
