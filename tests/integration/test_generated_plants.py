"""Generated extracts plan like real plants: `planner run` end to end on a few seeds and
sizes, then the unconstrained capacity load and the schedule's staffing checked.

The bands are the generator's promise (planning/extract/generate.py, TARGET_LOAD
and BOTTLENECK_LOAD): most work centres loaded 60-90 % on average over the
horizon, one or two per plant its bottlenecks at 95-120 % in some weeks, and
nearly every operation staffed by a qualified person on shift.
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


def test_under_2_pct_of_scheduled_operations_are_unstaffed(planned: Path) -> None:
    manifest = json.loads((planned / "plans" / "latest" / "manifest.json").read_text())
    plants = manifest["schedule"].values()
    operations = sum(plant["operations"] for plant in plants)
    unstaffed = sum(plant["unstaffed_operations"] for plant in plants)
    assert operations > 100
    assert unstaffed / operations < 0.02, manifest["schedule"]
