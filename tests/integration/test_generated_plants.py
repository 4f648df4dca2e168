"""Generated extracts plan like real plants: `planner run` end to end on a few seeds and
sizes, then the unconstrained capacity load and the schedule's staffing checked.

The bands are the generator's promise (planning/extract/sites.py, TARGET_LOAD
and BOTTLENECK_LOAD): most work centres loaded 60-90 % on average over the
horizon, one or two per plant its bottlenecks at 95-120 % in some weeks, few
weeks far above that, and nearly every operation staffed by a qualified person
on shift. The plan itself stays plausible: no shortage, few late work orders,
none starting on a weekend.

A week shortened by holidays carries a full week's load in fewer days (the
capacity plan moves a closed day's load to the working day before it, and the
week before a plant's Christmas shutdown takes two weeks' load), so the weekly
bound is on full weeks, with a looser one on all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from planning.extract.generate import generate_extract

pytestmark = pytest.mark.slow

AS_OF = date(2026, 11, 23)
NETWORKS = [(400, 42), (1_500, 7)]  # (SKUs, seed)


@pytest.fixture(scope="module", params=NETWORKS, ids=lambda n: f"{n[0]}skus-seed{n[1]}")
def planned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse and published run folder of a plan of a generated extract."""
    skus, seed = request.param
    root = tmp_path_factory.mktemp(f"plan-{skus}-{seed}")
    generate_extract(root / "extract", skus=skus, seed=seed, as_of=AS_OF)
    result = subprocess.run(
        [
            sys.executable, "-m", "planning.cli", "run", "--extract", str(root / "extract"),
            "--as-of", AS_OF.isoformat(), "--out", str(root / "plans"),
            "--warehouse", str(root / "planner.duckdb"),
        ],
        capture_output=True, text=True, check=False,
        env=os.environ | {"PLANNER_SCHEDULE_TIME_LIMIT": "10"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def _average_load(root: Path) -> pl.DataFrame:
    """Per work centre: its plant, its load over the horizon and its weeks at 95-120 %."""
    with duckdb.connect(str(root / "planner.duckdb"), read_only=True) as con:
        load = con.sql("select * from plan.capacity_load").pl()
    return load.group_by("location_id", "work_center_id").agg(
        average_pct=100 * pl.col("required_hours").sum() / pl.col("available_hours").sum(),
        bottleneck_weeks=pl.col("load_pct").is_between(95, 120).sum(),
    )


def test_most_work_centers_are_loaded_60_to_90_pct_on_average(planned: Path) -> None:
    load = _average_load(planned)
    within = load["average_pct"].is_between(60, 90)
    assert within.mean() >= 0.6, load.sort("average_pct")
    assert load["average_pct"].is_between(40, 110).all(), load.sort("average_pct")


def test_every_plant_has_a_bottleneck_at_95_to_120_pct_in_a_few_weeks(planned: Path) -> None:
    load = _average_load(planned)
    plants = load.group_by("location_id").agg(bottlenecks=(pl.col("bottleneck_weeks") >= 2).sum())
    assert (plants["bottlenecks"] >= 1).all(), load.sort("location_id", "average_pct")


def _weekly_load(root: Path) -> pl.DataFrame:
    """capacity_load with ``is_full_week``: the week has (about) the work centre's most hours."""
    with duckdb.connect(str(root / "planner.duckdb"), read_only=True) as con:
        load = con.sql("select * from plan.capacity_load").pl()
    most = pl.col("available_hours").max().over("work_center_id")
    return load.with_columns(is_full_week=pl.col("available_hours") >= 0.95 * most)


def test_few_work_center_weeks_are_far_above_their_hours(planned: Path) -> None:
    load = _weekly_load(planned)
    full = load.filter("is_full_week")
    assert full.height >= 0.6 * load.height
    assert (full["load_pct"] > 120).mean() < 0.05, full.sort("load_pct").tail(20)
    assert (load["load_pct"] > 120).mean() < 0.08, load.sort("load_pct").tail(30)
    assert full["load_pct"].max() < 250, full.sort("load_pct").tail(5)  # one small lot-bound week


def test_most_work_centers_are_in_band_and_none_is_idle(planned: Path) -> None:
    load = _average_load(planned)
    assert load["average_pct"].is_between(60, 90).mean() >= 0.8, load.sort("average_pct")
    assert load["average_pct"].is_between(50, 100).all(), load.sort("average_pct")


def test_the_plan_has_no_shortage_few_late_orders_and_no_weekend_starts(planned: Path) -> None:
    run = planned / "plans" / "latest"
    exceptions = pl.read_csv(run / "exceptions.csv", infer_schema_length=None)
    assert exceptions.filter(pl.col("category") == "shortage").height == 0
    schedule = pl.read_csv(run / "work_order_schedule.csv", infer_schema_length=None)
    assert schedule.height > 50
    assert schedule["is_late"].mean() < 0.12, schedule.filter("is_late")
    work_orders = pl.read_csv(run / "work_orders.csv", try_parse_dates=True)
    assert (work_orders["start_date"].dt.weekday() <= 5).all()
    assert (work_orders["due_date"].dt.weekday() <= 5).all()


def test_under_2_pct_of_scheduled_operations_are_unstaffed(planned: Path) -> None:
    manifest = json.loads((planned / "plans" / "latest" / "manifest.json").read_text())
    plants = manifest["schedule"].values()
    operations = sum(plant["operations"] for plant in plants)
    unstaffed = sum(plant["unstaffed_operations"] for plant in plants)
    assert operations > 100
    assert unstaffed / operations < 0.02, manifest["schedule"]


def test_shipping_requests_ship_each_line_whole_on_its_last_promise(planned: Path) -> None:
    # one story: a line ships once every part of it is promised, on the day its
    # last part is (the schedule's word included), and never before it is due
    # at the earliest on as-of
    run = planned / "plans" / "latest"
    promises = pl.read_csv(run / "demand_promises.csv", try_parse_dates=True).filter(
        pl.col("demand_type") == "sales_order"
    )
    lines = promises.group_by("demand_id").agg(
        pl.col("promised_date").max(), whole=pl.col("promised_date").is_not_null().all()
    )
    shipped = pl.read_csv(run / "shipping_requests.csv", try_parse_dates=True).with_columns(
        demand_id=pl.concat_str("so_id", pl.lit(":"), pl.col("so_line").cast(pl.String))
    )
    assert shipped.height > 20
    both = shipped.join(lines, on="demand_id", how="left")
    assert both["whole"].all(), both.filter(~pl.col("whole"))
    assert (both["ship_date"] == both["promised_date"]).all(), both.filter(
        pl.col("ship_date") != pl.col("promised_date")
    )
    assert (both["ship_date"] >= AS_OF).all()
